"""Payment disputes: the state, reason and outcome mapping, the mapper, and the adapter against the simulator
(which refuses what eBay refuses)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ebay_api import EbayRequestError, MappingError
from ebay_api.message_signature import requires_signature
from ebay_api.payment_dispute import (
    ACTION_NEEDED,
    CLOSED,
    OPEN,
    PaymentDisputeAdapter,
    check_evidence_file,
    dispute_outcome,
    dispute_reason,
    dispute_state,
    evidence_type_for,
    map_payment_dispute,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
DISPUTE = {
    "paymentDisputeId": "5300000123", "orderId": "12-34567-89012", "reason": "SIGNIFICANTLY_NOT_AS_DESCRIBED",
    "paymentDisputeStatus": "ACTION_NEEDED", "amount": {"value": "25.50", "currency": "USD"},
    "openDate": "2026-12-07T10:00:00.000Z", "respondByDate": "2026-12-14T10:00:00.000Z", "revision": 3,
    "availableChoices": ["ACCEPT", "CONTEST"],
    "evidenceRequests": [{"evidenceId": "R1", "evidenceType": "PROOF_OF_ITEM_AS_DESCRIBED",
                          "lineItems": [{"itemId": "110", "lineItemId": "220"}]}],
    "lineItems": [{"itemId": "110", "lineItemId": "220"}],
}


@pytest.mark.parametrize(("status", "state"), [("OPEN", OPEN), ("ACTION_NEEDED", ACTION_NEEDED),
                                               ("CLOSED", CLOSED)])
def test_state_mapping(status, state):
    assert dispute_state(status) == state


def test_an_unknown_state_is_reported_not_guessed():
    with pytest.raises(MappingError):
        dispute_state("UNDER_REVIEW")


def test_reasons_and_outcomes():
    assert dispute_reason("ITEM_NOT_RECEIVED") == "not_received"
    assert dispute_reason("SIGNIFICANTLY_NOT_AS_DESCRIBED") == "not_as_described"
    assert dispute_reason("A_NEW_REASON") == "other"
    assert [dispute_outcome(code) for code in ("SELLER_WON", "SELLER_LOST", "SELLER_ACCEPT", None)] == [
        "won", "lost", "accepted", None]


def test_map_payment_dispute():
    dispute = map_payment_dispute(DISPUTE)
    assert (dispute.dispute_id, dispute.order_id, dispute.state) == ("5300000123", "12-34567-89012", ACTION_NEEDED)
    assert dispute.reason == "not_as_described" and dispute.ebay_reason == "SIGNIFICANTLY_NOT_AS_DESCRIBED"
    assert dispute.amount == Decimal("25.50") and dispute.currency == "USD" and dispute.revision == 3
    assert dispute.respond_by == datetime(2026, 12, 14, 10, tzinfo=timezone.utc)
    assert dispute.line_items == ({"itemId": "110", "lineItemId": "220"},) and dispute.outcome is None
    assert evidence_type_for(dispute) == "PROOF_OF_ITEM_AS_DESCRIBED"
    closed = map_payment_dispute(dict(DISPUTE, paymentDisputeStatus="CLOSED", resolution={
        "reasonForClosure": "SELLER_LOST", "recoupAmount": {"value": "25.50", "currency": "USD"}}))
    assert closed.outcome == "lost" and closed.recoup_amount == Decimal("25.50")
    with pytest.raises(MappingError):
        map_payment_dispute({"orderId": "1"})


def test_evidence_files_eBay_takes():
    assert check_evidence_file("photo.png", "image/png", 1000) is None
    assert "JPG and PNG" in check_evidence_file("invoice.pdf", "application/pdf", 1000)
    assert "1.5 MB" in check_evidence_file("big.jpg", "image/jpeg", 2_000_000)


def test_dispute_calls_are_not_signed():
    """eBay's signature guide lists Finances, issueRefund and some Post-Order calls, not payment disputes."""
    assert not requires_signature("POST", "/sell/fulfillment/v1/payment_dispute/1/contest")
    assert not requires_signature("GET", "/sell/fulfillment/v1/payment_dispute_summary")


# ---------------------------------------------------------------- against the simulator
@pytest.fixture
def order_id(sim_controls):
    return sim_controls.post("orders", {"count": 1})["orderIds"][0]


@pytest.fixture
def adapter(sim_client):
    return PaymentDisputeAdapter(sim_client)


def _open(sim_controls, order_id, **values):
    return sim_controls.post("payment_disputes", dict({"orderId": order_id}, **values))["paymentDisputeId"]


