"""Splitting work into calls of the size a marketplace API accepts (the one batcher of all platforms)."""
from itertools import islice


def chunked(iterable, size):
    """Yield lists of at most ``size`` items, in order; the last one may be shorter."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def check_batch(items, limit, what):
    """Return ``items`` as a list, or raise ValueError before any HTTP when the marketplace would refuse
    the call for holding more than ``limit`` entries (or none)."""
    items = list(items)
    if not 1 <= len(items) <= limit:
        raise ValueError(f"{what} takes 1 to {limit} entries per call, got {len(items)}")
    return items
