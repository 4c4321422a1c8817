from datetime import timedelta

from odoo import _, fields

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError

from ..shopee_api.batching import MAX_ORDER_SNS, chunked, windows
from ..shopee_api.cancellations import (
    CANCELLABLE,
    CANCELLED,
    IN_CANCEL,
    CancellationAdapter,
    cancellation_record,
    cancellation_records,
    named_order_records,
    seller_reason_code,
)
from ..shopee_api.errors import ShopeeRequestError, ShopeeUncertainError
from ..shopee_api.mappers import to_epoch
from ..shopee_api.orders import OrderAdapter
from .base import ShopeeJobService

FIRST_LOOK_BACK = timedelta(days=3)


class CancellationService(ShopeeJobService):
    """What the Shopee cancellation flows share: the adapters and storing what Shopee says of orders."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.cancellations = CancellationAdapter(self.session)

    def _store(self, details, requester=None):
        """Store the cancellations these order details show (the buyer's, or ``requester``'s)."""
        return self.env["marketplace.cancellation"]._sync_from_marketplace(
            self.shop, cancellation_records(details, requester))

    def _detail(self, order_sn):
        details = self.cancellations.details([order_sn])
        return details[0] if details else {}


class CancellationImporter(CancellationService):
    """``pull_cancellations``: Shopee orders IN_CANCEL updated since the shop's watermark (get_order_list by
    update-time windows under 15 days, filtered by status, details 50 a call), then the shop's open
    cancellations re-read (accepted, rejected, withdrawn). With ``{"order_sns": [...]}`` (a push named them) only
    those orders are read. Replays change nothing. A request for an order Odoo does not know yet queues the
    order's import and is found again next time (the watermark waits)."""

    def execute(self):
        order_sns = self.run.payload.get("order_sns")
        if order_sns:   # a push named the orders: read them now, whatever the window has seen
            if not isinstance(order_sns, list) or not all(isinstance(sn, str) for sn in order_sns):
                raise JobPayloadError(_('Payload: "order_sns" must be a list of Shopee order numbers.'))
            self._queue_unknown(self._sync_sns(order_sns, self._named_records(order_sns)))
            return
        now = fields.Datetime.now()
        mark = self.shop.shopee_cancellations_synced_until
        since = mark - timedelta(minutes=max(0, self.shop.shopee_order_overlap_minutes)) if mark \
            else now - FIRST_LOOK_BACK
        orders = OrderAdapter(self.session)
        unknown = []
        for start, end in windows(since, now):
            cursor = ""
            while True:
                self.run.check_cancelled()
                page = orders.order_page(to_epoch(start), to_epoch(end), cursor, order_status=IN_CANCEL)
                unknown += self._sync_sns(page.order_sns, cancellation_records)
                if not page.more:
                    break
                cursor = page.next_cursor
        self._refresh_open()
        if unknown:
            self._queue_unknown(unknown)
        elif mark != now:
            self.shop._move_watermark("shopee_cancellations_synced_until", now)

    def _queue_unknown(self, order_sns):
        """Import the orders of requests Odoo does not know yet; their requests are found again next time."""
        if order_sns:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                                 payload={"order_sns": sorted(set(order_sns))}, priority=5)

    def _sync_sns(self, order_sns, records_of):
        """Store the cancellations ``records_of`` (details -> records) finds in these orders (50 details a call);
        returns the order numbers of those whose order Odoo does not know yet."""
        unknown = []
        for batch in chunked(order_sns, MAX_ORDER_SNS):
            counts = self.env["marketplace.cancellation"]._sync_from_marketplace(
                self.shop, records_of(self.cancellations.details(batch)))
            unknown += counts["unknown_order"]
            self.run.log(_("Shopee cancellations: %(count)s read; %(new)s new, %(updated)s updated, %(unchanged)s "
                           "unchanged, %(unknown)s of orders not imported yet.", count=len(batch), new=counts["new"],
                           updated=counts["updated"], unchanged=counts["unchanged"],
                           unknown=len(counts["unknown_order"])))
        return unknown

    def _named_records(self, order_sns):
        """details -> records for orders a push named (``named_order_records``)."""
        held = {}
        for cancellation in self.env["marketplace.cancellation"].search(
                [("shop_id", "=", self.shop.id), ("order_id.external_order_id", "in", order_sns)]):
            held.setdefault(cancellation.order_id.external_order_id, set()).add(cancellation.requester)
        return lambda details: named_order_records(details, held)

    def _refresh_open(self):
        open_cancellations = self.env["marketplace.cancellation"].search(
            [("shop_id", "=", self.shop.id), ("state", "in", ("requested", "approved")),
             ("external_cancel_id", "!=", False)])
        for requester in ("buyer", "seller"):
            sns = open_cancellations.filtered(lambda c, r=requester: c.requester == r).order_id.mapped(
                "external_order_id")
            if sns:
                self._sync_sns(sns, lambda details, r=requester: cancellation_records(details, r))


