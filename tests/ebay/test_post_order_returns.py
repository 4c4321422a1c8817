"""Post-Order returns: the state mapping, the mapper, and the adapter against the simulator."""
import base64
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from ebay_api import EbayRequestError, MappingError
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.post_order_returns import (
    APPROVED,
    CLOSED,
    DECLINED,
    ITEM_RECEIVED,
    ITEM_SHIPPED,
    PARTIAL_OFFERED,
    REFUNDED,
    REQUESTED,
    ReturnAdapter,
    decision,
    issue_refund_request,
    map_return,
    return_files,
    return_state,
)

SUMMARY = {
    "returnId": "5200000123", "orderId": "12-34567-89012", "state": "RETURN_REQUESTED",
    "status": "RETURN_REQUESTED",
    "creationInfo": {"item": {"itemId": "110011", "transactionId": "T1", "returnQuantity": 2},
                     "reason": "DEFECTIVE_ITEM", "comments": {"content": "Broken"},
                     "creationDate": {"value": "2026-12-07T10:00:00.000Z"}},
    "sellerResponseDue": {"activityDue": "SELLER_APPROVE_REQUEST",
                          "respondByDate": {"value": "2026-12-10T10:00:00.000Z"}},
    "sellerTotalRefund": {"estimatedRefundAmount": {"value": "19.99", "currency": "USD"}},
}


@pytest.mark.parametrize(("status", "state", "refunded", "expected"), [
    ("RETURN_REQUESTED", "RETURN_REQUESTED", None, REQUESTED),
    ("PARTIAL_REFUND_REQUESTED", "PARTIAL_REFUND_REQUESTED", None, PARTIAL_OFFERED),
    ("PARTIAL_REFUND_DECLINED", "PARTIAL_REFUND_DECLINED", None, REQUESTED),
    ("READY_FOR_SHIPPING", "ITEM_READY_TO_SHIP", None, APPROVED),
    ("WAITING_FOR_RMA", "INITIAL", None, APPROVED),
    ("ITEM_SHIPPED", "ITEM_SHIPPED", None, ITEM_SHIPPED),
    ("ITEM_DELIVERED", "ITEM_DELIVERED", None, ITEM_RECEIVED),
    ("RETURN_REJECTED", "RETURN_REJECTED", None, DECLINED),
    ("CLOSED", "CLOSED", Decimal("19.99"), REFUNDED),
    ("CLOSED", "CLOSED", None, CLOSED),
    ("ESCALATED", "CLOSED", Decimal("5"), CLOSED),
    (None, "REFUND_INITIATED", None, REFUNDED),
    (None, "ITEM_READY_TO_SHIP", None, APPROVED),
])
def test_state_mapping(status, state, refunded, expected):
    assert return_state(status, state, refunded) == expected


def test_an_unknown_state_is_reported_not_guessed():
    with pytest.raises(MappingError):
        return_state("REPLACEMENT_SHIPPED", "REPLACEMENT_STARTED")


def test_map_return():
    detail = {"RMANumber": "RMA-1", "returnShipmentInfo": {"shipmentTracking": {"trackingNumber": "1Z",
                                                                                "carrierName": "UPS"}}}
    record = map_return(SUMMARY, detail)
    assert (record.return_id, record.order_id, record.state) == ("5200000123", "12-34567-89012", REQUESTED)
    assert record.items[0].item_id == "110011" and record.items[0].quantity == 2
    assert record.reason == "DEFECTIVE_ITEM" and record.comments == "Broken"
    assert record.respond_by == datetime(2026, 12, 10, 10, tzinfo=timezone.utc)
    assert (record.refund_amount, record.currency) == (Decimal("19.99"), "USD")
    assert (record.rma_number, record.tracking_number, record.carrier) == ("RMA-1", "1Z", "UPS")
    with pytest.raises(MappingError):
        map_return({"orderId": "1"})


def test_decisions():
    assert decision("approve") == "APPROVE" and decision("partial_refund") == "OFFER_PARTIAL_REFUND"
    with pytest.raises(ValueError):
        decision("accept_partial_refund")


# ---------------------------------------------------------------- against the simulator
@pytest.fixture
def shipped_order(sim_controls, sim_client):
    """An order of the simulator whose items were shipped (a shipping fulfillment)."""
    order_id = sim_controls.post("orders", {"count": 1})["orderIds"][0]
    fulfillment = FulfillmentAdapter(sim_client)
    lines = [(line["lineItemId"], line["quantity"])
             for line in fulfillment.get_order(order_id)["lineItems"]]
    fulfillment.create_shipping_fulfillment(order_id, lines, "USPS", "9400100000000000000001")
    return order_id


@pytest.fixture
def adapter(sim_client):
    return ReturnAdapter(sim_client)


