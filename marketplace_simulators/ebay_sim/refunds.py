"""Refunds: ``POST /sell/fulfillment/v1/order/{orderId}/issue_refund`` (IssueRefundRequest / Refund of
``fulfillment.yml``, its error ids 349xx) and a refund made in Seller Hub (``POST /_sim/orders/{orderId}/refund``).

A cancellation closed with its refund (Post-Order approval or the seller's own, ``/_sim/orders/{id}/cancel``)
refunds what is left (``refund_the_rest``). A refund shows at once on getOrder(s): at the order's level in
``paymentSummary.refunds`` (``refundId`` for one made by issueRefund, ``refundReferenceId`` always), per line in
``lineItems[].refunds`` for a line-level refund;
the order's ``orderPaymentStatus`` becomes PARTIALLY_REFUNDED or FULLY_REFUNDED and its ``lastModifiedDate``
moves. The Finances API gets its REFUND transaction (a DEBIT) with the ORDER_ID and REFUND_ID references. Refused
as eBay refuses: an unsigned call of an EU/UK seller (``signatures.check``), no or an unknown reason, no amount, an
amount not positive or finer than the cent, another currency, an unknown line, more than the order (34915) or the
line (34924) has left to refund, an order refunded in full (34917).
"""
from decimal import Decimal, InvalidOperation

from . import signatures
from .errors import EbayError, bad_request, error_detail
from .finances import _insert_transaction
from .formats import cents_of, iso, money
from .fulfillment import load_order
from .orders import save_order
from .routing import json_response

DOMAIN = "API_FULFILLMENT"
REASONS = {"BUYER_CANCEL", "SELLER_CANCEL", "ITEM_NOT_RECEIVED", "BUYER_RETURN", "ITEM_NOT_AS_DESCRIBED",
           "OTHER_ADJUSTMENT", "SHIPPING_DISCOUNT"}
COMMENT_MAX = 100


def _cents(amount, currency, field):
    """Integer cents of a SimpleAmount, refused as eBay refuses it."""
    if not isinstance(amount, dict) or amount.get("value") in (None, ""):
        raise bad_request(34906, DOMAIN, "The amount value must be specified.", {"field": field})
    try:
        value = Decimal(str(amount["value"]))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise bad_request(34907, DOMAIN, "The amount value must be positive and within two decimals.",
                          {"field": field, "value": str(amount["value"])})
    if not amount.get("currency"):
        raise bad_request(34908, DOMAIN, "The amount currency must be specified.", {"field": field})
    if amount["currency"] != currency:
        raise bad_request(34909, DOMAIN, "The amount currency isn't correct.", {"field": field})
    return int(value * 100)


def _refunded(refunds):
    return sum(cents_of(refund["amount"]) for refund in refunds if refund.get("refundStatus") != "FAILED")


def _left(order):
    """Cents the order has left to refund (its total, without eBay-collected tax, less every refund)."""
    line_refunds = [refund for line in order["lineItems"] for refund in line.get("refunds") or ()]
    return (cents_of(order["pricingSummary"]["total"]) - _refunded(order["paymentSummary"]["refunds"])
            - _refunded(line_refunds))


def _line_items(body, order, currency):
    """[(line, cents)] of ``refundItems``: known lines, each within what it has left."""
    lines = {line["lineItemId"]: line for line in order["lineItems"]}
    legacy = {(line.get("legacyItemId"), line.get("legacyTransactionId")): line for line in order["lineItems"]}
    items = []
    for item in body["refundItems"]:
        item = item if isinstance(item, dict) else {}
        reference = item.get("legacyReference")
        if item.get("lineItemId"):
            line = lines.get(str(item["lineItemId"]))
        elif isinstance(reference, dict):
            if not reference.get("legacyItemId"):
                raise bad_request(34911, DOMAIN, "Legacy item id must be specified for item level refund if you "
                                                 "use legacyReference.")
            if not reference.get("legacyTransactionId"):
                raise bad_request(34912, DOMAIN, "Legacy transaction id must be specified for item level refund "
                                                 "if you use legacyReference.")
            line = legacy.get((reference["legacyItemId"], reference["legacyTransactionId"]))
        else:
            raise bad_request(34910, DOMAIN, "Either legacyReference or lineItemId must be specified for item "
                                             "level refund.")
        if line is None:
            raise bad_request(34914, DOMAIN, "Can't find the item in the order.", {"lineItemId": item.get(
                "lineItemId") or ""})
        cents = _cents(item.get("refundAmount"), currency, "refundAmount")
        if cents > cents_of(line["total"]) - _refunded(line.get("refunds") or ()):
            message = "The item refund amount exceeds the item remaining amount."
            raise EbayError(409, [error_detail(34924, DOMAIN, message, parameters={"lineItemId": line["lineItemId"]})])
        items.append((line, cents))
    return items


