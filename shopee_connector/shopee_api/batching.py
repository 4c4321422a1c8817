"""Shopee's per-call limits, and splitting work into calls that respect them (with the platform-neutral
batcher of marketplace_core/batching.py)."""
from datetime import timedelta

try:
    from ...marketplace_base.marketplace_core.batching import check_batch, chunked
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.batching import check_batch, chunked

WINDOW_LIMIT = timedelta(days=15)  # get_order_list: time_to - time_from must stay under 15 days
MAX_WINDOW = WINDOW_LIMIT - timedelta(minutes=1)  # our windows: strictly under it, whatever the rounding
MAX_PAGE_SIZE = 100               # get_order_list: page_size 1..100
MAX_ORDER_SNS = 50                # get_order_detail: order_sn_list 1..50
MAX_MODELS = 50                   # update_stock / update_price: stock_list / price_list 1..50

__all__ = ["MAX_MODELS", "MAX_ORDER_SNS", "MAX_PAGE_SIZE", "MAX_WINDOW", "WINDOW_LIMIT", "check_batch", "chunked",
           "windows"]


def windows(since, until, span=MAX_WINDOW):
    """Consecutive [start, end] windows covering since..until, each strictly shorter than Shopee's 15 days."""
    if until <= since:
        return []
    result, start = [], since
    while start < until:
        end = min(until, start + span)
        result.append((start, end))
        start = end
    return result
