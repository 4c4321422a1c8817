"""Issue 22, Shopee's part: what Shopee paid lands in Odoo — each released escrow a sale of its order, net of
Shopee's fees, and each wallet withdrawal a payout checked against the escrows and adjustments it pays, to the
cent, once each however often the pull runs; a reconciled payout books in one balanced entry. Through the
simulator's payment API (``shopee_sim/payments.py``) and the real job engine."""
import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.tests.common import assert_month_books, book_as_people_would
from odoo.addons.marketplace_simulators.shopee_sim.month import make_month

from .common import ShopeeCase


class ShopeeMoneyCase(ShopeeCase):
    def pull_money(self):
        job = self.enqueue_and_run("pull_finances")
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def stored(self, model):
        return self.env[model].search([("account_id", "=", self.shopee_account.id)])

    def pulled_orders(self, *lines):
        sns = [self.sim_post("/_sim/orders", {"lines": [line]})["order_sn"] for line in lines]
        self.enqueue_and_run("pull_orders")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(sorted(orders.mapped("external_order_id")), sorted(sns))
        return sns, orders


class TestShopeeMoney(ShopeeMoneyCase):
    def test_escrows_become_sales_of_their_orders_and_a_withdrawal_reconciles_to_the_cent_once(self):
        (free, vouchers, bundle, later), orders = self.pulled_orders([800001, 0, 1], [800002, 900001, 2],
                                                                     [800003, 0, 1], [800002, 900002, 1])
        self.sim_post("/_sim/payments/release", {"order_sns": [free, vouchers], "scenarios": {
            free: "free_shipping", vouchers: "vouchers"}})
        self.pull_money()
        sales = self.stored("marketplace.money.transaction")
        self.assertEqual(sorted(sales.mapped("external_order_id")), sorted([free, vouchers]))
        self.assertEqual(sales.mapped("kind"), ["sale", "sale"])
        self.assertEqual(sales.marketplace_order_id, orders.filtered(lambda o: o.external_order_id in (free, vouchers)),
                         "every escrow names its order in Odoo")
        self.assertEqual(sales.shop_id, self.shopee_shop)
        for sale in sales:
            self.assertGreater(sale.fee_amount, 0)
            self.assertEqual(sale.currency_id.name, "THB")
        free_sale = sales.filtered(lambda t: t.external_order_id == free)
        self.assertEqual(free_sale.external_id, "10001-escrow-%s" % free)
        self.assertAlmostEqual(free_sale.gross_amount, 1290.0, 2, "free shipping: the buyer paid the item only")
        self.assertAlmostEqual(free_sale.amount, 1290.0 - free_sale.fee_amount, 2, "Shopee's rebate paid the courier")
        self.assertFalse(self.stored("marketplace.payout"), "nothing withdrawn yet")
        self.assertTrue(self.shopee_shop.shopee_escrows_synced_until)

        self.sim_post("/_sim/payments/release", {"order_sns": [bundle], "scenarios": {bundle: "bundle_deal"}})
        withdrawal = self.sim_post("/_sim/payments/payout", {"adjustments": [{"amount": -3.25, "reason": "Late"}]})
        self.pull_money()
        payout = self.stored("marketplace.payout")
        self.assertEqual(payout.external_id, "10001-withdrawal-%s" % withdrawal["withdrawal_id"])
        self.assertEqual((payout.check_state, payout.difference, payout.status), ("reconciled", 0.0, "COMPLETED"))
        self.assertAlmostEqual(payout.amount, withdrawal["amount"], 2)
        transactions = self.stored("marketplace.money.transaction")
        self.assertEqual(payout.transaction_ids, transactions, "it pays the escrows stored before it, and after")
        self.assertEqual(sorted(transactions.mapped("kind")), ["adjustment", "sale", "sale", "sale"])
        self.assertAlmostEqual(payout.amount, sum(transactions.mapped("signed_amount")), 2)

        self.sim_post("/_sim/calls/reset", {})
        self.pull_money()
        self.assertEqual(self.stored("marketplace.money.transaction"), transactions, "a replay stores nothing twice")
        self.assertEqual(self.stored("marketplace.payout"), payout)
        self.assertEqual(payout.transaction_ids, transactions, "nor unlinks what it paid")
        calls = self.sim_calls()
        self.assertFalse(calls.get("/api/v2/payment/get_escrow_detail_batch"), "known escrows are not read again")
        self.assertTrue(calls.get("/api/v2/payment/get_escrow_list"), "the escrows are read again")

        # after the withdrawal: an escrow waits in the wallet for the next one, which pays it alone
        self.sim_post("/_sim/payments/release", {"order_sns": [later], "scenarios": {later: "plain"}})
        self.pull_money()
        pending = self.stored("marketplace.money.transaction") - transactions
        self.assertEqual((pending.external_order_id, pending.payout_id.id), (later, False))
        self.assertEqual(payout.transaction_ids, transactions)
        second = self.sim_post("/_sim/payments/payout", {})
        self.pull_money()
        new_payout = self.stored("marketplace.payout") - payout
        self.assertEqual((new_payout.transaction_ids, new_payout.check_state), (pending, "reconciled"))
        self.assertAlmostEqual(new_payout.amount, second["amount"], 2)
        self.assertEqual((payout.transaction_ids, payout.check_state), (transactions, "reconciled"))


