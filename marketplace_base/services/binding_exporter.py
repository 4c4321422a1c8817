from contextlib import nullcontext

from odoo import _, fields
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import LazyTranslate

from ..marketplace_core import push, push_guard
from ..marketplace_core.errors import JobNeedsConfirmation, JobPayloadError, RetryableJobError

_lt = LazyTranslate(__name__)


class PushAdapter:
    """The platform's half of a stock or price push, made with the job and its run: given bindings, it answers
    items and sends calls, and never calls back into the BindingExporter. A connector subclasses it (next to its job
    service, which gives it ``self.run``, ``self.shop`` and its client) and gives the class from its platform model's
    ``_push_adapters()``; it provides:

    - ``label`` (e.g. the platform's name, in messages), ``batch_size`` (items per call) and, when a call takes
      items of one kind only, ``batch_key(item)``;
    - ``pushable(bindings)``: the bindings the platform can push (the others skipped with a log line);
    - ``stock_item(binding, quantity)`` / ``price_item(binding, price, currency)``: the shared
      ``marketplace_core.push.PushItem`` (or a subclass naming the platform's ids) of one binding;
    - ``call(batch)``: one call, answering (accepted items, ``Rejection``s);
    - optional: ``ready(batch)`` (items that cannot be sent yet, as rejections: (ready items, rejections)),
      ``round_price(price, decimals)``, ``listing_price(binding)``, ``online_price(binding)`` and ``calls()``, the
      context the whole push runs in (the platform's error translation and its API usage log).
    """

    label = None
    batch_size = None
    batch_key = None  # item -> the key whose items alone may share a call (None: any items)

    def ready(self, batch):
        return batch, []

    @staticmethod
    def round_price(price, decimals):
        return round(price, decimals)

    def listing_price(self, binding):
        """A price the platform's listing sets for the binding; none here (0.0): the product's sale price."""
        return 0.0

    def online_price(self, binding):
        """The price the marketplace shows for the binding, as the last push left it."""
        return self.round_price(binding.last_pushed_price, binding.shop_id.currency_id.decimal_places)

    def calls(self):
        return nullcontext()


