"""No POST reaches eBay twice: the transport's retry rule per method, over real HTTP against the simulator,
and finding a shipment eBay already has."""
import dataclasses
import time

import pytest

from ebay_api import EbayClient, EbayConfig, EbayRetryableError, EbayUncertainError, InMemoryTokenStore, TokenSet
from ebay_api.fulfillment import FulfillmentAdapter, matching_fulfillment_id
from ebay_api.inventory import InventoryAdapter

SHIP = "/sell/fulfillment/v1/order/*/shipping_fulfillment"
SHIP_CALL = "POST /sell/fulfillment/v1/order/{id}/shipping_fulfillment"
ITEMS = "/sell/inventory/v1/inventory_item"


@pytest.fixture
def quick_client(sim_config, connected_store):
    """A client whose read timeout is short, so an unanswered request gives up quickly; backoff without sleeping."""
    config = dataclasses.replace(sim_config, timeout=(2, 0.5))
    return EbayClient(config, connected_store, sleep=lambda seconds: None)


@pytest.fixture
def order(sim_controls, quick_client):
    """A fresh simulator order: (order id, [(line item id, quantity)])."""
    (order_id,) = sim_controls.post("orders", {"count": 1})["orderIds"]
    (raw,) = FulfillmentAdapter(quick_client).get_orders_by_ids([order_id])
    return order_id, [(line["lineItemId"], line["quantity"]) for line in raw["lineItems"]]


def _ship(client, order):
    order_id, lines = order
    return FulfillmentAdapter(client).create_shipping_fulfillment(order_id, lines, "UPS", "1Z-TRACK-1")


def _recorded(sim_controls, order_id):
    return [f for f in sim_controls.get("fulfillments")["fulfillments"] if f["orderId"] == order_id]


def test_post_without_an_answer_is_not_sent_again(quick_client, sim_controls, order):
    sim_controls.post("faults", {"timeout_after_commit": {"path": SHIP, "method": "POST", "times": 1}})
    sim_controls.post("calls/reset")
    with pytest.raises(EbayUncertainError) as caught:
        _ship(quick_client, order)
    assert caught.value.retryable and caught.value.maybe_applied
    assert sim_controls.calls(SHIP_CALL) == 1
    (recorded,) = _recorded(sim_controls, order[0])
    fulfillments = FulfillmentAdapter(quick_client).get_shipping_fulfillments(order[0])
    assert matching_fulfillment_id(fulfillments, order[1], "1Z-TRACK-1") == recorded["fulfillmentId"]


def test_post_answered_5xx_is_not_sent_again(quick_client, sim_controls, order):
    sim_controls.post("faults", {"rate_5xx": 1.0})
    sim_controls.post("calls/reset")
    with pytest.raises(EbayUncertainError) as caught:
        _ship(quick_client, order)
    assert caught.value.status >= 500
    assert sim_controls.calls(SHIP_CALL) == 1


def test_post_answered_429_is_retried(quick_client, sim_controls, order):
    sim_controls.post("faults", {"rate_429": 1.0})
    sim_controls.post("calls/reset")
    with pytest.raises(EbayRetryableError) as caught:
        _ship(quick_client, order)
    assert not isinstance(caught.value, EbayUncertainError) and not caught.value.maybe_applied
    assert sim_controls.calls(SHIP_CALL) == quick_client.config.max_attempts
    assert _recorded(sim_controls, order[0]) == []


def test_post_is_retried_when_the_connection_was_refused():
    config = EbayConfig("app", "cert", base_url="http://127.0.0.1:9", budgets={}, max_attempts=3, timeout=(0.5, 0.5))
    log = []
    client = EbayClient(config, InMemoryTokenStore(TokenSet("t", time.time() + 7200)), on_call=log.append,
                        sleep=lambda seconds: None)
    with pytest.raises(EbayRetryableError) as caught:
        _ship(client, ("1-1", [("1", 1)]))
    assert not isinstance(caught.value, EbayUncertainError)
    assert len(log) == 3


def test_get_without_an_answer_is_retried(quick_client, sim_controls):
    sim_controls.post("faults", {"timeout_after_commit": {"path": ITEMS, "method": "GET", "times": 1}})
    sim_controls.post("calls/reset")
    body = quick_client.request("GET", ITEMS, "inventory.read", params={"limit": 1}).body
    assert body["inventoryItems"]
    assert sim_controls.calls("GET " + ITEMS) == 2


def test_idempotent_post_without_an_answer_is_retried(quick_client, sim_controls):
    inventory = InventoryAdapter(quick_client)
    sku = next(iter(inventory.iter_inventory_items(page_size=1)))["sku"]
    sim_controls.post("faults", {"timeout_after_commit": {"path": "/sell/inventory/v1/bulk_update_price_quantity",
                                                          "method": "POST", "times": 1}})
    sim_controls.post("calls/reset")
    entry = {"sku": sku, "shipToLocationAvailability": {"quantity": 4}}
    (result,) = inventory.bulk_update_price_quantity([entry])
    assert result["statusCode"] == 200
    assert sim_controls.calls("POST /sell/inventory/v1/bulk_update_price_quantity") == 2
    assert sim_controls.get(f"listings/{sku}")["quantity"] == 4


@pytest.mark.parametrize("fulfillments, expected", [
    ([{"fulfillmentId": "F1", "shipmentTrackingNumber": " 1z-track-1",
       "lineItems": [{"lineItemId": "L2", "quantity": 1}, {"lineItemId": "L1", "quantity": 2}]}], "F1"),
    ([{"fulfillmentId": "F1", "shipmentTrackingNumber": "1Z-TRACK-2",
       "lineItems": [{"lineItemId": "L1", "quantity": 2}, {"lineItemId": "L2", "quantity": 1}]}], None),
    ([{"fulfillmentId": "F1", "shipmentTrackingNumber": "1Z-TRACK-1",
       "lineItems": [{"lineItemId": "L1", "quantity": 1}, {"lineItemId": "L2", "quantity": 1}]}], None),
    ([{"fulfillmentId": "F1", "shipmentTrackingNumber": "1Z-TRACK-1", "lineItems": [{"lineItemId": "L1",
                                                                                        "quantity": 2}]}], None),
    ([], None),
])
def test_matching_fulfillment_needs_the_same_tracking_and_lines(fulfillments, expected):
    assert matching_fulfillment_id(fulfillments, [("L1", 2), ("L2", 1)], "1Z-TRACK-1") == expected
