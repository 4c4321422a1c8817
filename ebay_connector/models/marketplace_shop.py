from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..ebay_api.locales import SITE_LANGUAGES


class MarketplaceShop(models.Model):
    _inherit = "marketplace.shop"

    # Orders (eBay -> Odoo)
    ebay_order_pull_interval = fields.Integer(
        string="Pull Orders Every (min)", default=2,
        help="How often the order cron pulls this shop's orders (minutes).",
    )
    ebay_order_overlap_minutes = fields.Integer(
        string="Order Window Overlap (min)", default=10,
        help="Each pull starts this much before the last one ended, so late-indexed orders are not missed.",
    )
    ebay_order_initial_days = fields.Integer(
        string="First Pull Looks Back (days)", default=7,
    )
    ebay_orders_synced_until = fields.Datetime(
        string="Orders Synced Until", copy=False,
        help="eBay last-modified time up to which orders are imported; the next pull starts here minus the overlap.",
    )
    ebay_last_order_pull_at = fields.Datetime(string="Last Order Pull Enqueued", readonly=True, copy=False)
    ebay_cancellations_synced_until = fields.Datetime(
        string="Cancellations Synced Until", copy=False,
        help="eBay creation time up to which cancellation requests are imported; the next pull starts here minus "
             "the order window overlap.",
    )
    ebay_returns_synced_until = fields.Datetime(
        string="Returns Synced Until", copy=False,
        help="eBay creation time up to which return requests are imported; the next pull starts here minus the "
             "order window overlap.",
    )
    ebay_inquiries_synced_until = fields.Datetime(
        string="Inquiries Synced Until", copy=False,
        help="eBay creation time up to which item-not-received inquiries are imported; the next pull starts here "
             "minus the order window overlap.",
    )
    ebay_cases_synced_until = fields.Datetime(
        string="Cases Synced Until", copy=False,
        help="eBay creation time up to which cases are imported; the next pull starts here minus the order window "
             "overlap.",
    )

    # Listing (Odoo -> eBay): default business policies and the inventory location
    ebay_fulfillment_policy_id = fields.Many2one(
        "ebay.business.policy", string="Shipping Policy",
        domain="[('account_id', '=', account_id), ('kind', '=', 'fulfillment')]")
    ebay_payment_policy_id = fields.Many2one(
        "ebay.business.policy", string="Payment Policy",
        domain="[('account_id', '=', account_id), ('kind', '=', 'payment')]")
    ebay_return_policy_id = fields.Many2one(
        "ebay.business.policy", string="Return Policy",
        domain="[('account_id', '=', account_id), ('kind', '=', 'return')]")
    ebay_location_key = fields.Char(
        string="Location Key", size=36,
        help="eBay's merchantLocationKey of the shop's warehouse; made on eBay (createInventoryLocation) from the "
             "warehouse address before the first publish.")
    ebay_location_ready = fields.Boolean(string="Location on eBay", readonly=True, copy=False)
    ebay_prefer_catalog = fields.Boolean(
        string="Use eBay's Catalog Details",
        help="When a listing's barcode or ePID matches a product of eBay's catalog, eBay may replace the listing's "
             "title, description, photos and item specifics with the catalog's. Off (default): your own text and "
             "photos stay. On: eBay's catalog details are used.")

    # Listing prices from comparables
    ebay_price_discount = fields.Float(
        string="Price Below Median (%)", default=8.0,
        help="New listings suggest their price this far below the median of comparable items on eBay.")

    @api.constrains("platform", "marketplace_site")
    def _check_ebay_site(self):
        """An eBay shop lists on a site whose language the connector knows (``ebay_api.locales``): every call
        speaks it, and eBay refuses listings written in another."""
        for shop in self.filtered(lambda shop: shop.platform == "ebay" and shop.marketplace_site):
            if shop.marketplace_site not in SITE_LANGUAGES:
                raise ValidationError(_("%(site)s is not an eBay marketplace the connector lists on; use one of "
                                        "%(sites)s.", site=shop.marketplace_site,
                                        sites=", ".join(sorted(SITE_LANGUAGES))))

    def _ebay_site(self):
        """The eBay marketplace the shop lists on: its own site, else its account's default."""
        self.ensure_one()
        return self.marketplace_site or self.account_id.ebay_marketplace_id or "EBAY_US"

    def _ebay_shops_due(self, interval_field, last_field):
        now = fields.Datetime.now()
        return self.filtered(lambda shop: not shop[last_field]
                             or shop[last_field] + timedelta(minutes=max(1, shop[interval_field])) <= now)

    @api.model
    def _ebay_active_shops(self):
        return self.sudo().search([("platform", "=", "ebay"), ("account_id.state", "=", "connected")])

    @api.model
    def _cron_ebay_pull_orders(self):
        """Enqueue ``pull_orders`` for every connected eBay shop whose interval has passed."""
        shops = self._ebay_active_shops()._ebay_shops_due("ebay_order_pull_interval", "ebay_last_order_pull_at")
        for shop in shops:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=shop, priority=5)
        shops.write({"ebay_last_order_pull_at": fields.Datetime.now()})

    @api.model
    def _cron_ebay_pull_cancellations(self):
        """Enqueue ``pull_cancellations`` for every connected eBay shop (buyers' requests wait for an answer)."""
        for shop in self._ebay_active_shops():
            self.env["marketplace.job"]._enqueue("pull_cancellations", shop=shop, priority=5)

    @api.model
    def _cron_ebay_pull_returns(self):
        """Enqueue ``pull_returns`` for every connected eBay shop (buyers' return requests wait for an answer)."""
        for shop in self._ebay_active_shops():
            self.env["marketplace.job"]._enqueue("pull_returns", shop=shop, priority=5)

    @api.model
    def _cron_ebay_pull_cases(self):
        """Enqueue ``pull_inquiries`` and ``pull_cases`` for every connected eBay shop (buyers' item-not-received
        inquiries and their cases wait for an answer)."""
        for shop in self._ebay_active_shops():
            self.env["marketplace.job"]._enqueue("pull_inquiries", shop=shop, priority=5)
            self.env["marketplace.job"]._enqueue("pull_cases", shop=shop, priority=5)

    def _sync_crons(self):
        """eBay's crons for this shop: order pulls (every ``ebay_order_pull_interval``), the daily listing
        backfill, the stock and price sweep once Odoo took the shop over; none while the account is not
        connected (the crons skip it)."""
        crons = super()._sync_crons()
        if self.platform != "ebay" or self.account_id.state != "connected":
            return crons
        crons.update(pull_orders=("ebay_connector.ir_cron_ebay_pull_orders", self.ebay_order_pull_interval),
                     backfill_listings=("ebay_connector.ir_cron_ebay_backfill_listings", 0))
        if self.odoo_owns_stock:
            sweep = ("ebay_connector.ir_cron_ebay_push_stock_and_prices", 0)
            crons.update(push_stock=sweep, push_price=sweep)
        return crons

    @api.model
    def _cron_ebay_push_stock_and_prices(self):
        """Fallback sweep: push whatever stock or price changed that no event caught (in shops Odoo took over)."""
        for shop in self._ebay_active_shops().filtered("odoo_owns_stock"):
            self.env["marketplace.job"]._enqueue("push_stock", shop=shop, priority=15)
            self.env["marketplace.job"]._enqueue("push_price", shop=shop, priority=15)

    @api.model
    def _cron_ebay_backfill_listings(self):
        for shop in self._ebay_active_shops():
            self.env["marketplace.job"]._enqueue("backfill_listings", shop=shop, priority=20)

    def action_ebay_fetch_policies(self):
        """Read the seller's business policies of this shop's site; the first of each kind becomes the default
        (in place of one of another site: a shop moved to another site)."""
        self.ensure_one()
        site = self._ebay_site()
        policies = self.env["ebay.business.policy"]._ebay_fetch(self.account_id, site)
        for kind in ("fulfillment", "payment", "return"):
            field = "ebay_%s_policy_id" % kind
            if not self[field].active or self[field].marketplace_id != site:   # none, archived, or another site's
                self[field] = policies.filtered(lambda policy, kind=kind: policy.kind == kind)[:1]
        if not self.ebay_location_key:
            self.ebay_location_key = (self.warehouse_id.code or "odoo").lower()
        return True

    def _ebay_location_payload(self):
        """createInventoryLocation body from the warehouse's address; a field the address lacks is left out
        (an empty string is not an address line eBay should store)."""
        address = self.warehouse_id.partner_id
        fields_ = {"addressLine1": address.street, "city": address.city, "stateOrProvince": address.state_id.code,
                   "postalCode": address.zip, "country": address.country_id.code}
        return {"location": {"address": {name: value for name, value in fields_.items() if value}},
                "name": self.warehouse_id.name, "merchantLocationStatus": "ENABLED", "locationTypes": ["WAREHOUSE"]}

    def action_ebay_enqueue(self):
        """Buttons on the shop: start one flow now (``job_type`` in the button's context)."""
        self.ensure_one()
        job = self.env["marketplace.job"]._enqueue(self.env.context["ebay_job_type"], shop=self, priority=5,
                                                   user=self.env.user)
        return {"type": "ir.actions.act_window", "res_model": "marketplace.job", "view_mode": "form",
                "res_id": job.id}
