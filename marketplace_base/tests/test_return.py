"""marketplace.return without a marketplace: what the connectors report becomes records once, the answers go to
jobs, an approved return gets Odoo's own return picking that a warehouse clerk validates, the deadline filters
and dashboard counters, and who may change what."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import MarketplaceCase, away_from_utc_day, day_of


class TestReturn(MarketplaceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "return_base_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "return_base_manager",
                                    groups="marketplace_base.group_marketplace_manager")
        cls.clerk = new_test_user(cls.env, "return_base_clerk", groups="stock.group_stock_user")
        cls.shop.user_id = cls.user
        cls.shop.auto_confirm = True

    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now()

    def report(self, external_order_id, hours=72, state="requested", **values):
        """The marketplace reports a return of one unit of the order's first line, due in ``hours``."""
        return self.env["marketplace.return"]._sync_from_marketplace(self.shop, [dict({
            "external_return_id": "R-" + external_order_id, "external_order_id": external_order_id,
            "reason": "NOT_AS_DESCRIBED", "buyer_comments": "Scratched", "photo_urls": "https://img/1.jpg",
            "state": state, "external_state": state.upper(), "requested_at": self.now,
            "response_due_at": self.now + timedelta(hours=hours), "closed_at": False, "refund_amount": 0.0,
            "return_tracking_number": False,
            "lines": [{"external_line_id": external_order_id + "-1", "external_item_id": False, "quantity": 1}],
        }, **values)])

    def shipped_order(self, external_id):
        """An order whose sale order's delivery (2 units of SKU-A) is done."""
        order = self.make_order(external_id)
        picking = order._create_sale_order().picking_ids
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return order

    def test_reports_become_records_once_with_items_and_an_activity(self):
        order = self.make_order("RET-1")
        away_from_utc_day(self.user)
        self.assertEqual(self.report("RET-1")["new"], 1)
        self.assertEqual(self.report("RET-1"), {"new": 0, "updated": 0, "unchanged": 1, "unknown_order": []})
        self.assertEqual(self.report("UNKNOWN")["unknown_order"], ["UNKNOWN"])
        record = order.return_ids
        self.assertEqual(len(record), 1)
        self.assertEqual((record.line_ids.order_line_id, record.line_ids.quantity), (order.line_ids, 1))
        self.assertEqual(record.activity_ids.user_id, self.user, "no salesperson yet: the shop's Responsible")
        self.assertEqual(record.activity_ids.date_deadline, day_of(self.user, record.response_due_at))
        self.assertTrue(record.waiting_for_seller)
        self.assertEqual(self.report("RET-1", state="closed")["updated"], 1)
        self.assertEqual(record.state, "closed")
        self.assertFalse(record.activity_ids, "nothing to answer any more")
        self.assertEqual(order.return_count, 1)

    def test_deadline_filters_and_dashboard_counters(self):
        for name, hours in (("RET-LATE", -1), ("RET-SOON", 20), ("RET-LATER", 100)):
            self.make_order(name)
            self.report(name, hours)
        Return = self.env["marketplace.return"]
        by_status = {status: Return.search([("deadline_status", "=", status)]).order_id.mapped(
            "external_order_id") for status in ("overdue", "due_soon", "later")}
        self.assertEqual(by_status, {"overdue": ["RET-LATE"], "due_soon": ["RET-SOON"], "later": ["RET-LATER"]})
        self.assertEqual((self.shop.return_waiting_count, self.shop.return_due_count,
                          self.shop.return_overdue_count), (3, 1, 1))

    def test_approved_return_gets_a_return_picking_a_clerk_validates(self):
        location = self.env["stock.location"].create({"name": "Returns", "usage": "internal",
                                                      "location_id": self.warehouse.view_location_id.id})
        self.shop.return_location_id = location
        order = self.shipped_order("RET-2")
        self.report("RET-2")
        record = order.return_ids.with_user(self.user)
        record.rma_number = "RMA-7"
        record.action_approve()
        self.assertEqual((record.answer, record.answer_job_id.job_type, record.answer_job_id._payload()),
                         ("approve", "answer_return", {"return_id": record.id}))
        with self.assertRaises(UserError):
            record.action_approve()             # answered already
        record.sudo()._answered()
        self.assertEqual(record.state, "approved")
        picking = record.picking_id
        self.assertEqual(picking.picking_type_id, self.warehouse.in_type_id, "Odoo's own return of the delivery")
        self.assertEqual((picking.location_dest_id, picking.move_ids.product_uom_qty), (location, 1))
        self.report("RET-2", state="item_shipped", return_tracking_number="1Z999")
        self.assertEqual((record.picking_id, record.return_tracking_number), (picking, "1Z999"), "one picking")
        clerk_picking = picking.with_user(self.clerk)
        clerk_picking.move_ids.quantity = 1
        clerk_picking.button_validate()
        self.assertEqual(picking.state, "done")
        job = record.received_job_id
        self.assertEqual((job.job_type, job._payload()), ("mark_return_received", {"return_id": record.id}))
        job.sudo().state = "done"
        record.sudo()._picking_done()
        self.assertEqual(record.received_job_id, job, "the marketplace is told once")
        self.assertEqual(self.env["marketplace.job"].search_count([("job_type", "=", "mark_return_received")]), 1)

    def test_decline_and_partial_refund_need_their_details(self):
        order = self.make_order("RET-3")
        self.report("RET-3")
        record = order.return_ids.with_user(self.user)
        with self.assertRaises(UserError):
            record.action_decline()
        with self.assertRaises(UserError):
            record.action_offer_partial_refund()
        record.offer_amount = 31.0
        with self.assertRaises(UserError):
            record.action_offer_partial_refund()  # more than the buyer paid
        record.offer_amount = 5.0
        record.action_offer_partial_refund()
        record.sudo()._answered()
        self.assertEqual(record.state, "partial_offered")
        self.assertFalse(record.picking_id, "the buyer keeps the item")

    def test_an_answerer_without_an_email_address_is_stopped_before_anything_is_sent(self):
        """Odoo refuses a chatter message from an author without an email address: the answer job, run as the
        person who answered, would fail after the marketplace took the answer. The button says so first."""
        order = self.make_order("RET-6")
        self.report("RET-6")
        no_email = new_test_user(self.env, "return_base_no_email", groups="marketplace_base.group_marketplace_user")
        no_email.email = False
        with self.assertRaisesRegex(UserError, "email address"):
            order.return_ids.with_user(no_email).action_approve()
        self.assertFalse(order.return_ids.answer_job_id, "nothing is queued")
        order.return_ids.with_user(self.user).action_approve()
        self.assertTrue(order.return_ids.answer_job_id)

    def test_who_may_do_what(self):
        order = self.make_order("RET-4")
        self.report("RET-4")
        record = order.return_ids.with_user(self.user)
        record.decline_reason = "Used"
        for values in ({"state": "approved"}, {"external_return_id": "X"}, {"refund_amount": 1.0}):
            with self.assertRaises(AccessError):
                record.write(values)
        with self.assertRaises(AccessError):
            self.env["marketplace.return"].with_user(self.user).create({"order_id": order.id})
        with self.assertRaises(AccessError):
            record.unlink()
        salesperson = new_test_user(self.env, "return_base_sales", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            record.with_user(salesperson).action_decline()
        other = self.env["res.company"].create({"name": "Other Returns Co"})
        stranger = new_test_user(self.env, "return_base_other", groups="marketplace_base.group_marketplace_user",
                                 company_id=other.id, company_ids=[other.id])
        self.assertFalse(self.env["marketplace.return"].with_user(stranger).search([("id", "=", record.id)]))
        with self.assertRaises(AccessError):
            record.with_user(stranger).action_decline()
        record.action_decline()
        self.assertEqual(record.answer, "decline")
        record.with_user(self.manager).unlink()
        self.assertFalse(order.return_ids)
