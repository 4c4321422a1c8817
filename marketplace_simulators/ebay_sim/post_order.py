"""Post-Order API cancellations: search, get, check_eligibility, create, approve, reject, and the
``/_sim/cancellations`` control that makes a buyer's request.

Held to eBay's call reference (developer.ebay.com/devzone/post-order/post-order_v2_cancellation*): the token
comes as ``Authorization: IAF <token>``; DateTime values are ``{"value": ...}``; only an entire order is
cancelled; a seller gives only seller reasons (CancelReasonEnum); approve and reject answer a request waiting
for the seller (CANCEL_REQUESTED) and nothing else; reject takes ``{}`` at least. An approved request or a
seller's own cancellation closes at once with the refund (CANCEL_CLOSED_WITH_REFUND) and cancels the order
(``cancelStatus`` of getOrder). Error ids are the simulator's choice (eBay's pages list none per call).
"""
import json
import time

from .errors import EbayError, bad_request, error_detail, not_found
from .formats import iso, parse_iso
from .fulfillment import load_order, shipped_quantities
from .orders import save_order
from .refunds import refund_the_rest
from .routing import empty_response, json_response
from .signatures import check as check_signature

DOMAIN = "API_POSTORDER"
SELLER_REASONS = {"BUYER_ASKED_CANCEL", "OUT_OF_STOCK_OR_CANNOT_FULFILL", "ADDRESS_ISSUES", "ORDER_UNPAID"}
BUYER_REASONS = {"ORDER_MISTAKE", "FOUND_CHEAPER_PRICE", "WONT_ARRIVE_IN_TIME", "PRICE_TOO_HIGH",
                 "WRONG_SHIPPING_ADDRESS", "WRONG_SHIPPING_METHOD", "WRONG_PAYMENT_METHOD"}
SELLER_RESPONSE_SECONDS = 3 * 86400   # the seller's time to answer (UNCONFIRMED: eBay's pages give none)
OPEN = "CANCEL_REQUESTED"


def _load(db, cancel_id):
    data = db.scalar("SELECT data FROM cancellations WHERE cancel_id=?", (cancel_id,))
    if data is None:
        raise not_found(1001, DOMAIN, f"The cancellation {cancel_id} was not found.", {"cancelId": cancel_id})
    return json.loads(data)


def _save(db, cancellation):
    db.execute("INSERT OR REPLACE INTO cancellations(cancel_id, order_id, creation_date, data) VALUES (?,?,?,?)",
               (cancellation["cancelId"], cancellation["legacyOrderId"],
                cancellation["cancelRequestDate"]["value"], json.dumps(cancellation)))


def _open_cancellation(db, order_id):
    for (data,) in db.all("SELECT data FROM cancellations WHERE order_id=?", (order_id,)):
        cancellation = json.loads(data)
        if cancellation["cancelStatus"] in (OPEN, "CANCEL_PENDING"):
            return cancellation
    return None


def _failures(db, order):
    """EligibilityFailureReasonEnum values that stop a new cancellation of the order."""
    failures = []
    if order["cancelStatus"]["cancelState"] == "CANCELED":
        failures.append("ORDER_ALREADY_CANCELLED")
    if _open_cancellation(db, order["orderId"]):
        failures.append("CANCELLATION_EXIST")
    if sum(shipped_quantities(db, order["orderId"]).values()):
        failures.append("ITEM_SHIPPED")
    return failures


def _new(db, order, requestor, reason):
    now = time.time()
    cancel_id = str(db.next_counter("cancellation", start=5000000001))
    total = order["pricingSummary"]["total"]
    cancellation = {
        "cancelId": cancel_id, "legacyOrderId": order["orderId"], "marketplaceId": "EBAY_US",
        "requestorType": requestor, "cancelReason": reason, "cancelState": "CLOSED", "cancelStatus": OPEN,
        "buyerLoginName": order["buyer"]["username"], "cancelRequestDate": {"value": iso(now)},
        "requestRefundAmount": dict(total), "paymentStatus": order.get("orderPaymentStatus"),
    }
    if requestor == "BUYER":
        cancellation.update(cancelState="APPROVAL_PENDING",
                            sellerResponseDueDate={"value": iso(now + SELLER_RESPONSE_SECONDS)})
    return cancellation


