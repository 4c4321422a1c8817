from odoo import _

from odoo.addons.marketplace_base.marketplace_core.push import PushItem, Rejection
from odoo.addons.marketplace_base.services.binding_exporter import PushAdapter

from ..toy_api import MAX_STOCK_ITEMS
from .base import ToyJobService


class ToyStockPush(ToyJobService, PushAdapter):
    """The toy's half of a stock push (the base's BindingExporter does the rest): by SKU, 20 a call; the platform
    answers per SKU."""

    label = "Toy"
    batch_size = MAX_STOCK_ITEMS

    def pushable(self, bindings):
        pushable = bindings.filtered(lambda binding: binding.active and binding.product_id and binding.external_sku)
        others = bindings - pushable
        if others:
            self.run.log(_("%s binding(s) skipped (archived, or without product or SKU).", len(others)), "warning")
        return pushable

    def stock_item(self, binding, quantity):
        return PushItem(binding_id=binding.id, sku=binding.external_sku, value=quantity,
                        last_value=binding.last_pushed_qty, synced=bool(binding.last_sync_at))

    def call(self, batch):
        errors = self.client.update_stock([(item.sku, item.value) for item in batch])
        accepted = [item for item in batch if item.sku in errors and errors[item.sku] is None]
        rejections = [Rejection(item, errors[item.sku]) if item.sku in errors
                      else Rejection(item, _("the toy platform did not answer about this SKU"), retryable=True)
                      for item in batch if item not in accepted]
        return accepted, rejections
