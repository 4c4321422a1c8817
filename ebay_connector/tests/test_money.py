"""Issue 22 (first part): what eBay paid lands in Odoo — its money transactions and payouts, once each, every
payout checked against its transactions to the cent, EU/UK sellers' calls signed. Through the simulator's
Finances API (``ebay_sim/finances.py``) and the real job engine."""
from datetime import datetime
from decimal import Decimal

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.marketplace_core.money import MoneyPayout, MoneyTransaction
from odoo.addons.marketplace_base.tests.common import assert_month_books, book_as_people_would
from odoo.addons.marketplace_simulators.ebay_sim.month import make_month

from .common import EbayCase


class MoneyCase(EbayCase):
    def pull_money(self):
        job = self.env["marketplace.job"]._enqueue("pull_finances", account=self.ebay_account)
        self.run_jobs()
        return job

    def stored(self, model):
        return self.env[model].search([("account_id", "=", self.ebay_account.id)])


class TestGeneratedMonth(MoneyCase):
    def test_a_month_of_orders_refunds_and_ad_fees_books_every_payout_to_the_cent(self):
        self.ebay_shop.ebay_order_initial_days = 60   # the demo orders are up to 30 days old
        month = make_month(self.sim_post, orders=40, refunds=4, ad_fees=3, payouts=2)
        self.enqueue_and_run("pull_orders")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id)])
        known = set(self.env["product.product"].search([]).mapped("default_code"))
        for sku in set(orders.line_ids.mapped("external_sku")) - known:   # the seller's catalogue
            self._make_product(sku, 100)
        orders.action_retry()
        self.assertEqual(self.pull_money().state, "done")
        self.env["marketplace.account"]._demo_money_booking(self.ebay_account.ids)
        payouts = assert_month_books(self, self.ebay_account, self.ebay_shop, month)
        self.assertEqual(len(self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id)])), 45)
        self.assertEqual(sorted(payouts.mapped("amount")),
                         sorted(float(payout["amount"]["value"]) for payout in month["payouts"]))
        kinds = payouts.transaction_ids.mapped("kind")
        self.assertEqual((kinds.count("refund"), kinds.count("non_sale_charge")), (4, 3))


