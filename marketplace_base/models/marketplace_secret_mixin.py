import os

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..marketplace_core import secrets

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"


class MarketplaceSecretMixin(models.AbstractModel):
    """Secrets and OAuth tokens kept encrypted at rest, in ``<name>_encrypted`` fields.

    Accounts hold them when a platform authorizes a whole account (eBay); shops hold their own
    when a platform authorizes each shop (Shopee: one token pair per shop id). The key comes from
    the Odoo configuration or the environment, never from the database.
    """

    _name = "marketplace.secret.mixin"
    _description = "Marketplace Encrypted Secrets"

    access_token_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    refresh_token_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    access_token_expires_at = fields.Datetime(copy=False, readonly=True)
    refresh_token_expires_at = fields.Datetime(copy=False, readonly=True)

    @api.model
    def _secret_box(self):
        key = tools.config.get(secrets.CONFIG_OPTION) or os.environ.get(secrets.ENV_VARIABLE)
        try:
            return secrets.SecretBox(key)
        except secrets.SecretKeyMissing as exc:
            raise UserError(str(exc)) from exc

    def _get_secret(self, name, missing_ok=False):
        """Clear value of secret ``name`` (``access_token``, ``client_secret``, ...).

        With ``missing_ok`` an unreadable value reads as empty, so a form still opens
        when the key is missing; code that needs the secret gets a clear UserError.
        """
        self.ensure_one()
        ciphertext = self.sudo()[name + "_encrypted"]
        if not ciphertext:
            return False
        try:
            return self._secret_box().decrypt(ciphertext)
        except (UserError, secrets.SecretUnreadable) as exc:
            if missing_ok:
                return False
            raise UserError(_("%(record)s: %(error)s", record=self.display_name, error=exc)) from exc

    def _set_secret(self, name, value):
        self.ensure_one()
        self.sudo()[name + "_encrypted"] = self._secret_box().encrypt(value) if value else False

    def _store_tokens(self, access_token, access_expires_at, refresh_token=None, refresh_expires_at=None):
        """Keep a fresh token set; a refresh grant without a new refresh token keeps the old one."""
        self.ensure_one()
        self._set_secret("access_token", access_token)
        values = {"access_token_expires_at": access_expires_at}
        if refresh_token:
            self._set_secret("refresh_token", refresh_token)
            values["refresh_token_expires_at"] = refresh_expires_at
        self.sudo().write(values)
