"""The job engine as a seller runs it: a real Odoo server, its real cron threads and time limit, the simulator
answering in 150 ms, a server killed with SIGKILL and started again, two servers on one database.

Odoo's real-time limit is cut from 120 s to 40 s so that CI sees several slices in little time (Odoo's
other limits stay at their defaults); ``scripts/bench`` runs the same engine at full size with 120 s.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import requests

from odoo import fields

from .scratch import wait_for
from .test_reliability import PUBLISHED_SKUS, ScratchCase

LIMIT_TIME_REAL = "40"
# the crons that would send their own pulls to the same eBay (after-sale records, disputes, money)
AFTER_SALE_CRONS = ("ir_cron_ebay_pull_cancellations", "ir_cron_ebay_pull_returns", "ir_cron_ebay_pull_cases",
                    "ir_cron_ebay_pull_disputes", "ir_cron_ebay_pull_finances")


class LiveServerCase(ScratchCase):
    """The scratch database to itself: earlier scenarios' shops off, their jobs cancelled."""

    def setUp(self):
        super().setUp()
        self.scratch.execute("UPDATE marketplace_shop SET active = FALSE")
        self.scratch.execute("UPDATE marketplace_job SET state = 'cancelled' WHERE state IN ('pending', 'processing')")
        self.addCleanup(self.scratch.stop)
        self.logs = []

    def server(self, *options, cron_threads=2, env=None):
        """A real server with ``cron_threads`` cron threads (and the environment variables ``env``, default
        this process's); its log is kept as a test artifact."""
        directory = os.environ.get("MKT_TEST_ARTIFACTS") or "/tmp"
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "live-server-%s-%d.log" % (type(self).__name__, len(self.logs) + 1))
        log = open(path, "w")  # noqa: SIM115 - the server writes to it until the test's cleanup
        self.addCleanup(log.close)
        self.logs.append(path)
        return self.scratch.start_server("--limit-time-real", LIMIT_TIME_REAL, *options, log_file=log,
                                         cron_threads=cron_threads, env=env)

    def server_logs(self):
        text = ""
        for path in self.logs:
            with open(path) as handle:
                text += handle.read()
        return text

    def quiet_crons(self, xmlids):
        """Switch off the eBay crons ``xmlids`` in the scratch database for this test (on again after it)."""
        query = ("UPDATE ir_cron SET active = %s WHERE id IN (SELECT res_id FROM ir_model_data WHERE "
                 "module = 'ebay_connector' AND model = 'ir.cron' AND name IN %s)")
        self.scratch.execute(query, [False, tuple(xmlids)])
        self.addCleanup(self.scratch.execute, query, [True, tuple(xmlids)])

    def job(self, job_id):
        rows = self.scratch.execute(
            "SELECT state, slice_count, crash_count, progress_fetched, last_error FROM marketplace_job WHERE id = %s",
            [job_id])
        return dict(zip(("state", "slices", "crashes", "fetched", "error"), rows[0], strict=True))

    def sim_quantity(self, sku):
        return requests.get(self.sim.base_url + "/_sim/listings/%s" % sku, timeout=10).json()["quantity"]


