"""Post-Order API returns (``/post-order/v2/return``): adapter, mapper and state mapping.

eBay's call reference (developer.ebay.com/devzone/post-order/, found with ``search``): GET /return/search
(GetSummaryResponse: ``members[]`` of ReturnSummaryType, ``paginationOutput``), GET /return/{returnId}
(GetDetailResponse: ``summary`` and ``detail`` as ``fieldgroups`` asks), POST /return/{returnId}/decide
(DecideReturnRequest: ``decision`` of DecisionEnum, ``comments``, ``RMANumber``, ``partialRefundAmount``,
``keepOriginalItem``), POST /return/{returnId}/mark_as_received (MarkAsReceivedRequest: ``comments``), POST
/return/{returnId}/issue_refund (IssueRefundRequest: ``refundDetail`` RefundDetailType with ``totalAmount`` and
one ``itemizedRefundDetail`` {``refundAmount``, ``refundFeeType`` of RefundFeeTypeEnum} per refund type, adding
up to it; ``comments``; answer IssueRefundResponse ``{refundStatus}`` of Refund_MoneyMovementStatusEnum),
GET /return/{returnId}/files (``files[]`` of ReturnFileType: ``fileId``, ``fileName``, ``fileData`` base64,
``fileFormat`` of FileFormatEnum, ``filePurpose``, ``creationDate``: the buyer's photos among them); the seller's
own return label: POST /return/{returnId}/file/upload (UploadFileRequest ``{data: base64, fileName,
filePurpose}`` → ``{fileId}``), POST /return/{returnId}/file/submit (``{filePurpose}``: activates the uploaded
files), POST /return/{returnId}/add_shipping_label (ProvideLabelRequest: ``labelAction`` UPLOAD_LABEL for the
seller's own label, ``fileId``, ``carrierName``, ``labelId`` its tracking number). Types:
ReturnStateEnum, ReturnStatusEnum, ReturnCreationInfoType (``item`` with ``itemId``, ``transactionId``,
``returnQuantity``; ``reason``; ``comments``; ``creationDate``), ``sellerResponseDue`` (``activityDue``,
``respondByDate``), ``sellerTotalRefund`` (``estimatedRefundAmount``, ``actualRefundAmount``), Text
(``{"content": ...}``). What no page showed is listed in docs/ebay-api.md.
"""
import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal

from .errors import MappingError
from .fulfillment import ebay_timestamp
from .mappers import _mapping
from .post_order import PostOrderAdapter, date_value, quoted

BASE = "/post-order/v2/return"
LABEL_PURPOSE = "LABEL_RELATED"
PAGE_SIZE = 200  # UNCONFIRMED: the search page shows ``limit`` without a maximum

# The platform-neutral states of marketplace.return
REQUESTED, PARTIAL_OFFERED, APPROVED, DECLINED = "requested", "partial_offered", "approved", "declined"
ITEM_SHIPPED, ITEM_RECEIVED, REFUNDED, CLOSED = "item_shipped", "item_received", "refunded", "closed"

# ReturnStatusEnum (the return's stage) decides; ReturnStateEnum only when eBay sent no status this maps.
# A closed return with money refunded is *refunded*, else *closed* (``return_state``).
STATUS_STATES = {
    "RETURN_REQUESTED": REQUESTED,
    "RETURN_REQUESTED_TIMEOUT": REQUESTED,
    "PARTIAL_REFUND_REQUESTED": PARTIAL_OFFERED,
    "PARTIAL_REFUND_DECLINED": REQUESTED,      # the buyer refused the offer: the seller answers again
    "PARTIAL_REFUND_FAILED": REQUESTED,
    "WAITING_FOR_RMA": APPROVED,
    "WAITING_FOR_RETURN_LABEL": APPROVED,
    "RETURN_LABEL_REQUESTED": APPROVED,
    "READY_FOR_SHIPPING": APPROVED,
    "ITEM_SHIPPED": ITEM_SHIPPED,
    "ITEM_DELIVERED": ITEM_RECEIVED,
    "RETURN_REJECTED": DECLINED,
    "PARTIAL_REFUND_INITIATED": REFUNDED,
    "LESS_THAN_A_FULL_REFUND_ISSUED": REFUNDED,
    "ESCALATED": CLOSED,                       # now an eBay return case (the disputes' side)
    "CLOSED": CLOSED,
}
STATE_STATES = {
    "INITIAL": REQUESTED,
    "RETURN_REQUESTED": REQUESTED,
    "PARTIAL_REFUND_REQUESTED": PARTIAL_OFFERED,
    "ITEM_READY_TO_SHIP": APPROVED,
    "ITEM_SHIPPED": ITEM_SHIPPED,
    "ITEM_DELIVERED": ITEM_RECEIVED,
    "ITEM_KEPT": REFUNDED,
    "AUTO_REFUND_INITIATED": REFUNDED,
    "REFUND_INITIATED": REFUNDED,
    "PARTIAL_REFUND_INITIATED": REFUNDED,
    "LESS_THAN_A_FULL_REFUND_ISSUED": REFUNDED,
    "RETURN_REJECTED": DECLINED,
    "CLOSED": CLOSED,
}

