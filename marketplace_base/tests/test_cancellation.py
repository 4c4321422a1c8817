"""marketplace.cancellation without a marketplace: what the connectors report becomes records once, the
deadline filters and dashboard counters, and who may change what."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import MarketplaceCase


class TestCancellation(MarketplaceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "cancel_base_user", groups="marketplace_base.group_marketplace_user")
        cls.shop.user_id = cls.user

    def setUp(self):
        super().setUp()
        # one moment for the whole test: a report made a second later with the "same" deadline is a change
        self.now = fields.Datetime.now()

    def report(self, external_order_id, hours, state="requested", cancel_id=None):
        """The marketplace reports a buyer's request of that order, due in ``hours`` (from the test's moment)."""
        now = self.now
        return self.env["marketplace.cancellation"]._sync_from_marketplace(self.shop, [{
            "external_cancel_id": cancel_id or "C-" + external_order_id, "external_order_id": external_order_id,
            "requester": "buyer", "reason": "ORDER_MISTAKE", "state": state, "external_state": state.upper(),
            "requested_at": now, "response_due_at": now + timedelta(hours=hours), "closed_at": False,
            "refund_amount": 30.0}])

    def test_reports_become_records_once_with_an_activity_for_the_shops_responsible(self):
        order = self.make_order("CAN-1")
        self.assertEqual(self.report("CAN-1", 72)["new"], 1)
        self.assertEqual(self.report("CAN-1", 72), {"new": 0, "updated": 0, "unchanged": 1, "unknown_order": []})
        self.assertEqual(self.report("UNKNOWN", 72)["unknown_order"], ["UNKNOWN"])
        cancellation = order.cancellation_ids
        self.assertEqual(len(cancellation), 1)
        self.assertEqual(cancellation.activity_ids.user_id, self.user, "no salesperson yet: the shop's Responsible")
        self.assertEqual(cancellation.responsible_user_id, self.user)
        self.assertEqual(self.report("CAN-1", 72, state="closed")["updated"], 1)
        self.assertEqual(cancellation.state, "closed")
        self.assertFalse(cancellation.activity_ids, "nothing to answer any more")
        self.assertNotEqual(order.state, "cancelled", "a closed request leaves the order")

    def test_completed_cancels_the_order(self):
        order = self.make_order("CAN-2")
        self.report("CAN-2", 72)
        self.report("CAN-2", 72, state="completed")
        self.assertEqual(order.state, "cancelled")

    def test_deadline_filters_and_dashboard_counters(self):
        for name, hours in (("CAN-LATE", -1), ("CAN-SOON", 20), ("CAN-LATER", 100)):
            self.make_order(name)
            self.report(name, hours)
        Cancellation = self.env["marketplace.cancellation"]
        by_status = {status: Cancellation.search([("deadline_status", "=", status)]).order_id.mapped(
            "external_order_id") for status in ("overdue", "due_soon", "later")}
        self.assertEqual(by_status, {"overdue": ["CAN-LATE"], "due_soon": ["CAN-SOON"], "later": ["CAN-LATER"]})
        self.assertEqual((self.shop.cancellation_waiting_count, self.shop.cancellation_due_count,
                          self.shop.cancellation_overdue_count), (3, 1, 1))
        mine = Cancellation.with_user(self.user).search([("waiting_for_seller", "=", True),
                                                         ("responsible_user_id", "=", self.user.id)])
        self.assertEqual(len(mine), 3, "Waiting for me")

    def test_only_reasons_are_written_by_hand(self):
        order = self.make_order("CAN-3")
        self.report("CAN-3", 72)
        cancellation = order.cancellation_ids.with_user(self.user)
        cancellation.reject_reason = "seller_declined"
        for values in ({"state": "approved"}, {"external_cancel_id": "X"}, {"response_due_at": False}):
            with self.assertRaises(AccessError):
                cancellation.write(values)
        with self.assertRaises(AccessError):
            self.env["marketplace.cancellation"].with_user(self.user).create(
                {"order_id": order.id, "requester": "buyer", "state": "requested"})
        with self.assertRaises(UserError):
            cancellation.action_send_request()          # not the seller's own
        stranger = new_test_user(self.env, "cancel_base_sales", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            cancellation.with_user(stranger).action_reject()
