"""The scenarios: each measured the connector's way (its real job) and a naive way written here for comparison.

Naive = what the simplest connectors do: list inventory items then one getOffers call per SKU, one update call
per SKU, one getOrder call per order, one ORM create or write per record. The naive code is deliberately plain
and is never used by the addons.
"""
from functools import partial

from .measure import Measure, Result
from .setup import ScenarioError

INVENTORY = "/sell/inventory/v1"
FULFILLMENT = "/sell/fulfillment/v1"
NAIVE_COMMIT_EVERY = 25            # the naive variants commit as often as the connector checkpoints
BACKFILL = "backfill 10k listings"


def _client(env, bench):
    """The account's eBay client (same HTTP layer, retries and tokens as the connector; no rate budget)."""
    return env["marketplace.account"].browse(bench.account_id)._ebay_client()


def _shop_bindings(env, shop_id):
    return env["marketplace.product.binding"].search([("shop_id", "=", shop_id)])


# -- 1. listings backfill ----------------------------------------------------------------------------------
def backfill_connector(bench, label):
    result = Result(label, "connector: backfill_listings job")
    with Measure(bench, result):
        info = bench.run_job("backfill_listings")
    with bench.env() as env:
        result.units = len(_shop_bindings(env, bench.shop_id))
    result.extra = {"job": info["job"], "last_log": info["log"][-1][1] if info["log"] else ""}
    return result


def backfill_naive(bench, label):
    """getInventoryItems at eBay's default page size (25), one getOffers per SKU, one ORM write per binding;
    no active-inventory report (so Seller Hub listings would be missed)."""
    result = Result(label, "naive: page items (25), getOffers per SKU, create per record")
    with Measure(bench, result):
        with bench.env() as env:
            client = _client(env, bench)
            Binding = env["marketplace.product.binding"]
            Product = env["product.product"]
            params = {"offset": 0}
            while True:
                body = client.request("GET", INVENTORY + "/inventory_item", "inventory.read", params=params).body
                for raw in body.get("inventoryItems") or []:
                    offers = client.request("GET", INVENTORY + "/offer", "inventory.read",
                                            params={"sku": raw["sku"]}).body.get("offers") or [{}]
                    values = _naive_binding_values(raw, offers[0], bench.naive_shop_id)
                    values["product_id"] = Product.search([("default_code", "=", raw["sku"])], limit=1).id
                    binding = Binding.search([("shop_id", "=", bench.naive_shop_id),
                                              ("external_sku", "=", raw["sku"])])
                    if binding:
                        binding.write(values)
                    else:
                        Binding.create(values)
                env.cr.commit()
                if not body.get("next"):
                    break
                params["offset"] += 1
            result.units = len(_shop_bindings(env, bench.naive_shop_id))
    return result


def _naive_binding_values(raw, offer, shop_id):
    listing = offer.get("listing") or {}
    return {
        "shop_id": shop_id, "external_sku": raw["sku"], "title": raw.get("product", {}).get("title"),
        "condition": raw.get("condition"), "external_offer_id": offer.get("offerId"),
        "external_listing_id": listing.get("listingId"),
        "status": "active" if listing.get("listingStatus") == "ACTIVE" else "draft",
        "last_pushed_qty": raw.get("availability", {}).get("shipToLocationAvailability", {}).get("quantity", 0),
        "last_pushed_price": float(offer.get("pricingSummary", {}).get("price", {}).get("value") or 0),
        "ebay_listing_source": "inventory_api",
    }


# -- 2. stock push -----------------------------------------------------------------------------------------
def prepare_stock_change(bench, share=0.10):
    """Align eBay with Odoo (an unmeasured push), then change the stock of ``share`` of the products."""
    bench.run_job("push_stock")
    with bench.env() as env:
        bindings = env["marketplace.product.binding"].search(
            [("shop_id", "=", bench.shop_id), ("ebay_listing_source", "=", "inventory_api"),
             ("product_id", "!=", False)], order="id")
        step = max(1, round(1 / share))
        changed = bindings[::step]
        location = env.ref("stock.warehouse0").lot_stock_id
        for binding in changed:
            env["stock.quant"]._update_available_quantity(binding.product_id, location, 3)
        return len(bindings), len(changed)


