from odoo import _
from odoo.exceptions import UserError

from ..shopee_api.mappers import ORDER_STATUS_PUSH, RETURN_UPDATES_PUSH, TRACKING_NUMBER_PUSH, after_sale_read
from .order_importer import OrderImporter


class PushProcessor(OrderImporter):
    """``process_notification`` (payload ``{"push_id": id}``): act on one stored Shopee push.

    An order status push imports that order (get_order_detail, then as a pull would); one saying IN_CANCEL or
    CANCELLED also queues a read of that order's cancellation (``pull_cancellations`` of that order). A return
    push queues a read of that return by id (``pull_returns`` of that return), after importing its order when Odoo
    does not have it yet. A tracking number push puts the number on the order's open delivery. Other pushes are
    kept, marked ignored. A push only prompts: what is stored is what Shopee answers to the read, and a push
    replayed or delivered twice queues no second read while the first one waits (the queue's job identity).
    The pull crons repair anything a lost push would have brought.
    """

    def execute(self):
        push = self.env["shopee.push"].browse(self.run.payload.get("push_id")).exists()
        if not push:
            raise UserError(_("The Shopee push of this job no longer exists."))
        handler = {
            ORDER_STATUS_PUSH: self._order_status,
            TRACKING_NUMBER_PUSH: self._tracking_number,
            RETURN_UPDATES_PUSH: self._return_update,
        }.get(push.code)
        push._mark("processed" if handler and handler(push) else "ignored")

    def _order_status(self, push):
        if not push.order_sn:
            return False
        self.import_order_sns([push.order_sn])
        self._log_summary()
        self._queue_after_sale_read(push)
        return True

    def _return_update(self, push):
        if not push.return_sn:
            return False
        if push.order_sn and not self._order(push.order_sn):
            self.import_order_sns([push.order_sn])
            self._log_summary()
        return self._queue_after_sale_read(push)

    def _queue_after_sale_read(self, push):
        """Queue the read of the cancellation or return the push names (``after_sale_read``); whether one is due."""
        read = after_sale_read(push.code, push.order_sn or "", push.order_status or "", push.return_sn or "")
        if not read:
            return False
        job_type, payload = read
        self.env["marketplace.job"]._enqueue(job_type, shop=self.shop, payload=payload, priority=5)
        return True

    def _tracking_number(self, push):
        if not (push.order_sn and push.tracking_number):
            return False
        pickings = self._order(push.order_sn).sale_order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel" and not p.carrier_tracking_ref)
        if pickings:
            pickings[:1].carrier_tracking_ref = push.tracking_number
            self.run.log(_("%(picking)s: tracking number %(tracking)s from Shopee.", picking=pickings[:1].name,
                           tracking=push.tracking_number))
        return bool(pickings)

    def _order(self, order_sn):
        return self.env["marketplace.order"].search([("shop_id", "=", self.shop.id),
                                                     ("external_order_id", "=", order_sn)], limit=1)