class TestShopeeOrderTotals(ShopeeMoneyCase):
    def test_pull_money_is_a_managers_button(self):
        """Pull Money stores payouts and transactions, which Marketplace Users only read: the job runs with the
        pressing person's rights, so a Marketplace User's press is refused at once (it queued a job that failed)."""
        user = new_test_user(self.env, "shopee_money_user", groups="marketplace_base.group_marketplace_user")
        manager = new_test_user(self.env, "shopee_money_manager", email="money@example.com",
                                groups="marketplace_base.group_marketplace_manager")
        with self.assertRaisesRegex(AccessError, "Only a Marketplace Manager can start Pull Money"):
            self.shopee_shop.with_user(user).with_context(shopee_job_type="pull_finances").action_shopee_enqueue()
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "pull_finances")]))
        self.pulled_orders([800001, 0, 1])
        self.sim_post("/_sim/payments/release", {})
        self.sim_post("/_sim/payments/payout", {})
        self.shopee_account.money_journal_id = self.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", self.env.company.id)], limit=1)
        press = self.shopee_shop.with_user(manager).with_context(shopee_job_type="pull_finances")
        action = press.action_shopee_enqueue()
        job = self.env["marketplace.job"].browse(action["res_id"])
        with self.assertNoLogs("odoo.tools.translate", "WARNING"):   # the log lines are worded in a language
            self.run_jobs(job_ids=job.ids)
        self.assertEqual((job.user_id, job.state), (manager, "done"), job.last_error)
        self.assertEqual(self.stored("marketplace.payout").check_state, "reconciled")
        self.assertIn("not booked", " ".join(job.log_ids.mapped("message")), "left to a person, and said so")

    def test_sale_orders_add_up_to_what_the_buyer_paid_and_a_later_difference_is_flagged(self):
        self.shopee_shop.pricelist_id = self.env["product.pricelist"].create({
            "name": "Shopee THB", "currency_id": self.shopee_shop.currency_id.id})   # sale orders in baht
        scenarios = ("plain", "free_shipping", "vouchers", "bundle_deal")
        lines = [[800002, 900001, 3], [800001, 0, 1], [800002, 900001, 1]]   # one model on two lines
        sns = [self.sim_post("/_sim/orders", {"lines": lines, "scenario": scenario})["order_sn"]
               for scenario in scenarios]
        self.sim_post("/_sim/calls/reset", {})
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls().get("/api/v2/payment/get_escrow_detail_batch"), 1, "one call per 50")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shopee_shop.id)])
        for order_sn, scenario in zip(sns, scenarios, strict=True):
            order = orders.filtered(lambda o, sn=order_sn: o.external_order_id == sn)
            self.assertEqual(len(order.line_ids), 3, scenario)
            shopee_total = json.loads(order.raw_payload)["total_amount"]    # get_order_detail's, as Shopee sent it
            self.assertAlmostEqual(order.sale_order_id.amount_total, shopee_total, 2, scenario)
            self.assertFalse(order.total_mismatch, scenario)
        free = orders.filtered(lambda o: o.external_order_id == sns[1])
        self.assertFalse(free.sale_order_id.order_line.filtered("is_delivery"), "free shipping: the buyer paid none")
        vouchers = orders.filtered(lambda o: o.external_order_id == sns[2])
        discount = vouchers.sale_order_id.order_line.filtered(
            lambda line: line.product_id == self.env.ref("marketplace_base.product_marketplace_discount"))
        self.assertEqual(discount.price_subtotal, -90.0, "vouchers and coins")

        # Shopee's amounts change after the sale order was made (here: the order becomes a bundle deal)
        plain = orders.filtered(lambda o: o.external_order_id == sns[0])
        self.sim_post("/_sim/payments/release", {"order_sns": [sns[0]], "scenarios": {sns[0]: "bundle_deal"}})
        self.enqueue_and_run("pull_orders")
        self.assertTrue(plain.total_mismatch, "a real difference is still flagged")
        self.assertGreater(plain.total_difference, 0, "the sale order exceeds what the buyer now paid")