def push_stock_connector(bench, label, expected_changed):
    result = Result(label, "connector: push_stock job (changed only, 25/call)")
    with Measure(bench, result):
        info = bench.run_job("push_stock")
    result.units = info["progress_fetched"]
    if info["progress_fetched"] != expected_changed:
        result.note = "sent %s SKUs, %s were changed" % (info["progress_fetched"], expected_changed)
    result.extra = {"job": info["job"], "log": [message for _level, message in info["log"]][:3]}
    return result


def push_stock_naive(bench, label):
    """Every binding, changed or not: free quantity read per product, one bulkUpdatePriceQuantity call per SKU
    (a one-entry request), one ORM write per binding."""
    result = Result(label, "naive: every binding, 1 call + 1 write per SKU")
    with Measure(bench, result):
        with bench.env() as env:
            from odoo.addons.ebay_connector.ebay_api.inventory import InventoryAdapter
            inventory = InventoryAdapter(_client(env, bench))
            shop = env["marketplace.shop"].browse(bench.shop_id)
            bindings = _shop_bindings(env, bench.shop_id).filtered("product_id")
            for count, binding in enumerate(bindings, 1):
                quantity = max(0, int(binding.product_id.with_context(warehouse_id=shop.warehouse_id.id).free_qty))
                inventory.bulk_update_price_quantity(
                    [{"sku": binding.external_sku, "shipToLocationAvailability": {"quantity": quantity}}])
                binding.write({"last_pushed_qty": quantity})
                if count % NAIVE_COMMIT_EVERY == 0:
                    env.cr.commit()
                    env.invalidate_all()
            result.units = len(bindings)
    return result


