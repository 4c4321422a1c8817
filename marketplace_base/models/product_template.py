from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    marketplace_listing_ids = fields.One2many("marketplace.listing", "product_tmpl_id", string="Marketplace Listings")
