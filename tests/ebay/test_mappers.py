"""Mappers pinned on exact eBay payloads: vcrpy cassettes (hand-written from documented
examples, replayed through the real client) and the shared samples."""
import io
import os
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import vcr

from ebay_api import EbayClient, EbayConfig, InMemoryTokenStore, MappingError, TokenSet
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.mappers import (
    ACTIVE,
    ENDED,
    UNKNOWN,
    listing_status,
    map_active_inventory_report,
    map_category_tree,
    map_inventory_item,
    map_offer,
    map_order,
    map_price_quantity_results,
)

CASSETTES_DIR = os.path.join(os.path.dirname(__file__), "cassettes")
replay = vcr.VCR(cassette_library_dir=CASSETTES_DIR, record_mode="none")


@pytest.fixture
def production_client(fake_clock):
    """A client on the production host with a valid token: the cassette answers for eBay."""
    config = EbayConfig("app", "cert", environment="production", budgets={})
    tokens = TokenSet("user-token", fake_clock() + 7200, "refresh", fake_clock() + 10**7)
    return EbayClient(config, InMemoryTokenStore(tokens), sleep=fake_clock.sleep, clock=fake_clock)


def test_order_with_ebay_collected_tax_and_shipping(production_client):
    with replay.use_cassette("order_ebay_collected_tax.yaml") as cassette:
        payloads = FulfillmentAdapter(production_client).get_orders_by_ids(["2********8"])
    assert cassette.all_played
    order = map_order(payloads[0])
    assert (order.order_id, order.currency, order.buyer_username) == ("2********8", "USD", "e********4")
    assert order.subtotal == Decimal("200.0")
    assert order.shipping_cost == Decimal("18.0")
    assert order.tax == Decimal("0"), "GST collected by eBay must not be charged to the buyer again"
    assert order.ebay_collected_tax == Decimal("32.7")
    assert order.total == Decimal("218.0") == order.subtotal + order.shipping_cost
    assert order.fees == Decimal("28.82")
    assert order.last_modified == datetime(2023, 8, 2, 7, 50, 52, tzinfo=timezone.utc)
    assert order.buyer_email == "0********@********.com"
    assert order.shipping_address.country_code == "NZ" and order.shipping_address.phone == "2********3"
    (line,) = order.lines
    assert (line.line_item_id, line.legacy_item_id, line.quantity) == ("1********6", "2********4", 1)
    assert (line.unit_price, line.shipping, line.tax, line.ebay_collected_tax) == (
        Decimal("200.0"), Decimal("18.0"), Decimal("0"), Decimal("32.7"))
    assert not order.cancelled


def test_multi_line_orders_paged_by_modified_date(production_client):
    adapter = FulfillmentAdapter(production_client)
    with replay.use_cassette("orders_multi_line_paged.yaml") as cassette:
        orders = [map_order(payload) for payload in adapter.iter_orders(
            datetime(2024, 5, 15), datetime(2024, 5, 16), page_size=1)]
    assert cassette.all_played, "both pages must be fetched, following eBay's next link"
    multi, cancelled = orders
    assert [line.sku for line in multi.lines] == ["BRK-PAD-001", "OIL-FLT-22"]
    assert [line.unit_price for line in multi.lines] == [Decimal("29.99"), Decimal("12.50")]
    assert sum(line.subtotal for line in multi.lines) == multi.subtotal == Decimal("72.48")
    assert sum(line.shipping for line in multi.lines) == multi.shipping_cost == Decimal("5.00")
    assert multi.total == multi.subtotal + multi.shipping_cost
    assert (multi.tax, multi.ebay_collected_tax) == (Decimal("0"), Decimal("5.98"))
    assert multi.shipping_address.street2 == "Suite 100"
    assert multi.last_modified == datetime(2024, 5, 15, 9, 30, 15, 123000, tzinfo=timezone.utc)
    assert cancelled.cancelled and cancelled.cancel_state == "CANCELED"
    assert (cancelled.tax, cancelled.ebay_collected_tax, cancelled.discount) == (
        Decimal("2.10"), Decimal("0"), Decimal("-3.00"))
    assert cancelled.total == cancelled.subtotal + cancelled.discount + cancelled.shipping_cost + cancelled.tax
    assert cancelled.lines[0].unit_price == Decimal("10.00")
    assert cancelled.buyer_email == "bob@example.com", "falls back to the ship-to email"


def test_sample_order_currency_and_fees(ebay_sample):
    first = ebay_sample("fulfillment-getOrders.json")["response"]["orders"][0]
    order = map_order(first)
    assert (order.currency, order.fees, order.shipping_address.country_code) == ("EUR", Decimal("19.83"), "ES")


@pytest.mark.parametrize("damage", [
    lambda order: order.pop("lineItems"),
    lambda order: order["lineItems"][0].__setitem__("quantity", "two"),
    lambda order: order["pricingSummary"].__setitem__("total", None),
    lambda order: order["lineItems"][0]["lineItemCost"].__setitem__("value", "12,50"),
])
def test_unmappable_order_raises_mapping_error(ebay_sample, damage):
    order = ebay_sample("fulfillment-getOrders.json")["response"]["orders"][1]
    damage(order)
    with pytest.raises(MappingError):
        map_order(order)


def test_inventory_items_from_sample(ebay_sample):
    payload = ebay_sample("inventory-getInventoryItems.json")["response"]["inventoryItems"][0]
    item = map_inventory_item(payload)
    assert (item.sku, item.title, item.condition) == ("G********1", "GoPro Hero4 Helmet Cam", "NEW")
    assert (item.quantity, item.photo_count, item.brand, item.part_number) == (50, 3, "GoPro", None)


