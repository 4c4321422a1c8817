"""Item-not-received inquiries and cases through the simulator's Post-Order API: a buyer's inquiry becomes a record
with its deadline and an activity, matched to its order by item and buyer; a Marketplace User answers with the
delivery's tracking, a Marketplace Manager (only) refunds, each sent once; an escalation and a return's case are
listed read only with eBay's link; replays change nothing; another company's user sees nothing."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..ebay_api.fulfillment import FulfillmentAdapter
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

    def test_an_inquiry_of_an_order_odoo_does_not_hold_is_logged_not_guessed(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        fulfillment = FulfillmentAdapter(self.ebay_account._ebay_client())
        fulfillment.create_shipping_fulfillment(external_id, [(line["lineItemId"], line["quantity"]) for line in
                                                              fulfillment.get_order(external_id)["lineItems"]],
                                                "UPS", "1Z999AA10123456785")   # sold and shipped from Seller Hub
        self.sim_post("/_sim/inquiries", {"orderId": external_id})
        job = self.pull_claims("pull_inquiries")
        self.assertFalse(self.env["marketplace.case"].search([("shop_id", "=", self.ebay_shop.id)]))
        self.assertIn("no single order of this shop matches it", " ".join(job.log_ids.mapped("message")))
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "pull_orders"),
                                                             ("state", "=", "pending")]), "no order id to ask for")
