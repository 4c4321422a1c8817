from .common import MarketplaceCase, done_job, sync_lines


class TestDashboardSyncStatus(MarketplaceCase):
    """The card's "Last successful sync": one line per flow, whatever the platform (connectors add schedules)."""

    def test_one_line_per_flow_with_its_last_success(self):
        self.assertEqual(sync_lines(self.shop), [], "nothing synced and nothing scheduled: no flow line")
        self.assertIn("Never", self.shop.sync_status_html)
        done_job(self.shop, "create_sale_orders", 90)
        done_job(self.shop, "create_sale_orders", 3, account_wide=True)
        self.assertEqual(sync_lines(self.shop), [("Create Sale Orders: 3 min ago", "ok", "")],
                         "one line for the flow, with its latest success, account-wide jobs included")

    def test_other_shops_jobs_are_not_this_shops_sync(self):
        other = self.shop.copy({"name": "Other Shop"})
        done_job(other, "create_sale_orders", 5)
        self.assertEqual(sync_lines(self.shop), [])
        self.assertEqual(sync_lines(other), [("Create Sale Orders: 5 min ago", "ok", "")])

    def test_a_flow_without_schedule_is_never_overdue(self):
        done_job(self.shop, "create_sale_orders", 60 * 24 * 40)
        self.assertEqual(sync_lines(self.shop), [("Create Sale Orders: 40 days ago", "ok", "")])