# -- 3. order import ---------------------------------------------------------------------------------------
def order_rounds(raw_orders, rounds):
    """The orders split into ``rounds`` parts by last-modified time, each with the ``pull_orders`` payload whose
    window fetches it: ``[(payload, orders)]``. Windows meet at whole seconds and eBay's filter includes both
    ends, so an order modified at a boundary's exact second is fetched twice (the second time: unchanged)."""
    ordered = sorted(raw_orders, key=lambda raw: raw["lastModifiedDate"])
    size = max(1, -(-len(ordered) // max(1, rounds)))
    parts = [ordered[start:start + size] for start in range(0, len(ordered), size)]
    bounds = [part[0]["lastModifiedDate"][:19] for part in parts] + [None]
    return [({"since": bounds[index], "until": bounds[index + 1]}, part) for index, part in enumerate(parts)]


def orders_side_by_side(bench, label, raw_orders, rounds):
    """The connector's import and two bare-ORM floors, interleaved on the same machine: the orders in ``rounds``
    windows of last-modified time, each imported by a real ``pull_orders`` job (one page) and created bare, in
    turns (the order of the three rotates from round to round), so that the load of a shared machine weighs on
    all alike. The floors: the sale orders as the issue describes its floor ("the bare ORM creating the same sale
    orders one by one": buyer, delivery contact, product and shipping lines, one create and one confirmation per
    order), and a stricter one that does less (200 per create and per confirmation, no delivery contact nor
    shipping line). Returns the three Results, summed over the rounds."""
    connector = Result(label, "connector: pull_orders jobs, one per window (200/page)")
    one_by_one = Result(label, "bare ORM: same sale orders one by one, no HTTP (floor)")
    bare = Result(label, "bare ORM: 200 per create, no delivery contact nor shipping line, no HTTP (stricter)")
    for result in (connector, one_by_one, bare):
        result.calls = result.seconds = result.rows_written = result.sql_queries = 0
        result.peak_rss_mb = 0.0
        result.extra = {"round_seconds": []}
    for index, (payload, part) in enumerate(order_rounds(raw_orders, rounds)):
        steps = [(connector, partial(_connector_round, bench, connector, payload)),
                 (one_by_one, partial(_bare_sale_orders_one_by_one, bench, part)),
                 (bare, partial(_bare_sale_orders, bench, part))]
        for total, step in steps[index % 3:] + steps[:index % 3]:
            with Measure(bench, one := Result(label, total.variant)):
                step()
            _add_round(total, one)
    with bench.env() as env:
        orders = env["marketplace.order"].search([("shop_id", "=", bench.shop_id)])
        connector.units = len(orders.filtered("sale_order_id"))
        errors = orders.filtered(lambda order: order.state == "error")
        if errors:
            connector.note = "%s order(s) in error, e.g. %s" % (len(errors), errors[0].error_message)
    job = connector.extra.pop("last_job")
    connector.extra.update(marketplace_orders=len(orders), last_job=job["job"], last_log=job["log"][-1][1])
    bare.units = one_by_one.units = len(raw_orders)
    connector.extra.update(throughput_vs_one_by_one_floor=round(one_by_one.seconds / connector.seconds, 3),
                           one_by_one_floor_seconds=one_by_one.seconds,
                           one_by_one_floor_queries_per_order=round(one_by_one.sql_queries / one_by_one.units, 1),
                           throughput_vs_bare_orm=round(bare.seconds / connector.seconds, 3),
                           bare_orm_seconds=bare.seconds,
                           queries_per_order=round(connector.sql_queries / max(1, connector.units), 1),
                           bare_orm_queries_per_order=round(bare.sql_queries / max(1, bare.units), 1))
    return connector, one_by_one, bare


def _connector_round(bench, total, payload):
    total.extra["last_job"] = bench.run_job("pull_orders", payload=payload)


def _add_round(total, one):
    total.seconds = round(total.seconds + one.seconds, 2)
    total.calls += one.calls
    total.rows_written += one.rows_written
    total.sql_queries += one.sql_queries
    total.peak_rss_mb = max(total.peak_rss_mb, one.peak_rss_mb)
    for call, count in one.call_detail.items():
        total.call_detail[call] = total.call_detail.get(call, 0) + count
    total.extra["round_seconds"].append(one.seconds)


def orders_naive(bench, label):
    """getOrders at the default page size (50) without filter, one getOrder per order, then one ORM create
    per record: buyer, sale order, each line; confirmed one by one."""
    result = Result(label, "naive: page 50, getOrder per order, create per record")
    with Measure(bench, result):
        with bench.env() as env:
            client = _client(env, bench)
            params = {"offset": 0}
            created = 0
            while True:
                body = client.request("GET", FULFILLMENT + "/order", "orders", params=params).body
                page = body.get("orders") or []
                for summary in page:
                    raw = client.request("GET", FULFILLMENT + "/order/" + summary["orderId"], "orders").body
                    created += _naive_sale_order(env, raw)
                env.cr.commit()
                if not body.get("next") or not page:
                    break
                params["offset"] += len(page)
            result.units = created
    return result


def _naive_sale_order(env, raw):
    SaleOrder = env["sale.order"]
    if SaleOrder.search_count([("client_order_ref", "=", raw["orderId"]), ("origin", "=", "naive")]):
        return 0
    username = raw["buyer"]["username"]
    Partner = env["res.partner"]
    partner = Partner.search([("ref", "=", "naive:" + username)], limit=1) or Partner.create(
        {"name": username, "ref": "naive:" + username})
    order = SaleOrder.create({"partner_id": partner.id, "client_order_ref": raw["orderId"], "origin": "naive"})
    for line in raw["lineItems"]:
        product = env["product.product"].search([("default_code", "=", line["sku"])], limit=1)
        env["sale.order.line"].create({
            "order_id": order.id, "product_id": product.id, "product_uom_qty": line["quantity"],
            "price_unit": float(line["lineItemCost"]["value"]) / line["quantity"], "tax_id": [(6, 0, [])]})
    order.action_confirm()
    return 1


def fetch_all_orders(bench):
    """Every order from the simulator (200 a page), for the bare-ORM floor; not part of any measured run."""
    orders, params = [], {"offset": 0, "limit": 200}
    with bench.env() as env:
        client = _client(env, bench)     # it reads the account's tokens through this cursor
        while True:
            body = client.request("GET", FULFILLMENT + "/order", "orders", params=params).body
            page = body.get("orders") or []
            orders += page
            if not body.get("next") or not page:
                return orders
            params["offset"] += len(page)


def _bare_sale_orders(bench, raw_orders):
    """The floor: the same sale orders (buyer, product lines, confirmed) created straight with the ORM from
    orders already in memory: no HTTP, no marketplace order, batches of 200, one commit per batch."""
    with bench.env() as env:
        products = {p.default_code: p.id for p in env["product.product"].search(
            [("default_code", "in", sorted({line["sku"] for raw in raw_orders for line in raw["lineItems"]}))])}
        partners = _bare_partners(env, {raw["buyer"]["username"] for raw in raw_orders})
        for start in range(0, len(raw_orders), 200):
            batch = raw_orders[start:start + 200]
            sale_orders = env["sale.order"].create([{
                "partner_id": partners[raw["buyer"]["username"]], "client_order_ref": raw["orderId"],
                "origin": "bare", "order_line": [(0, 0, {
                    "product_id": products[line["sku"]], "product_uom_qty": line["quantity"],
                    "price_unit": float(line["lineItemCost"]["value"]) / line["quantity"],
                    "tax_id": [(6, 0, [])]}) for line in raw["lineItems"]],
            } for raw in batch])
            sale_orders.action_confirm()
            env.cr.commit()


def _bare_sale_orders_one_by_one(bench, raw_orders):
    """The issue's floor: each order's sale order made as a hand-written import would, one at a time: its buyer
    (found or created), a delivery contact with the order's address, the product lines and the shipping line
    the buyer paid, one ``create`` and one ``action_confirm`` per order; one commit per 200 orders."""
    from odoo import Command
    with bench.env() as env:
        Partner, SaleOrder = env["res.partner"], env["sale.order"]
        shipping = env.ref("marketplace_base.product_marketplace_shipping")
        for count, raw in enumerate(raw_orders, 1):
            ref = "bare1:" + raw["buyer"]["username"]
            buyer = Partner.search([("ref", "=", ref)], limit=1) or Partner.create(
                {"name": raw["buyer"]["username"], "ref": ref})
            lines = [Command.create({
                "product_id": env["product.product"].search([("default_code", "=", line["sku"])], limit=1).id,
                "product_uom_qty": line["quantity"], "tax_id": [Command.clear()],
                "price_unit": float(line["lineItemCost"]["value"]) / line["quantity"]}) for line in raw["lineItems"]]
            paid_shipping = _paid_shipping(raw)
            if paid_shipping:
                lines.append(Command.create({"product_id": shipping.id, "product_uom_qty": 1,
                                             "price_unit": paid_shipping, "tax_id": [Command.clear()]}))
            SaleOrder.create({"partner_id": buyer.id, "partner_shipping_id": _bare_delivery_contact(env, buyer, raw),
                              "client_order_ref": raw["orderId"], "origin": "bare1",
                              "order_line": lines}).action_confirm()
            if count % 200 == 0:
                env.cr.commit()
        env.cr.commit()


def _paid_shipping(raw):
    pricing = raw.get("pricingSummary") or {}
    return round(sum(float((pricing.get(key) or {}).get("value") or 0)
                     for key in ("deliveryCost", "deliveryDiscount")), 2)


def _bare_delivery_contact(env, buyer, raw):
    """A delivery contact under the buyer with the order's ship-to address (the buyer itself when none)."""
    for instruction in raw.get("fulfillmentStartInstructions") or []:
        ship_to = (instruction.get("shippingStep") or {}).get("shipTo")
        if ship_to:
            address = ship_to.get("contactAddress") or {}
            country = env["res.country"].search([("code", "=", address.get("countryCode"))], limit=1)
            return env["res.partner"].create({
                "parent_id": buyer.id, "type": "delivery", "name": ship_to.get("fullName"),
                "street": address.get("addressLine1"), "city": address.get("city"),
                "zip": address.get("postalCode"), "country_id": country.id}).id
    return buyer.id


def _bare_partners(env, usernames):
    Partner = env["res.partner"]
    existing = {p.ref: p.id for p in Partner.search([("ref", "in", ["bare:" + name for name in usernames])])}
    missing = sorted(name for name in usernames if "bare:" + name not in existing)
    created = Partner.create([{"name": name, "ref": "bare:" + name} for name in missing])
    existing.update({p.ref: p.id for p in created})
    return {name: existing["bare:" + name] for name in usernames}


def check_units(result, expected, what):
    """A run that did not handle everything is an error of the scenario, not a figure."""
    if result.units != expected:
        raise ScenarioError("%s / %s: %s %s instead of %s. %s" % (result.scenario, result.variant, result.units,
                                                                   what, expected, result.note))
