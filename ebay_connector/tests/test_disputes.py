"""Payment disputes through the simulator's Fulfillment API: a dispute becomes a record with its deadline and a
manager's reminder 48 h before it, Accept / Contest (with evidence from the record's attachments) answer eBay once,
the outcome is kept, replays change nothing, and only managers of the company answer."""
import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.tests.common import away_from_utc_day, day_of

from .test_orders import OrdersCase

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
ACCEPT = "POST /sell/fulfillment/v1/payment_dispute/{id}/accept"
CONTEST = "POST /sell/fulfillment/v1/payment_dispute/{id}/contest"
UPLOAD = "POST /sell/fulfillment/v1/payment_dispute/{id}/upload_evidence_file"
GET = "GET /sell/fulfillment/v1/payment_dispute/{id}"
ADD = "POST /sell/fulfillment/v1/payment_dispute/{id}/add_evidence"


class DisputeCase(OrdersCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "dispute_mkt_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "dispute_mkt_manager",
                                    groups="marketplace_base.group_marketplace_manager")
        cls.salesperson = new_test_user(cls.env, "dispute_salesperson", groups="sales_team.group_sale_salesman")

    def setUp(self):
        super().setUp()
        self.ebay_account.ebay_disputes_synced_until = self.started
        self.ebay_shop.user_id = self.manager

    def imported_order(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.pull()
        return self.order(external_id)

    def pull_disputes(self):
        job = self.env["marketplace.job"]._enqueue("pull_disputes", account=self.ebay_account)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def opens(self, order, reason="FRAUD", hours=7 * 24, **values):
        """eBay opens a dispute on the order, due in ``hours``; Odoo pulls it; returns the dispute record."""
        due = fields.Datetime.now() + timedelta(hours=hours)
        self.sim_post("/_sim/payment_disputes", dict(values, orderId=order.external_order_id, reason=reason,
                                                      respondByDate=due.strftime("%Y-%m-%dT%H:%M:%S.000Z")))
        self.pull_disputes()
        return order.dispute_ids

    def run_answer(self, dispute):
        job = dispute.answer_job_id
        self.assertTrue(job, "the answer went to a job")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def attach(self, dispute, name, content, mimetype):
        return self.env["ir.attachment"].with_user(self.manager).create({
            "name": name, "datas": base64.b64encode(content), "mimetype": mimetype,
            "res_model": "marketplace.dispute", "res_id": dispute.id})


class TestDisputes(DisputeCase):

    def test_dispute_appears_with_deadline_and_reminder_and_accept_is_sent_once(self):
        order = self.imported_order()
        away_from_utc_day(self.manager)
        dispute = self.opens(order, "FRAUD", hours=36, amount="10.00")
        self.assertEqual(len(dispute), 1)
        self.assertEqual((dispute.state, dispute.reason, dispute.amount, dispute.external_reason),
                         ("action_needed", "fraud", 10.0, "FRAUD"))
        self.assertTrue(dispute.waiting_for_seller)
        self.assertEqual(dispute.deadline_status, "due_soon")
        self.assertEqual(dispute.activity_ids.user_id, self.manager)
        self.assertEqual(dispute.activity_ids.date_deadline, day_of(self.manager, fields.Datetime.now()),
                         "due 36 h from now: the 48 h reminder is due today, the manager's today")
        self.assertEqual((self.ebay_shop.dispute_waiting_count, self.ebay_shop.dispute_due_count,
                          self.ebay_shop.dispute_overdue_count), (1, 1, 0))
        self.assertEqual(order.dispute_count, 1)
        order.sale_order_id.user_id = self.mkt_user
        self.assertEqual(order.sale_order_id.with_user(self.mkt_user).marketplace_dispute_count, 1)
        self.assertIn(dispute, self.env["marketplace.dispute"].with_user(self.manager).search(
            [("waiting_for_seller", "=", True), ("responsible_user_id", "=", self.manager.id)]),
            "Waiting for me")

        messages, written = len(dispute.message_ids), dispute.write_date
        self.reset_sim_calls()
        self.ebay_account.ebay_disputes_synced_until = self.started   # the same window again: the search finds it
        self.pull_disputes()          # a replay changes nothing (and needs no detail read)
        self.assertEqual((len(order.dispute_ids), len(dispute.activity_ids), len(dispute.message_ids)),
                         (1, 1, messages))
        self.assertFalse(self.sim_calls().get(GET))
        self.assertEqual(dispute.write_date, written)

        dispute.with_user(self.manager).action_accept()
        self.assertFalse(dispute.waiting_for_seller)
        with self.assertRaises(UserError):   # answered already
            dispute.with_user(self.manager).action_accept()
        self.reset_sim_calls()
        job = self.run_answer(dispute)
        self.assertEqual(self.sim_calls().get(ACCEPT), 1)
        self.assertEqual((dispute.state, dispute.outcome, dispute.lost_amount), ("closed", "accepted", 10.0))
        self.assertFalse(dispute.activity_ids, "the reminder is done once answered")
        self.assertIn("taken back by the marketplace", order.message_ids[0].body)

        self.reset_sim_calls()
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)       # the same answer again: nothing sent
        self.pull_disputes()
        self.assertFalse(self.sim_calls().get(ACCEPT))
        self.assertEqual(dispute.outcome, "accepted")

    def test_contest_uploads_the_chosen_evidence_once_and_the_outcome_is_kept(self):
        order = self.imported_order()
        dispute = self.opens(order, "COUNTERFEIT")
        self.assertEqual(dispute.evidence_requested, "PROOF_OF_AUTHENTICITY")
        with self.assertRaises(UserError):    # eBay asks for evidence: none chosen
            dispute.with_user(self.manager).action_contest()
        pdf = self.attach(dispute, "invoice.pdf", b"%PDF-1.4 invoice", "application/pdf")
        dispute.with_user(self.manager).evidence_attachment_ids = pdf
        dispute.with_user(self.manager).action_contest()
        self.reset_sim_calls()
        self.run_answer(dispute)
        self.assertFalse(self.sim_calls().get(UPLOAD), "a file eBay does not take is not sent")
        self.assertIn("JPG and PNG", dispute.message_ids[0].body)
        self.assertTrue(dispute.waiting_for_seller, "refused: the manager may answer again")

        png = self.attach(dispute, "certificate.png", PNG, "image/png")
        dispute.with_user(self.manager).write({"evidence_attachment_ids": [(6, 0, png.ids)],
                                               "note": "Authentic: see the certificate."})
        dispute.with_user(self.manager).action_contest()
        self.reset_sim_calls()
        self.run_answer(dispute)
        calls = self.sim_calls()
        self.assertEqual((calls.get(UPLOAD), calls.get(ADD), calls.get(CONTEST)), (1, 1, 1))
        self.assertEqual((dispute.state, dispute.external_state), ("open", "OPEN"))
        self.assertEqual(dispute.evidence_sent_ids, png)

        self.sim_post("/_sim/payment_disputes/%s/close" % dispute.external_dispute_id, {"outcome": "SELLER_LOST"})
        self.pull_disputes()
        self.assertEqual((dispute.state, dispute.outcome, dispute.lost_amount),
                         ("closed", "lost", order.amount_total))
        self.pull_disputes()
        self.assertEqual(dispute.outcome, "lost")

    def test_an_answer_after_the_deadline_is_refused_and_recorded(self):
        order = self.imported_order()
        dispute = self.opens(order, "FRAUD", hours=-1)
        self.assertEqual(dispute.deadline_status, "overdue")
        self.assertEqual(self.ebay_shop.dispute_overdue_count, 1)
        dispute.with_user(self.manager).action_accept()
        self.run_answer(dispute)
        self.assertFalse(dispute.answer, "eBay refused: the manager may try again")
        self.assertIn("Invalid payment dispute state", dispute.message_ids.mapped("body")[0])

    def test_a_contest_whose_answer_is_lost_is_read_back_not_sent_again(self):
        order = self.imported_order()
        dispute = self.opens(order, "COUNTERFEIT")
        png = self.attach(dispute, "certificate.png", PNG, "image/png")
        dispute.with_user(self.manager).evidence_attachment_ids = png
        dispute.with_user(self.manager).action_contest()
        # Odoo's test harness lifts any timeout under 10 s to 10 s: the unanswered call costs that long
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "10")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {
            "path": "/sell/fulfillment/v1/payment_dispute/*/contest", "method": "POST"}})
        self.reset_sim_calls()
        self.run_answer(dispute)      # eBay contested it, its answer never came: read back, not sent again
        calls = self.sim_calls()
        self.assertEqual((calls.get(UPLOAD), calls.get(ADD), calls.get(CONTEST)), (1, 1, 1))
        self.assertEqual((dispute.state, dispute.answer), ("open", "contest"))

    def test_a_dispute_of_an_order_not_imported_yet_waits_for_it(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.sim_post("/_sim/payment_disputes", {"orderId": external_id})
        self.pull_disputes()
        self.assertFalse(self.env["marketplace.dispute"].search([("external_dispute_id", "!=", False),
                                                                  ("order_id.external_order_id", "=", external_id)]))
        self.assertLessEqual(self.ebay_account.ebay_disputes_synced_until, fields.Datetime.now())
        self.pull()
        self.pull_disputes()
        self.assertEqual(len(self.order(external_id).dispute_ids), 1)


class TestWhoAnswers(DisputeCase):

    def test_managers_answer_users_read_other_companies_see_nothing(self):
        order = self.imported_order()
        dispute = self.opens(order)
        self.assertEqual(dispute.with_user(self.mkt_user).reason, "fraud")
        with self.assertRaises(AccessError):      # a Marketplace User reads, does not answer
            dispute.with_user(self.mkt_user).action_accept()
        with self.assertRaises(AccessError):
            dispute.with_user(self.mkt_user).write({"note": "mine"})
        with self.assertRaises(AccessError):      # a salesperson without marketplace rights
            dispute.with_user(self.salesperson).read(["reason"])
        with self.assertRaises(AccessError):      # what eBay says is not changed by hand, even by a manager
            dispute.with_user(self.manager).write({"state": "closed"})
        with self.assertRaises(AccessError):
            self.env["marketplace.dispute"].with_user(self.manager).create(
                {"order_id": order.id, "external_dispute_id": "X", "currency_id": order.currency_id.id})
        other_order_file = self.env["ir.attachment"].create({"name": "elsewhere.png", "datas": base64.b64encode(PNG),
                                                             "res_model": "marketplace.order", "res_id": order.id})
        with self.assertRaises(UserError):        # evidence is the dispute's own attachments
            dispute.with_user(self.manager).evidence_attachment_ids = other_order_file
        other = self.env["res.company"].create({"name": "Dispute Other Co"})
        outsider = new_test_user(self.env, "dispute_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        self.assertFalse(self.env["marketplace.dispute"].with_user(outsider).search([("id", "=", dispute.id)]))
        with self.assertRaises(AccessError):
            dispute.with_user(outsider).action_accept()
        dispute.with_user(self.manager).action_accept()
        self.assertEqual(dispute.answered_by_id, self.manager)
        self.assertEqual(dispute.answer_job_id.user_id, self.manager, "the job runs as who answered")
        self.run_answer(dispute)
        self.assertEqual(dispute.outcome, "accepted")
