"""Shopee returns through the simulator: a buyer's return request becomes a record with its deadline, photos and
an activity, Approve confirms it on Shopee once and makes the return picking a warehouse clerk validates,
Decline disputes it with one of Shopee's reasons and the photos it asks for, a partial refund is offered within
Shopee's bounds and sent once, a buyer's counter-offer is shown and accepted once by a Marketplace Manager
(``accept_offer``), replays change nothing."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..shopee_api.returns import ReturnAdapter
from .common import ShopeeCase

CONFIRM = "/api/v2/returns/confirm"
DISPUTE = "/api/v2/returns/dispute"
CONVERT_IMAGE = "/api/v2/returns/convert_image"
OFFER = "/api/v2/returns/offer"
ACCEPT_OFFER = "/api/v2/returns/accept_offer"
JPEG = b"\xff\xd8\xff\xe0 a photo of the returned item"


class TestShopeeReturns(ShopeeCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "shopee_return_user", email="returns@example.com",
                                     groups="marketplace_base.group_marketplace_user")
        cls.clerk = new_test_user(cls.env, "shopee_return_clerk", groups="stock.group_stock_user")
        cls.manager = new_test_user(cls.env, "shopee_return_manager", email="manager@example.com",
                                    groups="marketplace_base.group_marketplace_manager")

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
        record.with_user(self.manager).action_approve()
        self.run_job(record.answer_job_id)
        self.pull_returns()   # a replay
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.marketplace_refund_source),
                         ("%s:return" % record.external_return_id, "return"))
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

    def answer(self, record, action, **values):
        """The Marketplace User writes his answer's details, presses the button; the job runs."""
        mine = record.with_user(self.mkt_user)
        mine.write(values)
        getattr(mine, action)()
        return self.run_job(record.answer_job_id)

    def test_decline_disputes_with_one_of_shopee_reasons_and_the_photos_it_asks_for(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        self.answer(record, "action_decline", decline_reason="Item used")
        self.assertFalse(record.answer, "refused: the seller chooses a reason, then answers again")
        self.assertIn("Shopee's Reason", record.message_ids[0].body)
        self.assertEqual(record.shopee_dispute_reason_ids.mapped("code"), [1, 2, 3])
        self.assertFalse(self.sim_calls().get(DISPUTE))
        self.assertTrue(record.waiting_for_seller)
        self.assertEqual(record.activity_ids.user_id, self.mkt_user, "still waiting: the to-do is back")
        self.assertIn("Shopee's Reason", record.activity_ids.note)

        needs_photos = record.shopee_dispute_reason_ids.filtered(lambda reason: reason.code == 2)
        self.assertEqual(needs_photos.proof, "Photos of the product received")
        self.answer(record, "action_decline", shopee_dispute_reason_id=needs_photos.id)
        self.assertFalse(record.answer)
        self.assertIn("attach them", record.message_ids[0].body)
        self.assertFalse(self.sim_calls().get(DISPUTE))

        self.env["ir.attachment"].with_user(self.mkt_user).create({
            "name": "item.jpg", "res_model": record._name, "res_id": record.id, "raw": JPEG,
            "mimetype": "image/jpeg"})
        self.answer(record, "action_decline")
        self.assertEqual((self.sim_calls().get(DISPUTE), self.sim_calls().get(CONVERT_IMAGE)), (1, 1))
        self.assertEqual((record.state, record.external_state), ("declined", "SELLER_DISPUTE"))
        self.assertEqual(record.shopee_dispute_reason_id, needs_photos, "kept as chosen through the re-read")
        self.assertFalse(record.activity_ids, "answered: no to-do left")
        self.assertFalse(record.picking_id)

    def test_a_reason_without_proof_disputes_without_photos(self):
        record = self.buyer_returns(self.shipped_order())
        self.answer(record, "action_decline", decline_reason="Never came back")
        not_received = record.shopee_dispute_reason_ids.filtered(lambda reason: reason.code == 1)
        self.assertFalse(not_received.proof)
        self.answer(record, "action_decline", shopee_dispute_reason_id=not_received.id)
        self.assertEqual((self.sim_calls().get(DISPUTE), self.sim_calls().get(CONVERT_IMAGE)), (1, None))
        self.assertEqual(record.state, "declined")

    def test_a_partial_refund_is_offered_within_shopee_bounds_and_booked_when_taken(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        self.answer(record, "action_offer_partial_refund", offer_amount=record.refund_amount + 1)
        self.assertFalse(record.answer)
        self.assertIn("at most", record.message_ids[0].body)
        self.assertFalse(self.sim_calls().get(OFFER))

        self.answer(record, "action_offer_partial_refund", offer_amount=5.0)
        self.assertEqual((self.sim_calls().get(OFFER), record.state), (1, "partial_offered"))
        self.pull_returns()
        self.assertEqual((record.state, record.answer), ("partial_offered", "partial_refund"), "the offer stands")

        self.sim_post("/_sim/returns/offer_answer", {"return_sn": record.external_return_id, "accept": False})
        self.pull_returns()
        self.assertEqual((record.state, record.answer), ("requested", False), "refused: the seller's turn again")
        self.assertFalse(record.buyer_offer_amount, "a refusal offers nothing to accept")
        self.answer(record, "action_offer_partial_refund", offer_amount=6.0)
        self.sim_post("/_sim/returns/offer_answer", {"return_sn": record.external_return_id, "accept": True})
        self.pull_returns()
        self.assertEqual((record.state, record.refund_amount, self.sim_calls().get(OFFER)), ("refunded", 6.0, 2))
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertAlmostEqual(credit_note.amount_total, 6.0, places=2)
        self.assertFalse(record.picking_id, "the buyer keeps the item")

    def test_a_refused_offer_is_a_to_do_for_who_answers_once(self):
        """The buyer refuses the seller's offer: the return waits for the seller again, and the order's salesperson
        (who answers) gets a to-do saying so, due on Shopee's deadline; a replayed pull adds none, and a second
        refusal is a second to-do."""
        record = self.buyer_returns(self.shipped_order())
        self.answer(record, "action_offer_partial_refund", offer_amount=5.0)
        self.pull_returns()
        self.assertFalse(record.activity_ids, "the offer sent: nothing to do while the buyer answers")

        self.sim_post("/_sim/returns/offer_answer", {"return_sn": record.external_return_id, "accept": False})
        self.pull_returns()
        self.assertEqual(record.state, "requested")
        self.assertEqual(record.activity_ids.user_id, self.mkt_user)
        self.assertIn("refused", record.activity_ids.summary)
        self.assertEqual(record.activity_ids.date_deadline,
                         record._user_date(record.response_due_at, self.mkt_user))
        self.pull_returns()
        self.assertEqual(len(record.activity_ids), 1, "a replay: no second to-do")

        self.answer(record, "action_offer_partial_refund", offer_amount=6.0)
        self.assertFalse(record.activity_ids, "answered: the to-do done")
        self.sim_post("/_sim/returns/offer_answer", {"return_sn": record.external_return_id, "accept": False})
        self.pull_returns()
        self.assertEqual(len(record.activity_ids), 1, "the second refusal: its own to-do")

    def test_an_offer_answered_500_after_shopee_took_it_is_not_sent_again(self):
        record = self.buyer_returns(self.shipped_order())
        self.sim_post("/_sim/faults", {"500_after": 1})
        self.answer(record, "action_offer_partial_refund", offer_amount=5.0)
        self.assertEqual((self.sim_calls().get(OFFER), record.state), (1, "partial_offered"))
        job = record.answer_job_id
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(self.sim_calls().get(OFFER), 1, "read back, not offered twice")

    def test_another_company_sees_no_shopee_reasons(self):
        record = self.buyer_returns(self.shipped_order())
        self.answer(record, "action_decline", decline_reason="Item used")
        other = self.env["res.company"].create({"name": "Other Shopee Seller"})
        outsider = new_test_user(self.env, "shopee_return_outsider", company_id=other.id, company_ids=[other.id],
                                 groups="marketplace_base.group_marketplace_user")
        self.assertFalse(self.env["shopee.return.dispute.reason"].with_user(outsider).search([]))
        self.assertEqual(len(self.env["shopee.return.dispute.reason"].with_user(self.mkt_user).search([])), 3)

    def test_a_refund_without_return_makes_no_picking(self):
        order = self.shipped_order()
        record = self.buyer_returns(order, needs_logistics=False)
        self.assertFalse(record.item_comes_back)
        record.with_user(self.manager).action_approve()
        self.run_job(record.answer_job_id)
        self.assertEqual(record.state, "refunded")
        self.assertFalse(record.picking_id)

    def test_approving_a_refund_only_return_is_a_manager_s_refund(self):
        """Shopee's confirm of a return whose item does not come back refunds the buyer at once: a Marketplace
        User's Approve is refused, a job made to run as him sends nothing, a manager's Approve confirms once."""
        record = self.buyer_returns(self.shipped_order(), needs_logistics=False)
        job = self.assert_a_managers_refund(record, "action_approve", CONFIRM)
        job.sudo().write({"user_id": self.manager.id, "state": "pending"})
        self.run_job(job)
        self.assertEqual((record.state, self.sim_calls().get(CONFIRM)), ("refunded", 1))

    def test_a_return_changed_long_after_its_request_is_read_by_its_update_time(self):
        """Shopee judges a disputed return weeks after the buyer asked: the pull reads returns by their last
        change, so the refund of a return closed in Odoo (declined) still arrives, with its credit note."""
        order = self.shipped_order()
        record = self.buyer_returns(order, days_ago=20)
        self.answer(record, "action_decline", decline_reason="Never came back")
        self.answer(record, "action_decline", shopee_dispute_reason_id=record.shopee_dispute_reason_ids[:1].id)
        self.assertEqual(record.state, "declined")
        self.pull_returns()
        self.sim_post("/_sim/returns/refund", {"return_sn": record.external_return_id})
        self.pull_returns()
        self.assertEqual(record.state, "refunded")
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

    def test_shopee_takes_no_return_label_from_odoo(self):
        record = self.buyer_returns(self.shipped_order())
        label = self.env["ir.attachment"].with_user(self.mkt_user).create({
            "name": "label.pdf", "res_model": record._name, "res_id": record.id, "raw": b"%PDF-1.4",
            "mimetype": "application/pdf"})
        record.with_user(self.mkt_user).label_attachment_id = label
        with self.assertRaisesRegex(UserError, "arranges the return shipping"):
            record.with_user(self.mkt_user).action_approve()
        self.assertFalse(record.answer)

    def assert_a_managers_refund(self, record, action, call):
        """``action`` refunds the buyer: a Marketplace User's is refused; a manager's queues the answer job, which,
        made to run as the User, fails on the refund guard and sends nothing (``call``). Returns the job."""
        with self.assertRaises(AccessError):
            getattr(record.with_user(self.mkt_user), action)()
        self.assertFalse(record.answer)
        getattr(record.with_user(self.manager), action)()
        job = record.answer_job_id
        job.sudo().user_id = self.mkt_user
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "failed")
        self.assertIn("Only the Marketplace Managers of the order's company refund its buyer", job.last_error)
        self.assertFalse(self.sim_calls().get(call))
        self.assertEqual(record.state, "requested")
        return job

    def buyer_counters(self, record, amount):
        """The seller offers 5 from Odoo; the buyer answers with his own offer of ``amount``, which Odoo reads."""
        self.answer(record, "action_offer_partial_refund", offer_amount=5.0)
        self.sim_post("/_sim/returns/counter_offer", {"return_sn": record.external_return_id, "amount": amount})
        self.pull_returns()

    def test_a_buyer_counter_offer_is_shown_and_accepted_once_by_a_manager(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        self.buyer_counters(record, 8.0)
        self.assertEqual((record.state, record.answer, record.buyer_offer_amount), ("requested", False, 8.0))
        self.assertTrue(record.buyer_offer_due_at)
        self.assertTrue(record.waiting_for_seller, "the buyer's offer waits for the seller")
        self.assertEqual(record.activity_ids.user_id, self.mkt_user)
        self.assertIn("Buyer offers", record.activity_ids.summary)
        self.pull_returns()
        self.assertEqual(len(record.activity_ids), 1, "a replay: no second to-do")
        self.assertEqual(record.with_user(self.mkt_user).buyer_offer_amount, 8.0, "the User sees it")

        record.with_user(self.manager).action_accept_buyer_offer()
        job = self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get(ACCEPT_OFFER), 1)
        self.assertEqual((record.state, record.refund_amount, record.buyer_offer_amount), ("refunded", 8.0, 0.0))
        self.assertFalse(record.picking_id, "the buyer keeps the item")
        self.assertFalse(record.activity_ids, "answered: no to-do left")
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)   # a replay: refunded already, nothing sent
        self.pull_returns()
        self.assertEqual(self.sim_calls().get(ACCEPT_OFFER), 1, "accepted once")
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual((len(credit_note), credit_note.marketplace_refund_ref),
                         (1, "%s:return" % record.external_return_id))
        self.assertAlmostEqual(credit_note.amount_total, 8.0, places=2)

    def test_an_accepted_offer_answered_500_is_read_back_not_sent_again(self):
        record = self.buyer_returns(self.shipped_order())
        self.buyer_counters(record, 8.0)
        self.sim_post("/_sim/faults", {"500_after": 1})
        record.with_user(self.manager).action_accept_buyer_offer()
        job = self.run_job(record.answer_job_id)
        self.assertEqual((self.sim_calls().get(ACCEPT_OFFER), record.state), (1, "refunded"))
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(self.sim_calls().get(ACCEPT_OFFER), 1, "read back, not accepted twice")

    def test_a_marketplace_user_sees_the_buyer_offer_but_does_not_accept_it(self):
        record = self.buyer_returns(self.shipped_order())
        self.buyer_counters(record, 8.0)
        self.assert_a_managers_refund(record, "action_accept_buyer_offer", ACCEPT_OFFER)

    def test_shopee_refuses_to_accept_when_the_latest_offer_is_the_seller_s(self):
        """The manager accepts from a screen showing the buyer's offer while the seller countered it in Seller
        Centre: Shopee refuses, the refusal is on the return, nothing is refunded."""
        record = self.buyer_returns(self.shipped_order())
        self.buyer_counters(record, 8.0)
        record.with_user(self.manager).action_accept_buyer_offer()
        client, session = self.shopee_shop._shopee_session()
        ReturnAdapter(session).offer(record.external_return_id, 7.0)   # the seller in Seller Centre
        client.close()
        self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get(ACCEPT_OFFER), 1, "sent; Shopee said no")
        self.assertEqual((record.state, record.answer, record.buyer_offer_amount), ("partial_offered", False, 0.0))
        self.assertIn("not the buyer's", record.message_ids[0].body)
        with self.assertRaises(UserError):   # nothing of the buyer's to accept any more
            record.with_user(self.manager).action_accept_buyer_offer()
