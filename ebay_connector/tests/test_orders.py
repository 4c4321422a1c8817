import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user

from ..ebay_api.fulfillment import FulfillmentAdapter
from ..services import order_importer
from ..services.order_importer import OrderImporter
from .common import EbayCase

TOKEN_CALL = "POST /identity/v1/oauth2/token"


class OrdersCase(EbayCase):
    """Orders made on the simulator now, pulled into Odoo by ``pull_orders`` jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        published = []
        for number in range(1, 31):
            listing = cls.http.get(cls.sim.base_url + "/_sim/listings/DEMO-%04d" % number, timeout=10).json()
            if listing.get("status") == "PUBLISHED":
                published.append(listing["sku"])
        cls.sku_a, cls.sku_b, cls.sku_unknown = published[:3]
        cls.ebay_product_a = cls._make_product(cls.sku_a, 20.0)
        cls.ebay_product_b = cls._make_product(cls.sku_b, 20.0)

    def setUp(self):
        super().setUp()
        # orders of earlier tests stay on the simulator: windows start after them (whole seconds)
        time.sleep(1)
        self.started = fields.Datetime.now()
        self.ebay_shop.write({"ebay_orders_synced_until": self.started, "ebay_order_overlap_minutes": 0})

    def sim_order(self, lines, buyer="returning_buyer", tax=True):
        answer = self.sim_post("/_sim/orders", {"count": 1, "buyer": buyer, "ebay_collected_tax": tax,
                                                "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines]})
        return answer["orderIds"][0]

    def pull(self, payload=None):
        """Run one ``pull_orders`` job (only it, not other flows' jobs); returns the job."""
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop, payload=payload)
        self.run_jobs(job_ids=job.ids)
        return job

    def order(self, external_id):
        return self.env["marketplace.order"].search([("shop_id", "=", self.ebay_shop.id),
                                                     ("external_order_id", "=", external_id)])

    def counts(self, external_ids):
        """Marketplace orders, sale orders, lines and buyer contacts that exist for these eBay orders."""
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        sales = self.env["sale.order"].search([("client_order_ref", "in", external_ids)])
        return len(orders), len(sales), len(orders.line_ids), len(orders.partner_id.child_ids)


