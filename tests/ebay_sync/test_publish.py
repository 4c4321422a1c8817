"""The local pre-publish check, eBay's request bodies and the revise plan (sync_core/publish.py)."""
from dataclasses import replace
from decimal import Decimal

from sync_core.publish import (
    AspectSpec,
    BestOffer,
    ConditionPolicy,
    ListingDraft,
    Package,
    PublishedState,
    Variant,
    aspect_specs,
    check_listing,
    condition_policy,
    group_payload,
    gtin_fields,
    inventory_item_payload,
    item_description,
    offer_payload,
    plan_revisions,
)

SPECS = (AspectSpec("Brand", required=True), AspectSpec("Type", required=True),
         AspectSpec("Color", selection_only=True, multi=True, values=("Black", "Red")),
         AspectSpec("Model", max_length=20))
POLICIES = {"fulfillment": "F1", "payment": "P1", "return": "R1"}


def draft(**changes):
    base = ListingDraft(
        sku="SKU-1", marketplace_id="EBAY_US", currency="USD", title="Canon EOS 250D body", description="<p>Nice</p>",
        category_id="31388", condition="USED_GOOD", condition_notes="Small scratch",
        aspects={"Brand": ["Canon"], "Type": ["Camera"], "Color": ["Black"]}, aspect_specs=SPECS,
        condition_policy=ConditionPolicy(True, ("NEW", "USED_GOOD")), image_urls=("https://i.ebayimg.com/1.jpg",),
        photo_count=1, price=Decimal("199.00"), quantity=3, policies=POLICIES, location_key="wh-1", locale="en_US")
    return replace(base, **changes)


def codes(problems):
    return [problem.code for problem in problems]


def test_a_complete_listing_has_no_problem():
    assert check_listing(draft()) == []


def test_every_problem_is_listed_at_once():
    problems = check_listing(draft(
        title="x" * 81, aspects={"Color": ["Purple"]}, condition="LIKE_NEW", photo_count=0,
        policies={"payment": "P1"}, location_key=None, price=None))
    assert codes(problems) == ["title_too_long", "condition_not_allowed", "aspect_missing", "aspect_missing",
                               "aspect_value_not_allowed", "photo_missing", "policy_missing", "policy_missing",
                               "location_missing", "price_missing"]
    assert problems[0].params == {"length": 81, "max": 80}
    assert [p.params["name"] for p in problems if p.code == "aspect_missing"] == ["Brand", "Type"]
    assert {p.params["kind"] for p in problems if p.code == "policy_missing"} == {"fulfillment", "return"}


def test_nothing_in_stock_is_said_before_ebay_lists_it_out_of_stock():
    """eBay publishes at quantity 0 as an out-of-stock listing (hidden, not buyable): the check says so first,
    unless the seller lists it out of stock on purpose; a listing with variations needs one variant in stock."""
    assert codes(check_listing(draft(quantity=0))) == ["out_of_stock"]
    assert check_listing(draft(quantity=0, out_of_stock_ok=True)) == []
    variants = tuple(Variant(sku=f"SKU-{size}", price=Decimal("10"), quantity=quantity, aspects={"Size": [size]})
                     for size, quantity in (("S", 0), ("M", 0)))
    assert "out_of_stock" in codes(check_listing(draft(quantity=0, price=None, variants=variants)))
    restocked = variants[:1] + (replace(variants[1], quantity=2),)
    assert "out_of_stock" not in codes(check_listing(draft(quantity=0, price=None, variants=restocked)))


def test_aspect_cardinality_and_length():
    problems = check_listing(draft(aspects={"Brand": ["Canon", "Nikon"], "Type": ["Camera"],
                                            "Model": ["M" * 21], "Color": ["Black", "Red"]}))
    assert codes(problems) == ["aspect_single_value", "aspect_value_too_long"]


def test_condition_rules():
    assert codes(check_listing(draft(condition="NEW"))) == ["condition_notes_for_new"]
    assert codes(check_listing(draft(condition="NEW", condition_policy=None))) == ["condition_notes_for_new"]
    assert codes(check_listing(draft(condition=None, condition_notes=None))) == ["condition_missing"]
    optional = draft(condition=None, condition_notes=None, condition_policy=ConditionPolicy(False, ()))
    assert check_listing(optional) == []


def test_best_offer_and_package():
    problems = check_listing(draft(best_offer=BestOffer(Decimal("250"), Decimal("260")), package_required=True))
    assert codes(problems) == ["package_missing", "best_offer_accept_too_high", "best_offer_decline_above_accept"]
    fine = draft(best_offer=BestOffer(Decimal("180"), Decimal("150")), package_required=True,
                 package=Package(Decimal("1.2"), length=Decimal(20), width=Decimal(10), height=Decimal(8)))
    assert check_listing(fine) == []
    terms = offer_payload(fine)["listingPolicies"]["bestOfferTerms"]
    assert terms == {"bestOfferEnabled": True, "autoAcceptPrice": {"value": "180.00", "currency": "USD"},
                     "autoDeclinePrice": {"value": "150.00", "currency": "USD"}}
    assert inventory_item_payload(fine)["packageWeightAndSize"]["dimensions"]["unit"] == "CENTIMETER"


