from odoo import _, api, models
from odoo.exceptions import UserError


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
        """Enqueue one ``job_type`` for each connected eBay shop listing some of ``products`` whose stock and
        prices Odoo took over (the others keep the marketplace's values).

        Called from stock and price hooks, so it stays cheap: one query for the listings, and a job of which
        at most one is pending per shop (identity dedup) however many moves or prices change meanwhile. A
        stock push gets the products noted (``marketplace.stock.change``) and reads only their listings; a
        price push finds what changed among the shop's listings.
        """
        if not products:
            return
        bindings = self.env["marketplace.product.binding"].sudo().search_fetch(
            [("product_id", "in", products.ids), ("ebay_listing_source", "=", "inventory_api"),
             ("shop_id.platform", "=", "ebay"), ("shop_id.active", "=", True),
             ("shop_id.odoo_owns_stock", "=", True),
             ("shop_id.account_id.state", "=", "connected")],
            ["shop_id", "product_id"],
        )
        payload = None
        if job_type == "push_stock":
            self.env["marketplace.stock.change"]._note(sorted({(b.shop_id.id, b.product_id.id) for b in bindings}))
            payload = {"changed_products": True}
        Job = self.env["marketplace.job"].sudo()
        for shop in bindings.shop_id:
            # first in its lane: what a buyer sees on eBay must not wait behind order pulls or sweeps
            Job._enqueue(job_type, shop=shop, priority=1, payload=payload)

    # -- draft from the barcode or the photos (issue 10) --------------------------------
    def action_ebay_draft_listing(self):
        """Draft (the product's eBay tab): the product's draft listing in its eBay shop (made when missing),
        drafted from the barcode when the product has one, else from its photos; then the listing opens for
        review. It stays a draft: the person presses Publish."""
        self.ensure_one()
        listing = self._ebay_draft_listing()
        variant = listing.product_id
        drafted = (listing.action_draft_from_barcode() if variant and variant.barcode
                   else listing.action_draft_from_photos())
        drafted["params"]["next"] = {"type": "ir.actions.act_window", "res_model": "marketplace.listing",
                                     "res_id": listing.id, "views": [[False, "form"]], "target": "current"}
        return drafted

    def _ebay_draft_listing(self):
        """This product's draft listing in the company's one connected eBay shop (an existing draft is drafted
        again); with several shops the person picks one by adding its line on the eBay tab."""
        shops = self.env["marketplace.shop"].search([("platform", "=", "ebay"), ("account_id.state", "=", "connected"),
                                                     ("company_id", "in", (self.company_id or self.env.company).ids)])
        if len(shops) != 1:
            raise UserError(_("Draft needs the one connected eBay shop to list in (%s found): add a line per shop "
                              "below and press Draft from Barcode or Draft from Photos on it.", len(shops)))
        Listing = self.env["marketplace.listing"]
        listing = Listing.search([("product_tmpl_id", "=", self.id), ("shop_id", "=", shops.id),
                                  ("state", "=", "draft")], limit=1)
        if listing:
            return listing
        sku = self.default_code or (self.product_variant_ids[:1].default_code if self.product_variant_count == 1
                                    else False)
        if not sku:
            raise UserError(_("Give the product an Internal Reference first: it becomes the listing's SKU."))
        return Listing.create({"shop_id": shops.id, "product_tmpl_id": self.id, "sku": sku,
                               "title": (self.name or sku)[:80],
                               "product_id": self.product_variant_id.id if self.product_variant_count == 1 else False})
    # -- end draft ----------------------------------------------------------------------
