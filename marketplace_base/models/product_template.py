from odoo import api, fields, models

from ..marketplace_core.platform import PRICE_PUSH_ON_CHANGE


class ProductTemplate(models.Model):
    _inherit = "product.template"

    marketplace_listing_ids = fields.One2many("marketplace.listing", "product_tmpl_id", string="Marketplace Listings")

    def write(self, vals):
        """A new sale price must reach the listings of these products on the platforms that push it at once."""
        result = super().write(vals)
        if "list_price" in vals:
            self._enqueue_price_push(self.product_variant_ids)
        return result

    @api.model
    def _enqueue_price_push(self, products):
        """Enqueue one ``push_price`` for each shop listing some of ``products`` whose platform pushes a new price
        at once (``price_push_on_change``) and whose stock and prices Odoo took over (the others keep the
        marketplace's values); at most one is pending per shop (identity dedup) however many prices change
        meanwhile, and it finds what changed."""
        if not products:
            return
        Job = self.env["marketplace.job"].sudo()
        for shop in self.env["marketplace.shop"]._pushed_bindings(products, PRICE_PUSH_ON_CHANGE).shop_id:
            # first in its lane: what a buyer sees must not wait behind order pulls or sweeps
            Job._enqueue("push_price", shop=shop, priority=1)
