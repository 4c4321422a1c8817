"""Shopee returns: how a return reads as a marketplace.return, and the client against the simulator (a buyer's
request confirmed or disputed, the list by creation time, what Shopee refuses)."""
import time

import pytest
import requests
from shopee_api.errors import ShopeeRequestError
from shopee_api.returns import (
    ReturnAdapter,
    UnknownReturnStatus,
    buyer_offer,
    dispute_body,
    dispute_reasons,
    evidence_refusal,
    image_list,
    offer_refusal,
    offer_standing,
    return_record,
    return_state,
)

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
        dispute_body("2612R1", "", 2, "Used")
    with pytest.raises(ValueError):
        dispute_body("2612R1", "s@x.th", None, "Used")
    assert dispute_body("2612R1", "s@x.th", "2", "Used") == {
        "return_sn": "2612R1", "email": "s@x.th", "dispute_reason_id": 2, "dispute_text_reason": "Used"}


def test_a_pending_offer_of_the_seller_reads_as_partial_offered():
    offered = dict(DATA, negotiation={"latest_solution": "REFUND", "latest_offer_amount": 40.0,
                                      "latest_offer_creator": "SELLER"})
    assert return_record(offered)["state"] == "partial_offered"
    assert offer_standing(offered, 40) and not offer_standing(offered, 41)
    countered = dict(offered, negotiation=dict(offered["negotiation"], latest_offer_creator="buyer"))
    assert return_record(countered)["state"] == "requested", "the buyer answered: the seller's turn again"
    assert return_record(dict(offered, status="REFUND_PAID"))["state"] == "refunded"


def test_the_buyer_counter_offer_reads_with_its_amount_and_due_date():
    countered = dict(DATA, user={"username": "somchai"}, negotiation={
        "negotiation_status": "PENDING_RESPOND", "latest_solution": "REFUND", "latest_offer_amount": 80.0,
        "latest_offer_creator": "BUYER", "offer_due_date": 1796904000})
    record = return_record(countered)
    assert (record["state"], record["buyer_offer_amount"]) == ("requested", 80.0), "the seller's turn"
    assert record["buyer_offer_due_at"].isoformat() == "2026-12-10T12:00:00"
    by_name = dict(countered, negotiation=dict(countered["negotiation"], latest_offer_creator="Somchai"))
    assert buyer_offer(by_name)[0] == 80.0, "Shopee's sample names the party by its username"
    refused = dict(countered, negotiation=dict(countered["negotiation"], latest_solution="", latest_offer_amount=0))
    seller = dict(countered, negotiation=dict(countered["negotiation"], latest_offer_creator="seller"))
    nobody = dict(countered, negotiation=dict(countered["negotiation"], latest_offer_creator=""), user={})
    for data in (refused, seller, nobody, dict(countered, status="REFUND_PAID"), DATA):
        assert buyer_offer(data) == (0.0, False)
    assert return_record(DATA)["buyer_offer_amount"] == 0.0


@pytest.mark.parametrize(("offer", "amount", "code"), [
    ({"eligibility": True, "refund_amount_adjustable": True, "min_refund_amount": 1, "max_refund_amount": 50},
     50, None),
    ({"eligibility": True, "refund_amount_adjustable": True, "min_refund_amount": 1, "max_refund_amount": 50},
     50.01, "above_maximum"),
    ({"eligibility": True, "refund_amount_adjustable": True, "min_refund_amount": 1, "max_refund_amount": 50},
     0.99, "below_minimum"),
    ({"eligibility": True, "refund_amount_adjustable": False}, 10, "not_adjustable"),
    ({"eligibility": False}, 10, "not_eligible"),
    (None, 10, "not_eligible"),
])
def test_offer_refusal(offer, amount, code):
    assert offer_refusal({"offer_refund": offer}, amount) == code


