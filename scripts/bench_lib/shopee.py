"""Shopee benchmark (``scripts/bench --only shopee``): order import and stock push, the connector's jobs next to a
naive way, against the Shopee simulator in a child process.

Naive = what simple Shopee integrations do: get_order_list at a page size of 20, then one get_order_detail per
order; one update_stock call per model, for every binding, changed or not.
"""
import os
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from .measure import Measure, Result
from .setup import REPO, Bench, ScenarioError, Simulator, import_pure, say

NAIVE_COMMIT_EVERY = 25
NAIVE_PAGE_SIZE = 20
ORDER_LIST = "/api/v2/order/get_order_list"
ORDER_DETAIL = "/api/v2/order/get_order_detail"
UPDATE_STOCK = "/api/v2/product/update_stock"
NOTES = [
    "Shopee order import: the connector lists orders by update-time windows of at most 15 days, pages of 100, "
    "and reads details 50 orders a call; the naive way pages by 20 and reads one order a call.",
    "Shopee stock push: the connector sends only changed models, one call per item with up to 50 models; the "
    "naive way sends every model of every binding, one call each.",
]


class ShopeeSimulator(Simulator):
    """The Shopee simulator in a child process, seeded by its CLI (counters and controls as the eBay one's)."""

    name = "shopee_sim"

    def __init__(self, directory, items, orders):
        self._start(directory, ["--seed", "demo", "--items", str(items), "--orders", str(orders)])

    def models(self):
        return [row for row in self.get("/_sim/models")["models"] if row["shop_id"] == 10001]


