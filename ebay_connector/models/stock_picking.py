from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    ebay_fulfillment_id = fields.Char(string="eBay Fulfillment ID", readonly=True, copy=False)
