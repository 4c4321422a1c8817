"""A return on a live server: the buyer's request on eBay is pulled by the real returns cron, a Marketplace User
approves it through the web client's RPC, a warehouse clerk validates the return picking, eBay hears the item
arrived and, the shop being set by its Marketplace Manager to refund returns on receipt, refunds the buyer once;
the refund is one draft credit note; the same return and order reported again on three more pulls change
nothing."""
import time
from datetime import timedelta

import requests

from odoo import Command, fields

from .scratch import wait_for
from .test_roles_live import LiveRolesCase

DECIDE = "POST /post-order/v2/return/{id}/decide"
RECEIVED = "POST /post-order/v2/return/{id}/mark_as_received"
REFUND = "POST /post-order/v2/return/{id}/issue_refund"


class TestAReturnOnALiveServer(LiveRolesCase):

    def test_pulled_approved_received_refunded_once_and_replays_change_nothing(self):
        stamp = time.time_ns()
        seller, clerk = "live_seller_%d" % stamp, "live_return_clerk_%d" % stamp
        manager = "live_return_manager_%d" % stamp
        sku, order_id = self.sim_order()
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Returns eBay", [sku])
            # the order is imported here; the server's order pulls stay quiet, its returns cron pulls
            shop.write({"ebay_order_pull_interval": 24 * 60, "ebay_last_order_pull_at": fields.Datetime.now(),
                        "auto_confirm": True, "ebay_returns_synced_until": fields.Datetime.now()})
            product = env["product.product"].search([("default_code", "=", sku)])
            env["stock.quant"]._update_available_quantity(product, shop.warehouse_id.lot_stock_id, 5)
            picking = env["stock.picking"].browse(self.confirmed_delivery(env, shop, order_id))
            users = env["res.users"].with_context(no_reset_password=True)
            picking.sale_id.user_id = users.create({
                "name": "Live Seller", "login": seller, "password": seller, "email": seller + "@example.com",
                "groups_id": [Command.set([env.ref("marketplace_base.group_marketplace_user").id])]})
            users.create({"name": "Live Return Clerk", "login": clerk, "password": clerk,
                          "email": clerk + "@example.com",
                          "groups_id": [Command.set([env.ref("stock.group_stock_user").id])]})
            users.create({"name": "Live Return Manager", "login": manager, "password": manager,
                          "email": manager + "@example.com",
                          "groups_id": [Command.set([env.ref("marketplace_base.group_marketplace_manager").id])]})
            # shipped from Odoo: the server's job tells eBay, whose buyer may then ask for a return
            picking.write({"carrier_id": self.carrier(env).id, "carrier_tracking_ref": "1ZLIVERETURN1"})
            picking.move_ids.write({"quantity": 1, "picked": True})
            picking.button_validate()
            shop_id, delivery_id = shop.id, picking.id
            cron = env.ref("ebay_connector.ir_cron_ebay_pull_returns")
            cron.write({"interval_number": 1, "interval_type": "days", "nextcall": fields.Datetime.now()
                        + timedelta(days=1)})
        url = self.server()
        wait_for(lambda: self.sim_shipped(order_id), 90, "the shipment on eBay")
        manager_session = self.login(url, manager)   # the shop refunds returns on receipt, as its manager set
        self.call(manager_session, url, "marketplace.shop", "write", [[shop_id], {"refund_returns_on_receipt": True}])

        self.sim_post("/_sim/returns", {"orderId": order_id, "reason": "DEFECTIVE_ITEM",
                                        "comments": "It does not turn on"})
        requests.post(self.sim.base_url + "/_sim/calls/reset", timeout=10).raise_for_status()
        self.pull_returns_by_cron(shop_id)
        ((return_id, external_id, state, responsible),) = self.returns(shop_id)
        self.assertEqual(state, "requested")
        self.assertEqual(responsible, self.user_id(seller), "the order's salesperson answers")

        seller_session = self.login(url, seller)
        self.call(seller_session, url, "marketplace.return", "write", [[return_id], {"rma_number": "RMA-LIVE-1"}])
        self.call(seller_session, url, "marketplace.return", "action_approve", [[return_id]])
        wait_for(lambda: self.return_picking(return_id), 90, "eBay's approval and the return picking")
        self.assertEqual(self.ebay_return(shop_id, external_id)["status"], "READY_FOR_SHIPPING")

        clerk_session = self.login(url, clerk)
        receipt_id = self.return_picking(return_id)
        move_ids = self.call(clerk_session, url, "stock.move", "search", [[("picking_id", "=", receipt_id)]])
        self.call(clerk_session, url, "stock.move", "write", [move_ids, {"quantity": 1, "picked": True}])
        self.call(clerk_session, url, "stock.picking", "button_validate", [[receipt_id]])
        wait_for(lambda: self.returns(shop_id)[0][2] == "refunded", 90, "the item received and refunded on eBay")
        ebay = self.ebay_return(shop_id, external_id)
        self.assertEqual(ebay["status"], "CLOSED")
        refunded = float(ebay["sellerTotalRefund"]["actualRefundAmount"]["value"])
        wait_for(lambda: self.credit_notes(shop_id), 90, "the refund eBay reports booked")
        self.assertEqual(self.scratch.count("SELECT user_id FROM marketplace_job WHERE shop_id = %s AND "
                                            "job_type = 'refund_return'", [shop_id]), self.user_id(manager),
                         "the refund runs as the manager who set the shop, not as the clerk")

        for _replay in range(3):   # the same return and order reported again from before their creation
            self.pull_returns_by_cron(shop_id, since_before=True)
            self.pull_order(shop_id, order_id)

        self.assertEqual([row[:3] for row in self.returns(shop_id)], [(return_id, external_id, "refunded")])
        self.assertEqual(self.return_pickings(delivery_id), [receipt_id], "one return picking")
        calls = requests.get(self.sim.base_url + "/_sim/calls", timeout=10).json()["calls"]
        self.assertEqual((calls.get(DECIDE), calls.get(RECEIVED), calls.get(REFUND)), (1, 1, 1), calls)
        ((state, move_type, amount),) = self.credit_notes(shop_id)
        self.assertEqual((state, move_type), ("draft", "out_refund"), "exactly one draft credit note")
        self.assertAlmostEqual(float(amount), refunded, places=2)
        # the return's jobs all ended; others may wait their turn (the stock push the receipt queued is
        # gathered for a few seconds, and may still be due when this runs)
        self.assertEqual(self.scratch.count(
            "SELECT count(*) FROM marketplace_job WHERE shop_id = %s AND (state = 'failed' OR job_type IN "
            "('pull_returns', 'answer_return', 'mark_return_received', 'refund_return', 'pull_orders') "
            "AND state NOT IN ('done', 'cancelled'))", [shop_id]), 0, "no job failed, none of the return's left")

    # -- helpers -------------------------------------------------------------------
    def sim_post(self, path, payload):
        answer = requests.post(self.sim.base_url + path, json=payload, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def sim_shipped(self, order_id):
        return [fulfillment for fulfillment in requests.get(self.sim.base_url + "/_sim/fulfillments", timeout=10)
                .json()["fulfillments"] if fulfillment["orderId"] == order_id]

    def pull_returns_by_cron(self, shop_id, since_before=False):
        """Wake the real returns cron (as its due time would) and wait for the pull it queues to end;
        ``since_before``: the shop's watermark first set back, so that eBay reports its returns again."""
        last = self.scratch.count("SELECT coalesce(max(id), 0) FROM marketplace_job WHERE shop_id = %s "
                                  "AND job_type = 'pull_returns'", [shop_id])
        with self.scratch.env() as env:
            if since_before:
                env["marketplace.shop"].browse(shop_id).ebay_returns_synced_until = \
                    fields.Datetime.now() - timedelta(hours=1)
            env.ref("ebay_connector.ir_cron_ebay_pull_returns")._trigger()

        def pulled():
            return self.scratch.execute("SELECT state, last_error FROM marketplace_job WHERE shop_id = %s AND "
                                        "job_type = 'pull_returns' AND id > %s AND state NOT IN "
                                        "('pending', 'processing')", [shop_id, last])
        wait_for(pulled, 90, "a pull of the returns by the cron")
        self.assertEqual(pulled(), [("done", None)])

    def pull_order(self, shop_id, order_id):
        """Queue a re-read of the order (as a notification or a pull would) and wait for the server to run it."""
        with self.scratch.env() as env:
            job = env["marketplace.job"]._enqueue("pull_orders", shop=env["marketplace.shop"].browse(shop_id),
                                                  payload={"order_ids": [order_id]}, priority=5)
            job_id = job.id
        wait_for(lambda: self.scratch.count("SELECT count(*) FROM marketplace_job WHERE id = %s AND state NOT IN "
                                            "('pending', 'processing')", [job_id]), 90, "the order re-read")
        self.assertEqual(self.scratch.execute("SELECT state FROM marketplace_job WHERE id = %s", [job_id]),
                         [("done",)])

    def credit_notes(self, shop_id):
        return self.scratch.execute("SELECT state, move_type, amount_total FROM account_move WHERE "
                                    "marketplace_shop_id = %s", [shop_id])

    def returns(self, shop_id):
        return self.scratch.execute("SELECT id, external_return_id, state, responsible_user_id "
                                    "FROM marketplace_return WHERE shop_id = %s ORDER BY id", [shop_id])

    def return_picking(self, return_id):
        return self.scratch.count("SELECT picking_id FROM marketplace_return WHERE id = %s", [return_id])

    def return_pickings(self, delivery_id):
        """The pickings that return the delivery's goods."""
        return [row[0] for row in self.scratch.execute(
            "SELECT DISTINCT m.picking_id FROM stock_move m JOIN stock_move o ON m.origin_returned_move_id = o.id "
            "WHERE o.picking_id = %s", [delivery_id])]

    def user_id(self, login):
        return self.scratch.count("SELECT id FROM res_users WHERE login = %s", [login])

    def ebay_return(self, shop_id, external_id):
        """The return as eBay has it (a Post-Order call with the account's IAF token)."""
        with self.scratch.env() as env:
            token = env["marketplace.shop"].browse(shop_id).account_id._ebay_client().token_store.load().access_token
        answer = requests.get(self.sim.base_url + "/post-order/v2/return/%s" % external_id,
                              headers={"Authorization": "IAF " + token}, timeout=10)
        answer.raise_for_status()
        return answer.json()["summary"]
