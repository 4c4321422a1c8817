"""After-sale benchmark (``scripts/bench --only aftersale``, issue 21): N orders on the eBay simulator, imported
into Odoo; then, while a real Odoo server runs with its default crons (threaded, Odoo's 2 cron workers, the
connector's cron intervals as installed), the simulator makes buyers' cancellation requests, return requests and
payment disputes spread over a period (once the crons overdue at the server's start have run), refunds half of the returns and closes
half of the disputes lost, each within a minute of its return or dispute.

Measured: the API calls the connector made during the run, the time from each event on the simulator to its
record in Odoo (a poll of the database every second: the first time the cancellation, return, dispute or credit
note is seen), p50 / p99 / max per kind and for all; and whether the credit notes are the refunds exactly (one per
refund the simulator made, under its id, of its amount). Figures only: a run ends when every event is in Odoo
or at ``--aftersale-timeout``; a job that failed or an event never seen is reported, not asserted.
"""
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time

import psycopg2

from .engine import percentile
from .measure import Measure, Result
from .setup import REPO, Bench, ScenarioError, Simulator, free_port, import_pure, say, wait_until_up

NOTES = [
    "After-sale: a real Odoo server (threaded, Odoo's default 2 cron workers) with the connector's default cron "
    "intervals: Pull Cancellations and Pull Returns every 3 minutes, Pull Payment Disputes every 5 minutes, Pull "
    "Orders every minute (the shop's own interval: 2 minutes). Events are made on the simulator at random moments "
    "over the spread; 'appear' is the first poll (every second) of the database that sees the record (the "
    "cancellation, the return, the dispute; for a refund, its credit note).",
    "Refunds: half the returns are refunded on eBay (the order shows the refund: booked by the order pull) and "
    "half the disputes close lost (booked as dispute:<id> by the disputes pull). 'credit notes = refunds' "
    "compares the credit notes' refund ids and amounts with the simulator's refunds and lost disputes.",
]
FOLLOW_UP_SECONDS = 60   # a refund or a loss follows its return or dispute within this
SETTLE_TIMEOUT = 600     # the server's first cron runs (queued at its start) end before the events begin
KINDS = ("cancellation", "return", "dispute", "refund")
TABLES = {"cancellation": ("marketplace_cancellation", "external_cancel_id"),
          "return": ("marketplace_return", "external_return_id"),
          "dispute": ("marketplace_dispute", "external_dispute_id")}


def run_aftersale(args, config, db, results, _baselines):
    import_pure("ebay_connector")
    say(f"eBay simulator: {args.aftersale_listings:,} listings")
    sim = Simulator(os.path.join(REPO, "var", "bench"), args.aftersale_listings, 0)
    try:
        bench = Bench(config, db, sim)
        bench.create_database()
        bench.load_registry()
        bench.prepare(bench.sim_skus())
        orders = _orders(bench, args.aftersale_orders)
        plan = _plan(bench, orders, args)
        results.append(_measure(bench, plan, args))
    finally:
        sim.stop()


def _post(sim, path, body=None):
    response = sim.post(path, body or {})
    if response.status_code >= 400:
        raise ScenarioError(f"simulator refused {path}: {response.text[:300]}")
    return response.json()


def _orders(bench, count):
    """``count`` orders made on eBay now and imported into Odoo (sale orders confirmed)."""
    say(f"{count:,} orders on eBay, imported into Odoo")
    ids = []
    for start in range(0, count, 100):
        ids += _post(bench.sim, "/_sim/orders", {"count": min(100, count - start)})["orderIds"]
    bench.run_job("pull_orders")
    with bench.env() as env:
        imported = env["marketplace.order"].search_count([("shop_id", "=", bench.shop_id),
                                                          ("external_order_id", "in", ids),
                                                          ("sale_order_id", "!=", False)])
    if imported != len(ids):
        raise ScenarioError(f"{imported} of {len(ids)} orders imported with their sale order")
    return ids


def _plan(bench, orders, args):
    """Which order gets which event: distinct orders per kind; the returned ones shipped on eBay first."""
    counts = (args.aftersale_cancellations, args.aftersale_returns, args.aftersale_disputes)
    if sum(counts) > len(orders):
        raise ScenarioError(f"{sum(counts)} after-sale events need as many orders (got {len(orders)})")
    rng = random.Random(21)
    picked = rng.sample(orders, sum(counts))
    cancelled = picked[:counts[0]]
    returned = picked[counts[0]:counts[0] + counts[1]]
    disputed = picked[counts[0] + counts[1]:]
    from odoo.addons.ebay_connector.ebay_api.fulfillment import FulfillmentAdapter
    with bench.env() as env:
        fulfillment = FulfillmentAdapter(env["marketplace.account"].browse(bench.account_id)._ebay_client())
        for number, order_id in enumerate(returned):    # shipped from Seller Hub: the buyer may return it
            lines = [(line["lineItemId"], line["quantity"]) for line in fulfillment.get_order(order_id)["lineItems"]]
            fulfillment.create_shipping_fulfillment(order_id, lines, "UPS", "1ZBENCH%08d" % number)
    spread = args.aftersale_spread
    events = [("cancellation", order_id, rng.uniform(0, spread)) for order_id in cancelled]
    events += [("return", order_id, rng.uniform(0, spread)) for order_id in returned]
    events += [("dispute", order_id, rng.uniform(0, spread)) for order_id in disputed]
    events.sort(key=lambda event: event[2])
    return {"events": events, "refund_returns": set(returned[::2]), "lose_disputes": set(disputed[::2])}


