from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_order_id = fields.Many2one("marketplace.order", readonly=True, copy=False, index="btree_not_null")
    marketplace_shop_id = fields.Many2one(related="marketplace_order_id.shop_id", store=True, string="Marketplace Shop")
