import time
from collections import Counter
from datetime import timedelta

import psycopg2

from odoo import _, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.marketplace_base.marketplace_core import backoff
from odoo.addons.marketplace_base.marketplace_core.batching import chunked

from ..ebay_api import EbayError, EbayRequestError, MappingError
from ..ebay_api.feed import RUNNING, FeedAdapter, task_state
from ..ebay_api.inventory import MAX_BULK_ITEMS, MAX_BULK_MIGRATE, MAX_PAGE_SIZE, InventoryAdapter
from ..ebay_api.mappers import map_active_inventory_report, map_inventory_item
from ..sync_core import listings as rules
from .base import EbayJobService

# Binding fields the backfill compares with eBay's values
COMPARED_FIELDS = ("external_sku", "external_listing_id", "external_offer_id", "status", "title", "condition",
                   "photo_count", "last_pushed_qty", "last_pushed_price", "raw_payload", "ebay_listing_source",
                   "status_message", "product_id")
# One listing's failure that must not stop the run (its SKU is retried alone)
ITEM_ERRORS = (MappingError, EbayRequestError, UserError, ValidationError, ValueError)


class ListingBackfill(EbayJobService):
    """eBay -> bindings of one shop: eBay is the source of truth for listings that already exist.

    The active inventory report finds every active listing (Seller Hub ones included), then
    getInventoryItems pages (200 a call) give the product data; offers are read per SKU only for an
    item whose status nothing else tells. A job with ``{"skus": [...]}`` retries single SKUs with
    bulkGetInventoryItem (25 a call).

    A whole backfill runs in slices (stages ``report`` -> ``pages`` -> ``hub``): while eBay builds
    the report the job is rescheduled to look again later instead of waiting in a worker, and after
    any page whose slice time is up the job pauses with where to resume. Every unit is idempotent
    (only differences are written), so a unit repeated after a crash changes nothing."""

    def execute(self):
        if not self.shop:
            raise UserError(_("The listings backfill runs per shop: choose the eBay shop of job %s.", self.job.name))
        self.inventory = InventoryAdapter(self.client)
        self.state = dict(self.run.continuation) or {"stage": "report"}
        self.stats = Counter(self.state.get("stats") or {})
        self.failed = dict(self.state.get("failed") or {})
        self.raced = list(self.state.get("raced") or [])
        self.new_bindings = self.env["marketplace.product.binding"]
        self.created_products = self.env["product.product"]
        skus = self.run.payload.get("skus")
        if skus:
            self._backfill_skus(skus)
        else:
            self._backfill_all()
        self.run.log(_("Backfill done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                           "%(failed)s failed.", created=self.stats["created"], updated=self.stats["updated"],
                           unchanged=self.stats["unchanged"], failed=len(self.failed)))
        if not skus:
            self._requeue_failed()
            self._requeue_raced()

    # -- flows -----------------------------------------------------------------
    def _backfill_all(self):
        if self.state["stage"] == "report":
            self._wait_for_report()
        report = rules.index_report(self._active_report(self.state["task_id"]))
        if self.state["stage"] == "pages":
            self._sync_pages(report)
        if self.state["stage"] == "hub":
            self._sync_seller_hub(report)
        self._end_missing(set(report) | self._retried_skus())

    def _sync_pages(self, report):
        """Inventory API pages from where the last slice stopped, pausing when the slice time is up."""
        if not self.state.get("page"):
            self.run.log(_("Active inventory report: %s active listing(s).", len(report)))
        pages = self.inventory.iter_inventory_pages(MAX_PAGE_SIZE, should_stop=self._stop_requested,
                                                    resume=self.state.get("next"),
                                                    first_number=self.state.get("page", 0) + 1)
        for page in pages:
            # the Inventory API's items; the listings only the report shows are added once known (Seller Hub)
            self.run.progress(total=page.total or len(report), fetched=len(page.items))
            before = Counter(self.stats)
            self._sync_items(page.items, report)
            done = self.stats - before
            last = page.next_params is None
            self._advance(_("Page %(n)s/%(pages)s complete: %(fetched)s fetched, %(stored)s stored "
                            "(%(written)s written, %(same)s unchanged), %(failed)s failed.",
                            n=page.number, pages=page.page_count or "?", fetched=len(page.items),
                            stored=done["created"] + done["updated"] + done["unchanged"],
                            written=done["created"] + done["updated"], same=done["unchanged"],
                            failed=done["failed"]),
                          stage="hub" if last else "pages", page=page.number, next=page.next_params,
                          inventory_total=page.total or len(report))

    def _backfill_skus(self, skus):
        """Retry of SKUs that failed in an earlier run: bulkGetInventoryItem, 25 SKUs a call."""
        self.run.progress(total=len(skus))
        for batch in chunked(skus, MAX_BULK_ITEMS):
            self.run.check_cancelled()
            items = []
            for response in self.inventory.bulk_get_inventory_items(batch):
                if response.get("statusCode") == 200:
                    items.append(dict(response["inventoryItem"], sku=response["sku"]))
                else:
                    errors = response.get("errors") or []
                    self._fail(response.get("sku"), "; ".join(error.get("message", "") for error in errors))
            self.run.progress(fetched=len(batch))
            self._sync_items(items, None)
            self.run.checkpoint()
            self.env.invalidate_all()
            self.run.log(_("%(count)s SKU(s) retried, %(failed)s still failing.", count=len(batch),
                           failed=len(self.failed)))

    def _wait_for_report(self):
        """Ask eBay for the active inventory report once, then look again every poll interval in a later
        slice until it is ready: eBay takes minutes to build it, and no worker waits for that."""
        get = self.env["ir.config_parameter"].sudo().get_param
        feed = FeedAdapter(self.client)
        if not self.state.get("task_id"):
            self.state.update(task_id=feed.create_inventory_task(), asked_at=time.time())
            self.run.checkpoint(self._continuation())  # a crash must not order a second report
        if task_state(feed.get_inventory_task(self.state["task_id"])) == RUNNING:
            waited = time.time() - self.state["asked_at"]
            if waited > float(get("ebay_connector.feed_max_wait_seconds", 900)):
                raise EbayError(_("eBay has not built the active inventory report within %s minutes; the next "
                                  "backfill asks for a new one.", round(waited / 60)))
            self.run.pause(float(get("ebay_connector.feed_poll_seconds", 15)), self._continuation())
        self.state["stage"] = "pages"

    def _active_report(self, task_id):
        """Every active listing of the seller, from the Sell Feed API's active inventory report file
        (downloaded again by each slice: one call, instead of keeping the file between slices)."""
        return map_active_inventory_report(FeedAdapter(self.client).download_result_file(task_id))

    def _stop_requested(self):
        """Honour Stop between pages (raises JobCancelled)."""
        self.run.check_cancelled()
        return False

    def _continuation(self):
        return dict(self.state, stats=dict(self.stats), failed=self.failed, raced=self.raced)

    def _advance(self, message, **state):
        """One unit done: keep it and where the next one starts; end the slice when its time is up."""
        self.state.update(state)
        self.run.checkpoint(self._continuation())
        self.env.invalidate_all()
        self.run.log(message)
        if self.run.time_is_up() and self.state["stage"] != "done":
            self.run.pause(0, self._continuation())

    # -- one page of inventory items ---------------------------------------------
    def _sync_items(self, raw_items, report):
        """Bind each item; a failing one is recorded and skipped.

        A binding another job (a stock push) updated since this transaction began cannot be written
        by it: that SKU alone is done again in a moment, instead of the whole page failing."""
        skus = [raw.get("sku") for raw in raw_items if raw.get("sku")]
        bindings, products = self._bindings(skus), self._products(skus)
        for raw in raw_items:
            sku = raw.get("sku")
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    self._sync_item(raw, report, bindings.get(sku), products.get(sku))
            except psycopg2.errors.TransactionRollbackError:
                if self.run.payload.get("skus"):
                    raise  # a retry of single SKUs is short: the engine runs it again within seconds
                self._lost_race(sku)
            except ITEM_ERRORS as exc:
                self._fail(sku, exc)
        self._start_new_listings()

    def _sync_item(self, raw, report, binding, product):
        item = map_inventory_item(raw)
        listing = report.get(item.sku) if report is not None else None
        current = _current(binding)
        values = rules.inventory_values(item, raw, listing, report_read=report is not None,
                                  current=current)
        price = values.get("last_pushed_price") or 0.0
        self._store(binding, values, current, product or self._new_product(item.sku, item.title, price))

    # -- Seller Hub listings -------------------------------------------------------
    def _seller_hub_listings(self, report):
        """Report listings the Inventory API pages did not give: no binding made from those pages.

        Read from the bindings rather than kept in memory, so that it holds across slices (an item
        that failed this run is left out: its SKU is retried alone)."""
        from_api = set(self.env["marketplace.product.binding"].with_context(active_test=False).search(
            [("shop_id", "=", self.shop.id), ("ebay_listing_source", "=", rules.INVENTORY_API)]).mapped("external_sku"))
        retried = self._retried_skus()
        return [listing for key, listing in report.items() if key not in from_api and key not in retried]

    def _sync_seller_hub(self, report):
        """Listings only the report shows: bound with the reason they get no stock/price updates yet."""
        listings = self._seller_hub_listings(report)
        start = self.state.get("hub_done", 0)
        self.run.progress(total=self.state.get("inventory_total", 0) + len(listings))
        for offset in range(start, len(listings), MAX_PAGE_SIZE):
            batch = listings[offset:offset + MAX_PAGE_SIZE]
            bindings = self._bindings([rules.listing_key(listing) for listing in batch])
            products = self._products([listing.sku for listing in batch if listing.sku])
            for listing in batch:
                binding = bindings.get(rules.listing_key(listing))
                current = _current(binding)
                values = rules.seller_hub_values(listing, current)
                self._store(binding, values, current, self._hub_product(listing, products))
            self._start_new_listings()
            self.run.progress(fetched=len(batch))
            self._advance(_("%s Seller Hub listing(s) stored.", len(batch)), hub_done=offset + len(batch))
        with_sku = sum(1 for listing in listings if listing.sku)
        self.state["stage"] = "done"
        self.run.log(_("Seller Hub: %(count)s listing(s) the Inventory API cannot see; %(eligible)s can be "
                           "migrated to it (Product Bindings > Migrate to Inventory API), %(no_sku)s cannot (no SKU).",
                           count=len(listings), eligible=with_sku, no_sku=len(listings) - with_sku))

    def _hub_product(self, listing, products):
        """Listings without SKU match no product; the others by SKU (or a new product, on request)."""
        if not listing.sku:
            return None
        price = float(listing.price) if listing.price is not None else 0.0
        return products.get(listing.sku) or self._new_product(listing.sku, None, price)

    def _end_missing(self, seen_keys):
        """Listings bound earlier that eBay no longer shows anywhere have ended."""
        listed = self.env["marketplace.product.binding"].search(
            [("shop_id", "=", self.shop.id), ("ebay_listing_source", "!=", False), ("status", "=", "active")])
        gone = rules.ended_keys(listed.mapped("external_sku"), seen_keys)
        if gone:
            listed.filtered(lambda binding: binding.external_sku in set(gone)).write(
                {"status": "ended", "last_sync_at": fields.Datetime.now()})
            self.run.log(_("%s listing(s) no longer on eBay marked ended.", len(gone)))

    # -- binder ------------------------------------------------------------------
    def _bindings(self, keys):
        bindings = self.env["marketplace.product.binding"].with_context(active_test=False).search(
            [("shop_id", "=", self.shop.id), ("external_sku", "in", keys)])
        return {binding.external_sku: binding for binding in bindings}

    def _products(self, skus):
        """Products whose internal reference is one of ``skus`` (the shop's company or shared)."""
        products = self.env["product.product"].with_context(active_test=False).search(
            [("default_code", "in", skus), ("company_id", "in", [self.shop.company_id.id, False])])
        return {product.default_code: product for product in products}

    def _new_product(self, sku, title, price):
        """A product for a listing whose SKU matches none, when the account asks for it."""
        if not sku or not self.account.ebay_create_missing_products:
            return None
        self.stats["products_created"] += 1
        product = self.env["product.product"].create({
            "name": title or sku, "default_code": sku, "type": "consu", "is_storable": True, "list_price": price,
            "company_id": self.shop.company_id.id or False,
        })
        self.created_products |= product
        return product

    def _store(self, binding, values, current, product):
        """Write only what differs from the binding (nothing at all when eBay's listing did not change)."""
        if product and not (binding and binding.product_id):
            values = dict(values, product_id=product.id)
        changes = rules.changed_values(values, current)
        if not changes:
            self.stats["unchanged"] += 1
        else:
            changes["last_sync_at"] = fields.Datetime.now()
            # the online quantity and price eBay shows are the engine's to write (the breaker's inputs): sudo()
            if binding:
                binding.sudo().write(changes)
                self.stats["updated"] += 1
                if "product_id" in changes:  # bound to a product only now: Odoo never pushed to it
                    self.new_bindings |= binding
            else:
                binding = self.env["marketplace.product.binding"].sudo().create(dict(changes, shop_id=self.shop.id))
                self.new_bindings |= binding.sudo(False)
                self.stats["created"] += 1
        self.run.progress(stored=1)

    def _start_new_listings(self):
        """Listings new to a shop Odoo owns never take a 0 Odoo never meant: the products made for them get eBay's
        quantity as their initial stock, and those Odoo would still change wait for their take-over
        (``marketplace.shop._start_new_listings``)."""
        adjusted, waiting = self.shop._start_new_listings(self.new_bindings.exists(), self.created_products)
        if adjusted:
            self.run.log(_("Initial stock of %(count)s new product(s) set from eBay's quantities (%(units)s unit(s)).",
                           count=len(adjusted), units=sum(adjusted.values())))
        if waiting:
            self.run.log(_("%(count)s new listing(s) await their take-over: Odoo would change their quantity "
                           "(the shop's Listings Awaiting Take-Over): %(skus)s", count=len(waiting),
                           skus=", ".join(waiting[:20].mapped("external_sku"))), "warning")
        self.new_bindings = self.new_bindings.browse()
        self.created_products = self.created_products.browse()

    def _fail(self, sku, error):
        self.failed[sku] = str(error)
        self.stats["failed"] += 1
        self.run.progress(failed=1)
        self.run.log(_("SKU %(sku)s skipped: %(error)s", sku=sku, error=error), "warning")

    def _lost_race(self, sku):
        self.raced.append(sku)
        self.run.log(_("SKU %s changed in another job meanwhile: it is synced again in a moment.", sku))

    def _retried_skus(self):
        """SKUs this run leaves to a retry of their own (failed or lost to a concurrent change)."""
        return set(self.failed) | set(self.raced)

    def _requeue_failed(self):
        """Failed SKUs come back alone, a little later, in a job of their own."""
        if not self.failed:
            return
        delay = int(self.env["ir.config_parameter"].sudo().get_param("ebay_connector.retry_failed_minutes", 10))
        job = self._requeue(sorted(self.failed), timedelta(minutes=delay))
        self.run.log(_("%(count)s failed SKU(s) re-queued as %(job)s.", count=len(self.failed), job=job.name))

    def _requeue_raced(self):
        """SKUs that lost a race come back within seconds: the other transaction has committed by then."""
        if not self.raced:
            return
        delay = backoff.retry_delay_seconds(1, lost_race=True)
        job = self._requeue(sorted(set(self.raced)), timedelta(seconds=delay))
        self.run.log(_("%(count)s SKU(s) changed meanwhile re-queued as %(job)s.", count=len(set(self.raced)),
                       job=job.name))

    def _requeue(self, skus, delay):
        job = self.env["marketplace.job"]._enqueue("backfill_listings", shop=self.shop, payload={"skus": skus},
                                                   priority=15, user=self.job.user_id)
        job.next_attempt_at = fields.Datetime.now() + delay
        return job


