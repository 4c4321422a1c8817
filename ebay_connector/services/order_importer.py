from collections import Counter

from odoo import _, fields
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.marketplace_core.isolation import apply_isolating

from ..ebay_api.errors import MappingError
from ..ebay_api.fulfillment import MAX_ORDER_IDS, MAX_PAGE_SIZE, FulfillmentAdapter
from ..ebay_api.mappers import map_order as map_ebay_order
from ..sync_core.orders import map_order, next_watermark, order_shop, order_window, without_buyer_data
from .base import EbayJobService

STORED_OUTCOMES = ("new", "updated", "unchanged", "cancelled")
# Orders stored and turned into sale orders together: large enough that the per-batch queries (searches,
# one create each for orders, contacts and sale orders, one confirmation) cost little per order, small
# enough that a slice checks its time every few seconds and a batch with a bad order is halved quickly.
ORDERS_PER_BATCH = 50


class OrderImporter(EbayJobService):
    """``pull_orders``: eBay orders become marketplace orders and sale orders, exactly once.

    Idempotence rests on the base: ``_import_order`` finds an order by eBay order id (and its
    lines by line item id) and turns a concurrent insert into a retryable error;
    ``_create_sale_order`` locks the order and makes at most one sale order. This importer only
    feeds them, page by page, committing after each page so a long pull never redoes much.
    """

    def __init__(self, job, run, shop=None, route_all=False):
        """``route_all``: store each order in the shop of its eBay site, not only this shop's orders
        (a notification names an order, not a shop)."""
        super().__init__(job, run)
        self.shop = shop or self.shop
        if not self.shop:
            raise UserError(_("Job %s: pulling orders needs a shop.", job.name))
        self.route_all = route_all
        self.account_shops = [(shop.id, shop.marketplace_site) for shop in self.env["marketplace.shop"].search(
            [("account_id", "=", self.shop.account_id.id)], order="id")]
        self.fulfillment = FulfillmentAdapter(self.client)
        self.counts = Counter()
        self._currencies = {}

    def execute(self):
        order_ids = self.run.payload.get("order_ids")
        if order_ids is not None:
            self.import_order_ids(order_ids)
        else:
            self.pull_window()

    # -- by last-modified window (the cron) ------------------------------------
    def pull_window(self):
        """Every order modified in the window; the shop's watermark moves only once all is stored.

        Long pulls run in slices: after a page whose slice time is up the job pauses with its window,
        the next page and what it saw, and the next slice carries on from there."""
        shop = self.shop
        state = self.run.continuation
        if state:
            since, until = _moment(state["since"]), _moment(state["until"])
            seen_max = _moment(state["seen_max"])
            self.counts.update(state["counts"])
        else:
            try:
                since, until = order_window(self.run.payload, shop.ebay_orders_synced_until, fields.Datetime.now(),
                                            shop.ebay_order_overlap_minutes, shop.ebay_order_initial_days)
            except ValueError as exc:
                raise JobPayloadError(_("Payload: %s", exc)) from exc
            seen_max = None
            self.run.log(_("Pulling orders modified from %(since)s to %(until)s (UTC).", since=since,
                           until=until or _("now")))
        resume = state.get("next")
        pages = self.fulfillment.iter_order_pages(since, until, page_size=self._page_size(),
                                                  resume=resume, first_number=state.get("page", 0) + 1)
        for page in pages:
            self.run.check_cancelled()
            self.run.progress(total=page.total)
            page_max, done, raced = self._import_page(page.items, skip=set(state.pop("done_in_page", [])),
                                                      may_pause=True)
            seen_max = max(filter(None, (seen_max, page_max)), default=None)
            continuation = {"since": since, "until": until, "seen_max": seen_max, "counts": dict(self.counts)}
            if done is not None:  # stopped inside the page: the next run does the rest (the raced orders first)
                in_page = dict(continuation, next=resume, page=page.number - 1, done_in_page=done)
                if raced:
                    self.run.hand_over_raced(_("Orders %s", ", ".join(raced)), in_page)
                self.run.pause(0, in_page)
            self._log_page(_("Page %(number)s/%(count)s", number=page.number, count=page.page_count or "?"),
                           len(page.items))
            continuation.update(next=page.next_params, page=page.number)
            self.run.checkpoint(continuation)
            if page.next_params and self.run.time_is_up():
                self.run.pause(0, continuation)
            resume = page.next_params
        watermark = next_watermark(shop.ebay_orders_synced_until, since, until or fields.Datetime.now(), seen_max)
        if watermark != shop.ebay_orders_synced_until:
            shop.ebay_orders_synced_until = watermark
        self._log_summary(watermark)

    def _page_size(self):
        """Orders per getOrders page: eBay's maximum (fewest calls) unless set lower."""
        size = self.env["ir.config_parameter"].sudo().get_param("ebay_connector.order_page_size", MAX_PAGE_SIZE)
        return max(1, min(MAX_PAGE_SIZE, int(size)))

    # -- by id (a payload, a webhook) ------------------------------------------
    def import_order_ids(self, order_ids):
        """Import the named orders (getOrders by ids, 50 a call); return the ids eBay did not know.

        A long list runs in slices: after a batch whose slice time is up the job pauses with how many
        ids are done, and the next slice goes on from there."""
        if not isinstance(order_ids, list) or not all(isinstance(oid, (str, int)) for oid in order_ids):
            raise JobPayloadError(_('Payload: "order_ids" must be a list of eBay order ids, e.g. ["12-34567-89012"].'))
        wanted = list(dict.fromkeys(str(oid).strip() for oid in order_ids if str(oid).strip()))
        state = self.run.continuation
        done, missing = state.get("ids_done", 0), list(state.get("missing", []))
        self.counts.update(state.get("counts", {}))
        if not done:
            self.run.progress(total=len(wanted))
        for batch in chunked(wanted[done:], MAX_ORDER_IDS):
            self.run.check_cancelled()
            raw_orders = self.fulfillment.get_orders_by_ids(batch)
            # a batch of named orders: bounded, never paused inside, but handed over when orders keep racing
            _latest, done_in_batch, raced = self._import_page(raw_orders, skip=set(state.pop("done_in_batch", [])))
            if raced:
                self.run.hand_over_raced(_("Orders %s", ", ".join(raced)), {
                    "ids_done": done, "missing": missing, "counts": dict(self.counts), "done_in_batch": done_in_batch})
            found = {str(raw.get("orderId")) for raw in raw_orders}
            missing += [oid for oid in batch if oid not in found]
            self._log_page(_("Orders by id"), len(raw_orders))
            done += len(batch)
            continuation = {"ids_done": done, "missing": missing, "counts": dict(self.counts)}
            self.run.checkpoint(continuation)
            if done < len(wanted) and self.run.time_is_up():
                self.run.pause(0, continuation)
        if missing:
            self.run.log(_("eBay returned no order for: %s", ", ".join(missing)), "warning")
        self._log_summary()
        return missing

    # -- one page ----------------------------------------------------------------
    def _import_page(self, raw_orders, skip=(), may_pause=False):
        """Import a page of raw eBay orders (but those of ``skip``, done in an earlier run), in batches.

        Returns (latest last-modified time among the orders done, None, []) when the page is done. It
        stops inside the page when ``may_pause`` and the slice's time runs out, or after a batch whose
        orders kept losing races with other transactions: then (that time so far, the order ids done in
        this page, the raced order ids), and the next run does the rest of the page."""
        mapped = []
        for raw in raw_orders:
            try:
                mapped.append(map_order(map_ebay_order(raw), raw))
            except MappingError as exc:
                self._not_imported(raw.get("orderId") if isinstance(raw, dict) else None, exc)
        deleted = self.env["ebay.notification"]._deleted_buyers([m.values["buyer_username"] for m in mapped])
        done = list(skip)
        latest = _latest_change(None, (order for order in mapped if order.values["external_order_id"] in skip))
        todo = [order for order in mapped if order.values["external_order_id"] not in skip]
        position = 0
        while position < len(todo):
            size = ORDERS_PER_BATCH
            if may_pause and self.run.time_is_up():
                if position:
                    return latest, done, []
                size = 1  # a slice imports one order at least
            handled, raced = self._import_batch(todo[position:position + size], deleted)
            done += [order.values["external_order_id"] for order in handled]
            latest = _latest_change(latest, handled)
            position += size
            if raced:
                return latest, done, [order.values["external_order_id"] for order in raced]
        return latest, None, []

    def _import_batch(self, batch, deleted_buyers):
        """A batch of orders stored together, then their sale orders made together; returns (the orders
        handled, the orders that kept losing races).

        An order whose data is refused (a UserError or MappingError while storing it) is left out and
        logged, one whose sale order is refused stays in error with the reason; the others of the batch
        go through (``apply_isolating``: the batch first, then halves around the bad one). An order that
        loses a race with another transaction (a stock adjustment or push on the rows its sale order
        reserves, another worker importing the same order) costs only itself: it is tried again in a
        fresh transaction (``JobRun.apply_isolating``), and returned when it keeps losing.
        """
        handled, _failed, raced = self.run.apply_isolating(
            batch, lambda group: self._import_group(group, deleted_buyers))
        for mapped, (outcome, order) in handled:
            if outcome == "refused":  # the "order" is the reason here
                self._not_imported(mapped.values["external_order_id"], order)
                continue
            if outcome == "error":
                self.run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
            self.counts[outcome] += 1
            self.run.progress(fetched=1, stored=int(outcome in STORED_OUTCOMES), failed=int(outcome == "error"))
        return [mapped for mapped, _outcome in handled], raced

    def _import_group(self, group, deleted_buyers):
        """Store a group of orders and make their sale orders, in one go; per order ``(outcome, order)``,
        or ``("refused", reason)`` for an order whose data is refused. Reported by the caller once the group
        is kept (a group that lost a race is undone and tried again)."""
        stored, refused = apply_isolating(group, lambda part: self._store(part, deleted_buyers),
                                          self.env.cr.savepoint, (UserError, MappingError))
        to_convert = list(dict.fromkeys(order for _mapped, (outcome, order) in stored if outcome == "convert"))
        # the records keep the import's context (no chatter message on what an import creates)
        converted = to_convert[0].browse([order.id for order in to_convert])._convert_isolated() if to_convert else {}
        outcomes = {id(mapped): ("refused", exc) for mapped, exc in refused}
        for mapped, (outcome, order) in stored:
            outcomes[id(mapped)] = (converted[order] if outcome == "convert" else outcome, order)
        return [outcomes[id(mapped)] for mapped in group]

    def _store(self, group, deleted_buyers):
        """Store a group of orders (``_import_settled`` per shop); per order ``(outcome, order)``, the outcome
        ``convert`` for an order that still needs its sale order."""
        outcomes = [("other_shop", None)] * len(group)
        by_shop = {}
        for index, mapped in enumerate(group):
            shop = self._shop_for(mapped)
            if shop:
                values = dict(mapped.values, currency_id=self._currency(mapped.currency).id)
                if values["buyer_username"] in deleted_buyers:
                    values = without_buyer_data(values)
                by_shop.setdefault(shop, []).append((index, (values, mapped.lines, mapped.cancelled)))
        for shop, entries in by_shop.items():
            settled = self.env["marketplace.order"]._import_settled(shop, [order for _index, order in entries])
            for (index, _order), (order, outcome) in zip(entries, settled, strict=False):
                outcomes[index] = (outcome, order)
        return outcomes

    def _shop_for(self, mapped):
        """The shop the order belongs to, when this run imports it (another shop's pull takes the rest)."""
        shop_id = order_shop(mapped.marketplace_id, self.account_shops)
        if shop_id is None or (not self.route_all and shop_id != self.shop.id):
            return None
        return self.env["marketplace.shop"].browse(shop_id)

    def _currency(self, code):
        if code not in self._currencies:
            currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
            if not currency:
                raise UserError(_("Currency %s is unknown in Odoo.", code))
            self._currencies[code] = currency
        return self._currencies[code]

    # -- reporting -----------------------------------------------------------------
    def _not_imported(self, order_id, exc):
        self.counts["failed"] += 1
        self.run.progress(fetched=1, failed=1)
        self.run.log(_('Order %(order)s not imported: %(error)s. Once fixed, import it again with the payload '
                       '{"order_ids": ["%(order)s"]}.', order=order_id or "?", error=exc), "error")

    def _log_page(self, label, fetched):
        self.run.log(_("%(label)s: %(fetched)s fetched; so far %(new)s new, %(updated)s updated, "
                       "%(cancelled)s cancelled, %(errors)s in error, %(failed)s not imported.",
                       label=label, fetched=fetched, new=self.counts["new"], updated=self.counts["updated"],
                       cancelled=self.counts["cancelled"], errors=self.counts["error"],
                       failed=self.counts["failed"]))

    def _log_summary(self, watermark=None):
        total = sum(self.counts.values())
        message = _("%(total)s order(s): %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(cancelled)s cancelled, %(errors)s in error, %(failed)s not imported.",
                    total=total, new=self.counts["new"], updated=self.counts["updated"],
                    unchanged=self.counts["unchanged"], cancelled=self.counts["cancelled"],
                    errors=self.counts["error"], failed=self.counts["failed"])
        if self.counts["other_shop"]:
            message += " " + _("%s order(s) sold on another eBay site, left to that site's shop.",
                               self.counts["other_shop"])
        if watermark:
            message += " " + _("Orders synced until %s (UTC).", watermark)
        self.run.log(message, "warning" if self.counts["error"] or self.counts["failed"] else "info")


def _latest_change(latest, orders):
    """The latest eBay last-modified time among ``latest`` and ``orders``' (None when none is known)."""
    return max(filter(None, [latest, *(order.values["last_modified_at"] for order in orders)]), default=None)


def _moment(value):
    """A continuation's moment (canonical JSON keeps datetimes as text) back as a naive UTC datetime."""
    return fields.Datetime.to_datetime(value) if value else None
