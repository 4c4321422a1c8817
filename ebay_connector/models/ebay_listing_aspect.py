from odoo import api, fields, models

MULTI_SEPARATOR = ";"


class EbayListingAspect(models.Model):
    """One item specific of a listing, as the form eBay's getItemAspectsForCategory describes: required ones
    marked, SELECTION_ONLY ones chosen from eBay's values, MULTI ones taking several."""

    _name = "ebay.listing.aspect"
    _description = "eBay Listing Item Specific"
    _order = "listing_id, required desc, sequence, id"

    listing_id = fields.Many2one("marketplace.listing", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="listing_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, readonly=True)
    aspect_key = fields.Char(readonly=True)
    required = fields.Boolean(readonly=True)
    selection_only = fields.Boolean(string="Choose from List", readonly=True)
    multi = fields.Boolean(string="Several Values", readonly=True)
    value_ids = fields.Many2many("ebay.aspect.value", string="Values", domain="[('aspect_key', '=', aspect_key)]")
    value_text = fields.Char(string="Value", help="Several values (when allowed) separated by ';'; 50 characters "
                                                  "each at most.")
    value_display = fields.Char(compute="_compute_value_display", string="Value(s)")

    @api.depends("value_ids", "value_text")
    def _compute_value_display(self):
        for aspect in self:
            aspect.value_display = ", ".join(aspect._values())

    def _values(self):
        """The values sent to eBay: the chosen ones, or the typed ones."""
        self.ensure_one()
        if self.value_ids:
            return self.value_ids.mapped("name")
        parts = (self.value_text or "").split(MULTI_SEPARATOR) if self.multi else [self.value_text or ""]
        return [part.strip() for part in parts if part.strip()]
