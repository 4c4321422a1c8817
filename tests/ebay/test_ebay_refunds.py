"""eBay refunds: issue_refund's body (held to fulfillment.yml's IssueRefundRequest), getOrder's refunds read back
as refunds with ids, Finances REFUND transactions naming the same id, and the simulator refusing what eBay
refuses (over-refund, bad reason, unsigned EU call)."""
from decimal import Decimal

import pytest

from ebay_api import EbayClient
from ebay_api.errors import EbayRequestError
from ebay_api.finances import FinancesAdapter, KeyManagementAdapter
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.mappers import map_money_transaction
from ebay_api.message_signature import MessageSigner
from ebay_api.refunds import issue_refund_body, order_refunds, unbooked_refund
from marketplace_core.refunds import Refund


def test_the_body_is_eBay_s_issue_refund_request():
    assert issue_refund_body(Refund(Decimal("5.5")), "USD", "OTHER_ADJUSTMENT", "sorry") == {
        "reasonForRefund": "OTHER_ADJUSTMENT", "comment": "sorry",
        "orderLevelRefundAmount": {"value": "5.50", "currency": "USD"}}
    assert issue_refund_body(Refund.of_lines([("L1", "12.50")]), "EUR", "BUYER_RETURN") == {
        "reasonForRefund": "BUYER_RETURN",
        "refundItems": [{"lineItemId": "L1", "refundAmount": {"value": "12.50", "currency": "EUR"}}]}
    with pytest.raises(ValueError, match="reasonForRefund"):
        issue_refund_body(Refund(Decimal(1)), "USD", "BECAUSE")
    with pytest.raises(ValueError, match="100 characters"):
        issue_refund_body(Refund(Decimal(1)), "USD", "OTHER_ADJUSTMENT", "x" * 101)


def test_getorder_refunds_at_the_order_s_level_and_per_line_each_with_its_id():
    raw = {"paymentSummary": {"refunds": [
        {"refundId": "R1", "amount": {"value": "5.00", "currency": "USD"}, "refundStatus": "REFUNDED"},
        {"refundReferenceId": "HUB-2", "amount": {"value": "1.00", "currency": "USD"}, "refundStatus": "PENDING"},
        {"refundId": "R3", "amount": {"value": "9.00", "currency": "USD"}, "refundStatus": "FAILED"}]},
        "lineItems": [{"lineItemId": "L1", "refunds": [{"refundId": "R4", "amount": {"value": "2.00"}}]},
                      {"lineItemId": "L2", "refunds": [{"refundId": "R4", "amount": {"value": "3.00"}}]}]}
    assert order_refunds(raw) == (Refund(Decimal("5.00"), ref="R1"), Refund(Decimal("1.00"), ref="HUB-2"),
                                  Refund(Decimal("5.00"), (("L1", Decimal("2.00")), ("L2", Decimal("3.00"))), "R4"))
    assert unbooked_refund(raw, {"R1"}, "1.00") == "HUB-2"
    assert unbooked_refund(raw, {"R1", "HUB-2"}, "1.00") is None


def test_a_finances_refund_names_its_refund_id():
    raw = {"transactionId": "T9", "transactionType": "REFUND", "bookingEntry": "DEBIT",
           "amount": {"value": "5.00", "currency": "USD"},
           "references": [{"referenceId": "O1", "referenceType": "ORDER_ID"},
                          {"referenceId": "R1", "referenceType": "REFUND_ID"}]}
    assert map_money_transaction(raw).refund_ref == "R1"
    assert map_money_transaction(dict(raw, references=[])).refund_ref == "T9"
    assert map_money_transaction(dict(raw, transactionType="SALE", bookingEntry="CREDIT")).refund_ref is None


@pytest.fixture
def order_id(sim_controls):
    return sim_controls.post("orders", {"count": 1})["orderIds"][0]


