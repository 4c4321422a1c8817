"""eBay records a Marketplace User sees, and those another company's users do not."""
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