class Events(threading.Thread):
    """Makes the planned events on the simulator at their moments; each refund or loss follows its return or
    dispute after a random delay. Records {(kind, external id): moment it happened}."""

    def __init__(self, bench, plan, spread):
        super().__init__(daemon=True)
        self.bench, self.plan, self.spread = bench, plan, spread
        self.happened, self.amounts, self.error = {}, {}, None
        self.done = threading.Event()

    def run(self):
        try:
            self._run()
        except Exception as exc:  # reported by the scenario  # pylint: disable=broad-except
            self.error = exc
        finally:
            self.done.set()

    def _run(self):
        start = time.time()
        rng = random.Random(22)
        follow = []   # (moment, kind, id, order id)
        for kind, order_id, offset in self.plan["events"]:
            self._wait_until(start + offset, follow)
            if kind == "cancellation":
                external = _post(self.bench.sim, "/_sim/cancellations", {"orderId": order_id})["cancelId"]
            elif kind == "return":
                external = _post(self.bench.sim, "/_sim/returns", {"orderId": order_id})["returnId"]
                if order_id in self.plan["refund_returns"]:
                    follow.append((time.time() + rng.uniform(0, FOLLOW_UP_SECONDS), "refund_return", external,
                                   order_id))
            else:
                external = _post(self.bench.sim, "/_sim/payment_disputes", {"orderId": order_id})["paymentDisputeId"]
                if order_id in self.plan["lose_disputes"]:
                    follow.append((time.time() + rng.uniform(0, FOLLOW_UP_SECONDS), "lose_dispute", external,
                                   order_id))
            self.happened[(kind, str(external))] = time.time()
        self._wait_until(float("inf"), follow)

    def _wait_until(self, moment, follow):
        """Sleep until ``moment``, making the follow-ups (refunds, losses) due meanwhile."""
        while True:
            follow.sort()
            due = follow[0][0] if follow else float("inf")
            if min(due, moment) == float("inf"):
                return
            if due <= moment:
                time.sleep(max(0.0, due - time.time()))
                self._follow_up(*follow.pop(0)[1:])
            else:
                time.sleep(max(0.0, moment - time.time()))
                return

    def _follow_up(self, action, external, order_id):
        if action == "refund_return":
            before = set(self._order_refunds(order_id))
            _post(self.bench.sim, f"/_sim/returns/{external}/refund")
            for ref, amount in self._order_refunds(order_id).items():
                if ref not in before:
                    self.happened[("refund", ref)] = time.time()
                    self.amounts[ref] = amount
        else:
            dispute = _post(self.bench.sim, f"/_sim/payment_disputes/{external}/close", {"outcome": "SELLER_LOST"})
            ref = "dispute:%s" % external
            self.happened[("refund", ref)] = time.time()
            self.amounts[ref] = float(dispute["amount"]["value"])

    def _order_refunds(self, order_id):
        """{refund id: amount} of the order on the simulator (read from its database: no API call)."""
        connection = sqlite3.connect(self.bench.sim.db_path)
        try:
            (data,) = connection.execute("SELECT data FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        finally:
            connection.close()
        order = json.loads(data)
        refunds = list(order["paymentSummary"]["refunds"])
        refunds += [refund for line in order["lineItems"] for refund in line.get("refunds") or ()]
        return {refund.get("refundId") or refund["refundReferenceId"]: float(refund["amount"]["value"])
                for refund in refunds}


def _seen_now(cr, shop_id):
    """{(kind, external id)} in Odoo now: the after-sale records and the credit notes of the shop."""
    seen = set()
    for kind, (table, column) in TABLES.items():
        cr.execute(f"SELECT {column} FROM {table} WHERE shop_id = %s", [shop_id])  # noqa: S608 (names above)
        seen |= {(kind, row[0]) for row in cr.fetchall()}
    cr.execute("SELECT marketplace_refund_ref FROM account_move WHERE marketplace_shop_id = %s", [shop_id])
    seen |= {("refund", row[0]) for row in cr.fetchall()}
    return seen


def _measure(bench, plan, args):
    counts = {kind: sum(1 for event in plan["events"] if event[0] == kind) for kind in KINDS[:3]}
    label = (f"after-sale: {args.aftersale_orders:,} orders, {counts['cancellation']} cancellations, "
             f"{counts['return']} returns, {counts['dispute']} disputes")
    say(label + f" over {args.aftersale_spread} s, a live server with its default crons")
    log_path = os.path.join(REPO, "var", "bench", "aftersale-server.log")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, os.path.join(REPO, "scripts", "odoo-server"), "-c", bench.config_path, "-d", bench.db_name,
         "--http-port", str(port), "--gevent-port", str(free_port()), "--http-interface", "127.0.0.1",
         "--workers", "0", "--max-cron-threads", "2", "--log-level", "warn"],
        stdout=open(log_path, "w"), stderr=subprocess.STDOUT, cwd="/tmp")
    result = Result(label, "connector (default crons)")
    try:
        wait_until_up(server, "http://127.0.0.1:%d/web/health" % port, "the Odoo server", log_path, 300)
        _settle(bench, server, log_path)
        with Measure(bench, result, pid=server.pid):
            events = Events(bench, plan, args.aftersale_spread)
            events.start()
            appeared = _watch(bench, events, server, log_path, args.aftersale_timeout)
        if events.error:
            raise ScenarioError(f"making the events: {events.error}")
    finally:
        server.terminate()
        server.wait(timeout=60)
    result.units = len(events.happened)
    result.extra = _figures(bench, events, appeared)
    say(f"{label}: {result.calls} calls, {result.seconds} s; {result.extra['latency_s']}")
    say(f"credit notes = refunds: {result.extra['credit_notes_equal_refunds']}; failed jobs "
        f"{result.extra['failed_jobs']}; never seen {result.extra['never_seen']}")
    return result