def test_an_issued_refund_shows_on_getorder_and_in_finances_and_over_refunds_are_refused(sim_client, order_id):
    fulfillment = FulfillmentAdapter(sim_client)
    order = fulfillment.get_order(order_id)
    total = Decimal(order["pricingSummary"]["total"]["value"])
    currency = order["pricingSummary"]["total"]["currency"]
    answer = fulfillment.issue_refund(order_id, issue_refund_body(Refund(Decimal("1.25")), currency,
                                                                  "OTHER_ADJUSTMENT"))
    assert answer["refundStatus"] == "PENDING" and answer["refundId"]
    order = fulfillment.get_order(order_id)
    assert order_refunds(order) == (Refund(Decimal("1.25"), ref=answer["refundId"]),)
    assert order["orderPaymentStatus"] == "PARTIALLY_REFUNDED"
    refunds = [map_money_transaction(raw) for page in FinancesAdapter(sim_client).iter_transaction_pages()
               for raw in page.items if raw["transactionType"] == "REFUND"]
    assert [(t.refund_ref, t.amount, t.order_ref) for t in refunds] == [(answer["refundId"], Decimal("1.25"),
                                                                         order_id)]

    for body, status, error_id in [
            (issue_refund_body(Refund(total - Decimal("1.24")), currency, "OTHER_ADJUSTMENT"), 400, 34915),
            ({"reasonForRefund": "BECAUSE", "orderLevelRefundAmount": {"value": "1.00", "currency": currency}},
             400, 34903),
            ({"reasonForRefund": "OTHER_ADJUSTMENT", "orderLevelRefundAmount": {"value": "1.001",
                                                                                "currency": currency}}, 400, 34907),
            ({"reasonForRefund": "OTHER_ADJUSTMENT"}, 400, 34905),
            ({"reasonForRefund": "OTHER_ADJUSTMENT", "refundItems": [
                {"lineItemId": "nope", "refundAmount": {"value": "1.00", "currency": currency}}]}, 400, 34914)]:
        with pytest.raises(EbayRequestError) as refused:
            fulfillment.issue_refund(order_id, body)
        assert (refused.value.status, refused.value.errors[0]["errorId"]) == (status, error_id)
    rest = issue_refund_body(Refund(total - Decimal("1.25")), currency, "BUYER_CANCEL")
    fulfillment.issue_refund(order_id, rest)
    assert fulfillment.get_order(order_id)["orderPaymentStatus"] == "FULLY_REFUNDED"
    with pytest.raises(EbayRequestError) as refused:
        fulfillment.issue_refund(order_id, issue_refund_body(Refund(Decimal("0.01")), currency, "BUYER_CANCEL"))
    assert refused.value.errors[0]["errorId"] == 34917


def test_a_line_refund_and_a_seller_hub_refund(sim_client, sim_controls, order_id):
    fulfillment = FulfillmentAdapter(sim_client)
    line = fulfillment.get_order(order_id)["lineItems"][0]
    answer = fulfillment.issue_refund(order_id, issue_refund_body(
        Refund.of_lines([(line["lineItemId"], "2.00")]), line["total"]["currency"], "ITEM_NOT_AS_DESCRIBED"))
    with pytest.raises(EbayRequestError) as refused:
        fulfillment.issue_refund(order_id, issue_refund_body(
            Refund.of_lines([(line["lineItemId"], line["total"]["value"])]), line["total"]["currency"],
            "ITEM_NOT_AS_DESCRIBED"))
    assert (refused.value.status, refused.value.errors[0]["errorId"]) == (409, 34924)
    hub = sim_controls.post(f"orders/{order_id}/refund", {"amount": "0.50"})["refundId"]
    assert order_refunds(fulfillment.get_order(order_id)) == (
        Refund(Decimal("0.50"), ref=hub), Refund(Decimal("2.00"), ((line["lineItemId"], Decimal("2.00")),),
                                                 answer["refundId"]))


def test_an_eu_seller_s_refund_is_refused_unsigned_and_made_signed(sim_client, sim_config, connected_store,
                                                                  sim_controls, order_id):
    sim_controls.post("seller", {"domicile": "DE"})
    currency = FulfillmentAdapter(sim_client).get_order(order_id)["pricingSummary"]["total"]["currency"]
    body = issue_refund_body(Refund(Decimal("1.00")), currency, "OTHER_ADJUSTMENT")
    with pytest.raises(EbayRequestError) as refused:
        FulfillmentAdapter(sim_client).issue_refund(order_id, body)
    assert refused.value.errors[0]["errorId"] == 215120
    key = KeyManagementAdapter(sim_client).create_signing_key()
    signed = EbayClient(sim_config, connected_store, signer=MessageSigner(key["privateKey"], key["jwe"]))
    assert FulfillmentAdapter(signed).issue_refund(order_id, body)["refundStatus"] == "PENDING"
