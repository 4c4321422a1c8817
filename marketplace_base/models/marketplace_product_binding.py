from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

# What the marketplace shows, as pushed or read by the engine: the circuit breaker judges a push against these,
# so a person who could set them could make a push that zeroes the shop look harmless.
ONLINE_FIELDS = ("last_pushed_qty", "last_pushed_price")


class MarketplaceProductBinding(models.Model):
    """Links an Odoo product to its listing on one shop (the binder of OCA connector)."""

    _name = "marketplace.product.binding"
    _description = "Marketplace Product Binding"
    _inherit = ["marketplace.raw.payload.mixin"]
    _order = "shop_id, external_sku"
    _rec_name = "external_sku"

    # Link
    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="shop_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    product_id = fields.Many2one("product.product", ondelete="restrict", index=True, check_company=True)
    external_product_id = fields.Char(string="External Product ID", index=True)
    external_sku = fields.Char(string="External SKU", required=True)
    external_listing_id = fields.Char(string="External Listing ID", index=True)
    external_variation_id = fields.Char(
        string="External Variation ID", index="btree_not_null",
        help="The variation of the listing this product is (Shopee's model id, ...); empty for a listing "
             "without variations.",
    )
    external_offer_id = fields.Char(string="External Offer ID", help="Kept once known so it is not fetched again.")
    listing_id = fields.Many2one("marketplace.listing", ondelete="set null", index=True,
                                 help="The listing made in Odoo that published this binding, if any.")
    active = fields.Boolean(default=True)

    # Listing as last seen
    status = fields.Selection(
        [("draft", "Not Listed"), ("active", "Active"), ("ended", "Ended"), ("unknown", "Unknown"),
         ("error", "Error")],
        default="draft", required=True, index=True,
    )
    title = fields.Char()
    condition = fields.Char()
    photo_count = fields.Integer()
    status_message = fields.Text(help="Why the last sync of this binding failed, or why it cannot be migrated.")

    # Sync state
    last_pushed_qty = fields.Integer(
        string="Online Quantity", help="What the marketplace shows: the last quantity pushed or read from it.",
    )
    last_pushed_price = fields.Float(string="Online Price", digits="Product Price")
    currency_id = fields.Many2one(related="shop_id.currency_id")
    last_sync_at = fields.Datetime(string="Last Sync")
    awaiting_takeover = fields.Boolean(
        string="Awaiting Take-Over", readonly=True, copy=False, index=True,
        help="A listing that appeared on the marketplace after Odoo took the shop over, whose quantity Odoo would "
             "change (e.g. a product without stock in Odoo: Odoo's 0 would end it). Odoo pushes nothing to it until "
             "a manager takes it over (Take Over Listings: the preview of just these listings).",
    )

    _sql_constraints = [
        ("shop_sku_uniq", "UNIQUE(shop_id, external_sku)", "This SKU is already bound in this shop."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        """A binding made by hand starts at nothing known online; the engine's pushes and reads fill it in."""
        if any(vals.get(name) for vals in vals_list for name in ONLINE_FIELDS):
            self._check_online_fields()
        self._check_takeover_field(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if any(name in vals for name in ONLINE_FIELDS):
            self._check_online_fields()
        self._check_takeover_field([vals])
        return super().write(vals)

    def _check_online_fields(self):
        """The online quantity and price are the engine's to write (job handlers, through ``sudo()``, see
        ``marketplace.job._engine_or_manager``), or a Marketplace Manager's."""
        if not self.env["marketplace.job"]._engine_or_manager():
            raise AccessError(_("The online quantity and price of a binding are what the marketplace shows: only "
                                "the sync (or a Marketplace Manager) sets them."))

    def _check_takeover_field(self, vals_list):
        """Whether Odoo may push to a listing is the engine's (sudo) or a manager's to change: a Marketplace User
        clearing ``awaiting_takeover`` over RPC would let Odoo's 0 end it."""
        if any("awaiting_takeover" in vals for vals in vals_list) and \
                not self.env["marketplace.job"]._engine_or_manager():
            raise AccessError(_("Only a Marketplace Manager can take listings over."))

    def action_open_takeover(self):
        """Take Over Listings: the take-over preview of just these listings (those awaiting it)."""
        waiting = self.filtered("awaiting_takeover")
        if len(waiting.shop_id) != 1:
            raise UserError(_("Choose listings awaiting take-over, all of one shop."))
        wizard = self.env["marketplace.takeover.wizard"].create({"shop_id": waiting.shop_id.id,
                                                                 "binding_ids": [Command.set(waiting.ids)]})
        return wizard._reopen()

    def _take_over(self):
        """Odoo pushes these listings' stock and prices from now on; said in their shop's chatter."""
        for shop, bindings in self.filtered("awaiting_takeover").grouped("shop_id").items():
            bindings.awaiting_takeover = False
            shop.message_post(body=_("%(user)s took over %(count)s listing(s) that appeared after the shop's "
                                     "take-over: %(skus)s.", user=self.env.user.name, count=len(bindings),
                                     skus=", ".join(bindings[:20].mapped("external_sku"))))

    def _available_quantities(self):
        """Free-to-sell quantity per binding id, in the shop's warehouse.

        Marketplace orders already imported but whose sale order does not reserve
        stock yet (not created, or not confirmed) will still take their units:
        they are subtracted so that the online quantity leaves no overselling window.
        """
        result = {}
        for shop, bindings in self.grouped("shop_id").items():
            products = bindings.product_id.with_context(warehouse_id=shop.warehouse_id.id)
            free = {product.id: product.free_qty for product in products}
            pending = shop._pending_order_quantities(products)
            for binding in bindings:
                product_id = binding.product_id.id
                result[binding.id] = free.get(product_id, 0.0) - pending.get(product_id, 0.0)
        return result

    def _online_quantities(self):
        """Quantity to publish per binding id, after the shop's sync rule."""
        available = self._available_quantities()
        result = {}
        for shop, bindings in self.grouped("shop_id").items():
            rule = shop._active_sync_rule()
            for binding in bindings:
                result[binding.id] = rule._online_quantity(available[binding.id]) if binding.product_id else 0
        return result
