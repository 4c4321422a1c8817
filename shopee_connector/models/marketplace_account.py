import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.shared_budget import SharedRateBudget

from ..shopee_api import ShopeeAuthError, ShopeeClient, ShopeeConfig, ShopeeError, ShopeeSetupError
from ..shopee_api.config import PULL, PUSH
from ..shopee_api.errors import SHOP
from ..shopee_api.mappers import from_epoch

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
BUDGET_WINDOW_SECONDS = 600
AUTH_PURPOSE = "shopee_auth"  # what shop authorization states are signed for


class MarketplaceAccount(models.Model):
    """A Shopee partner (app): Partner ID in ``client_id``, Partner Key encrypted in ``client_secret``.

    Sellers authorize each shop; each shop keeps its own tokens (marketplace.shop)."""

    _inherit = "marketplace.account"

    # an uninstall keeps the accounts (archived) and everything under them; a reinstall restores them
    platform = fields.Selection(
        selection_add=[("shopee", "Shopee")], ondelete={"shopee": lambda accounts: accounts._park_for_uninstall()})
    shopee_api_base_url = fields.Char(
        string="Shopee Host Override", groups=MANAGER_GROUP,
        help="Leave empty for Shopee's Singapore-hosted production or sandbox host. Set it for the Chinese "
             "Mainland or Brazil hosts, or the local Shopee simulator (e.g. http://127.0.0.1:8791).",
    )
    shopee_push_key = fields.Char(
        string="Live Push Partner Key", compute="_compute_secrets", inverse="_inverse_secrets", groups=MANAGER_GROUP,
        help="The key Shopee's console generates for push signing (Push Mechanism > Set Push), stored encrypted. "
             "Pushes are verified with it; while it is empty, with the Partner Key (apps set up before Shopee "
             "issued separate push keys). See docs/shopee-setup.md.")
    shopee_push_key_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    shopee_push_url = fields.Char(
        string="Push Callback URL", groups=MANAGER_GROUP, default=lambda self: self._default_shopee_push_url(),
        help="The public URL registered as the app's push callback, exactly: it is part of every push signature.",
    )
    shopee_setup_problem = fields.Text(
        readonly=True, copy=False,
        help="What Shopee refused in the app's setup, and what to do. Saving new credentials clears it.")
    shopee_pull_budget = fields.Integer(string="Shopee Pull Budget (requests / 10 min)", default=30,
                                        help="Per shop; 0 means no client-side limit.")
    shopee_push_budget = fields.Integer(string="Shopee Push Budget (requests / 10 min)", default=60,
                                        help="Per shop; 0 means no client-side limit.")

    @api.model
    def _default_shopee_push_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base and base.rstrip("/") + "/api/shopee/webhook"

    def write(self, vals):
        """New credentials may be the fix of a setup problem Shopee reported: the account is tried again."""
        result = super().write(vals)
        if {"client_id", "client_secret"} & set(vals):
            fixed = self.filtered(lambda account: account.platform == "shopee" and account.shopee_setup_problem)
            if fixed:
                super(MarketplaceAccount, fixed).write({"shopee_setup_problem": False, "state": "connected"})
        return result

    def _shopee_push_key(self):
        """The key pushes are signed with: the Live Push Partner Key, else the Partner Key."""
        self.ensure_one()
        return self._get_secret("shopee_push_key", missing_ok=True) or self._get_secret("client_secret",
                                                                                          missing_ok=True) or ""

    # -- setup problems --------------------------------------------------------
    def _shopee_setup_advice(self, exc, shop=None):
        """What the seller must do about Shopee's setup error ``exc`` (a ShopeeSetupError), in words."""
        self.ensure_one()
        advice = {
            "error_partner_key_expired": _(
                "Shopee says the app's Live API Partner Key expired. Reset it in Shopee's Open Platform console "
                "(App List > the app) and enter the new key as this account's Client Secret."),
            "source_ip_undeclared": _(
                "Shopee refuses calls from this server's IP address. Declare it in Shopee's Open Platform console "
                "(App List > IP Address Whitelist), then run the job again."),
            "invalid_partner_id": _(
                "Shopee does not know Partner ID %s: enter the app's Partner ID as this account's Client ID "
                "(live and test apps have different ones).", self.sudo().client_id),
            "error_sign": _(
                "Shopee refused the signature: the Partner Key (Client Secret) does not belong to the Partner ID "
                "(Client ID), or a test key is used against Shopee's live host."),
        }.get(exc.error)
        if exc.scope == SHOP:
            advice = _("Shopee says shop %(shop)s is not linked to this app any more (its authorization was "
                       "cancelled or expired): authorize the shop again (Authorize Shop). Shopee: %(error)s",
                       shop=shop.name if shop else "?", error=exc)
        return advice or _(
            "Shopee refuses the app this call (%s). Check the app's type and API permissions in Shopee's Open "
            "Platform console; an app whose calls were restricted must be restored by Shopee.", exc)

    def _shopee_mark_setup_problem(self, advice):
        """Say on the account what Shopee refused and what to do; its shops' crons stop until it is fixed."""
        for account in self:
            account.write({"state": "error", "shopee_setup_problem": advice})
            account.message_post(body=advice)

    # -- client --------------------------------------------------------------
    def _shopee_config(self):
        self.ensure_one()
        account = self.sudo()
        if account.platform != "shopee":
            raise UserError(_("%s is not a Shopee account.", account.name))
        partner_key = account._get_secret("client_secret")
        if not (account.client_id or "").strip().isdigit() or not partner_key:
            raise UserError(_("Account %s: enter the Shopee Partner ID (a number) and Partner Key first.",
                              account.name))
        get = self.env["ir.config_parameter"].sudo().get_param
        return ShopeeConfig(
            partner_id=int(account.client_id), partner_key=partner_key, environment=account.environment,
            base_url=account.shopee_api_base_url or None, timeout=float(get("shopee_connector.timeout_seconds", 30)),
            max_attempts=int(get("shopee_connector.max_attempts", 4)),
            backoff_base_seconds=float(get("shopee_connector.backoff_base_seconds", 0.5)),
        )

    def _shopee_client(self, on_call=None, shop=None):
        """The partner's client; with ``shop``, its calls count against that shop's budgets in PostgreSQL."""
        self.ensure_one()
        budgets = {}
        if shop:
            for group, limit in ((PULL, self.shopee_pull_budget), (PUSH, self.shopee_push_budget)):
                if limit > 0:
                    budgets[group] = SharedRateBudget(self.env, "shopee:%s:%s" % (shop.id, group), limit,
                                                      BUDGET_WINDOW_SECONDS, company=shop.company_id)
        return ShopeeClient(self._shopee_config(), on_call=on_call, budgets=budgets)

    # -- shop authorization (the state: marketplace.account._oauth_state) -----
    def _shopee_redirect_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        return "%s/shopee/auth/callback?state=%s" % (base, self._oauth_state(AUTH_PURPOSE))

    def action_shopee_authorize_shop(self):
        """Open Shopee's authorization page; Shopee sends the seller back to /shopee/auth/callback
        with a code and the shop id."""
        self.ensure_one()
        self._check_authorizer_email()
        url = self._shopee_client().authorize_url(self._shopee_redirect_url())
        return {"type": "ir.actions.act_url", "target": "self", "url": url}

    def _shopee_finish_authorization(self, code, external_shop_id=None, main_account_id=None):
        """Exchange the code for tokens: a shop account authorizes its shop (``external_shop_id``), a main
        account the shops Shopee lists (``main_account_id``), each given a pair of its own at once. The shops
        are found by their Shopee id, or created; returns them."""
        self.ensure_one()
        self._check_authorizer_email()
        if not str(external_shop_id or main_account_id or "").isdigit():
            raise UserError(_("Shopee sent no shop id with the authorization."))
        try:
            grants = self._shopee_token_grants(code, external_shop_id, main_account_id)
        except ShopeeAuthError as exc:
            raise UserError(_("Shopee refused the authorization code: %s", exc)) from exc
        except ShopeeSetupError as exc:
            raise UserError(self._shopee_setup_advice(exc)) from exc
        except ShopeeError as exc:
            raise UserError(_("Shopee did not answer the authorization: %s. Authorize the shop again.", exc)) \
                from exc
        shops = self.env["marketplace.shop"]
        for shop_id, tokens in grants:
            shop = self._shopee_shop(str(shop_id))
            shop._mark_authorized(tokens.access_token, from_epoch(tokens.expires_at), tokens.refresh_token,
                                  from_epoch(tokens.refresh_expires_at))
            shops |= shop
        if self.state != "connected" or self.shopee_setup_problem:
            self.write({"state": "connected", "shopee_setup_problem": False})
        return shops

    def _shopee_token_grants(self, code, external_shop_id, main_account_id):
        """[(Shopee shop id, its pair)] of an authorization. A main account's pair is shared by its shops until
        each refreshes it once, so each shop refreshes it now: from then on every shop has its own pair, as
        Shopee asks them to be kept."""
        with self._shopee_client() as client:
            if not main_account_id:
                return [(int(external_shop_id), client.get_token(code, int(external_shop_id)))]
            shared, shop_ids = client.get_main_account_token(code, int(main_account_id))
            if not shop_ids:
                raise UserError(_("Shopee lists no shop authorized by main account %s: authorize again and select "
                                  "the shops on Shopee's page.", main_account_id))
            return [(shop_id, client.refresh(shop_id, shared.refresh_token)) for shop_id in shop_ids]

    def _shopee_shop(self, external_shop_id):
        Shop = self.env["marketplace.shop"].with_context(active_test=False)
        shop = Shop.search([("account_id", "=", self.id), ("external_shop_id", "=", external_shop_id)], limit=1)
        return shop or Shop.create({"name": _("Shopee shop %s", external_shop_id), "account_id": self.id,
                                    "external_shop_id": external_shop_id})

    @api.model
    def _shopee_demo_secrets(self, account_ids, partner_key, push_key=None):
        """Demo data: store the simulator's partner key (and push key) if an encryption key is configured."""
        try:
            self._secret_box()
        except UserError:
            _logger.warning("No marketplace_secret_key configured: the demo Shopee account gets no Partner Key.")
            return
        for account in self.browse(account_ids):
            account._set_secret("client_secret", partner_key)
            if push_key:
                account._set_secret("shopee_push_key", push_key)