def _order_request(order, cancellation, request_state):
    """What getOrder shows of the request under ``cancelStatus.cancelRequests``."""
    order["cancelStatus"]["cancelRequests"] = [{
        "cancelInitiator": cancellation["requestorType"], "cancelReason": cancellation["cancelReason"],
        "cancelRequestedDate": cancellation["cancelRequestDate"]["value"],
        "cancelRequestId": cancellation["cancelId"], "cancelRequestState": request_state}]


def _close_with_refund(db, cancellation):
    """The order is cancelled and the buyer refunded (what an approval or a seller's cancellation ends in)."""
    now = iso()
    cancellation.update(cancelState="CLOSED", cancelStatus="CANCEL_CLOSED_WITH_REFUND",
                        cancelCloseDate={"value": now})
    cancellation.pop("sellerResponseDueDate", None)
    refund_the_rest(db, cancellation["legacyOrderId"])
    order = load_order(db, cancellation["legacyOrderId"])
    order["cancelStatus"]["cancelState"] = "CANCELED"
    order["cancelStatus"]["cancelledDate"] = now
    _order_request(order, cancellation, "COMPLETED")
    order["orderPaymentStatus"] = "FULLY_REFUNDED"
    order["lastModifiedDate"] = now
    save_order(db, order)
    _save(db, cancellation)


def _waiting_for_seller(cancellation):
    if cancellation["cancelStatus"] != OPEN or cancellation["requestorType"] != "BUYER":
        raise bad_request(1002, DOMAIN, "The cancellation request is not waiting for the seller's answer "
                          f"(status {cancellation['cancelStatus']}).", {"cancelId": cancellation["cancelId"]})


# -- seller calls ---------------------------------------------------------------------------------------
def creation_date_filter(query, error_id, prefix=""):
    """The SQL conditions and arguments of a Post-Order search's ``<prefix>creation_date_range_from/to``
    (cancellations, returns; ``inquiry_``, ``case_``); a date eBay cannot read is refused with ``error_id``."""
    where, args = [], []
    for name, operator in ((prefix + "creation_date_range_from", ">="), (prefix + "creation_date_range_to", "<=")):
        if query.get(name):
            try:
                args.append(iso(parse_iso(query[name])))
            except ValueError:
                raise bad_request(error_id, DOMAIN, f"Invalid {name}: {query[name]}", {name: query[name]}) from None
            where.append(f"creation_date {operator} ?")
    return where, args


