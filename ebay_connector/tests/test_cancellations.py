"""Cancellations through the simulator's Post-Order API: a buyer's request becomes a record with its deadline and
an activity, Approve / Reject answer eBay once, the seller's own cancellation goes to eBay, replays change nothing,
and only who may answer can."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.tests.common import away_from_utc_day, day_of

from .test_orders import OrdersCase


class CancellationCase(OrdersCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "cancel_mkt_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "cancel_mkt_manager",
                                    groups="marketplace_base.group_marketplace_manager")
        cls.salesperson = new_test_user(cls.env, "cancel_salesperson", groups="sales_team.group_sale_salesman")

    def setUp(self):
        super().setUp()
        self.ebay_shop.ebay_cancellations_synced_until = self.started

    def imported_order(self, salesperson=None):
        """An eBay order made now, imported, its sale order handled by ``salesperson``."""
        external_id = self.sim_order([(self.sku_a, 1)])
        self.pull()
        order = self.order(external_id)
        if salesperson:
            order.sale_order_id.user_id = salesperson
        return order

    def pull_cancellations(self):
        job = self.env["marketplace.job"]._enqueue("pull_cancellations", shop=self.ebay_shop)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def buyer_requests(self, order, reason="ORDER_MISTAKE"):
        """The buyer asks eBay to cancel; Odoo pulls it; returns the cancellation record."""
        self.sim_post("/_sim/cancellations", {"orderId": order.external_order_id, "reason": reason})
        self.pull_cancellations()
        return order.cancellation_ids

    def run_answer(self, cancellation):
        job = cancellation.answer_job_id
        self.assertTrue(job, "the answer went to a job")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def ebay_cancellation(self, cancellation):
        """The cancellation as eBay has it (a Post-Order call with the account's IAF token)."""
        token = self.ebay_account._ebay_client().token_store.load().access_token
        answer = self.http.get(self.sim.base_url + "/post-order/v2/cancellation/%s" % cancellation.external_cancel_id,
                               headers={"Authorization": "IAF " + token}, timeout=10)
        answer.raise_for_status()
        return answer.json()


class TestBuyerRequests(CancellationCase):

    def test_request_becomes_a_record_with_deadline_and_activity_and_approval_cancels_once(self):
        order = self.imported_order(salesperson=self.mkt_user)
        away_from_utc_day(self.mkt_user)
        cancellation = self.buyer_requests(order, "FOUND_CHEAPER_PRICE")
        self.assertEqual(len(cancellation), 1)
        self.assertEqual((cancellation.state, cancellation.requester, cancellation.reason),
                         ("requested", "buyer", "FOUND_CHEAPER_PRICE"))
        self.assertTrue(cancellation.waiting_for_seller and cancellation.response_due_at)
        self.assertEqual(cancellation.activity_ids.user_id, self.mkt_user)
        self.assertEqual(cancellation.activity_ids.date_deadline, day_of(self.mkt_user, cancellation.response_due_at),
                         "the salesperson's day of the deadline")
        self.assertEqual(self.ebay_shop.cancellation_waiting_count, 1)
        self.assertEqual(order.sale_order_id.with_user(self.mkt_user).marketplace_cancellation_count, 1)
        self.assertIn(cancellation, self.env["marketplace.cancellation"].search(
            [("deadline_status", "=", "later")]), "three days to answer: not due within 48 h yet")

        self.pull_cancellations()   # a replay changes nothing
        self.assertEqual((len(order.cancellation_ids), len(cancellation.activity_ids)), (1, 1))

        cancellation.with_user(self.mkt_user).action_approve()
        self.assertFalse(cancellation.waiting_for_seller)
        with self.assertRaises(UserError):   # answered already
            cancellation.with_user(self.mkt_user).action_approve()
        self.reset_sim_calls()
        job = self.run_answer(cancellation)
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/cancellation/{id}/approve"), 1)
        self.assertEqual(self.ebay_cancellation(cancellation)["cancelDetail"]["cancelStatus"],
                         "CANCEL_CLOSED_WITH_REFUND")
        self.assertEqual(cancellation.state, "completed")
        self.assertEqual(order.sale_order_id.state, "cancel")
        self.assertEqual(order.state, "cancelled")
        self.assertFalse(cancellation.activity_ids, "the to-do is done once answered")

        self.reset_sim_calls()
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)      # the same answer again: nothing sent
        self.pull_cancellations()
        self.assertFalse(self.sim_calls().get("POST /post-order/v2/cancellation/{id}/approve"))
        self.assertEqual(len(order.sale_order_id.activity_ids | order.activity_ids), 0)

    def test_reject_keeps_the_order(self):
        order = self.imported_order()
        cancellation = self.buyer_requests(order)
        with self.assertRaises(UserError):
            cancellation.action_reject()         # a reason first
        cancellation.with_user(self.mkt_user).reject_reason = "seller_declined"
        cancellation.with_user(self.mkt_user).action_reject()
        self.run_answer(cancellation)
        self.assertEqual(cancellation.state, "rejected")
        self.assertEqual(self.ebay_cancellation(cancellation)["cancelDetail"]["cancelStatus"], "CANCEL_REJECTED")
        self.assertEqual(order.sale_order_id.state, "sale")
        self.assertNotEqual(order.state, "cancelled")

    def test_approved_after_shipping_asks_for_a_return(self):
        order = self.imported_order(salesperson=self.mkt_user)
        cancellation = self.buyer_requests(order)
        picking = order.sale_order_id.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()           # shipped in Odoo, not reported to eBay yet
        cancellation.action_approve()
        self.run_answer(cancellation)
        self.assertEqual(cancellation.state, "completed")
        self.assertEqual(order.sale_order_id.state, "sale", "a shipped order is not cancelled in Odoo")
        self.assertIn("after shipping", order.activity_ids.summary)
        self.pull_cancellations()
        self.assertEqual(len(order.activity_ids), 1, "told once")

    def test_an_answer_ebay_refuses_is_recorded_and_may_be_given_again(self):
        order = self.imported_order()
        cancellation = self.buyer_requests(order)
        cancellation.action_approve()
        token = self.ebay_account._ebay_client().token_store.load().access_token
        self.http.post(self.sim.base_url + "/post-order/v2/cancellation/%s/reject" % cancellation.external_cancel_id,
                       json={}, headers={"Authorization": "IAF " + token}, timeout=10)   # answered in Seller Hub
        self.run_answer(cancellation)
        self.assertEqual(cancellation.state, "rejected", "eBay's word is stored, nothing sent again")
        self.assertEqual(order.sale_order_id.state, "sale")

    def test_a_request_for_an_order_not_imported_yet_queues_it(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.sim_post("/_sim/cancellations", {"orderId": external_id})
        self.pull_cancellations()
        order_job = self.env["marketplace.job"].search([("job_type", "=", "pull_orders"), ("state", "=", "pending"),
                                                        ("shop_id", "=", self.ebay_shop.id)])
        self.assertIn(external_id, order_job.payload)
        self.run_jobs(job_ids=order_job.ids)
        self.pull_cancellations()
        self.assertEqual(self.order(external_id).cancellation_ids.state, "requested")


class TestSellerCancellation(CancellationCase):

    def test_seller_cancels_out_of_stock(self):
        order = self.imported_order()
        action = order.with_user(self.mkt_user).action_request_cancellation()
        cancellation = self.env["marketplace.cancellation"].browse(action["res_id"])
        self.assertEqual((cancellation.state, cancellation.requester), ("draft", "seller"))
        with self.assertRaises(UserError):
            cancellation.with_user(self.mkt_user).action_send_request()   # a reason first
        cancellation.with_user(self.mkt_user).seller_reason = "out_of_stock"
        cancellation.with_user(self.mkt_user).action_send_request()
        self.reset_sim_calls()
        self.run_answer(cancellation)
        calls = self.sim_calls()
        self.assertEqual((calls.get("POST /post-order/v2/cancellation/check_eligibility"),
                          calls.get("POST /post-order/v2/cancellation")), (1, 1))
        self.assertTrue(cancellation.external_cancel_id)
        self.assertEqual((cancellation.state, cancellation.reason), ("completed", "OUT_OF_STOCK_OR_CANNOT_FULFILL"))
        self.assertEqual(order.sale_order_id.state, "cancel")
        with self.assertRaises(UserError):
            order.action_request_cancellation()   # cancelled already
        self.pull_cancellations()                 # eBay reports it back: the same record
        self.assertEqual(len(order.cancellation_ids), 1)

    def test_a_reason_ebay_lacks_is_refused_and_nothing_is_sent(self):
        order = self.imported_order()
        cancellation = self.env["marketplace.cancellation"].browse(order.action_request_cancellation()["res_id"])
        cancellation.seller_reason = "undeliverable_area"
        cancellation.action_send_request()
        self.reset_sim_calls()
        self.run_answer(cancellation)
        self.assertFalse(self.sim_calls().get("POST /post-order/v2/cancellation"))
        self.assertEqual(cancellation.state, "draft")
        self.assertFalse(cancellation.answer, "the seller may choose another reason")
        self.assertEqual(order.sale_order_id.state, "sale")

    def test_a_buyer_request_odoo_has_not_seen_yet_is_answered_not_doubled(self):
        order = self.imported_order()
        self.sim_post("/_sim/cancellations", {"orderId": order.external_order_id})   # not pulled yet
        cancellation = self.env["marketplace.cancellation"].browse(order.action_request_cancellation()["res_id"])
        cancellation.seller_reason = "buyer_asked"
        cancellation.action_send_request()
        self.reset_sim_calls()
        self.run_answer(cancellation)
        self.assertEqual(self.sim_calls().get("GET /sell/fulfillment/v1/order/{id}"), 1, "getOrder shows it")
        self.assertFalse(self.sim_calls().get("POST /post-order/v2/cancellation"))
        self.assertEqual(cancellation.state, "draft")
        pull = self.env["marketplace.job"].search([("job_type", "=", "pull_cancellations"), ("state", "=", "pending")])
        self.run_jobs(job_ids=pull.ids)
        self.assertEqual(order.cancellation_ids.filtered(lambda c: c.requester == "buyer").state, "requested")

    def test_an_order_with_an_open_request_is_answered_not_cancelled_again(self):
        order = self.imported_order()
        self.buyer_requests(order)
        with self.assertRaises(UserError):
            order.action_request_cancellation()


class TestWhoAnswers(CancellationCase):

    def test_roles(self):
        order = self.imported_order(salesperson=self.salesperson)
        cancellation = self.buyer_requests(order)
        with self.assertRaises(AccessError):      # a salesperson without marketplace rights
            cancellation.with_user(self.salesperson).action_approve()
        other = self.env["res.company"].create({"name": "Cancel Other Co"})
        outsider = new_test_user(self.env, "cancel_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        self.assertFalse(self.env["marketplace.cancellation"].with_user(outsider).search(
            [("id", "=", cancellation.id)]))
        with self.assertRaises(AccessError):
            cancellation.with_user(outsider).action_approve()
        with self.assertRaises(AccessError):      # what eBay says is not changed by hand
            cancellation.with_user(self.mkt_user).write({"state": "rejected"})
        with self.assertRaises(AccessError):
            self.env["marketplace.cancellation"].with_user(self.mkt_user).create(
                {"order_id": order.id, "requester": "buyer"})
        cancellation.with_user(self.manager).action_approve()
        self.assertEqual(cancellation.answered_by_id, self.manager)
        self.assertEqual(cancellation.answer_job_id.user_id, self.manager, "the job runs as who answered")
