"""Reliability: fault storms converge, concurrent deliveries never duplicate, a killed worker is recovered."""
import re
import signal
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests.common import TransactionCase

from odoo.addons.marketplace_base.tests.common import free_registry_lock

from ..services.listing_backfill import ListingBackfill
from ..services.order_importer import OrderImporter
from .common import EbayCase, start_simulator
from .scratch import Scratch, scratch_settings

PUBLISHED_SKUS = ["DEMO-%04d" % number for number in range(1, 21)]


class TestFaultStormConverges(EbayCase):
    """20 % 429, 10 % 5xx and random latency: backfill, order pull and stock push still end right."""

    sim_seed = {"items": 40, "seller_hub_listings": 6, "orders": 25}

    def drain(self):
        """Run the queue until nothing is pending, without waiting for backoff delays."""
        Job = self.env["marketplace.job"]
        for _round in range(40):
            pending = Job.search([("state", "=", "pending")])
            if not pending:
                return
            pending.write({"next_attempt_at": fields.Datetime.now()})
            self.run_jobs()
        self.fail("the queue did not drain: %s" % Job.search([("state", "=", "pending")]).mapped("last_error"))

    def test_storm(self):
        self.ebay_account.ebay_create_missing_products = True
        self.ebay_shop.ebay_order_initial_days = 60
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.feed_poll_seconds", "0")
        self.sim_post("/_sim/faults", {"rate_429": 0.2, "rate_5xx": 0.1, "latency_ms": [0, 20], "retry_after": 0,
                                       "random_seed": 11})
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        Job = self.env["marketplace.job"]
        for job_type in ("backfill_listings", "pull_orders"):
            Job._enqueue(job_type, shop=self.ebay_shop)
            self.drain()
        Job._enqueue("push_stock", shop=self.ebay_shop)
        self.drain()
        # the shop is Odoo's: the products the backfill created start with eBay's quantities (issue 19), so the
        # push has nothing to zero and no manager to wait for
        self.assertFalse(Job.search([("job_type", "=", "push_stock"), ("state", "=", "to_confirm")]))

        usage = Job.search([("shop_id", "=", self.ebay_shop.id)]).log_ids.filtered(
            lambda line: line.message.startswith("eBay API:")).mapped("message")
        self.assertTrue(usage, "each eBay job records what it cost")
        throttled = [re.search(r"(\d+) throttled \(429\)", line).group(1) for line in usage]
        self.assertTrue(any(int(count) for count in throttled), usage)
        self.assertTrue(any("Request ids of failed calls: ri=" in line for line in usage), usage)
        self.assertFalse(Job.search([("state", "in", ("processing", "failed"))]).mapped("last_error"))
        bindings = self.env["marketplace.product.binding"].search([("shop_id", "=", self.ebay_shop.id)])
        self.assertEqual(len(bindings), 40 + 6, "every eBay listing is bound once")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id)])
        self.assertEqual(len(orders), 25, "every eBay order imported once")
        self.assertEqual(len(orders.sale_order_id), 25)
        for binding in bindings.filtered(lambda b: b.ebay_listing_source == "inventory_api"):
            listing = self.sim_get("/_sim/listings/%s" % binding.external_sku)
            self.assertEqual(listing["quantity"], binding.last_pushed_qty, binding.external_sku)


@unittest.skipUnless(scratch_settings(), "needs MKT_SCRATCH_DB and MKT_TEST_CONFIG: a committed copy of the test "
                                         "database and its Odoo configuration, which scripts/test prepares")
