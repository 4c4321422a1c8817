from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    """Deliveries of Shopee orders: the shipment is arranged on Shopee, and Shopee's tracking number lands here."""

    _inherit = "stock.picking"

    shopee_shipment_arranged = fields.Boolean(
        readonly=True, copy=False, help="Set once Shopee arranged this delivery's shipment (ship_order).")
    is_shopee_delivery = fields.Boolean(compute="_compute_is_shopee_delivery")

    def _compute_is_shopee_delivery(self):
        for picking in self:
            picking.is_shopee_delivery = picking.picking_type_code == "outgoing" and \
                picking.sudo().sale_id.marketplace_order_id.shop_id.platform == "shopee"

    def _action_done(self):
        """A validated delivery of a Shopee order is shipped on Shopee (unless it was arranged already)."""
        result = super()._action_done()
        self.filtered(lambda p: p.is_shopee_delivery and not p.shopee_shipment_arranged)._shopee_enqueue_ship()
        return result

    def action_shopee_ship(self):
        """Button: arrange the shipment on Shopee now (before packing is finished, to print the label)."""
        pickings = self.filtered(lambda p: p.is_shopee_delivery and p.state != "cancel")
        if not pickings:
            raise UserError(_("Only deliveries of Shopee orders can be shipped on Shopee."))
        jobs = pickings._shopee_enqueue_ship()
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "info", "message": _("Shipping queued: %s (Marketplace > Jobs).", ", ".join(jobs.mapped("name"))),
            "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    def _shopee_enqueue_ship(self):
        Job = self.env["marketplace.job"].sudo()
        jobs = Job
        for picking in self:
            jobs |= Job._enqueue("ship_order", shop=picking.sudo().sale_id.marketplace_order_id.shop_id,
                                 payload={"picking_id": picking.id}, priority=5)
        return jobs
