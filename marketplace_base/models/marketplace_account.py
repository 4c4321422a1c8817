import logging
import os

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..marketplace_core import secrets

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"


class MarketplaceAccount(models.Model):
    """A seller's account on one marketplace, with its credentials encrypted at rest."""

    _name = "marketplace.account"
    _description = "Marketplace Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"

    # Identity
    name = fields.Char(required=True, tracking=True)
    platform = fields.Selection(
        [("manual", "Manual / Other")], required=True, default="manual", tracking=True,
        help="Connectors add their platform here (eBay, Shopee, ...).",
    )
    environment = fields.Selection(
        [("sandbox", "Sandbox"), ("production", "Production")],
        required=True, default="sandbox", tracking=True,
        help="Sandbox first: credentials and tokens are kept per account, so keep one account per environment.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("draft", "Draft"), ("connected", "Connected"), ("needs_reauth", "Needs Re-authorization"),
         ("error", "Error")],
        required=True, default="draft", tracking=True, copy=False,
    )
    shop_ids = fields.One2many("marketplace.shop", "account_id", string="Shops")

    # Credentials: the clear values exist only in memory; the database holds ciphertext.
    client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP, tracking=True)
    client_secret = fields.Char(
        compute="_compute_secrets", inverse="_inverse_secrets", groups=MANAGER_GROUP
    )
    client_secret_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    access_token_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    refresh_token_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    access_token_expires_at = fields.Datetime(copy=False, readonly=True)
    refresh_token_expires_at = fields.Datetime(copy=False, readonly=True)

    # Monitoring
    last_sync_summary = fields.Text(compute="_compute_last_sync_summary", string="Last Successful Sync")
    job_ids = fields.One2many("marketplace.job", "account_id", string="Jobs")
    job_failed_count = fields.Integer(compute="_compute_job_counts")
    job_pending_count = fields.Integer(compute="_compute_job_counts")

    # -- secrets -------------------------------------------------------------
    @api.model
    def _secret_field_names(self):
        """Fields typed by a person whose value is stored encrypted in ``<name>_encrypted``.

        Connectors extend the list (e.g. a webhook verification token).
        """
        return ["client_secret"]

    @api.model
    def _secret_box(self):
        key = tools.config.get(secrets.CONFIG_OPTION) or os.environ.get(secrets.ENV_VARIABLE)
        try:
            return secrets.SecretBox(key)
        except secrets.SecretKeyMissing as exc:
            raise UserError(str(exc)) from exc

    def _compute_secrets(self):
        names = self._secret_field_names()
        for account in self:
            for name in names:
                account[name] = account._get_secret(name, missing_ok=True)

    def _inverse_secrets(self):
        for account in self:
            for name in account._secret_field_names():
                if name in account._cache:
                    account._set_secret(name, account[name])

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
            raise UserError(_("Account %(name)s: %(error)s", name=self.name, error=exc)) from exc

    def _set_secret(self, name, value):
        self.ensure_one()
        self.sudo()[name + "_encrypted"] = self._secret_box().encrypt(value) if value else False

    def _store_tokens(self, access_token, access_expires_at, refresh_token=None, refresh_expires_at=None):
        """Keep a fresh token set; a refresh grant returns no new refresh token, so keep the old one."""
        self.ensure_one()
        self._set_secret("access_token", access_token)
        values = {"access_token_expires_at": access_expires_at}
        if refresh_token:
            self._set_secret("refresh_token", refresh_token)
            values["refresh_token_expires_at"] = refresh_expires_at
        self.sudo().write(values)

    # -- monitoring ----------------------------------------------------------
    def _compute_last_sync_summary(self):
        Job = self.env["marketplace.job"]
        job_types = dict(Job._fields["job_type"]._description_selection(self.env))
        groups = Job.sudo()._read_group(
            [("account_id", "in", self.ids), ("state", "=", "done")],
            ["account_id", "job_type"], ["ended_at:max"],
        )
        lines = {}
        for account, job_type, ended_at in groups:
            lines.setdefault(account.id, []).append(
                "%s: %s" % (job_types.get(job_type, job_type), fields.Datetime.to_string(ended_at))
            )
        for account in self:
            account.last_sync_summary = "\n".join(sorted(lines.get(account.id, []))) or _("Never")

    def _compute_job_counts(self):
        Job = self.env["marketplace.job"]
        counts = {
            (account.id, state): count
            for account, state, count in Job._read_group(
                [("account_id", "in", self.ids), ("state", "in", ("failed", "pending"))],
                ["account_id", "state"], ["__count"],
            )
        }
        for account in self:
            account.job_failed_count = counts.get((account.id, "failed"), 0)
            account.job_pending_count = counts.get((account.id, "pending"), 0)

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("marketplace_base.action_marketplace_job")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def _mark_needs_reauth(self, reason):
        """The marketplace refused our refresh token: a person must connect again."""
        for account in self:
            account.state = "needs_reauth"
            account.message_post(body=_("Re-authorization needed: %s", reason))
            managers = self.env.ref(MANAGER_GROUP).users.filtered(
                lambda user, account=account: account.company_id in user.company_ids)
            for user in managers[:5]:
                account.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=user.id,
                    summary=_("Reconnect %s", account.name),
                    note=_("The marketplace refused to refresh the access token (%s). Open the account and "
                           "connect again.", reason),
                )
