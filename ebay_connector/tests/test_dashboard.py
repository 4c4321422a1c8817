from datetime import timedelta

from odoo import fields

from odoo.addons.marketplace_base.tests.common import done_job, sync_lines

from .common import EbayCase


def flows(shop):
    """{flow label: (line text, status)} of the shop's card."""
    return {text.split(":")[0]: (text, status) for text, status, _classes in sync_lines(shop)}


class TestDashboardFlows(EbayCase):
    """The dashboard card of an eBay shop: one line per flow, and a warning on a flow overdue for its cron."""

    sim_seed = {"items": 1}

    def test_card_shows_one_line_per_flow_and_flags_the_overdue_one(self):
        self.ebay_shop.write({"odoo_owns_stock": False, "ebay_order_pull_interval": 2})
        done_job(self.ebay_shop, "pull_orders", 3)
        done_job(self.ebay_shop, "backfill_listings", 3 * 24 * 60)      # a daily cron: late after 2 days
        done_job(self.ebay_shop, "import_categories", 61, account_wide=True)  # on demand: never late
        self.assertEqual(sync_lines(self.ebay_shop), [
            ("Backfill Listings: 3 days ago - overdue", "overdue", "text-warning fw-bold"),
            ("Import Categories: 1 h ago", "ok", ""),
            ("Pull Orders: 3 min ago", "ok", ""),
        ])
        done_job(self.ebay_shop, "pull_orders", 13)
        self.assertEqual(sync_lines(self.ebay_shop)[2], ("Pull Orders: 3 min ago", "ok", ""), "the latest counts")

    def test_a_scheduled_flow_that_never_ran_is_overdue_once_it_is_late(self):
        self.ebay_shop.odoo_owns_stock = True   # the 10-minute stock and price sweep now runs for the shop
        self.assertEqual(flows(self.ebay_shop)["Push Stock"], ("Push Stock: never", "never"),
                         "a new shop is not late yet")
        self.env.flush_all()
        self.env.cr.execute("UPDATE marketplace_shop SET create_date = %s WHERE id = %s",
                            [fields.Datetime.now() - timedelta(hours=1), self.ebay_shop.id])
        self.ebay_shop.invalidate_recordset(["create_date"])
        lines = flows(self.ebay_shop)
        self.assertEqual(lines["Push Stock"], ("Push Stock: never - overdue", "overdue"))
        self.assertEqual(lines["Push Prices"], ("Push Prices: never - overdue", "overdue"))
        self.env.ref("ebay_connector.ir_cron_ebay_push_stock_and_prices").active = False
        self.assertNotIn("Push Stock", flows(self.ebay_shop), "a flow whose cron is off has no schedule to be late for")
