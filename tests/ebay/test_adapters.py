"""Adapters against the simulator: paging, bulk limits, writes, orders, feed report,
taxonomy and a signed notification end to end."""
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ebay_api import EbayRequestError, SignatureError
from ebay_api.feed import FeedAdapter
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.inventory import InventoryAdapter
from ebay_api.mappers import (
    ACTIVE,
    listing_status,
    map_active_inventory_report,
    map_category_tree,
    map_inventory_item,
    map_offer,
    map_order,
    map_price_quantity_results,
)
from ebay_api.notification import NotificationAdapter
from ebay_api.signature import SignatureVerifier
from ebay_api.taxonomy import TaxonomyAdapter

ITEMS_CALL = "GET /sell/inventory/v1/inventory_item"


@pytest.fixture
def inventory(sim_client):
    return InventoryAdapter(sim_client)


def test_inventory_pages_until_the_end(inventory, sim_controls):
    sim_controls.post("calls/reset")
    pages = list(inventory.iter_inventory_pages(page_size=3))
    items = [item for page in pages for item in page.items]
    assert len(items) == pages[0].total > 3
    assert len({item["sku"] for item in items}) == len(items), "no item twice, none skipped"
    assert len(pages) == pages[0].page_count == sim_controls.calls(ITEMS_CALL)
    assert all(map_inventory_item(item).sku for item in items)


def test_inventory_paging_stops_between_pages(inventory, sim_controls):
    sim_controls.post("calls/reset")
    seen = []
    for item in inventory.iter_inventory_items(page_size=2, should_stop=lambda: len(seen) >= 2):
        seen.append(item)
    assert len(seen) == 2 and sim_controls.calls(ITEMS_CALL) == 1


def _skus(inventory, count):
    return [item["sku"] for item, _ in zip(inventory.iter_inventory_items(page_size=count), range(count), strict=False)]


def test_bulk_get_and_offers(inventory):
    skus = _skus(inventory, 3)
    responses = inventory.bulk_get_inventory_items(skus)
    assert [r["sku"] for r in responses] == skus
    offers = [map_offer(offer) for offer in inventory.get_offers(skus[0])]
    assert offers and all(offer.sku == skus[0] for offer in offers)
    assert listing_status(offers) in {"ACTIVE", "ENDED"}


def test_bulk_limit_is_enforced_before_any_http(inventory, sim_controls):
    sim_controls.post("calls/reset")
    with pytest.raises(ValueError):
        inventory.bulk_update_price_quantity([{"sku": f"S{i}"} for i in range(26)])
    with pytest.raises(ValueError):
        inventory.bulk_get_inventory_items([f"S{i}" for i in range(26)])
    with pytest.raises(ValueError):
        inventory.bulk_migrate_listings([str(i) for i in range(6)])
    assert sim_controls.calls() == 0


def test_bulk_limit_is_enforced_by_the_server_too(sim_client):
    entries = [{"sku": f"S{i}", "shipToLocationAvailability": {"quantity": 1}} for i in range(26)]
    with pytest.raises(EbayRequestError) as caught:
        sim_client.request("POST", "/sell/inventory/v1/bulk_update_price_quantity", "inventory.write",
                           json={"requests": entries})
    assert caught.value.status == 400


def _price_quantity_entry(inventory, sku, quantity, price):
    offer = map_offer(inventory.get_offers(sku)[0])
    return {"sku": sku, "shipToLocationAvailability": {"quantity": quantity},
            "offers": [{"offerId": offer.offer_id, "availableQuantity": quantity,
                        "price": {"value": price, "currency": offer.currency or "USD"}}]}


def test_bulk_update_applies_and_reports_per_sku_failures(inventory, sim_controls):
    good, bad = _skus(inventory, 2)
    sim_controls.post("fail_sku", {"sku": bad, "errorId": 25001, "message": "System error"})
    entries = [_price_quantity_entry(inventory, good, 7, "12.34"), _price_quantity_entry(inventory, bad, 3, "1.00")]
    results = {r.sku: r for r in map_price_quantity_results(inventory.bulk_update_price_quantity(entries))}
    assert results[good].ok and not results[bad].ok
    assert results[bad].errors[0]["errorId"] == 25001
    listing = sim_controls.get(f"listings/{good}")
    assert listing["quantity"] == 7 and listing["price"]["value"] == "12.34"
    sim_controls.post("fail_sku", {"sku": bad, "clear": True})


