"""eBay inquiries and cases -> marketplace.case values: the key holds the kind, dates are naive UTC, and what a
read leaves out is not written."""
from dataclasses import replace
from datetime import datetime, timedelta

from ebay_api.post_order_inquiries import map_case, map_inquiry
from sync_core.cases import (
    MAX_UNMATCHED_WAIT,
    case_id_of_key,
    case_key,
    case_values,
    unmatched_waiting_since,
    waits_for_order,
)

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


def test_a_pull_waits_for_an_order_the_order_pull_has_not_read_up_to_yet():
    asked = NOW - timedelta(minutes=3)
    assert waits_for_order(asked, NOW - timedelta(minutes=5), NOW), "the order pull is behind the request"
    assert waits_for_order(asked, None, NOW), "orders never pulled yet"
    assert waits_for_order(asked, asked, NOW)


def test_a_pull_does_not_wait_for_an_order_the_order_pull_will_not_bring():
    asked = NOW - timedelta(minutes=3)
    assert not waits_for_order(asked, NOW - timedelta(minutes=1), NOW), "read past the request: sold before"
    assert not waits_for_order(None, None, NOW)
    old = NOW - MAX_UNMATCHED_WAIT - timedelta(minutes=1)
    assert not waits_for_order(old, old - timedelta(days=1), NOW), "never held past eBay's search window"


def test_the_watermark_waits_at_the_earliest_record_waiting():
    early, late = NOW - timedelta(hours=5), NOW - timedelta(hours=1)
    assert unmatched_waiting_since([late, early, None]) == early
    assert unmatched_waiting_since([late], waiting_since=early) == early, "an earlier slice's wait holds"
    assert unmatched_waiting_since([]) is None


def test_a_key_gives_back_its_ebay_id():
    assert case_id_of_key(case_key("inquiry", "5300000001")) == "5300000001"
    assert case_id_of_key(case_key("case", "5:1")) == "5:1"
