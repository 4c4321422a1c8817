import dataclasses

from odoo import _

from odoo.addons.marketplace_base.services.binding_exporter import PushAdapter

from ..ebay_api import EbayRequestError
from ..ebay_api.inventory import InventoryAdapter
from ..ebay_api.mappers import map_offer, map_price_quantity_results
from ..sync_core import push
from .base import EbayJobService


class EbayPush(EbayJobService, PushAdapter):
    """eBay's half of a stock or price push (marketplace_base's BindingExporter does the rest): Inventory API
    listings, 25 SKUs a bulkUpdatePriceQuantity call, eBay's per-SKU answers."""

    label = "eBay"
    batch_size = push.BULK_SIZE
    make_entry = None  # PushItem -> bulkUpdatePriceQuantity request entry

    def __init__(self, job, run):
        super().__init__(job, run)
        self.inventory = InventoryAdapter(self.client)

    def call(self, batch):
        responses = self.inventory.bulk_update_price_quantity([self.make_entry(item) for item in batch])
        return push.interpret_results(batch, map_price_quantity_results(responses))

    def pushable(self, bindings):
        """Active Inventory API bindings of a product; the others are skipped with a log line."""
        pushable = bindings.filtered(
            lambda b: b.active and b.product_id and b.ebay_listing_source == "inventory_api")
        seller_hub = (bindings - pushable).filtered(lambda b: b.ebay_listing_source == "seller_hub")
        if seller_hub:
            self.run.log(_("%s Seller Hub listing(s) skipped: eBay accepts updates only once they are "
                           "migrated to the Inventory API (Migrate Listings).", len(seller_hub)), "warning")
        others = bindings - pushable - seller_hub
        if others:
            self.run.log(_("%(count)s binding(s) skipped (archived, without product, or not known as Inventory "
                           "API listings): %(skus)s", count=len(others),
                           skus=", ".join(others[:20].mapped("external_sku"))), "warning")
        return pushable


class EbayStockPush(EbayPush):
    """Online quantities, as ``shipToLocationAvailability``."""

    make_entry = staticmethod(push.stock_entry)

    @staticmethod
    def stock_item(binding, quantity):
        return push.PushItem(binding_id=binding.id, sku=binding.external_sku, value=quantity,
                             last_value=binding.last_pushed_qty, synced=bool(binding.last_sync_at))


class EbayPricePush(EbayPush):
    """Offer prices: the listing's own price when it has one, else the product's sale price (the shop's pricelist
    when set) in the shop's currency."""

    make_entry = staticmethod(push.price_entry)
    round_price = staticmethod(push.round_price)  # half up, as shops display prices

    def price_item(self, binding, price, currency):
        return push.PushItem(binding_id=binding.id, sku=binding.external_sku, value=price,
                             last_value=self.online_price(binding), offer_id=binding.external_offer_id or None,
                             currency=currency.name)

    def listing_price(self, binding):
        """The listing's own price (its Price tab) when it has one; an item group's variants keep their
        products' prices."""
        listing = binding.listing_id
        return 0.0 if listing.is_group else listing.ebay_price

    def ready(self, batch):
        """Fetch the offer of bindings that do not know it yet (once: the id is kept on the binding)."""
        ready, missing = [], []
        for item in batch:
            if not item.offer_id:
                item = self._with_offer(item)
            if item.offer_id:
                ready.append(item)
            else:
                missing.append(push.Rejection(item, _("eBay has no offer for this SKU: list it first."), False))
        return ready, missing

    def _with_offer(self, item):
        binding = self.env["marketplace.product.binding"].browse(item.binding_id)
        marketplace_id = binding.shop_id._ebay_site()
        try:
            offers = [map_offer(offer) for offer in self.inventory.get_offers(item.sku, marketplace_id)]
        except EbayRequestError as exc:
            self.run.log(_("%(sku)s: cannot read its offers: %(error)s", sku=item.sku, error=exc), "warning")
            return item
        offer_id = push.pick_offer(offers, marketplace_id)
        if offer_id:
            binding.external_offer_id = offer_id
        return dataclasses.replace(item, offer_id=offer_id)
