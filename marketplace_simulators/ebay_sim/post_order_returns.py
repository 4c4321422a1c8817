"""Post-Order API returns: search, get, decide, mark_as_received, issue_refund, and the ``/_sim/returns`` controls
that make a buyer's return request and move it (the buyer ships with tracking; eBay refunds).

Held to eBay's call reference (developer.ebay.com/devzone/post-order/post-order_v2_return*): the token comes as
``Authorization: IAF <token>``; DateTime values are ``{"value": ...}``, Text values ``{"content": ...}``; a return
is of one order line item; the seller's decisions are APPROVE, DECLINE, OFFER_PARTIAL_REFUND (the buyer's values,
ACCEPT_/DECLINE_PARTIAL_REFUND and the replacement ones, are refused) and answer a request waiting for the seller
(RETURN_REQUESTED) only; a partial refund needs ``partialRefundAmount`` within what the buyer paid;
mark_as_received takes an item the buyer sent (or was to send); the seller's own label is a file uploaded
(base64 ``data`` of an image or PDF, a FilePurposeEnum ``filePurpose``), activated by ``file/submit``, then given by
``add_shipping_label`` (a LabelActionEnum ``labelAction``; UPLOAD_LABEL needs a submitted LABEL_RELATED
``fileId``) while the return is approved and the item not sent. issue_refund (IssueRefundRequest: ``refundDetail``
with ``totalAmount`` and one ``itemizedRefundDetail`` per RefundFeeTypeEnum whose amounts add up to it; answer
IssueRefundResponse ``{refundStatus}`` of Refund_MoneyMovementStatusEnum) refunds a return whose item is back
(ITEM_DELIVERED: the simulator's reading of eBay's rule that the seller refunds once the item is received), in the
return's currency, more than 0 and at most the return's refund (its estimated amount) and what the order has left
(34915); the return then closes with its actual refund, shown on getOrder as a refund of the order.
``decide`` and ``issue_refund`` are signed for an EU/UK seller.
Error ids are the simulator's choice (eBay's pages list none per call); the paging (``offset`` as a page number
from 1) and the statuses each decision leads to are listed as unconfirmed in docs/ebay-api.md.
"""
import base64
import binascii
import json
import time
from decimal import Decimal, InvalidOperation

from .errors import bad_request, not_found
from .formats import cents_of, iso, money
from .fulfillment import load_order, shipped_quantities
from .post_order import DOMAIN, creation_date_filter
from .refunds import make_refund
from .routing import empty_response, json_response
from .signatures import check as check_signature

BUYER_REASONS = {"NOT_AS_DESCRIBED", "DEFECTIVE_ITEM", "WRONG_SIZE", "NO_LONGER_NEED_ITEM", "ORDERED_WRONG_ITEM",
                 "MISSING_PARTS", "ARRIVED_DAMAGED", "DIFFERENT_FROM_LISTING", "FOUND_BETTER_PRICE"}
SELLER_DECISIONS = {"APPROVE", "DECLINE", "OFFER_PARTIAL_REFUND"}
SELLER_RESPONSE_SECONDS = 3 * 86400   # the seller's time to answer (eBay: 3 business days; UNCONFIRMED)
WAITING = "RETURN_REQUESTED"
FILE_PURPOSES = {"ITEM_RELATED", "LABEL_RELATED", "REFUND_RELATED"}
LABEL_ACTIONS = {"AU_LABEL", "EBAY_LABEL", "MARK_AS_SENT", "NO_LABEL", "PURCHASE_LABEL", "UPLOAD_LABEL"}
LABEL_STATUSES = ("READY_FOR_SHIPPING", "WAITING_FOR_RETURN_LABEL", "RETURN_LABEL_REQUESTED")
# what the seller may upload: images or a PDF (the magic numbers of the formats eBay's upload names)
FILE_FORMATS = {b"\xff\xd8\xff": "JPEG", b"\x89PNG": "PNG", b"GIF8": "GIF", b"BM": "BMP", b"%PDF": "PDF"}


def _load(db, return_id):
    data = db.scalar("SELECT data FROM returns WHERE return_id=?", (return_id,))
    if data is None:
        raise not_found(1101, DOMAIN, f"The return {return_id} was not found.", {"returnId": return_id})
    return json.loads(data)


def _save(db, record):
    summary = record["summary"]
    db.execute("INSERT OR REPLACE INTO returns(return_id, order_id, creation_date, data) VALUES (?,?,?,?)",
               (summary["returnId"], summary["orderId"], summary["creationInfo"]["creationDate"]["value"],
                json.dumps(record)))


