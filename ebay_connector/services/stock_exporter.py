import dataclasses

from odoo import _, fields
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from odoo.addons.marketplace_base.marketplace_core import push_guard
from odoo.addons.marketplace_base.marketplace_core.errors import (
    JobNeedsConfirmation,
    JobPayloadError,
    RetryableJobError,
)

from ..ebay_api import EbayRequestError
from ..ebay_api.inventory import InventoryAdapter
from ..ebay_api.mappers import map_offer, map_price_quantity_results
from ..sync_core import push
from .base import EbayJobService

_lt = LazyTranslate(__name__)


class BindingExporter(EbayJobService):
    """Push one online value (stock or price) of a shop's bindings with bulkUpdatePriceQuantity.

    Only Inventory API listings whose value changed are sent, 25 SKUs a call; a value is
    stored as pushed only once eBay accepted it. A SKU eBay refuses is re-queued alone
    (payload ``{"binding_ids": [id]}``); in such a single-binding job the refusal fails
    the run, so the queue retries it with backoff, or keeps it as a failure to inspect.

    A large push runs in slices: each call's result is committed, and when the slice's time is up
    the job pauses; the next slice sends what is still changed (the refused SKUs, which have jobs of
    their own, are left out through the continuation).
    """

    job_type = None
    last_field = None  # binding field holding the value eBay accepted last
    label = None
    make_entry = None  # PushItem -> bulkUpdatePriceQuantity request entry

    def __init__(self, job, run):
        super().__init__(job, run)
        self.inventory = InventoryAdapter(self.client)
        self.rejections = []

    # -- what to push ----------------------------------------------------------
    def _values(self, bindings):
        """A PushItem per binding: the value eBay should show next to the one it was last told."""
        raise NotImplementedError

    def _ready(self, batch):
        """The items of ``batch`` that can be sent now (the price push resolves offers here)."""
        return batch

    def _online_value(self, binding):
        """What eBay shows now for ``binding``, comparable with a PushItem's value."""
        raise NotImplementedError

    # -- run -------------------------------------------------------------------
    def execute(self):
        owned = self._owned_shops()
        if not owned:
            return
        refused = set(self.run.continuation.get("refused") or ())
        bindings = self._pushable(self._bindings().filtered(
            lambda binding: binding.shop_id in owned and binding.id not in refused))
        items = push.changed_items(self._values(bindings))
        self.run.log(_("%(label)s: %(changed)s of %(count)s binding(s) changed.",
                       label=self.label, changed=len(items), count=len(bindings)))
        if not self._breaker_lets_through(items):
            return
        self.run.progress(total=len(items))
        for batch in push.batches(items):
            self.run.check_cancelled()
            self._send(self._ready(batch))
            self.run.checkpoint()
            if self.run.time_is_up():
                self.run.pause(0, {"refused": sorted(refused | {r.item.binding_id for r in self.rejections})})
        self._finish()

    def _send(self, batch):
        if not batch:
            return
        responses = self.inventory.bulk_update_price_quantity([self.make_entry(item) for item in batch])
        accepted, rejected = push.interpret_results(batch, map_price_quantity_results(responses))
        self._store(accepted)
        self._reject(rejected)
        self.run.progress(fetched=len(batch), stored=len(accepted))

    def _store(self, accepted):
        Binding = self.env["marketplace.product.binding"]
        now = fields.Datetime.now()
        for item in accepted:
            Binding.browse(item.binding_id).write({self.last_field: float(item.value), "last_sync_at": now,
                                                   "status_message": False})

    def _reject(self, rejections):
        """Note why on the binding, and give each refused SKU a job of its own (unless this is one)."""
        for rejection in rejections:
            binding = self.env["marketplace.product.binding"].browse(rejection.item.binding_id)
            message = _("%(label)s refused by eBay: %(reason)s", label=self.label, reason=rejection.message)
            binding.status_message = message
            self.run.log("%s: %s" % (binding.external_sku, message), "warning")
            if not self._single_binding():
                self.env["marketplace.job"]._enqueue(self.job_type, shop=binding.shop_id,
                                                     payload={"binding_ids": [binding.id]})
        self.run.progress(failed=len(rejections))
        self.rejections.extend(rejections)

    def _finish(self):
        if not self.rejections:
            return
        if not self._single_binding():
            self.run.log(_("%s SKU(s) refused, each re-queued in a job of its own.", len(self.rejections)),
                         "warning")
            return
        rejection = self.rejections[0]
        message = "%s: %s" % (rejection.item.sku, rejection.message)
        if rejection.retryable:
            raise RetryableJobError(message)
        raise UserError(_("eBay refused the %(label)s update of %(message)s", label=str(self.label).lower(),
                          message=message))

    def _single_binding(self):
        return len(self.run.payload.get("binding_ids") or ()) == 1

    # -- guards ----------------------------------------------------------------
    def _owned_shops(self):
        """The run's shops whose stock and prices Odoo took over; the others are left alone, said once."""
        shops = self._shops()
        held = shops.filtered(lambda shop: not shop.odoo_owns_stock)
        if held:
            self.run.log(_("Nothing pushed for %(shops)s: eBay's quantities and prices stand until someone takes "
                           "over stock and prices on the shop (Take Over Stock and Prices).",
                           shops=", ".join(held.mapped("name"))))
        return shops - held

    def _breaker_lets_through(self, items):
        """Stop before sending when the run would zero or empty a shop (see push_guard.breaker_verdict).

        A manager's Confirm on the job lets the same run through. While one run of this push
        waits for confirmation, an equal run sends nothing either, rather than waiting beside it.
        """
        if self.job.confirmed_by_id:
            self.run.log(_("Confirmed by %s: sent without the circuit breaker.", self.job.confirmed_by_id.name))
            return True
        Binding = self.env["marketplace.product.binding"]
        by_shop = {}
        for item in items:
            by_shop.setdefault(Binding.browse(item.binding_id).shop_id, {})[item.sku] = item.value
        for shop, wanted in by_shop.items():
            current = {binding.external_sku: self._online_value(binding) for binding in shop._push_bindings()}
            impact = push_guard.push_impact(current, wanted)
            verdict = push_guard.breaker_verdict(impact, shop.push_max_zero_percent, shop.push_max_drop_percent)
            if verdict == push_guard.PASS:
                continue
            message = self._breaker_message(shop, verdict, impact)
            held = self.env["marketplace.job"].search([("identity_key", "=", self.job.identity_key),
                                                       ("state", "=", "to_confirm"), ("id", "!=", self.job.id)],
                                                      limit=1)
            if held:
                self.run.log(_("%(message)s %(job)s already waits for a manager's confirmation: nothing sent.",
                               message=message, job=held.name), "warning")
                return False
            raise JobNeedsConfirmation(message)
        return True

    def _breaker_message(self, shop, verdict, impact):
        drops = ", ".join("%s %s → %s" % (change.key, change.before, change.after)
                          for change in impact.largest_drops(5))
        if verdict == push_guard.TOO_MANY_ZEROS:
            reason = _("%(label)s push to %(shop)s would set %(zeroed)s of its %(listings)s listing(s) to 0 "
                       "(the shop allows %(limit)s %%).", label=self.label, shop=shop.name, zeroed=impact.zeroed,
                       listings=impact.listings, limit=shop.push_max_zero_percent)
        else:
            reason = _("%(label)s push to %(shop)s would lower its total from %(before)s to %(after)s (the shop "
                       "allows a drop of %(limit)s %%).", label=self.label, shop=shop.name,
                       before=impact.total_before, after=impact.total_after, limit=shop.push_max_drop_percent)
        return _("%(reason)s Largest drops: %(drops)s. Nothing was sent; a manager can Confirm the job to send it.",
                 reason=reason, drops=drops)

    # -- which bindings --------------------------------------------------------
    def _shops(self):
        if self.shop:
            return self.shop
        return self.env["marketplace.shop"].search([("account_id", "=", self.account.id)])

    def _payload_ids(self, key):
        ids = self.run.payload.get(key)
        if ids is None:
            return None
        if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
            raise JobPayloadError(_('"%s" must be a list of record ids, e.g. [1, 2, 3].', key))
        return ids

    def _bindings(self):
        """The shop's bound bindings, or those the payload names (``binding_ids`` / ``product_ids``)."""
        Binding = self.env["marketplace.product.binding"]
        domain = [("shop_id", "in", self._shops().ids)]
        binding_ids = self._payload_ids("binding_ids")
        product_ids = self._payload_ids("product_ids")
        if binding_ids is not None:
            bindings = Binding.with_context(active_test=False).search(domain + [("id", "in", binding_ids)])
            missing = sorted(set(binding_ids) - set(bindings.ids))
            if missing:
                raise UserError(_("Bindings %(ids)s do not exist in %(shop)s.", ids=missing,
                                  shop=self._shops_label()))
            return bindings
        if product_ids is not None:
            bindings = Binding.search(domain + [("product_id", "in", product_ids)])
            self._check_all_bound(product_ids, bindings)
            return bindings
        return Binding.search(domain + [("product_id", "!=", False)])

    def _shops_label(self):
        return ", ".join(self._shops().mapped("name")) or self.account.name

    def _check_all_bound(self, product_ids, bindings):
        """Pushing for a product that is not on eBay cannot work: name every such product."""
        products = self.env["product.product"].browse(product_ids)
        existing = products.exists()
        unbound = [product.display_name for product in existing - bindings.product_id]
        missing = sorted(set(products.ids) - set(existing.ids))
        unbound += [_("#%s (no such product)", product_id) for product_id in missing]
        if unbound:
            raise UserError(_("No eBay binding in %(shop)s for: %(products)s. Bind these products to their "
                              "eBay listings (Marketplace > Product Bindings) or leave them out of the payload.",
                              shop=self._shops_label(), products=", ".join(unbound)))

    def _pushable(self, bindings):
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


