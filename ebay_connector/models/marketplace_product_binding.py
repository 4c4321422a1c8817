from odoo import _, fields, models
from odoo.exceptions import UserError


class MarketplaceProductBinding(models.Model):
    _inherit = "marketplace.product.binding"

    ebay_listing_source = fields.Selection(
        [("inventory_api", "Inventory API"), ("seller_hub", "Seller Hub (not migrated)")],
        string="eBay Listing Source", index=True,
        help="Listings made in Seller Hub are invisible to the Inventory API until migrated; only "
             "Inventory API listings receive stock and price updates.",
    )

    def action_ebay_migrate(self):
        """Move the selected Seller Hub listings to the Inventory API, in a job per shop (eBay's answer per
        listing, or its reason for refusing, lands on each binding)."""
        candidates = self.filtered(lambda binding: binding.ebay_listing_source == "seller_hub"
                                   and binding.external_listing_id)
        if not candidates:
            raise UserError(_("Select Seller Hub listings: only listings made in Seller Hub and not migrated yet "
                              "can be migrated to the Inventory API."))
        jobs = self.env["marketplace.job"]
        for shop, bindings in candidates.grouped("shop_id").items():
            jobs |= jobs._enqueue("migrate_listings", shop=shop, payload={"binding_ids": sorted(bindings.ids)},
                                  priority=5, user=self.env.user)
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "title": _("Migration queued"),
                       "message": _("%(count)s listing(s) will be migrated by %(jobs)s (Marketplace > Jobs).",
                                    count=len(candidates), jobs=", ".join(jobs.mapped("name"))),
                       "next": {"type": "ir.actions.client", "tag": "soft_reload"}},
        }
