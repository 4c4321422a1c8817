import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.services.token_store import RecordTokenStore

from ..shopee_api import ShopeeAuthError, ShopeeError, ShopeeSetupError, TokenSet
from ..shopee_api.errors import SHOP
from ..shopee_api.logistics import ShipSettings
from ..shopee_api.pricing import REGION_CURRENCIES, region_of_currency

_logger = logging.getLogger(__name__)


class MarketplaceShop(models.Model):
    """A Shopee shop: authorized by the seller on its own, with its own token pair (marketplace_base)."""

    _inherit = "marketplace.shop"

    shopee_order_pull_interval = fields.Integer(
        string="Pull Shopee Orders Every (min)", default=2,
        help="How often the order cron pulls this shop's orders, a safety net when pushes are lost.")
    shopee_order_overlap_minutes = fields.Integer(
        string="Shopee Order Window Overlap (min)", default=10,
        help="Each pull starts this much before the last one ended, so late updates are not missed.")
    shopee_order_initial_days = fields.Integer(string="First Shopee Pull Looks Back (days)", default=7)
    shopee_orders_synced_until = fields.Datetime(
        copy=False,
        help="Shopee update time up to which orders are imported; the next pull starts here minus the overlap.")
    shopee_last_order_pull_at = fields.Datetime(string="Last Shopee Order Pull Enqueued", readonly=True, copy=False)
    shopee_cancellations_synced_until = fields.Datetime(
        copy=False,
        help="Shopee update time up to which buyers' cancellation requests (orders IN_CANCEL) are imported.")
    shopee_returns_synced_until = fields.Datetime(
        copy=False, help="Shopee creation time up to which buyers' return requests are imported (open returns "
                         "are re-read whatever their age).")
    shopee_escrows_synced_until = fields.Datetime(
        string="Shopee Escrows Pulled Until", copy=False,
        help="Release time up to which Shopee's escrows are stored; the next money pull reads from two days before.")
    shopee_wallet_synced_until = fields.Datetime(
        string="Shopee Wallet Pulled Until", copy=False,
        help="Time of the last withdrawal read from the shop's Shopee wallet: the next money pull reads from there "
             "(the movements after it are paid out by the next withdrawal).")
    shopee_ship_method = fields.Selection(
        [("pickup", "Pickup"), ("dropoff", "Drop-off")], string="Shopee Shipping Method", default="pickup",
        required=True,
        help="How Shopee orders are shipped when an order offers both: the carrier picks the parcels up at your "
             "pickup address (at the time slot Shopee recommends), or you drop them off at the carrier's branch. "
             "An order offering only one of them gets that one.")
    shopee_dropoff_branch_id = fields.Integer(
        string="Shopee Drop-off Branch ID",
        help="The carrier's branch where you drop parcels off, for carriers that ask for one (Shopee lists the "
             "branches on the order's shipping page in Seller Centre).")
    shopee_sender_real_name = fields.Char(
        help="Your real name as the sender, for carriers that ask for it at drop-off.")
    shopee_region = fields.Selection(
        [(region, region) for region in REGION_CURRENCIES],
        compute="_compute_shopee_region", store=True, readonly=False,
        help="The shop's Shopee market, from its currency unless set. Shopee takes prices with two decimals in "
             "SG, MY, BR, MX, PL, ES and AR only: elsewhere prices are rounded to whole amounts before a push.")

    @api.depends("currency_id", "platform")
    def _compute_shopee_region(self):
        for shop in self.filtered(lambda shop: shop.platform == "shopee"):
            shop.shopee_region = region_of_currency(shop.currency_id.name) or shop.shopee_region

    # -- client --------------------------------------------------------------
    def _shopee_session(self, on_call=None):
        """(client, session) calling Shopee as this shop; its tokens are refreshed and stored as needed."""
        self.ensure_one()
        shop = self.sudo()
        if shop.platform != "shopee":
            raise UserError(_("%s is not a Shopee shop.", shop.name))
        if not (shop.external_shop_id or "").isdigit() or shop.authorization_state == "none":
            raise UserError(_("Shop %s is not authorized on Shopee yet: use Authorize Shop on its account.",
                              shop.name))
        client = shop.account_id._shopee_client(on_call=on_call, shop=shop)
        return client, client.shop(int(shop.external_shop_id), RecordTokenStore(shop, TokenSet, refresh_required=True))

    def _shopee_ship_settings(self):
        """What ship_order_body needs of this shop's settings (read for any job user: a warehouse clerk's
        validated delivery is shipped as the clerk)."""
        self.ensure_one()
        shop = self.sudo()
        return ShipSettings(method=shop.shopee_ship_method or "pickup", branch_id=shop.shopee_dropoff_branch_id or 0,
                            sender_real_name=(shop.shopee_sender_real_name or "").strip())

    def _sync_crons(self):
        """Shopee's crons for this shop (dashboard): order pulls (every ``shopee_order_pull_interval``) and
        the stock and price sweep once Odoo took the shop over; none until the shop is authorized."""
        crons = super()._sync_crons()
        if self.platform != "shopee" or self.authorization_state != "authorized":
            return crons
        crons["pull_orders"] = ("shopee_connector.ir_cron_shopee_pull_orders", self.shopee_order_pull_interval)
        if self.odoo_owns_stock:
            sweep = ("shopee_connector.ir_cron_shopee_push_stock_and_prices", 0)
            crons.update(push_stock=sweep, push_price=sweep)
        return crons

    # -- crons -----------------------------------------------------------------
    @api.model
    def _shopee_active_shops(self):
        """Authorized Shopee shops of accounts without a setup problem (they would only fail again)."""
        return self.sudo().search([("platform", "=", "shopee"), ("authorization_state", "=", "authorized"),
                                   ("account_id.state", "!=", "error")])

    @api.model
    def _cron_shopee_pull_orders(self):
        """Enqueue ``pull_orders`` for every authorized Shopee shop whose interval has passed: with the
        overlap, this alone keeps orders in sync when pushes are lost."""
        now = fields.Datetime.now()
        due = self._shopee_active_shops().filtered(
            lambda shop: not shop.shopee_last_order_pull_at
            or shop.shopee_last_order_pull_at + timedelta(minutes=max(1, shop.shopee_order_pull_interval)) <= now)
        for shop in due:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=shop, priority=5)
        due.write({"shopee_last_order_pull_at": now})

    @api.model
    def _cron_shopee_pull_cancellations(self):
        """Enqueue ``pull_cancellations`` for every authorized Shopee shop (buyers' requests wait for an answer)."""
        for shop in self._shopee_active_shops():
            self.env["marketplace.job"]._enqueue("pull_cancellations", shop=shop, priority=5)

    @api.model
    def _cron_shopee_pull_returns(self):
        """Enqueue ``pull_returns`` for every authorized Shopee shop (buyers' return requests wait for an answer)."""
        for shop in self._shopee_active_shops():
            self.env["marketplace.job"]._enqueue("pull_returns", shop=shop, priority=5)

    @api.model
    def _cron_shopee_pull_finances(self):
        """Enqueue ``pull_finances`` for every authorized Shopee shop (escrows and withdrawals, booked when they
        add up)."""
        for shop in self._shopee_active_shops():
            self.env["marketplace.job"]._enqueue("pull_finances", shop=shop, priority=15)

    @api.model
    def _cron_shopee_push_stock_and_prices(self):
        """Fallback sweep: push whatever stock or price changed that no event caught (shops taken over)."""
        for shop in self._shopee_active_shops().filtered("odoo_owns_stock"):
            self.env["marketplace.job"]._enqueue("push_stock", shop=shop, priority=15)
            self.env["marketplace.job"]._enqueue("push_price", shop=shop, priority=15)

    @api.model
    def _cron_shopee_refresh_tokens(self):
        """Refresh access tokens expiring within 30 minutes (they live 4 hours; the refresh token 30 days,
        so a shop idle for weeks keeps working). A refusal asks for a new authorization."""
        soon = fields.Datetime.now() + timedelta(minutes=30)
        for shop in self._shopee_active_shops().filtered(
                lambda s: not s.access_token_expires_at or s.access_token_expires_at < soon):
            shop._shopee_refresh_tokens()

    def _shopee_refresh_tokens(self):
        """A new pair for the shop, unless another job stored one meanwhile (ShopSession.refresh)."""
        self.ensure_one()
        client, session = self._shopee_session()
        tokens = session.store.load()
        try:
            if not tokens:
                raise ShopeeAuthError("no token stored", "error_auth")
            with client:
                session.refresh(tokens)
        except ShopeeAuthError as exc:
            _logger.warning("Shopee refused to refresh the token of shop %s: %s", self.id, exc)
            self._mark_needs_reauth(str(exc))
        except ShopeeSetupError as exc:
            self._shopee_setup_problem(exc)
        except ShopeeError as exc:  # a wait, a network failure: the next run (or a job's call) refreshes
            _logger.warning("Shopee token refresh of shop %s postponed: %s", self.id, exc)

    def _shopee_setup_problem(self, exc):
        """Shopee refused the setup (a ShopeeSetupError): said on the shop (no longer linked to the app: authorize
        it again) or on the account (partner key, IP whitelist, permissions). Returns what to do, in words."""
        self.ensure_one()
        advice = self.account_id._shopee_setup_advice(exc, shop=self)
        _logger.warning("Shopee setup problem for shop %s: %s", self.id, exc)
        if exc.scope == SHOP:
            self._mark_needs_reauth(advice)
        else:
            self.account_id._shopee_mark_setup_problem(advice)
        return advice

    # -- buttons ---------------------------------------------------------------
    def action_shopee_enqueue(self):
        """Buttons on the shop: start one flow now (``shopee_job_type`` in the button's context)."""
        self.ensure_one()
        job = self.env["marketplace.job"]._enqueue(self.env.context["shopee_job_type"], shop=self, priority=5,
                                                   user=self.env.user)
        return {"type": "ir.actions.act_window", "res_model": "marketplace.job", "view_mode": "form",
                "res_id": job.id}

    def action_shopee_authorize(self):
        """Authorize (again) on Shopee: the seller picks this shop on Shopee's page."""
        self.ensure_one()
        return self.account_id.action_shopee_authorize_shop()