def search(req):
    """GET /post-order/v2/cancellation/search — by creation date range, paged by limit/offset."""
    query = req.query
    if query.get("cancel_id"):
        rows = [(req.db.scalar("SELECT data FROM cancellations WHERE cancel_id=?", (query["cancel_id"],)),)]
        rows = [row for row in rows if row[0]]
    else:
        where, args = creation_date_filter(query, 1003)
        if query.get("legacy_order_id"):
            where.append("order_id = ?")
            args.append(query["legacy_order_id"])
        sql = "SELECT data FROM cancellations" + (" WHERE " + " AND ".join(where) if where else "")
        rows = req.db.all(sql + " ORDER BY creation_date, cancel_id", args)
    try:
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
    except ValueError:
        raise bad_request(1004, DOMAIN, "limit and offset must be numbers.") from None
    if not 1 <= limit <= 200 or offset < 0:
        raise bad_request(1004, DOMAIN, "limit must be 1 to 200 and offset at least 0.",
                          {"limit": limit, "offset": offset})
    page = [json.loads(data) for (data,) in rows[offset:offset + limit]]
    for cancellation in page:
        cancellation.pop("activityHistories", None)
    total = len(rows)
    pagination = {"limit": limit, "offset": offset, "totalEntries": total, "totalPages": -(-total // limit)}
    return json_response({"cancellations": page, "paginationOutput": pagination, "total": total})


def get(req):
    """GET /post-order/v2/cancellation/{cancelId} — ``{"cancelDetail": ...}``."""
    return json_response({"cancelDetail": _load(req.db, req.params["cancelId"])})


def check_eligibility(req):
    """POST /post-order/v2/cancellation/check_eligibility — OrderEligibilityResult."""
    order_id = req.json().get("legacyOrderId")
    if not order_id:
        raise bad_request(1005, DOMAIN, "legacyOrderId is required.")
    order = load_order(req.db, order_id)
    failures = _failures(req.db, order)
    result = {"legacyOrderId": order_id, "eligible": not failures}
    if failures:
        result["failureReason"] = failures
    else:
        result["eligibleCancelReason"] = sorted(SELLER_REASONS)
    return json_response(result)


def create(req):
    """POST /post-order/v2/cancellation — the seller cancels the whole order with a seller's reason (signed for an
    EU/UK seller)."""
    check_signature(req)
    body = req.json()
    order_id, reason = body.get("legacyOrderId"), body.get("cancelReason")
    if not order_id:
        raise bad_request(1005, DOMAIN, "legacyOrderId is required.")
    if reason not in SELLER_REASONS:
        raise bad_request(1006, DOMAIN, f"{reason} is not a cancellation reason a seller may give.",
                          {"cancelReason": reason or ""})
    with req.db.transaction() as db:
        order = load_order(db, order_id)
        failures = _failures(db, order)
        if failures:
            return json_response({"orderEligibilityResult": {
                "legacyOrderId": order_id, "eligible": False, "failureReason": failures}})
        cancellation = _new(db, order, "SELLER", reason)
        _close_with_refund(db, cancellation)
    return json_response({"cancelId": cancellation["cancelId"]}, 201)


def approve(req):
    """POST /post-order/v2/cancellation/{cancelId}/approve — no body; 200 (signed for an EU/UK seller)."""
    check_signature(req)
    with req.db.transaction() as db:
        cancellation = _load(db, req.params["cancelId"])
        _waiting_for_seller(cancellation)
        if sum(shipped_quantities(db, cancellation["legacyOrderId"]).values()):
            raise EbayError(400, [error_detail(1007, DOMAIN, "The order has shipped: it can no longer be "
                                               "cancelled.", parameters={"cancelId": cancellation["cancelId"]})])
        _close_with_refund(db, cancellation)
    return empty_response(200)


def reject(req):
    """POST /post-order/v2/cancellation/{cancelId}/reject — ``{}`` or shipmentDate / trackingNumber."""
    body = req.json()   # eBay refuses a reject without a body: {} at least
    shipment = body.get("shipmentDate")
    if shipment is not None and not (isinstance(shipment, dict) and shipment.get("value")):
        raise bad_request(1008, DOMAIN, "shipmentDate must be a DateTime {\"value\": ...}.")
    with req.db.transaction() as db:
        cancellation = _load(db, req.params["cancelId"])
        _waiting_for_seller(cancellation)
        cancellation.update(cancelState="CLOSED", cancelStatus="CANCEL_REJECTED", cancelCloseDate={"value": iso()})
        cancellation.pop("sellerResponseDueDate", None)
        for name in ("shipmentDate", "trackingNumber"):
            if body.get(name):
                cancellation[name] = body[name]
        order = load_order(db, cancellation["legacyOrderId"])
        order["cancelStatus"]["cancelState"] = "NONE_REQUESTED"
        _order_request(order, cancellation, "REJECTED")
        order["lastModifiedDate"] = iso()
        save_order(db, order)
        _save(db, cancellation)
    return empty_response(200)


# -- /_sim control ---------------------------------------------------------------------------------------
def post_buyer_request(req):
    """POST /_sim/cancellations ``{"orderId", "reason"?, "age_seconds"?}`` — the buyer asks to cancel."""
    body = req.json()
    reason = body.get("reason", "ORDER_MISTAKE")
    if reason not in BUYER_REASONS:
        raise bad_request(1, "SIMULATOR", f"{reason} is not a buyer's cancellation reason")
    with req.db.transaction() as db:
        order = load_order(db, body.get("orderId") or "")
        failures = _failures(db, order)
        if failures:
            raise bad_request(1, "SIMULATOR", "order not eligible: " + ", ".join(failures))
        cancellation = _new(db, order, "BUYER", reason)
        order["cancelStatus"]["cancelState"] = "CANCEL_REQUESTED"
        _order_request(order, cancellation, "REQUESTED")
        order["lastModifiedDate"] = iso()
        save_order(db, order)
        _save(db, cancellation)
    return json_response(cancellation, 201)


ROUTES = [
    ("GET", "/post-order/v2/cancellation/search", search, "iaf"),
    ("POST", "/post-order/v2/cancellation/check_eligibility", check_eligibility, "iaf"),
    ("POST", "/post-order/v2/cancellation", create, "iaf"),
    ("GET", "/post-order/v2/cancellation/{cancelId}", get, "iaf"),
    ("POST", "/post-order/v2/cancellation/{cancelId}/approve", approve, "iaf"),
    ("POST", "/post-order/v2/cancellation/{cancelId}/reject", reject, "iaf"),
    ("POST", "/_sim/cancellations", post_buyer_request, "sim"),
]
