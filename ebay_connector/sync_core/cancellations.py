"""eBay cancellations (``ebay_api.post_order.Cancellation``) -> marketplace.cancellation values; the window
of a cancellation pull. Pure: no Odoo, no HTTP."""
from datetime import timedelta

from .times import to_naive_utc

# eBay's search looks back at most 18 months; a first pull needs far less
INITIAL_DAYS = 30


def cancellation_values(cancellation):
    """The values ``marketplace.cancellation._sync_from_marketplace`` takes for one eBay cancellation."""
    return {
        "external_cancel_id": cancellation.cancel_id,
        "external_order_id": cancellation.order_id,
        "requester": cancellation.requester,
        "reason": cancellation.reason or False,
        "state": cancellation.state,
        "external_state": "/".join(filter(None, (cancellation.ebay_status, cancellation.ebay_state))) or False,
        "requested_at": to_naive_utc(cancellation.requested_at),
        "response_due_at": to_naive_utc(cancellation.respond_by),
        "closed_at": to_naive_utc(cancellation.closed_at),
        "refund_amount": float(cancellation.refund_amount) if cancellation.refund_amount is not None else 0.0,
    }


def cancellation_window(synced_until, now, overlap_minutes):
    """The creation-date window ``since`` of a pull: the watermark minus the overlap (late-indexed requests
    are not missed), or INITIAL_DAYS back on the first run."""
    if synced_until:
        return min(synced_until - timedelta(minutes=max(0, overlap_minutes)), now)
    return now - timedelta(days=INITIAL_DAYS)


def next_cancellation_watermark(current, until, waiting_since):
    """Where the shop's cancellation watermark goes after a run up to ``until``: not past the earliest
    request whose order Odoo did not know yet (``waiting_since``: it is imported with its order first and
    found again next time), never back."""
    mark = min(until, waiting_since) if waiting_since else until
    return max(mark, current) if current else mark