def _since():
    return datetime.now(timezone.utc) - timedelta(minutes=5)


def _read(adapter, return_id):
    return map_return(*adapter.get(return_id))


def test_request_found_approved_shipped_received_refunded(adapter, sim_controls, shipped_order):
    requested = sim_controls.post("returns", {"orderId": shipped_order, "comments": "Too small"})
    raw, pages, total = adapter.search_page(_since())
    found = [map_return(item) for item in raw if item["orderId"] == shipped_order]
    assert pages == 1 and total == len(raw) and len(found) == 1
    assert found[0].return_id == requested["returnId"] and found[0].state == REQUESTED and found[0].respond_by
    assert adapter.search_page(order_id=shipped_order)[0][0]["returnId"] == requested["returnId"]
    return_id = requested["returnId"]
    adapter.decide(return_id, "approve", rma_number="RMA-42")
    record = _read(adapter, return_id)
    assert (record.state, record.rma_number) == (APPROVED, "RMA-42")
    with pytest.raises(EbayRequestError):     # answered already
        adapter.decide(return_id, "decline", comments="no")
    sim_controls.post("returns/%s/ship" % return_id, {"trackingNumber": "1Z999", "carrier": "UPS"})
    assert _read(adapter, return_id).tracking_number == "1Z999"
    adapter.mark_as_received(return_id, comments="Arrived")
    assert _read(adapter, return_id).state == ITEM_RECEIVED
    with pytest.raises(EbayRequestError):     # received once
        adapter.mark_as_received(return_id)
    sim_controls.post("returns/%s/refund" % return_id, {})
    assert _read(adapter, return_id).state == REFUNDED


def test_decline_and_partial_refund(adapter, sim_controls, shipped_order):
    declined = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    adapter.decide(declined, "decline", comments="Used")
    assert _read(adapter, declined).state == DECLINED
    offered = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    with pytest.raises(EbayRequestError):     # more than the buyer paid
        adapter.decide(offered, "partial_refund", amount=Decimal("100000"), currency="USD")
    adapter.decide(offered, "partial_refund", amount=Decimal("2.50"), currency="USD")
    assert _read(adapter, offered).state == PARTIAL_OFFERED


def test_the_simulator_refuses_what_ebay_refuses(sim, sim_client, sim_controls, shipped_order):
    token = sim_client.token_store.load().access_token
    return_id = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    url = sim.base_url + "/post-order/v2/return/" + return_id
    iaf = {"Authorization": "IAF " + token}
    bearer = requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=10)
    assert bearer.status_code == 401, "the Post-Order API takes IAF tokens"
    buyer_decision = requests.post(url + "/decide", json={"decision": "ACCEPT_PARTIAL_REFUND"}, headers=iaf,
                                   timeout=10)
    assert buyer_decision.status_code == 400, "a seller cannot make the buyer's decision"
    no_amount = requests.post(url + "/decide", json={"decision": "OFFER_PARTIAL_REFUND"}, headers=iaf, timeout=10)
    assert no_amount.status_code == 400, "a partial refund needs its amount"
    not_shipped = requests.post(url + "/mark_as_received", json={}, headers=iaf, timeout=10)
    assert not_shipped.status_code == 400, "nothing to receive before the return is approved"
    unshipped = sim_controls.post("orders", {"count": 1})["orderIds"][0]
    answer = requests.post(sim.base_url + "/_sim/returns", json={"orderId": unshipped}, timeout=10)
    assert answer.status_code == 400, "a buyer returns what was shipped"


PHOTO = base64.b64encode(b"\xff\xd8\xff a photo").decode()


def test_return_files():
    files = return_files([
        {"fileId": "1", "fileName": "front.jpg", "fileData": PHOTO, "fileFormat": "JPEG"},
        {"fileId": "2", "fileData": PHOTO, "fileFormat": "PNG"},
        {"fileId": "3", "fileData": "not base64!", "fileFormat": "JPEG"},
        {"fileId": "4", "fileFormat": "JPEG"},
        {"fileId": "5", "fileData": PHOTO, "fileFormat": "TIFF"},
    ])
    assert [(file["name"], file["mimetype"]) for file in files] == [
        ("front.jpg", "image/jpeg"), ("2.png", "image/png"), ("5.tiff", "application/octet-stream")]
    assert files[0]["raw"] == b"\xff\xd8\xff a photo"


def test_the_buyer_photos_of_a_return(adapter, sim_controls, shipped_order):
    return_id = sim_controls.post("returns", {"orderId": shipped_order, "photos": [
        {"fileName": "front.jpg", "data": PHOTO}]})["returnId"]
    files = adapter.files(return_id)
    assert [(file["fileName"], file["filePurpose"], file["fileData"]) for file in files] == [
        ("front.jpg", "ITEM_RELATED", PHOTO)]
    assert adapter.files(sim_controls.post("returns", {"orderId": shipped_order})["returnId"]) == []


