import json
from datetime import datetime, timedelta
from decimal import Decimal

from freezegun import freeze_time

from odoo import fields
from odoo.tools import format_amount

from ..marketplace_core.money import MoneyPayout, MoneyTransaction
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


class TestDashboardMoney(MarketplaceCase):
    """The card's money lines: the month's fees and charges on the shop's orders, per currency, and the account's
    last payout with whether it adds up."""

    def test_fees_of_the_month_and_the_last_payout(self):
        self.make_order("MONEY-1")
        now = fields.Datetime.now()
        last_month = now.replace(day=1) - timedelta(days=1)
        usd = self.env.ref("base.USD")
        self.env["marketplace.money.transaction"]._store_mapped(self.account, [
            MoneyTransaction("S1", "sale", True, Decimal("86.75"), "USD", now, fee=Decimal("13.25"),
                             gross=Decimal("100.00"), order_ref="MONEY-1", payout_ref="P1"),
            MoneyTransaction("L1", "shipping_label", False, Decimal("4.10"), "USD", now, order_ref="MONEY-1",
                             payout_ref="P1"),
            MoneyTransaction("S0", "sale", True, Decimal("9.00"), "USD", last_month, fee=Decimal("1.00"),
                             order_ref="MONEY-1")])
        self.assertEqual(self.shop.money_fees_month, self.format(17.35, usd), "last month's fee is not counted")
        self.assertFalse(self.shop.money_last_payout)
        self.env["marketplace.payout"]._store_mapped(self.account, [
            MoneyPayout("P1", Decimal("82.65"), "USD", datetime(2026, 12, 2), "SUCCEEDED", 2)])
        self.shop.invalidate_recordset()
        self.assertIn(self.format(82.65, usd), self.shop.money_last_payout)
        self.assertIn("Reconciled", self.shop.money_last_payout)

    def format(self, amount, currency):
        return format_amount(self.env, amount, currency)


class TestDashboardSalesGraph(MarketplaceCase):
    """The card's graph: the last 14 days of sales, each day the seller's own (his timezone, not UTC's)."""

    def test_orders_fall_on_the_sellers_days(self):
        tz = "Pacific/Kiritimati"       # UTC+14: its day starts at 10:00 UTC the day before
        shop = self.shop.with_context(tz=tz)
        day_start = shop._local_day_start()
        self.make_order("TODAY-EARLY", order_date=day_start + timedelta(minutes=30), amount_total=7.0)
        self.make_order("FIRST-DAY", order_date=day_start - timedelta(days=13) + timedelta(minutes=30),
                        amount_total=5.0)
        self.make_order("DAY-BEFORE", order_date=day_start - timedelta(days=13) - timedelta(minutes=30),
                        amount_total=100.0)
        values = json.loads(shop.sales_graph_data)[0]["values"]
        self.assertEqual(len(values), 14)
        self.assertEqual((values[0]["value"], values[-1]["value"]), (5.0, 7.0),
                         "each order on the seller's day it was placed; none from before the 14 days")
        self.assertEqual(sum(value["value"] for value in values), 12.0)

    @freeze_time("2026-11-05 12:00:00")
    def test_the_first_day_starts_at_its_own_midnight_across_a_change_of_summer_time(self):
        shop = self.shop.with_context(tz="Europe/Brussels")   # summer time ended on 25 October 2026
        first_day = datetime(2026, 10, 22, 22, 0)             # 23 October, 00:00 in Brussels (UTC+2 then)
        self.make_order("FIRST-DAY-EARLY", order_date=first_day + timedelta(minutes=30), amount_total=5.0)
        values = json.loads(shop.sales_graph_data)[0]["values"]
        self.assertEqual((values[0]["label"], values[0]["value"]), ("23 Oct", 5.0),
                         "the 14 days start at 23 October's midnight, an hour earlier in UTC than November's")

