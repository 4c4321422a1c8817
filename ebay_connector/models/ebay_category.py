from odoo import fields, models


class EbayCategory(models.Model):
    """A node of an eBay category tree (placeholder: fields grow with the category import)."""

    _name = "ebay.category"
    _description = "eBay Category"
    _order = "full_path"

    name = fields.Char(required=True)
    tree_id = fields.Char(required=True, index=True)
    category_id = fields.Char(string="eBay Category ID", required=True, index=True)
    parent_id = fields.Many2one("ebay.category", index=True, ondelete="cascade")
    full_path = fields.Char(index=True)
    leaf = fields.Boolean()