def test_dispute_reasons_and_their_evidence():
    reasons = dispute_reasons({"dispute_reason_list": [
        {"dispute_reason": "1", "dispute_requirement": "Not received", "evidence_module_list": []},
        {"dispute_reason": 2, "evidence_module_list": [{"module_index": 0, "requirement": "Photos",
                                                        "is_required": True}]},
        {"dispute_reason": 3, "evidence_module_list": [{"module_index": 0, "is_required": True},
                                                       {"module_index": 1, "is_required": True}]}]})
    assert [reason["code"] for reason in reasons] == [1, 2, 3]
    assert [evidence_refusal(reason["evidence"], 0) for reason in reasons] == [
        None, "photos_required", "several_proofs"]
    assert evidence_refusal(reasons[1]["evidence"], 2) is None
    assert image_list(reasons[1]["evidence"], ["u1", "u2"]) == [
        {"module_index": 0, "requirement": "Photos", "image_url": ["u1", "u2"]}]
    assert image_list(reasons[0]["evidence"], ["u1"]) == [], "no module to prove"


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
        adapter.dispute(dispute_body(return_sn, "seller@example.com", 1, "Used"))
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
    reasons = {reason["code"]: reason for reason in adapter.dispute_reasons(return_sn)}
    with pytest.raises(ShopeeRequestError, match="proof required"):   # a reason that needs photos, none given
        adapter.dispute(dispute_body(return_sn, "s@x.th", 2, "Item used"))
    with pytest.raises(ShopeeRequestError, match="convert_image"):   # photos from elsewhere
        adapter.dispute(dispute_body(return_sn, "s@x.th", 2, "Item used",
                                     image_list(reasons[2]["evidence"], ["https://img.example/1.jpg"])))
    with pytest.raises(ShopeeRequestError):   # not a picture
        adapter.convert_image(return_sn, "proof.txt", b"hello", "text/plain")
    url = adapter.convert_image(return_sn, "proof.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")
    adapter.dispute(dispute_body(return_sn, "seller@example.com", 2, "Item used",
                                 image_list(reasons[2]["evidence"], [url])))
    assert return_record(adapter.detail(return_sn))["state"] == "declined"
    with pytest.raises(ShopeeRequestError):   # a 16-day window
        adapter.return_page(0, 16 * 86400, 0)
    with pytest.raises(ShopeeRequestError):   # no time range at all
        adapter.shop.call("GET", "/api/v2/returns/get_return_list", params={"page_no": 0, "page_size": 10},
                          family="orders")
    unshipped = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    with pytest.raises(requests.HTTPError):   # the control refuses: nothing delivered
        sim_post(sim, "/_sim/returns", {"order_sn": unshipped})


def test_partial_refund_offer_within_shopee_bounds(shop, sim):
    order_sn = _shipped_order(sim)
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": order_sn})["return_sn"]
    adapter = ReturnAdapter(shop)
    solutions = adapter.available_solutions(return_sn)
    maximum = solutions["offer_refund"]["max_refund_amount"]
    assert offer_refusal(solutions, maximum + 1) == "above_maximum"
    with pytest.raises(ShopeeRequestError):   # Shopee refuses it too
        adapter.offer(return_sn, maximum + 1)
    adapter.offer(return_sn, 5)
    data = adapter.detail(return_sn)
    assert return_record(data)["state"] == "partial_offered" and offer_standing(data, 5)
    sim_post(sim, "/_sim/returns/offer_answer", {"return_sn": return_sn, "accept": False})
    assert return_record(adapter.detail(return_sn))["state"] == "requested", "refused: answer again"
    adapter.offer(return_sn, 6)
    assert offer_refusal(adapter.available_solutions(return_sn), 1) == "not_eligible", "no counter-offer left"
    sim_post(sim, "/_sim/returns/offer_answer", {"return_sn": return_sn, "accept": True})
    record = return_record(adapter.detail(return_sn))
    assert (record["state"], record["refund_amount"], record["item_comes_back"]) == ("refunded", 6.0, False)


