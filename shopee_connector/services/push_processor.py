from odoo import _
from odoo.exceptions import UserError

from ..shopee_api.cancellations import IN_CANCEL
from ..shopee_api.mappers import ORDER_STATUS_PUSH, TRACKING_NUMBER_PUSH
from .order_importer import OrderImporter


class PushProcessor(OrderImporter):
    """``process_notification`` (payload ``{"push_id": id}``): act on one stored Shopee push.

    An order status push imports that order (get_order_detail, then as a pull would), and a buyer's
    cancellation request (IN_CANCEL) queues a cancellation pull of that order; a tracking number push puts the
    number on the order's open delivery. Other pushes are kept, marked ignored.
    The pull cron repairs anything a lost push would have brought.
    """

    def execute(self):
        push = self.env["shopee.push"].browse(self.run.payload.get("push_id")).exists()
        if not push:
            raise UserError(_("The Shopee push of this job no longer exists."))
        if push.code == ORDER_STATUS_PUSH and push.order_sn:
            self.import_order_sns([push.order_sn])
            self._log_summary()
            if push.order_status == IN_CANCEL:
                self.env["marketplace.job"]._enqueue("pull_cancellations", shop=self.shop, priority=5,
                                                     payload={"order_sns": [push.order_sn]})
            push._mark("processed")
        elif push.code == TRACKING_NUMBER_PUSH and push.order_sn and push.tracking_number:
            push._mark("processed" if self._set_tracking(push) else "ignored")
        else:
            push._mark("ignored")

    def _set_tracking(self, push):
        order = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id),
                                                      ("external_order_id", "=", push.order_sn)], limit=1)
        pickings = order.sale_order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel" and not p.carrier_tracking_ref)
        if pickings:
            pickings[:1].carrier_tracking_ref = push.tracking_number
            self.run.log(_("%(picking)s: tracking number %(tracking)s from Shopee.", picking=pickings[:1].name,
                           tracking=push.tracking_number))
        return bool(pickings)

