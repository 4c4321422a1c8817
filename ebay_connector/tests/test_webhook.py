import base64
import json
import time
import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.marketplace_base.tests.common import serve_simulator
from odoo.addons.marketplace_simulators.ebay_sim.notification import notification_body, signature_header
from odoo.addons.marketplace_simulators.ebay_sim.server import SimulatorServer

from ..models import ebay_notification, ebay_public_key
from .common import DEMO_APP_ID, DEMO_CERT_ID, DEMO_RU_NAME
from .test_orders import OrdersCase

WEBHOOK = "/api/ebay/webhook"
KEY_CALL = "GET /commerce/notification/v1/public_key/{id}"


@tagged("post_install", "-at_install")
class TestWebhook(OrdersCase, HttpCase):
    """eBay (the simulator) posting signed notifications to Odoo's webhook over real HTTP."""

    registry_test_mode = False  # MarketplaceCase enters test mode itself

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.base_url() + WEBHOOK
        cls.ebay_account.ebay_endpoint_url = cls.endpoint

    def setUp(self):
        super().setUp()
        ebay_notification._KEY_CACHES.clear()

    # -- helpers -------------------------------------------------------------------
    def notify(self, topic, data):
        """The simulator signs and posts a notification; returns its id."""
        self.env.flush_all()
        answer = self.sim_post("/_sim/notify", {"target_url": self.endpoint, "topic": topic, "data": data})
        self.assertEqual(answer["status"], 200)
        self.env.invalidate_all()
        return answer["notificationId"]

    def signed(self, body):
        """``body`` and the simulator's genuine signature header for it."""
        with self.sim.store.connection() as db:
            return body, signature_header(db, body)

    def post(self, body, signature=None, content_type="application/json"):
        headers = {"Content-Type": content_type}
        if signature is not None:
            headers["X-EBAY-SIGNATURE"] = signature
        response = self.url_open(WEBHOOK, data=body, headers=headers)
        self.env.invalidate_all()
        return response

    def stored(self):
        return self.env["ebay.notification"].search_count([]), self.env["marketplace.job"].search_count(
            [("job_type", "=", "process_notification")])

    def process(self, notification):
        self.run_jobs(job_ids=notification.job_id.ids)
        return notification

    def notification(self, notification_id):
        return self.env["ebay.notification"].search([("notification_id", "=", notification_id)])

    # -- challenge -----------------------------------------------------------------
    def test_challenge_is_answered_with_the_registered_hash(self):
        self.env.flush_all()
        answer = self.sim_post("/_sim/challenge", {"endpoint_url": self.endpoint,
                                                   "verification_token": "test-verification-token-0123456789abcdef"})
        self.assertTrue(answer["ok"], answer)
        self.assertEqual(self.url_open(WEBHOOK).status_code, 400, "no challenge_code")

    # -- orders ----------------------------------------------------------------------
    def test_order_notification_imports_the_order_once_with_the_cron(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        notification = self.notification(self.notify("ORDER_CONFIRMATION", {"orderId": external_id}))
        self.assertEqual(notification.state, "received")
        self.assertEqual(notification.job_id.payload, json.dumps({"notification_id": notification.id},
                                                                 separators=(",", ":")))
        self.process(notification)
        self.assertEqual(notification.state, "processed", notification.error_message)
        order = self.order(external_id)
        self.assertTrue(order.sale_order_id)
        # the cron pulls the same order: still one marketplace order and one sale order
        job = self.pull()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.counts([external_id])[:2], (1, 1))
        # and a late webhook for an order the cron already has changes nothing either
        self.process(self.notification(self.notify("ORDER_CONFIRMATION", {"orderId": external_id})))
        self.assertEqual(self.counts([external_id])[:2], (1, 1))

    def test_an_order_notification_job_is_one_service_with_one_ebay_client(self):
        """The notification's job imports the order itself, through its own eBay client (no second service
        and client inside it): its log accounts for the eBay calls the job made."""
        external_id = self.sim_order([(self.sku_a, 1)])
        notification = self.process(self.notification(self.notify("ORDER_CONFIRMATION", {"orderId": external_id})))
        self.assertEqual(notification.state, "processed", notification.error_message)
        job = notification.job_id
        usage = job.log_ids.filtered(lambda log: log.message.startswith("eBay API:"))
        self.assertEqual(len(usage), 1, job.log_ids.mapped("message"))
        self.assertTrue(job.call_count)
        self.assertIn("eBay API: %s call(s) (orders %s)" % (job.call_count, job.call_count), usage.message)

    def test_public_key_is_fetched_once(self):
        self.reset_sim_calls()
        self.notify("SOME_TOPIC", {})
        self.notify("SOME_TOPIC", {})
        self.assertEqual(self.sim_calls().get(KEY_CALL), 1)

    def test_unknown_topic_is_ignored(self):
        notification = self.process(self.notification(self.notify("ITEM_SOLD_SOMEWHERE", {"x": 1})))
        self.assertEqual(notification.state, "ignored")
        self.assertEqual(notification.job_id.state, "done")

    def test_order_unknown_to_ebay_fails_the_notification_and_can_be_processed_again(self):
        notification = self.process(self.notification(self.notify("ORDER_CONFIRMATION", {"orderId": "99-1-1"})))
        self.assertEqual(notification.state, "failed")
        self.assertIn("99-1-1", notification.error_message)
        notification.action_process_again()
        self.assertEqual(notification.state, "received")
        self.assertEqual(notification.job_id.state, "pending")

    # -- account deletion --------------------------------------------------------------
    def test_account_deletion_anonymises_the_buyer(self):
        external_id = self.sim_order([(self.sku_a, 1)], buyer="leaving_buyer")
        self.pull()
        order = self.order(external_id)
        partner = order.partner_id
        self.assertEqual(partner.marketplace_buyer_key, "ebay:leaving_buyer")
        notification = self.process(self.notification(self.notify(
            "MARKETPLACE_ACCOUNT_DELETION", {"username": "leaving_buyer", "userId": "u1", "eiasToken": "t"})))
        self.assertEqual(notification.state, "processed")
        for record in partner | partner.child_ids:
            self.assertFalse(record.email or record.street or record.marketplace_buyer_key)
            self.assertIn("Deleted marketplace buyer", record.name)
        self.assertFalse(order.buyer_username or order.buyer_email or order.ship_street or order.raw_payload)
        # the order changes on eBay later: its buyer data is not imported again
        self.sim_post("/_sim/orders/%s/cancel" % external_id)
        self.pull()
        self.assertEqual(order.state, "cancelled")
        self.assertFalse(order.buyer_username or order.ship_street or order.raw_payload)

    def test_account_deletion_erases_the_buyer_in_every_company(self):
        """The buyer bought from company A (this account) and from company B: one notice erases both, and each
        contact and order says so in its chatter."""
        external_id = self.sim_order([(self.sku_a, 1)], buyer="leaving_everywhere")
        self.pull()
        order_a = self.order(external_id)
        company_b = self.env["res.company"].create({"name": "eBay Company B"})
        shop_b = self.env["marketplace.shop"].create({
            "name": "eBay B", "account_id": self.env["marketplace.account"].create({
                "name": "eBay B", "platform": "ebay", "company_id": company_b.id}).id,
            "warehouse_id": self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1).id,
        })
        order_b, _changed = self.env["marketplace.order"]._import_order(shop_b, {
            "external_order_id": "B-1", "buyer_username": "leaving_everywhere", "buyer_name": "Leaving Buyer",
            "buyer_email": "leaving@example.com", "ship_name": "Leaving Buyer", "ship_street": "2 Elm St",
            "ship_city": "Springfield", "ship_zip": "12345", "ship_country_code": "US", "amount_total": 20.0,
        }, [{"external_line_id": "B-1-1", "external_sku": self.sku_a, "quantity": 1, "price_unit": 20.0}])
        order_b._create_sale_orders()
        self.assertEqual(order_b.partner_id.company_id, company_b)
        self.assertNotEqual(order_a.partner_id, order_b.partner_id)
        partners = (order_a | order_b).partner_id | (order_a | order_b).shipping_partner_id
        notification = self.process(self.notification(self.notify(
            "MARKETPLACE_ACCOUNT_DELETION", {"username": "leaving_everywhere", "userId": "u2", "eiasToken": "t"})))
        self.assertEqual(notification.state, "processed")
        for record in partners:
            self.assertFalse(record.email or record.street or record.marketplace_buyer_key)
            self.assertIn("Deleted marketplace buyer", record.name)
        for record in [*partners, order_a, order_b]:
            self.assertIn(notification.notification_id, " ".join(record.message_ids.mapped("body")), record)
        for order in order_a | order_b:
            self.assertFalse(order.buyer_username or order.buyer_email or order.ship_street or order.raw_payload)

    # -- several accounts on one endpoint ------------------------------------------------
    def account_on_this_endpoint(self, name, sim):
        """Another eBay account (not connected) whose notifications come to this endpoint from ``sim``."""
        return self.env["marketplace.account"].create({
            "name": name, "platform": "ebay", "client_id": DEMO_APP_ID, "client_secret": DEMO_CERT_ID,
            "ebay_ru_name": DEMO_RU_NAME, "ebay_api_base_url": sim.base_url, "ebay_endpoint_url": self.endpoint,
        })

    def test_accounts_sharing_the_endpoint_each_get_their_own_notifications(self):
        """Two eBay environments (two simulators, each signing with its own key) post to one endpoint: each
        notification is stored under the account whose eBay signed it, wherever that account is in the list."""
        other_sim = serve_simulator(SimulatorServer, self.addCleanup, demo=True)
        other = self.account_on_this_endpoint("eBay Other Seller", other_sim)
        self.env.flush_all()
        answer = self.http.post(other_sim.base_url + "/_sim/notify", json={
            "target_url": self.endpoint, "topic": "MARKETPLACE_ACCOUNT_DELETION",
            "data": {"username": "someone", "userId": "u3", "eiasToken": "t"}}, timeout=30).json()
        self.assertEqual(answer["status"], 200)
        self.env.invalidate_all()
        self.assertEqual(self.notification(answer["notificationId"]).account_id, other)
        own = self.notification(self.notify("SOME_TOPIC", {}))
        self.assertEqual(own.account_id, self.ebay_account)

    def test_an_order_notification_goes_to_the_account_that_holds_the_order(self):
        """Two accounts of one eBay environment on one endpoint: the order's notification goes to the account
        whose shop holds the order, not to the first one."""
        other = self.account_on_this_endpoint("eBay Same Environment", self.sim)
        other_shop = self.env["marketplace.shop"].create({
            "name": "eBay Same Environment", "account_id": other.id, "warehouse_id": self.warehouse.id})
        self.env["marketplace.order"]._import_order(other_shop, {"external_order_id": "77-1-1", "amount_total": 5.0},
                                                    [])
        notification = self.notification(self.notify("ORDER_CONFIRMATION", {"orderId": "77-1-1"}))
        self.assertEqual(notification.account_id, other)
        self.assertEqual(notification.job_id.account_id, other)

    # -- refusals ------------------------------------------------------------------------
    def test_replay_stores_one_notification(self):
        body, signature = self.signed(notification_body("SOME_TOPIC", {}))
        before = self.stored()
        self.assertEqual(self.post(body, signature).status_code, 200)
        self.assertEqual(self.post(body, signature).status_code, 200)
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1))

    def test_a_delivery_retried_after_a_serialization_failure_is_stored_once(self):
        """Two deliveries of one notification at once: PostgreSQL refuses the later insert with a serialization
        failure and Odoo runs the request again, which must read the same body (not an emptied stream) and then
        finds the notification stored."""
        failures = []
        Notification = type(self.env["ebay.notification"])
        insert_new = Notification._ebay_insert_new

        def fail_once(model, parsed, raw_body, account):
            if not failures:
                failures.append(parsed.notification_id)
                model.env.cr.execute("DO $$ BEGIN RAISE EXCEPTION 'concurrent delivery' "
                                     "USING ERRCODE = 'serialization_failure'; END $$")
            return insert_new(model, parsed, raw_body, account)
        self.patch(Notification, "_ebay_insert_new", fail_once)
        body, signature = self.signed(notification_body("SOME_TOPIC", {}))
        before = self.stored()
        response = self.post(body, signature)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(failures, [response.json()["notificationId"]])
        self.assertEqual(self.stored(), (before[0] + 1, before[1] + 1))

    def test_forged_and_malformed_posts_store_nothing(self):
        body, signature = self.signed(notification_body("ORDER_CONFIRMATION", {"orderId": "12-34567-89012"}))
        envelope = json.loads(base64.b64decode(signature))
        unknown_kid = base64.b64encode(json.dumps(dict(envelope, kid=str(uuid.uuid4()))).encode()).decode()
        truncated, truncated_signature = self.signed(body[:-5])
        cases = {
            "tampered body": (body.replace(b"12-34567", b"12-34568"), signature, "application/json", 412),
            "truncated body, original signature": (body[:-5], signature, "application/json", 412),
            "missing header": (body, None, "application/json", 412),
            "malformed header": (body, "not-base64!", "application/json", 412),
            "header without signature": (body, base64.b64encode(b'{"kid": "x"}').decode(), "application/json", 412),
            "unknown kid": (body, unknown_kid, "application/json", 412),
            "signed truncated JSON": (truncated, truncated_signature, "application/json", 400),
            "signed JSON that is not a notification": (*self.signed(b'{"hello": 1}'), "application/json", 400),
            "wrong content type": (body, signature, "text/plain", 415),
            "oversized body": (body + b" " * 65536, signature, "application/json", 413),
            "5 MB body": (body + b" " * (5 * 1024 * 1024), signature, "application/json", 413),
        }
        before = self.stored()
        for name, (data, header, content_type, status) in cases.items():
            with self.subTest(name):
                self.assertEqual(self.post(data, header, content_type).status_code, status)
        self.assertEqual(self.stored(), before)
        self.assertEqual(self.post(body, signature).status_code, 200, "the genuine one is accepted")

    def freeze_key_fetch_minute(self):
        """The workers' shared fetch cap counts fixed minutes: one minute for the whole test."""
        frozen = time.time()
        self.patch(ebay_public_key, "_epoch_now", lambda: frozen)

    def forge(self, body, signature, posts=60):
        """``posts`` posts of ``body`` under key ids eBay never issued; returns their statuses."""
        envelope = json.loads(base64.b64decode(signature))
        statuses = []
        for _post in range(posts):
            forged = base64.b64encode(json.dumps(dict(envelope, kid=str(uuid.uuid4()))).encode()).decode()
            statuses.append(self.post(body, forged).status_code)
        return statuses

    def test_forged_key_ids_cost_few_ebay_calls_and_store_nothing(self):
        self.freeze_key_fetch_minute()
        body, signature = self.signed(notification_body("ORDER_CONFIRMATION", {"orderId": "12-34567-89012"}))
        self.reset_sim_calls()
        before = self.stored()
        statuses = self.forge(body, signature)
        self.assertLessEqual(self.sim_calls().get(KEY_CALL, 0), 5)
        self.assertEqual(set(statuses), {412, 429})
        self.assertEqual(self.stored(), before)
        ebay_notification._KEY_CACHES.clear()   # another worker: the cap is the same for it
        self.assertEqual(self.forge(body, signature, posts=1), [429])
        self.assertLessEqual(self.sim_calls().get(KEY_CALL, 0), 5)
        # a key id never seen (never verified) waits like any other: eBay delivers again later
        self.assertEqual(self.post(body, signature).status_code, 429, "the genuine key is not cached yet")
        self.env["ir.config_parameter"].sudo().set_param(ebay_notification.KEY_FETCHES_PARAM, "6")
        self.env.flush_all()
        self.assertEqual(self.post(body, signature).status_code, 200)
        self.assertEqual(self.sim_calls().get(KEY_CALL), 6)

    def test_after_sixty_forged_key_ids_a_genuine_notification_is_accepted(self):
        self.freeze_key_fetch_minute()
        self.reset_sim_calls()
        first = self.notify("SOME_TOPIC", {"n": 1})   # eBay's key, fetched once, known good from now on
        self.assertEqual(self.sim_calls().get(KEY_CALL), 1)
        # an hour later, in a worker that never saw the key: it is past its hour, in the database only
        self.env["ebay.public.key"].search([]).write({"fetched_at": fields.Datetime.now() - timedelta(hours=2)})
        self.env.flush_all()
        ebay_notification._KEY_CACHES.clear()
        body, signature = self.signed(notification_body("SOME_TOPIC", {"n": 2}))
        self.assertEqual(set(self.forge(body, signature)), {412, 429})
        self.assertEqual(self.sim_calls().get(KEY_CALL), 5, "the minute's fetches are spent")
        second = self.notify("SOME_TOPIC", {"n": 3})
        self.assertTrue(self.notification(first) and self.notification(second))
        self.assertEqual(self.sim_calls().get(KEY_CALL), 6, "the known-good key id was refreshed on its own cap")
        ebay_notification._KEY_CACHES.clear()   # yet another worker: the refreshed key, no call
        self.notify("SOME_TOPIC", {"n": 4})
        self.assertEqual(self.sim_calls().get(KEY_CALL), 6)