class TestShopeeGeneratedMonth(ShopeeMoneyCase):
    def test_a_month_of_orders_refunds_and_ads_books_every_withdrawal_to_the_cent(self):
        self.shopee_shop.pricelist_id = self.env["product.pricelist"].create({
            "name": "Shopee THB", "currency_id": self.shopee_shop.currency_id.id})
        month = make_month(self.sim_post, orders=40, refunds=4, ad_fees=3, payouts=2)
        self.enqueue_and_run("pull_orders")
        self.pull_money()
        self.env["marketplace.account"]._demo_money_booking(self.shopee_account.ids)
        payouts = assert_month_books(self, self.shopee_account, self.shopee_shop, month)
        self.assertEqual(sorted(payouts.mapped("amount")), sorted(payout["amount"] for payout in month["payouts"]))
        self.assertEqual(len(payouts.transaction_ids.filtered(lambda t: t.kind == "sale")), 40)
        self.assertEqual(len(payouts.transaction_ids.filtered(lambda t: t.fee_type == "PAID_ADS_CHARGE")), 3)


class TestShopeeBookedMoney(ShopeeMoneyCase):
    def test_a_reconciled_withdrawal_is_booked_once_and_balances(self):
        (first, second), orders = self.pulled_orders([800001, 0, 1], [800002, 900002, 1])
        self.assertEqual(len(orders.sale_order_id), 2, orders.mapped("error_message"))
        self.sim_post("/_sim/payments/release", {"scenarios": {first: "vouchers", second: "free_shipping"}})
        withdrawal = self.sim_post("/_sim/payments/payout", {"adjustments": [{"amount": -10, "reason": "Ads"}]})
        self.env["marketplace.account"]._demo_money_booking(self.shopee_account.ids)
        job = self.pull_money()
        payout = self.stored("marketplace.payout")
        move, _manager = book_as_people_would(self, payout, job)
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0, 2)
        in_transit = move.line_ids.filtered(lambda line: line.account_id == self.shopee_account.money_payout_account_id)
        self.assertAlmostEqual(sum(in_transit.mapped("amount_currency")), withdrawal["amount"], 2)
        sales = payout.transaction_ids.filtered(lambda t: t.kind == "sale")
        fees = move.line_ids.filtered(lambda line: line.account_id == self.shopee_account.money_fee_account_id)
        self.assertAlmostEqual(sum(fees.mapped("amount_currency")),
                               sum(sales.mapped("gross_amount")) - sum(sales.mapped("amount")) + 10, 2)
        receivable = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertAlmostEqual(sum(receivable.mapped("amount_currency")), -sum(sales.mapped("gross_amount")), 2)
        self.assertEqual(receivable.partner_id, orders.sale_order_id.partner_invoice_id.commercial_partner_id)