class CancellationAnswerer(CancellationService):
    """``answer_cancellation``: ACCEPT or REJECT a buyer's request with handle_buyer_cancellation, once: the
    order is read first (no longer IN_CANCEL: only stored); an answer Shopee refuses is recorded (the seller may
    answer again); one that may have reached Shopee unanswered is read back."""

    def execute(self):
        cancellation = self.env["marketplace.cancellation"]._of_job_payload(self.run.payload)
        if cancellation.answer not in ("approve", "reject") or cancellation.state != "requested":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", cancellation.name))
            return
        answer, order_sn = cancellation.answer, cancellation.order_id.external_order_id
        detail = self._detail(order_sn)
        if detail.get("order_status") != IN_CANCEL:
            self._store([detail], "buyer")
            self.run.log(_("%(name)s is no longer waiting on Shopee (%(status)s): not answered again.",
                           name=cancellation.name, status=detail.get("order_status")), "warning")
            return
        try:
            self.cancellations.handle_buyer_cancellation(order_sn, accept=answer == "approve")
        except ShopeeUncertainError:
            if self._detail(order_sn).get("order_status") == IN_CANCEL:
                raise  # Shopee did not take it: the retried job sends it then
        except ShopeeRequestError as exc:
            cancellation._answer_refused(str(exc))
            self.run.log(_("Shopee refused to %(answer)s %(name)s: %(error)s", answer=answer, name=cancellation.name,
                           error=exc), "error")
            return
        detail = self._detail(order_sn)
        self._store([detail], "buyer")
        cancellation._answered(answer, cancellation_record(detail, "buyer")["state"])
        self.run.log(_("%(name)s: %(answer)s sent to Shopee (order now %(status)s).", name=cancellation.name,
                       answer=answer, status=detail.get("order_status")))


class CancellationRequester(CancellationService):
    """``request_cancellation``: the seller's cancel_order, once: the order is read first (cancelled by the
    seller already after an uncertain call: only stored; no longer cancellable: refused with the reason);
    OUT_OF_STOCK names every item of the order."""

    def execute(self):
        cancellation = self.env["marketplace.cancellation"]._of_job_payload(self.run.payload)
        if cancellation.answer != "request" or cancellation.state != "draft":
            self.run.log(_("%s was sent already: nothing to do.", cancellation.name))
            return
        order_sn = cancellation.order_id.external_order_id
        try:
            reason = seller_reason_code(cancellation.seller_reason, self.shop.shopee_region)
        except ValueError:
            return self._refused(cancellation, _("Shopee has no seller's reason for %s in this shop's region.",
                                                 cancellation.seller_reason))
        detail = self._detail(order_sn)
        if not self._cancelled_by_seller(detail):
            if detail.get("order_status") not in CANCELLABLE:
                return self._refused(cancellation, _("the order is %s on Shopee.", detail.get("order_status")))
            items = [(item["item_id"], item.get("model_id") or 0) for item in detail.get("item_list") or ()]
            try:
                self.cancellations.cancel_order(order_sn, reason, items)
            except ShopeeUncertainError:
                if not self._cancelled_by_seller(self._detail(order_sn)):
                    raise
            except ShopeeRequestError as exc:
                return self._refused(cancellation, str(exc))
            detail = self._detail(order_sn)
        record = cancellation_record(detail, "seller")
        cancellation._requested(record["external_cancel_id"], record["state"], record["external_state"], reason)
        self.run.log(_("%(order)s cancelled on Shopee (%(reason)s).", order=cancellation.order_id.name, reason=reason))
        return None

    def _cancelled_by_seller(self, detail):
        return detail.get("order_status") == CANCELLED and str(detail.get("cancel_by") or "").lower() == "seller"

    def _refused(self, cancellation, message):
        cancellation._answer_refused(message)
        self.run.log(_("%(name)s not cancelled on Shopee: %(error)s", name=cancellation.name, error=message), "error")
