from odoo import _

from odoo.addons.marketplace_base.services.binding_exporter import BindingExporter, PricePush, StockPush

from ..shopee_api.products import ModelUpdate, ProductAdapter, changed, interpret, item_batches
from .base import ShopeeJobService


class ShopeeBindingExporter(ShopeeJobService, BindingExporter):
    """Push stock or prices per item and model: one item a call, up to 50 models, only what changed.

    A binding names its item (External Listing ID) and, for a variation, its model (External Variation
    ID). Shopee answers per model: a refused model is re-queued alone by marketplace_base's
    BindingExporter, the accepted ones are stored as pushed.
    """

    platform_label = "Shopee"
    adapter_method = None  # ProductAdapter method sending one item's models

    def __init__(self, job, run):
        super().__init__(job, run)
        self._init_exporter()
        self.products = ProductAdapter(self.session)

    def _changed(self, items):
        return changed(items)

    def _batches(self, items):
        return item_batches(items)

    def _call(self, batch):
        return interpret(batch, getattr(self.products, self.adapter_method)(batch))

    def _pushable(self, bindings):
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
        return ModelUpdate(int(binding.external_listing_id), int(binding.external_variation_id or 0), value,
                           binding.id, binding.external_sku, last_value, bool(binding.last_sync_at))


class StockExporter(StockPush, ShopeeBindingExporter):
    """Online quantities, as each model's seller stock."""

    adapter_method = "update_stock"

    def _stock_item(self, binding, quantity):
        return self._update(binding, quantity, binding.last_pushed_qty)


class PriceExporter(PricePush, ShopeeBindingExporter):
    """Original prices, with the currency's decimals."""

    adapter_method = "update_price"

    def _price_item(self, binding, price, currency):
        return self._update(binding, price, self._online_value(binding))