# the connector's answers -> DecisionEnum (the seller's values; the buyer's are refused by eBay)
DECISIONS = {"approve": "APPROVE", "decline": "DECLINE", "partial_refund": "OFFER_PARTIAL_REFUND"}


def return_state(status, state, refunded=None):
    """The neutral state of an eBay return from its ReturnStatusEnum, else its ReturnStateEnum; a closed
    return that refunded money (``refunded`` > 0) is *refunded*. An unknown pair raises MappingError (a new
    eBay value is reported, never guessed)."""
    neutral = STATUS_STATES.get(status or "") or STATE_STATES.get(state or "")
    if not neutral:
        raise MappingError(f"unknown eBay return status {status!r} / state {state!r}")
    if neutral == CLOSED and status != "ESCALATED" and refunded:
        return REFUNDED
    return neutral


def decision(answer):
    """eBay's DecisionEnum value of the connector's answer; ValueError for one eBay lacks."""
    try:
        return DECISIONS[answer]
    except KeyError:
        raise ValueError(f"eBay has no seller's return decision for {answer!r}") from None


def issue_refund_request(amount, currency, comments=None, decimals=2):
    """The IssueRefundRequest refunding ``amount`` (a Decimal) of a return: the item's purchase price, eBay's
    PURCHASE_PRICE refund type (the return's estimated refund; Odoo does not split it into shipping and tax), in
    the currency's ``decimals``. ValueError for an amount eBay would refuse (not positive)."""
    value = amount.quantize(Decimal(1).scaleb(-decimals))
    if value <= 0:
        raise ValueError(f"a return's refund must be more than 0 (got {amount})")
    total = {"value": float(value), "currency": currency}   # Post-Order's Amount.value is a number
    body = {"refundDetail": {"itemizedRefundDetail": [{"refundAmount": dict(total), "refundFeeType": "PURCHASE_PRICE"}],
                             "totalAmount": total}}
    if comments:
        body["comments"] = {"content": comments}
    return body


def _amount(container):
    container = container or {}
    return Decimal(str(container["value"])) if container.get("value") is not None else None


def _text(value):
    """The content of a Post-Order Text ``{"content": ...}`` (or a bare string)."""
    return (value.get("content") if isinstance(value, dict) else value) or None


@dataclass(frozen=True)
class ReturnItem:
    item_id: str | None
    transaction_id: str | None
    quantity: int


@dataclass(frozen=True)
class EbayReturn:
    return_id: str
    order_id: str
    state: str                 # neutral state (return_state)
    ebay_state: str | None
    ebay_status: str | None
    reason: str | None         # ReturnReasonEnum
    comments: str | None
    items: tuple               # ReturnItem
    requested_at: object       # aware datetime or None
    respond_by: object         # the seller's response due date, or None
    refund_amount: Decimal | None   # actual refund, else the estimated one
    currency: str | None
    rma_number: str | None
    tracking_number: str | None
    carrier: str | None
    has_detail: bool           # read with its ReturnDetailType (RMA, tracking); a search gives the summary only


@_mapping("return")
def map_return(summary, detail=None):
    """A ReturnSummaryType (search, or ``summary`` of get) with the ReturnDetailType of get → EbayReturn."""
    return_id = summary["returnId"]
    if not return_id:
        raise MappingError("cannot map return: no returnId")
    detail = detail or {}
    creation = summary.get("creationInfo") or {}
    item = creation.get("item") or {}
    refund = summary.get("sellerTotalRefund") or {}
    actual, estimated = _amount(refund.get("actualRefundAmount")), _amount(refund.get("estimatedRefundAmount"))
    currency = (refund.get("actualRefundAmount") or refund.get("estimatedRefundAmount") or {}).get("currency")
    tracking = (detail.get("returnShipmentInfo") or {}).get("shipmentTracking") or {}
    due = summary.get("sellerResponseDue") or {}
    return EbayReturn(
        return_id=str(return_id),
        order_id=str(summary["orderId"]),
        state=return_state(summary.get("status"), summary.get("state"), actual),
        ebay_state=summary.get("state"),
        ebay_status=summary.get("status"),
        reason=creation.get("reason"),
        comments=_text(creation.get("comments")),
        items=(ReturnItem(str(item["itemId"]) if item.get("itemId") else None,
                          str(item["transactionId"]) if item.get("transactionId") else None,
                          int(item.get("returnQuantity") or 1)),) if item else (),
        requested_at=date_value(creation.get("creationDate")),
        respond_by=date_value(due.get("respondByDate")),
        refund_amount=actual if actual is not None else estimated,
        currency=currency,
        rma_number=detail.get("RMANumber"),
        tracking_number=tracking.get("trackingNumber"),
        carrier=tracking.get("carrierName"),
        has_detail=bool(detail),
    )


