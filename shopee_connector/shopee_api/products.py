"""Stock and price adapter: update_stock / update_price, one item and up to 50 models a call.

Shopee answers per model (``success_list`` / ``failure_list``): a refused model does not stop the others.
"""
from dataclasses import dataclass

from .batching import MAX_MODELS, check_batch, chunked

UPDATE_STOCK_PATH = "/api/v2/product/update_stock"
UPDATE_PRICE_PATH = "/api/v2/product/update_price"


@dataclass(frozen=True)
class ModelUpdate:
    """One model's new value (``model_id`` 0 for an item without variations), with the binding it comes
    from and the value Shopee was last told, so only changes are sent."""

    item_id: int
    model_id: int
    value: object
    binding_id: int | None = None
    sku: str = ""
    last_value: object = None
    synced: bool = True


@dataclass(frozen=True)
class Rejection:
    item: ModelUpdate
    message: str
    retryable: bool = False


def changed(updates):
    """"No change = no write": models never synced, or whose value differs from the last one sent."""
    return [update for update in updates if not update.synced or update.value != update.last_value]


def interpret(batch, refused):
    """(accepted updates, Rejections) of one call, from the models Shopee refused."""
    reasons = {failure.model_id: failure.reason for failure in refused}
    accepted = [update for update in batch if update.model_id not in reasons]
    return accepted, [Rejection(update, reasons[update.model_id]) for update in batch if update.model_id in reasons]


@dataclass(frozen=True)
class ModelFailure:
    model_id: int
    reason: str


def item_batches(updates, size=MAX_MODELS):
    """Updates grouped per item (Shopee takes one item a call), at most ``size`` models a call."""
    by_item = {}
    for update in updates:
        by_item.setdefault(update.item_id, []).append(update)
    return [chunk for item_updates in by_item.values() for chunk in chunked(item_updates, size)]


def stock_body(updates):
    updates = check_batch(updates, MAX_MODELS, "update_stock")
    return {"item_id": updates[0].item_id,
            "stock_list": [{"model_id": u.model_id, "seller_stock": [{"stock": int(u.value)}]} for u in updates]}


def price_body(updates):
    """The prices as given: an int stays an int (whole-currency regions take no decimals, pricing.py)."""
    updates = check_batch(updates, MAX_MODELS, "update_price")
    return {"item_id": updates[0].item_id,
            "price_list": [{"model_id": u.model_id, "original_price": u.value} for u in updates]}


def failures(response):
    """The models Shopee refused, with its reason."""
    return [ModelFailure(int(row.get("model_id") or 0), row.get("failed_reason") or "refused")
            for row in response.get("failure_list") or ()]


class ProductAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def update_stock(self, updates):
        """Set the seller stock of the models of one item; returns the refused models."""
        # absolute values: sending twice does no harm, so retried like a read
        return failures(self.shop.call("POST", UPDATE_STOCK_PATH, body=stock_body(updates), family="products",
                                       idempotent=True))

    def update_price(self, updates):
        return failures(self.shop.call("POST", UPDATE_PRICE_PATH, body=price_body(updates), family="products",
                                       idempotent=True))