def test_aspect_specs_and_condition_policy_from_ebay():
    specs = aspect_specs([{"localizedAspectName": "Brand", "aspectConstraint": {
        "aspectRequired": True, "aspectUsage": "RECOMMENDED", "aspectMode": "SELECTION_ONLY",
        "itemToAspectCardinality": "MULTI", "aspectMaxLength": 65}, "aspectValues": [{"localizedValue": "Canon"}]}])
    assert specs == [AspectSpec("Brand", True, True, True, ("Canon",), 50)]
    policy = condition_policy([{"categoryId": "1", "itemConditionRequired": True,
                                "itemConditions": [{"conditionId": "1000"}, {"conditionId": "3000"}]}], "1")
    assert policy == ConditionPolicy(True, ("NEW", "USED_EXCELLENT"))
    assert condition_policy([], "1") is None


def test_barcodes_become_ebay_identifiers():
    assert gtin_fields("012345678905") == {"upc": ["012345678905"]}
    assert gtin_fields("4006381333931") == {"ean": ["4006381333931"]}
    assert gtin_fields("9780306406157") == {"isbn": ["9780306406157"]}
    assert gtin_fields("030640615X") == {"isbn": ["030640615X"]}
    assert gtin_fields("ABC") == {} and gtin_fields(None) == {}


def test_a_long_description_goes_whole_to_the_offer_and_cut_to_the_item():
    html = "<p>" + "word " * 1200 + "</p>"
    listing = draft(description=html)
    item, offer = inventory_item_payload(listing), offer_payload(listing)
    assert len(item["product"]["description"]) <= 4000 and "<p>" not in item["product"]["description"]
    assert offer["listingDescription"] == html
    assert item_description("<b>short</b>") == "<b>short</b>"


def test_item_and_offer_bodies():
    listing = draft(barcode="012345678905", brand="Canon", mpn="EOS250D")
    item = inventory_item_payload(listing)
    assert item["product"]["upc"] == ["012345678905"] and item["product"]["brand"] == "Canon"
    assert item["conditionDescription"] == "Small scratch"
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 3
    offer = offer_payload(listing)
    assert offer["listingPolicies"] == {"fulfillmentPolicyId": "F1", "paymentPolicyId": "P1", "returnPolicyId": "R1"}
    assert offer["listingDuration"] == "GTC" and offer["pricingSummary"]["price"] == {"value": "199.00",
                                                                                      "currency": "USD"}


def test_a_template_with_variants_makes_a_group():
    variants = tuple(Variant(f"TSHIRT-{size}", Decimal("15"), 2, {"Size": [size], "Color": ["Red"]})
                     for size in ("S", "M", "L", "XL", "XXL"))
    listing = draft(sku="TSHIRT", variants=variants, price=None, aspects={"Brand": ["Acme"], "Type": ["Shirt"]})
    assert check_listing(listing) == []
    group = group_payload(listing)
    assert group["variantSKUs"] == [variant.sku for variant in variants]
    assert group["variesBy"]["specifications"] == [{"name": "Color", "values": ["Red"]},
                                                   {"name": "Size", "values": ["S", "M", "L", "XL", "XXL"]}]
    assert group["aspects"] == {"Brand": ["Acme"], "Type": ["Shirt"]}
    assert inventory_item_payload(listing, variants[1])["product"]["aspects"]["Size"] == ["M"]
    assert offer_payload(listing, variants[1])["pricingSummary"]["price"]["value"] == "15.00"
    twins = replace(listing, variants=variants + (Variant("TSHIRT-S2", None, 1, {"Size": ["S"], "Color": ["Red"]}),))
    assert codes(check_listing(twins)) == ["variant_price_missing", "variant_duplicate"]


def test_only_changed_listings_are_revised_within_the_daily_limit():
    plan = plan_revisions([
        PublishedState(1, "i", "o", "i", "o"),
        PublishedState(2, "i", "o", "i2", "o"),
        PublishedState(3, "i", "o", "i", "o2"),
        PublishedState(4, "i", "o", "i2", "o2", revisions_today=250),
    ])
    assert plan.items == (2,) and plan.offers == (3,) and plan.unchanged == (1,) and plan.over_limit == (4,)


def test_the_item_is_written_in_its_sites_locale():
    assert inventory_item_payload(draft(marketplace_id="EBAY_DE", locale="de_DE"))["locale"] == "de_DE"
    try:
        inventory_item_payload(draft(locale=""))
    except ValueError as exc:
        assert "locale" in str(exc)
    else:
        raise AssertionError("an item without its site's locale must not be built")


def test_the_sellers_own_text_and_photos_are_not_replaced_by_ebays_catalog():
    assert offer_payload(draft(epid="123"))["includeCatalogProductDetails"] is False
    assert offer_payload(draft(epid="123", prefer_catalog=True))["includeCatalogProductDetails"] is True
    assert offer_payload(draft(photo_count=0))["includeCatalogProductDetails"] is True   # nothing of the seller's