class ScratchCase(TransactionCase):
    """Scenarios in the scratch database, with a simulator of their own."""

    sim_seed = {"items": 20, "orders": 0}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        free_registry_lock(cls.classPatch)  # worker threads open environments on the scratch database
        cls.scratch = Scratch(*scratch_settings())
        cls.addClassCleanup(cls.scratch.stop)
        cls.sim = start_simulator(cls, **cls.sim_seed)

    def make_orders(self, count):
        answer = requests.post(self.sim.base_url + "/_sim/orders", json={"count": count}, timeout=120)
        answer.raise_for_status()
        return answer.json()["orderIds"]

    def totals(self, shop_id):
        """Marketplace orders, sale orders, marketplace lines, sale lines of products, lines not linked once."""
        return {
            "orders": self.scratch.count("SELECT count(*) FROM marketplace_order WHERE shop_id = %s", [shop_id]),
            "sale_orders": self.scratch.count(
                "SELECT count(*) FROM sale_order so JOIN marketplace_order mo ON so.marketplace_order_id = mo.id "
                "WHERE mo.shop_id = %s", [shop_id]),
            "lines": self.scratch.count(
                "SELECT count(*) FROM marketplace_order_line l JOIN marketplace_order o ON l.order_id = o.id "
                "WHERE o.shop_id = %s", [shop_id]),
            "sale_lines": self.scratch.count(
                "SELECT count(*) FROM sale_order_line sl JOIN sale_order so ON sl.order_id = so.id "
                "JOIN marketplace_order mo ON so.marketplace_order_id = mo.id "
                "WHERE mo.shop_id = %s AND NOT sl.is_delivery AND sl.product_id IN "
                "(SELECT id FROM product_product WHERE default_code LIKE 'DEMO-%%')", [shop_id]),
        }

    def jobs_by_state(self, account_id):
        """Jobs of the account (notification jobs name the account only, not the shop)."""
        return dict(self.scratch.execute(
            "SELECT state, count(*) FROM marketplace_job WHERE account_id = %s GROUP BY state", [account_id]))


class TestConcurrentDelivery(ScratchCase):
    """The same 500 orders by cron and by webhook, two workers running at once: 500 sale orders, each line once."""

    ORDERS = 500

    def test_cron_and_webhook_with_two_workers(self):
        order_ids = self.make_orders(self.ORDERS)
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Concurrent eBay", PUBLISHED_SKUS)
            shop_id, account_id = shop.id, shop.account_id.id
        server = self.scratch.start_server()
        with self.scratch.env() as env:
            env["marketplace.account"].browse(account_id).ebay_endpoint_url = server + "/api/ebay/webhook"
        producing = threading.Event()
        producing.set()
        errors = []

        def worker():
            """A queue runner until producers are done and the account's queue is empty.

            Retry delays are fast-forwarded so that the test does not wait for backoff.
            """
            deadline = time.time() + 900
            while time.time() < deadline:
                try:
                    self.scratch.execute("UPDATE marketplace_job SET next_attempt_at = now() AT TIME ZONE 'UTC' "
                                         "- interval '1 second' WHERE state = 'pending' AND account_id = %s",
                                         [account_id])
                    with self.scratch.env() as env:
                        ran = env["marketplace.job"]._run_pending(limit=50)
                except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                    errors.append(exc)
                    return
                queued = self.jobs_by_state(account_id)
                if not ran and not producing.is_set() and not queued.get("pending") and not queued.get("processing"):
                    return
                if not ran:
                    time.sleep(0.3)

        def cron():
            with self.scratch.env() as env:
                env["marketplace.job"]._enqueue("pull_orders", shop=env["marketplace.shop"].browse(shop_id))

        def deliver(order_id):
            """Like eBay: a notification not acknowledged with a 2xx is delivered again later."""
            for _attempt in range(4):
                status = requests.post(self.sim.base_url + "/_sim/notify", timeout=60, json={
                    "target_url": server + "/api/ebay/webhook", "topic": "ORDER_CONFIRMATION",
                    "data": {"orderId": order_id}}).json().get("status")
                if status and status < 500:
                    return status
                time.sleep(1)
            return status

        workers = [threading.Thread(target=worker) for _i in range(2)]
        for thread in workers:
            thread.start()
        cron()
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(deliver, order_ids))
        cron()  # a second cron pull overlapping everything
        producing.clear()
        for thread in workers:
            thread.join(timeout=900)
        self.assertEqual(errors, [])
        self.assertEqual(set(statuses), {200}, "every notification was acknowledged")
        self.assertEqual(self.scratch.count("SELECT count(*) FROM ebay_notification WHERE account_id = %s",
                                            [account_id]), self.ORDERS)
        totals = self.totals(shop_id)
        self.assertEqual(totals["orders"], self.ORDERS)
        self.assertEqual(totals["sale_orders"], self.ORDERS)
        self.assertEqual(totals["sale_lines"], totals["lines"], "each eBay line exactly once on a sale order")
        self.assertEqual(set(self.jobs_by_state(account_id)) - {"done", "cancelled"}, set())


