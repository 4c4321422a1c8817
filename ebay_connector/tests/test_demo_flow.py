"""Issue 4's acceptance path, on the demo data, as a seller clicks it: all of it visible as jobs."""
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import start_simulator

DEMO_APP = {"client_id": "DemoSeller-Connecto-SBX-1a2b3c4d5", "client_secret": "SBX-demo-cert-secret",
            "ru_name": "Demo_Seller-DemoSell-Connec-abcdefg"}


@tagged("post_install", "-at_install")
class TestDemoFlow(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = start_simulator(cls, demo=True, categories="demo")
        # the demo RuName sends the seller back to this Odoo (as scripts/run configures it for :8069)
        requests.post(cls.sim.base_url + "/_sim/apps", timeout=10,
                      json=dict(DEMO_APP, accept_url=cls.base_url() + "/ebay/oauth/callback")).raise_for_status()
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        set_param("ebay_connector.timeout_seconds", "30")  # Odoo's test harness cannot compare a timeout pair
        set_param("ebay_connector.feed_poll_seconds", "0")
        cls.account = cls.env.ref("ebay_connector.demo_account_ebay")
        cls.account.ebay_api_base_url = cls.sim.base_url
        cls.shop = cls.env.ref("ebay_connector.demo_shop_ebay_us")
        cls.env["marketplace.job"].search([("state", "=", "pending")]).write({"state": "cancelled"})

    def run_queue(self):
        self.env.flush_all()
        self.env["marketplace.job"]._run_pending(limit=500)
        self.env.invalidate_all()

    def press(self, job_type):
        """A shop button: it opens the job it enqueued."""
        action = self.shop.with_context(ebay_job_type=job_type).action_ebay_enqueue()
        self.run_queue()
        return self.env["marketplace.job"].browse(action["res_id"])

    def connect(self):
        """Connect to eBay > Agree on eBay's consent page > back in Odoo through the callback."""
        self.authenticate("admin", "admin")
        consent = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": "marketplace.account", "method": "action_ebay_connect", "args": [[self.account.id]],
            "kwargs": {}})["url"]  # pressed in the browser: the state is the admin's, in this session
        query = {key: values[0] for key, values in parse_qs(urlsplit(consent).query).items()}
        agreed = requests.post(self.sim.base_url + "/oauth2/authorize", data=dict(query, decision="approve"),
                               allow_redirects=False, timeout=10)
        callback = agreed.headers["Location"]
        self.assertTrue(callback.startswith(self.base_url() + "/ebay/oauth/callback?"))
        self.assertEqual(self.url_open(callback, allow_redirects=False).status_code, 303)
        self.env.invalidate_all()
        self.assertEqual(self.account.state, "connected")

    def consent_callback(self):
        """Connect to eBay, pressed in the browser's session > Agree on eBay's consent page: the URL of eBay's
        redirect back to Odoo."""
        consent = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": "marketplace.account", "method": "action_ebay_connect", "args": [[self.account.id]],
            "kwargs": {}})["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(consent).query).items()}
        agreed = requests.post(self.sim.base_url + "/oauth2/authorize", data=dict(query, decision="approve"),
                               allow_redirects=False, timeout=10)
        callback = agreed.headers["Location"]
        self.assertTrue(callback.startswith(self.base_url() + "/ebay/oauth/callback?"))
        return callback

    def test_a_manager_without_email_is_told_to_set_it(self):
        """Odoo refuses the chatter line of a connection from a user without an email address: the manager is
        told so when he presses Connect, and by the callback's page when he lost it meanwhile; eBay's code is
        not spent (it still connects the account once he has an address) and the account is not connected."""
        manager = new_test_user(self.env, "ebay_no_mail", password="ebay_no_mail-pw",
                                groups="base.group_user,marketplace_base.group_marketplace_manager")
        self.authenticate("ebay_no_mail", "ebay_no_mail-pw")
        callback = self.consent_callback()
        manager.email = False
        with self.assertRaisesRegex(UserError, "needs your email address"):
            self.account.with_user(manager).action_ebay_connect()
        refused = self.url_open(callback, allow_redirects=False)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("Odoo needs your email address to record the authorization", refused.text)
        self.env.invalidate_all()
        self.assertNotEqual(self.account.state, "connected")
        code = parse_qs(urlsplit(callback).query)["code"][0]
        manager.email = "ebay_no_mail@example.com"
        self.account.with_user(manager)._ebay_finish_connect(code)
        self.assertEqual(self.account.state, "connected")

    def test_connect_import_backfill_orders_ship_and_stock(self):
        self.connect()

        categories = self.press("import_categories")
        self.assertEqual(categories.state, "done", categories.last_error)
        self.assertTrue(self.env["ebay.category"].search_count([("leaf", "=", True)]))

        backfill = self.press("backfill_listings")
        self.assertEqual(backfill.state, "done", backfill.last_error)
        bindings = self.env["marketplace.product.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(bindings), 40, "30 Inventory API items and 10 Seller Hub listings")
        self.assertTrue(all(bindings.filtered(lambda b: b.external_sku.startswith("DEMO-")).mapped("product_id")))

        # orders by cron: the 5 demo orders
        self.env["marketplace.shop"]._cron_ebay_pull_orders()
        self.run_queue()
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(orders), 5)
        self.assertEqual(len(orders.sale_order_id), 5)

        # a new order, delivered by the webhook (signed by "eBay")
        sku = bindings.filtered(lambda b: b.status == "active" and b.ebay_listing_source == "inventory_api")[0]
        product = sku.product_id
        self.env["stock.quant"]._update_available_quantity(product, self.shop.warehouse_id.lot_stock_id, 10)
        order_id = requests.post(self.sim.base_url + "/_sim/orders", timeout=10, json={
            "lines": [{"sku": sku.external_sku, "quantity": 1}], "buyer": "webhook_buyer"}).json()["orderIds"][0]
        delivered = requests.post(self.sim.base_url + "/_sim/notify", timeout=30, json={
            "target_url": self.base_url() + "/api/ebay/webhook", "topic": "ORDER_CONFIRMATION",
            "data": {"orderId": order_id}}).json()
        self.assertEqual(delivered["status"], 200)
        self.run_queue()
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_id)])
        self.assertEqual(order.sale_order_id.state, "sale")

        # ship it with tracking
        picking = order.sale_order_id.picking_ids
        picking.write({"carrier_id": self.env.ref("ebay_connector.demo_carrier_usps").id,
                       "carrier_tracking_ref": "9400111899223197428490"})
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking.button_validate()
        self.run_queue()
        self.env.invalidate_all()
        self.assertTrue(picking.ebay_fulfillment_id)
        shipped = [f for f in requests.get(self.sim.base_url + "/_sim/fulfillments", timeout=10).json()
                   ["fulfillments"] if f["orderId"] == order_id]
        self.assertEqual(shipped[0]["shipmentTrackingNumber"], "9400111899223197428490")
        self.assertEqual(shipped[0]["shippingCarrierCode"], "USPS")

        # until someone takes over, eBay's quantities stand; the take-over gives the products the backfill
        # created their initial stock from eBay (the product sold above has stock of its own)
        self.assertFalse(self.shop.odoo_owns_stock)
        self.assertFalse(self.env["marketplace.job"].search(
            [("job_type", "=", "push_stock"), ("shop_id", "=", self.shop.id), ("state", "!=", "cancelled")]))
        takeover = self.env["marketplace.takeover.wizard"].create({"shop_id": self.shop.id})
        takeover.action_stock_from_marketplace()
        takeover.action_confirm()
        self.assertTrue(self.shop.odoo_owns_stock)

        # stock changes reach eBay (after the demo shop's rule: buffer 2)
        self.env["stock.quant"]._update_available_quantity(product, self.shop.warehouse_id.lot_stock_id, 20)
        self.env["marketplace.shop"]._cron_ebay_push_stock_and_prices()
        self.run_queue()
        listing = requests.get(self.sim.base_url + "/_sim/listings/" + sku.external_sku, timeout=10).json()
        self.assertEqual(listing["quantity"], 10 - 1 + 20 - 2)

        jobs = self.env["marketplace.job"].search([("account_id", "=", self.account.id)])
        self.assertFalse(jobs.filtered(lambda job: job.state in ("failed", "pending", "processing")),
                         jobs.mapped("last_error"))
        self.assertTrue({"import_categories", "backfill_listings", "pull_orders", "process_notification",
                         "push_fulfillment", "push_stock"} <= set(jobs.mapped("job_type")))
