"""Publishing against the simulator over real HTTP: the bulk calls in 25s, eBay's publish-time errors per
listing, item groups, photos, policies, conditions, locations, and never a second offer or listing."""
import dataclasses
from decimal import Decimal

import pytest

from ebay_api import EbayClient
from ebay_api.account import AccountAdapter
from ebay_api.feed import FeedAdapter
from ebay_api.inventory import InventoryAdapter
from ebay_api.mappers import map_active_inventory_report, map_image
from ebay_api.media import MediaAdapter
from ebay_api.metadata import MetadataAdapter
from ebay_api.publishing import GroupUnit, Publisher, PublishUnit
from ebay_api.taxonomy import TaxonomyAdapter
from marketplace_simulators.ebay_sim.publishing import condition_ids_for
from marketplace_simulators.ebay_sim.seed import LOCATION, POLICIES
from sync_core.publish import ListingDraft, Variant, aspect_specs, group_payload, inventory_item_payload, offer_payload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KINDS = {"fulfillment": POLICIES["fulfillmentPolicyId"], "payment": POLICIES["paymentPolicyId"],
         "return": POLICIES["returnPolicyId"]}


@pytest.fixture
def inventory(sim_client):
    return InventoryAdapter(sim_client)


@pytest.fixture
def category(sim_client):
    """A leaf accepting every condition, and its required aspects filled."""
    tree = sim_client.request("GET", "/commerce/taxonomy/v1/category_tree/0", "taxonomy", app_token=True).body
    leaves = []

    def walk(node):
        if node.get("leafCategoryTreeNode"):
            leaves.append(node["category"]["categoryId"])
        for child in node.get("childCategoryTreeNodes") or ():
            walk(child)
    walk(tree["rootCategoryNode"])
    category_id = next(leaf for leaf in leaves if len(condition_ids_for(leaf)) > 5)
    specs = aspect_specs(TaxonomyAdapter(sim_client).get_item_aspects("0", category_id)["aspects"])
    return category_id, {spec.name: [spec.values[0] if spec.values else "Lamp"] for spec in specs if spec.required}


def make_draft(category, sku, **changes):
    category_id, aspects = category
    draft = ListingDraft(sku=sku, marketplace_id="EBAY_US", currency="USD", title=f"Lamp {sku}",
                         description="<p>A lamp</p>", category_id=category_id, condition="NEW",
                         aspects=dict(aspects), image_urls=("https://i.ebayimg.com/images/g/x/s-l1600.jpg",),
                         photo_count=1, price=Decimal("12.50"), quantity=2, policies=dict(KINDS),
                         location_key=LOCATION, locale="en_US")
    return dataclasses.replace(draft, **changes)


def unit(draft, **changes):
    return PublishUnit(draft.sku, inventory_item_payload(draft), offer_payload(draft), **changes)


def offers_of(inventory, sku):
    return inventory.find_offers(sku, "EBAY_US")


def test_thirty_listings_cost_six_calls_and_go_live(inventory, category, sim_controls, sim_client):
    drafts = [make_draft(category, f"PUB-{n:03d}") for n in range(30)]
    sim_controls.post("calls/reset")
    outcomes = Publisher(inventory, "EBAY_US").publish([unit(d) for d in drafts])
    assert sim_controls.calls() == 6     # 2 x items, 2 x offers, 2 x publish (25 + 5)
    assert all(outcome.ok and outcome.listing_id for outcome in outcomes.values())
    offers = offers_of(inventory, "PUB-007")
    assert len(offers) == 1 and offers[0]["status"] == "PUBLISHED"
    report = map_active_inventory_report(FeedAdapter(sim_client).download_active_inventory_report(poll_seconds=0))
    live = {row.sku: row.item_id for row in report}
    assert live["PUB-007"] == outcomes["PUB-007"].listing_id


def test_ebay_errors_come_back_per_listing_in_clear(inventory, category):
    category_id, aspects = category
    good = make_draft(category, "ERR-OK")
    no_brand = make_draft(category, "ERR-BRAND", aspects={k: v for k, v in aspects.items() if k != "Brand"})
    bad_terms = make_draft(category, "ERR-TERMS", policies={"fulfillment": "nope"}, location_key="nowhere",
                           image_urls=(), condition="USED_GOOD")
    outcomes = Publisher(inventory, "EBAY_US").publish([unit(good), unit(no_brand), unit(bad_terms)])
    assert outcomes["ERR-OK"].ok
    assert outcomes["ERR-BRAND"].error_ids == (25002,) and outcomes["ERR-BRAND"].stage == "publish"
    assert "The item specific Brand is missing" in outcomes["ERR-BRAND"].error
    assert set(outcomes["ERR-TERMS"].error_ids) >= {25007, 25008, 25009, 25012, 25014}
    assert not outcomes["ERR-TERMS"].retryable
    # fixed and published again: the offer made the first time is found and reused
    fixed = Publisher(inventory, "EBAY_US").publish([unit(make_draft(category, "ERR-BRAND"), look_up=True)])
    assert fixed["ERR-BRAND"].ok and len(offers_of(inventory, "ERR-BRAND")) == 1


