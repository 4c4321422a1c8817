from odoo import fields, models


class EbayAspectValue(models.Model):
    """A value eBay offers for an item specific of a category (what a SELECTION_ONLY specific is chosen from)."""

    _name = "ebay.aspect.value"
    _description = "eBay Item Specific Value"
    _order = "aspect_key, sequence, id"

    aspect_key = fields.Char(required=True, index=True, help="<tree id>:<category id>:<item specific name>")
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)

    _sql_constraints = [
        ("aspect_value_uniq", "UNIQUE(aspect_key, name)", "This value is already known for this item specific."),
    ]
