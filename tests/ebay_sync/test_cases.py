"""eBay inquiries and cases -> marketplace.case values: the key holds the kind, dates are naive UTC, and what a
read leaves out is not written."""
from dataclasses import replace
from datetime import datetime, timedelta

from ebay_api.post_order_inquiries import map_case, map_inquiry
from sync_core.cases import UNMATCHED_WAIT, case_key, case_values, unmatched_waiting_since

SUMMARY = {"inquiryId": "5300000001", "inquiryStatusEnum": "WAITING_SELLER_RESPONSE", "itemId": "110011",
           "transactionId": "T9", "buyer": "b1", "claimAmount": {"value": "9.90", "currency": "USD"},
           "creationDate": {"value": "2026-12-07T13:00:00.000+01:00"},
           "respondByDate": {"value": "2026-12-10T13:00:00.000+01:00"}}


def test_values_of_an_inquiry():
    values = case_values(replace(map_inquiry(SUMMARY), order_id="12-3"))
    assert values["external_key"] == "inquiry:5300000001" == case_key("inquiry", "5300000001")
    assert (values["external_order_id"], values["kind"], values["state"]) == ("12-3", "inquiry", "waiting_seller")
    assert values["requested_at"] == datetime(2026, 12, 7, 12, 0)
    assert values["response_due_at"] == datetime(2026, 12, 10, 12, 0)
    assert (values["claim_amount"], values["external_line_id"]) == (9.9, "T9")


def test_a_read_without_a_deadline_or_link_leaves_them_as_odoo_has_them():
    values = case_values(map_case({"caseId": "7", "caseStatusEnum": "WAITING_CS"}))
    assert values["external_key"] == "case:7" and values["state"] == "under_review"
    assert not {"response_due_at", "marketplace_url", "case_type", "claim_amount"} & set(values)


NOW = datetime(2026, 12, 8, 12, 0)


def test_a_pull_waits_for_the_order_of_its_earliest_recent_unmatched_record():
    recent, older = NOW - timedelta(hours=1), NOW - timedelta(hours=5)
    assert unmatched_waiting_since([recent, older, None], NOW) == older
    assert unmatched_waiting_since([recent], NOW, waiting_since=older) == older, "an earlier slice's wait holds"
    assert unmatched_waiting_since([], NOW) is None


def test_a_pull_does_not_wait_for_an_order_odoo_never_pulled():
    """Past UNMATCHED_WAIT the order is not coming by the order pull: the watermark goes on (the seller has a
    to-do), or eBay's 90-day search from it would miss new inquiries."""
    stale = NOW - UNMATCHED_WAIT - timedelta(minutes=1)
    assert unmatched_waiting_since([stale], NOW) is None
    assert unmatched_waiting_since([stale, NOW - UNMATCHED_WAIT], NOW) == NOW - UNMATCHED_WAIT