class TestLongBackfillOnALiveServer(LiveServerCase):
    LISTINGS = 4500   # several slices even on a fast machine (~95 listings/s bound on two cores)
    sim_seed = {"items": LISTINGS, "orders": 0}

    def test_backfill_in_slices_stock_in_time_and_a_killed_server_resumed(self):
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Live eBay", PUBLISHED_SKUS)
            shop.account_id.ebay_create_missing_products = True
            # taken over: stock changes go to eBay; the products the backfill creates start with eBay's quantities
            # (the seller's own DEMO-0001 to DEMO-0020, without stock, wait for their take-over: issue 19)
            shop.odoo_owns_stock = True
            env["ir.config_parameter"].set_param("ebay_connector.feed_poll_seconds", "0")
            shop_id, warehouse_id = shop.id, shop.warehouse_id.id
            job_id = env["marketplace.job"]._enqueue("backfill_listings", shop=shop).id
        requests.post(self.sim.base_url + "/_sim/faults", json={"latency_ms": [150, 150]}, timeout=10)
        self.server()

        # the backfill has given its worker back at least once, and bound the first page
        wait_for(lambda: self.job(job_id)["slices"] >= 1 and self.binding_count(shop_id, "DEMO-0021"), 240,
                 "a first slice of the backfill")
        job = self.job(job_id)
        self.assertIn(job["state"], ("pending", "processing"), "the backfill is not done yet: %s" % job)

        # a stock change made while the backfill runs reaches eBay within a minute
        before = self.sim_quantity("DEMO-0021")
        with self.scratch.env() as env:
            product = env["product.product"].search([("default_code", "=", "DEMO-0021")])
            quant = env["stock.quant"].with_context(inventory_mode=True).create({
                "product_id": product.id, "location_id": env["stock.warehouse"].browse(warehouse_id).lot_stock_id.id,
                "inventory_quantity": 41})
            quant.action_apply_inventory()
        changed_at = time.time()
        wait_for(lambda: self.sim_quantity("DEMO-0021") != before, 60, "the stock change on eBay")
        self.assertLess(time.time() - changed_at, 60)

        # the machine dies in the middle of the backfill; a new server takes the job over and finishes it
        wait_for(lambda: self.job(job_id)["state"] == "processing", 120, "the backfill running again")
        self.scratch.server.send_signal(signal.SIGKILL)
        self.scratch.server.wait(timeout=30)
        fetched_at_kill = self.job(job_id)["fetched"]
        self.server()
        wait_for(lambda: self.job(job_id)["state"] not in ("pending", "processing"), 420, "the backfill's end")

        job = self.job(job_id)
        self.assertEqual((job["state"], job["crashes"]), ("done", 1), job["error"])
        self.assertGreaterEqual(job["slices"], 2)
        messages = [row[0] for row in self.scratch.execute(
            "SELECT message FROM marketplace_job_log WHERE job_id = %s ORDER BY id", [job_id])]
        recovered = next(i for i, message in enumerate(messages) if message.startswith("Recovered"))
        self.assertFalse([m for m in messages[recovered:] if m.startswith("Page 1/")],
                         "resumed from its checkpoint, not from the first page (%s fetched at the kill)"
                         % fetched_at_kill)
        self.assertEqual(self.scratch.count(
            "SELECT count(*) FROM marketplace_product_binding WHERE shop_id = %s", [shop_id]), self.LISTINGS)
        self.assertEqual(self.scratch.count(
            "SELECT count(DISTINCT external_sku) FROM marketplace_product_binding WHERE shop_id = %s", [shop_id]),
            self.LISTINGS, "no listing bound twice")
        self.assertEqual(self.scratch.count(
            "SELECT count(*) FROM product_product WHERE default_code LIKE 'DEMO-%%'"), self.LISTINGS,
            "no product created twice")
        self.assertNotIn("virtual real time limit", self.server_logs(), "no job held a worker past Odoo's limit")

    def binding_count(self, shop_id, sku):
        return self.scratch.count("SELECT count(*) FROM marketplace_product_binding WHERE shop_id = %s "
                                  "AND external_sku = %s AND product_id IS NOT NULL", [shop_id, sku])


class TestTwoServersShareTheBudget(LiveServerCase):
    sim_seed = {"items": 600, "orders": 600}
    BUDGET = 6

    def test_pull_budget_holds_across_servers(self):
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Budget eBay", PUBLISHED_SKUS)
            shop.account_id.ebay_pull_budget = self.BUDGET
            env["ir.config_parameter"].set_param("ebay_connector.feed_poll_seconds", "0")
            env["ir.config_parameter"].set_param("ebay_connector.order_page_size", "50")
            env.ref("marketplace_base.job_channel_urgent").capacity = 1
            env.ref("marketplace_base.job_channel_bulk").capacity = 1
            jobs = env["marketplace.job"]._enqueue("backfill_listings", shop=shop)
            jobs |= env["marketplace.job"]._enqueue("pull_orders", shop=shop)
            job_ids, account_id = jobs.ids, shop.account_id.id
        requests.post(self.sim.base_url + "/_sim/calls/reset", timeout=10)
        self.server(cron_threads=1)
        self.server(cron_threads=1)

        def waiting_for_budget():
            return self.scratch.count(
                "SELECT count(DISTINCT job_id) FROM marketplace_job_log WHERE job_id = ANY(%s) "
                "AND message LIKE 'Waiting for the API budget%%'", [job_ids]) >= 1
        wait_for(waiting_for_budget, 180, "a job waiting for the pull budget")
        time.sleep(5)  # whatever is still in flight
        calls = requests.get(self.sim.base_url + "/_sim/calls", timeout=10).json()["calls"]
        pulls = sum(count for call, count in calls.items() if not call.startswith("POST /identity"))
        # the budget's windows are fixed (multiples of 10 minutes since the epoch): a run that crosses a
        # boundary may use two of them, each at most the budget; every call eBay saw was counted first (read
        # after eBay's count, the windows may also hold a call made since)
        windows = [used for (used,) in self.scratch.execute(
            "SELECT used FROM marketplace_api_usage WHERE budget_key = %s ORDER BY window_start",
            ["ebay:%s:pull" % account_id])]
        self.assertTrue(windows and len(windows) <= 2, windows)
        self.assertTrue(all(used <= self.BUDGET for used in windows), windows)
        self.assertIn(self.BUDGET, windows, "a job waited only once a window was used up")
        self.assertLessEqual(pulls, sum(windows), calls)
        states = dict(self.scratch.execute("SELECT id, state FROM marketplace_job WHERE id = ANY(%s)", [job_ids]))
        self.assertNotIn("failed", states.values(), "over budget a job waits, it does not fail")