def _settle(bench, server, log_path):
    """Wait until the crons overdue at the server's start have run and their jobs ended: the events then meet the
    crons' own cadence, not the catch-up of a server just started."""
    deadline = time.time() + SETTLE_TIMEOUT
    connection = psycopg2.connect(bench.dsn)
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            while time.time() < deadline:
                cr.execute("SELECT count(*) FROM ir_cron WHERE active AND cron_name::text LIKE '%Marketplace: Pull%' "
                           "AND nextcall <= now() AT TIME ZONE 'UTC'")
                overdue = cr.fetchone()[0]
                cr.execute("SELECT count(*) FROM marketplace_job WHERE state IN ('pending', 'processing') "
                           "AND job_type IN ('pull_orders', 'pull_cancellations', 'pull_returns', 'pull_disputes')")
                if not overdue and not cr.fetchone()[0]:
                    return
                if server.poll() is not None:
                    raise ScenarioError("the Odoo server stopped: see %s" % log_path)
                time.sleep(1)
    finally:
        connection.close()
    raise ScenarioError("the server's first cron runs did not end within %s s" % SETTLE_TIMEOUT)


def _watch(bench, events, server, log_path, timeout):
    """Poll the database every second until every event made is seen (or ``timeout`` s after the last one was
    made); returns {(kind, id): first seen}."""
    appeared, deadline = {}, None
    connection = psycopg2.connect(bench.dsn)
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            while True:
                now = time.time()
                for key in _seen_now(cr, bench.shop_id) & set(events.happened):
                    appeared.setdefault(key, now)
                if events.done.is_set():
                    deadline = deadline or now + timeout
                    if set(events.happened) <= set(appeared) or now > deadline:
                        return appeared
                if server.poll() is not None:
                    raise ScenarioError("the Odoo server stopped: see %s" % log_path)
                time.sleep(1)
    finally:
        connection.close()


def _figures(bench, events, appeared):
    latency = {}
    for kind in KINDS + ("all",):
        values = [appeared[key] - moment for key, moment in events.happened.items()
                  if key in appeared and kind in (key[0], "all")]
        latency[kind] = {"events": sum(1 for key in events.happened if kind in (key[0], "all")),
                         "seen": len(values),
                         "p50_s": round(percentile(values, 0.5), 1) if values else None,
                         "p99_s": round(percentile(values, 0.99), 1) if values else None,
                         "max_s": round(max(values), 1) if values else None}
    with bench.env() as env:
        notes = env["account.move"].search([("marketplace_shop_id", "=", bench.shop_id)])
        booked = {note.marketplace_refund_ref: round(note.amount_total, 2) for note in notes}
        failed = env["marketplace.job"].search_count([("state", "=", "failed")])
    made = {ref: round(amount, 2) for ref, amount in events.amounts.items()}
    return {"latency_s": latency, "refunds_made": len(made), "credit_notes": len(notes),
            "credit_notes_equal_refunds": booked == made,
            "refunds_not_booked": sorted(set(made) - set(booked)),
            "credit_notes_without_refund": sorted(set(booked) - set(made)),
            "amounts_differing": sorted(ref for ref in set(made) & set(booked) if made[ref] != booked[ref]),
            "failed_jobs": failed, "never_seen": sorted("%s %s" % key for key in set(events.happened) - set(appeared)),
            "goal": "p99 <= 300 s with the default crons"}
