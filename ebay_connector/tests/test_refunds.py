"""Refunds through the simulator: every refund eBay reports (getOrders' refunds, Finances REFUND transactions)
becomes one draft credit note carrying eBay's refund id, whatever the pulls and replays; a refund issued from Odoo
goes to eBay's issue_refund once, within what the buyer paid, and only for Marketplace Managers."""
from datetime import datetime
from decimal import Decimal

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user
from odoo.tools import mute_logger

from odoo.addons.marketplace_base.marketplace_core.money import MoneyPayout, MoneyTransaction

from .test_cancellations import CancellationCase
from .test_disputes import DisputeCase
from .test_orders import OrdersCase
from .test_returns import REFUND_REFUSED


class RefundCase(OrdersCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.ebay_product_a | cls.ebay_product_b).invoice_policy = "order"   # invoiced before delivery
        cls.manager = new_test_user(cls.env, "refund_manager", groups="marketplace_base.group_marketplace_manager")

    def imported_order(self):
        """An eBay order of two units of A and one of B, made now and imported with its sale order."""
        external_id = self.sim_order([(self.sku_a, 2), (self.sku_b, 1)], tax=False)
        self.assertEqual(self.pull().state, "done")
        order = self.order(external_id)
        self.assertTrue(order.sale_order_id, order.error_message)
        return order

    def credit_notes(self, order):
        return self.env["account.move"].search([("marketplace_order_id", "=", order.id)])


class TestReportedRefunds(RefundCase):

    def test_each_reported_refund_is_one_draft_credit_note_whatever_the_pulls(self):
        order = self.imported_order()
        invoice = order.sale_order_id._create_invoices()
        invoice.action_post()
        hub = self.sim_post("/_sim/orders/%s/refund" % order.external_order_id, {"amount": "3.00"})["refundId"]
        self.pull()
        credit_note = self.credit_notes(order)
        self.assertEqual(len(credit_note), 1)
        self.assertEqual((credit_note.move_type, credit_note.state, credit_note.marketplace_refund_ref,
                          credit_note.marketplace_refund_source, credit_note.amount_total),
                         ("out_refund", "draft", hub, "order", 3.0))
        self.assertEqual(credit_note.reversed_entry_id, invoice, "Odoo's own reversal of the posted invoice")
        self.assertEqual(credit_note.invoice_line_ids.product_id,
                         self.env.ref("marketplace_base.product_marketplace_refund"))

        # a line refund of one unit of A, seen first by the money pull, then by the order's import
        line_a = order.line_ids.filtered(lambda line: line.product_id == self.ebay_product_a)
        issued = self.sim_post("/_sim/orders/%s/refund" % order.external_order_id, {
            "lineItems": [{"lineItemId": line_a.external_line_id, "amount": "%.2f" % line_a.price_unit}]})["refundId"]
        for _replay in range(2):
            self.pull_money()
            self.pull(payload={"order_ids": [order.external_order_id]})
        notes = self.credit_notes(order)
        self.assertEqual(sorted(notes.mapped("marketplace_refund_ref")), sorted([hub, issued]))
        self.assertEqual(notes.filtered(lambda note: note.marketplace_refund_ref == issued).marketplace_refund_source,
                         "money", "the money pull saw it first; the order's import found it booked")
        refunds = order.money_transaction_ids.filtered(lambda transaction: transaction.kind == "refund")
        self.assertEqual(refunds.credit_note_id, notes, "each REFUND transaction names its credit note")
        self.assertAlmostEqual(order.amount_refunded, 3.0 + line_a.price_unit, places=2)
        self.assertEqual(order.credit_note_count, 2)

    def test_a_refund_of_an_order_not_invoiced_credits_its_units_on_the_sale_lines(self):
        order = self.imported_order()
        line_b = order.line_ids.filtered(lambda line: line.product_id == self.ebay_product_b)
        refund_id = self.sim_post("/_sim/orders/%s/refund" % order.external_order_id, {
            "lineItems": [{"lineItemId": line_b.external_line_id, "amount": "%.2f" % line_b.price_unit}]})["refundId"]
        self.pull(payload={"order_ids": [order.external_order_id]})
        credit_note = self.credit_notes(order)
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.reversed_entry_id.id,
                          credit_note.partner_id), (refund_id, False, order.sale_order_id.partner_invoice_id))
        self.assertEqual(credit_note.invoice_line_ids.mapped(lambda line: (line.product_id, line.quantity,
                                                                           line.sale_line_ids)),
                         [(self.ebay_product_b, 1.0, line_b.sale_line_id)])

    def test_more_than_the_buyer_paid_is_not_booked_and_a_refund_id_is_booked_once_per_shop(self):
        order = self.imported_order()
        with self.assertRaisesRegex(UserError, "more than what remains"):
            order._book_marketplace_refund("TOO-MUCH", order.amount_total + 0.01)
        first = order._book_marketplace_refund("R-1", 1.0, source="dispute")
        self.assertEqual(order._book_marketplace_refund("R-1", 1.0), first, "a known refund id is its credit note")
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            first.copy({"marketplace_shop_id": order.shop_id.id, "marketplace_refund_ref": "R-1"})
        self.assertFalse(self.credit_notes(order).filtered(lambda note: note.marketplace_refund_ref == "TOO-MUCH"))


