"""Item-not-received inquiries and cases through the simulator's Post-Order API: a buyer's inquiry becomes a record
with its deadline and an activity, matched to its order by item and buyer; a Marketplace User answers with the
delivery's tracking, a Marketplace Manager (only) refunds, each sent once; an escalation and a return's case are
listed read only with eBay's link; replays change nothing; another company's user sees nothing. A claim on an order
Odoo has not imported (eBay names no order) is a to-do for the seller, and the pull waits for the order pull to bring
its order, then lists it on that order once."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..ebay_api.fulfillment import FulfillmentAdapter
from ..ebay_api.post_order import date_value
from ..sync_core.times import to_naive_utc
from .test_returns import REFUND_REFUSED, ReturnCase

SHIPMENT = "POST /post-order/v2/inquiry/{id}/provide_shipment_info"
REFUND = "POST /post-order/v2/inquiry/{id}/issue_refund"


class TestInquiriesAndCases(ReturnCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "case_mkt_manager", groups="marketplace_base.group_marketplace_manager")

    def setUp(self):
        super().setUp()
        self.ebay_shop.ebay_inquiries_synced_until = self.started
        self.ebay_shop.ebay_cases_synced_until = self.started

    def pull_claims(self, job_type="pull_inquiries"):
        job = self.env["marketplace.job"]._enqueue(job_type, shop=self.ebay_shop)
        self.run_job(job)
        return job

    def buyer_says_not_received(self, order):
        inquiry_id = self.sim_post("/_sim/inquiries", {"orderId": order.external_order_id})["inquiryId"]
        self.pull_claims("pull_inquiries")
        return order.case_ids.filtered(lambda record: record.external_case_id == inquiry_id)

    def ebay_inquiry(self, record):
        token = self.ebay_account._ebay_client().token_store.load().access_token
        answer = self.http.get(self.sim.base_url + "/post-order/v2/inquiry/%s" % record.external_case_id,
                               headers={"Authorization": "IAF " + token}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def test_inquiry_appears_and_a_marketplace_user_gives_the_tracking_once(self):
        order = self.shipped_order()
        record = self.buyer_says_not_received(order)
        self.assertEqual(len(record), 1, "matched to its order by item and buyer")
        self.assertEqual((record.kind, record.state, record.waiting_for_seller), ("inquiry", "waiting_seller", True))
        self.assertTrue(record.response_due_at and record.claim_amount)
        self.assertEqual(record.activity_ids.user_id, self.mkt_user, "the order's salesperson")
        self.assertEqual(self.ebay_shop.case_waiting_count, 1)
        self.assertEqual(order.with_user(self.mkt_user).case_count, 1)
        self.assertEqual(order.sale_order_id.with_user(self.mkt_user).marketplace_case_count, 1)

        self.reset_sim_calls()
        self.ebay_shop.ebay_inquiries_synced_until = self.started
        self.pull_claims("pull_inquiries")     # the same inquiry reported again changes nothing
        self.assertEqual((len(order.case_ids), len(record.activity_ids)), (1, 1))
        self.assertFalse(self.sim_calls().get("GET /post-order/v2/inquiry/{id}"))

        as_user = record.with_user(self.mkt_user)
        as_user.seller_comment = "Shipped on time, see the tracking"
        as_user.action_provide_shipment_info()
        self.assertEqual(record.shipment_tracking_number, "1Z999AA10123456784")
        with self.assertRaises(UserError):     # answered already
            as_user.action_provide_shipment_info()
        self.reset_sim_calls()
        job = self.run_job(record.answer_job_id)
        self.assertEqual(job.user_id, self.mkt_user, "the job runs as who answered")
        self.assertEqual(self.sim_calls().get(SHIPMENT), 1)
        ebay = self.ebay_inquiry(record)
        self.assertEqual(ebay["status"], "WAITING_BUYER_RESPONSE")
        self.assertEqual(ebay["shipmentTrackingDetails"][0]["trackingNumber"], "1Z999AA10123456784")
        self.assertEqual(ebay["shipmentTrackingDetails"][0]["shippingCarrierName"], "UPS")
        self.assertEqual((record.state, record.waiting_for_seller), ("waiting_buyer", False))
        self.assertFalse(record.activity_ids, "the to-do is done once answered")
        self.assertIn("Provide shipment info", " ".join(record.message_ids.mapped("body")))

        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)     # the same answer again: nothing sent
        self.pull_claims("pull_inquiries")
        self.assertEqual(self.sim_calls().get(SHIPMENT), 1)

        self.sim_post("/_sim/inquiries/%s/reply" % record.external_case_id, {})
        self.pull_claims("pull_inquiries")        # the buyer still has nothing: the open inquiry is re-read
        self.assertEqual((record.state, record.waiting_for_seller, record.answer),
                         ("waiting_seller", True, False))
        self.assertEqual(record.activity_ids.user_id, self.mkt_user, "a new to-do for the seller's turn")

    def test_only_a_manager_refunds_and_the_refund_is_booked_once(self):
        order = self.shipped_order()
        record = self.buyer_says_not_received(order)
        with self.assertRaisesRegex(AccessError, REFUND_REFUSED):     # a Marketplace User gives tracking only
            record.with_user(self.mkt_user).action_refund()
        with self.assertRaises(AccessError):
            record.with_user(self.salesperson).action_provide_shipment_info()
        with self.assertRaises(AccessError):      # what eBay says is not changed by hand
            record.with_user(self.mkt_user).write({"state": "closed"})
        self.assertFalse(record.answer_job_id)
        other = self.env["res.company"].create({"name": "Inquiry Other Co"})
        outsider = new_test_user(self.env, "case_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        self.assertFalse(self.env["marketplace.case"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            record.with_user(outsider).action_refund()

        record.with_user(self.manager).action_refund()
        self.reset_sim_calls()
        self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get(REFUND), 1)
        self.assertEqual((record.state, self.ebay_inquiry(record)["status"]), ("closed", "CLOSED"))
        order_pull = self.env["marketplace.job"].search([("job_type", "=", "pull_orders"), ("state", "=", "pending"),
                                                         ("shop_id", "=", self.ebay_shop.id)])
        self.assertIn(order.external_order_id, order_pull.payload, "the order is read again for its refund")
        self.run_jobs(job_ids=order_pull.ids)
        self.pull(payload={"order_ids": [order.external_order_id]})     # replayed
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual(len(credit_note), 1, "eBay's refund is one credit note")
        self.assertAlmostEqual(credit_note.amount_total, record.claim_amount, places=2)

    def test_a_refund_answer_run_by_someone_no_longer_a_manager_sends_nothing(self):
        order = self.shipped_order()
        record = self.buyer_says_not_received(order)
        record.with_user(self.manager).action_refund()
        self.manager.groups_id = [(3, self.env.ref("marketplace_base.group_marketplace_manager").id)]
        self.reset_sim_calls()
        job = record.answer_job_id
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "failed")
        self.assertIn(REFUND_REFUSED, job.last_error)
        self.assertFalse(self.sim_calls().get(REFUND))
        self.assertEqual(record.state, "waiting_seller")

    def test_an_escalated_inquiry_and_a_returns_case_are_listed_read_only(self):
        order = self.shipped_order()
        inquiry = self.buyer_says_not_received(order)
        inr_case_id = self.sim_post("/_sim/inquiries/%s/escalate" % inquiry.external_case_id, {})["caseId"]
        returned = self.buyer_returns(order)
        return_case_id = self.sim_post("/_sim/cases", {"returnId": returned.external_return_id})["caseId"]
        self.pull_claims("pull_inquiries")
        self.pull_claims("pull_cases")
        self.assertEqual(inquiry.state, "escalated")
        cases = order.case_ids.filtered(lambda record: record.kind == "case")
        self.assertEqual(sorted(cases.mapped("external_case_id")), sorted([inr_case_id, return_case_id]))
        self.assertEqual(set(cases.mapped("case_type")), {"not_received", "return"})
        self.assertTrue(all(cases.mapped("marketplace_url")), "eBay's link to answer it there")
        self.assertTrue(all(cases.mapped("waiting_for_seller")))
        with self.assertRaises(UserError):        # answered on eBay, not from Odoo
            cases[:1].with_user(self.manager).action_provide_shipment_info()

        self.reset_sim_calls()
        self.ebay_shop.ebay_cases_synced_until = self.started
        self.pull_claims("pull_cases")             # the same cases reported again: none read again
        self.assertFalse(self.sim_calls().get("GET /post-order/v2/casemanagement/{id}"))
        self.assertEqual(len(order.case_ids), 3)
        self.sim_post("/_sim/cases/%s/status" % return_case_id, {"status": "CLOSED"})
        self.pull_claims("pull_cases")
        closed = cases.filtered(lambda record: record.external_case_id == return_case_id)
        self.assertEqual((closed.state, bool(closed.closed_at), bool(closed.activity_ids)), ("closed", True, False))

    def test_a_refund_still_being_sent_counts_against_what_the_buyer_paid(self):
        order = self.shipped_order()
        first = self.buyer_says_not_received(order)
        second = self.buyer_says_not_received(order)     # the buyer asked twice for the same line
        self.assertGreater(first.claim_amount * 2, order.amount_total, "the two claims exceed what was paid")
        first.with_user(self.manager).action_refund()
        with self.assertRaises(UserError):        # the first refund is not booked yet but is being sent
            second.with_user(self.manager).action_refund()
        self.assertFalse(second.answer_job_id)
        with self.assertRaises(UserError):        # nor may the order's own refund take it above what was paid
            order.with_user(self.manager)._request_refund("amount", "item_not_received", amount=order.amount_total)

    def pull_claims_later(self, asked_at, job_type="pull_inquiries"):
        """A pull an hour after the buyer's claim (Odoo's clock only): a watermark not held for the claim goes
        past it."""
        with patch.object(fields.Datetime, "now", lambda *args: asked_at + timedelta(hours=1)):
            return self.pull_claims(job_type)

    def unmatched_todos(self, case_id, kind="inquiry"):
        return self.ebay_account.activity_ids.filtered(lambda todo: "%s %s" % (kind, case_id) in todo.summary)

    def order_shipped_from_seller_hub(self):
        """An eBay order sold and shipped that Odoo has not pulled."""
        external_id = self.sim_order([(self.sku_a, 1)])
        fulfillment = FulfillmentAdapter(self.ebay_account._ebay_client())
        fulfillment.create_shipping_fulfillment(external_id, [(line["lineItemId"], line["quantity"]) for line in
                                                              fulfillment.get_order(external_id)["lineItems"]],
                                                "UPS", "1Z999AA10123456785")
        return external_id

    def test_an_inquiry_before_its_order_is_told_to_the_seller_then_listed_on_its_order_once(self):
        external_id = self.order_shipped_from_seller_hub()
        inquiry = self.sim_post("/_sim/inquiries", {"orderId": external_id})
        inquiry_id, asked_at = inquiry["inquiryId"], to_naive_utc(date_value(inquiry["creationDate"]))
        job = self.pull_claims_later(asked_at)
        self.assertFalse(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)]),
                         "eBay names no order: none is guessed")
        self.assertIn("no single order of this shop matches it", " ".join(job.log_ids.mapped("message")))
        todo = self.unmatched_todos(inquiry_id)
        self.assertEqual(len(todo), 1, "the seller is told, not left with a log line")
        self.assertIn(self.ebay_shop.name, todo.note)
        self.assertLessEqual(self.ebay_shop.ebay_inquiries_synced_until, asked_at, "the pull waits for its order")

        self.pull_claims_later(asked_at)       # replayed before the order comes: nothing more
        self.assertFalse(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)]))
        self.assertEqual(len(self.unmatched_todos(inquiry_id)), 1)

        self.pull()                            # the regular order pull brings the order
        order = self.order(external_id)
        self.assertTrue(order.sale_order_id)
        self.pull_claims_later(asked_at)
        record = order.case_ids
        self.assertEqual((len(record), record.external_case_id, record.state), (1, inquiry_id, "waiting_seller"))
        self.assertEqual(order.sale_order_id.marketplace_case_count, 1)
        self.assertFalse(self.unmatched_todos(inquiry_id), "the seller's to-do is done")

        self.ebay_shop.ebay_inquiries_synced_until = self.started
        self.pull_claims("pull_inquiries")     # replayed: the same inquiry, once
        self.pull()                            # and the order pulled again
        self.pull(payload={"order_ids": [external_id]})
        self.assertEqual(self.counts([external_id])[:2], (1, 1), "one order, one sale order")
        self.assertEqual(len(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)])), 1)
        self.assertEqual(len(record.activity_ids), 1, "one to-do for its salesperson")
        self.assertFalse(self.unmatched_todos(inquiry_id))

    def test_a_claim_on_an_order_the_order_pull_will_not_bring_stays_a_to_do(self):
        external_id = self.order_shipped_from_seller_hub()
        inquiry = self.sim_post("/_sim/inquiries", {"orderId": external_id})
        inquiry_id, asked_at = inquiry["inquiryId"], to_naive_utc(date_value(inquiry["creationDate"]))
        case_id = self.sim_post("/_sim/inquiries/%s/escalate" % inquiry_id, {})["caseId"]
        self.ebay_shop.ebay_orders_synced_until = asked_at + timedelta(minutes=5)   # read past: sold before the sync
        self.reset_sim_calls()
        self.pull_claims_later(asked_at)
        self.pull_claims_later(asked_at, "pull_cases")
        self.assertFalse(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)]))
        self.assertEqual(len(self.unmatched_todos(case_id, "case")), 1, "the seller answers it in Seller Hub")
        self.assertFalse(self.unmatched_todos(inquiry_id), "escalated: its case is what the seller is told of")
        self.assertGreater(self.ebay_shop.ebay_inquiries_synced_until, asked_at, "no wait for it")
        self.assertGreater(self.ebay_shop.ebay_cases_synced_until, asked_at)
        self.assertFalse(self.sim_calls().get("GET /post-order/v2/casemanagement/{id}"),
                         "a case of no order is not read whole")

    def claim_on_an_order_sold_before_the_sync(self):
        """An eBay inquiry on an order the order pull will not bring (read past its sale): a to-do after a pull."""
        external_id = self.order_shipped_from_seller_hub()
        inquiry = self.sim_post("/_sim/inquiries", {"orderId": external_id})
        asked_at = to_naive_utc(date_value(inquiry["creationDate"]))
        self.ebay_shop.ebay_orders_synced_until = asked_at + timedelta(minutes=5)
        return external_id, inquiry, asked_at

    def test_a_claim_whose_order_the_seller_imports_by_number_is_listed_on_it_once(self):
        external_id, inquiry, asked_at = self.claim_on_an_order_sold_before_the_sync()
        inquiry_id = inquiry["inquiryId"]
        self.pull_claims_later(asked_at)
        self.assertEqual(len(self.unmatched_todos(inquiry_id)), 1)
        self.assertGreater(self.ebay_shop.ebay_inquiries_synced_until, asked_at, "its search will not return it")

        self.run_job(self.ebay_shop._import_orders_by_number(external_id))     # the seller imports it by number
        order = self.order(external_id)
        self.assertTrue(order.sale_order_id)
        self.pull_claims_later(asked_at)       # the claim of the to-do is read again by its id
        record = order.case_ids
        self.assertEqual((len(record), record.external_case_id, record.state), (1, inquiry_id, "waiting_seller"))
        self.assertFalse(self.unmatched_todos(inquiry_id), "the seller's to-do is done")

        self.pull_claims_later(asked_at)       # nothing more
        self.assertEqual(len(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)])), 1)
        self.assertEqual(len(record.activity_ids), 1, "one to-do, for its salesperson")
        self.assertFalse(self.unmatched_todos(inquiry_id))

    def test_a_claim_of_no_order_due_on_the_sellers_day_and_its_to_do_done_once_escalated_or_closed(self):
        _external_id, inquiry, asked_at = self.claim_on_an_order_sold_before_the_sync()
        inquiry_id = inquiry["inquiryId"]
        respond_by = to_naive_utc(date_value(inquiry["respondByDate"]))
        # a timezone whose day is not UTC's at that moment
        self.mkt_user.tz = "Pacific/Kiritimati" if respond_by.hour >= 12 else "Pacific/Pago_Pago"
        self.ebay_shop.user_id = self.mkt_user
        self.pull_claims_later(asked_at)
        todo = self.unmatched_todos(inquiry_id)
        self.assertEqual(todo.user_id, self.mkt_user)
        sellers_day = self.env["marketplace.case"]._user_date(respond_by, self.mkt_user)
        self.assertNotEqual(sellers_day, respond_by.date())
        self.assertEqual(todo.date_deadline, sellers_day, "the seller's day, not UTC's")

        case_id = self.sim_post("/_sim/inquiries/%s/escalate" % inquiry_id, {})["caseId"]
        self.pull_claims_later(asked_at)
        self.assertFalse(self.unmatched_todos(inquiry_id), "escalated: its case is what the seller is told of")
        self.assertIn("Escalated to a case on eBay.", self.ebay_account.message_ids[:1].body)
        self.pull_claims_later(asked_at, "pull_cases")
        self.assertEqual(len(self.unmatched_todos(case_id, "case")), 1)

        self.sim_post("/_sim/cases/%s/status" % case_id, {"status": "CLOSED"})
        self.pull_claims_later(asked_at, "pull_cases")
        self.assertFalse(self.unmatched_todos(case_id, "case"), "closed on eBay: nothing left to answer")
        self.assertFalse(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)]))
