"""Shipment push (Odoo -> eBay): validated deliveries of eBay orders become shipping fulfillments."""
from odoo import fields
from odoo.tests import new_test_user

from ..ebay_api.fulfillment import FulfillmentAdapter
from .common import EbayCase


class TestFulfillment(EbayCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skus = cls._published_skus(2)
        for sku in cls.skus:
            cls._make_product(sku, 10.0)
        delivery_product = cls.env["product.product"].create({"name": "Shipping", "type": "service"})
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "Parcel service", "product_id": delivery_product.id, "delivery_type": "fixed",
            "ebay_carrier_code": "UPS",
        })
        cls.uncoded = cls.env["delivery.carrier"].create({
            "name": "Local courier", "product_id": delivery_product.id, "delivery_type": "fixed",
        })

    @classmethod
    def _published_skus(cls, count):
        skus = []
        for number in range(1, 31):
            sku = "DEMO-%04d" % number
            if cls.http.get(cls.sim.base_url + "/_sim/listings/" + sku, timeout=10).json()["status"] == "PUBLISHED":
                skus.append(sku)
            if len(skus) == count:
                return skus
        raise AssertionError("the demo seed has too few published listings")

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sim_post, "/_sim/faults", {})

    # -- helpers ---------------------------------------------------------------
    def ebay_order(self, quantities):
        """An order placed on the simulator, imported as a marketplace order and a confirmed sale order."""
        lines = [{"sku": sku, "quantity": quantity} for sku, quantity in zip(self.skus, quantities, strict=False)]
        order_id = self.sim_post("/_sim/orders", {"lines": lines, "buyer": "ship_me"})["orderIds"][0]
        (payload,) = FulfillmentAdapter(self.ebay_account._ebay_client()).get_orders_by_ids([order_id])
        order, _changed = self.env["marketplace.order"]._import_order(self.ebay_shop, {
            "external_order_id": order_id, "buyer_username": "ship_me", "ship_name": "Ship Me",
            "ship_street": "1 Main St", "ship_city": "Springfield", "ship_zip": "12345", "ship_country_code": "US",
        }, [{"external_line_id": line["lineItemId"], "external_sku": line["sku"], "quantity": line["quantity"],
             "price_unit": 10.0} for line in payload["lineItems"]])
        order._create_sale_order()
        self.assertEqual(order.sale_order_id.state, "sale")
        return order

    def ship(self, picking, quantities, carrier, tracking, backorder=True):
        """Validate ``picking`` shipping ``quantities`` (per move, in order), as a user would."""
        picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": tracking})
        for move, quantity in zip(picking.move_ids.sorted("id"), quantities, strict=False):
            move.quantity = quantity
            move.picked = True
        context = {"skip_backorder": True}
        if not backorder:
            context["picking_ids_not_to_backorder"] = picking.ids
        picking.with_context(**context).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def fulfillments(self, order):
        fulfillments = self.sim_get("/_sim/fulfillments")["fulfillments"]
        return [f for f in fulfillments if f["orderId"] == order.external_order_id]

    def fulfillment_jobs(self, picking):
        return self.env["marketplace.job"].search([
            ("job_type", "=", "push_fulfillment"), ("payload", "=", '{"picking_id":%d}' % picking.id)])

    # -- tests -----------------------------------------------------------------
    def test_full_shipment_reports_lines_carrier_and_tracking_once(self):
        order = self.ebay_order([3, 1])
        picking = self.ship(order.sale_order_id.picking_ids, [3, 1], self.ups, "1Z999AA10123456784")

        job = self.fulfillment_jobs(picking)
        self.assertEqual((len(job), job.state, job.shop_id), (1, "pending", self.ebay_shop))
        self.run_jobs()

        self.assertEqual(job.state, "done", job.last_error)
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(picking.ebay_fulfillment_id, fulfillment["fulfillmentId"])
        self.assertEqual(fulfillment["shippingCarrierCode"], "UPS")
        self.assertEqual(fulfillment["shipmentTrackingNumber"], "1Z999AA10123456784")
        self.assertEqual(sorted((line["lineItemId"], line["quantity"]) for line in fulfillment["lineItems"]),
                         sorted((line.external_line_id, int(line.quantity)) for line in order.line_ids))
        self.assertEqual(order.line_ids.mapped("qty_fulfilled"), order.line_ids.mapped("quantity"))

        # never twice: a new tracking entry enqueues nothing, a forced job sends nothing
        picking.carrier_tracking_ref = "1Z999AA10123456785"
        self.assertEqual(self.fulfillment_jobs(picking), job)
        again = self.enqueue_and_run("push_fulfillment", {"picking_id": picking.id})
        self.assertEqual(again.state, "done", again.last_error)
        self.assertEqual(len(self.fulfillments(order)), 1)

    def test_a_clerks_delivery_is_reported_by_the_shops_job_user(self):
        """A warehouse clerk (Inventory / User, no marketplace group) validates the delivery with a tracking
        number: the fulfillment runs as the shop's Job User and eBay gets the shipment."""
        clerk = new_test_user(self.env, "ship_clerk", groups="stock.group_stock_user")
        order = self.ebay_order([1])
        picking = self.ship(order.sale_order_id.picking_ids.with_user(clerk), [1], self.ups, "1ZCLERK0001")

        job = self.fulfillment_jobs(picking)
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(fulfillment["shipmentTrackingNumber"], "1ZCLERK0001")
        self.assertEqual(picking.ebay_fulfillment_id, fulfillment["fulfillmentId"])
        self.assertEqual(job.user_id, self.env.ref("marketplace_base.user_marketplace_bot"))

    def test_partial_shipments_give_one_fulfillment_each(self):
        order = self.ebay_order([3])
        first = self.ship(order.sale_order_id.picking_ids, [1], self.ups, "TRACK-1")
        self.run_jobs()
        backorder = order.sale_order_id.picking_ids - first
        self.assertEqual(len(backorder), 1)
        self.assertEqual(order.line_ids.qty_fulfilled, 1)

        self.ship(backorder, [2], self.ups, "TRACK-2")
        self.run_jobs()

        shipments = self.fulfillments(order)
        self.assertEqual([(f["lineItems"][0]["quantity"], f["shipmentTrackingNumber"]) for f in shipments],
                         [(1, "TRACK-1"), (2, "TRACK-2")])
        self.assertEqual([first.ebay_fulfillment_id, backorder.ebay_fulfillment_id],
                         [f["fulfillmentId"] for f in shipments])
        self.assertEqual(order.line_ids.qty_fulfilled, 3)

    def test_carrier_without_code_fails_clearly_then_requeue_succeeds(self):
        order = self.ebay_order([1])
        picking = self.ship(order.sale_order_id.picking_ids, [1], self.uncoded, "LOCAL-1")
        self.run_jobs()
        job = self.fulfillment_jobs(picking)
        self.assertEqual(job.state, "failed")
        self.assertIn("No eBay carrier code for delivery method Local courier", job.last_error)
        self.assertFalse(self.fulfillments(order))

        self.uncoded.ebay_carrier_code = "usps"
        job.action_requeue()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.fulfillments(order)[0]["shippingCarrierCode"], "USPS")

    def test_carrier_name_fallback_and_tracking_entered_after_validation(self):
        order = self.ebay_order([1])
        self.uncoded.name = "FedEx Ground"
        picking = self.ship(order.sale_order_id.picking_ids, [1], self.uncoded, False)
        self.assertFalse(self.fulfillment_jobs(picking), "no tracking yet: nothing to report")

        picking.carrier_tracking_ref = "FDX-42"
        self.run_jobs()
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual((fulfillment["shippingCarrierCode"], fulfillment["shipmentTrackingNumber"]),
                         ("FedEx", "FDX-42"))

    def test_ebay_outage_is_retried_through_the_queue(self):
        order = self.ebay_order([2])
        picking = self.ship(order.sale_order_id.picking_ids, [2], self.ups, "1ZRETRY")
        self.sim_post("/_sim/faults", {"rate_5xx": 1.0})
        self.run_jobs()
        job = self.fulfillment_jobs(picking)
        self.assertEqual((job.state, job.attempts), ("pending", 1))
        self.assertTrue(job.last_error)
        self.assertFalse(picking.ebay_fulfillment_id)

        self.sim_post("/_sim/faults", {})
        job.next_attempt_at = fields.Datetime.now()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(self.fulfillments(order)), 1)
        self.assertEqual(order.line_ids.qty_fulfilled, 2)

    def test_create_without_an_answer_leaves_one_fulfillment_and_the_job_done(self):
        order = self.ebay_order([1, 2])
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "2")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {
            "path": "/sell/fulfillment/v1/order/*/shipping_fulfillment", "method": "POST", "times": 1}})
        picking = self.ship(order.sale_order_id.picking_ids, [1, 2], self.ups, "1ZNOANSWER")
        self.run_jobs()

        job = self.fulfillment_jobs(picking)
        self.assertEqual(job.state, "done", job.last_error)
        (fulfillment,) = self.fulfillments(order)
        self.assertEqual(picking.ebay_fulfillment_id, fulfillment["fulfillmentId"])
        self.assertEqual(order.line_ids.mapped("qty_fulfilled"), order.line_ids.mapped("quantity"))
        self.assertIn("eBay already had this shipment", "\n".join(job.log_ids.mapped("message")))
