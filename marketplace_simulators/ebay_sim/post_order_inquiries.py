"""Post-Order API item-not-received inquiries and cases: inquiry search, get, provide_shipment_info, issue_refund
(escalate is the buyer's: refused to the seller); case search and get; and the ``/_sim/inquiries`` and
``/_sim/cases`` controls that make a buyer's inquiry, the buyer's reply, an escalation to a case (of an inquiry or
of a return) and the case's closing.

Held to eBay's call reference (developer.ebay.com/devzone/post-order/post-order_v2_inquiry*, ..._casemanagement*):
the token comes as ``Authorization: IAF <token>``; DateTime values are ``{"value": ...}``; an inquiry is of one
order line (``itemId`` + ``transactionId``: summaries name no order); provide_shipment_info wants the carrier
(``shippingCarrierName``), the tracking number without spaces or hyphens and the shipping date unless
``proofOfShipmentUploaded`` is true, and answers no body; issue_refund is a full refund of the line (no amount;
signed for an EU/UK seller). Both answer an inquiry whose next action is the seller's (OPEN,
WAITING_SELLER_RESPONSE) only. Cases are read only for the seller here (eBay's call index lists appeal, get and
search). Error ids, the seller's response window and the status each answer leads to are the simulator's choice,
listed as unconfirmed in docs/ebay-api.md.
"""
import json
import time
from decimal import Decimal

from .errors import bad_request, not_found
from .formats import iso
from .fulfillment import load_order, shipped_quantities
from .post_order import DOMAIN, creation_date_filter
from .refunds import make_refund
from .routing import empty_response, json_response
from .signatures import check as check_signature

SELLER_RESPONSE_SECONDS = 3 * 86400   # the seller's time to answer an inquiry (UNCONFIRMED)
CASE_RESPONSE_SECONDS = 3 * 86400     # the next action's deadline on a case (UNCONFIRMED)
SELLERS_TURN = {"OPEN", "WAITING_SELLER_RESPONSE"}
CLOSED_CASE = {"CLOSED", "CS_CLOSED"}
CASE_STATUSES = {"OPEN", "WAITING_DELIVERY", "WAITING_CS", "ON_HOLD", "REFUND_AGREED_BUT_FAILED", "CLOSED",
                 "CS_CLOSED", "OTHER"}
CASE_LINK = "https://resolutioncenter.ebay-sim.local/case/%s"   # what the simulator gives as buyerProtectedProgramLink


def _load(db, table, key, value, error_id):
    data = db.scalar(f"SELECT data FROM {table} WHERE {key}=?", (value,))
    if data is None:
        raise not_found(error_id, DOMAIN, f"{table[:-1]} {value} was not found.", {key: value})
    return json.loads(data)


def _save_inquiry(db, record):
    db.execute("INSERT OR REPLACE INTO inquiries(inquiry_id, creation_date, data) VALUES (?,?,?)",
               (record["inquiryId"], record["creationDate"]["value"], json.dumps(record)))


def _save_case(db, record):
    db.execute("INSERT OR REPLACE INTO cases(case_id, creation_date, data) VALUES (?,?,?)",
               (record["caseId"], record["creationDate"]["value"], json.dumps(record)))


def _refused(code, message, inquiry_id):
    return bad_request(code, DOMAIN, message, {"inquiryId": inquiry_id})


def _move(record, status, due_seconds=None):
    record.update(inquiryStatusEnum=status, lastModifiedDate={"value": iso()})
    if due_seconds:
        record["respondByDate"] = {"value": iso(time.time() + due_seconds)}
    else:
        record.pop("respondByDate", None)


