from odoo import _, fields
from odoo.exceptions import UserError

from ..ebay_api.errors import EbayRequestError, EbayUncertainError, MappingError
from ..ebay_api.fulfillment import FulfillmentAdapter
from ..ebay_api.post_order import (
    MAX_PAGE_SIZE,
    REQUESTED,
    CancellationAdapter,
    map_cancellation,
    map_order_cancel_status,
    seller_reason_code,
)
from ..sync_core.cancellations import cancellation_values, cancellation_window, next_cancellation_watermark
from ..sync_core.times import to_naive_utc
from .base import EbayJobService

# open cancellations re-read one by one per pull (eBay's search filters by creation date only)
MAX_REFRESH = 50


class CancellationService(EbayJobService):
    """What the cancellation flows share: the Post-Order adapter and the record named by the payload."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.post_order = CancellationAdapter(self.client)

    def _cancellation(self):
        return self.env["marketplace.cancellation"]._of_job_payload(self.run.payload)

    def _sync(self, raw_cancellations):
        """Store eBay's cancellations in the shop; returns the counts of ``_sync_from_marketplace``."""
        records = []
        for raw in raw_cancellations:
            try:
                records.append(cancellation_values(map_cancellation(raw)))
            except MappingError as exc:
                self.run.log(_("Cancellation not imported: %s", exc), "warning")
        return self.env["marketplace.cancellation"]._sync_from_marketplace(self.shop, records)

    def _read_back(self, cancellation):
        """eBay's cancellation now, stored; returns its mapped record."""
        raw = self.post_order.get(cancellation.external_cancel_id)
        self._sync([raw])
        return map_cancellation(raw)


class CancellationImporter(CancellationService):
    """``pull_cancellations``: eBay's cancellations of the shop created since its watermark (search by
    creation date, pages of 200, an overlap), then the open ones created earlier re-read by id (search cannot
    filter by modification date). Replays change nothing: ``_sync_from_marketplace`` writes differences only.
    A request for an order Odoo does not know yet queues that order's import and is found again next time."""

    def execute(self):
        if not self.shop:
            raise UserError(_("Job %s: pulling cancellations needs a shop.", self.job.name))
        now = fields.Datetime.now()
        state = self.run.continuation
        since = fields.Datetime.to_datetime(state["since"]) if state else cancellation_window(
            self.shop.ebay_cancellations_synced_until, now, self.shop.ebay_order_overlap_minutes)
        offset, seen, waiting_since = state.get("offset", 0), set(state.get("seen", [])), state.get("waiting_since")
        unknown = list(state.get("unknown", []))
        while True:
            self.run.check_cancelled()
            raw, total = self.post_order.search_page(since, offset=offset, limit=MAX_PAGE_SIZE)
            self.run.progress(total=total)
            counts = self._sync(raw)
            seen.update(str(item.get("cancelId")) for item in raw)
            unknown += counts["unknown_order"]
            waiting_since = _earliest_unknown(raw, counts["unknown_order"], waiting_since)
            self.run.log(_("Cancellations from %(since)s: %(count)s read; %(new)s new, %(updated)s updated, "
                           "%(unchanged)s unchanged, %(unknown)s of orders not imported yet.", since=since,
                           count=len(raw), new=counts["new"], updated=counts["updated"],
                           unchanged=counts["unchanged"], unknown=len(counts["unknown_order"])))
            offset += len(raw)
            if not raw or offset >= total:
                break
            if self.run.time_is_up():
                self.run.pause(0, {"since": fields.Datetime.to_string(since), "offset": offset,
                                   "seen": sorted(seen), "waiting_since": waiting_since, "unknown": unknown})
        if unknown:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                                 payload={"order_ids": sorted(set(unknown))}, priority=5)
        self._refresh_open(seen)
        mark = next_cancellation_watermark(self.shop.ebay_cancellations_synced_until, now,
                                           fields.Datetime.to_datetime(waiting_since) if waiting_since else None)
        if mark != self.shop.ebay_cancellations_synced_until:
            self.shop.ebay_cancellations_synced_until = mark

    def _refresh_open(self, seen):
        """Re-read the shop's open cancellations that the search did not return (older than its window)."""
        stale = self.env["marketplace.cancellation"].search(
            [("shop_id", "=", self.shop.id), ("state", "in", ("requested", "approved")),
             ("external_cancel_id", "!=", False), ("external_cancel_id", "not in", list(seen))],
            order="write_date asc", limit=MAX_REFRESH)
        for cancellation in stale:
            self.run.check_cancelled()
            self._read_back(cancellation)


def _earliest_unknown(raw, unknown_orders, waiting_since):
    """The earliest request date among cancellations whose order is not imported yet (ISO string)."""
    dates = [waiting_since] if waiting_since else []
    for item in raw:
        if str(item.get("legacyOrderId")) in unknown_orders:
            requested = map_cancellation(item).requested_at
            if requested:
                dates.append(fields.Datetime.to_string(to_naive_utc(requested)))
    return min(dates) if dates else None


