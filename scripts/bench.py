"""Benchmark of the Odoo <-> eBay connector against the local eBay simulator (run it with scripts/bench).

Each scenario runs the connector's way (its real job) and a naive way written in scripts/bench_lib/scenarios.py
for comparison only. It prints figures and never fails on timing; it exits non-zero only when a scenario
errors (e.g. a job ends failed), with that error.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_lib import aftersale, engine, money, publish, report, scenarios, shopee, webhook  # noqa: E402
from bench_lib.setup import REPO, Bench, ScenarioError, Simulator, say  # noqa: E402

NOTES = [
    "Rate budgets are 0 (unthrottled): the figures measure the connector, not our own client-side rate limiter.",
    "The simulator runs in its own process on this machine (no network latency); eBay's real latency "
    "(~100-300 ms a call) would multiply with the API call counts, so the call column matters most.",
    "API calls: the simulator's counters, reset before each run. Rows written: inserted+updated+deleted rows "
    "of all tables (pg_stat_user_tables, queue and log rows included). Peak RSS +MB: growth of the measured "
    "process's peak resident set during the run (VmHWM reset via /proc/<pid>/clear_refs; the Odoo server's "
    "for the webhook), not tracemalloc, which would slow the runs 2-3x.",
    "Ratios are variant / naive baseline (lower is better).",
    "Stock push: the naive baseline pushes every binding, changed or not, one call each, as naive connectors "
    "do; the connector sends only the changed ones, 25 per bulkUpdatePriceQuantity.",
    "Backfill: feed polling set to 0.2 s (the simulator finishes the report on the 3rd poll; eBay takes "
    "minutes, and the 15 s default would only add sleep).",
    "Publish: new products, each with a complete listing (category, condition, item specifics, photos); the "
    "connector's time includes pressing Publish (the local check of every listing) and the photo uploads. "
    "Goal: at most 3 x N/25 listing calls plus the photo uploads (and one inventory location per shop).",
    "Webhooks: no naive baseline: a naive connector does not receive eBay's push notifications at all, it "
    "polls getOrders (the order-import baseline).",
    "Order import: the connector (one pull_orders job per window of last-modified time) and two bare-ORM floors "
    "take turns over the same windows of orders, so that the load of a shared machine weighs on all alike: the "
    "issue's floor (the same sale orders, delivery contact and shipping line included, made one by one) and a "
    "stricter one (200 per create and per confirmation, no delivery contact nor shipping line); 'x the "
    "throughput' is a floor's time over the connector's.",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration (scripts/bench writes it)")
    parser.add_argument("--db", default="mkt_bench")
    parser.add_argument("--listings", type=int, default=10000)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--notifications", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent webhook clients")
    parser.add_argument("--webhook-workers", type=int, default=0,
                        help="webhook scenario: Odoo's prefork workers (0: one threaded process)")
    parser.add_argument("--only", default="backfill,stock,orders,webhook,engine",
                        help="comma-separated scenarios to run (later ones need the earlier ones' data); "
                             "'shopee' runs the Shopee scenarios, 'money' a generated month on eBay and Shopee "
                             "(each its own simulator and database copy), 'aftersale' cancellations, returns and "
                             "disputes on a live server with its default crons")
    parser.add_argument("--shopee-items", type=int, default=400, help="shopee: items of 5 models each")
    parser.add_argument("--shopee-orders", type=int, default=1000, help="shopee: orders to import")
    parser.add_argument("--order-rounds", type=int, default=10,
                        help="orders scenario: windows in which the connector and the bare ORM take turns")
    parser.add_argument("--skip-naive-orders", action="store_true",
                        help="orders scenario: only the connector and the bare-ORM floor, side by side")
    parser.add_argument("--money-orders", type=int, default=500, help="money: orders of the generated month")
    parser.add_argument("--money-refunds", type=int, default=20, help="money: partial refunds of the month")
    parser.add_argument("--money-ad-fees", type=int, default=12, help="money: ad fees (charges) of the month")
    parser.add_argument("--money-payouts", type=int, default=4, help="money: payouts of the month")
    parser.add_argument("--money-listings", type=int, default=200, help="money: eBay listings the orders buy")
    parser.add_argument("--money-platforms", default="ebay,shopee", help="money: ebay, shopee or both")
    parser.add_argument("--aftersale-orders", type=int, default=500, help="aftersale: orders on eBay")
    parser.add_argument("--aftersale-cancellations", type=int, default=60, help="aftersale: buyers' cancellations")
    parser.add_argument("--aftersale-returns", type=int, default=40, help="aftersale: return requests")
    parser.add_argument("--aftersale-disputes", type=int, default=10, help="aftersale: payment disputes")
    parser.add_argument("--aftersale-listings", type=int, default=200, help="aftersale: listings the orders buy")
    parser.add_argument("--aftersale-spread", type=int, default=600,
                        help="aftersale: seconds over which the events happen")
    parser.add_argument("--aftersale-timeout", type=int, default=1800,
                        help="aftersale: seconds after the last event to wait for all of them in Odoo")
    parser.add_argument("--lanes", default="1,2,4", help="engine scenario: lane counts to compare")
    parser.add_argument("--latency-ms", type=int, default=150, help="engine scenario: simulator latency per call")
    parser.add_argument("--change-every", type=float, default=3.0,
                        help="engine scenario: seconds between two stock changes")
    parser.add_argument("--publish-singles", type=int, default=1000, help="publish scenario: single listings")
    parser.add_argument("--publish-templates", type=int, default=100, help="publish scenario: templates")
    parser.add_argument("--publish-variants", type=int, default=5, help="publish scenario: variants a template")
    parser.add_argument("--publish-photos", type=int, default=2, help="publish scenario: photos a listing")
    parser.add_argument("--fresh-install", action="store_true",
                        help="install the addons anew instead of copying the cached fresh install")
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "bench"))
    return parser.parse_args(argv)


def run(args, bench, results, baselines, engine_runs):
    only = set(args.only.split(","))
    n = args.listings
    label = f"backfill {n:,} listings"
    if "backfill" in only:
        say("1. " + label)
        results.append(project := scenarios.backfill_connector(bench, label))
        scenarios.check_units(project, n, "bindings")
        results.append(naive := scenarios.backfill_naive(bench, label))
        scenarios.check_units(naive, n, "bindings")
        baselines[label] = naive
    if "stock" in only:
        bound, changed = scenarios.prepare_stock_change(bench)
        label = f"push stock {bound:,} bindings, {changed:,} changed"
        say("2. " + label)
        results.append(scenarios.push_stock_connector(bench, label, changed))
        results.append(naive := scenarios.push_stock_naive(bench, label))
        baselines[label] = naive
    if "orders" in only:
        label = f"import {args.orders:,} orders"
        say("3. " + label)
        raw_orders = scenarios.fetch_all_orders(bench)
        project, one_by_one, bare = scenarios.orders_side_by_side(bench, label, raw_orders, args.order_rounds)
        results.append(project)
        scenarios.check_units(project, args.orders, "sale orders")
        if not args.skip_naive_orders:
            results.append(naive := scenarios.orders_naive(bench, label))
            scenarios.check_units(naive, args.orders, "sale orders")
            baselines[label] = naive
        results += [one_by_one, bare]
    if "webhook" in only:
        label = f"{args.notifications:,} webhook notifications"
        say("4. " + label)
        results.append(webhook.webhook_run(bench, label, args.notifications, clients=args.clients,
                                           workers=args.webhook_workers))
    if "engine" in only:
        engine_runs += engine.run_engine(bench, args, bench.sim_order_ids())
    if "publish" in only:
        run_publish(args, bench, results, baselines)


def run_publish(args, bench, results, baselines):
    sizes = (args.publish_templates, args.publish_variants, args.publish_photos)
    for label, singles, templates in (
            (f"publish {args.publish_singles:,} single listings", args.publish_singles, 0),
            ("publish %s templates x %s variants" % sizes[:2], 0, args.publish_templates)):
        say("5. " + label + " (preparing products and listings)")
        ours = publish.prepare(bench, "PUB" if singles else "GRP", singles, templates, *sizes[1:])
        naive_ids = publish.prepare(bench, "NVP" if singles else "NVG", singles, templates, *sizes[1:])
        say("5. " + label)
        results.append(project := publish.publish_connector(bench, label, ours))
        scenarios.check_units(project, len(ours), "published listings")
        results.append(naive := publish.publish_naive(bench, label, naive_ids))
        scenarios.check_units(naive, len(naive_ids), "published listings")
        baselines[label] = naive


def summary_lines(results):
    lines = []
    for r in results:
        if r.scenario.startswith("import") and r.units:
            lines.append(f"SQL queries per imported order, {r.variant}: {r.sql_queries / r.units:,.0f} "
                         f"({r.sql_queries:,} queries, {r.units / r.seconds:,.1f} orders/s)")
        if "throughput_vs_bare_orm" in r.extra:
            rounds = r.extra["round_seconds"]
            e = r.extra
            lines.append(f"Order import: the connector runs at {e['throughput_vs_one_by_one_floor']:.2f}x the "
                         f"throughput of the bare ORM making the same sale orders one by one ({r.seconds:,.1f} s "
                         f"against {e['one_by_one_floor_seconds']:,.1f} s) and at {e['throughput_vs_bare_orm']:.2f}x "
                         f"the stricter floor ({e['bare_orm_seconds']:,.1f} s), the three taking turns over "
                         f"{len(rounds)} windows of orders; SQL queries per order {e['queries_per_order']} against "
                         f"{e['one_by_one_floor_queries_per_order']} and {e['bare_orm_queries_per_order']}")
        if "latency_s" in r.extra:
            e = r.extra
            lines.append("After-sale: event on eBay -> record in Odoo, " + "; ".join(
                f"{kind} p50 {v['p50_s']} s, p99 {v['p99_s']} s ({v['seen']}/{v['events']} seen)"
                for kind, v in e["latency_s"].items()) + f"; credit notes = refunds: {e['credit_notes_equal_refunds']}"
                f" ({e['credit_notes']} credit notes, {e['refunds_made']} refunds); failed jobs {e['failed_jobs']}")
        if "ack_p50_ms" in r.extra:
            e = r.extra
            lines.append(f"Webhook: {e['posted']:,} posts ({e['replays_posted']} replays) by {r.variant.split(',')[1].strip()}"
                         f": ack p50 {e['ack_p50_ms']} ms, p99 {e['ack_p99_ms']} ms, max {e['ack_max_ms']} ms, "
                         f"{e['throughput_per_s']}/s; answers {e['statuses']}; notifications stored "
                         f"{e['notifications_stored']:,} of {e['unique']:,} (lost {e['lost']}), jobs made "
                         f"{e['jobs_made']:,}, duplicates refused {e['replays_not_stored']}/{e['replays_posted']}; "
                         f"server CPU {e['server_cpu_ms_per_post']} ms a post; load average "
                         f"{e['load_average_1min'][0]} -> {e['load_average_1min'][1]}")
        if r.note:
            lines.append(f"Note ({r.scenario} / {r.variant}): {r.note}")
    return lines


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    if set(args.only.split(",")) == {"shopee"}:
        return _run_alone(args, started, shopee.run_shopee, shopee.NOTES)
    if set(args.only.split(",")) == {"money"}:
        return _run_alone(args, started, money.run_money, money.NOTES)
    if set(args.only.split(",")) == {"aftersale"}:
        return _run_alone(args, started, aftersale.run_aftersale, aftersale.NOTES)
    say(f"eBay simulator: seeding {args.listings:,} listings and {args.orders:,} orders (var/bench/)")
    sim = Simulator(os.path.join(REPO, "var", "bench"), args.listings, args.orders)
    results, baselines, engine_runs = [], {}, []
    try:
        bench = Bench(args.config, args.db, sim)
        say(f"Database {args.db}: drop, then a fresh install of marketplace_base + ebay_connector without demo data")
        bench.create_database(args.fresh_install)
        bench.load_registry()
        say(f"Connecting the eBay account; {args.listings:,} products with the SKUs as internal references")
        bench.prepare(bench.sim_skus())
        run(args, bench, results, baselines, engine_runs)
    except ScenarioError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        _print(results, baselines, engine_runs)
        return 1
    finally:
        sim.stop()
    _print(results, baselines, engine_runs)
    path = report.save(results, args, NOTES, args.out, engine_runs)
    print(f"\nSaved {os.path.relpath(path, REPO)}; total {time.time() - started:,.0f} s")
    return 0


def _run_alone(args, started, runner, notes):
    """A scenario with a simulator and database of its own (Shopee, money): run, print, save."""
    results, baselines = [], {}
    try:
        runner(args, args.config, args.db, results, baselines)
    except ScenarioError as exc:
        print(f"\nBENCHMARK ERROR: {exc}", file=sys.stderr)
        _print(results, baselines, [], notes)
        return 1
    _print(results, baselines, [], notes)
    path = report.save(results, args, notes, args.out, [])
    print(f"\nSaved {os.path.relpath(path, REPO)}; total {time.time() - started:,.0f} s")
    return 0


def _print(results, baselines, engine_runs, notes=NOTES):
    if engine_runs:
        print()
        print("\n".join(engine.engine_table(engine_runs)))
    if not results:
        return
    print()
    for line in report.table(results, baselines) + [""] + summary_lines(results) + [""] + \
            ["- " + note for note in notes]:
        print(line)


if __name__ == "__main__":
    sys.exit(main())