class TestKilledWorker(ScratchCase):
    """A worker process killed between pages: the job is recovered by another runner and nothing is duplicated."""

    ORDERS = 450

    def test_killed_between_pages(self):
        self.make_orders(self.ORDERS)
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Crashing eBay", PUBLISHED_SKUS)
            shop_id, account_id = shop.id, shop.account_id.id
            job = env["marketplace.job"]._enqueue("pull_orders", shop=shop)
            job_id = job.id
        # pages of 200 orders, each eBay call a little slow, so the kill lands while a later page is worked on
        requests.post(self.sim.base_url + "/_sim/faults", json={"latency_ms": [200, 200]}, timeout=10)
        worker = self.scratch.start_worker(job_id)
        deadline = time.time() + 600
        while self.scratch.count("SELECT COALESCE(progress_fetched, 0) FROM marketplace_job WHERE id = %s",
                                 [job_id]) < 200:
            self.assertIsNone(worker.poll(), "the worker ended before its first page was committed")
            self.assertLess(time.time(), deadline)
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        requests.post(self.sim.base_url + "/_sim/faults", json={}, timeout=10)
        partial = self.totals(shop_id)
        self.assertGreaterEqual(partial["orders"], 200, "the committed page survived the crash")
        self.assertLess(partial["orders"], self.ORDERS, "the worker died before the end")
        self.assertEqual(self.jobs_by_state(account_id), {"processing": 1})

        with self.scratch.env() as env:  # past the recovery grace (instead of waiting for it)
            env.cr.execute("UPDATE marketplace_job SET started_at = now() AT TIME ZONE 'UTC' - interval '1 minute' "
                           "WHERE id = %s", [job_id])
        with self.scratch.env() as env:
            env["marketplace.job"]._run_pending(job_ids=[job_id])
        with self.scratch.env() as env:
            job = env["marketplace.job"].browse(job_id)
            self.assertEqual((job.state, job.attempts, job.crash_count), ("done", 2, 1), job.last_error)
            self.assertTrue(any("Recovered" in line for line in job.log_ids.mapped("message")))
        totals = self.totals(shop_id)
        self.assertEqual((totals["orders"], totals["sale_orders"]), (self.ORDERS, self.ORDERS))
        self.assertEqual(totals["sale_lines"], totals["lines"])


