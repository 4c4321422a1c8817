from odoo.tests import new_test_user

from ..shared_budget import SharedRateBudget
from .common import MarketplaceCase


class TestCompanies(MarketplaceCase):
    """Two companies in one database: company B's people read nothing of company A's marketplace data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.shop.company_id
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.account_b = cls.env["marketplace.account"].create({"name": "Account B", "company_id": cls.company_b.id})
        cls.shop_b = cls.env["marketplace.shop"].create({
            "name": "Shop B", "account_id": cls.account_b.id, "auto_confirm": False,
            "warehouse_id": cls.env["stock.warehouse"].search([("company_id", "=", cls.company_b.id)], limit=1).id,
        })
        cls.manager_b = new_test_user(cls.env, "mkt_manager_b", groups="marketplace_base.group_marketplace_manager",
                                      company_id=cls.company_b.id, company_ids=[(6, 0, cls.company_b.ids)])
        cls.manager_a = new_test_user(cls.env, "mkt_manager_a", groups="marketplace_base.group_marketplace_manager",
                                      company_id=cls.company_a.id, company_ids=[(6, 0, cls.company_a.ids)])
        cls.user_a = new_test_user(cls.env, "mkt_user_a", groups="marketplace_base.group_marketplace_user",
                                   company_id=cls.company_a.id, company_ids=[(6, 0, cls.company_a.ids)])

    def visible(self, user, records):
        """The ``records`` ``user`` finds by searching for them."""
        return self.env[records._name].with_user(user).search([("id", "in", records.ids)])

    def company_a_data(self):
        """Company A's stock-change note, API budget usage, job, job log and buyer contact."""
        self.env["marketplace.stock.change"]._note([(self.shop.id, self.product_a.id)])
        SharedRateBudget(self.env, "test:%s:pull" % self.shop.id, 10, 600, company=self.shop.company_id).acquire()
        job = self.env["marketplace.job"]._enqueue("create_sale_orders", shop=self.shop, payload={"n": "companies"})
        self.env["marketplace.job.log"].create({"job_id": job.id, "message": "buyer data of company A"})
        order = self.make_order("CO-A-1")
        order._create_sale_orders()
        self.env.invalidate_all()
        return {
            "marketplace.stock.change": self.env["marketplace.stock.change"].search([("shop_id", "=", self.shop.id)]),
            "marketplace.api.usage": self.env["marketplace.api.usage"].search(
                [("budget_key", "=", "test:%s:pull" % self.shop.id)]),
            "marketplace.job": job,
            "marketplace.job.log": job.log_ids,
            "res.partner": order.partner_id | order.shipping_partner_id,
        }

    def test_company_b_reads_nothing_of_company_a(self):
        for model, records in self.company_a_data().items():
            with self.subTest(model=model):
                self.assertTrue(records)
                self.assertEqual(self.visible(self.manager_a, records), records)
                self.assertFalse(self.visible(self.manager_b, records))

    def test_jobs_without_company_are_a_managers_only(self):
        job = self.env["marketplace.job"]._enqueue("create_sale_orders", payload={"n": "no company"})
        log = self.env["marketplace.job.log"].create({"job_id": job.id, "message": "no company"})
        self.assertFalse(job.company_id)
        self.assertFalse(self.visible(self.user_a, job))
        self.assertFalse(self.visible(self.user_a, log))
        self.assertEqual(self.visible(self.manager_a, job), job)
        self.assertEqual(self.visible(self.manager_a, log), log)
        # a user still sees the jobs of the company
        own = self.env["marketplace.job"]._enqueue("create_sale_orders", shop=self.shop, payload={"n": "own"})
        self.assertEqual(self.visible(self.user_a, own), own)

    def test_same_buyer_in_two_companies_gives_two_contacts(self):
        order_a = self.make_order("CO-A-2")
        order_b, _changed = self.env["marketplace.order"]._import_order(self.shop_b, {
            "external_order_id": "CO-B-2", "buyer_username": "buyer_one", "buyer_name": "Buyer One (B)",
            "ship_name": "Buyer One", "ship_street": "1 Main St", "ship_city": "Springfield", "ship_zip": "12345",
            "ship_country_code": "US", "amount_untaxed": 30.0, "amount_total": 30.0,
        }, [{"external_line_id": "CO-B-2-1", "external_sku": "SKU-A", "quantity": 1, "price_unit": 15.0}])
        (order_a | order_b)._create_sale_orders()
        self.assertTrue(order_a.sale_order_id and order_b.sale_order_id)
        self.assertNotEqual(order_a.partner_id, order_b.partner_id)
        self.assertEqual(order_a.partner_id.company_id, self.company_a)
        self.assertEqual(order_b.partner_id.company_id, self.company_b)
        self.assertEqual(order_a.shipping_partner_id.company_id, self.company_a)
        self.assertEqual(order_b.shipping_partner_id.company_id, self.company_b)
        self.assertEqual(order_b.partner_id.name, "Buyer One (B)")
        # a returning buyer finds the contact of its own company
        again = self.make_order("CO-A-3")
        again._create_sale_orders()
        self.assertEqual(again.partner_id, order_a.partner_id)
        self.assertFalse(self.visible(self.manager_b, order_a.partner_id | order_a.shipping_partner_id))
