"""Stock and price adapter: update_stock / update_price, one item and up to 50 models a call.

Shopee answers per model (``success_list`` / ``failure_list``): a refused model does not stop the others.
"""
from dataclasses import dataclass

from .batching import MAX_MODELS, check_batch

try:
    from ...marketplace_base.marketplace_core.push import PushItem, Rejection
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.push import PushItem, Rejection

UPDATE_STOCK_PATH = "/api/v2/product/update_stock"
UPDATE_PRICE_PATH = "/api/v2/product/update_price"


@dataclass(frozen=True, kw_only=True)
class ModelUpdate(PushItem):
    """The shared PushItem of one model (``model_id`` 0 for an item without variations), as Shopee names it."""

    item_id: int
    model_id: int = 0


def interpret(batch, refused):
    """(accepted updates, Rejections) of one call, from the models Shopee refused."""
    reasons = {failure.model_id: failure.reason for failure in refused}
    accepted = [update for update in batch if update.model_id not in reasons]
    return accepted, [Rejection(update, reasons[update.model_id]) for update in batch if update.model_id in reasons]


@dataclass(frozen=True)
class ModelFailure:
    model_id: int
    reason: str


def call_key(update):
    """Shopee takes one item's models a call (at most MAX_MODELS): the key the base's batcher groups by."""
    return update.item_id


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
