from odoo import _, fields
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.marketplace_core.orders import latest_change
from odoo.addons.marketplace_base.services.order_batch_importer import OrderBatchImporter, continuation_moment

from ..ebay_api.errors import MappingError
from ..ebay_api.fulfillment import MAX_ORDER_IDS, MAX_PAGE_SIZE, FulfillmentAdapter
from ..sync_core.orders import map_order, next_watermark, order_shop, order_window
from .base import EbayJobService


class OrderImporter(OrderBatchImporter, EbayJobService):
    """``pull_orders``: eBay orders become marketplace orders and sale orders, exactly once.

    Idempotence rests on the base: ``_import_order`` finds an order by eBay order id (and its
    lines by line item id) and turns a concurrent insert into a retryable error;
    ``_create_sale_order`` locks the order and makes at most one sale order. This importer only
    feeds them (in batches, ``OrderBatchImporter``), page by page, committing after each page so a
    long pull never redoes much.
    """

    refused_errors = (UserError, MappingError)
    payload_key = "order_ids"
    # store each order in the shop of its eBay site, not only this shop's orders (a notification names an order,
    # not a shop: ``NotificationProcessor``)
    route_all = False

    def __init__(self, job, run):
        super().__init__(job, run)
        self.account_shops = [(shop.id, shop.marketplace_site) for shop in self.env["marketplace.shop"].search(
            [("account_id", "=", self.account.id)], order="id")]
        self.fulfillment = FulfillmentAdapter(self.client)
        self._init_order_import()

    def execute(self):
        if not self.shop:
            raise UserError(_("Job %s: pulling orders needs a shop.", self.job.name))
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
            since, until = continuation_moment(state["since"]), continuation_moment(state["until"])
            seen_max = continuation_moment(state["seen_max"])
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
            shop._move_watermark("ebay_orders_synced_until", watermark)
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
                mapped.append(map_order(raw))
            except MappingError as exc:
                self._not_imported(raw.get("orderId") if isinstance(raw, dict) else None, exc)
        skipped = [order for order in mapped if order.key in skip]
        todo, elsewhere = self._route([order for order in mapped if order.key not in skip])
        for order in elsewhere:
            self._left_alone(order, "other_shop")
        handled, stopped, raced = self._import_mapped(todo, may_pause)
        latest = latest_change(skipped + elsewhere + handled)
        if not stopped:
            return latest, None, []
        return latest, [*skip, *(order.key for order in elsewhere + handled)], raced

    def _route(self, orders):
        """(the orders this run imports, each routed to the shop of its eBay site; those left to another
        shop's pull). A buyer who deleted their eBay account stays without personal data."""
        deleted = self.env["ebay.notification"]._deleted_buyers([order.values["buyer_username"] for order in orders])
        routed, elsewhere = [], []
        for order in orders:
            shop_id = order_shop(order.site, self.account_shops)
            if shop_id is None or (not self.route_all and shop_id != self.shop.id):
                elsewhere.append(order)
                continue
            order = order.routed(shop_id)
            routed.append(order.without_buyer_data() if order.values["buyer_username"] in deleted else order)
        return routed, elsewhere

    # -- reporting -----------------------------------------------------------------
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

