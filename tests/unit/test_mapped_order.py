"""marketplace_core.orders: the mapped order every connector hands to marketplace_base's import."""
from dataclasses import FrozenInstanceError
from datetime import datetime

import pytest

from marketplace_core.orders import BUYER_FIELDS, MappedOrder, MappedOrderLine, latest_change, order_numbers


def order(number="A-1", modified=datetime(2026, 12, 1, 10, 0), **kwargs):
    values = {"external_order_id": number, "last_modified_at": modified, "amount_total": 12.5,
              **dict.fromkeys(BUYER_FIELDS, "x")}
    lines = (MappedOrderLine("L1", 2.0, 5.0, external_sku="SKU-1"),)
    return MappedOrder(values, lines, kwargs.pop("currency", "EUR"), **kwargs)


def test_line_values_are_the_order_line_fields_with_neutral_defaults():
    assert order().line_values() == [{
        "external_line_id": "L1", "quantity": 2.0, "price_unit": 5.0, "external_sku": "SKU-1",
        "external_item_id": False, "title": False, "amount_shipping": 0.0, "amount_tax": 0.0,
        "amount_marketplace_tax": 0.0}]


def test_key_and_last_modified():
    assert order().key == "A-1"
    assert order(modified=False).last_modified is None


def test_routed_sets_the_shop_and_fills_a_missing_currency_only():
    routed = order(currency="").routed(7, "THB")
    assert (routed.shop_id, routed.currency) == (7, "THB")
    assert order().routed(7, "THB").currency == "EUR", "the marketplace's own currency wins"
    assert order().shop_id is None, "mapping knows no shop; routing is the connector's"


def test_without_buyer_data_erases_personal_fields_only_and_keeps_the_original():
    original = order()
    erased = original.without_buyer_data()
    assert all(erased.values[name] is False for name in BUYER_FIELDS)
    assert erased.values["amount_total"] == 12.5 and erased.lines == original.lines
    assert original.values["buyer_username"] == "x"


def test_mapped_orders_are_frozen():
    with pytest.raises(FrozenInstanceError):
        order().shop_id = 3


def test_latest_change_ignores_unknown_times():
    orders = [order(modified=datetime(2026, 12, 1)), order(modified=False), order(modified=datetime(2026, 12, 2))]
    assert latest_change(orders) == datetime(2026, 12, 2)
    assert latest_change([order(modified=False)]) is None
    assert latest_change([order(modified=datetime(2026, 12, 1))], datetime(2026, 12, 5)) == datetime(2026, 12, 5)


def test_order_numbers_are_trimmed_split_by_lines_and_commas_each_once():
    assert order_numbers(" 12-345 \n\n 67-890, 12-345 ,X1\r\n,") == ["12-345", "67-890", "X1"]
    assert order_numbers(" \n , ") == []
    assert order_numbers(False) == []