def make_refund(db, order_id, body, issued):
    """Validate and record a refund of ``order_id``; returns (refund id, order). ``issued``: made by
    issueRefund (it gets a ``refundId``) rather than in Seller Hub."""
    order = load_order(db, order_id)
    currency = order["pricingSummary"]["total"]["currency"]
    if issued:
        if not body:
            raise bad_request(34902, DOMAIN, "Request can't be empty.")
        if body.get("reasonForRefund") not in REASONS:
            raise bad_request(34903, DOMAIN, "The refund reason must be specified.",
                              {"reasonForRefund": str(body.get("reasonForRefund") or "")})
        if len(body.get("comment") or "") > COMMENT_MAX:
            raise bad_request(34921, DOMAIN, "The comment exceeds the length limit.")
    if order.get("orderPaymentStatus") == "FULLY_REFUNDED":
        raise bad_request(34917, DOMAIN, "This order was already refunded.")
    if body.get("refundItems"):
        items = _line_items(body, order, currency)
        cents = sum(item_cents for _line, item_cents in items)
    elif body.get("orderLevelRefundAmount") is not None:
        items, cents = [], _cents(body["orderLevelRefundAmount"], currency, "orderLevelRefundAmount")
    else:
        raise bad_request(34905, DOMAIN, "Either orderLevelRefundAmount or refundItems must be specified.")
    left = _left(order)
    if cents > left:
        raise bad_request(34915, DOMAIN, "The refund amount exceeds order amount.",
                          {"orderId": order_id, "remaining": money(left, currency)["value"]})
    seq = db.next_counter("refund")
    reference, now = f"REF{seq:09d}", iso()
    ids = {"refundId": f"5{seq:011d}"} if issued else {}
    if items:
        for line, item_cents in items:
            # LineItemRefund has no refundStatus (fulfillment.yml)
            line.setdefault("refunds", []).append({**ids, "refundReferenceId": reference, "refundDate": now,
                                                   "amount": money(item_cents, currency)})
    else:
        order["paymentSummary"]["refunds"].append({**ids, "refundReferenceId": reference, "refundDate": now,
                                                   "amount": money(cents, currency), "refundStatus": "REFUNDED"})
    order["orderPaymentStatus"] = "FULLY_REFUNDED" if cents == left else "PARTIALLY_REFUNDED"
    order["lastModifiedDate"] = now
    save_order(db, order)
    refund_id = ids.get("refundId") or reference
    _insert_transaction(db, {
        "transactionType": "REFUND", "bookingEntry": "DEBIT", "amount": money(cents, currency), "orderId": order_id,
        "buyer": {"username": order["buyer"]["username"]}, "transactionMemo": body.get("comment") or None,
        "references": [{"referenceId": order_id, "referenceType": "ORDER_ID"},
                       {"referenceId": refund_id, "referenceType": "REFUND_ID"}]})
    return refund_id, order


def refund_the_rest(db, order_id):
    """The buyer gets back what the order has left to refund (a cancellation closed with its refund); nothing
    when it is refunded in full already."""
    order = load_order(db, order_id)
    left = _left(order)
    if left > 0 and order.get("orderPaymentStatus") != "FULLY_REFUNDED":
        currency = order["pricingSummary"]["total"]["currency"]
        make_refund(db, order_id, {"orderLevelRefundAmount": money(left, currency)}, issued=False)


def issue_refund(req):
    """POST /sell/fulfillment/v1/order/{orderId}/issue_refund → 200 Refund {refundId, refundStatus PENDING}."""
    signatures.check(req)
    body = req.json(required=False) or {}
    with req.db.transaction() as db:
        refund_id, _order = make_refund(db, req.params["orderId"], body, issued=True)
    return json_response({"refundId": refund_id, "refundStatus": "PENDING"})


def post_sim_refund(req):
    """A refund the seller made in Seller Hub: ``{"amount": "5.00"}`` or ``{"lineItems": [{"lineItemId",
    "amount"}]}``; answers its refund id."""
    body = req.json(required=False) or {}
    with req.db.transaction() as db:
        currency = load_order(db, req.params["orderId"])["pricingSummary"]["total"]["currency"]
        request = ({"refundItems": [{"lineItemId": item.get("lineItemId"),
                                     "refundAmount": {"value": item.get("amount"), "currency": currency}}
                                    for item in body["lineItems"]]} if body.get("lineItems")
                   else {"orderLevelRefundAmount": {"value": body.get("amount"), "currency": currency}})
        refund_id, order = make_refund(db, req.params["orderId"], request, issued=False)
    return json_response({"refundId": refund_id, "orderPaymentStatus": order["orderPaymentStatus"]})


ROUTES = [
    ("POST", "/sell/fulfillment/v1/order/{orderId}/issue_refund", issue_refund, "user"),
    ("POST", "/_sim/orders/{orderId}/refund", post_sim_refund, "sim"),
]
