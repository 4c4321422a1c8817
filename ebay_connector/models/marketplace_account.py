import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.marketplace_base.services.token_store import RecordTokenStore, store_token_set
from odoo.addons.marketplace_base.shared_budget import SharedRateBudget

from ..ebay_api import EbayAuthError, EbayClient, EbayConfig, InMemoryTokenStore, TokenSet
from ..ebay_api.config import BROWSE, BROWSE_CALLS_PER_DAY, PULL, PUSH, Budget
from ..ebay_api.finances import KeyManagementAdapter
from ..ebay_api.locales import SITE_CURRENCIES
from ..ebay_api.message_signature import MessageSigner
from ..ebay_api.oauth import OAuthClient
from ..ebay_api.signature import challenge_response
from ..ebay_api.transport import build_session
from ..sync_core.times import from_epoch

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
OAUTH_PURPOSE = "ebay_oauth"  # what eBay consent states are signed for
EBAY_MARKETPLACES = [
    ("EBAY_US", "eBay US"), ("EBAY_GB", "eBay UK"), ("EBAY_DE", "eBay Germany"), ("EBAY_FR", "eBay France"),
    ("EBAY_IT", "eBay Italy"), ("EBAY_ES", "eBay Spain"), ("EBAY_AU", "eBay Australia"),
    ("EBAY_CA", "eBay Canada"), ("EBAY_AT", "eBay Austria"), ("EBAY_NL", "eBay Netherlands"),
]
# Application tokens (client-credentials grant) per database, account, App ID and host, kept in this process
# until they expire: eBay allows 1 000 grants a day, a token lives 2 hours, so each worker process grants at
# most a dozen a day. They are not stored in the database: nothing is lost when a process forgets one.
_APP_TOKENS = {}


