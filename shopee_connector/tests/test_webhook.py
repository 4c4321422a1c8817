import json

from odoo.tests import HttpCase, tagged

from ..shopee_api.signing import push_signature
from ..shopee_sim.seed import DEMO_PARTNER_KEY, DEMO_SHOP_ID
from .common import ShopeeCase

WEBHOOK = "/api/shopee/webhook"


@tagged("post_install", "-at_install")
class TestShopeeWebhook(ShopeeCase, HttpCase):
    """Shopee pushes posted to Odoo's webhook over real HTTP: verified, stored once, processed as a job."""

    registry_test_mode = False  # MarketplaceCase enters test mode itself

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopee_account.shopee_push_url = cls.base_url() + WEBHOOK

    def post(self, body, signature=None, content_type="application/json", key=DEMO_PARTNER_KEY):
        headers = {"Content-Type": content_type}
        if signature is None:
            signature = push_signature(key, self.shopee_account.shopee_push_url, body)
        if signature:
            headers["Authorization"] = signature
        self.env.flush_all()
        response = self.url_open(WEBHOOK, data=body, headers=headers)
        self.env.invalidate_all()
        return response

    @staticmethod
    def body(code, data):
        return json.dumps({"shop_id": DEMO_SHOP_ID, "code": code, "timestamp": 1780000000, "data": data}).encode()

    def pushes(self):
        return self.env["shopee.push"].search([])

    def test_order_push_is_stored_once_and_imports_the_order(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 2]]})["order_sn"]
        body = self.body(3, {"ordersn": order_sn, "status": "READY_TO_SHIP"})
        response = self.post(body)
        self.assertEqual((response.status_code, response.content), (200, b""))
        self.assertEqual(self.post(body).status_code, 200)  # Shopee delivers again: nothing new stored
        push = self.pushes()
        self.assertEqual(len(push), 1)
        self.assertEqual((push.code, push.order_sn, push.shop_id), (3, order_sn, self.shopee_shop))
        self.assertEqual(push.job_id.job_type, "process_notification")
        self.run_jobs()
        self.assertEqual(push.state, "processed")
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.assertEqual(order.state, "imported")
        self.assertEqual(order.sale_order_id.order_line.filtered(lambda l: not l.is_delivery).product_uom_qty, 2)

    def test_tracking_push_lands_on_the_delivery(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800003, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders", payload={"order_sns": [order_sn]})
        self.assertEqual(self.post(self.body(4, {"ordersn": order_sn, "tracking_no": "KEX123456"})).status_code, 200)
        self.run_jobs()
        picking = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id.picking_ids
        self.assertEqual(picking.carrier_tracking_ref, "KEX123456")

    def test_forged_malformed_or_oversized_pushes_are_refused_and_nothing_stored(self):
        body = self.body(3, {"ordersn": "2611XX", "status": "READY_TO_SHIP"})
        cases = [
            ("forged key", self.post(body, key="not-the-partner-key"), 401),
            ("signature of another body", self.post(body, signature=push_signature(
                DEMO_PARTNER_KEY, self.shopee_account.shopee_push_url, body + b" ")), 401),
            ("no signature", self.post(body, signature=""), 401),
            ("malformed", self.post(b'{"code": 3, "shop_id": '), 400),
            ("not a push", self.post(b'{"hello": "world"}'), 400),
            ("oversized", self.post(b'{"code": 3, "pad": "' + b"x" * 70000 + b'"}'), 413),
            ("form data", self.post(body, content_type="application/x-www-form-urlencoded"), 415),
        ]
        for label, response, status in cases:
            with self.subTest(label):
                self.assertEqual(response.status_code, status)
        self.assertFalse(self.pushes())
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "process_notification")]))
