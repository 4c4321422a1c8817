"""eBay's refunds of an order, pure: what getOrder(s) report (``paymentSummary.refunds`` at the order's level,
``lineItems[].refunds`` per line) as ``marketplace_core.refunds.Refund`` records, and the body of
``POST /order/{orderId}/issue_refund`` (``IssueRefundRequest`` of ``fulfillment.yml``).

A refund's id is its ``refundId`` (the one issueRefund answers with), else its ``refundReferenceId`` (refunds
made otherwise: Seller Hub, a cancellation, a return). A line-level refund of several lines shows on each line
under one id: they make one refund. FAILED refunds are none.
"""
from decimal import Decimal

try:
    from ...marketplace_base.marketplace_core.refunds import Refund, quantize
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.refunds import Refund, quantize

# ReasonForRefundEnum (developer.ebay.com/api-docs/sell/fulfillment/types/api:ReasonForRefundEnum)
REASONS = ("BUYER_CANCEL", "SELLER_CANCEL", "ITEM_NOT_RECEIVED", "BUYER_RETURN", "ITEM_NOT_AS_DESCRIBED",
           "OTHER_ADJUSTMENT", "SHIPPING_DISCOUNT")
# marketplace_core.refunds.REASONS -> eBay's
EBAY_REASONS = {"buyer_cancel": "BUYER_CANCEL", "seller_cancel": "SELLER_CANCEL",
                "item_not_received": "ITEM_NOT_RECEIVED", "buyer_return": "BUYER_RETURN",
                "item_not_as_described": "ITEM_NOT_AS_DESCRIBED", "other_adjustment": "OTHER_ADJUSTMENT",
                "shipping_discount": "SHIPPING_DISCOUNT"}
COMMENT_MAX = 100     # IssueRefundRequest.comment: Max Length 100
FAILED = "FAILED"


def refund_id(raw_refund):
    return raw_refund.get("refundId") or raw_refund.get("refundReferenceId") or None


def _amount(raw_refund):
    return Decimal(str((raw_refund.get("amount") or {}).get("value") or 0))


def order_refunds(raw_order):
    """The refunds eBay reports on one getOrder(s) order, in the order they appear (FAILED ones left out)."""
    refunds, line_amounts = [], {}
    for raw in (raw_order.get("paymentSummary") or {}).get("refunds") or ():
        if raw.get("refundStatus") != FAILED and refund_id(raw):
            refunds.append(Refund(_amount(raw), ref=refund_id(raw)))
    for line in raw_order.get("lineItems") or ():
        for raw in line.get("refunds") or ():
            if raw.get("refundStatus") != FAILED and refund_id(raw):
                line_amounts.setdefault(refund_id(raw), []).append((str(line.get("lineItemId")), _amount(raw)))
    refunds += [Refund.of_lines(amounts, ref) for ref, amounts in line_amounts.items()]
    return tuple(refunds)


def issue_refund_body(refund, currency, reason, comment=None, decimals=2):
    """The IssueRefundRequest of ``refund`` (a ``Refund``: its lines become ``refundItems``, else
    ``orderLevelRefundAmount``), with eBay's ``reason`` and an optional ``comment`` (ValueError when eBay
    would refuse them)."""
    if reason not in REASONS:
        raise ValueError(f"reasonForRefund must be one of {', '.join(REASONS)} (got {reason!r})")
    if comment and len(comment) > COMMENT_MAX:
        raise ValueError(f"the comment exceeds {COMMENT_MAX} characters")
    body = {"reasonForRefund": reason}
    if comment:
        body["comment"] = comment
    if refund.lines:
        body["refundItems"] = [{"lineItemId": line_id, "refundAmount": _simple(amount, currency, decimals)}
                               for line_id, amount in refund.lines]
    else:
        body["orderLevelRefundAmount"] = _simple(refund.amount, currency, decimals)
    return body


def _simple(amount, currency, decimals):
    return {"value": str(quantize(amount, decimals)), "currency": currency}


def unbooked_refund(raw_order, known_ids, amount):
    """The id of a refund of ``raw_order`` that Odoo does not know (``known_ids``) and whose amount is
    ``amount``: the refund an earlier, unanswered issueRefund made (None when eBay has none: it may be sent)."""
    return next((refund.ref for refund in order_refunds(raw_order)
                 if refund.ref not in known_ids and refund.amount == Decimal(str(amount))), None)
