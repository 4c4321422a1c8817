"""Scenario 5: the job engine under a mixed workload on a real Odoo server with its real cron workers.

A backfill of the catalogue (bulk lane), the import of the orders by id in jobs of 20 (urgent lane) and a stock
change every few seconds, with 1, 2 and 4 lanes, the simulator answering every call in ``latency_ms``. Measured:
total time, jobs per minute, and how long a stock change takes to reach the simulator while bulk work runs.
The server runs prefork (two HTTP workers, one cron worker process per lane plus one for Odoo's other crons),
as a seller who outgrows one lane deploys it: threads of one process would share one Python interpreter lock.
"""
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg2

from .setup import REPO, ScenarioError, free_port, say, wait_until_up

# the workload: one backfill of the catalogue (bulk) and the orders imported by id, ORDERS_PER_JOB a job (urgent)

ORDERS_PER_JOB = 20
WATCHED_SKUS = 500  # bound before the run: the stock changes are made on them
# the crons that would queue work of their own at the server's start (a second backfill, an order pull, the
# sweep) wait for tomorrow: the workload is the one described above, the same in every run
DEFERRED_CRONS = ("ebay_connector.ir_cron_ebay_pull_orders", "ebay_connector.ir_cron_ebay_backfill_listings",
                  "ebay_connector.ir_cron_ebay_push_stock_and_prices")


def lane_capacities(lanes):
    """(urgent, bulk) runners for a total of ``lanes``; with one lane, every job shares it."""
    if lanes == 1:
        return 1, 0
    return lanes - lanes // 2, lanes // 2


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class StockChanges(threading.Thread):
    """Every ``every`` seconds, a new stock level for the next watched product; each change's latency is the time
    until the simulator shows a different quantity for its SKU.

    Changes are made by this thread on their own cadence; a second thread watches the simulator, so that a slow
    poll (the machine is busy with the workload) never delays or thins out the changes."""

    def __init__(self, bench, skus, every):
        super().__init__(daemon=True)
        self.bench, self.skus, self.every = bench, list(skus), every
        self.stop_event = threading.Event()
        self.latencies, self.open, self.lock = [], {}, threading.Lock()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.changes_done, self.error = threading.Event(), None

    def run(self):
        self.watcher.start()
        rng = random.Random(5)
        next_change = time.time()
        while not self.stop_event.is_set() and self.skus:
            sku = self.skus.pop(0)
            before = self.bench.sim.get("/_sim/listings/%s" % sku)["quantity"]
            changed_at = time.time()
            try:
                self._set_stock(sku, before + 100 + rng.randint(1, 50))
            except ScenarioError as exc:
                self.error = exc
                break
            with self.lock:
                self.open[sku] = (before, changed_at)
            next_change += self.every
            self.stop_event.wait(max(0.0, next_change - time.time()))
        self.changes_done.set()
        self.watcher.join()

    def _watch(self):
        """Poll the open changes until each shows on the simulator (all of them, after the stop too)."""
        while not (self.changes_done.is_set() and not self.open):
            with self.lock:
                watched = list(self.open.items())
            for sku, (before, changed_at) in watched:
                if self.bench.sim.get("/_sim/listings/%s" % sku)["quantity"] != before:
                    with self.lock:
                        self.latencies.append(time.time() - changed_at)
                        del self.open[sku]
                elif time.time() - changed_at > 600:
                    self.error = ScenarioError("stock change of %s did not reach eBay within 10 minutes" % sku)
                    return
            time.sleep(0.25)

    def _set_stock(self, sku, quantity):
        """An inventory adjustment, retried when it collides with an order's reservation of the same quant
        (Odoo retries a browser request that does, up to 5 times)."""
        for attempt in range(5):
            try:
                with self.bench.env() as env:
                    product = env["product.product"].search([("default_code", "=", sku)])
                    env["stock.quant"].with_context(inventory_mode=True).create({
                        "product_id": product.id, "location_id": env.ref("stock.warehouse0").lot_stock_id.id,
                        "inventory_quantity": quantity}).action_apply_inventory()
                return
            except psycopg2.errors.SerializationFailure:
                time.sleep(0.1 * (attempt + 1))
        raise ScenarioError("the stock change of %s collided 5 times with other transactions" % sku)