def test_the_seller_accepts_the_buyer_counter_offer_and_what_shopee_refuses(shop, sim):
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": _shipped_order(sim)})["return_sn"]
    adapter = ReturnAdapter(shop)
    with pytest.raises(ShopeeRequestError, match="not the buyer's"):   # no offer at all yet
        adapter.accept_offer(return_sn)
    with pytest.raises(requests.HTTPError):   # the buyer counters an offer of the seller only
        sim_post(sim, "/_sim/returns/counter_offer", {"return_sn": return_sn, "amount": 8})
    adapter.offer(return_sn, 5)
    with pytest.raises(ShopeeRequestError, match="not the buyer's"):   # the latest offer is the seller's own
        adapter.accept_offer(return_sn)
    with pytest.raises(requests.HTTPError):   # above what the buyer paid
        sim_post(sim, "/_sim/returns/counter_offer", {"return_sn": return_sn, "amount": 10 ** 6})
    sim_post(sim, "/_sim/returns/counter_offer", {"return_sn": return_sn, "amount": 8})
    data = adapter.detail(return_sn)
    assert (data["negotiation"]["latest_offer_creator"], buyer_offer(data)[0]) == ("buyer", 8.0)
    assert adapter.accept_offer(return_sn) == {"return_sn": return_sn}
    record = return_record(adapter.detail(return_sn))
    assert (record["state"], record["refund_amount"], record["item_comes_back"], record["buyer_offer_amount"]) == (
        "refunded", 8.0, False, 0.0)
    with pytest.raises(ShopeeRequestError, match="REFUND_PAID"):   # no longer waiting: a second accept
        adapter.accept_offer(return_sn)


def test_the_negotiation_reads_only_shopee_statuses(shop, sim):
    """Every step of a partial refund negotiation answers one of the NegotiationStatus values of Shopee's reference
    (PENDING_RESPOND: the seller's turn, ONGOING: the buyer's, TERMINATED), and the connector reads each step."""
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": _shipped_order(sim)})["return_sn"]
    adapter = ReturnAdapter(shop)

    def status():
        data = adapter.detail(return_sn)
        return data, data["negotiation"]["negotiation_status"]

    assert status()[1] == "PENDING_RESPOND"
    adapter.offer(return_sn, 5)
    data, negotiation_status = status()
    assert negotiation_status == "ONGOING" and offer_standing(data, 5)
    sim_post(sim, "/_sim/returns/offer_answer", {"return_sn": return_sn, "accept": False})
    data, negotiation_status = status()
    assert negotiation_status == "PENDING_RESPOND" and not offer_standing(data, 5)
    assert (return_record(data)["state"], buyer_offer(data)) == ("requested", (0.0, False)), "refused: no offer"
    adapter.offer(return_sn, 6)
    data, negotiation_status = status()
    assert negotiation_status == "ONGOING" and offer_standing(data, 6)
    sim_post(sim, "/_sim/returns/counter_offer", {"return_sn": return_sn, "amount": 8})
    data, negotiation_status = status()
    assert negotiation_status == "PENDING_RESPOND" and buyer_offer(data)[0] == 8.0
    adapter.accept_offer(return_sn)
    data, negotiation_status = status()
    assert negotiation_status == "TERMINATED" and return_record(data)["state"] == "refunded"


def test_the_list_reads_returns_by_their_last_change(shop, sim):
    """A return asked for 20 days ago and answered now is in the last minutes' update window, not before."""
    order_sn = _shipped_order(sim)
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": order_sn, "days_ago": 20})["return_sn"]
    adapter = ReturnAdapter(shop)
    now = int(time.time())
    assert adapter.return_page(now - 600, now + 60, 0) == ([], False)
    adapter.confirm(return_sn)
    returns, _more = adapter.return_page(now - 600, now + 60, 0)
    assert [(data["return_sn"], data["status"]) for data in returns] == [(return_sn, "ACCEPTED")]
