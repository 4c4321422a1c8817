"""The value types of a stock or price push, shared by every platform: one listing's wanted value, a refusal,
and the changed-only rule.

A platform's exporter makes a ``PushItem`` per listing (a subclass adds the ids its API needs, as keyword-only
fields), the base keeps the changed ones (``changed_items``), batches them and hands each batch to the platform's
call, which answers (accepted items, ``Rejection``s).
"""
from dataclasses import dataclass

from .batching import chunked


@dataclass(frozen=True)
class PushItem:
    """One listing's wanted online value next to what the marketplace was last told."""

    binding_id: int | None
    sku: str
    value: object  # int quantity, or the price as the platform takes it
    last_value: object = None
    synced: bool = True  # False until the marketplace accepted a value once: the last value means nothing yet


@dataclass(frozen=True)
class Rejection:
    """A pushed item the marketplace refused: why, and whether a later try may pass."""

    item: PushItem
    message: str
    retryable: bool = False


def changed_items(items):
    """"No change = no write": the items never synced, or whose value differs from the last one sent; an unchanged
    listing costs no request."""
    return [item for item in items if not item.synced or item.value != item.last_value]


def batches(items, size, key=None):
    """``items`` in the calls a marketplace accepts: at most ``size`` a call, and, with ``key``, only items of one
    key in a call (e.g. Shopee: one item's models a call), keys in the order they first appear."""
    groups = {}
    for item in items:
        groups.setdefault(key(item) if key else None, []).append(item)
    return [chunk for group in groups.values() for chunk in chunked(group, size)]