class TestOrderPull(OrdersCase):

    def sim_orders_until_one_ships(self, lines):
        """The simulator draws the shipping cost: make orders until one has some (a few at most)."""
        fulfillment = FulfillmentAdapter(self.ebay_account._ebay_client())
        external_ids = []
        while len(external_ids) < 12:
            external_ids.append(self.sim_order(lines))
            raw = fulfillment.get_orders_by_ids(external_ids[-1:])[0]
            if float(raw["pricingSummary"]["deliveryCost"]["value"]):
                return external_ids
        self.fail("the simulator made no order with a shipping cost")

    def test_pull_creates_orders_with_ebay_tax_apart_shipping_and_fees(self):
        external_ids = self.sim_orders_until_one_ships([(self.sku_a, 2), (self.sku_b, 1)])
        job = self.pull()
        self.assertEqual(job.state, "done", job.last_error)
        shipped = 0
        for external_id in external_ids:
            order = self.order(external_id)
            sale = order.sale_order_id
            self.assertEqual(order.state, "imported", order.error_message)
            self.assertEqual(len(sale), 1)
            self.assertEqual(order.line_ids.mapped("product_id"), self.ebay_product_a | self.ebay_product_b)
            product_lines = sale.order_line.filtered(lambda line: not line.is_delivery)
            self.assertEqual(product_lines.mapped("product_uom_qty"), [2.0, 1.0])
            self.assertEqual(product_lines.mapped("price_unit"), order.line_ids.mapped("price_unit"))
            delivery = sale.order_line.filtered("is_delivery")
            self.assertAlmostEqual(sum(delivery.mapped("price_subtotal")), order.amount_shipping)
            shipped += bool(order.amount_shipping)
            # eBay collected and remits the sales tax: kept on the order, not charged again
            self.assertGreater(order.amount_marketplace_tax, 0)
            self.assertFalse(sale.order_line.tax_id)
            self.assertAlmostEqual(sale.amount_tax, 0.0)
            self.assertAlmostEqual(sale.amount_total, order.amount_total)
            self.assertAlmostEqual(order.amount_total, order.amount_untaxed + order.amount_shipping)
            # the totals agree (eBay's total less its tax): the order is not flagged
            self.assertFalse(order.total_mismatch)
            self.assertAlmostEqual(order.sale_amount_total, sale.amount_total)
            self.assertEqual(order.total_difference, 0.0)
            self.assertGreater(order.amount_fee, 0)
            self.assertEqual(order.currency_id.name, "USD")
            self.assertEqual(order.external_status, "PAID / NOT_STARTED")
            self.assertEqual(order.buyer_username, "returning_buyer")
            self.assertTrue(order.ship_street and order.ship_country_code == "US")
            # the shop confirms automatically, which reserves the stock
            self.assertEqual(sale.state, "sale")
            self.assertEqual(sale.picking_ids.move_ids.mapped("state"), ["assigned", "assigned"])
        self.assertTrue(shipped, "at least one of the orders has a shipping cost")
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual(len(orders.partner_id), 1, "a returning buyer is one contact")
        self.assertEqual(orders.partner_id.marketplace_buyer_key, "ebay:returning_buyer")
        self.assertIn("Page 1/1", " ".join(job.log_ids.mapped("message")))
        self.assertEqual(job.progress_fetched, job.progress_stored)

    def test_pull_orders_pressed_by_a_marketplace_user_moves_the_watermark(self):
        """**Pull Orders** on the shop, pressed by a Marketplace User: the job runs with his rights, which change
        no shop; it stored the orders, then failed on the shop's watermark (a rehearsal on a live server)."""
        user = new_test_user(self.env, "ebay_pull_user", email="puller@example.com",
                             groups="marketplace_base.group_marketplace_user,base.group_partner_manager")
        mark = self.started - timedelta(minutes=1)
        self.ebay_shop.ebay_orders_synced_until = mark
        external_id = self.sim_order([(self.sku_a, 1)])
        action = self.ebay_shop.with_user(user).with_context(ebay_job_type="pull_orders").action_ebay_enqueue()
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.user_id, user)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.order(external_id).state, "imported")
        self.assertGreater(self.ebay_shop.ebay_orders_synced_until, mark)

    def test_a_marketplace_user_without_contact_creation_retries_an_order_pull_of_a_new_buyer(self):
        """His failed Pull Orders (eBay was down), Requeued by him, runs as him again: the new buyer's contact is
        the import's to make, Contact Creation or not (the order stopped in error on Odoo's raw access error)."""
        user = new_test_user(self.env, "ebay_retry_user", email="retrier@example.com",
                             groups="marketplace_base.group_marketplace_user")
        self.assertFalse(user.has_group("base.group_partner_manager"))
        self.ebay_shop.ebay_orders_synced_until = self.started - timedelta(minutes=1)
        external_id = self.sim_order([(self.sku_a, 1)], buyer="first_time_buyer")
        action = self.ebay_shop.with_user(user).with_context(ebay_job_type="pull_orders").action_ebay_enqueue()
        job = self.env["marketplace.job"].browse(action["res_id"])
        job.write({"state": "failed", "last_error": "eBay answered 503"})
        job.with_user(user).action_requeue()
        self.run_jobs(job_ids=job.ids)
        self.assertEqual((job.state, job.user_id), ("done", user), job.last_error)
        order = self.order(external_id)
        self.assertEqual(order.state, "imported", order.error_message)
        self.assertEqual(order.partner_id.marketplace_buyer_key, "ebay:first_time_buyer")
        self.assertEqual(order.partner_id.company_id, self.ebay_shop.company_id)

    def test_order_whose_sale_order_cannot_add_up_is_flagged_with_both_figures(self):
        """A promotion of 10.00 on 6 units: eBay says the buyer pays 6 x price - 10.00; a unit price to the cent
        cannot make that (6 x (price - 1.67) is 0.02 less). Imported all the same, flagged and told, never silent."""
        answer = self.sim_post("/_sim/orders", {"count": 1, "buyer": "promo_buyer", "ebay_collected_tax": True,
                                                "lines": [{"sku": self.sku_a, "quantity": 6, "discount": "10.00"}]})
        external_id = answer["orderIds"][0]
        job = self.pull()
        self.assertEqual(job.state, "done", job.last_error)
        order = self.order(external_id)
        self.assertEqual(order.state, "imported", order.error_message)
        raw = FulfillmentAdapter(self.ebay_account._ebay_client()).get_orders_by_ids([external_id])[0]
        self.assertAlmostEqual(order.amount_total, float(raw["pricingSummary"]["total"]["value"]))
        self.assertAlmostEqual(order.sale_amount_total, order.sale_order_id.amount_total)
        self.assertAlmostEqual(order.sale_amount_total, order.amount_total - 0.02)
        self.assertAlmostEqual(order.total_difference, -0.02)
        self.assertTrue(order.total_mismatch)
        self.assertEqual(self.env["marketplace.order"].search(
            [("external_order_id", "=", external_id), ("total_mismatch", "=", True)]), order)
        note = order.message_ids.filtered(lambda message: "differs from the marketplace" in (message.body or ""))
        self.assertEqual(len(note), 1)
        for figure in (order.sale_amount_total, order.amount_total, 0.02):
            self.assertIn("%.2f" % figure, note.body)

    def test_rerun_and_overlapping_windows_create_nothing_new(self):
        external_id = self.sim_order([(self.sku_a, 1)], buyer="rerun_buyer")
        self.pull()
        self.assertEqual(self.counts([external_id]), (1, 1, 1, 1))
        order = self.order(external_id)
        self.pull()  # same window again
        self.pull({"since": fields.Datetime.to_string(self.started - timedelta(hours=1))})  # overlapping
        self.pull({"order_ids": [external_id]})
        self.assertEqual(self.counts([external_id]), (1, 1, 1, 1))
        self.assertEqual(self.order(external_id), order)

    def test_cron_pulls_and_moves_the_watermark_to_the_last_change_seen(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.ebay_shop.ebay_last_order_pull_at = False
        self.env["marketplace.shop"]._cron_ebay_pull_orders()
        job = self.env["marketplace.job"].search([("job_type", "=", "pull_orders"), ("shop_id", "=", self.ebay_shop.id),
                                                  ("state", "=", "pending")])
        self.assertEqual(len(job), 1)
        self.run_jobs(job_ids=job.ids)
        order = self.order(external_id)
        self.assertEqual(order.state, "imported")
        self.assertEqual(self.ebay_shop.ebay_orders_synced_until, order.last_modified_at)
        # nothing new: a normal run that leaves the watermark where it is (not "now")
        job = self.pull()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.ebay_shop.ebay_orders_synced_until, order.last_modified_at)

    def test_period_without_orders_is_a_normal_run(self):
        since = fields.Datetime.now() - timedelta(days=400)
        job = self.pull({"since": fields.Datetime.to_string(since),
                         "until": fields.Datetime.to_string(since + timedelta(days=1))})
        self.assertEqual(job.state, "done", job.last_error)
        self.assertIn("0 order(s)", " ".join(job.log_ids.mapped("message")))
        self.assertEqual(self.ebay_shop.ebay_orders_synced_until, self.started, "a window in the past moves nothing")

    def test_bad_payload_fails_with_a_readable_message(self):
        job = self.pull({"since": "last tuesday"})
        self.assertEqual(job.state, "failed")
        self.assertIn("since is not a timestamp", job.last_error)

    def test_unknown_sku_puts_the_order_in_error_and_retry_works_after_binding(self):
        external_id = self.sim_order([(self.sku_a, 1), (self.sku_unknown, 1)])
        job = self.pull()
        self.assertEqual(job.state, "done")
        order = self.order(external_id)
        self.assertEqual(order.state, "error")
        self.assertIn("Unknown SKU %s" % self.sku_unknown, order.error_message)
        self.assertFalse(order.sale_order_id)
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", external_id)]),
                         "no half-made sale order")
        self.assertTrue(job.log_ids.filtered(lambda log: log.level == "warning" and self.sku_unknown in log.message))
        self.assertEqual(job.progress_failed, 1)
        # a re-run leaves it in error, without a sale order
        self.pull()
        self.assertEqual(order.state, "error")
        product = self._make_product("ODOO-%s" % self.sku_unknown, 5.0)
        self.env["marketplace.product.binding"].create({"shop_id": self.ebay_shop.id, "product_id": product.id,
                                                        "external_sku": self.sku_unknown})
        order.action_retry()
        self.assertEqual(order.state, "imported")
        self.assertEqual(order.sale_order_id.order_line.filtered(lambda line: not line.is_delivery).product_id,
                         self.ebay_product_a | product)

    def test_cancellation_before_shipping_cancels_the_sale_order(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.pull()
        order = self.order(external_id)
        self.assertEqual(order.sale_order_id.state, "sale")
        self.sim_post("/_sim/orders/%s/cancel" % external_id)
        self.pull()
        self.assertEqual(order.state, "cancelled")
        self.assertEqual(order.sale_order_id.state, "cancel")
        self.assertIn("CANCELED", order.external_status)

    def test_cancellation_after_shipping_asks_a_person(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.pull()
        order = self.order(external_id)
        picking = order.sale_order_id.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.sim_post("/_sim/orders/%s/cancel" % external_id)
        self.pull()
        self.pull()  # seen again: still one activity
        self.assertEqual(order.sale_order_id.state, "sale")
        self.assertNotEqual(order.state, "cancelled")
        self.assertEqual(len(order.activity_ids), 1)
        self.assertIn("after shipping", order.activity_ids.summary)

    def test_cancelled_order_seen_first_gets_no_sale_order(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        self.sim_post("/_sim/orders/%s/cancel" % external_id)
        self.pull()
        order = self.order(external_id)
        self.assertEqual(order.state, "cancelled")
        self.assertFalse(order.sale_order_id)

    def test_an_account_with_two_shops_imports_each_order_once_into_its_sites_shop(self):
        german = self.ebay_shop.copy({"name": "eBay DE Test", "marketplace_site": "EBAY_DE",
                                      "ebay_orders_synced_until": self.started})
        external_id = self.sim_order([(self.sku_a, 1)])  # sold on EBAY_US
        self.run_jobs(job_ids=self.env["marketplace.job"]._enqueue("pull_orders", shop=german).ids)
        self.assertFalse(self.order(external_id), "the German shop does not take an EBAY_US order")
        self.pull()
        self.assertEqual(self.order(external_id).shop_id, self.ebay_shop)
        self.assertEqual(self.env["marketplace.order"].search_count([("external_order_id", "=", external_id)]), 1)

    def test_order_ids_payload(self):
        first, second = self.sim_order([(self.sku_a, 1)]), self.sim_order([(self.sku_b, 1)])
        self.reset_sim_calls()
        job = self.pull({"order_ids": [first, second, "99-99999-99999"]})
        self.assertEqual(job.state, "done")
        self.assertTrue(self.order(first).sale_order_id and self.order(second).sale_order_id)
        self.assertEqual(self.sim_calls().get("GET /sell/fulfillment/v1/order"), 1, "one call for up to 50 ids")
        self.assertIn("99-99999-99999", " ".join(job.log_ids.mapped("message")))

    def test_a_long_list_of_order_ids_runs_in_slices(self):
        external_ids = [self.sim_order([(self.sku_a, 1)]) for _i in range(3)] + ["99-99999-99999"]
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop,
                                                   payload={"order_ids": external_ids})
        with patch.object(order_importer, "MAX_ORDER_IDS", 2):
            self.run_slice_out_of_time(job)  # time is up after 2 ids
            self.assertEqual((job.state, job.slice_count), ("pending", 1))
            self.assertEqual(len(self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])), 2)
            self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual((len(orders), len(orders.sale_order_id)), (3, 3))
        messages = job.log_ids.mapped("message")
        self.assertTrue(any(line.startswith("3 order(s): 3 new") for line in messages), messages)
        self.assertTrue(any("eBay returned no order for: 99-99999-99999" in line for line in messages), messages)
        self.assertEqual((job.progress_total, job.progress_fetched), (4, 3))


