"""Refunds through the simulator: every refund eBay reports (getOrders' refunds, Finances REFUND transactions)
becomes one draft credit note carrying eBay's refund id, whatever the pulls and replays; a refund issued from Odoo
goes to eBay's issue_refund once, within what the buyer paid, and only for Marketplace Managers."""
import psycopg2

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .test_orders import OrdersCase


class RefundCase(OrdersCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.ebay_product_a | cls.ebay_product_b).invoice_policy = "order"   # invoiced before delivery

    def imported_order(self):
        """An eBay order of two units of A and one of B, made now and imported with its sale order."""
        external_id = self.sim_order([(self.sku_a, 2), (self.sku_b, 1)], tax=False)
        self.assertEqual(self.pull().state, "done")
        order = self.order(external_id)
        self.assertTrue(order.sale_order_id, order.error_message)
        return order

    def pull_money(self):
        job = self.env["marketplace.job"]._enqueue("pull_finances", account=self.ebay_account)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

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
