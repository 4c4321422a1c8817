"""Roles on a live server: what a warehouse clerk does in Odoo reaches eBay through the real cron, run as the
shop's Job User (the clerk has no marketplace rights)."""
import time

import requests

from odoo import Command, fields

from ..ebay_api.fulfillment import FulfillmentAdapter
from .scratch import wait_for
from .test_engine_live import LiveServerCase
from .test_reliability import PUBLISHED_SKUS


class LiveRolesCase(LiveServerCase):
    """A live server on which people of the house work through the web client's RPC."""

    sim_seed = {"items": 20, "orders": 0}

    def sim_order(self):
        """A buyer's order of one unit of the first seeded SKU on sale (the seed leaves some unpublished)."""
        for sku in PUBLISHED_SKUS:
            answer = requests.post(self.sim.base_url + "/_sim/orders", timeout=30, json={
                "lines": [{"sku": sku, "quantity": 1}], "buyer": "live_buyer"})
            if answer.ok:
                return sku, answer.json()["orderIds"][0]
        raise AssertionError("the simulator sells none of %s: %s" % (PUBLISHED_SKUS, answer.text))

    @staticmethod
    def confirmed_delivery(env, shop, order_id):
        """The eBay order imported at eBay's prices and made a confirmed sale order (as the order import does); its
        delivery."""
        (payload,) = FulfillmentAdapter(shop.account_id._ebay_client()).get_orders_by_ids([order_id])
        order, _changed = env["marketplace.order"]._import_order(shop, {
            "external_order_id": order_id, "buyer_username": "live_buyer", "ship_name": "Live Buyer",
            "ship_street": "1 Main St", "ship_city": "Springfield", "ship_zip": "12345", "ship_country_code": "US",
        }, [{"external_line_id": line["lineItemId"], "external_sku": line["sku"], "quantity": line["quantity"],
             "price_unit": float(line["lineItemCost"]["value"]) / line["quantity"]} for line in payload["lineItems"]])
        order._create_sale_order()
        return order.sale_order_id.picking_ids.id

    @staticmethod
    def carrier(env):
        return env["delivery.carrier"].create({
            "name": "Live parcel service", "delivery_type": "fixed", "ebay_carrier_code": "UPS",
            "product_id": env["product.product"].create({"name": "Live shipping", "type": "service"}).id})

    def login(self, url, login):
        session = requests.Session()
        answer = session.post(url + "/web/session/authenticate", json={"jsonrpc": "2.0", "params": {
            "db": self.scratch.name, "login": login, "password": login}}, timeout=30)
        answer.raise_for_status()
        self.assertTrue(answer.json()["result"]["uid"], answer.text)
        return session

    @staticmethod
    def call(session, url, model, method, args):
        """A JSON-RPC call as the web client makes it, as the session's user."""
        answer = session.post(url + "/web/dataset/call_kw/%s/%s" % (model, method), json={
            "jsonrpc": "2.0", "params": {"model": model, "method": method, "args": args, "kwargs": {}}}, timeout=60)
        answer.raise_for_status()
        body = answer.json()
        if "error" in body:
            raise AssertionError("%s.%s: %s" % (model, method, body["error"]["data"]["message"]))
        return body["result"]


class TestAClerkShipsAnEbayOrder(LiveRolesCase):

    def test_the_clerks_tracking_reaches_ebay(self):
        login = "live_clerk_%d" % time.time_ns()
        sku, order_id = self.sim_order()
        with self.scratch.env() as env:
            shop = self.scratch.connected_shop(env, self.sim, "Clerk eBay", [sku])
            # the shop's pull cron stays quiet: the order is imported here, the server only runs jobs
            shop.write({"ebay_order_pull_interval": 24 * 60, "ebay_last_order_pull_at": fields.Datetime.now(),
                        "auto_confirm": True})
            product = env["product.product"].search([("default_code", "=", sku)])
            env["stock.quant"]._update_available_quantity(product, shop.warehouse_id.lot_stock_id, 5)
            picking_id, carrier_id = self.confirmed_delivery(env, shop, order_id), self.carrier(env).id
            env["res.users"].create({"name": "Live Clerk", "login": login, "password": login,
                                     "groups_id": [Command.set([env.ref("stock.group_stock_user").id])]})
        url = self.server()

        clerk = self.login(url, login)
        self.call(clerk, url, "stock.picking", "write", [[picking_id], {
            "carrier_id": carrier_id, "carrier_tracking_ref": "1ZLIVECLERK1"}])
        move_ids = self.call(clerk, url, "stock.move", "search", [[("picking_id", "=", picking_id)]])
        self.call(clerk, url, "stock.move", "write", [move_ids, {"quantity": 1, "picked": True}])
        self.call(clerk, url, "stock.picking", "button_validate", [[picking_id]])

        def shipped():
            return [fulfillment for fulfillment in requests.get(self.sim.base_url + "/_sim/fulfillments", timeout=10)
                    .json()["fulfillments"] if fulfillment["orderId"] == order_id]
        jobs = "SELECT state, last_error, user_id FROM marketplace_job WHERE job_type = 'push_fulfillment' " \
               "AND payload = %s"
        payload = '{"picking_id":%d}' % picking_id
        try:
            wait_for(shipped, 90, "the clerk's shipment on eBay")
        except AssertionError:
            raise AssertionError("not on eBay; the job: %s" % self.scratch.execute(jobs, [payload])) from None
        (fulfillment,) = shipped()
        self.assertEqual(fulfillment["shipmentTrackingNumber"], "1ZLIVECLERK1")
        with self.scratch.env() as env:
            bot = env.ref("marketplace_base.user_marketplace_bot").id
        self.assertEqual(self.scratch.execute(jobs, [payload]), [("done", None, bot)])
