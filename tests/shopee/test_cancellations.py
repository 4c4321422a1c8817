"""Shopee cancellations: how an order's status reads as a cancellation, and the client against the simulator
(a buyer's IN_CANCEL request accepted or rejected, the seller's cancel_order, what Shopee refuses)."""
import time

import pytest
from shopee_api.cancellations import (
    CancellationAdapter,
    buyer_request_state,
    cancel_order_body,
    cancellation_key,
    cancellation_record,
    seller_reason_code,
)
from shopee_api.errors import ShopeeRequestError
from shopee_api.orders import OrderAdapter

from .conftest import sim_post


@pytest.mark.parametrize(("status", "state"), [
    ("IN_CANCEL", "requested"), ("CANCELLED", "completed"), ("READY_TO_SHIP", "rejected"), ("PROCESSED", "rejected"),
])
def test_buyer_request_state(status, state):
    assert buyer_request_state(status) == state


def test_record_and_reasons():
    detail = {"order_sn": "2612ABC", "order_status": "IN_CANCEL", "buyer_cancel_reason": "Change of mind"}
    assert cancellation_record(detail, "buyer") == {
        "external_cancel_id": "2612ABC:buyer", "external_order_id": "2612ABC", "requester": "buyer",
        "reason": "Change of mind", "state": "requested", "external_state": "IN_CANCEL"}
    assert cancellation_record(dict(detail, order_status="CANCELLED", cancel_reason="OUT_OF_STOCK"),
                               "seller")["state"] == "completed"
    assert cancellation_key("2612ABC", "seller") == "2612ABC:seller"
    assert seller_reason_code("out_of_stock", "TH") == "OUT_OF_STOCK"
    assert seller_reason_code("undeliverable_area", "MY") == "UNDELIVERABLE_AREA"
    for reason, region in (("undeliverable_area", "TH"), ("buyer_asked", "MY")):
        with pytest.raises(ValueError):
            seller_reason_code(reason, region)
    with pytest.raises(ValueError):
        cancel_order_body("2612ABC", "OUT_OF_STOCK")      # the items are required
    assert cancel_order_body("2612ABC", "OUT_OF_STOCK", [(800001, 0)])["item_list"] == [
        {"item_id": 800001, "model_id": 0}]


def _in_cancel(shop):
    now = int(time.time())
    return OrderAdapter(shop).order_page(now - 3600, now + 60, order_status="IN_CANCEL").order_sns


def test_buyer_request_accepted_then_refused_again(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    sim_post(sim, "/_sim/orders/buyer_cancel", {"order_sn": order_sn, "reason": "Change of mind"})
    assert _in_cancel(shop) == [order_sn]
    adapter = CancellationAdapter(shop)
    detail = adapter.details([order_sn])[0]
    assert cancellation_record(detail, "buyer")["state"] == "requested"
    assert detail["buyer_cancel_reason"] == "Change of mind"
    adapter.handle_buyer_cancellation(order_sn, accept=True)
    assert cancellation_record(adapter.details([order_sn])[0], "buyer")["state"] == "completed"
    with pytest.raises(ShopeeRequestError):
        adapter.handle_buyer_cancellation(order_sn, accept=False)


def test_buyer_request_rejected_puts_the_order_back(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    sim_post(sim, "/_sim/orders/buyer_cancel", {"order_sn": order_sn})
    adapter = CancellationAdapter(shop)
    adapter.handle_buyer_cancellation(order_sn, accept=False)
    detail = adapter.details([order_sn])[0]
    assert detail["order_status"] == "READY_TO_SHIP"
    assert cancellation_record(detail, "buyer")["state"] == "rejected"


def test_seller_cancels_out_of_stock_and_shopee_refuses_what_it_refuses(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    adapter = CancellationAdapter(shop)
    with pytest.raises(ShopeeRequestError):   # an item the order does not have
        adapter.cancel_order(order_sn, "OUT_OF_STOCK", [(123, 0)])
    with pytest.raises(ShopeeRequestError):   # not in TH
        adapter.cancel_order(order_sn, "UNDELIVERABLE_AREA")
    adapter.cancel_order(order_sn, "OUT_OF_STOCK", [(800001, 0)])
    detail = adapter.details([order_sn])[0]
    assert (detail["order_status"], detail["cancel_by"], detail["cancel_reason"]) == (
        "CANCELLED", "seller", "OUT_OF_STOCK")
    assert cancellation_record(detail, "seller")["state"] == "completed"
    with pytest.raises(ShopeeRequestError):   # cancelled already
        adapter.cancel_order(order_sn, "OUT_OF_STOCK", [(800001, 0)])