def test_create_publish_and_withdraw_an_offer(inventory, sim_client):
    from marketplace_simulators.ebay_sim.seed import LOCATION, POLICIES

    template = map_offer(inventory.get_offers(_skus(inventory, 1)[0])[0])
    required = {aspect["localizedAspectName"]: [(aspect.get("aspectValues") or [{"localizedValue": "Lamp"}])[0]
                                                ["localizedValue"]]
                for aspect in TaxonomyAdapter(sim_client).get_item_aspects("0", template.category_id)["aspects"]
                if aspect["aspectConstraint"]["aspectRequired"]}
    sku = "TEST-NEW-SKU-1"
    status = inventory.create_or_replace_inventory_item(sku, {
        "condition": "NEW", "availability": {"shipToLocationAvailability": {"quantity": 4}},
        "product": {"title": "Test brake disc", "description": "A brake disc.",
                    "aspects": {**required, "Brand": ["Acme"], "MPN": ["BD-1"]},
                    "imageUrls": ["https://example.com/1.jpg"]}})
    assert status in (200, 201, 204)
    offer_payload = {
        "sku": sku, "marketplaceId": "EBAY_US", "format": "FIXED_PRICE", "availableQuantity": 4,
        "categoryId": template.category_id, "merchantLocationKey": LOCATION,
        "pricingSummary": {"price": {"value": "19.99", "currency": "USD"}}, "listingPolicies": dict(POLICIES)}
    offer_id = inventory.create_offer(offer_payload)
    listing_id = inventory.publish_offer(offer_id)
    assert listing_id
    assert listing_status([map_offer(o) for o in inventory.get_offers(sku)]) == ACTIVE
    inventory.withdraw_offer(offer_id)
    assert listing_status([map_offer(o) for o in inventory.get_offers(sku)]) == "ENDED"
    item = inventory.bulk_get_inventory_items([sku])[0]["inventoryItem"]
    assert map_inventory_item(item | {"sku": sku}).part_number == "BD-1"


def test_active_inventory_report_lists_seller_hub_listings(sim_client, sim_controls):
    sim_controls.post("seed", {"seller_hub_listings": 3})
    content = FeedAdapter(sim_client).download_active_inventory_report(poll_seconds=1)
    records = map_active_inventory_report(content)
    inventory_skus = {item["sku"] for item in InventoryAdapter(sim_client).iter_inventory_items()}
    hub_only = [r for r in records if r.sku not in inventory_skus]
    assert len(hub_only) >= 3, "listings made outside the Inventory API appear only in the report"
    assert all(r.item_id and r.price is not None and r.quantity is not None for r in records)
    migrated = InventoryAdapter(sim_client).bulk_migrate_listings([r.item_id for r in hub_only[:2]])
    assert len(migrated) == 2


def test_orders_by_modified_date_ids_and_shipping(sim_client, sim_controls):
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    created = sim_controls.post("orders", {"count": 3, "buyer": "jane_buyer", "ebay_collected_tax": True})
    created_ids = set(created["orderIds"] if isinstance(created, dict) else created)
    adapter = FulfillmentAdapter(sim_client)
    orders = [map_order(o) for o in adapter.iter_orders(since, page_size=2)]
    assert created_ids <= {o.order_id for o in orders}
    mine = [o for o in orders if o.order_id in created_ids]
    assert all(o.ebay_collected_tax > 0 and o.tax == 0 and o.buyer_username == "jane_buyer" for o in mine)
    assert all(o.last_modified >= since.replace(microsecond=0) for o in orders)
    order = map_order(adapter.get_orders_by_ids([mine[0].order_id])[0])
    fulfillment_id = adapter.create_shipping_fulfillment(
        order.order_id, [(line.line_item_id, line.quantity) for line in order.lines], "USPS", "9400100000000000000000",
        datetime.now(timezone.utc))
    assert fulfillment_id
    recorded = json.dumps(sim_controls.get("fulfillments"))
    assert fulfillment_id in recorded and "9400100000000000000000" in recorded


def test_orders_modified_in_a_past_window_exclude_new_ones(sim_client, sim_controls):
    sim_controls.post("orders", {"count": 1})
    past = datetime.now(timezone.utc) - timedelta(days=400)
    orders = list(FulfillmentAdapter(sim_client).iter_orders(past, past + timedelta(days=1)))
    assert orders == []


def test_get_orders_by_ids_limit():
    with pytest.raises(ValueError):
        FulfillmentAdapter(client=None).get_orders_by_ids([str(i) for i in range(51)])


def test_taxonomy_tree_and_aspects(sim_client):
    taxonomy = TaxonomyAdapter(sim_client)
    tree_id = taxonomy.get_default_category_tree_id()["categoryTreeId"]
    categories = map_category_tree(taxonomy.get_category_tree(tree_id))
    leaves = [c for c in categories if c.leaf]
    assert leaves and max(c.level for c in categories) >= 3
    aspects = taxonomy.get_item_aspects(tree_id, leaves[0].category_id)["aspects"]
    assert all("localizedAspectName" in aspect for aspect in aspects)
    assert all(call["family"] in {"taxonomy", "oauth"} for call in sim_client.call_log)


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("X-EBAY-SIGNATURE")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_signed_notification_from_the_simulator_verifies(sim_client, sim_controls):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        target = f"http://127.0.0.1:{receiver.server_address[1]}/api/ebay/webhook"
        sim_controls.post("notify", {"target_url": target, "topic": "MARKETPLACE_ACCOUNT_DELETION",
                                     "data": {"username": "demo_buyer"}})
    finally:
        receiver.shutdown()
        receiver.server_close()
    body, header = _Receiver.received[-1]
    verifier = SignatureVerifier(NotificationAdapter(sim_client).get_public_key)
    assert verifier.verify(body, header) is None
    with pytest.raises(SignatureError) as caught:
        verifier.verify(body.replace(b"demo_buyer", b"demo_buyex"), header)
    assert caught.value.reason == SignatureError.BAD_SIGNATURE