class TestIssuedRefunds(RefundCase):

    def refund_jobs(self, order):
        return self.env["marketplace.job"].search([("job_type", "=", "issue_refund"),
                                                   ("shop_id", "=", order.shop_id.id)])

    def ebay_order(self, order):
        token = self.ebay_account._ebay_client().token_store.load().access_token
        answer = self.http.get(self.sim.base_url + "/sell/fulfillment/v1/order/%s" % order.external_order_id,
                               headers={"Authorization": "Bearer " + token}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def test_a_refund_issued_from_odoo_reaches_ebay_once_and_is_one_credit_note(self):
        order = self.imported_order()
        self.reset_sim_calls()
        job = order.with_user(self.manager)._request_refund("amount", "other_adjustment", amount=2.5,
                                                             comment="Scratch on the lid")
        self.assertEqual((job.user_id, job.state), (self.manager, "pending"))
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls().get("POST /sell/fulfillment/v1/order/{id}/issue_refund"), 1)
        refunds = self.ebay_order(order)["paymentSummary"]["refunds"]
        self.assertEqual([refund["amount"]["value"] for refund in refunds], ["2.50"])
        credit_note = self.credit_notes(order)
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.marketplace_refund_source,
                          credit_note.amount_total), (refunds[0]["refundId"], "issued", 2.5))
        for _replay in range(2):
            self.pull(payload={"order_ids": [order.external_order_id]})
            self.pull_money()
        self.assertEqual(self.credit_notes(order), credit_note, "pulled again and replayed: still one")
        self.assertEqual(self.sim_calls().get("POST /sell/fulfillment/v1/order/{id}/issue_refund"), 1)

        # units of a line: eBay gets a line-level refund, the credit note the units on the sale line
        line_b = order.line_ids.filtered(lambda line: line.product_id == self.ebay_product_b)
        job = order.with_user(self.manager)._request_refund("lines", "buyer_return", units={line_b: 1})
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        line_note = self.credit_notes(order) - credit_note
        self.assertEqual(line_note.invoice_line_ids.mapped(lambda line: (line.product_id, line.quantity)),
                         [(self.ebay_product_b, 1.0)])
        ebay_line = next(line for line in self.ebay_order(order)["lineItems"]
                         if line["lineItemId"] == line_b.external_line_id)
        self.assertEqual(ebay_line["refunds"][0]["refundId"], line_note.marketplace_refund_ref)

    def test_an_unanswered_refund_is_read_back_not_sent_again(self):
        order = self.imported_order()
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "2")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {
            "path": "/sell/fulfillment/v1/order/*/issue_refund", "method": "POST", "times": 1}})
        self.reset_sim_calls()
        job = order.with_user(self.manager)._request_refund("full", "seller_cancel")
        self.run_jobs(job_ids=job.ids)   # no answer; the retry reads getOrder back
        self.sim_post("/_sim/faults", {})
        if job.state == "pending":
            job.next_attempt_at = fields.Datetime.now()
            self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        log = "\n".join(job.log_ids.mapped("message"))
        self.assertIn("Read timed out", log)
        self.assertIn("not sent again", log)
        self.assertEqual(self.sim_calls().get("POST /sell/fulfillment/v1/order/{id}/issue_refund"), 1,
                         "eBay's refund was read back, not made twice")
        self.assertEqual(len(self.credit_notes(order)), 1)
        self.assertAlmostEqual(self.credit_notes(order).amount_total, order.amount_total, places=2)

    def test_more_than_the_buyer_paid_is_refused_with_a_clear_error(self):
        order = self.imported_order()
        manager_order = order.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "more than what remains"):
            manager_order._request_refund("amount", "other_adjustment", amount=order.amount_total + 0.01)
        manager_order._request_refund("amount", "other_adjustment", amount=order.amount_total - 1.0)
        with self.assertRaisesRegex(UserError, r"more than what remains to refund \(1.00"):
            manager_order._request_refund("amount", "other_adjustment", amount=1.01)
        self.assertEqual(len(self.refund_jobs(order)), 1, "the job being sent counts as refunded")

        # eBay has refunds Odoo has not seen yet: eBay's own refusal fails the job with its words
        self.refund_jobs(order).state = "cancelled"
        self.sim_post("/_sim/orders/%s/refund" % order.external_order_id, {"amount": "5.00"})
        job = manager_order._request_refund("full", "buyer_cancel")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "failed")
        self.assertIn("eBay refused the refund", job.last_error)
        self.assertIn("exceeds order amount", job.last_error)
        self.assertFalse(self.credit_notes(order).filtered(lambda note: note.marketplace_refund_source == "issued"))

    def test_only_marketplace_managers_of_the_order_s_company_refund(self):
        order = self.imported_order()
        user = new_test_user(self.env, "refund_user", groups="marketplace_base.group_marketplace_user")
        salesperson = new_test_user(self.env, "refund_sales", groups="sales_team.group_sale_salesman")
        other = self.env["res.company"].create({"name": "Refunds Elsewhere"})
        outsider = new_test_user(self.env, "refund_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[other.id])
        for person in (user, salesperson, outsider):
            with self.assertRaisesRegex(AccessError, REFUND_REFUSED):
                order.with_user(person)._request_refund("full", "buyer_cancel")
        with self.assertRaises(AccessError):
            self.env["marketplace.refund.wizard"].with_user(user).create({"order_id": order.id, "mode": "full",
                                                                          "reason": "buyer_cancel"})
        as_outsider = self.env["marketplace.refund.wizard"].with_user(outsider).with_context(default_order_id=order.id)
        self.assertEqual(Form(as_outsider).amount_remaining, 0.0, "nor sees what is left to refund on it")
        with self.assertRaisesRegex(AccessError, REFUND_REFUSED):
            as_outsider.create({"mode": "full", "reason": "buyer_cancel"})
        self.assertFalse(self.refund_jobs(order))
        wizard = self.env["marketplace.refund.wizard"].with_user(self.manager).create(
            {"order_id": order.id, "mode": "amount", "amount": 1.0, "reason": "shipping_discount"})
        self.assertAlmostEqual(wizard.amount_remaining, order.amount_total, places=2)
        wizard.action_confirm()
        self.assertEqual(self.refund_jobs(order).user_id, self.manager)

    def test_a_refund_job_run_as_a_marketplace_user_sends_nothing(self):
        order = self.imported_order()
        user = new_test_user(self.env, "refund_job_user", groups="marketplace_base.group_marketplace_user")
        job = self.env["marketplace.job"]._enqueue("issue_refund", shop=self.ebay_shop, user=user, payload={
            "order_id": order.id, "amount": "1.00", "lines": [], "reason": "other_adjustment"})
        self.reset_sim_calls()
        self.run_jobs(job_ids=job.ids)
        self.assertIn(job.state, ("failed", "pending"))
        self.assertIn(REFUND_REFUSED, job.last_error or "")
        self.assertFalse(self.sim_calls().get("POST /sell/fulfillment/v1/order/{id}/issue_refund"))
        self.assertFalse(self.credit_notes(order))


    def test_the_wizard_refunds_units_of_lines(self):
        order = self.imported_order()
        line_a = order.line_ids.filtered(lambda line: line.product_id == self.ebay_product_a)
        wizard = Form(self.env["marketplace.refund.wizard"].with_user(self.manager).with_context(
            default_order_id=order.id))
        wizard.mode = "lines"
        wizard.reason = "buyer_return"
        self.assertEqual(len(wizard.line_ids), 2, "one line per order line")
        for index in range(len(wizard.line_ids)):
            with wizard.line_ids.edit(index) as line:
                if line.order_line_id == line_a:
                    line.quantity = 2
        wizard.save().action_confirm()
        job = self.refund_jobs(order)
        self.assertEqual(job._payload()["lines"], [[line_a.external_line_id, "%.2f" % (2 * line_a.price_unit)]])
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.credit_notes(order).invoice_line_ids.mapped(lambda line: (line.product_id,
                                                                                         line.quantity)),
                         [(self.ebay_product_a, 2.0)])


