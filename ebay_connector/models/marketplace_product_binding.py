from odoo import fields, models


class MarketplaceProductBinding(models.Model):
    _inherit = "marketplace.product.binding"

    ebay_listing_source = fields.Selection(
        [("inventory_api", "Inventory API"), ("seller_hub", "Seller Hub (not migrated)")],
        string="eBay Listing Source",
        help="Listings made in Seller Hub are invisible to the Inventory API until migrated; only "
             "Inventory API listings receive stock and price updates.",
    )
