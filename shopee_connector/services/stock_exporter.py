from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.services.binding_exporter import PushAdapter

from ..shopee_api.batching import MAX_MODELS
from ..shopee_api.pricing import shopee_price
from ..shopee_api.products import ModelUpdate, ProductAdapter, call_key, interpret
from .base import ShopeeJobService


class ShopeePush(ShopeeJobService, PushAdapter):
    """Shopee's half of a stock or price push (marketplace_base's BindingExporter does the rest): per item and
    model, one item a call, up to 50 models.

    A binding names its item (External Listing ID) and, for a variation, its model (External Variation ID).
    Shopee answers per model: a refused model is re-queued alone by the BindingExporter, the accepted ones are
    stored as pushed.
    """

    label = "Shopee"
    batch_size = MAX_MODELS
    batch_key = staticmethod(call_key)
    adapter_method = None  # ProductAdapter method sending one item's models

    def __init__(self, job, run):
        super().__init__(job, run)
        self.products = ProductAdapter(self.session)

    def call(self, batch):
        return interpret(batch, getattr(self.products, self.adapter_method)(batch))

    def pushable(self, bindings):
        """Active bindings of a product with a Shopee item id; the others are skipped with a log line."""
        pushable = bindings.filtered(
            lambda b: b.active and b.product_id and (b.external_listing_id or "").isdigit()
            and (b.external_variation_id or "0").isdigit())
        others = bindings - pushable
        if others:
            self.run.log(_("%(count)s binding(s) skipped (archived, without product, or without a Shopee item id "
                           "and numeric model id): %(skus)s", count=len(others),
                           skus=", ".join(others[:20].mapped("external_sku"))), "warning")
        return pushable

    @staticmethod
    def _update(binding, value, last_value):
        return ModelUpdate(binding_id=binding.id, sku=binding.external_sku, value=value, last_value=last_value,
                           synced=bool(binding.last_sync_at), item_id=int(binding.external_listing_id),
                           model_id=int(binding.external_variation_id or 0))


class ShopeeStockPush(ShopeePush):
    """Online quantities, as each model's seller stock."""

    adapter_method = "update_stock"

    def stock_item(self, binding, quantity):
        return self._update(binding, quantity, binding.last_pushed_qty)


class ShopeePricePush(ShopeePush):
    """Original prices, as the shop's region takes them: whole amounts outside SG/MY/BR/MX/PL/ES/AR
    (shopee_api/pricing.py). The rounded price is what Shopee shows, so it is what is stored as pushed and
    what the next push compares with."""

    adapter_method = "update_price"

    def price_item(self, binding, price, currency):
        return self._update(binding, self._region_price(price), self.online_price(binding))

    def online_price(self, binding):
        return self._region_price(binding.last_pushed_price)

    def _region_price(self, price):
        if not self.shop.shopee_region:
            raise UserError(_("Shop %s: set its Shopee region (Shopee Orders tab) before pushing prices: it says "
                              "whether Shopee takes decimals.", self.shop.name))
        return shopee_price(price, self.shop.shopee_region)