class TestCancellationRefund(CancellationCase):

    def test_an_approved_cancellation_s_refund_is_one_credit_note_linked_to_it(self):
        order = self.imported_order()
        cancellation = self.buyer_requests(order)
        cancellation.with_user(self.mkt_user).action_approve()
        self.run_answer(cancellation)
        self.assertEqual(order.sale_order_id.state, "cancel")
        for _replay in range(2):
            self.pull(payload={"order_ids": [order.external_order_id]})
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(cancellation.credit_note_ids, credit_note)
        self.assertAlmostEqual(credit_note.amount_total, order.amount_total, places=2)


class TestRefundsInPayouts(RefundCase):

    def test_a_booked_payout_settles_the_invoice_and_the_refund_s_posted_credit_note(self):
        order = self.imported_order()
        # refunded before it was invoiced: the credit note reverses no invoice (Odoo reconciles a reversal itself)
        credit_note = order._book_marketplace_refund("R-PAID", 3.0, source="money")
        credit_note.action_post()
        invoice = order.sale_order_id._create_invoices()
        invoice.action_post()
        currency, total = order.currency_id.name, Decimal(str(order.amount_total))
        self.env["marketplace.money.transaction"]._store_mapped(self.ebay_account, [
            MoneyTransaction("S-PAID", "sale", True, total - Decimal("2.00"), currency, datetime(2026, 12, 1),
                             fee=Decimal("2.00"), gross=total, order_ref=order.external_order_id, payout_ref="P-PAID"),
            MoneyTransaction("T-PAID", "refund", False, Decimal("3.00"), currency, datetime(2026, 12, 2),
                             order_ref=order.external_order_id, payout_ref="P-PAID", refund_ref="R-PAID")])
        payout = self.env["marketplace.payout"]._store_mapped(self.ebay_account, [
            MoneyPayout("P-PAID", total - Decimal("5.00"), currency, datetime(2026, 12, 3), "SUCCEEDED", 2)])
        self.env["marketplace.account"]._demo_money_booking(self.ebay_account.ids)
        payout.action_book()
        self.assertEqual(payout.move_id.state, "posted")
        self.assertEqual((invoice.amount_residual, credit_note.amount_residual), (0.0, 0.0),
                         "the sale pays the invoice, the refund's debit meets its credit note")


class TestDisputeRefund(DisputeCase):

    def test_an_accepted_dispute_s_loss_is_one_credit_note(self):
        order = self.imported_order()
        dispute = self.opens(order, "FRAUD", amount="10.00")
        dispute.with_user(self.manager).action_accept()
        self.run_answer(dispute)
        self.pull_disputes()   # a replay
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual((credit_note.marketplace_refund_ref, credit_note.marketplace_refund_source,
                          credit_note.amount_total), ("dispute:%s" % dispute.external_dispute_id, "dispute", 10.0))
