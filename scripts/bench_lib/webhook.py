"""Scenario 4: eBay notifications posted to a real Odoo HTTP server by concurrent clients."""
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid

import requests

from .measure import PeakRss, Result, rows_written_so_far
from .setup import REPO, ScenarioError, free_port, say, wait_until_up

TOPIC = "ORDER_CONFIRMATION"
WEBHOOK_PATH = "/api/ebay/webhook"


def notification_body(order_id):
    """An ORDER_CONFIRMATION notification in eBay's envelope (see ebay_sim/notification.py)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return json.dumps({
        "metadata": {"topic": TOPIC, "schemaVersion": "1.0", "deprecated": False},
        "notification": {"notificationId": f"{uuid.uuid4()}_{uuid.uuid4()}", "eventDate": now, "publishDate": now,
                         "publishAttemptCount": 1, "data": {"orderId": order_id}},
    }, separators=(",", ":")).encode()


def build_deliveries(order_ids, count, duplicate_share, sign, seed=7):
    """``count`` signed notifications for existing orders, plus ~``duplicate_share`` replays of some of them
    (eBay delivers again when unsure), each replay placed after its original; returns (deliveries, replays)."""
    rng = random.Random(seed)
    originals = [(body, sign(body)) for body in (notification_body(order_ids[i % len(order_ids)])
                                                  for i in range(count))]
    deliveries = [(body, signature, False) for body, signature in originals]
    replays = round(count * duplicate_share)
    for index in rng.sample(range(count), replays):
        position = rng.randint(index + 1, len(deliveries))
        deliveries.insert(position, (originals[index][0], originals[index][1], True))
    return deliveries, replays


class OdooServer:
    """Odoo serving the bench database on ``port`` (threaded, or ``workers`` prefork processes; no cron), logging
    to ``log_path``; started like the demo (scripts/odoo-server) so that a reload re-executes it into this
    environment."""

    def __init__(self, bench, port, log_path, workers=0):
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "scripts", "odoo-server"), "-c", bench.config_path,
             "-d", bench.db_name, "--http-port", str(port),
             "--http-interface", "127.0.0.1", "--max-cron-threads", "0", "--workers", str(workers), "--log-level", "warn",
             "--db-filter", "^%s$" % bench.db_name],
            cwd="/tmp", stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
        wait_until_up(self.process, self.base_url + "/web/health", "the Odoo server", log_path, 120)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


def _post_all(url, deliveries, clients):
    """Post every delivery with ``clients`` threads (one keep-alive session each); returns (latency s, status,
    is replay) per post, and the wall time."""
    work = queue.Queue()
    for delivery in deliveries:
        work.put(delivery)
    outcomes, lock = [], threading.Lock()

    def client():
        session = requests.Session()
        while True:
            try:
                body, signature, replay = work.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                status = session.post(url, data=body, timeout=60, headers={
                    "Content-Type": "application/json", "X-EBAY-SIGNATURE": signature}).status_code
            except requests.RequestException:
                status = 0
            with lock:
                outcomes.append((time.perf_counter() - started, status, replay))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


def _cpu_seconds(pid):
    """CPU time (user + system) process ``pid`` and its children (prefork workers, alive or reaped) used so far:
    what one post costs the server whatever else runs on a shared machine, where its latency also measures the
    others' load."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])     # utime, stime, cutime, cstime
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            child_pids = children.read().split()
    except OSError:
        child_pids = []
    return ticks / os.sysconf("SC_CLK_TCK") + sum(_cpu_seconds(child) for child in child_pids
                                                    if os.path.exists(f"/proc/{child}"))


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def webhook_run(bench, label, count, clients=8, duplicate_share=0.05, workers=0):
    server_kind = "%s prefork workers" % workers if workers else "threaded server"
    result = Result(label, "connector: webhook, %s clients, %.0f%% replays, %s" % (
        clients, duplicate_share * 100, server_kind))
    with bench.env() as env:
        order_ids = env["marketplace.order"].search([("shop_id", "=", bench.shop_id)], order="id").mapped(
            "external_order_id")
        if not order_ids:
            raise ScenarioError("no imported order to confirm: the order scenario must run first")
    sign = bench.sim.signer()
    say("webhook: signing %s notifications" % count)
    deliveries, replays = build_deliveries(order_ids, count, duplicate_share, sign)
    server = _start_server(bench, workers)
    try:
        url = server.base_url + WEBHOOK_PATH
        warm = requests.post(url, data=(body := notification_body(order_ids[0])), timeout=60, headers={
            "Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body)})
        if warm.status_code != 200:
            raise ScenarioError("webhook warm-up answered %s: %s" % (warm.status_code, warm.text[:300]))
        with bench.env() as env:
            first_job_id = max(env["marketplace.job"].search([], order="id desc", limit=1).ids or [0])
            notifications_before = env["ebay.notification"].search_count([])
        bench.flush_pg_stats()
        rows_before = rows_written_so_far(bench.dsn)
        bench.sim.reset_calls()
        rss = PeakRss(server.process.pid)
        rss.start()
        say("webhook: posting %s notifications (%s replays) with %s clients" % (len(deliveries), replays, clients))
        load_before, cpu_before = os.getloadavg()[0], _cpu_seconds(server.process.pid)
        outcomes, wall = _post_all(url, deliveries, clients)
        server_cpu, load_after = _cpu_seconds(server.process.pid) - cpu_before, os.getloadavg()[0]
        result.peak_rss_mb = rss.stop()
    finally:
        server.stop()
    bench.flush_pg_stats()
    result.rows_written = rows_written_so_far(bench.dsn) - rows_before
    calls = bench.sim.calls()
    result.calls, result.call_detail = calls["total"], calls["calls"]
    result.seconds = round(wall, 2)
    with bench.env() as env:
        stored = env["ebay.notification"].search_count([]) - notifications_before
        jobs = env["marketplace.job"].search_count(
            [("id", ">", first_job_id), ("job_type", "=", "process_notification")])
    latencies = [latency for latency, _status, _replay in outcomes]
    statuses = {}
    for _latency, status, _replay in outcomes:
        statuses[status] = statuses.get(status, 0) + 1
    replay_ok = sum(1 for _latency, status, replay in outcomes if replay and status == 200)
    result.units = len(outcomes)
    result.extra = {
        "posted": len(outcomes), "unique": count, "replays_posted": replays, "statuses": statuses,
        "ack_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "ack_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "ack_max_ms": round(max(latencies) * 1000, 1),
        "throughput_per_s": round(len(outcomes) / wall, 1),
        "notifications_stored": stored, "jobs_made": jobs, "lost": max(0, count - stored),
        "replays_not_stored": replays - max(0, stored - count), "replays_acked_200": replay_ok,
        "server_cpu_ms_per_post": round(server_cpu / len(outcomes) * 1000, 2),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "server_log": os.path.relpath(server.log_path),
    }
    if statuses.get(200, 0) != len(outcomes):
        result.note = "non-200 answers: %s (see %s)" % (statuses, server.log_path)
    return result


def _start_server(bench, workers):
    """Point the account's notification endpoint at a free port, then serve the database there."""
    port = free_port()
    with bench.env() as env:
        env["marketplace.account"].browse(bench.account_id).ebay_endpoint_url = \
            f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    bench.flush_pg_stats()
    return OdooServer(bench, port, os.path.join(os.path.dirname(bench.sim.db_path), "odoo-webhook.log"), workers)