# FileFormatEnum -> the attachment's mimetype (UNCONFIRMED: the enum's values beyond the image formats eBay's
# upload accepts; an unknown format is kept as a plain file)
FILE_MIMETYPES = {"JPEG": "image/jpeg", "JPG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
                  "BMP": "image/bmp", "PDF": "application/pdf"}


def return_files(files):
    """The files of a return (GET /files) as attachments' values ``[{"name", "raw", "mimetype"}]``; a file
    without data or whose data is not base64 is left out (reported by the count the caller compares)."""
    attachments = []
    for file in files or ():
        try:
            raw = base64.b64decode(file.get("fileData") or "", validate=True)
        except (binascii.Error, ValueError):
            continue
        if not raw:
            continue
        file_format = str(file.get("fileFormat") or "").upper()
        extension = {"JPEG": "jpg"}.get(file_format, file_format.lower() or "bin")
        attachments.append({"name": file.get("fileName") or "%s.%s" % (file.get("fileId") or "file", extension),
                            "raw": raw, "mimetype": FILE_MIMETYPES.get(file_format, "application/octet-stream")})
    return attachments


class ReturnAdapter(PostOrderAdapter):
    """The seller's side of eBay's return calls (reads count as pulls, answers as pushes)."""

    base = BASE

    def search_page(self, created_from=None, created_to=None, page=1, limit=PAGE_SIZE, order_id=None):
        """One page (from 1) of the seller's returns created in the range, or of one order:
        ``(raw ReturnSummaryType list, total pages, total returns)``."""
        params = {"limit": limit, "offset": page}
        if order_id:
            params["order_id"] = str(order_id)
        if created_from:
            params["creation_date_range_from"] = ebay_timestamp(created_from)
        if created_to:
            params["creation_date_range_to"] = ebay_timestamp(created_to)
        body = self._call("GET", "/search", "post_order.read", params=params).body or {}
        pagination = body.get("paginationOutput") or {}
        members = body.get("members") or []
        return members, int(pagination.get("totalPages") or 0), int(pagination.get("totalEntries") or len(members))

    def get(self, return_id):
        """``(summary, detail)`` of one return."""
        body = self._call("GET", "/" + quoted(return_id), "post_order.read", params={"fieldgroups": "FULL"}).body
        body = body or {}
        return body.get("summary") or {}, body.get("detail") or {}

    def files(self, return_id):
        """The files attached to a return (the buyer's photos of the item, labels, proofs), with their data."""
        body = self._call("GET", "/%s/files" % quoted(return_id), "post_order.read").body or {}
        return body.get("files") or []

    def send_label(self, return_id, file_name, content, carrier=None, tracking=None):
        """The seller's own return label for the buyer: the file uploaded and submitted as LABEL_RELATED, then
        given to the return with ``add_shipping_label`` (UPLOAD_LABEL). Each step may be sent again: a second
        upload adds a file, and add_shipping_label creates or updates the return's label."""
        path = "/%s" % quoted(return_id)
        answer = self._call("POST", path + "/file/upload", "post_order.write", json={
            "data": base64.b64encode(content).decode(), "fileName": file_name, "filePurpose": LABEL_PURPOSE}).body
        file_id = (answer or {}).get("fileId")
        if not file_id:
            raise MappingError("eBay's file upload answered no fileId")
        self._call("POST", path + "/file/submit", "post_order.write", json={"filePurpose": LABEL_PURPOSE})
        label = {"labelAction": "UPLOAD_LABEL", "fileId": str(file_id)}
        if carrier:
            label["carrierName"] = carrier
        if tracking:
            label["labelId"] = tracking
        self._call("POST", path + "/add_shipping_label", "post_order.write", json=label)

    def decide(self, return_id, answer, comments=None, rma_number=None, amount=None, currency=None):
        """The seller's answer to a return request: approve (with an RMA number), decline (with the seller's
        comments) or offer a partial refund of ``amount`` (the buyer keeps the item)."""
        payload = {"decision": decision(answer)}
        if comments:
            payload["comments"] = {"content": comments}
        if answer == "approve" and rma_number:
            payload["RMANumber"] = rma_number
        if answer == "partial_refund":
            if amount is None or not currency:
                raise ValueError("a partial refund offer needs its amount and currency")
            payload["partialRefundAmount"] = {"value": float(amount), "currency": currency}
            payload["keepOriginalItem"] = True
        self._call("POST", "/%s/decide" % quoted(return_id), "post_order.write", json=payload)

    def mark_as_received(self, return_id, comments=None):
        """The returned item arrived at the seller's."""
        payload = {"comments": {"content": comments}} if comments else {}
        self._call("POST", "/%s/mark_as_received" % quoted(return_id), "post_order.write", json=payload)

    def issue_refund(self, return_id, amount, currency, comments=None, decimals=2):
        """Refund the buyer ``amount`` of the return (signed for an EU/UK seller); returns eBay's refundStatus."""
        body = self._call("POST", "/%s/issue_refund" % quoted(return_id), "post_order.write",
                          json=issue_refund_request(amount, currency, comments, decimals)).body or {}
        return body.get("refundStatus")
