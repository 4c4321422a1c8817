from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import MarketplaceCase


class TestOrderImport(MarketplaceCase):
    """Import Orders by number: what is refused before any job, whatever the platform (the conformance suite
    imports an order by its number on each platform's simulator)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(cls.env, "import_seller", groups="marketplace_base.group_marketplace_user")
        other = cls.env["res.company"].create({"name": "Import Other Company"})
        cls.outsider = new_test_user(cls.env, "import_outsider", groups="marketplace_base.group_marketplace_manager",
                                     company_id=other.id, company_ids=[(6, 0, other.ids)])
        cls.salesperson = new_test_user(cls.env, "import_salesperson", groups="sales_team.group_sale_salesman")

    def _import_as(self, user, text):
        wizard = self.env["marketplace.order.import"].with_user(user).create({"shop_id": self.shop.id,
                                                                              "order_numbers": text})
        return wizard.action_import()

    def _pulls(self):
        return self.env["marketplace.job"].search_count([("shop_id", "=", self.shop.id),
                                                         ("job_type", "=", "pull_orders")])

    def test_an_empty_entry_is_refused(self):
        for typed in (False, " \n , \n"):
            with self.subTest(typed=typed), self.assertRaisesRegex(UserError, "Type the numbers of the orders"):
                self._import_as(self.seller, typed)
        self.assertEqual(self._pulls(), 0)

    def test_a_platform_that_takes_no_order_numbers_is_refused(self):
        self.assertIsNone(self.env["marketplace.platform"]._order_ids_payload_key(), "the neutral platform pulls none")
        with self.assertRaisesRegex(UserError, "does not import orders by their number"):
            self._import_as(self.seller, "A-1")
        self.assertEqual(self._pulls(), 0)

    def test_only_marketplace_users_of_the_shops_company_import(self):
        with self.assertRaisesRegex(AccessError, "import_outsider.* is not one of them"):
            self._import_as(self.outsider, "A-1")
        with self.assertRaisesRegex(AccessError, "import_outsider.* is not one of them"):
            self.shop.with_user(self.outsider).action_open_import_orders()
        with self.assertRaisesRegex(AccessError, "import_salesperson.* is not one of them"):
            self.shop.with_user(self.salesperson)._import_orders_by_number("A-1")
        self.assertEqual(self._pulls(), 0)

    def test_the_shop_opens_the_wizard_on_itself(self):
        action = self.shop.with_user(self.seller).action_open_import_orders()
        self.assertEqual((action["res_model"], action["target"], action["context"]),
                         ("marketplace.order.import", "new", {"default_shop_id": self.shop.id}))

    def test_an_equal_import_queued_meanwhile_closes_the_wizard_with_a_notice(self):
        """The equal job of a concurrent transaction is not readable yet: ``_enqueue`` gives no job back, and the
        wizard says so instead of opening an empty job form."""
        Platform, Job = type(self.env["marketplace.platform"]), type(self.env["marketplace.job"])
        with patch.object(Platform, "_order_ids_payload_key", lambda platform: "order_ids"):
            first = self._import_as(self.seller, "A-1")
            self.assertEqual((first["res_model"], first["view_mode"]), ("marketplace.job", "form"))
            self.assertTrue(first["res_id"])
            with patch.object(Job, "_pending_equal", lambda job, key: job.browse()):
                action = self._import_as(self.seller, "A-1")
        self.assertEqual((action["tag"], action["params"]["next"]), ("display_notification",
                                                                     {"type": "ir.actions.act_window_close"}))
        self.assertEqual(self._pulls(), 1)
