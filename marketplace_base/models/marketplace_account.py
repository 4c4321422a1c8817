import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..marketplace_core import oauth_state

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"


class MarketplaceAccount(models.Model):
    """A seller's account on one marketplace, with its credentials encrypted at rest."""

    _name = "marketplace.account"
    _description = "Marketplace Account"
    _inherit = ["mail.thread", "mail.activity.mixin", "marketplace.secret.mixin"]
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
    platform_uninstalled = fields.Char(
        string="Platform Before Uninstall", readonly=True, copy=False,
        help="Set while this account's connector is uninstalled: the uninstall kept the account with its shops, "
             "listings, bindings, orders and jobs, and archived it; installing the connector again restores it.")
    archived_by_uninstall = fields.Boolean(readonly=True, copy=False)

    # Credentials: the clear values exist only in memory; the database holds ciphertext.
    client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP, tracking=True)
    client_secret = fields.Char(
        compute="_compute_secrets", inverse="_inverse_secrets", groups=MANAGER_GROUP
    )
    client_secret_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)

    # Money: where a payout and what it pays are booked (marketplace.payout.action_book)
    money_journal_id = fields.Many2one(
        "account.journal", string="Payout Journal", check_company=True, domain="[('type', '=', 'general')]",
        help="The journal of the entries that book each payout: the sales it pays, their fees, refunds and charges.")
    money_fee_account_id = fields.Many2one(
        "account.account", string="Marketplace Fees Account", check_company=True,
        help="Expense account of the marketplace's fees, charges and shipping labels.")
    money_payout_account_id = fields.Many2one(
        "account.account", string="Payouts in Transit Account", check_company=True,
        default=lambda self: self.env.company.transfer_account_id,
        help="Where a payout waits until the bank statement line shows it (by default the company's liquidity "
             "transfer account): match the statement line with the payout's line there.")

    # Monitoring
    last_sync_summary = fields.Text(compute="_compute_last_sync_summary", string="Last Successful Sync")
    job_ids = fields.One2many("marketplace.job", "account_id", string="Jobs")
    job_failed_count = fields.Integer(compute="_compute_job_counts")
    job_pending_count = fields.Integer(compute="_compute_job_counts")

    # -- secrets -------------------------------------------------------------
    @api.model
    def _secret_field_names(self):
        """Fields typed by a person whose value is stored encrypted in ``<name>_encrypted``: those computed by
        ``_compute_secrets`` (a connector declares one so, e.g. a webhook verification token), read from the
        fields rather than from a super() chain through every connector."""
        return [name for name, field in self._fields.items() if field.compute == "_compute_secrets"]

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

    # -- OAuth state (eBay consent, Shopee shop authorization) ----------------
    def _oauth_state(self, purpose):
        """The ``state`` of a consent link for this account (``marketplace_core.oauth_state``): bound to the
        user and browser session asking for it, valid ``STATE_TTL_SECONDS``, usable once. Only those who may
        connect an account (managers) get one: a state is what makes a callback bind tokens to the account."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only a Marketplace Manager can connect a marketplace account."))
        self.check_access("write")
        return oauth_state.mint(self._oauth_state_secret(), purpose, self.id, self.env.uid, _session_key(),
                                time.time())

    def _check_authorizer_email(self):
        """Who connects an account or authorizes a shop signs the line its chatter keeps of it, and Odoo refuses a
        chatter message from an author without an email address: asked first, when the connection starts and
        again in the callback before the platform's code is spent (else the callback answered with Odoo's own
        words on the sender's address, the code used up and nothing connected)."""
        if not self.env.user.email:
            raise UserError(_("Odoo needs your email address to record the authorization: set it in your "
                              "preferences (your name at the top right > My Preferences), then start the "
                              "authorization again."))

    @api.model
    def _account_from_oauth_state(self, purpose, state):
        """The account a callback's ``state`` names, its nonce spent; AccessError when another user or another
        browser session started the flow, UserError when the state is forged, expired or used already."""
        try:
            content = oauth_state.check(self._oauth_state_secret(), purpose, state, self.env.uid, _session_key(),
                                        time.time())
        except oauth_state.StateNotYours as exc:
            raise AccessError(_("This authorization was started by another user or in another browser session; "
                                "only the person who started it can complete it, in the same browser. Start the "
                                "connection again from the account.")) from exc
        except oauth_state.StateExpired as exc:
            raise UserError(_("This authorization link has expired (it is valid %s minutes). Start the connection "
                              "again from the account.", oauth_state.STATE_TTL_SECONDS // 60)) from exc
        except oauth_state.StateError as exc:
            raise UserError(_("This authorization answer is not valid for this database (bad state). Start the "
                              "connection again from the account.")) from exc
        self.env["marketplace.oauth.nonce"].sudo()._consume(content.nonce, content.expires_at)
        account = self.browse(content.account_id).exists()
        if not account:
            raise UserError(_("The account being connected no longer exists."))
        return account

    @api.model
    def _oauth_state_secret(self):
        return self.env["ir.config_parameter"].sudo().get_param("database.secret")

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

    # -- uninstalling and reinstalling a connector ----------------------------
    def _park_for_uninstall(self):
        """``ondelete`` of a connector's platform value, run when the connector is uninstalled: keep the accounts
        and everything under them (Odoo's "cascade" deleted them, and through the foreign keys their shops,
        listings, bindings, sync rules and jobs). The platform is remembered for a reinstall, the accounts are
        archived so that nothing of theirs runs without the connector, and their unfinished jobs are cancelled."""
        for account in self.with_context(active_test=False):
            platform = account.platform
            account.job_ids._cancel_for_uninstall()
            account.write({"platform_uninstalled": platform, "archived_by_uninstall": account.active,
                           "platform": "manual", "active": False})
            account.message_post(body=_(
                "The %(platform)s connector was uninstalled: this account is archived and keeps its shops, "
                "listings, bindings, orders and jobs. Installing the connector again restores it (its "
                "connector-specific settings start from their defaults).", platform=platform))

    @api.model
    def _restore_after_reinstall(self, platform):
        """A connector's ``post_init_hook``: the accounts its uninstall kept get their platform back, and
        those it archived are active again."""
        accounts = self.with_context(active_test=False).search([("platform_uninstalled", "=", platform)])
        for account in accounts:
            account.write({"platform": platform, "active": account.active or account.archived_by_uninstall,
                           "platform_uninstalled": False, "archived_by_uninstall": False})
            account.message_post(body=_("The %s connector was installed again: this account is restored.",
                                        platform))
        return accounts

    @api.model
    def _demo_money_booking(self, account_ids):
        """Demo data: book the demo accounts' payouts in the company's miscellaneous journal, fees on an expense
        account, payouts in transit on the liquidity transfer account (when the company has a chart)."""
        for account in self.browse(account_ids):
            company = account.company_id
            journal = self.env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "general")],
                                                         limit=1)
            fees = self.env["account.account"].search([("company_ids", "in", company.id),
                                                       ("account_type", "=", "expense")], limit=1)
            if journal and fees and company.transfer_account_id:
                account.write({"money_journal_id": journal.id, "money_fee_account_id": fees.id,
                               "money_payout_account_id": company.transfer_account_id.id})


def _session_key():
    """The browser session of the HTTP request being served ("" outside one: a shell, a cron, a test)."""
    return request.session.sid if request else ""