class MarketplaceAccount(models.Model):
    _inherit = "marketplace.account"

    # an uninstall keeps the accounts (archived) and everything under them; a reinstall restores them
    platform = fields.Selection(
        selection_add=[("ebay", "eBay")], ondelete={"ebay": lambda accounts: accounts._park_for_uninstall()})

    # eBay keys (App ID = client_id, Cert ID = client_secret of marketplace_base)
    ebay_dev_id = fields.Char(string="Dev ID", groups=MANAGER_GROUP)
    ebay_ru_name = fields.Char(string="RuName", groups=MANAGER_GROUP,
                               help="eBay Redirect URL name; its accepted URL must be <Odoo URL>/ebay/oauth/callback.")
    ebay_marketplace_id = fields.Selection(EBAY_MARKETPLACES, string="Default Marketplace", default="EBAY_US")
    ebay_api_base_url = fields.Char(
        string="API Base URL Override", groups=MANAGER_GROUP,
        help="Leave empty for eBay. Set to the local eBay simulator (e.g. http://127.0.0.1:8790) to try the "
             "connector without eBay keys.",
    )

    # Notifications
    ebay_verification_token = fields.Char(
        compute="_compute_secrets", inverse="_inverse_secrets", groups=MANAGER_GROUP, string="Verification Token",
        help="32 to 80 characters, the same as entered in eBay's developer portal for the notification endpoint.",
    )
    ebay_verification_token_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    ebay_endpoint_url = fields.Char(
        string="Notification Endpoint URL", groups=MANAGER_GROUP,
        default=lambda self: self._default_ebay_endpoint_url(),
        help="The public HTTPS URL eBay posts to, exactly as registered (it is part of the challenge hash).",
    )

    # Budgets and behaviour
    ebay_pull_budget = fields.Integer(string="Pull Budget (requests / 10 min)", default=30,
                                      help="0 means no client-side limit.")
    ebay_push_budget = fields.Integer(string="Push Budget (requests / 10 min)", default=60,
                                      help="0 means no client-side limit.")
    ebay_create_missing_products = fields.Boolean(
        string="Create Missing Products",
        help="Listings backfill: create a product for a listing whose SKU matches no internal reference.",
    )
    ebay_sync_product_categories = fields.Boolean(
        string="Create Product Categories",
        help="Category import: also keep product categories that mirror the eBay category tree.",
    )
    ebay_category_tree_id = fields.Char(readonly=True)
    ebay_category_tree_version = fields.Char(readonly=True)

    # Money (Finances API) and digital signatures
    ebay_finances_synced_until = fields.Datetime(
        string="Money Pulled Until", readonly=True, copy=False,
        help="eBay's transactions and payouts are stored up to this moment (the next pull overlaps it by 2 days).")
    ebay_disputes_synced_until = fields.Datetime(
        string="Payment Disputes Synced Until", readonly=True, copy=False,
        help="eBay opening time up to which payment disputes are imported; the next pull starts earlier by the "
             "shops' order overlap. "
             "Open disputes opened before are re-read by id.")
    ebay_signs_requests = fields.Boolean(
        string="EU/UK Seller (Sign Calls)", groups=MANAGER_GROUP,
        help="eBay wants the Finances calls, refunds and some after-sale answers of sellers registered in the EU or "
             "the UK signed with a key of the application (Key Management API). The key is made at the first such "
             "call and kept encrypted.")
    ebay_signing_key_id = fields.Char(string="Signing Key ID", readonly=True, copy=False, groups=MANAGER_GROUP)
    ebay_signing_jwe = fields.Char(readonly=True, copy=False, groups=MANAGER_GROUP)
    ebay_signing_private_key_encrypted = fields.Char(copy=False, groups=MANAGER_GROUP)
    ebay_signing_key_expires_at = fields.Datetime(string="Signing Key Expires", readonly=True, copy=False,
                                                  groups=MANAGER_GROUP)

    @api.model
    def _default_ebay_endpoint_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base and base.rstrip("/") + "/api/ebay/webhook"

    # -- client --------------------------------------------------------------
    def _ebay_config(self, site=None):
        """The client settings of the account, on ``site`` (a shop's eBay marketplace) or the account's default:
        the site sets the marketplace header and the language of every call."""
        self.ensure_one()
        account = self.sudo()
        if account.platform != "ebay":
            raise UserError(_("%s is not an eBay account.", account.name))
        if not account.client_id or not account.client_secret:
            raise UserError(_("Account %s: enter the App ID and Cert ID first.", account.name))
        return EbayConfig(
            app_id=account.client_id, cert_id=account._get_secret("client_secret"), dev_id=account.ebay_dev_id or "",
            ru_name=account.ebay_ru_name or "", environment=account.environment,
            marketplace_id=site or account.ebay_marketplace_id or "EBAY_US", base_url=account.ebay_api_base_url or None,
            budgets=self._ebay_budgets(), **self._ebay_retry_settings(),
        )

    @api.model
    def _ebay_retry_settings(self):
        """In-call retry bounds (system parameters), before a job-level retry takes over."""
        get = self.env["ir.config_parameter"].sudo().get_param
        timeout = tuple(float(part) for part in get("ebay_connector.timeout_seconds", "5,30").split(","))
        return {
            # requests' (connect, read) pair, or one number for both
            "timeout": timeout if len(timeout) > 1 else timeout[0],
            "max_attempts": int(get("ebay_connector.max_attempts", 5)),
            "max_retry_seconds": float(get("ebay_connector.max_retry_seconds", 60)),
            "backoff_base_seconds": float(get("ebay_connector.backoff_base_seconds", 0.5)),
        }

    def _ebay_budgets(self):
        budgets = {}
        if self.ebay_pull_budget > 0:
            budgets[PULL] = Budget(self.ebay_pull_budget, 600)
        if self.ebay_push_budget > 0:
            budgets[PUSH] = Budget(self.ebay_push_budget, 600)
        budgets[BROWSE] = Budget(self._ebay_browse_calls_per_day(), 24 * 3600)
        return budgets

    @api.model
    def _ebay_browse_calls_per_day(self):
        """Browse's daily allowance (comparables), shared by every worker of the database."""
        get = self.env["ir.config_parameter"].sudo().get_param
        return int(get("ebay_connector.browse_calls_per_day", BROWSE_CALLS_PER_DAY))

    def _ebay_client(self, on_call=None, site=None):
        """The account's eBay client on ``site`` (a shop's ``_ebay_site()``; default: the account's marketplace);
        ``on_call`` receives a record of every HTTP exchange."""
        self.ensure_one()
        config = self._ebay_config(site)
        return EbayClient(config, self._ebay_token_store(), on_call=on_call, budgets=self._shared_budgets(config),
                          app_token_store=self._ebay_app_token_store(config), signer=self._ebay_signer())

    def _ebay_signer(self):
        """The digital signature of an EU/UK seller's calls, once the account has a signing key; else None."""
        account = self.sudo()
        if not (account.ebay_signs_requests and account.ebay_signing_jwe):
            return None
        return MessageSigner(account._get_secret("ebay_signing_private_key"), account.ebay_signing_jwe)

    def _ebay_ensure_signing_key(self, client):
        """Give an EU/UK seller's account a signing key before its first signed call; ``client`` signs with it
        from then on. eBay answers the private key once: it is stored (encrypted) in the same transaction."""
        self.ensure_one()
        account = self.sudo()
        if not account.ebay_signs_requests or account.ebay_signing_jwe:
            return
        key = KeyManagementAdapter(client).create_signing_key()
        account._set_secret("ebay_signing_private_key", key["privateKey"])
        account.write({"ebay_signing_key_id": key["signingKeyId"], "ebay_signing_jwe": key["jwe"],
                       "ebay_signing_key_expires_at": from_epoch(key.get("expirationTime"))})
        client.signer = account._ebay_signer()
        account.message_post(body=_("eBay signing key %s created for signed calls.", key["signingKeyId"]))

    def action_ebay_add_site_shop(self):
        """Button "Add Marketplace Shop": the wizard that makes the shop of one more eBay site."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "ebay.site.shop.wizard", "view_mode": "form",
                "target": "new", "context": {"default_account_id": self.id}}

    def _ebay_add_site_shop(self, site, fiscal_position=None):
        """The shop of eBay site ``site`` (EBAY_GB) under this account, made when missing: in the site's currency,
        with a pricelist in it (made when the company has none), the warehouse of the account's first shop, the
        seller's ``fiscal_position`` and, once connected, the site's business policies. getOrders returns every
        site's orders; each lands in its site's shop (``order_shop``) in the site's currency."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only a Marketplace Manager can add a marketplace shop."))
        if self.platform != "ebay":
            raise UserError(_("%s is not an eBay account.", self.name))
        if site not in SITE_CURRENCIES:
            raise UserError(_("%(site)s is not an eBay marketplace the connector sells on; use one of %(sites)s.",
                              site=site, sites=", ".join(sorted(SITE_CURRENCIES))))
        Shop = self.env["marketplace.shop"]
        shops = Shop.search([("account_id", "=", self.id)], order="id")
        shop = shops.filtered(lambda shop: shop.marketplace_site == site)[:1]
        if shop:
            return shop
        currency = self.env["marketplace.order"]._currency_by_code(SITE_CURRENCIES[site])
        label = dict(self._fields["ebay_marketplace_id"].selection).get(site, site)
        values = {"name": "%s · %s" % (self.name, label), "account_id": self.id, "marketplace_site": site,
                  "currency_id": currency.id, "fiscal_position_id": fiscal_position.id if fiscal_position else False}
        if shops:
            values["warehouse_id"] = shops[0].warehouse_id.id
        shop = Shop.create(values)
        shop.pricelist_id = shop._pricelist_in_currency(currency)
        if self.state == "connected":
            shop.action_ebay_fetch_policies()
        return shop

    def action_ebay_pull_finances(self):
        """Queue a pull of eBay's money transactions and payouts (the daily cron does the same)."""
        self.ensure_one()
        self.env["marketplace.job"]._enqueue("pull_finances", account=self, user=self.env.user)

    @api.model
    def _cron_ebay_pull_finances(self):
        for account in self.search([("platform", "=", "ebay"), ("state", "=", "connected")]):
            self.env["marketplace.job"]._enqueue("pull_finances", account=account, priority=15)

    @api.model
    def _cron_ebay_pull_disputes(self):
        """Enqueue ``pull_disputes`` for every connected eBay account (disputes wait for a manager's answer)."""
        for account in self.search([("platform", "=", "ebay"), ("state", "=", "connected")]):
            self.env["marketplace.job"]._enqueue("pull_disputes", account=account, priority=5)

    def _ebay_app_token_store(self, config):
        """This process's application token of the account (see ``_APP_TOKENS``)."""
        key = (self.env.cr.dbname, self.id, config.app_id, config.api_url)
        return _APP_TOKENS.setdefault(key, InMemoryTokenStore())

    def _shared_budgets(self, config):
        """The account's budgets counted in PostgreSQL: every worker and server of the database fills the same."""
        return {group: SharedRateBudget(self.env, "ebay:%s:%s" % (self.id, group), budget.limit,
                                        budget.window_seconds, company=self.company_id)
                for group, budget in config.budgets.items()}

    def _ebay_token_store(self):
        """The account's user tokens (eBay authorizes the whole account; a refresh keeps the refresh token)."""
        return RecordTokenStore(self, TokenSet)

    # -- OAuth consent (the state: marketplace.account._oauth_state) ----------
    def _ebay_oauth_client(self):
        return OAuthClient(self._ebay_config(), build_session(pool_size=1))

    def action_ebay_connect(self):
        """Open eBay's consent page; eBay sends the seller back to /ebay/oauth/callback."""
        self.ensure_one()
        if not self.sudo().ebay_ru_name:
            raise UserError(_("Enter the RuName of your eBay application first."))
        self._check_authorizer_email()
        return {"type": "ir.actions.act_url", "target": "self",
                "url": self._ebay_oauth_client().consent_url(self._oauth_state(OAUTH_PURPOSE))}

    def _ebay_finish_connect(self, code):
        """Exchange the authorization code for tokens and mark the account connected."""
        self.ensure_one()
        self._check_authorizer_email()
        try:
            tokens = self._ebay_oauth_client().exchange_code(code)
        except EbayAuthError as exc:
            self.write({"state": "error"})
            raise UserError(_("eBay refused the authorization code: %s", exc)) from exc
        store_token_set(self, tokens)
        self.write({"state": "connected"})
        self.message_post(body=_("Connected to eBay (%s).", self.environment))

    # -- token refresh -------------------------------------------------------
    @api.model
    def _cron_ebay_refresh_tokens(self):
        """Refresh access tokens that expire within the next 20 minutes; a refusal asks for re-consent."""
        soon = fields.Datetime.now() + timedelta(minutes=20)
        accounts = self.sudo().search([("platform", "=", "ebay"), ("state", "=", "connected"),
                                       ("access_token_expires_at", "<", soon)])
        for account in accounts:
            account._ebay_refresh_token()

    def _ebay_refresh_token(self):
        self.ensure_one()
        store = self._ebay_token_store()
        tokens = store.load()
        try:
            if not tokens or not tokens.refresh_token:
                raise EbayAuthError("no refresh token stored")
            store.save(self._ebay_oauth_client().refresh(tokens.refresh_token,
                                                         refresh_token_expires_at=tokens.refresh_token_expires_at))
        except EbayAuthError as exc:
            _logger.warning("eBay refused to refresh the token of account %s: %s", self.id, exc)
            self._mark_needs_reauth(str(exc))

    def _ebay_verification_hash(self, challenge_code, endpoint_url=None):
        """Answer to eBay's endpoint challenge: sha256(challengeCode + verificationToken + endpoint)."""
        self.ensure_one()
        account = self.sudo()
        return challenge_response(challenge_code, account._get_secret("ebay_verification_token") or "",
                                  endpoint_url or account.ebay_endpoint_url or "")

    @api.model
    def _ebay_demo_secrets(self, account_ids, cert_id, verification_token):
        """Demo data: store the simulator's demo secrets if an encryption key is configured."""
        accounts = self.browse(account_ids)
        try:
            self._secret_box()
        except UserError:
            _logger.warning("No marketplace_secret_key configured: the demo eBay account gets no Cert ID.")
            return
        for account in accounts:
            account._set_secret("client_secret", cert_id)
            account._set_secret("ebay_verification_token", verification_token)