class TestAJobThatKillsItsWorker(LiveServerCase):
    """eBay never answers in time, and the client keeps retrying, so the job's cron thread passes Odoo's real-time
    limit every time: Odoo reloads the server (which re-executes itself: it was started from a file), the job is
    taken over, and after the crash cap it ends failed with the reason instead of looping. (Odoo checks its limits
    once a minute, so a run has to last well over a minute to be caught.)"""

    sim_seed = {"items": 20, "orders": 5}

    def test_ends_failed_after_the_cap_and_the_server_survives_its_reloads(self):
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Slow eBay", PUBLISHED_SKUS)
            # the shop's own pull cron would queue an equal job (priority 5, before this one) while this one runs,
            # and this one would be merged into it when recovered: the cron stays quiet here
            shop.write({"ebay_order_pull_interval": 24 * 60, "ebay_last_order_pull_at": fields.Datetime.now()})
            set_param = env["ir.config_parameter"].set_param
            set_param("marketplace_base.job_max_crashes", "2")
            set_param("ebay_connector.max_retry_seconds", "400")
            set_param("ebay_connector.max_attempts", "20")
            job_id = env["marketplace.job"]._enqueue("pull_orders", shop=shop).id
        # so would the after-sale and money crons: their jobs would hang on the same slow eBay, crash and take the
        # lane's turns before this one
        self.quiet_crons(AFTER_SALE_CRONS)
        self.addCleanup(self.scratch.execute, "DELETE FROM ir_config_parameter WHERE key IN "
                        "('marketplace_base.job_max_crashes', 'ebay_connector.max_retry_seconds', "
                        "'ebay_connector.max_attempts')")
        # every call takes longer than the client's 30 s timeout, and is retried
        requests.post(self.sim.base_url + "/_sim/faults", json={"latency_ms": [40000, 40000]}, timeout=10)
        self.addCleanup(requests.post, self.sim.base_url + "/_sim/faults", json={}, timeout=10)
        url = self.server()
        wait_for(lambda: self.job(job_id)["state"] == "failed", 900, "the job to end failed")
        job = self.job(job_id)
        self.assertEqual(job["crashes"], 2)
        self.assertIn("died 2 times", job["error"])
        log = self.server_logs()
        self.assertIn("virtual real time limit", log)
        self.assertNotIn("attempted relative import", log, "the server re-executed itself")
        self.assertEqual(requests.get(url + "/web/health", timeout=10).status_code, 200, "and still serves")


class TestAReloadStaysInTheProjectsPython(LiveServerCase):
    """Odoo reloads by re-executing ``python`` found on the PATH (``_reexec``: argv[0] without a folder, from which
    Python finds its prefix). On a user's machine the first ``python`` on the PATH is the system's, without Odoo's
    packages: the reloaded server must still run in the interpreter and environment it was started with."""

    sim_seed = {"items": 1, "orders": 0}

    def bare_python_first_on_path(self):
        """An environment whose PATH starts with a fresh virtual environment's ``python`` (none of Odoo's
        packages), as on a machine where only the project's var/venv holds them."""
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", directory.name], check=True)
        bare = os.path.join(directory.name, "bin")
        probe = subprocess.run([os.path.join(bare, "python"), "-c", "import babel"], capture_output=True)
        self.assertNotEqual(probe.returncode, 0, "the bare environment must lack Odoo's packages")
        return dict(os.environ, PATH=os.pathsep.join([bare, os.environ.get("PATH", "")]))

    def argv0(self, pid):
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().split(b"\0")[0].decode()

    def test_the_server_serves_again_after_a_reload(self):
        url = self.server(cron_threads=0, env=self.bare_python_first_on_path())
        process = self.scratch.server
        started_as = self.argv0(process.pid)
        process.send_signal(signal.SIGHUP)  # Odoo's reload: the server stops and re-executes itself
        wait_for(lambda: process.poll() is not None or self.argv0(process.pid) != started_as, 60,
                 "the server to re-execute itself")
        self.assertIsNone(process.poll(), "the reloaded server died:\n%s" % self.server_logs()[-3000:])
        wait_for(lambda: process.poll() is not None or self.serves(url), 120, "the reloaded server to answer")
        self.assertIsNone(process.poll(), "the reloaded server died:\n%s" % self.server_logs()[-3000:])
        self.assertNotIn("ModuleNotFoundError", self.server_logs())

    @staticmethod
    def serves(url):
        try:
            return requests.get(url + "/web/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False
