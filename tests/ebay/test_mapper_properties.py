"""Property tests: whatever eBay-shaped payload arrives, a mapper returns records or raises our MappingError.

A bare KeyError or TypeError from deep inside a mapper would fail a job with an unreadable message
(or, in the webhook, answer 500); MappingError names what could not be mapped.
"""
import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ebay_api.errors import MappingError
from ebay_api.mappers import (
    map_active_inventory_report,
    map_category_tree,
    map_inventory_item,
    map_offer,
    map_order,
    map_price_quantity_results,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20,
)
money = st.one_of(
    st.fixed_dictionaries({"value": st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
                                              st.text(max_size=6), st.none()),
                           "currency": st.sampled_from(["USD", "EUR", "", None])}),
    json_values,
)
timestamps = st.one_of(st.just("2024-05-15T08:25:43.511Z"), st.text(max_size=25), st.none(), st.integers())


def maybe(strategy):
    """A key that may be missing or hold anything."""
    return st.one_of(strategy, json_values)


line_items = st.fixed_dictionaries(
    {"lineItemId": maybe(st.text(min_size=1, max_size=12)), "quantity": maybe(st.integers(0, 5))},
    optional={"sku": maybe(st.text(max_size=10)), "lineItemCost": money, "total": money,
              "deliveryCost": st.one_of(st.fixed_dictionaries({"shippingCost": money}), json_values),
              "taxes": st.one_of(st.lists(st.fixed_dictionaries({"amount": money}), max_size=2), json_values),
              "ebayCollectAndRemitTaxes": st.one_of(
                  st.lists(st.fixed_dictionaries({"amount": money, "taxType": st.text(max_size=8)}), max_size=2),
                  json_values)},
)
orders = st.fixed_dictionaries(
    {"orderId": maybe(st.text(min_size=1, max_size=20)), "lineItems": st.one_of(st.lists(line_items, max_size=3),
                                                                                 json_values)},
    optional={"lastModifiedDate": timestamps, "creationDate": timestamps,
              "pricingSummary": st.one_of(st.fixed_dictionaries({"total": money}, optional={
                  "priceSubtotal": money, "deliveryCost": money, "tax": money}), json_values),
              "buyer": maybe(st.fixed_dictionaries({"username": maybe(st.text(max_size=10))})),
              "cancelStatus": json_values, "totalMarketplaceFee": money,
              "fulfillmentStartInstructions": json_values},
)


def raises_only_mapping_error(mapper, payload):
    try:
        mapper(payload)
    except MappingError:
        pass


@SETTINGS
@given(orders)
def test_map_order_maps_or_raises_mapping_error(payload):
    raises_only_mapping_error(map_order, payload)


@SETTINGS
@given(json_values)
def test_every_mapper_survives_arbitrary_json(payload):
    for mapper in (map_order, map_inventory_item, map_offer, map_category_tree, map_price_quantity_results):
        raises_only_mapping_error(mapper, payload)


@SETTINGS
@given(st.binary(max_size=200))
def test_report_parser_survives_arbitrary_bytes(content):
    raises_only_mapping_error(map_active_inventory_report, content)


@SETTINGS
@given(st.sampled_from(["orderId", "lineItems", "lastModifiedDate", "pricingSummary"]), json_values)
def test_documented_order_with_one_field_damaged(ebay_sample_order, key, value):
    payload = copy.deepcopy(ebay_sample_order)
    payload[key] = value
    raises_only_mapping_error(map_order, payload)


@SETTINGS
@given(st.sampled_from(["sku", "product", "condition", "availability"]), json_values)
def test_documented_inventory_item_with_one_field_damaged(ebay_sample_item, key, value):
    payload = copy.deepcopy(ebay_sample_item)
    payload[key] = value
    raises_only_mapping_error(map_inventory_item, payload)
