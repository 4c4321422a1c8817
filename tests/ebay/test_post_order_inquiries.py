"""Post-Order inquiries and cases: the state mapping, the mappers, and the adapters against the simulator."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from ebay_api import EbayRequestError, MappingError
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.post_order_inquiries import (
    CASE,
    CLOSED,
    ESCALATED,
    INQUIRY,
    UNDER_REVIEW,
    WAITING_BUYER,
    WAITING_SELLER,
    CaseAdapter,
    InquiryAdapter,
    case_state,
    inquiry_state,
    map_case,
    map_inquiry,
)

SUMMARY = {
    "inquiryId": 5300000123, "inquiryStatusEnum": "OPEN", "itemId": 110011, "transactionId": 2700001,
    "buyer": "buyer_1", "seller": "seller_1", "claimAmount": {"value": 19.99, "currency": "USD"},
    "creationDate": {"value": "2026-12-07T10:00:00.000Z"}, "respondByDate": {"value": "2026-12-10T10:00:00.000Z"},
}


@pytest.mark.parametrize(("status", "expected"), [
    ("OPEN", WAITING_SELLER), ("WAITING_SELLER_RESPONSE", WAITING_SELLER), ("WAITING_BUYER_RESPONSE", WAITING_BUYER),
    ("PENDING", UNDER_REVIEW), ("OTHER", UNDER_REVIEW), ("CLOSED_WITH_ESCALATION", ESCALATED),
    ("CLOSED", CLOSED), ("CS_CLOSED", CLOSED),
])
def test_inquiry_state_mapping(status, expected):
    assert inquiry_state(status) == expected


@pytest.mark.parametrize(("status", "expected"), [
    ("OPEN", WAITING_SELLER), ("REFUND_AGREED_BUT_FAILED", WAITING_SELLER), ("WAITING_DELIVERY", WAITING_BUYER),
    ("WAITING_CS", UNDER_REVIEW), ("ON_HOLD", UNDER_REVIEW), ("OTHER", UNDER_REVIEW), ("CLOSED", CLOSED),
    ("CS_CLOSED", CLOSED),
])
def test_case_state_mapping(status, expected):
    assert case_state(status) == expected


def test_an_unknown_status_is_reported_not_guessed():
    with pytest.raises(MappingError):
        inquiry_state("ESCALATED_TO_MARS")
    with pytest.raises(MappingError):
        case_state(None)


def test_map_inquiry_summary_and_detail():
    record = map_inquiry(SUMMARY)
    assert (record.kind, record.case_id, record.state) == (INQUIRY, "5300000123", WAITING_SELLER)
    assert (record.item_id, record.transaction_id, record.buyer) == ("110011", "2700001", "buyer_1")
    assert (record.claim_amount, record.currency) == (Decimal("19.99"), "USD")
    assert record.respond_by == datetime(2026, 12, 10, 10, tzinfo=timezone.utc)
    assert record.order_id is None, "eBay's summaries name no order"
    detail = map_inquiry({"inquiryId": "5300000123", "status": "WAITING_BUYER_RESPONSE",
                          "sellerMakeItRightByDate": {"value": "2026-12-11T10:00:00.000Z"},
                          "inquiryDetails": {"creationDate": {"value": "2026-12-07T10:00:00.000Z"}}})
    assert detail.state == WAITING_BUYER and detail.requested_at and detail.respond_by.day == 11
    with pytest.raises(MappingError):
        map_inquiry({"inquiryStatusEnum": "OPEN"})


def test_map_case_with_its_detail():
    record = map_case({"caseId": 5400000001, "caseStatusEnum": "OPEN", "itemId": "110011", "transactionId": "T1",
                       "caseType": "RETURN", "buyerProtectedProgramLink": "https://example.test/case/1",
                       "caseDetails": {"creationDate": {"value": "2026-12-07T10:00:00.000Z"}}})
    assert (record.kind, record.case_id, record.state, record.case_type) == (CASE, "5400000001", WAITING_SELLER,
                                                                             "return")
    assert record.url == "https://example.test/case/1" and record.requested_at


# ---------------------------------------------------------------- against the simulator
@pytest.fixture
def shipped_order(sim_controls, sim_client):
    order_id = sim_controls.post("orders", {"count": 1})["orderIds"][0]
    fulfillment = FulfillmentAdapter(sim_client)
    lines = [(line["lineItemId"], line["quantity"]) for line in fulfillment.get_order(order_id)["lineItems"]]
    fulfillment.create_shipping_fulfillment(order_id, lines, "USPS", "9400100000000000000001")
    return order_id


def _since():
    return datetime.now(timezone.utc) - timedelta(minutes=5)


def test_inquiry_found_answered_with_tracking_then_refunded(sim_client, sim_controls, shipped_order):
    adapter = InquiryAdapter(sim_client)
    created = sim_controls.post("inquiries", {"orderId": shipped_order})
    raw, pages, total = adapter.search_page(_since())
    found = [map_inquiry(item) for item in raw if str(item["inquiryId"]) == created["inquiryId"]]
    assert pages == 1 and total == len(raw) and len(found) == 1
    assert found[0].state == WAITING_SELLER and found[0].respond_by and found[0].buyer
    assert "orderId" not in raw[0], "InquirySummaryType names no order"
    adapter.provide_shipment_info(created["inquiryId"], "USPS", "9400 1000-0000", datetime.now(timezone.utc))
    assert map_inquiry(adapter.get(created["inquiryId"])).state == WAITING_BUYER
    with pytest.raises(EbayRequestError):      # the buyer's turn now
        adapter.issue_refund(created["inquiryId"])
    sim_controls.post("inquiries/%s/reply" % created["inquiryId"])
    adapter.issue_refund(created["inquiryId"], comments="Sorry")
    assert map_inquiry(adapter.get(created["inquiryId"])).state == CLOSED
    order = FulfillmentAdapter(sim_client).get_order(shipped_order)
    assert order["paymentSummary"]["refunds"], "eBay's refund shows on the order"


def test_the_simulator_refuses_what_ebay_refuses(sim, sim_client, sim_controls, shipped_order):
    token = sim_client.token_store.load().access_token
    inquiry_id = sim_controls.post("inquiries", {"orderId": shipped_order})["inquiryId"]
    url = sim.base_url + "/post-order/v2/inquiry/" + inquiry_id
    iaf = {"Authorization": "IAF " + token}
    no_date = requests.post(url + "/provide_shipment_info", headers=iaf, timeout=10,
                            json={"shippingCarrierName": "USPS", "trackingNumber": "1Z"})
    assert no_date.status_code == 400, "the shipping date is required without proofOfShipmentUploaded"
    hyphens = requests.post(url + "/provide_shipment_info", headers=iaf, timeout=10,
                            json={"shippingCarrierName": "USPS", "trackingNumber": "1Z-9",
                                  "shippingDate": {"value": "2026-12-01T00:00:00.000Z"}})
    assert hyphens.status_code == 400, "a tracking number goes without hyphens or spaces"
    escalate = requests.post(url + "/escalate", headers=iaf, timeout=10, json={"escalateInquiryReason": "OTHER"})
    assert escalate.status_code == 400, "escalating is the buyer's"
    unshipped = sim_controls.post("orders", {"count": 1})["orderIds"][0]
    answer = requests.post(sim.base_url + "/_sim/inquiries", json={"orderId": unshipped}, timeout=10)
    assert answer.status_code == 400, "an item not shipped is not an item not received"


def test_cases_of_an_escalated_inquiry_and_return(sim_client, sim_controls, shipped_order):
    inquiry_id = sim_controls.post("inquiries", {"orderId": shipped_order})["inquiryId"]
    inr_case = sim_controls.post("inquiries/%s/escalate" % inquiry_id)
    return_id = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    return_case = sim_controls.post("cases", {"returnId": return_id})
    assert map_inquiry(InquiryAdapter(sim_client).get(inquiry_id)).state == ESCALATED
    adapter = CaseAdapter(sim_client)
    raw, _pages, _total = adapter.search_page(_since())
    ids = {str(item["caseId"]) for item in raw}
    assert {inr_case["caseId"], return_case["caseId"]} <= ids
    detail = map_case(adapter.get(return_case["caseId"]))
    assert (detail.state, detail.case_type) == (WAITING_SELLER, "return") and detail.url
    sim_controls.post("cases/%s/status" % return_case["caseId"], {"status": "CLOSED"})
    assert map_case(adapter.get(return_case["caseId"])).state == CLOSED