def test_part_number_and_model_aspects_in_priority_order():
    payload = {"sku": "A1", "condition": "USED_GOOD", "product": {"aspects": {
        "MPN": ["MPN-2"], "Brand Part Number": ["BPN-3"], "Part Number": ["PN-1"], "Model Number": ["M-9"]}}}
    item = map_inventory_item(payload)
    assert (item.part_number, item.model, item.photo_count, item.quantity) == ("PN-1", "M-9", 0, None)
    payload["product"]["aspects"] = {"Brand Part Number": ["BPN-3"], "Model": ["X1"], "Model Number": ["M-9"]}
    item = map_inventory_item(payload)
    assert (item.part_number, item.model) == ("BPN-3", "X1")


@pytest.mark.parametrize("payload", [{"condition": "NEW"}, {"sku": "A", "condition": "BRAND_SPANKING"}])
def test_unmappable_inventory_item_raises_mapping_error(payload):
    with pytest.raises(MappingError):
        map_inventory_item(payload)


def test_offers_and_listing_status(ebay_sample):
    offers = [map_offer(o) for o in ebay_sample("inventory-getOffers.json")["response"]["offers"]]
    first = offers[0]
    assert (first.offer_id, first.listing_id, first.category_id) == ("1*********1", "2*********1", "30120")
    assert (first.price, first.currency, first.available_quantity) == (Decimal("260.00"), "USD", 70)
    assert listing_status(offers) == ACTIVE


@pytest.mark.parametrize("statuses, expected", [
    (["UNPUBLISHED", "PUBLISHED_IN_PROGRESS"], ACTIVE),
    (["UNPUBLISHED", "ENDED"], ENDED),
    ([], UNKNOWN),
])
def test_listing_status_rules(statuses, expected):
    offers = [map_offer({"offerId": str(i), "sku": "S", "status": status}) for i, status in enumerate(statuses)]
    assert listing_status(offers) == expected


def test_price_quantity_results_keep_per_sku_errors():
    results = map_price_quantity_results([
        {"offerId": "1", "sku": "A", "statusCode": 200},
        {"sku": "B", "statusCode": 400, "errors": [{"errorId": 25001, "message": "System error"}]},
    ])
    assert [(r.sku, r.ok) for r in results] == [("A", True), ("B", False)]
    assert results[1].errors[0]["errorId"] == 25001


def test_category_tree_flattened_with_parents():
    tree = {"categoryTreeId": "0", "rootCategoryNode": {
        "category": {"categoryId": "0", "categoryName": "Root"}, "categoryTreeNodeLevel": 0,
        "childCategoryTreeNodes": [{
            "category": {"categoryId": "6000", "categoryName": "eBay Motors"}, "categoryTreeNodeLevel": 1,
            "childCategoryTreeNodes": [{
                "category": {"categoryId": "33707", "categoryName": "Brake Pads"}, "categoryTreeNodeLevel": 2,
                "leafCategoryTreeNode": True}]}]}}
    categories = map_category_tree(tree)
    assert [(c.category_id, c.parent_id, c.level, c.leaf) for c in categories] == [
        ("6000", None, 1, False), ("33707", "6000", 2, True)]


REPORT_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<BulkDataExchangeResponses xmlns="urn:ebay:apis:eBLBaseComponents">
<ActiveInventoryReport>
  <SKUDetails><ItemID>110000000001</ItemID><Price currencyID="USD">29.99</Price><Quantity>7</Quantity>
    <SKU>BRK-PAD-001</SKU></SKUDetails>
  <SKUDetails><ItemID>110000000009</ItemID><Price currencyID="USD">5.0</Price><Quantity>0</Quantity></SKUDetails>
  <SKUDetails><ItemID>110000000010</ItemID>
    <Variations>
      <Variation><Price currencyID="USD">9.5</Price><Quantity>3</Quantity><SKU>TEE-S</SKU></Variation>
      <Variation><Price currencyID="USD">10.5</Price><Quantity>4</Quantity><SKU>TEE-M</SKU></Variation>
    </Variations></SKUDetails>
</ActiveInventoryReport>
</BulkDataExchangeResponses>"""


def _zipped(content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.xml", content)
    return buffer.getvalue()


def test_active_inventory_report_from_zip():
    records = map_active_inventory_report(_zipped(REPORT_XML))
    assert [(r.item_id, r.sku, r.price, r.currency, r.quantity, r.variation) for r in records] == [
        ("110000000001", "BRK-PAD-001", Decimal("29.99"), "USD", 7, False),
        ("110000000009", None, Decimal("5.0"), "USD", 0, False),
        ("110000000010", "TEE-S", Decimal("9.5"), "USD", 3, True),
        ("110000000010", "TEE-M", Decimal("10.5"), "USD", 4, True),
    ]


def test_broken_report_raises_mapping_error():
    with pytest.raises(MappingError):
        map_active_inventory_report(b"PK\x03\x04 not a zip")
    with pytest.raises(MappingError):
        map_active_inventory_report(b"<ActiveInventoryReport><SKUDetails>")



def test_order_marketplace_is_the_listing_site(ebay_sample):
    orders = ebay_sample("fulfillment-getOrders.json")["response"]["orders"]
    assert map_order(orders[0]).marketplace_id == "EBAY_DE"
