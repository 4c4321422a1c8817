from odoo import fields, models


class StockPicking(models.Model):
    """Deliveries of eBay orders report their shipment (carrier and tracking) to eBay."""

    _inherit = "stock.picking"

    ebay_fulfillment_id = fields.Char(
        string="eBay Fulfillment ID", readonly=True, copy=False,
        help="Set once eBay recorded this delivery's shipment; a delivery is reported only once.",
    )

    def _action_done(self):
        result = super()._action_done()
        self._ebay_enqueue_fulfillment()
        return result

    def write(self, vals):
        """A tracking reference entered (or got from the shipper) after validation is reported too."""
        result = super().write(vals)
        if vals.get("carrier_tracking_ref"):
            self._ebay_enqueue_fulfillment()
        return result

    def _ebay_to_report(self):
        """Done deliveries of eBay orders with a tracking reference, not reported yet."""
        return self.sudo().filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing" and p.carrier_tracking_ref
            and not p.ebay_fulfillment_id and p.sale_id.marketplace_order_id.shop_id.platform == "ebay")

    def _ebay_enqueue_fulfillment(self):
        Job = self.env["marketplace.job"].sudo()
        for picking in self._ebay_to_report():
            Job._enqueue("push_fulfillment", shop=picking.sale_id.marketplace_order_id.shop_id,
                         payload={"picking_id": picking.id}, priority=5)
