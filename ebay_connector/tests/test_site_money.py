"""Issue 22, several marketplaces per account: an eBay account selling on EBAY_GB and EBAY_DE keeps each site's
money in its currency, through the simulator: a refund is a credit note in the order's currency, and a German
order is imported in euros with the shop's fiscal position, invoiced, paid by a payout in euros, booked and
reconciled to 0.00."""
from datetime import datetime
from decimal import Decimal

from odoo.tests import new_test_user

from odoo.addons.marketplace_base.marketplace_core.money import MoneyTransaction

from .test_publish import PublishCase


class SiteMoneyCase(PublishCase):

    shop_owns_stock = False

    def site_order(self, site, sku, fiscal_position=None):
        """An order of two units of ``sku`` bought on ``site``, from the account's shop of that site (made with
        Add Marketplace Shop), imported with its sale order; the product invoiced on order."""
        shop = self.ebay_account._ebay_add_site_shop(site, fiscal_position)
        shop.ebay_location_key = self.ebay_shop.ebay_location_key
        listing = self.make_listing(sku, shop_id=shop.id, title="Lamp %s" % sku)
        listing.product_id.invoice_policy = "order"
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        external_id = self.sim_post("/_sim/orders", {"lines": [{"sku": sku, "quantity": 2}],
                                                     "ebay_collected_tax": True})["orderIds"][0]
        self.enqueue_and_run("pull_orders", payload={"order_ids": [external_id]}, shop=shop)
        order = self.env["marketplace.order"].search([("external_order_id", "=", external_id)])
        self.assertEqual((order.shop_id, order.state), (shop, "imported"), order.error_message)
        return order


class TestSiteRefunds(SiteMoneyCase):

    def test_a_refund_on_ebay_uk_is_a_credit_note_in_pounds_and_on_ebay_germany_in_euros(self):
        for site, sku, currency in (("EBAY_GB", "LAMP-GB", "GBP"), ("EBAY_DE", "LAMPE-DE", "EUR")):
            order = self.site_order(site, sku)
            self.assertEqual((order.currency_id.name, order.sale_order_id.currency_id.name), (currency, currency))
            # reported by eBay's Finances API (a REFUND transaction of the order), booked by the money pull
            self.sim_post("/_sim/finances/book", {"refunds": [{"orderId": order.external_order_id,
                                                               "amount": "3.00"}]})
            self.pull_money()
            refund = order.money_transaction_ids.filtered(lambda transaction: transaction.kind == "refund")
            self.assertEqual(refund.currency_id.name, currency, "eBay's refund is in the order's currency")
            credit_note = refund.credit_note_id
            self.assertEqual((credit_note.move_type, credit_note.currency_id.name, credit_note.amount_total),
                             ("out_refund", currency, 3.0), site)

    def test_a_refund_reported_in_another_currency_is_not_booked_by_guess(self):
        """eBay converts the money of a sale on a foreign site into the seller's currency: a refund of a GBP order
        reported in dollars is left to the order's import (which books it in pounds) or to a person."""
        order = self.site_order("EBAY_GB", "LAMP-GB-USD")
        Transaction = self.env["marketplace.money.transaction"]
        Transaction._store_mapped(self.ebay_account, [MoneyTransaction(
            "T-USD", "refund", False, Decimal("3.80"), "USD", datetime(2026, 12, 2),
            order_ref=order.external_order_id, refund_ref="R-USD")])
        refused = Transaction._book_refunds(self.ebay_account)
        self.assertIn("reported it in USD, the order %s is in GBP" % order.name, refused["R-USD"])
        self.assertFalse(self.env["account.move"].search([("marketplace_refund_ref", "=", "R-USD")]))
        credit_note = order._book_marketplace_refund("R-USD", 3.0, source="order")   # as the order's import does
        self.assertFalse(Transaction._book_refunds(self.ebay_account))
        self.assertEqual(order.money_transaction_ids.credit_note_id, credit_note)
        self.assertEqual((credit_note.currency_id.name, credit_note.amount_total), ("GBP", 3.0))


class TestSitePayout(SiteMoneyCase):
    """A simulator of its own: no other test's money waits for payout in it."""

    def test_an_order_on_ebay_germany_is_invoiced_in_euros_and_its_payout_reconciles_it_to_the_cent(self):
        fiscal_position = self.env["account.fiscal.position"].create({"name": "EU OSS (eBay collects VAT)"})
        order = self.site_order("EBAY_DE", "LAMPE-DE", fiscal_position)
        sale = order.sale_order_id
        self.assertEqual((order.currency_id.name, sale.currency_id.name, sale.pricelist_id.currency_id.name),
                         ("EUR", "EUR", "EUR"))
        self.assertEqual(sale.fiscal_position_id, fiscal_position)
        self.assertFalse(order.total_mismatch)
        invoice = sale._create_invoices()
        invoice.action_post()
        self.assertEqual((invoice.currency_id.name, invoice.fiscal_position_id), ("EUR", fiscal_position))

        # eBay books every order's sale (the demo orders in dollars too) and pays the euros out on their own
        self.sim_post("/_sim/finances/book")
        payout_json = self.sim_post("/_sim/finances/payout", {"currency": "EUR"})
        self.assertEqual(payout_json["amount"]["currency"], "EUR")
        self.env["marketplace.account"]._demo_money_booking(self.ebay_account.ids)
        self.pull_money()
        payout = self.env["marketplace.payout"].search([("account_id", "=", self.ebay_account.id),
                                                        ("external_id", "=", payout_json["payoutId"])])
        self.assertEqual((payout.currency_id.name, payout.check_state, payout.difference), ("EUR", "reconciled", 0.0))
        self.assertEqual(payout.transaction_ids.marketplace_order_id, order)
        manager = new_test_user(self.env, "site_money_manager",
                                groups="marketplace_base.group_marketplace_manager,account.group_account_invoice")
        payout.with_user(manager).action_book()
        move = payout.move_id
        self.assertEqual(move.state, "posted")
        in_transit = move.line_ids.filtered(lambda line: line.account_id == self.ebay_account.money_payout_account_id)
        self.assertEqual((in_transit.currency_id.name, in_transit.amount_currency),
                         ("EUR", float(payout_json["amount"]["value"])))
        self.assertEqual((invoice.amount_residual, invoice.payment_state), (0.0, "paid"),
                         "the buyer's euros paid the invoice in full")
        receivable = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled)
