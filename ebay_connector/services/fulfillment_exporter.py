from collections import defaultdict

from odoo import _
from odoo.exceptions import UserError

from ..ebay_api.errors import EbayUncertainError
from ..ebay_api.fulfillment import FulfillmentAdapter, matching_fulfillment_id
from ..sync_core import push
from .base import EbayJobService


class FulfillmentExporter(EbayJobService):
    """Tell eBay a delivery left: createShippingFulfillment with this delivery's line items and
    quantities, the carrier's eBay code and the tracking number.

    Each delivery (a backorder included) is one fulfillment; the units reported are counted on
    the marketplace order lines so eBay is never told more than was ordered, and the
    fulfillment id kept on the delivery stops it from being reported twice. A create that may have
    reached eBay without an answer (or an earlier attempt that ended so) is settled by reading eBay's
    fulfillments of the order back, so a parcel is never reported twice.
    """

    def execute(self):
        picking = self._picking()
        if picking.ebay_fulfillment_id:
            self.run.log(_("%(picking)s was already reported to eBay (fulfillment %(id)s).",
                           picking=picking.name, id=picking.ebay_fulfillment_id))
            return
        order = self._marketplace_order(picking)
        order._lock_for_update()  # two deliveries of one order count their units one after the other
        shipped = self._shipped_lines(picking, order)
        pairs = push.fulfillment_lines(shipped)
        if not pairs:
            self.run.log(_("%s ships nothing left to report to eBay.", picking.name), "warning")
            return
        carrier_code = self._carrier_code(picking)
        fulfillment_id = self._create_once(picking, order, pairs, carrier_code)
        picking.ebay_fulfillment_id = fulfillment_id
        self._count_fulfilled(order, dict(pairs))
        self.run.progress(total=1, fetched=1, stored=1)
        self.run.log(_("%(picking)s reported to eBay as fulfillment %(id)s (%(carrier)s %(tracking)s).",
                       picking=picking.name, id=fulfillment_id, carrier=carrier_code,
                       tracking=picking.carrier_tracking_ref))

    def _create_once(self, picking, order, pairs, carrier_code):
        """createShippingFulfillment unless eBay already has this shipment (same lines, same tracking
        number), checked before and again when the create got no answer; returns the fulfillment id."""
        adapter = FulfillmentAdapter(self.client)
        fulfillment_id = self._fulfillment_on_ebay(adapter, picking, order, pairs)
        if fulfillment_id:
            return fulfillment_id
        try:
            return adapter.create_shipping_fulfillment(order.external_order_id, pairs, carrier_code,
                                                       picking.carrier_tracking_ref, shipped_date=picking.date_done)
        except EbayUncertainError:
            fulfillment_id = self._fulfillment_on_ebay(adapter, picking, order, pairs)
            if not fulfillment_id:
                raise  # eBay does not have it: the retried job creates it then
            return fulfillment_id

    def _fulfillment_on_ebay(self, adapter, picking, order, pairs):
        """The id of the fulfillment eBay already has for this delivery, logged, or None."""
        fulfillment_id = matching_fulfillment_id(adapter.get_shipping_fulfillments(order.external_order_id),
                                                 pairs, picking.carrier_tracking_ref)
        if fulfillment_id:
            self.run.log(_("eBay already had this shipment: %(picking)s is eBay fulfillment %(id)s.",
                           picking=picking.name, id=fulfillment_id))
        return fulfillment_id

    def _picking(self):
        picking_id = self.run.payload.get("picking_id")
        picking = self.env["stock.picking"].browse(picking_id if isinstance(picking_id, int) else []).exists()
        if not picking:
            raise UserError(_('The payload must name an existing delivery: {"picking_id": <id>} (got %s).',
                              picking_id))
        if picking.state != "done":
            raise UserError(_("%s is not done yet: only validated deliveries are reported to eBay.", picking.name))
        if not picking.carrier_tracking_ref:
            raise UserError(_("%s has no tracking reference: enter it on the delivery to report the shipment.",
                              picking.name))
        return picking

    def _marketplace_order(self, picking):
        order = picking.sale_id.marketplace_order_id
        if not order or order.shop_id.platform != "ebay":
            raise UserError(_("%s does not deliver an eBay order.", picking.name))
        return order

    def _shipped_lines(self, picking, order):
        """A ShipLine per marketplace order line this delivery shipped, in sale-line units."""
        shipped = defaultdict(float)
        for move in picking.move_ids.filtered(lambda m: m.state == "done" and m.sale_line_id):
            shipped[move.sale_line_id] += move.product_uom._compute_quantity(move.quantity,
                                                                             move.sale_line_id.product_uom)
        return [push.ShipLine(line.external_line_id, line.quantity, line.qty_fulfilled, shipped[line.sale_line_id])
                for line in order.line_ids if line.sale_line_id in shipped]

    def _carrier_code(self, picking):
        return carrier_code(picking)

    def _count_fulfilled(self, order, reported):
        for line in order.line_ids.filtered(lambda line: line.external_line_id in reported):
            line.qty_fulfilled += reported[line.external_line_id]


def carrier_code(picking):
    """The eBay carrier code of a delivery's method (what eBay is told with its tracking number), or a clear
    error naming what to set (shipments, and the shipment info of an item-not-received inquiry)."""
    carrier = picking.carrier_id
    code = push.ebay_carrier_code(carrier.ebay_carrier_code, carrier.delivery_type, carrier.name)
    if code:
        return code
    if not carrier:
        raise UserError(picking.env._("%s has no delivery method: set one whose eBay Carrier Code eBay knows "
                                      "(e.g. USPS, UPS, FedEx, DHL), then requeue this job.", picking.name))
    raise UserError(picking.env._("No eBay carrier code for delivery method %(carrier)s (delivery %(picking)s): "
                                  "set its eBay Carrier Code (e.g. USPS, UPS, FedEx, DHL), then requeue this job.",
                                  carrier=carrier.name, picking=picking.name))
