"""Post-Order cancellations: the state mapping, the mapper, and the adapter against the simulator."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from ebay_api import EbayRequestError, MappingError
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.post_order import (
    APPROVED,
    CLOSED,
    COMPLETED,
    REJECTED,
    REQUESTED,
    CancellationAdapter,
    cancellation_state,
    map_cancellation,
    map_order_cancel_status,
    seller_reason_code,
)

SUMMARY = {
    "cancelId": "5000000123", "legacyOrderId": "12-34567-89012", "marketplaceId": "EBAY_US",
    "requestorType": "BUYER", "cancelReason": "ORDER_MISTAKE", "cancelState": "APPROVAL_PENDING",
    "cancelStatus": "CANCEL_REQUESTED", "cancelRequestDate": {"value": "2026-12-07T10:00:00.000Z"},
    "sellerResponseDueDate": {"value": "2026-12-10T10:00:00.000Z"},
    "requestRefundAmount": {"value": "25.50", "currency": "USD"},
}


@pytest.mark.parametrize(("status", "state", "expected"), [
    ("CANCEL_REQUESTED", "APPROVAL_PENDING", REQUESTED),
    ("CANCEL_PENDING", "REFUND_PENDING", APPROVED),
    ("CANCEL_REJECTED", "CLOSED", REJECTED),
    ("CANCEL_CLOSED_WITH_REFUND", "CLOSED", COMPLETED),
    ("CANCEL_CLOSED_UNKNOWN_REFUND", "CLOSED", COMPLETED),
    ("CANCEL_CLOSED_NO_REFUND", "CLOSED", COMPLETED),
    ("CANCEL_CLOSED_FOR_COMMITMENT", "CLOSED", COMPLETED),
    ("INVALID", "CLOSED", CLOSED),
    (None, "REFUND_INITIATED", APPROVED),
    (None, "INITIAL", REQUESTED),
    (None, "CLOSED", CLOSED),
])
def test_state_mapping(status, state, expected):
    assert cancellation_state(status, state) == expected


def test_an_unknown_state_is_reported_not_guessed():
    with pytest.raises(MappingError):
        cancellation_state("CANCEL_SOMETHING_NEW", "OTHER")


def test_map_cancellation():
    cancellation = map_cancellation(SUMMARY)
    assert cancellation.cancel_id == "5000000123" and cancellation.order_id == "12-34567-89012"
    assert cancellation.requester == "buyer" and cancellation.state == REQUESTED
    assert cancellation.respond_by == datetime(2026, 12, 10, 10, tzinfo=timezone.utc)
    assert cancellation.refund_amount == Decimal("25.50") and cancellation.currency == "USD"
    assert map_cancellation(dict(SUMMARY, requestorType="SELLER")).requester == "seller"
    with pytest.raises(MappingError):
        map_cancellation({"legacyOrderId": "1"})


def test_seller_reasons():
    assert seller_reason_code("out_of_stock") == "OUT_OF_STOCK_OR_CANNOT_FULFILL"
    assert seller_reason_code("buyer_asked") == "BUYER_ASKED_CANCEL"
    with pytest.raises(ValueError):
        seller_reason_code("undeliverable_area")


# ---------------------------------------------------------------- against the simulator
@pytest.fixture
def order_id(sim_controls):
    return sim_controls.post("orders", {"count": 1})["orderIds"][0]


@pytest.fixture
def adapter(sim_client):
    return CancellationAdapter(sim_client)


def _since():
    return datetime.now(timezone.utc) - timedelta(minutes=5)


def test_buyer_request_found_by_search_and_get_then_approved(adapter, sim_client, sim_controls, order_id):
    requested = sim_controls.post("cancellations", {"orderId": order_id, "reason": "FOUND_CHEAPER_PRICE"})
    raw, total = adapter.search_page(_since())
    found = [map_cancellation(item) for item in raw if item["legacyOrderId"] == order_id]
    assert total >= 1 and len(found) == 1
    cancellation = found[0]
    assert cancellation.cancel_id == requested["cancelId"] and cancellation.state == REQUESTED
    assert cancellation.requester == "buyer" and cancellation.respond_by
    fulfillment = FulfillmentAdapter(sim_client)
    state, cancel_requests = map_order_cancel_status(fulfillment.get_order(order_id))
    assert state == "CANCEL_REQUESTED" and cancel_requests[0].cancel_id == cancellation.cancel_id
    listed = map_order_cancel_status(fulfillment.get_orders_by_ids([order_id])[0])
    assert listed == ("CANCEL_REQUESTED", ()), "getOrders leaves the cancel requests empty"

    adapter.approve(cancellation.cancel_id)
    assert map_cancellation(adapter.get(cancellation.cancel_id)).state == COMPLETED
    assert map_order_cancel_status(fulfillment.get_order(order_id))[0] == "CANCELED"
    with pytest.raises(EbayRequestError):   # eBay refuses to answer a closed request
        adapter.approve(cancellation.cancel_id)
    with pytest.raises(EbayRequestError):
        adapter.reject(cancellation.cancel_id)


def test_reject_keeps_the_order(adapter, sim_client, sim_controls, order_id):
    cancel_id = sim_controls.post("cancellations", {"orderId": order_id})["cancelId"]
    adapter.reject(cancel_id)
    assert map_cancellation(adapter.get(cancel_id)).state == REJECTED
    assert map_order_cancel_status(FulfillmentAdapter(sim_client).get_order(order_id))[0] == "NONE_REQUESTED"


def test_seller_cancellation_checks_eligibility_and_refuses_a_second(adapter, sim_client, order_id):
    eligibility = adapter.check_eligibility(order_id)
    assert eligibility.eligible and "OUT_OF_STOCK_OR_CANNOT_FULFILL" in eligibility.reasons
    cancel_id = adapter.create_cancellation(order_id, "OUT_OF_STOCK_OR_CANNOT_FULFILL")
    cancellation = map_cancellation(adapter.get(cancel_id))
    assert cancellation.requester == "seller" and cancellation.state == COMPLETED
    assert map_order_cancel_status(FulfillmentAdapter(sim_client).get_order(order_id))[0] == "CANCELED"
    again = adapter.check_eligibility(order_id)
    assert not again.eligible and "ORDER_ALREADY_CANCELLED" in again.failures
    assert adapter.create_cancellation(order_id, "BUYER_ASKED_CANCEL") is None


def test_the_simulator_refuses_what_ebay_refuses(sim, sim_client, order_id):
    token = sim_client.token_store.load().access_token
    url = sim.base_url + "/post-order/v2/cancellation"
    bearer = requests.get(url + "/search", headers={"Authorization": "Bearer " + token}, timeout=10)
    assert bearer.status_code == 401, "the Post-Order API takes IAF tokens"
    buyer_reason = requests.post(url, json={"legacyOrderId": order_id, "cancelReason": "ORDER_MISTAKE"},
                                 headers={"Authorization": "IAF " + token}, timeout=10)
    assert buyer_reason.status_code == 400, "a seller cannot give a buyer's reason"
    no_body = requests.post(url + "/5000000001/reject", headers={"Authorization": "IAF " + token}, timeout=10)
    assert no_body.status_code == 400, "reject needs {} at least"
    with pytest.raises(ValueError):
        CancellationAdapter(sim_client).create_cancellation(order_id, "ORDER_MISTAKE")
