"""Shopee cancellations through the simulator: an IN_CANCEL order becomes a buyer's request with an activity,
Approve / Reject answer Shopee once (handle_buyer_cancellation), the seller's cancel_order goes out with its
reason, and replays change nothing."""
import json
import time

from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import ShopeeCase

HANDLE = "/api/v2/order/handle_buyer_cancellation"
CANCEL = "/api/v2/order/cancel_order"


class TestShopeeCancellations(ShopeeCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "shopee_cancel_user", groups="marketplace_base.group_marketplace_user")

    def imported_order(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.assertEqual(self.enqueue_and_run("pull_orders").state, "done")
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        order.sale_order_id.user_id = self.mkt_user
        return order

    def pull_cancellations(self):
        job = self.enqueue_and_run("pull_cancellations")
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def buyer_requests(self, order):
        self.sim_post("/_sim/orders/buyer_cancel", {"order_sn": order.external_order_id, "reason": "Change of mind"})
        # Shopee's update times are whole seconds, later than the order's: a pull in the same second would not
        # see the request yet (the next one does, its window overlapping the last)
        time.sleep(1.1)
        self.pull_cancellations()
        return order.cancellation_ids

    def run_answer(self, cancellation):
        job = cancellation.answer_job_id
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def test_buyer_request_approved_cancels_the_sale_order_once(self):
        order = self.imported_order()
        cancellation = self.buyer_requests(order)
        self.assertEqual((cancellation.state, cancellation.requester, cancellation.reason),
                         ("requested", "buyer", "Change of mind"))
        self.assertEqual(cancellation.activity_ids.user_id, self.mkt_user)
        self.pull_cancellations()
        self.assertEqual((len(order.cancellation_ids), len(cancellation.activity_ids)), (1, 1), "a replay")
        cancellation.with_user(self.mkt_user).action_approve()
        self.run_answer(cancellation)
        self.assertEqual(self.sim_calls().get(HANDLE), 1)
        self.assertEqual(cancellation.state, "completed")
        self.assertEqual(order.sale_order_id.state, "cancel")
        job = cancellation.answer_job_id
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)
        self.pull_cancellations()
        self.assertEqual(self.sim_calls().get(HANDLE), 1, "answered once")

    def test_the_request_of_an_order_the_scheduler_imported_goes_to_the_shops_responsible(self):
        """Orders are imported by the shop's Job User (the schedulers' identity): the shop's Responsible is their
        salesperson and gets the buyer's request, never the Job User (a rehearsal found every to-do on the
        Marketplace Bot). An order imported earlier with the Job User as salesperson goes to the Responsible too."""
        self.shopee_shop.user_id = self.mkt_user
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.assertEqual(self.enqueue_and_run("pull_orders").state, "done")
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.assertEqual(order.sale_order_id.user_id, self.mkt_user)
        self.assertEqual(order.sale_order_id.with_user(self.mkt_user).read(["name"])[0]["id"], order.sale_order_id.id)
        order.sale_order_id.user_id = self.shopee_shop.job_user_id
        cancellation = self.buyer_requests(order)
        self.assertEqual((cancellation.activity_ids.user_id, cancellation.responsible_user_id),
                         (self.mkt_user, self.mkt_user))
        waiting_for_me = self.env["marketplace.cancellation"].with_user(self.mkt_user).search(
            [("waiting_for_seller", "=", True), ("responsible_user_id", "=", self.mkt_user.id)])
        self.assertEqual(waiting_for_me, cancellation)

    def test_the_refund_of_a_cancelled_paid_order_is_one_credit_note_reversing_its_invoice(self):
        order = self.imported_order()
        order.line_ids.product_id.invoice_policy = "order"
        invoice = order.sale_order_id._create_invoices()
        invoice.action_post()
        cancellation = self.buyer_requests(order)
        cancellation.with_user(self.mkt_user).action_approve()
        self.run_answer(cancellation)
        for _replay in range(2):
            time.sleep(1.1)   # Shopee's update times are whole seconds
            self.assertEqual(self.enqueue_and_run("pull_orders").state, "done")
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual(len(credit_note), 1, "re-imported twice: one credit note")
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.reversed_entry_id,
                          credit_note.marketplace_cancellation_id, credit_note.state),
                         ("%s:cancel" % order.external_order_id, invoice, cancellation, "draft"))
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total, places=2)
        self.assertEqual(cancellation.credit_note_ids, credit_note)

    def test_shopee_takes_no_refund_from_odoo(self):
        order = self.imported_order()
        manager = new_test_user(self.env, "shopee_refund_manager", groups="marketplace_base.group_marketplace_manager")
        with self.assertRaisesRegex(UserError, "takes no refund from Odoo"):
            order.with_user(manager)._request_refund("full", "buyer_cancel")

    def test_buyer_request_rejected_keeps_the_order(self):
        order = self.imported_order()
        cancellation = self.buyer_requests(order)
        cancellation.reject_reason = "seller_declined"
        cancellation.action_reject()
        self.run_answer(cancellation)
        self.assertEqual(cancellation.state, "rejected")
        self.assertEqual(cancellation.external_state, "READY_TO_SHIP")
        self.assertEqual(order.sale_order_id.state, "sale")

    def test_seller_cancels_out_of_stock(self):
        order = self.imported_order()
        cancellation = self.env["marketplace.cancellation"].browse(
            order.with_user(self.mkt_user).action_request_cancellation()["res_id"])
        cancellation.with_user(self.mkt_user).seller_reason = "out_of_stock"
        cancellation.with_user(self.mkt_user).action_send_request()
        self.run_answer(cancellation)
        self.assertEqual(self.sim_calls().get(CANCEL), 1)
        self.assertEqual((cancellation.state, cancellation.reason), ("completed", "OUT_OF_STOCK"))
        self.assertEqual(order.sale_order_id.state, "cancel")
        with self.assertRaises(UserError):
            order.action_request_cancellation()

    def test_a_reason_the_region_lacks_sends_nothing(self):
        order = self.imported_order()
        cancellation = self.env["marketplace.cancellation"].browse(order.action_request_cancellation()["res_id"])
        cancellation.seller_reason = "undeliverable_area"     # only TW and MY; this shop is TH
        cancellation.action_send_request()
        self.run_answer(cancellation)
        self.assertFalse(self.sim_calls().get(CANCEL))
        self.assertEqual((cancellation.state, cancellation.answer), ("draft", False))
        self.assertEqual(order.sale_order_id.state, "sale")

    def test_an_in_cancel_push_brings_the_request_at_once(self):
        order = self.imported_order()
        self.sim_post("/_sim/orders/buyer_cancel", {"order_sn": order.external_order_id})
        body = json.dumps({"code": 3, "shop_id": self.shopee_shop.external_shop_id and int(
            self.shopee_shop.external_shop_id), "timestamp": int(time.time()), "data": {
            "ordersn": order.external_order_id, "status": "IN_CANCEL", "update_time": int(time.time())}}).encode()
        self.env["shopee.push"]._shopee_receive(self.shopee_account, body)
        self.run_jobs()
        self.run_jobs()     # the push's job queued the cancellation pull
        self.assertEqual(order.cancellation_ids.state, "requested")