def engine_run(bench, lanes, order_ids, latency_ms, change_every):
    """One mixed run with ``lanes`` runners; returns its figures."""
    urgent, bulk = lane_capacities(lanes)
    with bench.env() as env:
        env.ref("marketplace_base.job_channel_urgent").capacity = urgent
        env.ref("marketplace_base.job_channel_bulk").capacity = bulk
        shop = env["marketplace.shop"].browse(bench.shop_id)
        skus = bench.sim_skus()[:WATCHED_SKUS]
        products = env["product.product"].search([("default_code", "in", skus)])
        env["marketplace.product.binding"].create([{
            "shop_id": shop.id, "product_id": product.id, "external_sku": product.default_code,
            "ebay_listing_source": "inventory_api", "status": "active"} for product in products])
        for xmlid in DEFERRED_CRONS:
            env.ref(xmlid).nextcall = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    bench.sim.post("/_sim/faults", {"latency_ms": [latency_ms, latency_ms]}).raise_for_status()
    log_path = os.path.join(REPO, "var", "bench", "engine-%d-lanes.log" % lanes)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "scripts", "odoo-server"), "-c", bench.config_path, "-d", bench.db_name,
         "--http-port", str(port), "--gevent-port", str(free_port()), "--http-interface", "127.0.0.1",
         "--workers", "2", "--max-cron-threads", str(lanes + 1), "--log-level", "warn", "--log-handler", "odoo.addons.base.models.ir_cron:INFO"], stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd="/tmp")
    try:
        wait_until_up(server, "http://127.0.0.1:%d/web/health" % port, "the Odoo server", log_path, 300)
        started, load_before = time.time(), os.getloadavg()[0]
        with bench.env() as env:
            Job = env["marketplace.job"]
            shop = env["marketplace.shop"].browse(bench.shop_id)
            jobs = Job._enqueue("backfill_listings", shop=shop)
            for start in range(0, len(order_ids), ORDERS_PER_JOB):
                jobs |= Job._enqueue("pull_orders", shop=shop,
                                     payload={"order_ids": order_ids[start:start + ORDERS_PER_JOB]})
            if lanes == 1:
                jobs.write({"channel_id": env.ref("marketplace_base.job_channel_urgent").id})
            workload = jobs.ids
        changes = StockChanges(bench, skus, change_every)
        changes.start()
        longest_slice = 0.0
        while True:
            with bench.env() as env:
                env.cr.execute("SELECT state, count(*) FROM marketplace_job WHERE id = ANY(%s) GROUP BY state",
                               [workload])
                states = dict(env.cr.fetchall())
                longest_slice = max(longest_slice, _longest_slice_seen(env, workload))
            if states.get("failed") or states.get("cancelled"):
                raise ScenarioError("jobs ended %s with %d lanes" % (states, lanes))
            if states.get("done") == len(workload):
                break
            if server.poll() is not None:
                raise ScenarioError("the Odoo server stopped: see %s" % log_path)
            time.sleep(1)
        seconds = time.time() - started
        changes.stop_event.set()
        changes.join(timeout=660)
        if changes.error:
            raise changes.error
        with open(log_path) as log:
            text = log.read()
        # threaded servers say "virtual real time limit", prefork masters kill a worker "timeout after"
        limit_hits = text.count("virtual real time limit") + text.count("timeout after")
    finally:
        server.terminate()
        server.wait(timeout=60)
        bench.sim.post("/_sim/faults", {}).raise_for_status()
    latencies = changes.latencies
    return {"lanes": lanes, "urgent_runners": urgent, "bulk_runners": bulk, "cron_workers": lanes + 1,
            "seconds": round(seconds, 1), "jobs_done": len(workload),
            "jobs_per_minute": round(len(workload) / seconds * 60, 1),
            "stock_changes": len(latencies),
            "stock_p50_s": round(statistics.median(latencies), 1) if latencies else None,
            "stock_p99_s": round(percentile(latencies, 0.99), 1) if latencies else None,
            "stock_max_s": round(max(latencies), 1) if latencies else None,
            "time_limit_reached": limit_hits,
            # slices of the workload's jobs (a job gives its worker back between two), and the longest one seen
            # (polled every second: the running slice's age, or the last one's length)
            "slices": _slices(bench, workload), "longest_slice_s": round(longest_slice, 1),
            # the machine's 1-minute load average (2 cores: above 2, other work competed with the run)
            "load_average_start_end": [round(load_before, 1), round(os.getloadavg()[0], 1)]}


def _longest_slice_seen(env, job_ids):
    """Seconds of the longest slice now visible among ``job_ids``: running for, or the last one's length."""
    env.cr.execute("""
        SELECT COALESCE(MAX(EXTRACT(EPOCH FROM CASE WHEN state = 'processing' THEN now() AT TIME ZONE 'UTC'
                                                   ELSE ended_at END - started_at)), 0)
          FROM marketplace_job WHERE id = ANY(%s) AND started_at IS NOT NULL""", [job_ids])
    return float(env.cr.fetchone()[0])


def _slices(bench, job_ids):
    """Runs of the workload's jobs: one more than the times they paused."""
    with bench.env() as env:
        env.cr.execute("SELECT COALESCE(SUM(slice_count + 1), 0) FROM marketplace_job WHERE id = ANY(%s)", [job_ids])
        return int(env.cr.fetchone()[0])


def engine_table(runs):
    """Rows of text for the engine runs, with throughput relative to one lane."""
    base = runs[0]["jobs_per_minute"] if runs else None
    head = ("lanes", "runners u/b", "wall s", "jobs", "jobs/min", "x 1 lane", "stock p50 s", "stock p99 s",
            "slices", "longest slice s", "time limit hits")
    rows = [(str(r["lanes"]), "%s/%s" % (r["urgent_runners"], r["bulk_runners"]), str(r["seconds"]),
             str(r["jobs_done"]), str(r["jobs_per_minute"]),
             "%.2f" % (r["jobs_per_minute"] / base) if base else "n/a", str(r["stock_p50_s"]),
             str(r["stock_p99_s"]), str(r["slices"]), str(r["longest_slice_s"]), str(r["time_limit_reached"]))
            for r in runs]
    widths = [max(len(head[i]), *(len(row[i]) for row in rows)) for i in range(len(head))]
    line = "  ".join("{:>%d}" % w for w in widths)
    return [line.format(*head), line.format(*("-" * w for w in widths))] + [line.format(*row) for row in rows]


def run_engine(bench, args, order_ids):
    """The mixed workload with each lane count of ``args.lanes``, each on a fresh copy of the database."""
    runs = []
    for lanes in (int(part) for part in args.lanes.split(",")):
        say("5. job engine, mixed workload, %d lane(s)" % lanes)
        bench.reset_database()
        runs.append(engine_run(bench, lanes, order_ids, args.latency_ms, args.change_every))
        say("   %s" % runs[-1])
    return runs