class BindingExporter:
    """The job service of a stock or price push (``push_stock`` / ``push_price`` of every platform): which
    bindings, what changed, the circuit breaker, the calls cut to the platform's size, what to store once the
    marketplace accepted a value, and per-listing refusals re-queued alone. The platform's ``PushAdapter`` makes
    the items and sends the calls: the path goes down once, base -> adapter -> the platform's API, with no callback
    from the platform into the middle of the push.

    With ``StockPush`` or ``PricePush`` (which value: ``job_type``, ``last_field`` - the binding field holding the
    value the marketplace accepted last -, ``label``, ``_online_value(binding)``, ``_online_total(shop, total)``
    and ``_values(bindings)``).

    A listing the marketplace refuses is re-queued alone (payload ``{"binding_ids": [id]}``); in such a
    single-binding job the refusal fails the run, so the queue retries it with backoff, or keeps it as a
    failure to inspect.

    A large push runs in slices: each call's result is committed, and when the slice's time is up the job
    pauses; the next slice sends what is still changed (the refused listings, which have jobs of their own,
    are left out through the continuation).
    """

    job_type = None
    last_field = None
    label = None

    def __init__(self, job, run):
        self.job, self.run, self.env = job, run, job.env
        self.shop = job.shop_id
        self.account = job.shop_id.account_id or job.account_id
        self.rejections = []
        platform = self.env["marketplace.platform"]._get(self.shop.platform or self.account.platform)
        self.adapter = platform._push_adapter(self.job_type)(job, run)
        self.platform_label = self.adapter.label

    def run_job(self):
        with self.adapter.calls():
            self.execute()

    # -- run -------------------------------------------------------------------
    def execute(self):
        owned = self._owned_shops()
        if not owned:
            return
        refused = set(self.run.continuation.get("refused") or ())
        bindings = self.adapter.pushable(self._taken_over(self._bindings().filtered(
            lambda binding: binding.shop_id in owned and binding.id not in refused)))
        items = push.changed_items(self._values(bindings))
        self.run.log(_("%(label)s: %(changed)s of %(count)s binding(s) changed.",
                       label=self.label, changed=len(items), count=len(bindings)))
        if not self._breaker_lets_through(items):
            return
        self.run.progress(total=len(items))
        for batch in push.batches(items, self.adapter.batch_size, key=self.adapter.batch_key):
            self.run.check_cancelled()
            self._send(self._ready(batch))
            self.run.checkpoint()
            if self.run.time_is_up():
                self.run.pause(0, {"refused": sorted(refused | {r.item.binding_id for r in self.rejections})})
        self._finish()

    def _ready(self, batch):
        """The items of ``batch`` the platform can send now; the others refused as it says."""
        ready, rejections = self.adapter.ready(batch)
        self._reject(rejections)
        return ready

    def _send(self, batch):
        """One call: what the marketplace accepted is stored as pushed, what it refused is re-queued alone."""
        if not batch:
            return
        accepted, rejected = self.adapter.call(batch)
        self._store(accepted)
        self._reject(rejected)
        self.run.progress(fetched=len(batch), stored=len(accepted))

    # -- prices ----------------------------------------------------------------
    def _sale_prices(self, bindings):
        """(binding, price, currency) for each binding: its listing's own price when the platform has one
        (its adapter's ``listing_price``), else its product's sale price (the shop's pricelist when set) in the shop's
        currency, rounded to its decimals; a binding without a positive price is left out
        with a log line."""
        for shop, shop_bindings in bindings.grouped("shop_id").items():
            currency = shop.currency_id
            prices = shop.pricelist_id._compute_price_rule(shop_bindings.product_id, 1.0, currency=currency)
            for binding in shop_bindings:
                price = self.adapter.round_price(
                    self.adapter.listing_price(binding) or prices[binding.product_id.id][0], currency.decimal_places)
                if price <= 0:
                    self.run.log(_("%s: no sale price, not pushed.", binding.external_sku), "warning")
                    continue
                yield binding, price, currency

    def _store(self, accepted):
        """The accepted values become the bindings' online values (the engine's to write: ``sudo()``)."""
        Binding = self.env["marketplace.product.binding"].sudo()
        now = fields.Datetime.now()
        for item in accepted:
            Binding.browse(item.binding_id).write({self.last_field: float(item.value), "last_sync_at": now,
                                                   "status_message": False})

    def _reject(self, rejections):
        """Note why on the binding, and give each refused listing a job of its own (unless this is one)."""
        for rejection in rejections:
            binding = self.env["marketplace.product.binding"].browse(rejection.item.binding_id)
            message = _("%(label)s refused by %(platform)s: %(reason)s", label=self.label,
                        platform=self.platform_label, reason=rejection.message)
            binding.status_message = message
            self.run.log("%s: %s" % (binding.external_sku, message), "warning")
            if not self._single_binding():
                self.env["marketplace.job"]._enqueue(self.job_type, shop=binding.shop_id,
                                                     payload={"binding_ids": [binding.id]}, user=self.job.user_id)
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
        raise UserError(_("%(platform)s refused the %(label)s update of %(message)s", platform=self.platform_label,
                          label=str(self.label).lower(), message=message))

    def _single_binding(self):
        return len(self.run.payload.get("binding_ids") or ()) == 1

    # -- guards ----------------------------------------------------------------
    def _owned_shops(self):
        """The run's shops whose stock and prices Odoo took over; the others are left alone, said once."""
        shops = self._shops()
        held = shops.filtered(lambda shop: not shop.odoo_owns_stock)
        if held:
            self.run.log(_("Nothing pushed for %(shops)s: %(platform)s's quantities and prices stand until someone "
                           "takes over stock and prices on the shop (Take Over Stock and Prices).",
                           shops=", ".join(held.mapped("name")), platform=self.platform_label))
        return shops - held

    def _taken_over(self, bindings):
        """Leave out the listings awaiting their own take-over (new since the shop's: Odoo never owned them), said
        with their SKUs so that the seller knows where to take them over."""
        waiting = bindings.filtered("awaiting_takeover")
        if waiting:
            self.run.log(_("%(count)s listing(s) that appeared after the take-over left as they are until a manager "
                           "takes them over (the shop's Listings Awaiting Take-Over): %(skus)s",
                           count=len(waiting), skus=", ".join(waiting[:20].mapped("external_sku"))), "warning")
        return bindings - waiting

    def _breaker_lets_through(self, items):
        """Stop before sending when the run would zero or empty a shop (see push_guard.breaker_verdict).

        A manager's Confirm on the job lets the same run through. While one push of this kind to the shop
        waits for confirmation, another (the sweep, the changed products) sends nothing either, rather than
        waiting beside it.
        """
        if self.job.confirmed_by_id:
            self.run.log(_("Confirmed by %s: sent without the circuit breaker.", self.job.confirmed_by_id.name))
            return True
        Binding = self.env["marketplace.product.binding"]
        by_shop = {}
        for item in items:
            by_shop.setdefault(Binding.browse(item.binding_id).shop_id, {})[item.sku] = item.value
        for shop, wanted in by_shop.items():
            current, shop_totals = self._shop_online(shop, wanted)
            impact = push_guard.push_impact(current, wanted, shop_totals)
            verdict = push_guard.breaker_verdict(impact, shop.push_max_zero_percent, shop.push_max_drop_percent)
            if verdict == push_guard.PASS:
                continue
            message = self._breaker_message(shop, verdict, impact)
            held = self.env["marketplace.job"].search([("job_type", "=", self.job.job_type),
                                                       ("shop_id", "=", shop.id), ("state", "=", "to_confirm"),
                                                       ("id", "!=", self.job.id)], limit=1)
            if held:
                self.run.log(_("%(message)s %(job)s already waits for a manager's confirmation: nothing sent.",
                               message=message, job=held.name), "warning")
                return False
            raise JobNeedsConfirmation(message)
        return True

    def _shop_online(self, shop, skus):
        """What the marketplace shows in ``shop``, for the breaker: the values of ``skus`` and (the shop's
        listing count, their total value) summed by the database, so that a push of a few SKUs does not read
        every listing of a large shop."""
        Binding = self.env["marketplace.product.binding"]
        domain = shop._push_binding_domain()
        [(count, total)] = Binding._read_group(domain, [], ["__count", "%s:sum" % self.last_field])
        bindings = Binding.search_fetch(expression.AND([domain, [("external_sku", "in", list(skus))]]),
                                        ["external_sku", self.last_field])
        current = {binding.external_sku: self._online_value(binding) for binding in bindings}
        return current, (count, self._online_total(shop, total or 0))

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
        """Pushing for a product that is not on the marketplace cannot work: name every such product."""
        products = self.env["product.product"].browse(product_ids)
        existing = products.exists()
        unbound = [product.display_name for product in existing - bindings.product_id]
        unbound += [self.env._("#%s (no such product)", product_id)
                    for product_id in sorted(set(products.ids) - set(existing.ids))]
        if unbound:
            raise UserError(_("No %(platform)s binding in %(shop)s for: %(products)s. Bind these products to their "
                              "%(platform)s listings (Marketplace > Product Bindings) or leave them out of the "
                              "payload.", platform=self.platform_label, shop=self._shops_label(),
                              products=", ".join(unbound)))


