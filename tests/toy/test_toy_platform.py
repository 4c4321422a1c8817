"""The toy platform's client, mapper and simulator, without Odoo: the simulator refuses what the toy's API
refuses (toy_api/client.py), and the client turns the refusals into its errors."""
import pytest
import requests
from toy_api import MAX_STOCK_ITEMS, MappingError, ToyAuthError, ToyClient, map_order
from toy_api.client import KEY_HEADER
from toy_sim.server import DEMO_API_KEY, ToySimulator


@pytest.fixture
def sim():
    with ToySimulator() as server:
        yield server


@pytest.fixture
def client(sim):
    return ToyClient(sim.base_url, DEMO_API_KEY, timeout=10)


def new_order(sim, lines=(("TOY-1", 2, 15.0),), **values):
    return requests.post(sim.base_url + "/_sim/orders", json={"lines": lines, **values}, timeout=10).json()


def test_orders_come_by_pages_then_by_id(sim, client):
    ids = [new_order(sim)["id"] for _n in range(3)]
    first, after = client.order_page(0, limit=2)
    rest, end = client.order_page(after, limit=2)
    assert ([order["id"] for order in first + rest], end) == (ids, None)
    assert [order["id"] for order in client.orders_by_id([ids[1], "T9999"])] == [ids[1]]


def test_stock_is_answered_per_sku_and_a_call_over_the_limit_is_refused(sim, client):
    answer = client.update_stock([("TOY-1", 7), ("NOPE", 1), ("TOY-2", -1)])
    assert answer == {"TOY-1": None, "NOPE": "unknown SKU", "TOY-2": "quantity must be a whole number from 0"}
    stock = requests.get(sim.base_url + "/_sim/stock", timeout=10).json()["stock"]
    assert (stock["TOY-1"], stock["TOY-2"]) == (7, 5)
    too_many = requests.post(sim.base_url + "/v1/stock", headers={KEY_HEADER: DEMO_API_KEY}, timeout=10,
                             json={"items": [{"sku": "TOY-1", "quantity": 1}] * (MAX_STOCK_ITEMS + 1)})
    assert too_many.status_code == 400


def test_a_wrong_key_is_refused(sim):
    with pytest.raises(ToyAuthError):
        ToyClient(sim.base_url, "wrong", timeout=10).order_page(0)


def test_an_order_maps_to_the_base_values_and_a_malformed_one_is_refused(sim):
    order = map_order(new_order(sim, buyer="ann", status="cancelled"))
    assert (order.values["buyer_username"], order.values["amount_total"], order.currency, order.cancelled) == (
        "ann", 30.0, "EUR", True)
    assert order.lines[0].external_sku == "TOY-1"
    with pytest.raises(MappingError, match="T1"):
        map_order({"id": "T1", "status": "paid"})
