"""Listings backfill and migration decisions (plain pytest: ``-p no:odoo``)."""
import json
from decimal import Decimal

from ebay_api.mappers import ReportListing, map_inventory_item
from sync_core.listings import (
    MIGRATE_HINT,
    NO_SKU_REASON,
    changed_values,
    ended_keys,
    index_report,
    inventory_values,
    listing_key,
    migrated_values,
    migration_results,
    seller_hub_values,
)

RAW_ITEM = {"sku": "DEMO-0001", "condition": "USED_GOOD",
            "product": {"title": "Canon DC-100 Digital Camera", "aspects": {"MPN": ["DC1"], "Model": ["DC-100"]},
                        "imageUrls": ["a", "b", "c"]},
            "availability": {"shipToLocationAvailability": {"quantity": 4}}}
LISTED = ReportListing(item_id="110550000001", sku="DEMO-0001", price=Decimal("19.90"), currency="USD", quantity=3,
                       variation=False)


def test_listed_item_is_active_with_report_quantity_and_price():
    values = inventory_values(map_inventory_item(RAW_ITEM), RAW_ITEM, LISTED)
    assert values["status"] == "active"
    assert values["external_listing_id"] == "110550000001"
    assert values["last_pushed_qty"] == 3 and values["last_pushed_price"] == 19.9
    assert values["title"] == "Canon DC-100 Digital Camera" and values["condition"] == "USED_GOOD"
    assert values["photo_count"] == 3
    assert values["ebay_listing_source"] == "inventory_api" and values["status_message"] is False
    assert json.loads(values["raw_payload"])["inventoryItem"] == RAW_ITEM
    assert "external_offer_id" not in values


def test_unlisted_item_is_unknown_without_reading_offers():
    item = map_inventory_item(RAW_ITEM)
    values = inventory_values(item, RAW_ITEM)
    assert values["status"] == "unknown" and "external_offer_id" not in values
    assert values["last_pushed_qty"] == 4


def test_unlisted_item_with_kept_offer_id_ended_only_when_the_report_was_read():
    item = map_inventory_item(RAW_ITEM)
    current = {"external_offer_id": "5000000001", "status": "active"}
    assert inventory_values(item, RAW_ITEM, current=current)["status"] == "ended"
    assert "status" not in inventory_values(item, RAW_ITEM, report_read=False, current=current)


def test_seller_hub_values_explain_why_and_keep_ebays_reason():
    values = seller_hub_values(LISTED)
    assert values["ebay_listing_source"] == "seller_hub" and values["status"] == "active"
    assert values["status_message"] == MIGRATE_HINT
    refused = {"status_message": "eBay refused to migrate this listing: auction"}
    assert seller_hub_values(LISTED, refused)["status_message"] == refused["status_message"]
    no_sku = ReportListing("110550000009", None, Decimal("5"), "USD", 1, False)
    values = seller_hub_values(no_sku)
    assert values["external_sku"] == listing_key(no_sku) == "ITEM-110550000009"
    assert values["status_message"] == NO_SKU_REASON


def test_index_report_keys_variations_by_sku():
    red = ReportListing("1", "SHIRT-RED", None, None, 2, True)
    blue = ReportListing("1", "SHIRT-BLUE", None, None, 1, True)
    assert index_report([red, blue]) == {"SHIRT-RED": red, "SHIRT-BLUE": blue}


def test_changed_values_writes_only_differences():
    wanted = inventory_values(map_inventory_item(RAW_ITEM), RAW_ITEM, LISTED)
    assert changed_values(wanted, None) == wanted
    current = dict(wanted, last_pushed_price=19.900000001, condition="NEW")
    assert changed_values(wanted, current) == {"condition": "USED_GOOD"}
    assert changed_values({"status_message": False, "title": False}, {"status_message": "", "title": None}) == {}


def test_ended_keys():
    assert ended_keys(["A", "B", "C"], {"B", "X"}) == ["A", "C"]


def test_migration_results_and_values():
    responses = [
        {"listingId": "11", "statusCode": 200, "inventoryItems": [{"sku": "HUB-1", "offerId": "501"}]},
        {"listingId": "12", "statusCode": 400, "inventoryItems": [{"sku": "HUB-2"}],
         "errors": [{"errorId": 25002, "message": "A user error has occurred. Auction listings cannot be migrated."}]},
    ]
    results = migration_results(responses)
    assert migrated_values(results["11"], "HUB-1") == {"ebay_listing_source": "inventory_api", "status_message": False,
                                                       "external_offer_id": "501"}
    refused = migrated_values(results["12"], "HUB-2")
    assert refused == {"status_message": "eBay refused to migrate this listing: A user error has occurred. "
                                         "Auction listings cannot be migrated."}
    assert "status" not in refused
    assert "no answer" in migrated_values(None, "HUB-3")["status_message"]
