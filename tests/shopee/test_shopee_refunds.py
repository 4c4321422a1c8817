"""Shopee has no seller refund call: a paid order Shopee cancelled is refunded in full by Shopee, and that refund
is the order's (one id per order, so it is booked once whatever the re-imports)."""
from decimal import Decimal

from shopee_api.mappers import cancellation_refunds

from marketplace_core.refunds import Refund


def test_a_paid_cancelled_order_is_refunded_in_full_once():
    detail = {"order_sn": "SN1", "order_status": "CANCELLED", "pay_time": 1700000000, "cod": False}
    assert cancellation_refunds(detail, 1290.0) == (Refund(Decimal("1290.0"), ref="SN1:cancel"),)
    assert cancellation_refunds(dict(detail, order_status="READY_TO_SHIP"), 1290.0) == ()
    assert cancellation_refunds(dict(detail, pay_time=None), 1290.0) == (), "never paid: nothing to refund"
    assert cancellation_refunds(dict(detail, cod=True), 1290.0) == (), "cash on delivery: nothing was paid"
