from odoo import fields, models


class MarketplaceListingImage(models.Model):
    """The photo's copy on eBay (Media API createImageFromFile): reused until eBay lets it expire."""

    _inherit = "marketplace.listing.image"

    ebay_image_url = fields.Char(string="eBay Image URL", copy=False, readonly=True)
    ebay_image_expires_at = fields.Datetime(string="eBay Copy Expires", copy=False, readonly=True)

    def write(self, vals):
        """A new picture needs a new upload."""
        if "image" in vals:
            vals = dict(vals, ebay_image_url=False, ebay_image_expires_at=False)
        return super().write(vals)

    def _ebay_url_valid(self, at):
        """Whether eBay's copy can be used in a listing made at ``at`` (a day of margin before it expires)."""
        self.ensure_one()
        return bool(self.ebay_image_url) and (not self.ebay_image_expires_at
                                              or self.ebay_image_expires_at > at)
