"""eBay payment disputes -> marketplace.dispute values: a summary never clears what only the detail says."""
from datetime import datetime

from ebay_api.payment_dispute import map_payment_dispute
from sync_core.disputes import DETAIL_KEYS, dispute_values

DETAIL = {
    "paymentDisputeId": "53001", "orderId": "12-3", "reason": "SIGNIFICANTLY_NOT_AS_DESCRIBED",
    "paymentDisputeStatus": "CLOSED", "amount": {"value": "25.50", "currency": "EUR"},
    "openDate": "2026-12-01T10:00:00.000Z", "closedDate": "2026-12-06T09:30:00.000Z", "revision": 4,
    "evidenceRequests": [{"evidenceType": "PROOF_OF_ITEM_AS_DESCRIBED"}],
    "resolution": {"reasonForClosure": "SELLER_LOST", "recoupAmount": {"value": "20.00", "currency": "EUR"}},
}


def test_detail_values_carry_the_outcome_and_the_amount_lost():
    values = dispute_values(map_payment_dispute(DETAIL))
    assert values["external_dispute_id"] == "53001" and values["external_order_id"] == "12-3"
    assert (values["reason"], values["external_reason"]) == ("not_as_described", "SIGNIFICANTLY_NOT_AS_DESCRIBED")
    assert (values["state"], values["external_state"], values["currency"]) == ("closed", "CLOSED", "EUR")
    assert values["closed_at"] == datetime(2026, 12, 6, 9, 30) and values["response_due_at"] is False
    assert (values["outcome"], values["lost_amount"], values["amount"]) == ("lost", 20.0, 25.5)
    assert values["evidence_requested"] == "PROOF_OF_ITEM_AS_DESCRIBED"


def test_a_won_dispute_loses_nothing_and_an_accepted_one_without_recoup_loses_its_amount():
    won = dict(DETAIL, resolution={"reasonForClosure": "SELLER_WON"})
    assert dispute_values(map_payment_dispute(won))["lost_amount"] == 0.0
    accepted = dict(DETAIL, resolution={"reasonForClosure": "SELLER_ACCEPT"})
    assert dispute_values(map_payment_dispute(accepted))["lost_amount"] == 25.5


def test_summary_values_leave_the_detail_fields_out():
    summary = {key: DETAIL[key] for key in ("paymentDisputeId", "orderId", "reason", "paymentDisputeStatus",
                                            "amount", "openDate", "closedDate")}
    values = dispute_values(map_payment_dispute(summary), detail=False)
    assert not set(DETAIL_KEYS) & set(values)
    assert values["state"] == "closed"
