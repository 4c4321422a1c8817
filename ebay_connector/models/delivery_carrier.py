from odoo import fields, models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    ebay_carrier_code = fields.Char(
        string="eBay Carrier Code",
        help="Shipping carrier code eBay expects when a delivery of an eBay order is reported, e.g. USPS, UPS, "
             "FedEx, DHL. Left empty, it is taken from the shipping connector or a carrier name that is such a code.",
    )
