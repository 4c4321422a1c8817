from odoo import _

from ..ebay_api.errors import EbayRequestError, EbayUncertainError
from ..ebay_api.fulfillment import FulfillmentAdapter
from ..ebay_api.post_order import (
    MAX_PAGE_SIZE,
    REQUESTED,
    CancellationAdapter,
    map_cancellation,
    map_order_cancel_status,
    seller_reason_code,
)
from ..sync_core.cancellations import cancellation_values
from .after_sale_sync import AfterSaleImporter, AfterSaleService


class CancellationService(AfterSaleService):
    """What the cancellation flows share: the Post-Order adapter and eBay's cancellations mapped."""

    model = "marketplace.cancellation"

    def __init__(self, job, run):
        super().__init__(job, run)
        self.post_order = CancellationAdapter(self.client)

    def _cancellation(self):
        return self._record()

    def _map(self, raw):
        return map_cancellation(raw)

    def _values(self, mapped):
        return cancellation_values(mapped)

    def _read_back(self, cancellation):
        """eBay's cancellation now, stored; returns its mapped record."""
        raw = self.post_order.get(cancellation.external_cancel_id)
        self._sync([raw])
        return map_cancellation(raw)


class CancellationImporter(AfterSaleImporter, CancellationService):
    """``pull_cancellations``: eBay's cancellations of the shop created since its watermark (search by
    creation date, pages of 200 counted by cancellation), then the open ones re-read (``AfterSaleImporter``)."""

    synced_until_field = "ebay_cancellations_synced_until"

    def _search_page(self, since, position):
        raw, total = self.post_order.search_page(since, offset=position, limit=MAX_PAGE_SIZE)
        following = position + len(raw)
        return raw, following if raw and following < total else None, total

    def _raw_id(self, raw):
        return str(raw.get("cancelId"))


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
        ebay = self._send_once(cancellation, lambda: self._send(cancellation, answer), (REQUESTED,), answer)
        if ebay:
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
