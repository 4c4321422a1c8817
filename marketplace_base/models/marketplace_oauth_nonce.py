from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class MarketplaceOAuthNonce(models.Model):
    """The nonces of OAuth states already used: a consent link works once (``marketplace_core.oauth_state``).

    A row only needs to outlive its state: once the state has expired, the signature check refuses it
    anyway, so expired rows are deleted by Odoo's daily autovacuum."""

    _name = "marketplace.oauth.nonce"
    _description = "Used Marketplace OAuth State"
    _log_access = False

    nonce = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)

    _sql_constraints = [("nonce_uniq", "unique(nonce)", "An OAuth state is used once.")]

    @api.model
    def _consume(self, nonce, expires_epoch):
        """Spend ``nonce``; a UserError when it was spent before (a replayed callback).

        One atomic insert: of two callbacks racing with the same state, the second waits for the first
        to commit and then finds the nonce taken."""
        expires_at = datetime.fromtimestamp(expires_epoch, timezone.utc).replace(tzinfo=None)
        self.env.cr.execute(SQL("""
            INSERT INTO marketplace_oauth_nonce (nonce, expires_at) VALUES (%s, %s)
            ON CONFLICT (nonce) DO NOTHING RETURNING id""", nonce, expires_at))
        if not self.env.cr.fetchone():
            raise UserError(_("This authorization answer was already used. Start the connection again from "
                              "the account."))

    @api.autovacuum
    def _gc_expired(self):
        self.env.cr.execute(SQL("DELETE FROM marketplace_oauth_nonce WHERE expires_at < %s",
                                fields.Datetime.now()))