def _move(record, status, state, history):
    """Set the return's status and state; the seller has nothing due any more."""
    summary = record["summary"]
    summary.update(status=status, state=state)
    summary.pop("sellerResponseDue", None)
    record["detail"].setdefault("responseHistory", []).append(
        {"activity": history, "toState": state, "creationDate": {"value": iso()}})


def _refused(code, message, return_id):
    return bad_request(code, DOMAIN, message, {"returnId": return_id})


def _paid(order):
    total = order["pricingSummary"]["total"]
    return Decimal(str(total["value"])), total["currency"]


# -- seller calls ---------------------------------------------------------------------------------------
def search(req):
    """GET /post-order/v2/return/search — by creation date range or order, paged (``offset``: page from 1)."""
    query = req.query
    where, args = creation_date_filter(query, 1103)
    if query.get("order_id"):
        where.append("order_id = ?")
        args.append(query["order_id"])
    sql = "SELECT data FROM returns" + (" WHERE " + " AND ".join(where) if where else "")
    rows = req.db.all(sql + " ORDER BY creation_date, return_id", args)
    try:
        limit, page = int(query.get("limit", 25)), int(query.get("offset", 1))
    except ValueError:
        raise bad_request(1104, DOMAIN, "limit and offset must be numbers.") from None
    if not 1 <= limit <= 200 or page < 1:
        raise bad_request(1104, DOMAIN, "limit must be 1 to 200 and offset (the page) at least 1.",
                          {"limit": limit, "offset": page})
    members = [json.loads(data)["summary"] for (data,) in rows[(page - 1) * limit:page * limit]]
    total = len(rows)
    pagination = {"limit": limit, "offset": page, "totalEntries": total, "totalPages": -(-total // limit)}
    return json_response({"members": members, "paginationOutput": pagination})


def get(req):
    """GET /post-order/v2/return/{returnId} — ``{"summary", "detail"}`` (FULL: both; SUMMARY: the summary)."""
    record = _load(req.db, req.params["returnId"])
    groups = req.query.get("fieldgroups", "FULL")
    if groups not in ("FULL", "SUMMARY"):
        raise bad_request(1105, DOMAIN, f"fieldgroups must be FULL or SUMMARY, not {groups}.")
    answer = {"summary": record["summary"]}
    if groups == "FULL":
        answer["detail"] = record["detail"]
    return json_response(answer)


def decide(req):
    """POST /post-order/v2/return/{returnId}/decide — the seller approves, declines or offers a partial refund."""
    check_signature(req)
    body = req.json()
    return_id = req.params["returnId"]
    choice = body.get("decision")
    if choice not in SELLER_DECISIONS:
        raise _refused(1106, f"{choice} is not a decision a seller may make on a return request.", return_id)
    with req.db.transaction() as db:
        record = _load(db, return_id)
        summary = record["summary"]
        if summary["status"] != WAITING:
            raise _refused(1107, "The return request is not waiting for the seller's decision "
                                 f"(status {summary['status']}).", return_id)
        comments = (body.get("comments") or {}).get("content")
        if choice == "APPROVE":
            if body.get("RMANumber"):
                record["detail"]["RMANumber"] = body["RMANumber"]
            _move(record, "READY_FOR_SHIPPING", "ITEM_READY_TO_SHIP", "SELLER_APPROVE_REQUEST")
        elif choice == "DECLINE":
            _move(record, "RETURN_REJECTED", "RETURN_REJECTED", "SELLER_DECLINE_REQUEST")
        else:
            _offer(db, record, body.get("partialRefundAmount"), return_id)
        if comments:
            record["detail"]["sellerComments"] = comments
        _save(db, record)
    return empty_response(200)


def _offer(db, record, amount, return_id):
    try:
        value, currency = Decimal(str((amount or {})["value"])), amount["currency"]
    except (KeyError, TypeError, InvalidOperation):
        raise _refused(1108, "partialRefundAmount {value, currency} is required to offer a partial "
                             "refund.", return_id) from None
    paid, paid_currency = _paid(load_order(db, record["summary"]["orderId"]))
    if currency != paid_currency or not Decimal(0) < value <= paid:
        raise _refused(1109, f"The partial refund must be more than 0 and at most {paid} {paid_currency}.",
                       return_id)
    record["detail"]["partialRefundOffer"] = {"value": str(value), "currency": currency}
    _move(record, "PARTIAL_REFUND_REQUESTED", "PARTIAL_REFUND_REQUESTED", "SELLER_OFFER_PARTIAL_REFUND")


def mark_as_received(req):
    """POST /post-order/v2/return/{returnId}/mark_as_received — the item is back at the seller's."""
    body = req.json(required=False)
    comments = body.get("comments")
    if comments is not None and not isinstance(comments, dict):
        raise bad_request(1110, DOMAIN, "comments must be a Text {\"content\": ...}.")
    return_id = req.params["returnId"]
    with req.db.transaction() as db:
        record = _load(db, return_id)
        if record["summary"]["status"] not in ("READY_FOR_SHIPPING", "ITEM_SHIPPED"):
            raise _refused(1111, "The return item cannot be marked as received (status "
                                 f"{record['summary']['status']}).", return_id)
        _move(record, "ITEM_DELIVERED", "ITEM_DELIVERED", "SELLER_MARK_AS_RECEIVED")
        _save(db, record)
    return empty_response(200)


def upload_file(req):
    """POST /return/{returnId}/file/upload — ``{data, fileName, filePurpose}``: a file of the return, pending
    until file/submit."""
    body = req.json()
    return_id = req.params["returnId"]
    if body.get("filePurpose") not in FILE_PURPOSES:
        raise _refused(1121, f"filePurpose must be one of {sorted(FILE_PURPOSES)}.", return_id)
    try:
        content = base64.b64decode(body.get("data") or "", validate=True)
    except (binascii.Error, ValueError):
        content = b""
    file_format = next((name for magic, name in FILE_FORMATS.items() if content.startswith(magic)), None)
    if not file_format:
        raise _refused(1122, "data must be a base64 image (BMP, GIF, JPEG, PNG) or PDF file.", return_id)
    with req.db.transaction() as db:
        record = _load(db, return_id)
        files = record.setdefault("files", [])
        file_id = str(6200000000 + len(files))
        files.append({"fileId": file_id, "fileName": body.get("fileName") or file_id, "fileData": body["data"],
                      "fileFormat": file_format, "filePurpose": body["filePurpose"], "fileStatus": "PENDING",
                      "submitterRole": "SELLER", "creationDate": {"value": iso()}})
        _save(db, record)
    return json_response({"fileId": file_id})


def submit_files(req):
    """POST /return/{returnId}/file/submit — ``{filePurpose?}``: the pending files (of that purpose) activated."""
    body = req.json(required=False) or {}
    with req.db.transaction() as db:
        record = _load(db, req.params["returnId"])
        for file in record.get("files", []):
            if file["fileStatus"] == "PENDING" and body.get("filePurpose", file["filePurpose"]) == file["filePurpose"]:
                file["fileStatus"] = "PUBLISHED"
        _save(db, record)
    return empty_response(200)


def add_shipping_label(req):
    """POST /return/{returnId}/add_shipping_label — ProvideLabelRequest; the seller's label for the buyer."""
    body = req.json()
    return_id = req.params["returnId"]
    action = body.get("labelAction")
    if action not in LABEL_ACTIONS:
        raise _refused(1123, f"labelAction must be one of {sorted(LABEL_ACTIONS)}.", return_id)
    with req.db.transaction() as db:
        record = _load(db, return_id)
        if record["summary"]["status"] not in LABEL_STATUSES:
            raise _refused(1124, "A return label goes with an approved return not shipped yet (status "
                                 f"{record['summary']['status']}).", return_id)
        if action == "UPLOAD_LABEL" and not any(
                file["fileId"] == body.get("fileId") and file["filePurpose"] == "LABEL_RELATED"
                and file["fileStatus"] == "PUBLISHED" for file in record.get("files", [])):
            raise _refused(1125, "UPLOAD_LABEL needs the fileId of a submitted LABEL_RELATED file.", return_id)
        record["detail"]["returnShipmentInfo"] = {"shippingLabel": {
            "labelAction": action, "fileId": body.get("fileId"), "carrierName": body.get("carrierName"),
            "labelId": body.get("labelId")}}
        _save(db, record)
    return json_response({"labelId": body.get("labelId"), "trackingNumber": body.get("labelId")})


REFUND_FEE_TYPES = {"PURCHASE_PRICE", "ORIGINAL_SHIPPING", "DOMESTIC_SHIPPING", "INTERNATIONAL_SHIPPING",
                    "ITEM_TAX", "ITEM_IMPORT_TAX", "IMPORT_CHARGE", "ORDER_ADJUSTMENT", "RESTOCKING_FEE", "OTHER"}
REFUNDABLE = "ITEM_DELIVERED"


def _amount_cents(amount, currency, field, return_id):
    """Integer cents of a Post-Order Amount in the return's ``currency``, refused as eBay refuses it."""
    try:
        value = Decimal(str((amount or {})["value"]))
    except (KeyError, TypeError, InvalidOperation):
        raise _refused(1112, f"{field} {{value, currency}} is required.", return_id) from None
    if amount.get("currency") != currency:
        raise _refused(1113, f"{field} must be in the return's currency {currency}.", return_id)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise _refused(1112, f"{field} must be an amount within two decimals.", return_id)
    return int(value * 100)


def issue_refund(req):
    """POST /post-order/v2/return/{returnId}/issue_refund — the seller refunds the buyer of a returned item."""
    check_signature(req)
    body = req.json()
    return_id = req.params["returnId"]
    with req.db.transaction() as db:
        record = _load(db, return_id)
        summary = record["summary"]
        if summary["status"] != REFUNDABLE:
            raise _refused(1114, "The return cannot be refunded before the item is received (status "
                                 f"{summary['status']}).", return_id)
        estimated = summary["sellerTotalRefund"]["estimatedRefundAmount"]
        currency = estimated["currency"]
        detail = body.get("refundDetail") if isinstance(body.get("refundDetail"), dict) else {}
        total = _amount_cents(detail.get("totalAmount"), currency, "refundDetail.totalAmount", return_id)
        items = detail.get("itemizedRefundDetail") or []
        if not isinstance(items, list) or not items:
            raise _refused(1115, "refundDetail.itemizedRefundDetail is required, one per refund type.", return_id)
        parts = []
        for item in items:
            fee_type = item.get("refundFeeType") if isinstance(item, dict) else None
            if fee_type not in REFUND_FEE_TYPES:
                raise _refused(1115, f"{fee_type} is not a refundFeeType.", return_id)
            parts.append(_amount_cents(item.get("refundAmount"), currency, "itemizedRefundDetail.refundAmount",
                                       return_id))
        if sum(parts) != total:
            raise _refused(1116, "The itemized refund amounts must add up to refundDetail.totalAmount.", return_id)
        if not 0 < total <= cents_of(estimated):
            raise _refused(1117, f"The refund must be more than 0 and at most the return's {estimated['value']} "
                                 f"{currency}.", return_id)
        _refund(db, record, money(total, currency), "SELLER_ISSUE_REFUND")
    return json_response({"refundStatus": "SUCCESS"})


def _refund(db, record, amount, history):
    """eBay refunds ``amount`` of the return's order (on getOrder and Finances too) and closes the return."""
    summary = record["summary"]
    summary["sellerTotalRefund"]["actualRefundAmount"] = amount
    make_refund(db, summary["orderId"], {"orderLevelRefundAmount": amount}, issued=False)
    _move(record, "CLOSED", "CLOSED", history)
    _save(db, record)


# -- /_sim controls -------------------------------------------------------------------------------------
def files(req):
    """GET /return/{returnId}/files: the files of the return (ReturnFileType, with their data)."""
    return json_response({"files": _load(req.db, req.params["returnId"]).get("files", [])})


def _buyer_photo(photo, index, now):
    """A photo the buyer attached (``{"fileName"?, "data": base64, "fileFormat"?}``) as eBay lists it."""
    if not photo.get("data"):
        raise bad_request(1, "SIMULATOR", "a photo needs its data (base64)")
    return {"fileId": str(6100000000 + index), "fileName": photo.get("fileName") or "photo%s.jpg" % index,
            "fileData": photo["data"], "fileFormat": photo.get("fileFormat", "JPEG"), "filePurpose": "ITEM_RELATED",
            "fileStatus": "PUBLISHED", "submitterRole": "BUYER", "creationDate": {"value": iso(now)}}


def post_buyer_return(req):
    """POST /_sim/returns ``{"orderId", "lineItemId"?, "quantity"?, "reason"?, "comments"?, "photos"?}`` — the
    buyer asks to return a shipped item (the order's first shipped line unless named), with photos of it."""
    body = req.json()
    reason = body.get("reason", "NOT_AS_DESCRIBED")
    if reason not in BUYER_REASONS:
        raise bad_request(1, "SIMULATOR", f"{reason} is not a buyer's return reason")
    with req.db.transaction() as db:
        order = load_order(db, body.get("orderId") or "")
        shipped = shipped_quantities(db, order["orderId"])
        lines = [line for line in order["lineItems"] if shipped.get(line["lineItemId"])
                 and line["lineItemId"] == body.get("lineItemId", line["lineItemId"])]
        if not lines:
            raise bad_request(1, "SIMULATOR", "nothing shipped to return on this order (line)")
        line = lines[0]
        quantity = int(body.get("quantity", 1))
        if not 1 <= quantity <= shipped[line["lineItemId"]]:
            raise bad_request(1, "SIMULATOR", "quantity must be 1 to what was shipped")
        now = time.time()
        return_id = str(db.next_counter("return", start=5200000001))
        paid, currency = _paid(order)
        estimated = min(paid, Decimal(str(line["lineItemCost"]["value"])) * quantity / line["quantity"]) \
            if line.get("lineItemCost") else paid
        summary = {
            "returnId": return_id, "orderId": order["orderId"], "buyerLoginName": order["buyer"]["username"],
            "currentType": "MONEY_BACK", "state": WAITING, "status": WAITING,
            "creationInfo": {"item": {"itemId": line["legacyItemId"], "transactionId": "T" + line["lineItemId"],
                                      "returnQuantity": quantity},
                             "type": "MONEY_BACK", "reason": reason, "reasonType": "SNAD",
                             "creationDate": {"value": iso(now)}},
            "sellerResponseDue": {"activityDue": "SELLER_APPROVE_REQUEST",
                                  "respondByDate": {"value": iso(now + SELLER_RESPONSE_SECONDS)}},
            "sellerTotalRefund": {"estimatedRefundAmount": {"value": str(estimated), "currency": currency}},
        }
        if body.get("comments"):
            summary["creationInfo"]["comments"] = {"content": body["comments"]}
        record = {"summary": summary, "detail": {"returnShipmentInfo": {}, "responseHistory": []},
                  "files": [_buyer_photo(photo, index, now) for index, photo in enumerate(body.get("photos") or ())]}
        _save(db, record)
    return json_response(summary, 201)


def post_buyer_ships(req):
    """POST /_sim/returns/{returnId}/ship ``{"trackingNumber", "carrier"?}`` — the buyer sends the item back."""
    body = req.json()
    if not body.get("trackingNumber"):
        raise bad_request(1, "SIMULATOR", "trackingNumber is required")
    with req.db.transaction() as db:
        record = _load(db, req.params["returnId"])
        if record["summary"]["status"] != "READY_FOR_SHIPPING":
            raise bad_request(1, "SIMULATOR", "the return is not approved for shipping: "
                              + record["summary"]["status"])
        record["detail"]["returnShipmentInfo"] = {"shipmentTracking": {
            "trackingNumber": body["trackingNumber"], "carrierName": body.get("carrier", "USPS")}}
        _move(record, "ITEM_SHIPPED", "ITEM_SHIPPED", "BUYER_SHIP_ITEM")
        _save(db, record)
    return json_response(record["summary"])


def post_refund(req):
    """POST /_sim/returns/{returnId}/refund ``{"amount"?}`` — eBay refunds the buyer and closes the return."""
    body = req.json(required=False)
    with req.db.transaction() as db:
        record = _load(db, req.params["returnId"])
        summary = record["summary"]
        estimated = summary["sellerTotalRefund"]["estimatedRefundAmount"]
        amount = {"value": str(body.get("amount", estimated["value"])), "currency": estimated["currency"]}
        _refund(db, record, amount, "SELLER_ISSUE_REFUND")
    return json_response(summary)


ROUTES = [
    ("GET", "/post-order/v2/return/search", search, "iaf"),
    ("GET", "/post-order/v2/return/{returnId}", get, "iaf"),
    ("GET", "/post-order/v2/return/{returnId}/files", files, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/decide", decide, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/file/upload", upload_file, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/file/submit", submit_files, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/add_shipping_label", add_shipping_label, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/mark_as_received", mark_as_received, "iaf"),
    ("POST", "/post-order/v2/return/{returnId}/issue_refund", issue_refund, "iaf"),
    ("POST", "/_sim/returns", post_buyer_return, "sim"),
    ("POST", "/_sim/returns/{returnId}/ship", post_buyer_ships, "sim"),
    ("POST", "/_sim/returns/{returnId}/refund", post_refund, "sim"),
]
