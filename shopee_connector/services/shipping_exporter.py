from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError

from ..shopee_api.logistics import LogisticsAdapter, ship_order_body
from ..shopee_api.orders import OrderAdapter
from .base import ShopeeJobService

READY_TO_SHIP = "READY_TO_SHIP"
# after ship_order, an order moves on: these say its shipment is arranged already
ARRANGED = ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "RETRY_SHIP")


class ShippingExporter(ShopeeJobService):
    """``ship_order`` (payload ``{"picking_id": id}``): arrange the shipment on Shopee, then bring its
    tracking number onto the delivery.

    get_shipping_parameter says what the order needs (pickup, drop-off or a non-integrated carrier with
    our tracking number), ship_order arranges it, get_tracking_number is asked until Shopee has a number:
    while it has none the job pauses (no worker held) and asks again later. ship_order is sent at most
    once: the order's status on Shopee is read first, so a retry after an unanswered ship_order finds the
    shipment arranged and goes on to the tracking number.
    """

    def execute(self):
        picking = self._picking()
        order_sn = picking.sale_id.marketplace_order_id.external_order_id
        state = dict(self.run.continuation)
        if not picking.shopee_shipment_arranged:
            self._arrange(picking, order_sn)
            self.run.checkpoint({"polls": 0})
        tracking = LogisticsAdapter(self.session).tracking_number(order_sn)
        if not tracking:
            self._wait_for_tracking(picking, state.get("polls", 0) + 1)
        if picking.carrier_tracking_ref != tracking:
            picking.carrier_tracking_ref = tracking
        self.run.progress(total=1, fetched=1, stored=1)
        self.run.log(_("%(picking)s: Shopee order %(order)s shipped, tracking number %(tracking)s.",
                       picking=picking.name, order=order_sn, tracking=tracking))

    def _picking(self):
        picking_id = self.run.payload.get("picking_id")
        if not isinstance(picking_id, int):
            raise JobPayloadError(_('Payload: "picking_id" (the delivery to ship) is required, e.g. {"picking_id": 7}.'))
        picking = self.env["stock.picking"].browse(picking_id).exists()
        order = picking.sale_id.marketplace_order_id
        if not picking or order.shop_id != self.shop:
            raise UserError(_("Delivery %(id)s is not one of a Shopee order of %(shop)s.", id=picking_id,
                              shop=self.shop.name))
        return picking

    def _arrange(self, picking, order_sn):
        details = OrderAdapter(self.session).order_details([order_sn])
        status = details[0].get("order_status") if details else None
        if status in ARRANGED:
            self.run.log(_("Shopee order %(order)s is %(status)s: its shipment is arranged already.",
                           order=order_sn, status=status))
        elif status == READY_TO_SHIP:
            logistics = LogisticsAdapter(self.session)
            try:
                body = ship_order_body(order_sn, logistics.shipping_parameter(order_sn), picking.carrier_tracking_ref)
            except ValueError as exc:
                raise UserError(_("Shopee order %(order)s: %(error)s. Enter the carrier's tracking number on the "
                                  "delivery and ship again.", order=order_sn, error=exc)) from exc
            logistics.ship_order(body)
            method = next(key for key in body if key != "order_sn")
            self.run.log(_("Shopee order %(order)s: shipment arranged (%(method)s).", order=order_sn, method=method))
        else:
            raise UserError(_("Shopee order %(order)s cannot be shipped: its status on Shopee is %(status)s.",
                              order=order_sn, status=status or _("unknown")))
        picking.shopee_shipment_arranged = True

    def _wait_for_tracking(self, picking, polls):
        get = self.env["ir.config_parameter"].sudo().get_param
        max_polls = int(get("shopee_connector.tracking_max_polls", 240))
        if polls > max_polls:
            raise UserError(_("Shopee gave no tracking number for %(picking)s after %(polls)s tries: check the "
                              "order in Seller Centre, then Requeue this job.", picking=picking.name, polls=max_polls))
        self.run.log(_("No tracking number from Shopee yet for %(picking)s (try %(n)s): asking again later.",
                       picking=picking.name, n=polls))
        self.run.pause(int(get("shopee_connector.tracking_poll_seconds", 60)), {"polls": polls})
