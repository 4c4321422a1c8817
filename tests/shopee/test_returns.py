"""Shopee returns: how a return reads as a marketplace.return, and the client against the simulator (a buyer's
request confirmed or disputed, the list by creation time, what Shopee refuses)."""
import time

import pytest
import requests
from shopee_api.errors import ShopeeRequestError
from shopee_api.returns import ReturnAdapter, UnknownReturnStatus, dispute_body, return_record, return_state

from .conftest import sim_post

DATA = {"return_sn": "2612R1", "order_sn": "2612ABC", "status": "REQUESTED", "reason": "DAMAGED",
        "text_reason": "Cracked", "image": ["https://img/1.jpg", "https://img/2.jpg"], "refund_amount": 120.5,
        "create_time": 1796644800, "due_date": 1796904000, "tracking_number": "", "needs_logistics": True,
        "item": [{"item_id": 800001, "model_id": 0, "amount": 1}]}


@pytest.mark.parametrize(("status", "state"), [
    ("REQUESTED", "requested"), ("ACCEPTED", "approved"), ("PROCESSING", "item_shipped"),
    ("SELLER_DISPUTE", "declined"), ("JUDGING", "declined"), ("REFUND_PAID", "refunded"),
    ("CANCELLED", "closed"), ("CLOSED", "closed"),
])
def test_return_state(status, state):
    assert return_state(status) == state


def test_record():
    record = return_record(DATA)
    assert (record["external_return_id"], record["external_order_id"], record["state"]) == (
        "2612R1", "2612ABC", "requested")
    assert record["photo_urls"] == "https://img/1.jpg\nhttps://img/2.jpg"
    assert record["response_due_at"].isoformat() == "2026-12-10T12:00:00"
    assert record["lines"] == [{"external_line_id": "800001-0", "external_item_id": "800001", "quantity": 1}]
    assert return_record(dict(DATA, status="ACCEPTED"))["response_due_at"] is False, "nothing due any more"
    assert return_record(dict(DATA, needs_logistics=False))["item_comes_back"] is False
    with pytest.raises(UnknownReturnStatus):
        return_record(dict(DATA, status="SOMETHING_NEW"))
    with pytest.raises(ValueError):
        dispute_body("2612R1", "", "Used")
    assert dispute_body("2612R1", "s@x.th", "Used")["dispute_text_reason"] == "Used"


def _shipped_order(sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    sim_post(sim, "/_sim/orders/status", {"order_sn": order_sn, "status": "SHIPPED"})
    return order_sn


def test_request_listed_confirmed_shipped_refunded(shop, sim):
    order_sn = _shipped_order(sim)
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": order_sn, "text_reason": "Cracked"})["return_sn"]
    adapter = ReturnAdapter(shop)
    now = int(time.time())
    returns, more = adapter.return_page(now - 3600, now + 60, 0)
    assert [data["return_sn"] for data in returns] == [return_sn] and not more
    adapter.confirm(return_sn)
    assert return_record(adapter.detail(return_sn))["state"] == "approved"
    with pytest.raises(ShopeeRequestError):   # answered already
        adapter.dispute(return_sn, "seller@example.com", "Used")
    sim_post(sim, "/_sim/returns/ship", {"return_sn": return_sn, "tracking_number": "TH123"})
    record = return_record(adapter.detail(return_sn))
    assert (record["state"], record["return_tracking_number"]) == ("item_shipped", "TH123")
    sim_post(sim, "/_sim/returns/refund", {"return_sn": return_sn})
    assert return_record(adapter.detail(return_sn))["state"] == "refunded"


def test_dispute_and_what_shopee_refuses(shop, sim):
    order_sn = _shipped_order(sim)
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": order_sn})["return_sn"]
    adapter = ReturnAdapter(shop)
    with pytest.raises(ShopeeRequestError):   # no reason
        adapter.shop.call("POST", "/api/v2/returns/dispute", body={"return_sn": return_sn, "email": "s@x.th"},
                          family="orders.write")
    adapter.dispute(return_sn, "seller@example.com", "Item used")
    assert return_record(adapter.detail(return_sn))["state"] == "declined"
    with pytest.raises(ShopeeRequestError):   # a 16-day window
        adapter.return_page(0, 16 * 86400, 0)
    unshipped = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    with pytest.raises(requests.HTTPError):   # the control refuses: nothing delivered
        sim_post(sim, "/_sim/returns", {"order_sn": unshipped})
