"""Browse comparables: the client's query, the simulator's answers (held to browse.yml), the app token."""
import dataclasses
import os
from decimal import Decimal

import pytest
import requests

from ebay_api import EbayClient, EbayRetryableError, InMemoryTokenStore, MappingError
from ebay_api.browse import BrowseAdapter, search_params
from ebay_api.config import BROWSE, PULL, Budget
from ebay_api.mappers import map_item_summary

SEARCH_CALL = "GET /buy/browse/v1/item_summary/search"
TOKEN_CALL = "POST /identity/v1/oauth2/token"
SPEC_DIR = os.environ.get("EBAY_OPENAPI_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "ebay-openapi")
SPEC = os.path.join(SPEC_DIR, "browse.yml")


@pytest.fixture
def browse(sim_config):
    """A Browse adapter with an application token only (no seller consent needed)."""
    return BrowseAdapter(EbayClient(sim_config, InMemoryTokenStore()))


def set_comparables(sim_controls, items, **key):
    sim_controls.post("comparables", dict(key, items=items))


def test_gtin_search_sends_no_keywords_and_the_filters():
    params = search_params(gtin="885909950805", keywords="ignored", category_id="9355", condition_ids=("1000",),
                           country="US", limit=500)
    assert params == {"gtin": "885909950805", "epid": None, "q": None, "category_ids": "9355",
                      "filter": "conditionIds:{1000},buyingOptions:{FIXED_PRICE},itemLocationCountry:US",
                      "limit": 200}


def test_gtin_is_for_upc_only_and_an_epid_sends_no_keywords():
    """browse.yml: "You can search only by UPC (Universal Product Code). To search using another GTIN format,
    you must search by keyword"; an EAN or ISBN goes by its catalog product (epid)."""
    for not_upc in ("4006381333931", "9780262046305", "0262046300"):
        with pytest.raises(ValueError, match="UPC"):
            search_params(gtin=not_upc)
    assert search_params(epid="24031555014", keywords="ignored")["q"] is None
    assert search_params(epid="24031555014")["epid"] == "24031555014"


def test_the_simulator_finds_nothing_by_a_gtin_that_is_not_a_upc(sim, sim_config, sim_controls):
    token = requests.post(f"{sim.base_url}/identity/v1/oauth2/token", auth=(sim_config.app_id, sim_config.cert_id),
                          data={"grant_type": "client_credentials", "scope": "https://api.ebay.com/oauth/api_scope"},
                          timeout=10).json()["access_token"]
    set_comparables(sim_controls, [{"title": "Organizer", "price": 20, "conditionId": "1000"}], gtin="2300001000008")

    def found(**params):
        return requests.get(f"{sim.base_url}/buy/browse/v1/item_summary/search", params=params,
                            headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["total"]
    assert found(gtin="2300001000008") == 0   # an EAN: browse.yml searches UPC only
    assert found(gtin="013803292186") > 0      # a UPC
    assert found(epid="24031555014") > 0       # the EAN's catalog product
    assert found(q="2300001000008") > 0        # the EAN as keywords


def test_keywords_search_and_nothing_to_search_by():
    assert search_params(keywords="pedal bin")["q"] == "pedal bin"
    with pytest.raises(ValueError):
        search_params()


def test_search_maps_price_shipping_condition_and_link(browse, sim_controls):
    set_comparables(sim_controls, [
        {"title": "Bin A", "price": 40, "shipping": 5.5, "conditionId": "1000"},
        {"title": "Bin B", "price": 44.99, "shipping": 0, "conditionId": "1000"},
        {"title": "Bin C", "price": 41, "shipping": None, "conditionId": "1000"},
    ], gtin="012345678905")
    items = browse.search(gtin="012345678905", condition_ids=("1000",), country="US")
    assert [(item.title, item.price, item.shipping, item.total) for item in items] == [
        ("Bin A", Decimal("40.00"), Decimal("5.50"), Decimal("45.50")),
        ("Bin B", Decimal("44.99"), Decimal("0.00"), Decimal("44.99")),
        ("Bin C", Decimal("41.00"), None, Decimal("41.00")),
    ]
    assert items[0].condition == "New" and items[0].url.startswith("https://www.ebay.com/itm/")
    assert sim_controls.calls(SEARCH_CALL) == 1


def test_filters_condition_buying_option_and_country(browse, sim_controls):
    set_comparables(sim_controls, [
        {"title": "new us", "price": 10, "conditionId": "1000"},
        {"title": "used us", "price": 10, "conditionId": "3000"},
        {"title": "auction", "price": 10, "conditionId": "1000", "buyingOption": "AUCTION"},
        {"title": "new cn", "price": 10, "conditionId": "1000", "country": "CN"},
    ], q="pedal bin")
    titles = [item.title for item in browse.search(keywords="pedal bin", condition_ids=("1000",), country="US")]
    assert titles == ["new us"]
    both = browse.search(keywords="bin pedal", condition_ids=("1000", "3000"), buying_options=("FIXED_PRICE",
                                                                                                "AUCTION"))
    assert sorted(item.title for item in both) == ["auction", "new cn", "new us", "used us"]


def test_generated_pool_has_a_realistic_spread_with_outliers_and_free_shipping(browse):
    items = browse.search(keywords="Pedal bin 30 l brushed steel", country="US")
    totals = sorted(item.total for item in items)
    assert len(items) >= 10
    assert any(item.shipping == 0 for item in items) and any(item.shipping for item in items)
    assert totals[0] < Decimal("15") and totals[-1] > Decimal("150"), "one for-parts and one lot-of-5 outlier"
    assert items == browse.search(keywords="Pedal bin 30 l brushed steel", country="US"), "deterministic"


def test_app_token_is_granted_once_and_renewed_after_expiry(sim_config, sim_controls):
    shared = InMemoryTokenStore()
    for _ in range(2):  # two clients, as two button presses make: one grant
        BrowseAdapter(EbayClient(sim_config, InMemoryTokenStore(), app_token_store=shared)).search(keywords="desk")
    assert sim_controls.calls(TOKEN_CALL) == 1
    sim_controls.post("expire_tokens")
    BrowseAdapter(EbayClient(sim_config, InMemoryTokenStore(), app_token_store=shared)).search(keywords="desk")
    assert sim_controls.calls(TOKEN_CALL) == 2, "401, one new grant, the call again"
    assert sim_controls.calls(SEARCH_CALL) == 4


def test_throttled_search_raises_retryable_after_the_retries(browse, sim_controls):
    sim_controls.post("faults", {"rate_429": 1.0, "retry_after": 0})
    with pytest.raises(EbayRetryableError) as caught:
        browse.search(keywords="desk")
    assert caught.value.status == 429


def test_gtin_with_keywords_is_refused_by_the_simulator(sim, sim_config):
    token = requests.post(f"{sim.base_url}/identity/v1/oauth2/token", auth=(sim_config.app_id, sim_config.cert_id),
                          data={"grant_type": "client_credentials", "scope": "https://api.ebay.com/oauth/api_scope"},
                          timeout=10).json()["access_token"]
    answer = requests.get(f"{sim.base_url}/buy/browse/v1/item_summary/search", params={"gtin": "1", "q": "x"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["errors"][0]["errorId"] == 12001


def test_browse_calls_count_against_the_browse_budget_only(sim_config):
    """Two calls a day allowed: the third waits for the window (the pull and push budgets are not touched)."""
    config = dataclasses.replace(sim_config, budgets={BROWSE: Budget(2, 86400), PULL: Budget(1, 600)})
    sleeps = []
    client = EbayClient(config, InMemoryTokenStore(), sleep=sleeps.append)
    for _ in range(3):
        BrowseAdapter(client).search(keywords="desk")
    assert len(sleeps) == 1 and sleeps[0] > 3600
    assert client.transport.budgets[BROWSE].used() == 3 and client.transport.budgets[PULL].used() == 0


def test_malformed_item_is_a_mapping_error():
    with pytest.raises(MappingError):
        map_item_summary({"title": "no id, no price"})


def test_simulator_answers_in_browse_yml_shape(browse, sim, sim_config):
    """Every field the simulator sends is one browse.yml documents; every parameter the client sends too."""
    if not os.path.exists(SPEC):
        pytest.skip("shared/ebay-openapi/browse.yml is absent: the shape check needs eBay's OpenAPI document")
    yaml = pytest.importorskip("yaml")
    with open(SPEC, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    operation = spec["paths"]["/item_summary/search"]["get"]
    documented = {parameter["name"] for parameter in operation["parameters"]}
    params = search_params(gtin="012345678905", category_id="2", condition_ids=("1000",), country="US")
    assert {name for name, value in params.items() if value is not None} <= documented
    schemas = spec["components"]["schemas"]
    token = browse.client.oauth.application_token().access_token
    body = requests.get(f"{sim.base_url}/buy/browse/v1/item_summary/search", params={"q": "desk", "limit": 3},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert set(body) <= set(schemas["SearchPagedCollection"]["properties"])
    for item in body["itemSummaries"]:
        assert set(item) <= set(schemas["ItemSummary"]["properties"])
        assert set(item["price"]) <= set(schemas["ConvertedAmount"]["properties"])
        for option in item["shippingOptions"]:
            assert set(option) <= set(schemas["ShippingOptionSummary"]["properties"])
