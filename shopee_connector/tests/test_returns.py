"""Shopee returns through the simulator: a buyer's return request becomes a record with its deadline, photos and
an activity, Approve confirms it on Shopee once and makes the return picking a warehouse clerk validates,
Decline disputes it with the seller's reason, a partial refund is refused clearly, replays change nothing."""
from odoo.tests import new_test_user

from .common import ShopeeCase

CONFIRM = "/api/v2/returns/confirm"
DISPUTE = "/api/v2/returns/dispute"


class TestShopeeReturns(ShopeeCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "shopee_return_user", email="returns@example.com",
                                     groups="marketplace_base.group_marketplace_user")
        cls.clerk = new_test_user(cls.env, "shopee_return_clerk", groups="stock.group_stock_user")

    def shipped_order(self):
        """A Shopee order imported, its delivery done in Odoo, shipped on Shopee."""
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.assertEqual(self.enqueue_and_run("pull_orders").state, "done")
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        order.sale_order_id.user_id = self.mkt_user
        picking = order.sale_order_id.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.sim_post("/_sim/orders/status", {"order_sn": order_sn, "status": "SHIPPED"})
        return order

    def pull_returns(self):
        job = self.enqueue_and_run("pull_returns")
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def buyer_returns(self, order, **values):
        self.sim_post("/_sim/returns", dict({"order_sn": order.external_order_id, "reason": "DAMAGED",
                                             "text_reason": "Cracked", "image": ["https://img.example/1.jpg"]},
                                            **values))
        self.pull_returns()
        return order.return_ids

    def run_job(self, job):
        self.assertTrue(job, "the work went to a job")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def test_approved_return_is_confirmed_once_and_received_by_the_warehouse(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        self.assertEqual((record.state, record.reason, record.buyer_comments, record.photo_urls),
                         ("requested", "DAMAGED", "Cracked", "https://img.example/1.jpg"))
        self.assertEqual(record.line_ids.order_line_id, order.line_ids)
        self.assertEqual(record.activity_ids.user_id, self.mkt_user)
        self.assertTrue(record.response_due_at)
        self.pull_returns()
        self.assertEqual((len(order.return_ids), len(record.activity_ids)), (1, 1), "a replay")

        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get(CONFIRM), 1)
        self.assertEqual((record.state, record.external_state), ("approved", "ACCEPTED"))
        picking = record.picking_id
        self.assertEqual(picking.picking_type_code, "incoming")
        job = record.answer_job_id
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(self.sim_calls().get(CONFIRM), 1, "confirmed once")

        self.sim_post("/_sim/returns/ship", {"return_sn": record.external_return_id, "tracking_number": "TH42"})
        self.pull_returns()
        self.assertEqual((record.state, record.return_tracking_number), ("item_shipped", "TH42"))
        clerk_picking = picking.with_user(self.clerk)
        clerk_picking.move_ids.quantity = 1
        clerk_picking.button_validate()
        self.run_job(record.received_job_id)
        self.sim_post("/_sim/returns/refund", {"return_sn": record.external_return_id})
        self.pull_returns()
        self.assertEqual(record.state, "refunded")
        self.assertGreater(record.refund_amount, 0)

    def test_refund_on_receipt_confirms_the_return_once_and_books_one_credit_note(self):
        manager = new_test_user(self.env, "shopee_refund_manager", groups="marketplace_base.group_marketplace_manager")
        self.shopee_shop.with_user(manager).refund_returns_on_receipt = True
        order = self.shipped_order()
        record = self.buyer_returns(order)
        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.sim_post("/_sim/returns/ship", {"return_sn": record.external_return_id, "tracking_number": "TH43"})
        self.pull_returns()
        clerk_picking = record.picking_id.with_user(self.clerk)
        clerk_picking.move_ids.quantity = 1
        clerk_picking.button_validate()
        self.run_job(record.received_job_id)
        refund_job = record.refund_job_id
        self.assertEqual((refund_job.job_type, refund_job.user_id), ("refund_return", manager))
        self.run_job(refund_job)
        self.assertEqual(self.sim_calls().get(CONFIRM), 2, "the approval, then the confirm that refunds")
        self.assertEqual((record.state, record.external_state), ("refunded", "REFUND_PAID"))
        refund_job.write({"state": "pending"})
        self.run_jobs(job_ids=refund_job.ids)   # a replay: refunded already, nothing sent
        self.pull_returns()
        self.assertEqual(self.sim_calls().get(CONFIRM), 2)
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual((len(credit_note), credit_note.marketplace_refund_ref),
                         (1, "%s:return" % record.external_return_id))
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

    def test_a_refunded_return_is_one_credit_note_of_its_refund(self):
        order = self.shipped_order()
        record = self.buyer_returns(order, needs_logistics=False)
        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.pull_returns()   # a replay
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.marketplace_refund_source),
                         ("%s:return" % record.external_return_id, "return"))
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

    def test_decline_disputes_and_a_partial_refund_is_refused_clearly(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        record.with_user(self.mkt_user).offer_amount = 1.0
        record.with_user(self.mkt_user).action_offer_partial_refund()
        self.run_job(record.answer_job_id)
        self.assertFalse(record.answer, "refused: the seller may answer again")
        self.assertIn("partial refund", record.message_ids[0].body)
        record.with_user(self.mkt_user).decline_reason = "Item used"
        record.with_user(self.mkt_user).action_decline()
        self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get(DISPUTE), 1)
        self.assertEqual((record.state, record.external_state), ("declined", "SELLER_DISPUTE"))
        self.assertFalse(record.picking_id)

    def test_a_refund_without_return_makes_no_picking(self):
        order = self.shipped_order()
        record = self.buyer_returns(order, needs_logistics=False)
        self.assertFalse(record.item_comes_back)
        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.assertEqual(record.state, "refunded")
        self.assertFalse(record.picking_id)
