"""eBay records a Marketplace User sees, and those another company's users do not."""
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import EbayCase


class TestEbaySecurity(EbayCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "ebay_user", groups="marketplace_base.group_marketplace_user")
        cls.notification = cls.env["ebay.notification"].create({
            "notification_id": "sec-notification-1", "topic": "ORDER_CONFIRMATION", "payload": "{}",
            "account_id": cls.ebay_account.id,
        })

    def test_other_company_does_not_see_the_notifications(self):
        other = self.env["res.company"].create({"name": "Other Co B"})
        outsider = new_test_user(self.env, "ebay_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        Notification = self.env["ebay.notification"]
        domain = [("id", "=", self.notification.id)]
        self.assertEqual(Notification.with_user(self.user).search(domain), self.notification)
        self.assertFalse(Notification.with_user(outsider).search(domain))

    def test_marketplace_user_sees_the_notifications_menu(self):
        menu = self.env.ref("ebay_connector.menu_ebay_notification")
        visible = self.env["ir.ui.menu"].with_user(self.user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertIn(menu.parent_id.id, visible)

    def test_a_marketplace_user_cannot_start_what_only_managers_may_write(self):
        """Import Categories (the category tree) and Pull Money (payouts) run with the pressing person's rights:
        a Marketplace User's press is refused at once, not queued to fail (a rehearsal saw both jobs fail)."""
        Job = self.env["marketplace.job"]
        before = Job.search_count([])
        with self.assertRaisesRegex(AccessError, "Only a Marketplace Manager can start Import Categories"):
            self.ebay_shop.with_user(self.user).with_context(ebay_job_type="import_categories").action_ebay_enqueue()
        with self.assertRaisesRegex(AccessError, "Only a Marketplace Manager can start Pull Money"):
            self.ebay_account.with_user(self.user).action_ebay_pull_finances()
        self.assertEqual(Job.search_count([]), before, "nothing queued")
        manager = new_test_user(self.env, "ebay_money_manager", groups="marketplace_base.group_marketplace_manager")
        self.ebay_account.with_user(manager).action_ebay_pull_finances()
        self.assertEqual(Job.search([], order="id desc", limit=1).user_id, manager)
