from odoo import api, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        """A new sale price must reach the eBay listings of these products."""
        result = super().write(vals)
        if "list_price" in vals:
            self._ebay_enqueue_push("push_price", self.product_variant_ids)
        return result

    @api.model
    def _ebay_enqueue_push(self, job_type, products):
        """Enqueue one shop-wide ``job_type`` for each connected eBay shop listing some of ``products``
        whose stock and prices Odoo took over (the others keep the marketplace's values).

        Called from stock and price hooks, so it stays cheap: one grouped query for the shops,
        and a job with an empty payload, of which at most one is pending per shop (identity
        dedup) however many moves or prices change meanwhile; the job finds what changed.
        """
        if not products:
            return
        rows = self.env["marketplace.product.binding"].sudo()._read_group(
            [("product_id", "in", products.ids), ("ebay_listing_source", "=", "inventory_api"),
             ("shop_id.platform", "=", "ebay"), ("shop_id.active", "=", True),
             ("shop_id.odoo_owns_stock", "=", True),
             ("shop_id.account_id.state", "=", "connected")],
            ["shop_id"],
        )
        Job = self.env["marketplace.job"].sudo()
        for (shop,) in rows:
            # first in its lane: what a buyer sees on eBay must not wait behind order pulls or sweeps
            Job._enqueue(job_type, shop=shop, priority=1)
