"""Shopee's per-call limits, and splitting work into calls that respect them."""
from datetime import timedelta
from itertools import islice

MAX_WINDOW = timedelta(days=15)   # get_order_list: time_from..time_to at most 15 days apart
MAX_PAGE_SIZE = 100               # get_order_list: page_size 1..100
MAX_ORDER_SNS = 50                # get_order_detail: order_sn_list 1..50
MAX_MODELS = 50                   # update_stock / update_price: stock_list / price_list 1..50


def chunked(iterable, size):
    """Lists of at most ``size`` items, in order."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def check_batch(items, limit, what):
    """``items`` as a list, or ValueError before any HTTP when Shopee would refuse the call's size."""
    items = list(items)
    if not 1 <= len(items) <= limit:
        raise ValueError(f"{what} takes 1 to {limit} entries per call, got {len(items)}")
    return items


def windows(since, until, span=MAX_WINDOW):
    """Consecutive [start, end] windows covering since..until, none longer than Shopee allows."""
    if until <= since:
        return []
    result, start = [], since
    while start < until:
        end = min(until, start + span)
        result.append((start, end))
        start = end
    return result