class TestBackfillMeetsStockPush(ScratchCase):
    """A stock push updating a binding while a backfill page is being written costs the backfill that SKU
    only, and only for seconds: PostgreSQL refuses the backfill's write of the row changed meanwhile."""

    def test_a_binding_changed_meanwhile_is_synced_again_within_seconds(self):
        with self.scratch.env() as env:
            env["ir.config_parameter"].set_param("ebay_connector.feed_poll_seconds", "0")
            shop = self.scratch.connected_shop(env, self.sim, "Racing eBay", PUBLISHED_SKUS)
            shop_id = shop.id
            first = env["marketplace.job"]._enqueue("backfill_listings", shop=shop)
        with self.scratch.env() as env:
            env["marketplace.job"]._run_pending(job_ids=first.ids)
        before = self.quantities(shop_id)
        self.make_orders_of(["DEMO-0003", "DEMO-0005"])  # eBay's quantities of both change

        original = ListingBackfill._sync_items

        def stock_push_meanwhile(service, raw_items, report):
            # committed by another transaction after the backfill's began, as a stock push would
            self.scratch.execute("UPDATE marketplace_product_binding SET last_pushed_qty = 777 "
                                 "WHERE shop_id = %s AND external_sku = 'DEMO-0003'", [shop_id])
            return original(service, raw_items, report)

        with self.scratch.env() as env:
            shop = env["marketplace.shop"].browse(shop_id)
            job_id = env["marketplace.job"]._enqueue("backfill_listings", shop=shop).id
        with patch.object(ListingBackfill, "_sync_items", stock_push_meanwhile), self.scratch.env() as env:
            env["marketplace.job"]._run_pending(job_ids=[job_id])
        with self.scratch.env() as env:
            job = env["marketplace.job"].browse(job_id)
            self.assertEqual(job.state, "done", job.last_error)
            self.assertTrue(any("DEMO-0003 changed in another job meanwhile" in line
                                for line in job.log_ids.mapped("message")))
            retry = env["marketplace.job"].search([("shop_id", "=", shop_id), ("state", "=", "pending"),
                                                   ("job_type", "=", "backfill_listings")])
            self.assertEqual(retry._payload(), {"skus": ["DEMO-0003"]})
            self.assertLessEqual(retry.next_attempt_at, fields.Datetime.now() + timedelta(seconds=10))
            retry_id = retry.id
        after = self.quantities(shop_id)
        self.assertEqual(after["DEMO-0003"], 777, "the concurrent change was not overwritten")
        self.assertEqual(after["DEMO-0005"], before["DEMO-0005"] - 1, "the rest of the page was stored")

        self.scratch.execute("UPDATE marketplace_job SET next_attempt_at = now() AT TIME ZONE 'UTC' WHERE id = %s",
                             [retry_id])
        with self.scratch.env() as env:
            env["marketplace.job"]._run_pending(job_ids=[retry_id])
        with self.scratch.env() as env:
            self.assertEqual(env["marketplace.job"].browse(retry_id).state, "done")
        self.assertEqual(self.quantities(shop_id)["DEMO-0003"], before["DEMO-0003"] - 1, "eBay's quantity synced")

    def quantities(self, shop_id):
        return dict(self.scratch.execute(
            "SELECT external_sku, last_pushed_qty FROM marketplace_product_binding WHERE shop_id = %s", [shop_id]))

    def make_orders_of(self, skus):
        answer = requests.post(self.sim.base_url + "/_sim/orders",
                               json={"count": 1, "lines": [{"sku": sku, "quantity": 1} for sku in skus]}, timeout=30)
        answer.raise_for_status()


