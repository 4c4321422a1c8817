"""eBay cancellations -> marketplace.cancellation values, and the window and watermark of a cancellation pull."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from ebay_api.post_order import Cancellation
from sync_core.cancellations import (
    INITIAL_DAYS,
    cancellation_values,
    cancellation_window,
    next_cancellation_watermark,
)

NOW = datetime(2026, 12, 7, 12, 0)


def test_values_are_naive_utc_and_name_the_order():
    cancellation = Cancellation("5001", "12-3", "EBAY_US", "buyer", "ORDER_MISTAKE", "requested", "APPROVAL_PENDING",
                                "CANCEL_REQUESTED", datetime(2026, 12, 7, 13, tzinfo=timezone(timedelta(hours=1))),
                                datetime(2026, 12, 10, 12, tzinfo=timezone.utc), None, Decimal("9.90"), "USD")
    values = cancellation_values(cancellation)
    assert values["external_cancel_id"] == "5001" and values["external_order_id"] == "12-3"
    assert values["requested_at"] == datetime(2026, 12, 7, 12, 0)
    assert values["response_due_at"] == datetime(2026, 12, 10, 12, 0)
    assert values["closed_at"] is False and values["refund_amount"] == 9.9
    assert values["external_state"] == "CANCEL_REQUESTED/APPROVAL_PENDING"


def test_window_starts_at_the_watermark_minus_the_overlap_or_looks_back_on_the_first_run():
    assert cancellation_window(NOW - timedelta(minutes=3), NOW, 10) == NOW - timedelta(minutes=13)
    assert cancellation_window(None, NOW, 10) == NOW - timedelta(days=INITIAL_DAYS)


def test_watermark_waits_for_requests_of_orders_not_imported_and_never_goes_back():
    mark = NOW - timedelta(hours=1)
    assert next_cancellation_watermark(mark, NOW, None) == NOW
    assert next_cancellation_watermark(mark, NOW, NOW - timedelta(minutes=5)) == NOW - timedelta(minutes=5)
    assert next_cancellation_watermark(mark, NOW, NOW - timedelta(hours=2)) == mark
    assert next_cancellation_watermark(None, NOW, None) == NOW
