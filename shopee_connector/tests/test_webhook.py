import json

from odoo.tests import HttpCase, tagged

from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_KEY, DEMO_PUSH_KEY, DEMO_SHOP_ID

from ..shopee_api.signing import push_signature
from .common import ShopeeCase

WEBHOOK = "/api/shopee/webhook"
HANDLE = "/api/v2/order/handle_buyer_cancellation"


class ShopeeWebhookCase(ShopeeCase, HttpCase):
    """Odoo's webhook served over real HTTP, the Shopee account's push URL pointing at it."""

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


@tagged("post_install", "-at_install")
class TestShopeeWebhook(ShopeeWebhookCase):
    """Shopee pushes posted to Odoo's webhook over real HTTP: verified, stored once, processed as a job."""

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
        self.assertEqual(order.sale_order_id.order_line.filtered(lambda line: not line.is_delivery).product_uom_qty, 2)

    def test_tracking_push_lands_on_the_delivery(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800003, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders", payload={"order_sns": [order_sn]})
        self.assertEqual(self.post(self.body(4, {"ordersn": order_sn, "tracking_no": "KEX123456"})).status_code, 200)
        self.run_jobs()
        picking = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id.picking_ids
        self.assertEqual(picking.carrier_tracking_ref, "KEX123456")

    def test_a_push_retried_after_a_serialization_failure_is_stored_once(self):
        """Two deliveries of one push at once: PostgreSQL refuses the later insert with a serialization failure
        and Odoo runs the request again, which must check the signature over the same body (not an emptied
        stream) and then finds the push stored."""
        failures = []
        Push = type(self.env["shopee.push"])
        insert_new = Push._shopee_insert_new

        def fail_once(model, parsed, raw_body, account, shop):
            if not failures:
                failures.append(parsed.order_sn)
                model.env.cr.execute("DO $$ BEGIN RAISE EXCEPTION 'concurrent delivery' "
                                     "USING ERRCODE = 'serialization_failure'; END $$")
            return insert_new(model, parsed, raw_body, account, shop)
        self.patch(Push, "_shopee_insert_new", fail_once)
        response = self.post(self.body(3, {"ordersn": "2611RETRY", "status": "READY_TO_SHIP"}))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(failures, ["2611RETRY"])
        push = self.pushes()
        self.assertEqual((len(push), push.order_sn, push.job_id.job_type), (1, "2611RETRY", "process_notification"))

    def test_forged_malformed_or_oversized_pushes_are_refused_and_nothing_stored(self):
        body = self.body(3, {"ordersn": "2611XX", "status": "READY_TO_SHIP"})
        cases = [
            ("forged key", self.post(body, key="not-the-partner-key"), 401),
            ("signature of another body", self.post(body, signature=push_signature(
                DEMO_PARTNER_KEY, self.shopee_account.shopee_push_url, body + b" ")), 401),
            ("no signature", self.post(body, signature=""), 401),
            ("malformed", self.post(b'{"code": 3, "shop_id": '), 400),
            ("not an object", self.post(b'[3, "2611XX"]'), 400),
            ("no integer code", self.post(b'{"code": "3", "data": {"ordersn": "2611XX"}}'), 400),
            ("oversized", self.post(b'{"code": 3, "pad": "' + b"x" * 70000 + b'"}'), 413),
            ("form data", self.post(body, content_type="application/x-www-form-urlencoded"), 415),
        ]
        for label, response, status in cases:
            with self.subTest(label):
                self.assertEqual(response.status_code, status)
        self.assertFalse(self.pushes())
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "process_notification")]))

    def test_with_a_push_key_set_pushes_signed_with_it_are_taken_and_partner_key_ones_refused(self):
        self.shopee_account.shopee_push_key = DEMO_PUSH_KEY
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        body = self.body(3, {"ordersn": order_sn, "status": "READY_TO_SHIP"})
        self.assertEqual(self.post(body, key=DEMO_PARTNER_KEY).status_code, 401)
        self.assertFalse(self.pushes())
        self.assertEqual(self.post(body, key=DEMO_PUSH_KEY).status_code, 200)
        self.assertEqual(self.pushes().order_sn, order_sn)

    def test_the_simulator_signs_with_its_push_key_and_the_console_verification_is_answered(self):
        """Shopee's console sends a verification push before it saves the callback URL; then order pushes come
        signed with the Live Push Partner Key."""
        self.shopee_account.shopee_push_key = DEMO_PUSH_KEY
        self.env.flush_all()
        verified = self.sim_post("/_sim/push_config", {"callback_url": self.shopee_account.shopee_push_url})
        self.assertEqual(verified, {"status": 200, "saved": True})
        self.assertFalse(self.pushes(), "the verification push is not kept")
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]], "push": True,
                                                  "wait_push": True})["order_sn"]
        self.env.invalidate_all()
        self.assertEqual(self.pushes().order_sn, order_sn)
        self.assertEqual([push["status"] for push in self.sim_get("/_sim/calls")["pushes"]], [200, 200])

    def test_a_push_naming_no_order_is_answered_and_not_kept_signed_or_not(self):
        for label, body, signature in [
            ("console verification, unsigned", b'{"code": 0, "shop_id": 0, "timestamp": 1780000000, "data": {}}', ""),
            ("shop authorization push", self.body(1, {"success": 1}), None),
            ("any JSON object", b'{"hello": "world"}', "forged"),
        ]:
            with self.subTest(label):
                response = self.post(body, signature=signature)
                self.assertEqual((response.status_code, response.content), (200, b""))
        self.assertFalse(self.pushes())
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "process_notification")]))