def test_the_seller_label_uploaded_submitted_and_given(adapter, sim, sim_client, sim_controls, shipped_order):
    return_id = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    pdf = b"%PDF-1.4 a return label"
    with pytest.raises(EbayRequestError):   # not approved yet
        adapter.send_label(return_id, "label.pdf", pdf, "UPS", "1ZRET")
    adapter.decide(return_id, "approve")
    with pytest.raises(EbayRequestError):   # not an image nor a PDF
        adapter.send_label(return_id, "label.txt", b"hello", "UPS", "1ZRET")
    adapter.send_label(return_id, "label.pdf", pdf, "UPS", "1ZRET")
    label = adapter.get(return_id)[1]["returnShipmentInfo"]["shippingLabel"]
    assert (label["labelAction"], label["carrierName"], label["labelId"]) == ("UPLOAD_LABEL", "UPS", "1ZRET")
    assert [(file["fileName"], file["filePurpose"], file["fileStatus"]) for file in adapter.files(return_id)
            if file["fileId"] == label["fileId"]] == [("label.pdf", "LABEL_RELATED", "PUBLISHED")]
    token = sim_client.token_store.load().access_token
    unsubmitted = requests.post(f"{sim.base_url}/post-order/v2/return/{return_id}/add_shipping_label",
                                json={"labelAction": "UPLOAD_LABEL", "fileId": "nope"},
                                headers={"Authorization": "IAF " + token}, timeout=10)
    assert unsubmitted.status_code == 400, "UPLOAD_LABEL needs a submitted label file"


def test_issue_refund_request():
    body = issue_refund_request(Decimal("12.345"), "USD", comments="Thanks")
    assert body == {"refundDetail": {"itemizedRefundDetail": [{"refundAmount": {"value": 12.34, "currency": "USD"},
                                                               "refundFeeType": "PURCHASE_PRICE"}],
                                     "totalAmount": {"value": 12.34, "currency": "USD"}},
                    "comments": {"content": "Thanks"}}
    assert issue_refund_request(Decimal("1500"), "JPY", decimals=0)["refundDetail"]["totalAmount"]["value"] == 1500
    with pytest.raises(ValueError):
        issue_refund_request(Decimal("0"), "USD")


def test_a_return_is_refunded_once_its_item_is_received(adapter, sim_client, sim_controls, shipped_order):
    return_id = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    estimated = _read(adapter, return_id).refund_amount
    with pytest.raises(EbayRequestError):     # not approved, not received
        adapter.issue_refund(return_id, estimated, "USD")
    adapter.decide(return_id, "approve")
    sim_controls.post("returns/%s/ship" % return_id, {"trackingNumber": "1Z998"})
    with pytest.raises(EbayRequestError):     # on its way back: eBay waits for the item
        adapter.issue_refund(return_id, estimated, "USD")
    adapter.mark_as_received(return_id)
    with pytest.raises(EbayRequestError):     # more than the return's refund
        adapter.issue_refund(return_id, estimated + Decimal("0.01"), "USD")
    with pytest.raises(EbayRequestError):     # in another currency
        adapter.issue_refund(return_id, estimated, "EUR")
    assert adapter.issue_refund(return_id, estimated, "USD", comments="Refunded") == "SUCCESS"
    record = _read(adapter, return_id)
    assert (record.state, record.refund_amount) == (REFUNDED, estimated)
    with pytest.raises(EbayRequestError):     # refunded once
        adapter.issue_refund(return_id, estimated, "USD")
    refunds = FulfillmentAdapter(sim_client).get_order(shipped_order)["paymentSummary"]["refunds"]
    assert [Decimal(refund["amount"]["value"]) for refund in refunds] == [estimated], "shown on the order once"


def test_the_simulator_refuses_an_itemized_refund_not_adding_up(sim, sim_client, sim_controls, shipped_order):
    adapter = ReturnAdapter(sim_client)
    return_id = sim_controls.post("returns", {"orderId": shipped_order})["returnId"]
    adapter.decide(return_id, "approve")
    adapter.mark_as_received(return_id)
    body = issue_refund_request(Decimal("1.00"), "USD")
    body["refundDetail"]["totalAmount"]["value"] = 2.0
    answer = requests.post(sim.base_url + "/post-order/v2/return/%s/issue_refund" % return_id, json=body,
                           headers={"Authorization": "IAF " + sim_client.token_store.load().access_token},
                           timeout=10)
    assert answer.status_code == 400, answer.text
