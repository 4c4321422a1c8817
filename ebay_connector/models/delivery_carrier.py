from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    ebay_carrier_code = fields.Char(string="eBay Carrier Code", help="e.g. USPS, UPS, FedEx, DHL")