class TestMoney(MoneyCase):
    def test_transactions_and_payouts_are_stored_once_linked_and_checked(self):
        self.ebay_shop.ebay_order_initial_days = 60   # the demo orders are up to 30 days old
        self.enqueue_and_run("pull_orders")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id)])
        self.assertEqual(len(orders), 5)
        refunded = orders[0]
        self.sim_post("/_sim/finances/book", {"refunds": [{"orderId": refunded.external_order_id, "amount": "4.00"}],
                                              "charges": [{"feeType": "AD_FEE", "amount": "1.99"}]})
        job = self.pull_money()
        self.assertEqual(job.state, "done", job.last_error)
        transactions = self.stored("marketplace.money.transaction")
        self.assertEqual(sorted(transactions.mapped("kind")), ["non_sale_charge", "refund"] + ["sale"] * 5)
        self.assertEqual(transactions.filtered(lambda t: t.kind == "sale").marketplace_order_id, orders,
                         "every sale names its order in Odoo")
        self.assertEqual(refunded.money_transaction_ids.mapped("kind"), ["refund", "sale"])
        sale = refunded.money_transaction_ids.filtered(lambda t: t.kind == "sale")
        self.assertAlmostEqual(refunded.amount_received, sale.amount - 4.00, places=2)
        self.assertAlmostEqual(sale.gross_amount, sale.amount + sale.fee_amount, places=2)
        self.assertFalse(self.stored("marketplace.payout"), "nothing paid out yet")

        payout_json = self.sim_post("/_sim/finances/payout")
        self.pull_money()
        payout = self.stored("marketplace.payout")
        self.assertEqual((payout.external_id, payout.check_state), (payout_json["payoutId"], "reconciled"))
        self.assertEqual(payout.transaction_ids, transactions, "the payout pays every transaction stored before it")
        self.assertAlmostEqual(payout.amount, float(Decimal(payout_json["amount"]["value"])), places=2)
        self.assertEqual(payout.difference, 0.0)

        self.reset_sim_calls()
        replay = self.pull_money()
        self.assertEqual(replay.state, "done", replay.last_error)
        self.assertEqual(self.stored("marketplace.money.transaction"), transactions, "a replay books nothing twice")
        self.assertEqual(self.stored("marketplace.payout"), payout)
        self.assertTrue(self.sim_calls().get("GET /sell/finances/v1/transaction"))

    def test_a_payout_that_does_not_add_up_shows_its_difference_and_one_not_all_known_is_incomplete(self):
        Payout = self.env["marketplace.payout"]
        Transaction = self.env["marketplace.money.transaction"]
        Transaction._store_mapped(self.ebay_account, [
            MoneyTransaction("T1", "sale", True, Decimal("86.76"), "USD", datetime(2026, 11, 2), payout_ref="P1"),
            MoneyTransaction("T2", "non_sale_charge", False, Decimal("1.25"), "USD", None, payout_ref="P1")])
        payouts = Payout._store_mapped(self.ebay_account, [
            MoneyPayout("P1", Decimal("85.50"), "USD", datetime(2026, 11, 5), "SUCCEEDED", 2),
            MoneyPayout("P2", Decimal("10.00"), "USD", datetime(2026, 11, 5), "SUCCEEDED", 3)])
        first, second = payouts.sorted("external_id")
        self.assertEqual((first.check_state, first.difference, first.transaction_count), ("difference", -0.01, 2))
        self.assertEqual(second.check_state, "incomplete")
        Transaction._store_mapped(self.ebay_account, [
            MoneyTransaction("T3", "adjustment", False, Decimal("0.01"), "USD", None, payout_ref="P1")])
        self.assertEqual((first.check_state, first.difference), ("reconciled", 0.0),
                         "a transaction stored after its payout joins it")

    def test_marketplace_users_read_money_managers_only_change_it_other_companies_see_none(self):
        Transaction = self.env["marketplace.money.transaction"]
        stored = Transaction._store_mapped(self.ebay_account, [
            MoneyTransaction("T9", "sale", True, Decimal("10.00"), "USD", None)])
        user = new_test_user(self.env, "money_user", groups="marketplace_base.group_marketplace_user")
        self.assertEqual(stored.with_user(user).read(["amount"])[0]["amount"], 10.0)
        with self.assertRaises(AccessError):
            stored.with_user(user).write({"amount": 0})
        other = self.env["res.company"].create({"name": "Money Elsewhere"})
        outsider = new_test_user(self.env, "money_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[other.id])
        self.assertFalse(Transaction.with_user(outsider).search([("id", "=", stored.id)]))


class TestBookedMoney(MoneyCase):
    """A payout booked in one entry: the invoices of its orders paid, its fees expensed, the payout in transit."""

    def test_a_payout_is_booked_once_balanced_and_pays_its_orders_invoices(self):
        for number in range(1, 31):   # the products of the demo orders' listings, in stock
            self._make_product("DEMO-%04d" % number, 50)
        self.env["product.template"].search([]).invoice_policy = "order"   # invoice before delivery
        self.ebay_shop.ebay_order_initial_days = 60
        self.enqueue_and_run("pull_orders")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id)])
        self.assertEqual(len(orders.sale_order_id), 5, orders.mapped("error_message"))
        invoice = orders[0].sale_order_id._create_invoices()
        invoice.action_post()
        self.sim_post("/_sim/finances/book", {"charges": [{"feeType": "AD_FEE", "amount": "2.50"}]})
        payout_json = self.sim_post("/_sim/finances/payout")
        company = self.env.company
        self.env["marketplace.account"]._demo_money_booking(self.ebay_account.ids)   # as the demo data does
        fees = self.ebay_account.money_fee_account_id
        self.assertEqual(fees.account_type, "expense")
        self.assertEqual(self.ebay_account.money_journal_id.type, "general")
        job = self.pull_money()
        payout = self.stored("marketplace.payout")
        move, _manager = book_as_people_would(self, payout, job)
        by_account = {account: sum(move.line_ids.filtered(lambda line, a=account: line.account_id == a)
                                   .mapped("balance")) for account in move.line_ids.account_id}
        sales = payout.transaction_ids.filtered(lambda t: t.kind == "sale")
        self.assertAlmostEqual(by_account[company.transfer_account_id], float(payout_json["amount"]["value"]), 2)
        self.assertAlmostEqual(by_account[fees], sum(sales.mapped("fee_amount")) + 2.50, 2)
        self.assertAlmostEqual(sum(move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable").mapped("balance")),
            -sum(sales.mapped("gross_amount")), 2)
        sale_paid = sales.filtered(lambda t: t.marketplace_order_id == orders[0]).gross_amount
        self.assertAlmostEqual(invoice.amount_residual, max(invoice.amount_total - sale_paid, 0.0), 2,
                               "the invoice is paid by what the buyer paid on eBay")


class TestSignedMoney(MoneyCase):
    """An EU seller: eBay refuses unsigned Finances calls; with "EU/UK Seller" the account gets a key and signs."""

    def test_an_eu_sellers_money_is_pulled_with_signed_calls(self):
        self.sim_post("/_sim/seller", {"domicile": "DE"})
        self.addCleanup(self.sim_post, "/_sim/seller", {"domicile": "US"})
        self.sim_post("/_sim/finances/book")
        refused = self.pull_money()
        self.assertEqual(refused.state, "failed")
        self.assertIn("Signature validation failed", refused.last_error)
        self.assertFalse(self.stored("marketplace.money.transaction"))

        self.ebay_account.ebay_signs_requests = True
        job = self.pull_money()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.stored("marketplace.money.transaction")), 5)
        self.assertTrue(self.ebay_account.ebay_signing_key_id)
        self.assertNotIn(self.ebay_account._get_secret("ebay_signing_private_key"),
                         self.ebay_account.ebay_signing_private_key_encrypted, "the private key is kept encrypted")
        key_id = self.ebay_account.ebay_signing_key_id
        self.pull_money()
        self.assertEqual(self.ebay_account.ebay_signing_key_id, key_id, "one key, made once")