class ShopeeBench(Bench):
    """The bench database with a Shopee account, its shop authorized on the simulator, products and bindings."""

    def prepare(self, models):
        import_pure("shopee_connector")
        from marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, DEMO_SHOP_ID
        with self.env() as env:
            env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:8069")
            thb = env.ref("base.THB")
            thb.active = True
            account = env["marketplace.account"].create({
                "name": "Shopee (benchmark)", "platform": "shopee", "client_id": str(DEMO_PARTNER_ID),
                "client_secret": DEMO_PARTNER_KEY, "shopee_api_base_url": self.sim.base_url,
                "shopee_pull_budget": 0, "shopee_push_budget": 0})
            warehouse = env.ref("stock.warehouse0")
            shops = env["marketplace.shop"].create([{
                "name": name, "account_id": account.id, "external_shop_id": external, "warehouse_id": warehouse.id,
                "currency_id": thb.id, "auto_confirm": True, "odoo_owns_stock": True, "shopee_order_initial_days": 14,
                "push_max_zero_percent": 100.0, "push_max_drop_percent": 100.0,
            } for name, external in (("Shopee TH (connector)", str(DEMO_SHOP_ID)), ("Shopee TH (naive)", "naive"))])
            self.account_id = account.id
            self.shop_id, self.naive_shop_id = shops.ids
            self._authorize(account)
        self._create_products(models)

    def _authorize(self, account):
        url = account.action_shopee_authorize_shop()["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        answer = self.sim.http.post(self.sim.base_url + "/api/v2/shop/auth_partner/confirm", allow_redirects=False,
                                    data={"partner_id": query["partner_id"], "redirect": query["redirect"],
                                          "shop_id": 10001}, timeout=30)
        back = {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
        shop = account._shopee_finish_authorization(back["code"], back["shop_id"])
        if shop.id != self.shop_id or shop.authorization_state != "authorized":
            raise ScenarioError("the Shopee shop was not authorized")

    def _create_products(self, models):
        """A product per model (internal reference = its SKU) with stock, bound to its item and model."""
        for start in range(0, len(models), 1000):
            chunk = models[start:start + 1000]
            with self.env() as env:
                products = env["product.product"].create([{
                    "name": row["name"], "default_code": row["sku"], "type": "consu", "is_storable": True,
                    "list_price": row["price"]} for row in chunk])
                location = env.ref("stock.warehouse0").lot_stock_id
                for product, row in zip(products, chunk):
                    env["stock.quant"]._update_available_quantity(product, location, row["stock"])
                env["marketplace.product.binding"].create([{
                    "shop_id": self.shop_id, "product_id": product.id, "external_sku": row["sku"],
                    "external_listing_id": str(row["item_id"]),
                    "external_variation_id": str(row["model_id"]) if row["model_id"] else False,
                    "last_pushed_qty": row["stock"], "last_sync_at": "2026-01-01 00:00:00",
                } for product, row in zip(products, chunk)])


def _session(env, bench):
    return env["marketplace.shop"].browse(bench.shop_id)._shopee_session()[1]


# -- order import ------------------------------------------------------------------------------------------
def orders_connector(bench, label):
    result = Result(label, "connector: pull_orders job (windows <= 15 days, pages of 100, details 50 a call)")
    with Measure(bench, result):
        info = bench.run_job("pull_orders")
    with bench.env() as env:
        result.units = env["sale.order"].search_count([("marketplace_shop_id", "=", bench.shop_id)])
    result.extra = {"job": info["job"], "last_log": info["log"][-1][1] if info["log"] else ""}
    return result


def orders_naive(bench, label, days=14):
    """get_order_list pages of 20 by 15-day windows, one get_order_detail per order, one sale order each."""
    import_pure("shopee_connector")
    from shopee_api.batching import windows
    from shopee_api.mappers import map_order, to_epoch
    result = Result(label, "naive: pages of 20, one get_order_detail per order")
    with Measure(bench, result):
        with bench.env() as env:
            session = _session(env, bench)
            shop = env["marketplace.shop"].browse(bench.naive_shop_id)
            Order = env["marketplace.order"]
            currency = Order._currency_by_code("THB")
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            done = 0
            for start, end in windows(now - timedelta(days=days), now):
                cursor = ""
                while True:
                    page = session.call("GET", ORDER_LIST, params={
                        "time_range_field": "update_time", "time_from": int(to_epoch(start)),
                        "time_to": int(to_epoch(end)), "page_size": NAIVE_PAGE_SIZE, "cursor": cursor}, family="orders")
                    for row in page.get("order_list") or []:
                        detail = session.call("GET", ORDER_DETAIL, params={"order_sn_list": row["order_sn"]},
                                              family="orders")["order_list"][0]
                        mapped = map_order(detail)
                        order, _changed = Order._import_order(shop, dict(mapped.values, currency_id=currency.id),
                                                              mapped.line_values())
                        order._create_sale_order()
                        done += 1
                        if done % NAIVE_COMMIT_EVERY == 0:
                            env.cr.commit()
                    if not page.get("more"):
                        break
                    cursor = page["next_cursor"]
            result.units = env["sale.order"].search_count([("marketplace_shop_id", "=", bench.naive_shop_id)])
    return result


# -- stock push --------------------------------------------------------------------------------------------
def prepare_stock_change(bench, every=10):
    """Every ``every``-th bound product gets 3 more units; returns (bindings, bindings whose online quantity now
    differs from what Shopee shows: those, and the products the imported orders reserved)."""
    with bench.env() as env:
        bindings = env["marketplace.product.binding"].search([("shop_id", "=", bench.shop_id)], order="id")
        location = env.ref("stock.warehouse0").lot_stock_id
        for binding in bindings[::every]:
            env["stock.quant"]._update_available_quantity(binding.product_id, location, 3)
    with bench.env() as env:
        bindings = env["marketplace.product.binding"].search([("shop_id", "=", bench.shop_id)], order="id")
        online = bindings._online_quantities()
        return len(bindings), sum(1 for binding in bindings if online[binding.id] != binding.last_pushed_qty)


def push_stock_connector(bench, label, changed):
    result = Result(label, "connector: push_stock job (changed only, one call per item, <= 50 models)")
    with Measure(bench, result):
        info = bench.run_job("push_stock")
    result.units = info["progress_stored"]
    if result.units != changed:
        raise ScenarioError("the push stored %s models, %s changed" % (result.units, changed))
    return result


def push_stock_naive(bench, label):
    """One update_stock call per binding, changed or not."""
    result = Result(label, "naive: one update_stock per model, every binding")
    with Measure(bench, result):
        with bench.env() as env:
            session = _session(env, bench)
            bindings = env["marketplace.product.binding"].search([("shop_id", "=", bench.shop_id)])
            quantities = bindings._online_quantities()
            for binding in bindings:
                session.call("POST", UPDATE_STOCK, body={
                    "item_id": int(binding.external_listing_id), "stock_list": [{
                        "model_id": int(binding.external_variation_id or 0),
                        "seller_stock": [{"stock": int(quantities[binding.id])}]}]}, family="products",
                    idempotent=True)
            result.units = len(bindings)
    return result


def run_shopee(args, config, db, results, baselines):
    """The Shopee scenarios, on their own database copy and simulator."""
    say(f"Shopee simulator: seeding {args.shopee_items:,} items of 5 models and {args.shopee_orders:,} orders")
    sim = ShopeeSimulator(os.path.join(REPO, "var", "bench"), args.shopee_items, args.shopee_orders)
    try:
        bench = ShopeeBench(config, db, sim)
        bench.create_database(args.fresh_install)
        bench.load_registry()
        bench.prepare(sim.models())
        label = f"Shopee: import {args.shopee_orders:,} orders"
        say("S1. " + label)
        results.append(orders_connector(bench, label))
        results.append(naive := orders_naive(bench, label))
        baselines[label] = naive
        bound, changed = prepare_stock_change(bench)
        label = f"Shopee: push stock {bound:,} models, {changed:,} changed"
        say("S2. " + label)
        results.append(push_stock_connector(bench, label, changed))
        results.append(naive := push_stock_naive(bench, label))
        baselines[label] = naive
    finally:
        sim.stop()
