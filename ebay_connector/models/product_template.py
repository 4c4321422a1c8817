from odoo import _, models
from odoo.exceptions import UserError


class ProductTemplate(models.Model):
    _inherit = "product.template"

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
