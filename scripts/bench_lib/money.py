"""Money benchmark (``scripts/bench --only money``, issue 22): a generated month on eBay and on Shopee
(``ebay_sim.month`` / ``shopee_sim.month``: orders, partial refunds, ad fees, payouts in rounds) pulled into Odoo and
booked. Per platform: the order import (not money, for scale), the money pull (transactions and payouts), and the
booking of every payout; then the month is checked: every payout's entry equals the payout to 0.00 and no order's
sale order differs from the marketplace's total (a failed check is a benchmark error, not a figure).

Reported: API calls, wall time, rows written, and the share of the transactions naming an order that were matched
to its Odoo order automatically (the goal is 99 % or more).
"""
import os

from .measure import Measure, Result
from .setup import REPO, Bench, ScenarioError, Simulator, import_pure, say
from .shopee import ShopeeBench, ShopeeSimulator

NOTES = [
    "Money: the simulators make a month of orders, partial refunds, ad fees and payouts (every payout pays what "
    "was booked since the previous one); 'pull money' is the pull_finances job (eBay: getTransactions and "
    "getPayouts, up to 1 000 and 200 a page; Shopee: get_escrow_list, get_escrow_detail_batch for 50 escrows not "
    "known yet, and the wallet); 'book payouts' books each payout in one posted entry and reconciles the orders' "
    "receivables.",
    "Matched: the transactions that name an order and found it in Odoo, over the transactions that name one.",
]


def run_money(args, config, db, results, _baselines):
    """The month on each platform of ``--money-platforms``, one after the other, each with its own simulator,
    account and shop in one database (Odoo's registry loads once a process)."""
    registry = None
    for platform in args.money_platforms.split(","):
        registry = {"ebay": _ebay, "shopee": _shopee}[platform](args, config, db, results, registry)


def _open(bench, registry):
    """The bench database: made afresh for the first platform, the same one for the next."""
    if registry is None:
        bench.create_database()
        bench.load_registry()
    else:
        bench.registry = registry


def _month_args(args):
    return {"orders": args.money_orders, "refunds": args.money_refunds, "ad_fees": args.money_ad_fees,
            "payouts": args.money_payouts}


def _post(sim):
    def post(path, body):
        response = sim.post(path, body)
        if response.status_code >= 400:
            raise ScenarioError(f"simulator refused {path}: {response.text[:300]}")
        return response.json()
    return post


def _ebay(args, config, db, results, registry):
    import_pure("ebay_connector")
    from marketplace_simulators.ebay_sim.month import make_month
    say(f"eBay simulator: {args.money_listings:,} listings")
    sim = Simulator(os.path.join(REPO, "var", "bench"), args.money_listings, 0)
    try:
        bench = Bench(config, db, sim)
        _open(bench, registry)
        bench.prepare(bench.sim_skus())
        month = make_month(_post(sim), **_month_args(args))
        _measure_month(bench, "eBay", month, lambda: bench.run_job("pull_finances", account=True), results)
    finally:
        sim.stop()
    return bench.registry


def _shopee(args, config, db, results, registry):
    import_pure("shopee_connector")
    from marketplace_simulators.shopee_sim.month import make_month
    sim = ShopeeSimulator(os.path.join(REPO, "var", "bench"), 0, 0)
    try:
        bench = ShopeeBench(config, db, sim)
        _open(bench, registry)
        bench.prepare(sim.models())
        with bench.env() as env:   # the shop's sale orders in baht, as Shopee's totals
            shop = env["marketplace.shop"].browse(bench.shop_id)
            shop.pricelist_id = env["product.pricelist"].create({"name": "Shopee THB",
                                                                 "currency_id": shop.currency_id.id})
        month = make_month(_post(sim), **_month_args(args))
        _measure_month(bench, "Shopee", month, lambda: bench.run_job("pull_finances"), results)
    finally:
        sim.stop()
    return bench.registry


def _measure_month(bench, platform, month, pull_money, results):
    label = f"{platform}: a month of {month['transactions']:,} transactions, {len(month['payouts'])} payouts"
    say(label)
    imported = Result(label, "import the month's orders (pull_orders)")
    with Measure(bench, imported):
        bench.run_job("pull_orders")
    results.append(imported)
    with bench.env() as env:
        account = env["marketplace.account"].browse(bench.account_id)
        env["marketplace.account"]._demo_money_booking(account.ids)
        if not account.money_journal_id:
            raise ScenarioError("the bench company has no chart of accounts: nothing to book in")
    pulled = Result(label, "pull money (pull_finances)")
    with Measure(bench, pulled):
        info = pull_money()
    with bench.env() as env:
        transactions = env["marketplace.money.transaction"].search([("account_id", "=", bench.account_id)])
        naming = transactions.filtered("external_order_id")
        matched = naming.filtered("marketplace_order_id")
        pulled.units = len(transactions)
        pulled.extra = {"transactions": len(transactions), "naming_an_order": len(naming), "matched": len(matched),
                        "matched_percent": round(100.0 * len(matched) / len(naming), 2) if naming else None,
                        "last_log": info["log"][-1][1] if info["log"] else ""}
    results.append(pulled)
    booked = Result(label, "book payouts (one entry each)")
    with Measure(bench, booked):
        with bench.env() as env:
            payouts = env["marketplace.payout"].search([("account_id", "=", bench.account_id)],
                                                       order="payout_date, id")
            for payout in payouts:
                payout._book()
            booked.units = len(payouts)
    results.append(booked)
    booked.extra = _check_month(bench, month)
    for result in (imported, pulled, booked):   # in the log as they come, should a long run be cut short
        top = ", ".join(f"{table} {rows:,}" for table, rows in list(result.rows_by_table.items())[:6])
        say(f"{platform}, {result.variant}: {result.calls} calls, {result.seconds} s, {result.rows_written:,} rows "
            f"({top})")
    say(f"{platform}: {booked.extra}; matched {pulled.extra['matched_percent']} % of {pulled.extra['naming_an_order']}")


def _check_month(bench, month):
    """Every payout booked to its amount to 0.00, every order's total the marketplace's; ScenarioError if not."""
    with bench.env() as env:
        account = env["marketplace.account"].browse(bench.account_id)
        payouts = env["marketplace.payout"].search([("account_id", "=", account.id)])
        if len(payouts) != len(month["payouts"]):
            raise ScenarioError(f"{len(payouts)} payouts stored, the month made {len(month['payouts'])}")
        off = []
        for payout in payouts:
            in_transit = payout.move_id.line_ids.filtered(
                lambda line: line.account_id == account.money_payout_account_id)
            if payout.move_id.state != "posted" or round(sum(in_transit.mapped("amount_currency")) - payout.amount, 2):
                off.append(payout.external_id)
        if off:
            raise ScenarioError(f"payouts not booked to their amount: {off}")
        orders = env["marketplace.order"].search([("shop_id", "=", bench.shop_id)])
        differ = orders.filtered(lambda order: order.total_mismatch or not order.sale_order_id)
        if differ:
            raise ScenarioError(f"{len(differ)} orders whose total differs or without sale order, e.g. "
                                f"{differ[:3].mapped(lambda o: (o.external_order_id, o.total_difference))}")
        return {"payouts_booked_to_0.00": len(payouts), "orders_adding_up": len(orders)}