def _current(binding):
    """The binding's compared values as a plain dict (None for a new binding)."""
    if not binding:
        return None
    values = {name: binding[name] for name in COMPARED_FIELDS}
    values["product_id"] = binding.product_id.id
    return values


class ListingMigrator(EbayJobService):
    """Seller Hub listings -> Inventory API (bulkMigrateListing, 5 listings a call), so Odoo can
    update their stock and prices. eBay's reason is kept on the binding when it refuses one.

    A long migration runs in slices: after a committed call whose slice time is up the job pauses
    with the listings done and the counts, and the next slice goes on with the others."""

    def execute(self):
        state = self.run.continuation
        done = list(state.get("done", []))
        bindings = self._bindings()
        by_listing = bindings.grouped("external_listing_id")
        if not done:
            self.run.progress(total=len(bindings))
        inventory = InventoryAdapter(self.client)
        outcome = Counter(state.get("outcome", {}))
        batches = list(chunked([listing_id for listing_id in by_listing if listing_id not in set(done)],
                               MAX_BULK_MIGRATE))
        for number, listing_ids in enumerate(batches, 1):
            self.run.check_cancelled()
            try:
                results = rules.migration_results(inventory.bulk_migrate_listings(listing_ids))
            except EbayRequestError as exc:
                results = {listing_id: {"ok": False, "reason": str(exc)} for listing_id in listing_ids}
            for listing_id in listing_ids:
                result = results.get(listing_id)
                outcome["migrated" if result and result["ok"] else "refused"] += len(by_listing[listing_id])
                for binding in by_listing[listing_id]:
                    binding.write(rules.migrated_values(result, binding.external_sku))
            self.run.progress(fetched=len(listing_ids))
            done += listing_ids
            continuation = {"done": done, "outcome": dict(outcome)}
            self.run.checkpoint(continuation)
            if number < len(batches) and self.run.time_is_up():
                self.run.pause(0, continuation)
        self.run.progress(stored=outcome["migrated"], failed=outcome["refused"])
        self.run.log(_("Migration to the Inventory API: %(ok)s listing(s) migrated, %(ko)s refused by eBay "
                           "(reason on each binding).", ok=outcome["migrated"], ko=outcome["refused"]))

    def _bindings(self):
        ids = self.run.payload.get("binding_ids") or []
        bindings = self.env["marketplace.product.binding"].browse(ids).exists()
        wanted = bindings.filtered(lambda binding: binding.ebay_listing_source == rules.SELLER_HUB
                                   and binding.external_listing_id
                                   and (not self.shop or binding.shop_id == self.shop))
        if len(wanted) < len(ids):
            self.run.log(_("%s binding(s) skipped: not a Seller Hub listing of this shop (any more).",
                               len(ids) - len(wanted)), "warning")
        return wanted
