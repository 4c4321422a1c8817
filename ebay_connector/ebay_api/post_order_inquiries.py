"""Post-Order API inquiries (``/post-order/v2/inquiry``) and cases (``/post-order/v2/casemanagement``): adapters,
mappers and state mapping.

eBay's call reference (developer.ebay.com/devzone/post-order/, found with ``search``): GET /inquiry/search
(``inquiry_creation_date_range_from``/``_to``, ``inquiry_status``, ``item_id``, ``transaction_id``, ``order_id``,
``limit``, ``offset``; ``members[]`` of InquirySummaryType: ``inquiryId``, ``inquiryStatusEnum``, ``itemId``,
``transactionId``, ``buyer``, ``seller``, ``claimAmount``, ``creationDate``, ``lastModifiedDate``,
``respondByDate``), GET /inquiry/{inquiryId} (InquiryDetailsResponse: ``status``, ``claimAmount``,
``sellerMakeItRightByDate``, ``inquiryDetails``...), POST /inquiry/{inquiryId}/provide_shipment_info
(ShipmentInfoRequest: ``shippingCarrierName``, ``trackingNumber``, ``shippingDate``, ``shippedWithTracking``,
``sellerComments``), POST /inquiry/{inquiryId}/issue_refund (InquiryVoluntaryRefundRequest: ``comments``; a full
refund of the line item; signed for EU/UK sellers); escalate is the buyer's. GET /casemanagement/search
(``case_creation_date_range_from``/``_to``, ``case_status_filter``...; ``members[]`` of CaseSummaryType: ``caseId``,
``caseStatusEnum``, ``itemId``, ``transactionId``, ``buyer``, ``claimAmount``, ``creationDate``,
``lastModifiedDate``, ``respondByDate``), GET /casemanagement/{caseId} (CaseDetailsResponse: ``caseType``,
``buyerProtectedProgramLink``...). Types: InquiryStatusEnum, CaseStatusEnum, CaseTypeEnum. Neither summary names
the order: an inquiry or a case is of an order line (``itemId`` + ``transactionId``). What no page showed is
listed in docs/ebay-api.md.
"""
from dataclasses import dataclass
from decimal import Decimal

from .errors import MappingError
from .fulfillment import ebay_timestamp
from .mappers import _mapping
from .post_order import PostOrderAdapter, date_time, date_value, quoted
from .post_order_returns import _amount

INQUIRY_BASE = "/post-order/v2/inquiry"
CASE_BASE = "/post-order/v2/casemanagement"
PAGE_SIZE = 200  # UNCONFIRMED: the search pages show ``limit`` without a maximum

# The platform-neutral states of marketplace.case
WAITING_SELLER, WAITING_BUYER, UNDER_REVIEW = "waiting_seller", "waiting_buyer", "under_review"
ESCALATED, CLOSED = "escalated", "closed"
# The kinds of marketplace.case
INQUIRY, CASE = "inquiry", "case"

# InquiryStatusEnum: OPEN is "created and the seller notified": the seller's turn
INQUIRY_STATES = {
    "OPEN": WAITING_SELLER,
    "WAITING_SELLER_RESPONSE": WAITING_SELLER,
    "WAITING_BUYER_RESPONSE": WAITING_BUYER,
    "PENDING": UNDER_REVIEW,
    "OTHER": UNDER_REVIEW,
    "CLOSED_WITH_ESCALATION": ESCALATED,       # now an eBay case (kind "case")
    "CLOSED": CLOSED,
    "CS_CLOSED": CLOSED,
}
# CaseStatusEnum: an OPEN case waits for the seller (eBay's respondByDate is the seller's or the buyer's next
# action: UNCONFIRMED whose); a refund agreed but failed is the seller's to do again
CASE_STATES = {
    "OPEN": WAITING_SELLER,
    "REFUND_AGREED_BUT_FAILED": WAITING_SELLER,
    "WAITING_DELIVERY": WAITING_BUYER,
    "WAITING_CS": UNDER_REVIEW,
    "ON_HOLD": UNDER_REVIEW,
    "OTHER": UNDER_REVIEW,
    "CLOSED": CLOSED,
    "CS_CLOSED": CLOSED,
}
# CaseTypeEnum -> what the case escalated
CASE_TYPES = {"ITEM_NOT_RECEIVED": "not_received", "RETURN": "return"}


def inquiry_state(status):
    """The neutral state of an eBay inquiry from its InquiryStatusEnum; an unknown value raises MappingError."""
    try:
        return INQUIRY_STATES[status]
    except KeyError:
        raise MappingError(f"unknown eBay inquiry status {status!r}") from None


def case_state(status):
    """The neutral state of an eBay case from its CaseStatusEnum; an unknown value raises MappingError."""
    try:
        return CASE_STATES[status]
    except KeyError:
        raise MappingError(f"unknown eBay case status {status!r}") from None


@dataclass(frozen=True)
class EbayCase:
    kind: str                  # INQUIRY or CASE
    case_id: str
    state: str                 # neutral state
    ebay_status: str | None
    item_id: str | None
    transaction_id: str | None
    buyer: str | None
    claim_amount: Decimal | None
    currency: str | None
    requested_at: object       # aware datetime or None
    respond_by: object         # the next action's deadline, or None
    case_type: str | None      # cases read with their detail: "not_received" / "return"
    url: str | None            # eBay's page of the case, when eBay gives one (detail only)
    order_id: str | None = None    # the order the connector matched the line to (not eBay's: summaries lack it)


