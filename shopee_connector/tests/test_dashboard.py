from datetime import timedelta

from odoo import fields

from odoo.addons.marketplace_base.tests.common import done_job, sync_lines

from .common import ShopeeCase


class TestShopeeDashboard(ShopeeCase):
    """A Shopee shop's card shows its flows like any other platform's, overdue ones flagged."""

    def test_card_lines_and_the_overdue_sweep(self):
        self.env.flush_all()
        self.env.cr.execute("UPDATE marketplace_shop SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=1), self.shopee_shop.id])
        self.shopee_shop.invalidate_recordset(["create_date"])
        done_job(self.shopee_shop, "pull_orders", 3)
        done_job(self.shopee_shop, "push_stock", 25)     # the sweep runs every 10 minutes: late after 20
        self.assertEqual(sync_lines(self.shopee_shop), [
            ("Pull Orders: 3 min ago", "ok", ""),
            ("Push Prices: never - overdue", "overdue", "text-warning fw-bold"),
            ("Push Stock: 25 min ago - overdue", "overdue", "text-warning fw-bold"),
        ])