class StockPush:
    """The stock push of a BindingExporter: online quantities, the free stock after the shop's sync rule.

    With the payload ``{"changed_products": true}`` (what stock moves queue) it reads only the listings of the
    products noted in ``marketplace.stock.change``, and forgets those notes once sent (a push of every listing
    forgets the notes it found too)."""

    job_type = "push_stock"
    last_field = "last_pushed_qty"
    label = _lt("Stock")
    noted_change_ids = ()

    def _bindings(self):
        """The noted products' listings; a push of every listing (no payload) covers the noted changes too."""
        Change = self.env["marketplace.stock.change"].sudo()
        if self.run.payload.get("changed_products"):
            self.noted_change_ids, product_ids = Change._noted(self._shops())
            return self.env["marketplace.product.binding"].search(
                [("shop_id", "in", self._shops().ids), ("product_id", "in", product_ids)])
        if not self.run.payload:
            self.noted_change_ids = Change._noted(self._shops())[0]
        return super()._bindings()

    def _finish(self):
        self.env["marketplace.stock.change"].sudo()._forget(self.noted_change_ids)
        return super()._finish()

    def _online_value(self, binding):
        return binding.last_pushed_qty

    def _online_total(self, shop, total):
        return total

    def _values(self, bindings):
        quantities = bindings._online_quantities()
        return [self.adapter.stock_item(binding, int(quantities[binding.id])) for binding in bindings]


class PricePush:
    """The price push of a BindingExporter: the product's sale price (the shop's pricelist when set), in the
    shop's currency and with its decimals (``_sale_prices``)."""

    job_type = "push_price"
    last_field = "last_pushed_price"
    label = _lt("Price")

    def _online_value(self, binding):
        return self.adapter.online_price(binding)

    def _online_total(self, shop, total):
        return self.adapter.round_price(total, shop.currency_id.decimal_places)

    def _values(self, bindings):
        return [self.adapter.price_item(binding, price, currency)
                for binding, price, currency in self._sale_prices(bindings)]


class StockExporter(StockPush, BindingExporter):
    """``push_stock`` of every platform."""


class PriceExporter(PricePush, BindingExporter):
    """``push_price`` of every platform."""
