"""The sellers' Shopee manual on the demo data, as a seller clicks it: authorize the demo shop, pull
orders, push stock, ship one order with tracking and its airway bill - all of it visible as jobs."""
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import start_simulator


@tagged("post_install", "-at_install")
class TestShopeeDemoFlow(HttpCase):

    def setUp(self):
        super().setUp()
        self.sim = start_simulator(self)
        self.sim.seed(orders=3)
        set_param = self.env["ir.config_parameter"].sudo().set_param
        set_param("web.base.url", self.base_url())
        set_param("shopee_connector.tracking_poll_seconds", "0")
        set_param("shopee_connector.document_poll_seconds", "0")
        self.account = self.env.ref("shopee_connector.demo_account_shopee")
        self.account.shopee_api_base_url = self.sim.base_url
        self.shop = self.env.ref("shopee_connector.demo_shop_shopee_th")
        self.env["marketplace.job"].search([("state", "=", "pending")]).write({"state": "cancelled"})

    def run_queue(self):
        self.env.flush_all()
        self.env["marketplace.job"]._run_pending(limit=100)
        self.env.invalidate_all()

    def press(self, job_type):
        """A shop button: it opens the job it enqueued."""
        action = self.shop.with_context(shopee_job_type=job_type).action_shopee_enqueue()
        self.run_queue()
        return self.env["marketplace.job"].browse(action["res_id"])

    def shopee_callback(self):
        """Authorize Shop, pressed in the browser's session > Confirm Authorization on Shopee's page: the URL of
        Shopee's redirect back to Odoo."""
        action = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": "marketplace.shop", "method": "action_shopee_authorize", "args": [[self.shop.id]],
            "kwargs": {}})
        url = action["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        self.assertEqual(requests.get(url, timeout=10).status_code, 200)
        confirmed = requests.post(self.sim.base_url + "/api/v2/shop/auth_partner/confirm", allow_redirects=False,
                                  data={"partner_id": query["partner_id"], "redirect": query["redirect"],
                                        "shop_id": self.shop.external_shop_id}, timeout=10)
        callback = confirmed.headers["Location"]
        self.assertTrue(callback.startswith(self.base_url() + "/shopee/auth/callback?"))
        return callback

    def authorize(self):
        """Authorize Shop > Confirm Authorization on Shopee's page > back in Odoo through the callback."""
        self.authenticate("admin", "admin")
        answer = self.url_open(self.shopee_callback(), allow_redirects=False)
        self.assertEqual(answer.status_code, 303)
        self.assertTrue(answer.headers["Location"].endswith("/%s" % self.shop.id), "back on the demo shop")
        self.env.invalidate_all()
        self.assertEqual(self.shop.authorization_state, "authorized")

    def test_authorization_started_by_another_user_is_refused(self):
        """A link to Shopee's page made by another manager (their own shop), opened by the admin: no shop is
        added; the same callback works once for the manager who started it."""
        new_test_user(self.env, "shopee_manager", password="shopee_manager-pw",
                      groups="base.group_user,marketplace_base.group_marketplace_manager")
        self.authenticate("shopee_manager", "shopee_manager-pw")
        callback = self.shopee_callback()
        self.authenticate("admin", "admin")
        refused = self.url_open(callback, allow_redirects=False)
        self.assertEqual(refused.status_code, 403)
        self.assertIn("started by another user or in another browser session", refused.text)
        self.env.invalidate_all()
        self.assertNotEqual(self.shop.authorization_state, "authorized")

    def test_a_manager_without_email_is_told_to_set_it(self):
        """Odoo refuses the chatter line of a shop's authorization from a user without an email address: the
        manager is told so when he presses Authorize, and by the callback's page (as its other refusals) when he
        lost it meanwhile; no shop is authorized."""
        manager = new_test_user(self.env, "shopee_no_mail", password="shopee_no_mail-pw",
                                groups="base.group_user,marketplace_base.group_marketplace_manager")
        self.authenticate("shopee_no_mail", "shopee_no_mail-pw")
        callback = self.shopee_callback()
        manager.email = False
        with self.assertRaisesRegex(UserError, "needs your email address"):
            self.shop.with_user(manager).action_shopee_authorize()
        refused = self.url_open(callback, allow_redirects=False)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("Odoo needs your email address to record the authorization", refused.text)
        self.env.invalidate_all()
        self.assertNotEqual(self.shop.authorization_state, "authorized")

    def test_authorize_pull_push_and_ship_with_tracking(self):
        self.authorize()

        pulled = self.press("pull_orders")
        self.assertEqual(pulled.state, "done", pulled.last_error)
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(orders), 3)
        self.assertEqual(set(orders.mapped("state")), {"imported"})
        self.assertEqual(set(orders.sale_order_id.mapped("state")), {"sale"})

        # take over, then the push sends each bound model's online quantity (sync rule: buffer 1)
        takeover = self.env["marketplace.takeover.wizard"].create({"shop_id": self.shop.id})
        takeover.action_confirm()
        chair = self.env.ref("shopee_connector.demo_binding_shopee_chair")
        self.env["stock.quant"]._update_available_quantity(chair.product_id, self.shop.warehouse_id.lot_stock_id, 50)
        pushed = self.press("push_stock")
        self.assertEqual(pushed.state, "done", pushed.last_error)
        online = {(row["item_id"], row["model_id"]): row["stock"]
                  for row in requests.get(self.sim.base_url + "/_sim/models", timeout=10).json()["models"]
                  if row["shop_id"] == int(self.shop.external_shop_id)}
        chair_online = chair._online_quantities()[chair.id]
        self.assertGreater(chair_online, 0)
        self.assertEqual(online[(800001, 0)], chair_online)

        # ship one order: Shopee arranges it, its tracking number and its airway bill land on the delivery
        picking = orders[0].sale_order_id.picking_ids
        picking.action_shopee_ship()
        self.run_queue()
        self.assertTrue(picking.carrier_tracking_ref)
        self.assertTrue(picking.shopee_shipment_arranged)
        self.assertEqual(picking.shopee_ship_method, "pickup")
        self.assertEqual(self.env["ir.attachment"].search([("res_model", "=", "stock.picking"),
                                                           ("res_id", "=", picking.id)]).mimetype, "application/pdf")

        jobs = self.env["marketplace.job"].search([("shop_id", "=", self.shop.id)])
        self.assertFalse(jobs.filtered(lambda job: job.state in ("failed", "pending", "processing")),
                         jobs.mapped("last_error"))
        self.assertTrue({"pull_orders", "push_stock", "ship_order"} <= set(jobs.mapped("job_type")))