class StockExporter(BindingExporter):
    """Online quantities: free stock after the shop's sync rule, as ``shipToLocationAvailability``."""

    job_type = "push_stock"
    last_field = "last_pushed_qty"
    label = _lt("Stock")
    make_entry = staticmethod(push.stock_entry)

    def _online_value(self, binding):
        return binding.last_pushed_qty

    def _values(self, bindings):
        quantities = bindings._online_quantities()
        return [push.PushItem(binding.id, binding.external_sku, int(quantities[binding.id]), binding.last_pushed_qty,
                              synced=bool(binding.last_sync_at))
                for binding in bindings]


class PriceExporter(BindingExporter):
    """Offer prices: the product's sale price (the shop's pricelist when set) in the shop's currency."""

    job_type = "push_price"
    last_field = "last_pushed_price"
    label = _lt("Price")
    make_entry = staticmethod(push.price_entry)

    def _online_value(self, binding):
        return push.round_price(binding.last_pushed_price, binding.shop_id.currency_id.decimal_places)

    def _values(self, bindings):
        items = []
        for shop, shop_bindings in bindings.grouped("shop_id").items():
            currency = shop.currency_id
            prices = shop.pricelist_id._compute_price_rule(shop_bindings.product_id, 1.0, currency=currency)
            for binding in shop_bindings:
                price = push.round_price(prices[binding.product_id.id][0], currency.decimal_places)
                if price <= 0:
                    self.run.log(_("%s: no sale price, not pushed.", binding.external_sku), "warning")
                    continue
                items.append(push.PushItem(
                    binding.id, binding.external_sku, price,
                    push.round_price(binding.last_pushed_price, currency.decimal_places), synced=True,
                    offer_id=binding.external_offer_id or None, currency=currency.name))
        return items

    def _ready(self, batch):
        """Fetch the offer of bindings that do not know it yet (once: the id is kept on the binding)."""
        ready, missing = [], []
        for item in batch:
            if not item.offer_id:
                item = self._with_offer(item)
            if item.offer_id:
                ready.append(item)
            else:
                missing.append(push.Rejection(item, _("eBay has no offer for this SKU: list it first."), False))
        self._reject(missing)
        return ready

    def _with_offer(self, item):
        binding = self.env["marketplace.product.binding"].browse(item.binding_id)
        marketplace_id = binding.shop_id.marketplace_site or self.account.ebay_marketplace_id
        try:
            offers = [map_offer(offer) for offer in self.inventory.get_offers(item.sku, marketplace_id)]
        except EbayRequestError as exc:
            self.run.log(_("%(sku)s: cannot read its offers: %(error)s", sku=item.sku, error=exc), "warning")
            return item
        offer_id = push.pick_offer(offers, marketplace_id)
        if offer_id:
            binding.external_offer_id = offer_id
        return dataclasses.replace(item, offer_id=offer_id)