def test_a_dispute_is_found_then_accepted_and_closed(adapter, sim_controls, order_id):
    dispute_id = _open(sim_controls, order_id, reason="FRAUD", amount="12.00")
    raw, total = adapter.summaries_page(datetime.now(timezone.utc) - timedelta(minutes=5))
    found = [map_payment_dispute(item) for item in raw if item["orderId"] == order_id]
    assert total >= 1 and [dispute.dispute_id for dispute in found] == [dispute_id]
    assert found[0].state == ACTION_NEEDED and found[0].amount == Decimal("12.00") and found[0].respond_by
    assert adapter.summaries_page(order_id=order_id, status="CLOSED")[1] == 0
    dispute = map_payment_dispute(adapter.get(dispute_id))
    with pytest.raises(EbayRequestError) as stale:
        adapter.accept(dispute_id, dispute.revision - 1)
    assert stale.value.status == 409
    adapter.accept(dispute_id, dispute.revision)
    closed = map_payment_dispute(adapter.get(dispute_id))
    assert closed.state == CLOSED and closed.outcome == "accepted" and closed.recoup_amount == Decimal("12.00")
    assert [item["activityType"] for item in adapter.activities(dispute_id)] == [
        "DISPUTE_OPENED", "SELLER_ACCEPT", "DISPUTE_CLOSED"]
    with pytest.raises(EbayRequestError):
        adapter.contest(dispute_id, closed.revision)


def test_contest_needs_the_evidence_eBay_asked_for(adapter, sim_controls, order_id):
    dispute_id = _open(sim_controls, order_id, reason="COUNTERFEIT")
    dispute = map_payment_dispute(adapter.get(dispute_id))
    with pytest.raises(EbayRequestError) as refused:
        adapter.contest(dispute_id, dispute.revision)
    assert refused.value.status == 409 and "No evidence" in refused.value.message
    with pytest.raises(EbayRequestError):
        adapter.upload_evidence_file(dispute_id, "invoice.pdf", b"%PDF-1.4", "application/pdf")
    file_id = adapter.upload_evidence_file(dispute_id, "certificate.png", PNG, "image/png")
    evidence_id = adapter.add_evidence(dispute_id, evidence_type_for(dispute), [file_id], dispute.line_items)
    second = adapter.upload_evidence_file(dispute_id, "label.png", PNG, "image/png")
    adapter.update_evidence(dispute_id, evidence_id, "PROOF_OF_AUTHENTICITY", [second], dispute.line_items)
    assert adapter.fetch_evidence_content(dispute_id, evidence_id, second) == PNG
    now = map_payment_dispute(adapter.get(dispute_id))
    assert set(now.evidence_file_ids) == {file_id, second} and now.revision > dispute.revision
    adapter.contest(dispute_id, now.revision, note="Authentic, see the certificate.")
    contested = map_payment_dispute(adapter.get(dispute_id))
    assert contested.state == OPEN and contested.seller_response == "CONTEST" and not contested.respond_by
    with pytest.raises(EbayRequestError):   # no evidence once contested
        adapter.upload_evidence_file(dispute_id, "late.png", PNG, "image/png")
    sim_controls.post(f"payment_disputes/{dispute_id}/close", {"outcome": "SELLER_WON"})
    assert map_payment_dispute(adapter.get(dispute_id)).outcome == "won"


def test_no_answer_after_the_respond_by_date(adapter, sim_controls, order_id):
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    dispute_id = _open(sim_controls, order_id, reason="FRAUD", respondByDate=past)
    with pytest.raises(EbayRequestError) as late:
        adapter.accept(dispute_id, map_payment_dispute(adapter.get(dispute_id)).revision)
    assert late.value.status == 409


def test_a_not_as_described_dispute_is_contested_with_a_return_address(adapter, sim_controls, order_id):
    dispute_id = _open(sim_controls, order_id, reason="SIGNIFICANTLY_NOT_AS_DESCRIBED")
    dispute = map_payment_dispute(adapter.get(dispute_id))
    adapter.add_evidence(dispute_id, "PROOF_OF_ITEM_AS_DESCRIBED",
                         [adapter.upload_evidence_file(dispute_id, "photo.png", PNG, "image/png")],
                         dispute.line_items)
    revision = map_payment_dispute(adapter.get(dispute_id)).revision
    with pytest.raises(EbayRequestError) as refused:
        adapter.contest(dispute_id, revision)
    assert refused.value.status == 400
    adapter.contest(dispute_id, revision, return_address={"fullName": "Shop", "addressLine1": "1 Main St",
                                                          "city": "San Jose", "postalCode": "95125",
                                                          "country": "US"})
    assert map_payment_dispute(adapter.get(dispute_id)).state == OPEN
