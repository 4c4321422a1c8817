from odoo import fields, models


class MarketplaceListingImage(models.Model):
    """One photo of a listing, in the order buyers see them: the first is the main photo."""

    _name = "marketplace.listing.image"
    _description = "Marketplace Listing Photo"
    _order = "listing_id, sequence, id"

    listing_id = fields.Many2one("marketplace.listing", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="listing_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, default="photo.jpg")
    image = fields.Image(required=True, max_width=1920, max_height=1920, attachment=True)
    product_id = fields.Many2one("product.product", string="Variant", ondelete="set null",
                                 help="A photo of one variant only (listings with variations).")