def test_condition_outside_the_category_is_25021(inventory, category, sim_client):
    new_only = next(leaf for leaf in map(str, range(20000, 40000, 7)) if condition_ids_for(leaf) == ("1000", "1500"))
    conditions = MetadataAdapter(sim_client).get_item_condition_policies("EBAY_US", [new_only])
    assert [c["conditionId"] for c in conditions[0]["itemConditions"]] == ["1000", "1500"]
    specs = aspect_specs(TaxonomyAdapter(sim_client).get_item_aspects("0", new_only)["aspects"])
    draft = make_draft((new_only, {s.name: ["X"] for s in specs if s.required}), "COND-1", condition="USED_GOOD")
    outcome = Publisher(inventory, "EBAY_US").publish([unit(draft)])["COND-1"]
    assert outcome.error_ids == (25021,)


def test_timeout_after_publish_commit_never_makes_a_second_listing(inventory, category, sim_controls,
                                                                   sim_config, connected_store):
    quick = EbayClient(dataclasses.replace(sim_config, timeout=(2, 0.5)), connected_store, sleep=lambda s: None)
    publisher = Publisher(InventoryAdapter(quick), "EBAY_US")
    sim_controls.post("faults", {"timeout_after_commit": {"path": "/sell/inventory/v1/bulk_create_offer"}})
    outcome = publisher.publish([unit(make_draft(category, "TMO-1"))])["TMO-1"]
    assert outcome.ok and outcome.listing_id          # the lost answer was settled by reading the offer back
    sim_controls.post("faults", {"timeout_after_commit": {"path": "/sell/inventory/v1/bulk_publish_offer"}})
    again = publisher.publish([unit(make_draft(category, "TMO-2"))])["TMO-2"]
    assert again.ok and again.listing_id
    for sku in ("TMO-1", "TMO-2"):
        assert len(offers_of(inventory, sku)) == 1


def test_a_5xx_storm_converges_with_one_offer_per_sku(inventory, category, sim_controls):
    drafts = [make_draft(category, f"STORM-{n:02d}") for n in range(40)]
    publisher = Publisher(inventory, "EBAY_US")
    sim_controls.post("faults", {"rate_5xx": 0.4, "random_seed": 7})
    outcomes = publisher.publish([unit(d) for d in drafts])
    for _round in range(10):
        failed = [d for d in drafts if not outcomes[d.sku].ok]
        if not failed:
            break
        assert all(outcomes[d.sku].retryable for d in failed)
        outcomes.update(publisher.publish([unit(d, offer_id=outcomes[d.sku].offer_id, look_up=True) for d in failed]))
    sim_controls.post("faults", {})
    assert all(outcome.ok for outcome in outcomes.values())
    assert all(len(offers_of(inventory, d.sku)) == 1 for d in drafts)


def test_a_template_with_five_variants_is_one_listing(inventory, category, sim_controls):
    variants = tuple(Variant(f"TEE-{size}", Decimal(15), 3, {"Size": [size]}) for size in ("S", "M", "L", "XL", "XXL"))
    draft = make_draft(category, "TEE", variants=variants, price=None)
    group = GroupUnit("TEE", group_payload(draft), tuple(
        PublishUnit(v.sku, inventory_item_payload(draft, v), offer_payload(draft, v)) for v in variants))
    sim_controls.post("calls/reset")
    outcome = Publisher(inventory, "EBAY_US").publish_groups([group])["TEE"]
    assert outcome.ok and outcome.listing_id and len(outcome.offer_ids) == 5
    assert sim_controls.calls() == 4            # items, group, offers, publish by group
    listings = {offers_of(inventory, v.sku)[0]["listing"]["listingId"] for v in variants}
    assert listings == {outcome.listing_id}


def test_photos_policies_and_location(sim_client, sim_controls):
    image = map_image(MediaAdapter(sim_client).create_image_from_file("main.png", PNG, "image/png"))
    assert image.url.startswith("https://i.ebayimg.com/") and image.expires_at.year >= 2024
    assert sim_controls.calls("POST /commerce/media/v1_beta/image/create_image_from_file") == 1
    account = AccountAdapter(sim_client)
    assert [name for _id, name, _raw in account.get_policies("return", "EBAY_US")] == [
        "30 days, buyer pays return", "No returns"]
    fulfillment = {policy_id: raw for policy_id, _name, raw in account.get_policies("fulfillment", "EBAY_US")}
    assert fulfillment["6196932001"]["shippingOptions"][0]["costType"] == "CALCULATED"
    inventory = InventoryAdapter(sim_client)
    address = {"location": {"address": {"postalCode": "10001", "country": "US"}}, "name": "NY",
               "locationTypes": ["WAREHOUSE"]}
    assert inventory.create_inventory_location("wh-ny", address) is True
    assert inventory.create_inventory_location("wh-ny", address) is False


def test_an_offer_at_quantity_zero_goes_live_out_of_stock(inventory, category):
    """As eBay does (ShipToLocationAvailability: "out of stock listings will result if this field is omitted or
    set to 0"): published, the listing active, nothing to buy. The connector's check says so first."""
    draft = make_draft(category, "PUB-ZERO", quantity=0)
    assert Publisher(inventory, "EBAY_US").publish([unit(draft)])["PUB-ZERO"].ok
    offer = offers_of(inventory, "PUB-ZERO")[0]
    assert (offer["status"], offer["listing"]["listingStatus"], offer["availableQuantity"]) == (
        "PUBLISHED", "ACTIVE", 0)