def _page(req, table, prefix, error_id):
    """One page of a search by creation date (``offset``: the page, from 1)."""
    query = req.query
    where, args = creation_date_filter(query, error_id, prefix=prefix)
    sql = f"SELECT data FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")
    rows = req.db.all(sql + " ORDER BY creation_date", args)
    try:
        limit, page = int(query.get("limit", 25)), int(query.get("offset", 1))
    except ValueError:
        raise bad_request(error_id, DOMAIN, "limit and offset must be numbers.") from None
    if not 1 <= limit <= 200 or page < 1:
        raise bad_request(error_id, DOMAIN, "limit must be 1 to 200 and offset (the page) at least 1.",
                          {"limit": limit, "offset": page})
    members = [json.loads(data) for (data,) in rows[(page - 1) * limit:page * limit]]
    total = len(rows)
    return members, {"limit": limit, "offset": page, "totalEntries": total, "totalPages": -(-total // limit)}


# -- inquiries: the seller's calls --------------------------------------------------------------------------
def search_inquiries(req):
    """GET /post-order/v2/inquiry/search — InquirySummaryType members by creation date, paged."""
    members, pagination = _page(req, "inquiries", "inquiry_", 1201)
    summary_fields = ("inquiryId", "inquiryStatusEnum", "itemId", "transactionId", "buyer", "seller",
                      "claimAmount", "creationDate", "lastModifiedDate", "respondByDate")
    return json_response({"members": [{name: member[name] for name in summary_fields if name in member}
                                      for member in members], "paginationOutput": pagination})


def get_inquiry(req):
    """GET /post-order/v2/inquiry/{inquiryId} — InquiryDetailsResponse."""
    record = _load(req.db, "inquiries", "inquiry_id", req.params["inquiryId"], 1202)
    detail = {"inquiryId": record["inquiryId"], "itemId": record["itemId"], "transactionId": record["transactionId"],
              "status": record["inquiryStatusEnum"], "claimAmount": record["claimAmount"],
              "inquiryDetails": {"creationDate": record["creationDate"]},
              "shipmentTrackingDetails": record.get("shipmentTrackingDetails", [])}
    if record.get("respondByDate"):
        detail["sellerMakeItRightByDate"] = record["respondByDate"]
    return json_response(detail)


def provide_shipment_info(req):
    """POST /post-order/v2/inquiry/{inquiryId}/provide_shipment_info — the seller says the item shipped."""
    body = req.json()
    inquiry_id = req.params["inquiryId"]
    uploaded = body.get("proofOfShipmentUploaded") is True
    tracking = body.get("trackingNumber")
    if not uploaded:
        missing = [name for name in ("shippingCarrierName", "trackingNumber", "shippingDate") if not body.get(name)]
        if missing:
            raise _refused(1203, "shippingCarrierName, trackingNumber and shippingDate are required unless "
                                 "proofOfShipmentUploaded is true (missing: %s)." % ", ".join(missing), inquiry_id)
        if not isinstance(body["shippingDate"], dict) or not body["shippingDate"].get("value"):
            raise _refused(1203, "shippingDate must be a DateTime {\"value\": ...}.", inquiry_id)
        if any(char in tracking for char in " -"):
            raise _refused(1204, "trackingNumber must be passed without hyphens or spaces.", inquiry_id)
    with req.db.transaction() as db:
        record = _load(db, "inquiries", "inquiry_id", inquiry_id, 1202)
        if record["inquiryStatusEnum"] not in SELLERS_TURN:
            raise _refused(1205, "The inquiry is not waiting for the seller (status %s)."
                           % record["inquiryStatusEnum"], inquiry_id)
        record.setdefault("shipmentTrackingDetails", []).append(
            {"trackingNumber": tracking, "shippingCarrierName": body.get("shippingCarrierName"),
             "shippingDate": body.get("shippingDate")})
        _move(record, "WAITING_BUYER_RESPONSE", SELLER_RESPONSE_SECONDS)
        _save_inquiry(db, record)
    return empty_response(200)


def issue_refund(req):
    """POST /post-order/v2/inquiry/{inquiryId}/issue_refund — a full refund of the line; the inquiry closes."""
    check_signature(req)
    body = req.json(required=False)
    comments = body.get("comments")
    if comments is not None and not isinstance(comments, dict):
        raise bad_request(1206, DOMAIN, "comments must be a Text {\"content\": ...}.")
    inquiry_id = req.params["inquiryId"]
    with req.db.transaction() as db:
        record = _load(db, "inquiries", "inquiry_id", inquiry_id, 1202)
        if record["inquiryStatusEnum"] not in SELLERS_TURN:
            raise _refused(1205, "The inquiry is not waiting for the seller (status %s)."
                           % record["inquiryStatusEnum"], inquiry_id)
        make_refund(db, record["orderId"], {"orderLevelRefundAmount": record["claimAmount"]}, issued=False)
        _move(record, "CLOSED")
        record["refunded"] = True
        _save_inquiry(db, record)
    return json_response({"refundResult": {"refundStatus": "SUCCESS"}})


def escalate(req):
    """POST /post-order/v2/inquiry/{inquiryId}/escalate — the buyer's call: a seller's token is refused."""
    raise _refused(1207, "Only the buyer escalates an inquiry to a case.", req.params["inquiryId"])


# -- cases: read only ---------------------------------------------------------------------------------------
def search_cases(req):
    """GET /post-order/v2/casemanagement/search — CaseSummaryType members by creation date, paged."""
    members, pagination = _page(req, "cases", "case_", 1211)
    summary_fields = ("caseId", "caseStatusEnum", "itemId", "transactionId", "buyer", "seller", "claimAmount",
                      "creationDate", "lastModifiedDate", "respondByDate")
    return json_response({"members": [{name: member[name] for name in summary_fields if name in member}
                                      for member in members], "paginationOutput": pagination,
                          "totalNumberOfCases": pagination["totalEntries"]})


def get_case(req):
    """GET /post-order/v2/casemanagement/{caseId} — CaseDetailsResponse."""
    record = _load(req.db, "cases", "case_id", req.params["caseId"], 1212)
    return json_response({"caseId": record["caseId"], "caseType": record["caseType"],
                          "status": record["caseStatusEnum"], "itemId": record["itemId"],
                          "transactionId": record["transactionId"], "claimAmount": record["claimAmount"],
                          "caseDetails": {"creationDate": record["creationDate"],
                                          "escalationDate": record["creationDate"]},
                          "buyerProtectedProgramLink": CASE_LINK % record["caseId"]})


# -- /_sim controls ---------------------------------------------------------------------------------------
def post_buyer_inquiry(req):
    """POST /_sim/inquiries ``{"orderId", "lineItemId"?}`` — the buyer says a shipped item never arrived (the
    order's first shipped line unless named)."""
    body = req.json()
    with req.db.transaction() as db:
        order = load_order(db, body.get("orderId") or "")
        shipped = shipped_quantities(db, order["orderId"])
        lines = [line for line in order["lineItems"] if shipped.get(line["lineItemId"])
                 and line["lineItemId"] == body.get("lineItemId", line["lineItemId"])]
        if not lines:
            raise bad_request(1, "SIMULATOR", "nothing shipped on this order (line): the buyer cancels instead")
        line = lines[0]
        now = time.time()
        total = order["pricingSummary"]["total"]
        claim = Decimal(str(line["lineItemCost"]["value"])) if line.get("lineItemCost") else Decimal(total["value"])
        record = {
            "inquiryId": str(db.next_counter("inquiry", start=5300000001)), "orderId": order["orderId"],
            "inquiryStatusEnum": "OPEN", "itemId": line["legacyItemId"], "transactionId": "T" + line["lineItemId"],
            "buyer": order["buyer"]["username"], "seller": "sim_seller",
            "claimAmount": {"value": str(min(claim, Decimal(total["value"]))), "currency": total["currency"]},
            "creationDate": {"value": iso(now)}, "lastModifiedDate": {"value": iso(now)},
            "respondByDate": {"value": iso(now + SELLER_RESPONSE_SECONDS)},
        }
        _save_inquiry(db, record)
    return json_response(record, 201)


def post_buyer_reply(req):
    """POST /_sim/inquiries/{inquiryId}/reply — the buyer still has nothing: the seller's turn again."""
    with req.db.transaction() as db:
        record = _load(db, "inquiries", "inquiry_id", req.params["inquiryId"], 1202)
        if record["inquiryStatusEnum"] != "WAITING_BUYER_RESPONSE":
            raise bad_request(1, "SIMULATOR", "the inquiry is not waiting for the buyer")
        _move(record, "WAITING_SELLER_RESPONSE", SELLER_RESPONSE_SECONDS)
        _save_inquiry(db, record)
    return json_response(record)


def _new_case(db, source, case_type, order_id):
    now = time.time()
    record = {"caseId": str(db.next_counter("case", start=5400000001)), "caseType": case_type,
              "caseStatusEnum": "OPEN", "orderId": order_id, "itemId": source["itemId"],
              "transactionId": source["transactionId"], "buyer": source["buyer"], "seller": "sim_seller",
              "claimAmount": source["claimAmount"], "creationDate": {"value": iso(now)},
              "lastModifiedDate": {"value": iso(now)}, "respondByDate": {"value": iso(now + CASE_RESPONSE_SECONDS)}}
    _save_case(db, record)
    return record


def post_escalate_inquiry(req):
    """POST /_sim/inquiries/{inquiryId}/escalate — the buyer escalates the inquiry: it closes, a case opens."""
    with req.db.transaction() as db:
        record = _load(db, "inquiries", "inquiry_id", req.params["inquiryId"], 1202)
        if record["inquiryStatusEnum"] not in SELLERS_TURN | {"WAITING_BUYER_RESPONSE"}:
            raise bad_request(1, "SIMULATOR", "the inquiry is closed: " + record["inquiryStatusEnum"])
        _move(record, "CLOSED_WITH_ESCALATION")
        _save_inquiry(db, record)
        case = _new_case(db, record, "ITEM_NOT_RECEIVED", record["orderId"])
    return json_response(case, 201)


def post_escalate_return(req):
    """POST /_sim/cases ``{"returnId"}`` — the buyer escalates a return: it closes (ESCALATED), a case opens."""
    body = req.json()
    with req.db.transaction() as db:
        data = db.scalar("SELECT data FROM returns WHERE return_id=?", (str(body.get("returnId") or ""),))
        if data is None:
            raise bad_request(1, "SIMULATOR", "no such return")
        record = json.loads(data)
        summary = record["summary"]
        if summary["status"] in ("CLOSED", "ESCALATED"):
            raise bad_request(1, "SIMULATOR", "the return is closed: " + summary["status"])
        item = summary["creationInfo"]["item"]
        order = load_order(db, summary["orderId"])
        claim = summary["sellerTotalRefund"]["estimatedRefundAmount"]
        summary.update(status="ESCALATED", state="CLOSED")
        summary.pop("sellerResponseDue", None)
        db.execute("UPDATE returns SET data=? WHERE return_id=?", (json.dumps(record), summary["returnId"]))
        case = _new_case(db, {"itemId": item["itemId"], "transactionId": item["transactionId"],
                              "buyer": order["buyer"]["username"], "claimAmount": claim}, "RETURN", order["orderId"])
    return json_response(case, 201)


def post_case_status(req):
    """POST /_sim/cases/{caseId}/status ``{"status"}`` — eBay moves the case (WAITING_CS, CLOSED...)."""
    status = req.json().get("status")
    if status not in CASE_STATUSES:
        raise bad_request(1, "SIMULATOR", f"{status} is not a CaseStatusEnum value")
    with req.db.transaction() as db:
        record = _load(db, "cases", "case_id", req.params["caseId"], 1212)
        record.update(caseStatusEnum=status, lastModifiedDate={"value": iso()})
        if status != "OPEN":
            record.pop("respondByDate", None)
        _save_case(db, record)
    return json_response(record)


ROUTES = [
    ("GET", "/post-order/v2/inquiry/search", search_inquiries, "iaf"),
    ("GET", "/post-order/v2/inquiry/{inquiryId}", get_inquiry, "iaf"),
    ("POST", "/post-order/v2/inquiry/{inquiryId}/provide_shipment_info", provide_shipment_info, "iaf"),
    ("POST", "/post-order/v2/inquiry/{inquiryId}/issue_refund", issue_refund, "iaf"),
    ("POST", "/post-order/v2/inquiry/{inquiryId}/escalate", escalate, "iaf"),
    ("GET", "/post-order/v2/casemanagement/search", search_cases, "iaf"),
    ("GET", "/post-order/v2/casemanagement/{caseId}", get_case, "iaf"),
    ("POST", "/_sim/inquiries", post_buyer_inquiry, "sim"),
    ("POST", "/_sim/inquiries/{inquiryId}/reply", post_buyer_reply, "sim"),
    ("POST", "/_sim/inquiries/{inquiryId}/escalate", post_escalate_inquiry, "sim"),
    ("POST", "/_sim/cases", post_escalate_return, "sim"),
    ("POST", "/_sim/cases/{caseId}/status", post_case_status, "sim"),
]
