"""The batcher of the eBay client: the platform-neutral one (marketplace_core/batching.py).

eBay's limits stay beside the calls they bound (inventory.py: 25 SKUs per bulk call, 5 migrations;
fulfillment.py: 50 order ids).
"""
try:
    from ...marketplace_base.marketplace_core.batching import check_batch, chunked
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.batching import check_batch, chunked

__all__ = ["check_batch", "chunked"]