@tagged("post_install", "-at_install")
class TestShopeeAfterSalePushes(ShopeeWebhookCase):
    """The simulator's pushes of a buyer's cancellation and of a return's changes, signed with the Live Push
    Partner Key, reach Odoo's webhook over real HTTP: each prompts one read of that cancellation or return through
    its pull; the same push delivered three times stores one push, queues one job and changes nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shopee_account.shopee_push_key = DEMO_PUSH_KEY

    def setUp(self):
        super().setUp()
        self.sim_post("/_sim/faults", {"push_url": self.shopee_account.shopee_push_url})

    def sim_event(self, path, payload):
        """A /_sim control whose event Shopee pushes; answers once Odoo answered the push."""
        self.env.flush_all()
        answer = self.sim_post(path, dict(payload, wait_push=True))
        self.env.invalidate_all()
        return answer

    def deliver_again(self, times=2):
        """Shopee delivers the last push again, as it does when unsure it was received."""
        last = self.sim_get("/_sim/calls")["pushes"][-1]
        self.assertEqual(last["status"], 200)
        for _ in range(times):
            self.assertEqual(self.post(last["body"].encode(), key=DEMO_PUSH_KEY).status_code, 200)
        return json.loads(last["body"])

    def jobs(self, job_type):
        return self.env["marketplace.job"].search([("job_type", "=", job_type)])

    def run_all(self):
        for _ in range(3):  # the push's job, the read it queued, the orders that read queued
            self.run_jobs()

    def test_a_buyers_cancellation_pushed_three_times_is_one_request_and_its_outcome_is_read(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders", payload={"order_sns": [order_sn]})
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.sim_event("/_sim/orders/buyer_cancel", {"order_sn": order_sn, "reason": "Changed my mind"})
        self.assertEqual(self.deliver_again()["data"]["status"], "IN_CANCEL")
        push = self.pushes()
        self.assertEqual((len(push), push.code, push.order_status), (1, 3, "IN_CANCEL"))
        self.assertEqual(len(self.jobs("process_notification")), 1)
        self.run_all()
        self.assertEqual(push.state, "processed")
        self.assertEqual(len(self.jobs("pull_cancellations")), 1, "one read of the order's cancellation")
        self.assertEqual(json.loads(self.jobs("pull_cancellations").payload), {"order_sns": [order_sn]})
        cancellation = order.cancellation_ids
        self.assertEqual((len(cancellation), cancellation.state, cancellation.requester, cancellation.reason),
                         (1, "requested", "buyer", "Changed my mind"))
        # Shopee accepts the request itself (the seller did in Seller Centre): the order is CANCELLED, pushed
        self.sim_event("/_sim/orders/status", {"order_sn": order_sn, "status": "CANCELLED", "push": True})
        self.deliver_again()
        self.assertEqual(len(self.pushes()), 2)
        self.run_all()
        self.assertEqual((len(order.cancellation_ids), cancellation.state), (1, "completed"))
        self.assertEqual(order.sale_order_id.state, "cancel")
        self.assertEqual(len(self.jobs("pull_cancellations")), 2, "one read per push")
        self.assertFalse(cancellation.answer_job_id)
        self.assertFalse(self.sim_calls().get(HANDLE), "Odoo answered nothing: Shopee had")

    def test_pushes_replayed_after_the_sellers_answer_send_no_second_answer(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders", payload={"order_sns": [order_sn]})
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.sim_event("/_sim/orders/buyer_cancel", {"order_sn": order_sn})
        self.run_all()
        cancellation = order.cancellation_ids
        cancellation.action_approve()
        self.run_all()
        self.assertEqual((cancellation.state, self.sim_calls().get(HANDLE)), ("completed", 1))
        self.deliver_again()    # the buyer's request, delivered late: stored already
        self.sim_event("/_sim/orders/status", {"order_sn": order_sn, "status": "CANCELLED", "push": True})
        self.deliver_again()    # Shopee's CANCELLED, three times
        self.run_all()
        self.assertEqual(len(self.pushes()), 2)
        self.assertEqual(len(self.jobs("pull_cancellations")), 2, "one read per push")
        self.assertEqual((len(order.cancellation_ids), cancellation.state), (1, "completed"))
        self.assertEqual(len(self.jobs("answer_cancellation")), 1)
        self.assertEqual(self.sim_calls().get(HANDLE), 1, "answered once")

    def test_a_return_pushed_three_times_is_one_return_read_by_id_even_before_its_order(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]], "status": "SHIPPED"})["order_sn"]
        return_sn = self.sim_event("/_sim/returns", {"order_sn": order_sn, "text_reason": "Cracked"})["return_sn"]
        data = self.deliver_again()
        self.assertEqual((data["code"], data["data"]["return_sn"]), (29, return_sn))
        push = self.pushes()
        self.assertEqual((len(push), push.return_sn, push.order_sn), (1, return_sn, order_sn))
        self.assertEqual(len(self.jobs("process_notification")), 1)
        self.run_all()
        self.assertEqual(len(self.jobs("pull_returns")), 1, "one read of the return")
        self.assertEqual(json.loads(self.jobs("pull_returns").payload), {"return_sns": [return_sn]})
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.assertTrue(order, "the push imported the order first")
        record = order.return_ids
        self.assertEqual((len(record), record.external_return_id, record.state, record.buyer_comments),
                         (1, return_sn, "requested", "Cracked"))
        self.assertEqual(len(record.activity_ids), 1)
        self.sim_event("/_sim/returns/refund", {"return_sn": return_sn})
        self.deliver_again()
        self.run_all()
        self.assertEqual((len(order.return_ids), record.state, len(self.pushes())), (1, "refunded", 2))
        self.assertEqual(len(self.jobs("pull_returns")), 2, "one read per push")
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", order.id)])
        self.assertEqual(credit_note.mapped("marketplace_refund_ref"), ["%s:return" % return_sn], "booked once")

    def test_a_forged_return_push_is_refused_and_nothing_stored(self):
        """Also when it names its return only (no order number): it is checked, not taken for a verification."""
        body = self.body(29, {"return_sn": "2611R0FORGED", "order_sn": "2611XX", "status": "REQUESTED"})
        alone = self.body(29, {"return_sn": "2611R0FORGED"})
        for label, response in [("partner key, not the push key", self.post(body, key=DEMO_PARTNER_KEY)),
                                ("forged key", self.post(body, key="not-the-push-key")),
                                ("no signature", self.post(body, signature="")),
                                ("naming its return only, forged", self.post(alone, key="not-the-push-key")),
                                ("naming its return only, unsigned", self.post(alone, signature=""))]:
            with self.subTest(label):
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self.pushes())
        self.assertFalse(self.jobs("process_notification") | self.jobs("pull_returns"))