class TestOrderImportMeetsStockAdjustment(ScratchCase):
    """A stock adjustment committed while a batch of orders is converted costs the batch only the order whose
    reservation meets it: PostgreSQL refuses that order's write of the changed quant, the others are kept, and
    the raced order is tried again in a fresh transaction (or, when it keeps losing, by the engine within
    seconds, not counted as an attempt)."""

    RACED_SKU = "DEMO-0007"

    def prepare(self, name):
        """Four eBay orders (one of the raced SKU, which alone has stock here) and their import job."""
        order_ids = [self.order_of(sku) for sku in ("DEMO-0003", "DEMO-0005", self.RACED_SKU, "DEMO-0008")]
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, name, PUBLISHED_SKUS)
            shop.auto_confirm = True
            product = env["product.product"].search([("default_code", "=", self.RACED_SKU)])
            env["stock.quant"]._update_available_quantity(product, shop.warehouse_id.lot_stock_id, 50)
            job = env["marketplace.job"]._enqueue("pull_orders", shop=shop, payload={"order_ids": order_ids})
            self.quant_id = env["stock.quant"].search([("product_id", "=", product.id),
                                                       ("location_id", "=", shop.warehouse_id.lot_stock_id.id)]).id
            shop_id, job_id = shop.id, job.id
        self.before = self.quant()  # earlier tests of this class sold the same product
        return shop_id, job_id, order_ids[2]

    def order_of(self, sku):
        answer = requests.post(self.sim.base_url + "/_sim/orders",
                               json={"count": 1, "lines": [{"sku": sku, "quantity": 1}]}, timeout=30)
        answer.raise_for_status()
        return answer.json()["orderIds"][0]

    def adjust_stock_meanwhile(self, raced_order_id, times):
        """While a group holding the raced order is imported, another transaction adds one unit to its quant
        (``times`` times at most), after the import's snapshot was taken."""
        adjustments = []
        original = OrderImporter._import_group

        def import_group(service, group):
            if len(adjustments) < times and raced_order_id in [order.values["external_order_id"] for order in group]:
                service.env.cr.execute("SELECT 1")  # the import's snapshot exists before the adjustment commits
                self.scratch.execute("UPDATE stock_quant SET quantity = quantity + 1 WHERE id = %s", [self.quant_id])
                adjustments.append(len(group))
            return original(service, group)
        return adjustments, patch.object(OrderImporter, "_import_group", import_group)

    def run_job(self, job_id):
        """One run of the job (``job_ids`` claims it due or not: a retry would follow at once)."""
        with self.scratch.env() as env:
            env["marketplace.job"]._run_pending(limit=1, job_ids=[job_id])
        with self.scratch.env() as env:
            job = env["marketplace.job"].browse(job_id)
            return job.state, job.attempts, job.lost_races, job.last_error

    def quant(self):
        return self.scratch.execute("SELECT quantity, reserved_quantity FROM stock_quant WHERE id = %s",
                                    [self.quant_id])[0]

    def test_a_race_lost_once_is_won_in_a_fresh_transaction_of_the_same_run(self):
        shop_id, job_id, raced_order_id = self.prepare("Adjusted eBay")
        adjustments, racing = self.adjust_stock_meanwhile(raced_order_id, times=1)
        with racing:
            state, attempts, lost_races, error = self.run_job(job_id)
        self.assertEqual((state, attempts, lost_races), ("done", 1, 0), error)
        self.assertEqual(adjustments, [4], "one adjustment, committed while the whole batch was converted")
        totals = self.totals(shop_id)
        self.assertEqual((totals["orders"], totals["sale_orders"], totals["sale_lines"]), (4, 4, 4))
        self.assertEqual(self.quant(), (self.before[0] + 1, self.before[1] + 1),
                         "the adjustment is kept and the raced order reserved its unit")

    def test_an_order_that_keeps_losing_is_handed_to_the_engine_and_the_others_are_kept(self):
        shop_id, job_id, raced_order_id = self.prepare("Busy eBay")
        adjustments, racing = self.adjust_stock_meanwhile(raced_order_id, times=100)
        with racing:
            state, attempts, lost_races, error = self.run_job(job_id)
        self.assertEqual((state, attempts, lost_races), ("pending", 0, 1), "retried in seconds, not an attempt")
        self.assertIn(raced_order_id, error)
        self.assertEqual(adjustments[0], 4)
        self.assertEqual(adjustments[-2:], [1, 1], "then alone, in two fresh transactions")
        totals = self.totals(shop_id)
        self.assertEqual((totals["orders"], totals["sale_orders"]), (3, 3), "the other orders are kept")
        self.assertEqual(self.scratch.count(
            "SELECT count(*) FROM marketplace_order WHERE shop_id = %s AND external_order_id = %s",
            [shop_id, raced_order_id]), 0, "nothing of the raced order is kept")
        with self.scratch.env() as env:
            job = env["marketplace.job"].browse(job_id)
            self.assertLessEqual(job.next_attempt_at, fields.Datetime.now() + timedelta(seconds=10))
            job.next_attempt_at = fields.Datetime.now()

        self.assertEqual(self.run_job(job_id)[:3], ("done", 1, 0))
        totals = self.totals(shop_id)
        self.assertEqual((totals["orders"], totals["sale_orders"], totals["sale_lines"]), (4, 4, 4))
        self.assertEqual(self.quant(), (self.before[0] + len(adjustments), self.before[1] + 1))
