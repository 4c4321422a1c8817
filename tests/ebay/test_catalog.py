"""Drafting's eBay calls against the simulator: Catalog search by barcode, the catalog product, its stock photo,
and Taxonomy's category suggestions (contracts: shared/ebay-openapi/catalog.yml and taxonomy.yml)."""
import pytest

from ebay_api import EbayRequestError
from ebay_api.catalog import CatalogAdapter
from ebay_api.taxonomy import TaxonomyAdapter
from marketplace_simulators.ebay_sim.catalog import CATALOG
from sync_core.draft import check_proposal, proposal_from_catalog
from sync_core.publish import aspect_specs

DESK_ORGANIZER_EAN = "2300001000008"   # Odoo's demo product Desk Organizer


@pytest.fixture
def catalog(sim_client):
    return CatalogAdapter(sim_client)


def test_a_barcode_finds_its_catalog_product(catalog):
    summaries = catalog.search_by_gtin(DESK_ORGANIZER_EAN)
    assert [summary["epid"] for summary in summaries] == ["24031555014"]
    product = catalog.get_product(summaries[0]["epid"])
    assert product["title"] == "Desk Organizer with 5 Loose Boxes, White"
    assert product["ean"] == [DESK_ORGANIZER_EAN] and product["primaryCategoryId"]
    assert {"localizedName": "Color", "localizedValues": ["White"]} in product["aspects"]


def test_a_upc_is_found_by_its_ean_form(catalog):
    assert [summary["epid"] for summary in catalog.search_by_gtin("0013803292186")] == ["18021584217"]


def test_an_unknown_barcode_finds_nothing(catalog, sim_client):
    assert catalog.search_by_gtin("4006381333931") == []
    assert sim_client.call_log.statuses("catalog") == [204]


def test_an_unknown_epid_is_refused(catalog):
    with pytest.raises(EbayRequestError) as caught:
        catalog.get_product("999")
    assert caught.value.status == 404 and "75010" in str(caught.value.errors)


def test_the_stock_photo_downloads_as_an_image(catalog):
    product = catalog.get_product(CATALOG[0][0])
    content = catalog.fetch_image(product["image"]["imageUrl"])
    assert content.startswith(b"\x89PNG")


def test_a_page_that_is_not_an_image_is_no_stock_photo(catalog, sim):
    assert catalog.fetch_image(f"{sim.base_url}/_sim/calls") is None


def test_category_suggestions_are_leaves_with_their_ancestors(sim_client):
    taxonomy = TaxonomyAdapter(sim_client)
    suggestions = taxonomy.get_category_suggestions("0", "Canon digital camera")
    assert suggestions and suggestions[0]["relevancy"] == "HIGH"
    first = suggestions[0]
    ancestors = [node["categoryName"] for node in first["categoryTreeNodeAncestors"]]
    assert "Cameras & Photo" in ancestors or "Digital" in first["category"]["categoryName"]
    leaf_ids = {suggestion["category"]["categoryId"] for suggestion in suggestions}
    aspects = taxonomy.get_item_aspects("0", first["category"]["categoryId"])["aspects"]
    assert aspects and len(leaf_ids) == len(suggestions)


def test_suggestions_need_a_query(sim_client):
    with pytest.raises(EbayRequestError) as caught:
        TaxonomyAdapter(sim_client).get_category_suggestions("0", " ")
    assert "62007" in str(caught.value.errors)


def test_a_catalog_product_checked_against_its_suggested_category(catalog, sim_client):
    """The barcode draft end to end without Odoo: catalog product -> suggested leaf -> checked values.
    The simulator's Color is SELECTION_ONLY without "Space Grey ...": that value is dropped, the rest kept."""
    product = catalog.get_product(catalog.search_by_gtin("190199098572")[0]["epid"])
    taxonomy = TaxonomyAdapter(sim_client)
    leaf = taxonomy.get_category_suggestions("0", product["title"])[0]["category"]["categoryId"]
    specs = aspect_specs(taxonomy.get_item_aspects("0", leaf)["aspects"])
    checked = check_proposal(proposal_from_catalog(product), specs)
    assert checked.title == product["title"] and checked.aspects["Brand"] == ("Apple",)
    assert checked.aspects["Model"] == ("AirPods Pro",) and "Color" not in checked.aspects
    assert {(item.code, item.field) for item in checked.dropped} >= {("aspect_value_too_long", "Color")}
