"""Post-Order API cancellations (``/post-order/v2/cancellation``): adapter, mapper and state mapping.

eBay's call reference (developer.ebay.com/devzone/post-order/): post-order_v2_cancellation_search__get
(``creation_date_range_from``/``_to``, ``limit``, ``offset``; response ``cancellations[]`` of CancelSummary,
``paginationOutput``, ``total``), post-order_v2_cancellation-cancelid__get (``fieldgroups`` FULL|SUMMARY;
response ``cancelDetail``), post-order_v2_cancellation_check_eligibility__post (``{legacyOrderId}`` →
OrderEligibilityResult ``eligible``, ``eligibleCancelReason[]``, ``failureReason[]``),
post-order_v2_cancellation__post (CreateCancelRequest ``legacyOrderId``, ``cancelReason``, ``buyerPaid``,
``buyerPaidDate`` → ``cancelId``), post-order_v2_cancellation-cancelid_approve__post (no body, 200) and
post-order_v2_cancellation-cancelid_reject__post (RejectCancelRequest: ``shipmentDate``, ``trackingNumber``,
both optional, ``{}`` at least). Types: CancelStateEnum, CancelStatusEnum, CancelReasonEnum, DateTime
(``{"value": "2015-05-15T03:00:00.000Z"}``), Amount. The Post-Order API takes an OAuth user token as
``Authorization: IAF <token>``. What no page showed is listed in docs/ebay-api.md.
"""
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from .errors import MappingError
from .fulfillment import ebay_timestamp
from .mappers import _mapping, _timestamp

BASE = "/post-order/v2/cancellation"
AUTH_SCHEME = "IAF"
MAX_PAGE_SIZE = 200  # UNCONFIRMED: the search page shows ``limit`` without a maximum

# The platform-neutral states of marketplace.cancellation
REQUESTED, APPROVED, REJECTED, COMPLETED, CLOSED = "requested", "approved", "rejected", "completed", "closed"

# CancelStatusEnum (the last action) decides; CancelStateEnum only when eBay sent no status
STATUS_STATES = {
    "CANCEL_REQUESTED": REQUESTED,
    "CANCEL_PENDING": APPROVED,
    "CANCEL_REJECTED": REJECTED,
    "CANCEL_CLOSED_WITH_REFUND": COMPLETED,
    "CANCEL_CLOSED_UNKNOWN_REFUND": COMPLETED,
    "CANCEL_CLOSED_NO_REFUND": COMPLETED,
    "CANCEL_CLOSED_FOR_COMMITMENT": COMPLETED,
    "INVALID": CLOSED,
}
STATE_STATES = {
    "INITIAL": REQUESTED,
    "APPROVAL_PENDING": REQUESTED,
    "REFUND_PENDING": APPROVED,
    "REFUND_INITIATED": APPROVED,
    "REFUND_FAILED_RETRY": APPROVED,
    "CONFIRM_REFUND_PENDING": APPROVED,
    "CLOSED": CLOSED,
}

# CancelReasonEnum values a seller may give (the others are the buyer's, or deprecated)
SELLER_REASONS = frozenset({"BUYER_ASKED_CANCEL", "OUT_OF_STOCK_OR_CANNOT_FULFILL", "ADDRESS_ISSUES",
                            "ORDER_UNPAID"})
# the connector's platform-neutral seller reasons -> eBay's
SELLER_REASON_CODES = {
    "buyer_asked": "BUYER_ASKED_CANCEL",
    "out_of_stock": "OUT_OF_STOCK_OR_CANNOT_FULFILL",
    "address_issue": "ADDRESS_ISSUES",
    "unpaid": "ORDER_UNPAID",
}


def cancellation_state(cancel_status, cancel_state):
    """The neutral state of an eBay cancellation from its CancelStatusEnum, else its CancelStateEnum;
    an unknown pair raises MappingError (a new eBay value is reported, never guessed)."""
    state = STATUS_STATES.get(cancel_status or "") or STATE_STATES.get(cancel_state or "")
    if not state:
        raise MappingError(f"unknown eBay cancellation status {cancel_status!r} / state {cancel_state!r}")
    return state


def seller_reason_code(reason):
    """eBay's CancelReasonEnum value for the connector's seller reason; ValueError for one eBay lacks."""
    try:
        return SELLER_REASON_CODES[reason]
    except KeyError:
        raise ValueError(f"eBay has no seller cancellation reason for {reason!r}") from None


def date_value(date_time):
    """The timestamp of a Post-Order DateTime ``{"value": "..."}`` (or of a bare string), or None."""
    if isinstance(date_time, dict):
        date_time = date_time.get("value")
    return _timestamp(date_time)


@dataclass(frozen=True)
class Cancellation:
    cancel_id: str
    order_id: str              # legacyOrderId: the order id the Fulfillment API uses too
    marketplace_id: str | None
    requester: str             # "buyer" or "seller"
    reason: str | None         # CancelReasonEnum
    state: str                 # neutral state (cancellation_state)
    ebay_state: str | None
    ebay_status: str | None
    requested_at: object       # aware datetime or None
    respond_by: object         # the seller's response due date, or None
    closed_at: object
    refund_amount: Decimal | None
    currency: str | None