def _str(value):
    return str(value) if value not in (None, "") else None


def _details(payload, container):
    return payload.get(container) or {}


def _map_record(payload, kind, id_key, status_key, details_key, state_of, **specific):
    """What inquiries and cases share: their id, status, item, buyer, claim and dates (``specific``: the rest)."""
    record_id = payload[id_key]
    if not record_id:
        raise MappingError(f"cannot map {kind}: no {id_key}")
    status = payload.get(status_key) or payload.get("status")
    claim = payload.get("claimAmount") or {}
    values = dict(
        kind=kind, case_id=str(record_id), state=state_of(status), ebay_status=status,
        item_id=_str(payload.get("itemId")), transaction_id=_str(payload.get("transactionId")),
        buyer=_str(payload.get("buyer")), claim_amount=_amount(claim), currency=claim.get("currency"),
        requested_at=date_value(payload.get("creationDate") or _details(payload, details_key).get("creationDate")),
        respond_by=date_value(payload.get("respondByDate")), case_type=None, url=None)
    values.update(specific)
    return EbayCase(**values)


@_mapping("inquiry")
def map_inquiry(payload):
    """An InquirySummaryType (search) or InquiryDetailsResponse (get) → EbayCase (kind inquiry)."""
    return _map_record(payload, INQUIRY, "inquiryId", "inquiryStatusEnum", "inquiryDetails", inquiry_state,
                       respond_by=date_value(payload.get("respondByDate") or payload.get("sellerMakeItRightByDate")))


@_mapping("case")
def map_case(payload):
    """A CaseSummaryType (search), or it merged with its CaseDetailsResponse (get) → EbayCase (kind case)."""
    return _map_record(payload, CASE, "caseId", "caseStatusEnum", "caseDetails", case_state,
                       case_type=CASE_TYPES.get(payload.get("caseType") or ""),
                       url=payload.get("buyerProtectedProgramLink"))


def _search_params(prefix, created_from, created_to, page, limit):
    params = {"limit": limit, "offset": page}
    if created_from:
        params[prefix + "_creation_date_range_from"] = ebay_timestamp(created_from)
    if created_to:
        params[prefix + "_creation_date_range_to"] = ebay_timestamp(created_to)
    return params


def _page(body):
    """``(members, total pages, total entries)`` of a Post-Order search answer."""
    body = body or {}
    pagination = body.get("paginationOutput") or {}
    members = body.get("members") or []
    return members, int(pagination.get("totalPages") or 0), int(pagination.get("totalEntries") or len(members))


class InquiryAdapter(PostOrderAdapter):
    """The seller's side of eBay's item-not-received inquiries (reads count as pulls, answers as pushes)."""

    base = INQUIRY_BASE

    def search_page(self, created_from=None, created_to=None, page=1, limit=PAGE_SIZE):
        """One page (from 1) of the seller's inquiries created in the range: ``(raw summaries, pages, total)``."""
        params = _search_params("inquiry", created_from, created_to, page, limit)
        return _page(self._call("GET", "/search", "post_order.read", params=params).body)

    def get(self, inquiry_id):
        """The raw InquiryDetailsResponse of one inquiry."""
        return self._call("GET", "/" + quoted(inquiry_id), "post_order.read").body or {}

    def provide_shipment_info(self, inquiry_id, carrier, tracking_number, shipped_at, comments=None):
        """Tell the buyer the item shipped: the carrier (a ShippingCarrierEnum name), the tracking number
        (without spaces or hyphens, as eBay asks) and the shipping date."""
        if not (carrier and tracking_number and shipped_at):
            raise ValueError("shipment info needs the carrier, the tracking number and the shipping date")
        payload = {"shippedWithTracking": True, "shippingCarrierName": carrier,
                   "trackingNumber": tracking_number.replace(" ", "").replace("-", ""),
                   "shippingDate": date_time(shipped_at)}
        if comments:
            payload["sellerComments"] = {"content": comments}
        self._call("POST", "/%s/provide_shipment_info" % quoted(inquiry_id), "post_order.write", json=payload)

    def issue_refund(self, inquiry_id, comments=None):
        """Refund the buyer in full for the missing line item (eBay takes no amount)."""
        payload = {"comments": {"content": comments}} if comments else {}
        self._call("POST", "/%s/issue_refund" % quoted(inquiry_id), "post_order.write", json=payload)


class CaseAdapter(PostOrderAdapter):
    """eBay's cases (inquiries and returns escalated): read only (the seller answers them on eBay)."""

    base = CASE_BASE

    def search_page(self, created_from=None, created_to=None, page=1, limit=PAGE_SIZE):
        """One page (from 1) of the seller's cases created in the range: ``(raw summaries, pages, total)``."""
        params = _search_params("case", created_from, created_to, page, limit)
        return _page(self._call("GET", "/search", "post_order.read", params=params).body)

    def get(self, case_id):
        """The raw CaseDetailsResponse of one case."""
        return self._call("GET", "/" + quoted(case_id), "post_order.read").body or {}

