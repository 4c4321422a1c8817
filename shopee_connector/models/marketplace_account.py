import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.shared_budget import SharedRateBudget

from ..shopee_api import ShopeeAuthError, ShopeeClient, ShopeeConfig
from ..shopee_api.config import PULL, PUSH
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
    shopee_push_url = fields.Char(
        string="Push Callback URL", groups=MANAGER_GROUP, default=lambda self: self._default_shopee_push_url(),
        help="The public URL registered as the app's push callback, exactly: it is part of every push signature.",
    )
    shopee_pull_budget = fields.Integer(string="Shopee Pull Budget (requests / 10 min)", default=30,
                                        help="Per shop; 0 means no client-side limit.")
    shopee_push_budget = fields.Integer(string="Shopee Push Budget (requests / 10 min)", default=60,
                                        help="Per shop; 0 means no client-side limit.")

    @api.model
    def _default_shopee_push_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base and base.rstrip("/") + "/api/shopee/webhook"

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
        url = self._shopee_client().authorize_url(self._shopee_redirect_url())
        return {"type": "ir.actions.act_url", "target": "self", "url": url}

    def _shopee_finish_authorization(self, code, external_shop_id):
        """Exchange the code for the shop's tokens; the shop is found by its Shopee id, or created."""
        self.ensure_one()
        if not str(external_shop_id or "").isdigit():
            raise UserError(_("Shopee sent no shop id with the authorization."))
        try:
            tokens = self._shopee_client().get_token(code, int(external_shop_id))
        except ShopeeAuthError as exc:
            raise UserError(_("Shopee refused the authorization code: %s", exc)) from exc
        shop = self._shopee_shop(str(external_shop_id))
        shop._mark_authorized(tokens.access_token, from_epoch(tokens.expires_at), tokens.refresh_token,
                              from_epoch(tokens.refresh_expires_at))
        if self.state != "connected":
            self.write({"state": "connected"})
        return shop

    def _shopee_shop(self, external_shop_id):
        Shop = self.env["marketplace.shop"].with_context(active_test=False)
        shop = Shop.search([("account_id", "=", self.id), ("external_shop_id", "=", external_shop_id)], limit=1)
        return shop or Shop.create({"name": _("Shopee shop %s", external_shop_id), "account_id": self.id,
                                    "external_shop_id": external_shop_id})

    @api.model
    def _shopee_demo_secrets(self, account_ids, partner_key):
        """Demo data: store the simulator's partner key if an encryption key is configured."""
        try:
            self._secret_box()
        except UserError:
            _logger.warning("No marketplace_secret_key configured: the demo Shopee account gets no Partner Key.")
            return
        for account in self.browse(account_ids):
            account._set_secret("client_secret", partner_key)