@_mapping("cancellation")
def map_cancellation(payload):
    """A CancelSummary (search) or CancelDetail (get) → Cancellation."""
    cancel_id = payload["cancelId"]
    if not cancel_id:
        raise MappingError("cannot map cancellation: no cancelId")
    amount = payload.get("requestRefundAmount") or {}
    requester = (payload.get("requestorType") or "BUYER").upper()
    return Cancellation(
        cancel_id=str(cancel_id),
        order_id=str(payload["legacyOrderId"]),
        marketplace_id=payload.get("marketplaceId"),
        requester="seller" if requester == "SELLER" else "buyer",
        reason=payload.get("cancelReason"),
        state=cancellation_state(payload.get("cancelStatus"), payload.get("cancelState")),
        ebay_state=payload.get("cancelState"),
        ebay_status=payload.get("cancelStatus"),
        requested_at=date_value(payload.get("cancelRequestDate")),
        respond_by=date_value(payload.get("sellerResponseDueDate")),
        closed_at=date_value(payload.get("cancelCloseDate")),
        refund_amount=Decimal(str(amount["value"])) if amount.get("value") is not None else None,
        currency=amount.get("currency"),
    )


@dataclass(frozen=True)
class OrderCancelRequest:
    cancel_id: str
    initiator: str | None      # cancelInitiator ("BUYER", "SELLER")
    reason: str | None
    state: str | None          # cancelRequestState


@_mapping("order cancel status")
def map_order_cancel_status(order):
    """getOrder's ``cancelStatus``: (cancelState such as NONE_REQUESTED, CANCEL_REQUESTED, CANCELED;
    its cancel requests as OrderCancelRequest)."""
    status = order.get("cancelStatus") or {}
    requests = tuple(OrderCancelRequest(str(request["cancelRequestId"]), request.get("cancelInitiator"),
                                        request.get("cancelReason"), request.get("cancelRequestState"))
                     for request in status.get("cancelRequests") or ())
    return status.get("cancelState"), requests


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple             # eligibleCancelReason (when eligible)
    failures: tuple            # failureReason (when not)


@_mapping("cancellation eligibility")
def map_eligibility(payload):
    return Eligibility(bool(payload["eligible"]), tuple(payload.get("eligibleCancelReason") or ()),
                       tuple(payload.get("failureReason") or ()))


def date_time(value):
    """A Post-Order DateTime of a datetime (naive = UTC)."""
    return {"value": ebay_timestamp(value)}


class PostOrderAdapter:
    """A Post-Order resource (``base``) called with the account's user token as ``IAF``."""

    base = None

    def __init__(self, client):
        self.client = client

    def _call(self, method, path, family, **kwargs):
        return self.client.request(method, self.base + path, family, auth_scheme=AUTH_SCHEME, **kwargs)


class CancellationAdapter(PostOrderAdapter):
    """The seller's side of eBay's cancellation calls (reads count as pulls, answers as pushes)."""

    base = BASE

    def search_page(self, created_from=None, created_to=None, offset=0, limit=MAX_PAGE_SIZE, order_id=None):
        """One page of cancellations created in the range, or of one order (the seller's, oldest first):
        ``(raw cancellations, total)``; ``offset`` counts cancellations, as eBay's does."""
        params = {"role": "SELLER", "limit": limit, "offset": offset}
        if order_id:
            params["legacy_order_id"] = str(order_id)
        if created_from:
            params["creation_date_range_from"] = ebay_timestamp(created_from)
        if created_to:
            params["creation_date_range_to"] = ebay_timestamp(created_to)
        body = self._call("GET", "/search", "post_order.read", params=params).body or {}
        cancellations = body.get("cancellations") or []
        total = body.get("total")
        if total is None:
            total = (body.get("paginationOutput") or {}).get("totalEntries", len(cancellations))
        return cancellations, int(total)

    def get(self, cancel_id):
        """The raw CancelDetail of one cancellation."""
        body = self._call("GET", "/" + quoted(cancel_id), "post_order.read", params={"fieldgroups": "FULL"}).body
        return (body or {}).get("cancelDetail") or {}

    def check_eligibility(self, order_id):
        """Whether eBay lets the order be cancelled now (Eligibility)."""
        body = self._call("POST", "/check_eligibility", "post_order.read", json={"legacyOrderId": str(order_id)},
                          idempotent=True).body
        return map_eligibility(body or {})

    def approve(self, cancel_id):
        """Approve the buyer's request: eBay cancels the order and refunds the buyer."""
        self._call("POST", "/%s/approve" % quoted(cancel_id), "post_order.write")

    def reject(self, cancel_id, shipped_at=None, tracking_number=None):
        """Reject the buyer's request; with the shipment's date and tracking number when it shipped."""
        payload = {}
        if shipped_at:
            payload["shipmentDate"] = date_time(shipped_at)
        if tracking_number:
            payload["trackingNumber"] = tracking_number
        self._call("POST", "/%s/reject" % quoted(cancel_id), "post_order.write", json=payload)

    def create_cancellation(self, order_id, reason, buyer_paid=True, paid_at=None):
        """The seller cancels the order with a CancelReasonEnum reason a seller may give; returns the
        cancel id (None when eBay found the order ineligible, see ``check_eligibility`` first)."""
        if reason not in SELLER_REASONS:
            raise ValueError(f"{reason!r} is not a seller's cancellation reason")
        payload = {"legacyOrderId": str(order_id), "cancelReason": reason, "buyerPaid": bool(buyer_paid)}
        if buyer_paid and paid_at:
            payload["buyerPaidDate"] = date_time(paid_at)
        body = self._call("POST", "", "post_order.write", json=payload).body or {}
        return body.get("cancelId")


def quoted(resource_id):
    return quote(str(resource_id), safe="")