class TestOrderPullResilience(OrdersCase):

    def test_429_storm_converges(self):
        external_ids = [self.sim_order([(self.sku_a, 1)]) for _i in range(3)]
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.order_page_size", "1")
        self.sim_post("/_sim/faults", {"rate_429": 0.5, "retry_after": 0, "random_seed": 7})
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop)
        for _attempt in range(job.max_attempts):
            self.run_jobs(job_ids=job.ids)
            if job.state != "pending":
                break
            job.next_attempt_at = fields.Datetime.now()  # do not wait for the backoff
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
                             .sale_order_id), 3)

    def test_token_expiry_between_pages(self):
        external_ids = [self.sim_order([(self.sku_a, 1)]) for _i in range(3)]
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.order_page_size", "2")
        import_page = OrderImporter._import_page
        pages = []

        def import_then_expire(importer, raw_orders, **kwargs):
            pages.append(len(raw_orders))
            if len(pages) == 1:
                self.sim_post("/_sim/expire_tokens")
            return import_page(importer, raw_orders, **kwargs)

        self.reset_sim_calls()
        with patch.object(OrderImporter, "_import_page", import_then_expire):
            job = self.pull()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertGreaterEqual(len(pages), 2)
        self.assertEqual(self.sim_calls().get(TOKEN_CALL), 1, "one refresh, then the next page")
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual(orders.mapped("state"), ["imported"] * 3)
        self.assertEqual(self.ebay_account.state, "connected")

    def test_stop_between_pages(self):
        for _i in range(3):
            self.sim_order([(self.sku_a, 1)])
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.order_page_size", "1")
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop)
        import_page = OrderImporter._import_page

        def import_then_stop(importer, raw_orders, **kwargs):
            importer.job.action_stop()
            importer.job.env.flush_all()
            return import_page(importer, raw_orders, **kwargs)

        with patch.object(OrderImporter, "_import_page", import_then_stop):
            self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(self.ebay_shop.ebay_orders_synced_until, self.started, "no watermark move on a stopped run")

    def test_a_long_pull_runs_in_slices_and_resumes_at_its_next_page(self):
        external_ids = [self.sim_order([(self.sku_a, 1)]) for _i in range(3)]
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.order_page_size", "1")
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop)
        self.run_slice_out_of_time(job)  # time is up after each page
        self.assertEqual((job.state, job.slice_count, job.attempts), ("pending", 1, 0))
        self.assertIn('"page":1', job.continuation)
        self.assertFalse(any("synced until" in line for line in job.log_ids.mapped("message")),
                         "the watermark waits for the end")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual((job.state, job.slice_count), ("done", 1), job.last_error)
        pages = [line for line in job.log_ids.mapped("message") if line.startswith("Page ")]
        self.assertEqual([line.split(":")[0] for line in pages], ["Page 1/3", "Page 2/3", "Page 3/3"])
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual((len(orders), len(orders.sale_order_id)), (3, 3))
        self.assertTrue(any(line.startswith("3 order(s): 3 new") for line in job.log_ids.mapped("message")),
                        "the counts of every slice add up in the summary")

    def test_a_slice_can_end_inside_a_page_and_the_next_one_does_the_rest_once(self):
        external_ids = [self.sim_order([(self.sku_a, 1)]) for _i in range(3)]
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.order_page_size", "3")
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop)
        self.run_slice_out_of_time(job)  # time is up after one order
        self.assertEqual((job.state, job.slice_count), ("pending", 1))
        self.assertEqual(len(self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])), 1)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual((len(orders), len(orders.sale_order_id)), (3, 3))
        self.assertTrue(any(line.startswith("3 order(s): 3 new, 0 updated, 0 unchanged")
                            for line in job.log_ids.mapped("message")), job.log_ids.mapped("message"))