class CancellationAnswerer(CancellationService):
    """``answer_cancellation``: approve or reject a buyer's request on eBay, once.

    eBay's state is read first: a request no longer waiting (answered in Seller Hub, an earlier attempt
    whose answer was lost) is only stored. An answer eBay refuses is recorded on the cancellation (the seller
    may answer again) and in the job's log; one that may have reached eBay unanswered is read back."""

    def execute(self):
        cancellation = self._cancellation()
        if cancellation.answer not in ("approve", "reject") or cancellation.state != "requested":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", cancellation.name))
            return
        answer = cancellation.answer
        if self._read_back(cancellation).state != REQUESTED:
            self.run.log(_("%(name)s is %(state)s on eBay already: not answered again.", name=cancellation.name,
                           state=cancellation.state), "warning")
            return
        try:
            self._send(cancellation, answer)
        except EbayUncertainError:
            if self._read_back(cancellation).state == REQUESTED:
                raise  # eBay did not take it: the retried job sends it then
        except EbayRequestError as exc:
            cancellation._answer_refused(exc.message)
            self._read_back(cancellation)
            self.run.log(_("eBay refused to %(answer)s %(name)s: %(error)s", answer=answer,
                           name=cancellation.name, error=exc.message), "error")
            return
        ebay = self._read_back(cancellation)
        cancellation._answered(answer, ebay.state)
        self.run.log(_("%(name)s: %(answer)s sent to eBay (now %(state)s).", name=cancellation.name,
                       answer=answer, state=ebay.state))

    def _send(self, cancellation, answer):
        if answer == "approve":
            self.post_order.approve(cancellation.external_cancel_id)
            return
        shipped = cancellation.sudo().sale_order_id.picking_ids.filtered(
            lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing")[:1]
        if cancellation.reject_reason == "shipped" and shipped:
            self.post_order.reject(cancellation.external_cancel_id, shipped_at=shipped.date_done,
                                   tracking_number=shipped.carrier_tracking_ref or None)
        else:
            self.post_order.reject(cancellation.external_cancel_id)


class CancellationRequester(CancellationService):
    """``request_cancellation``: the seller's own cancellation of an order on eBay, once: eligibility is
    checked first (checkEligibility), the reason is eBay's for the seller's choice; a create that may have
    reached eBay unanswered is looked for by the order's id before anything is sent again."""

    def execute(self):
        cancellation = self._cancellation()
        if cancellation.answer != "request" or cancellation.state != "draft":
            self.run.log(_("%s was sent already: nothing to do.", cancellation.name))
            return
        order_id = cancellation.order_id.external_order_id
        try:
            reason = seller_reason_code(cancellation.seller_reason)
        except ValueError:
            return self._refused(cancellation, _("eBay has no seller's reason for %s.", cancellation.seller_reason))
        cancel_id = self._created_on_ebay(order_id)
        if not cancel_id:
            if self._buyer_asked(order_id):
                self.env["marketplace.job"]._enqueue("pull_cancellations", shop=self.shop, priority=5)
                return self._refused(cancellation, _("the buyer asked to cancel this order already: answer the "
                                                     "buyer's request (it is being imported)."))
            eligibility = self.post_order.check_eligibility(order_id)
            if not eligibility.eligible:
                return self._refused(cancellation, _("eBay says the order cannot be cancelled: %s.",
                                                     ", ".join(eligibility.failures) or _("no reason given")))
            try:
                cancel_id = self.post_order.create_cancellation(order_id, reason,
                                                                paid_at=cancellation.order_id.order_date)
            except EbayUncertainError:
                cancel_id = self._created_on_ebay(order_id)
                if not cancel_id:
                    raise
            except EbayRequestError as exc:
                return self._refused(cancellation, exc.message)
        if not cancel_id:
            return self._refused(cancellation, _("eBay did not take the cancellation."))
        ebay = map_cancellation(self.post_order.get(cancel_id))
        cancellation._requested(cancel_id, ebay.state, cancellation_values(ebay)["external_state"], ebay.reason)
        self.run.log(_("%(order)s cancelled on eBay as %(id)s (%(reason)s, now %(state)s).",
                       order=cancellation.order_id.name, id=cancel_id, reason=reason, state=ebay.state))
        return None

    def _buyer_asked(self, order_id):
        """Whether getOrder shows a buyer's cancellation request of the order (getOrders leaves them out)."""
        state, requests = map_order_cancel_status(FulfillmentAdapter(self.client).get_order(order_id))
        return state == "CANCEL_REQUESTED" or any(
            (request.initiator or "").upper() == "BUYER" and request.state == "REQUESTED" for request in requests)

    def _created_on_ebay(self, order_id):
        """The id of the seller's cancellation eBay already has for the order (an earlier uncertain create)."""
        for raw in self.post_order.search_page(order_id=order_id)[0]:
            cancellation = map_cancellation(raw)
            if cancellation.requester == "seller" and cancellation.order_id == order_id:
                return cancellation.cancel_id
        return None

    def _refused(self, cancellation, message):
        cancellation._answer_refused(message)
        self.run.log(_("%(name)s not cancelled on eBay: %(error)s", name=cancellation.name, error=message), "error")