class TestOrderPageInBatches(OrdersCase):
    """A page's orders are stored, given contacts and sale orders together; one bad order does not stop them."""

    def test_one_refused_sale_order_stays_in_error_and_the_rest_of_the_page_is_imported(self):
        # the SKU is bound to a product someone then moved into another company: Odoo refuses that sale order
        other_company = self.env["res.company"].create({"name": "Other Company (batch test)"})
        moved = self._make_product("MOVED-%s" % self.sku_b, 0.0)
        self.env["marketplace.product.binding"].create({"shop_id": self.ebay_shop.id, "external_sku": self.sku_b,
                                                        "product_id": moved.id})
        moved.company_id = other_company
        good = [self.sim_order([(self.sku_a, 1)], buyer="page_buyer_%s" % number) for number in range(3)]
        bad = self.sim_order([(self.sku_b, 1)], buyer="page_buyer_3")
        good.append(self.sim_order([(self.sku_a, 2)], buyer="page_buyer_4"))
        job = self.pull()
        self.assertEqual(job.state, "done", job.last_error)
        for external_id in good:
            self.assertEqual(self.order(external_id).sale_order_id.state, "sale", external_id)
        order = self.order(bad)
        self.assertEqual(order.state, "error")
        self.assertIn("Product Variant", order.error_message, "the job user may not read that product")
        self.assertFalse(order.sale_order_id)
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", bad)]), "no half-made sale order")
        self.assertTrue(job.log_ids.filtered(lambda log: log.level == "warning" and order.name in log.message))
        self.assertEqual((job.progress_fetched, job.progress_stored, job.progress_failed), (5, 4, 1))
        # the seller moves the product back: Retry makes the sale order
        moved.company_id = False
        order.action_retry()
        self.assertEqual(order.state, "imported")
        self.assertEqual(order.sale_order_id.order_line.product_id, moved)

    def test_a_new_buyers_orders_in_one_page_share_one_contact(self):
        external_ids = [self.sim_order([(self.sku_a, 1)], buyer="page_new_buyer") for _i in range(3)]
        job = self.pull()
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.env["marketplace.order"].search([("external_order_id", "in", external_ids)])
        self.assertEqual(len(orders.sale_order_id), 3)
        buyer = self.env["res.partner"].search([("marketplace_buyer_key", "=", "ebay:page_new_buyer")])
        self.assertEqual(len(buyer), 1, "one contact for the buyer, though the page brought three of their orders")
        self.assertEqual(orders.partner_id, buyer)
        addresses = {(order.ship_name, order.ship_street, order.ship_city, order.ship_zip) for order in orders}
        self.assertEqual(len(buyer.child_ids), len(addresses), "one delivery contact per distinct address")
        self.assertEqual(orders.shipping_partner_id, buyer.child_ids)
        self.assertEqual(orders.sale_order_id.partner_shipping_id, buyer.child_ids)
