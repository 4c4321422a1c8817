import base64
import time

from odoo.tests import new_test_user

from odoo.addons.marketplace_simulators.shopee_sim import logistics as sim_logistics
from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_SHOP_ID

from .common import ShopeeCase


class TestShopeeShipping(ShopeeCase):
    """Shipping as the shop chose and as each order's carrier asks (get_shipping_parameter's info_needed), split
    parcels, and Shopee's airway bill on the delivery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.packer = new_test_user(cls.env, "shopee_packer", groups="stock.group_stock_user,"
                                                                     "marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "shopee_ship_manager", groups="marketplace_base.group_marketplace_manager")

    def order_delivery(self, lines, profile=None, **order):
        """A buyer's order on a shop offering ``profile``, imported: its delivery."""
        if profile:
            self.sim_post("/_sim/logistics", {"shop_id": DEMO_SHOP_ID, "profile": profile})
        order_sn = self.sim_post("/_sim/orders", dict(order, lines=lines))["order_sn"]
        self.assertEqual(self.enqueue_and_run("pull_orders").state, "done")
        picking = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id.picking_ids
        self.assertTrue(picking.is_shopee_delivery)
        return order_sn, picking

    def ship(self, picking, user=None):
        picking.with_user(user or self.packer).action_shopee_ship()
        self.run_jobs()
        return self.env["marketplace.job"].search([("job_type", "=", "ship_order")], order="id desc", limit=1)

    def shipments(self, order_sn):
        return [row for row in self.sim_get("/_sim/shipments")["shipments"] if row["order_sn"] == order_sn]

    def airway_bills(self, picking):
        return self.env["ir.attachment"].search([("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)],
                                                order="name")

    def test_a_pickup_only_shop_ships_at_the_recommended_slot(self):
        order_sn, picking = self.order_delivery([[800001, 0, 1]], "pickup_slots")
        job = self.ship(picking)
        self.assertEqual(job.state, "done", job.last_error)
        [shipment] = self.shipments(order_sn)
        pickup = shipment["body"]["pickup"]
        slots = sim_logistics.shipping_parameter("pickup_slots", time.time())["pickup"]["address_list"][0]
        recommended = [slot["pickup_time_id"] for slot in slots["time_slot_list"] if "recommended" in slot["flags"]]
        self.assertEqual(pickup, {"address_id": 2826, "pickup_time_id": recommended[0]})
        self.assertNotEqual(recommended[0], slots["time_slot_list"][0]["pickup_time_id"], "not merely the first")
        self.assertEqual((picking.shopee_shipment_arranged, picking.shopee_ship_method), (True, "pickup"))
        self.assertTrue(picking.carrier_tracking_ref.startswith("TH"))

    def test_a_pickup_only_shop_without_time_slots_ships(self):
        order_sn, picking = self.order_delivery([[800001, 0, 1]], "pickup_no_slots")
        job = self.ship(picking)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual([row["body"] for row in self.shipments(order_sn)],
                         [{"order_sn": order_sn, "pickup": {"address_id": 2826}}])
        self.assertEqual(picking.shopee_ship_method, "pickup")

    def test_a_drop_off_shop_sends_the_branch_and_sender_name_its_carrier_asks_for(self):
        order_sn, picking = self.order_delivery([[800003, 0, 1]], "dropoff_fields")
        # not set on the shop yet: a clear error, and nothing sent to Shopee
        job = self.ship(picking)
        self.assertEqual(job.state, "failed")
        self.assertIn("no_branch", job.last_error)
        self.assertIn("7001, 7002", job.last_error)
        self.assertNotIn("/api/v2/logistics/ship_order", self.sim_calls())
        self.shopee_shop.with_user(self.manager).write({
            "shopee_ship_method": "dropoff", "shopee_dropoff_branch_id": 7002,
            "shopee_sender_real_name": " Somsak Jaidee "})
        job.action_requeue()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual([row["body"] for row in self.shipments(order_sn)], [
            {"order_sn": order_sn, "dropoff": {"branch_id": 7002, "sender_real_name": "Somsak Jaidee"}}])
        self.assertEqual(picking.shopee_ship_method, "dropoff")

    def test_drop_off_is_the_shop_choice_when_an_order_offers_both(self):
        self.shopee_shop.shopee_ship_method = "dropoff"
        order_sn, picking = self.order_delivery([[800001, 0, 1]], "default")
        self.assertEqual(self.ship(picking).state, "done")
        self.assertEqual([row["method"] for row in self.shipments(order_sn)], ["dropoff"])

    def test_a_split_order_ships_each_package_and_gets_each_airway_bill(self):
        order_sn, picking = self.order_delivery([[800001, 0, 1], [800003, 0, 1]], packages=[[0], [1]])
        job = self.ship(picking)
        self.assertEqual(job.state, "done", job.last_error)
        shipments = self.shipments(order_sn)
        self.assertEqual([row["body"].get("package_number") for row in shipments],
                         [f"PKG{order_sn}-1", f"PKG{order_sn}-2"])
        self.assertEqual(self.sim_calls()["/api/v2/logistics/ship_order"], 2)
        self.assertEqual(picking.carrier_tracking_ref, ",".join(row["tracking_number"] for row in shipments))
        bills = self.airway_bills(picking)
        self.assertEqual(bills.mapped("name"), [f"Shopee AWB {order_sn}-PKG{order_sn}-1.pdf",
                                                f"Shopee AWB {order_sn}-PKG{order_sn}-2.pdf"])
        for bill, shipment in zip(bills, shipments, strict=True):
            self.assertIn(shipment["tracking_number"].encode(), base64.b64decode(bill.datas))

    def test_the_airway_bill_lands_on_the_delivery_as_a_pdf(self):
        order_sn, picking = self.order_delivery([[800001, 0, 1]])
        self.assertEqual(self.ship(picking).state, "done")
        printing = self.env["marketplace.job"].search([("job_type", "=", "print_shipping_document")])
        self.assertEqual(printing.state, "done", printing.last_error)
        self.assertEqual(printing.user_id, self.packer, "printed as the person who shipped")
        self.assertEqual(printing.slice_count, 1, "paused once while Shopee printed (PROCESSING)")
        [bill] = self.airway_bills(picking)
        self.assertEqual((bill.name, bill.mimetype), (f"Shopee AWB {order_sn}.pdf", "application/pdf"))
        self.assertTrue(base64.b64decode(bill.datas).startswith(b"%PDF-"))
        self.assertIn(bill, picking.message_ids.attachment_ids)
        calls = self.sim_calls()
        for path in ("get_shipping_document_parameter", "create_shipping_document", "download_shipping_document"):
            self.assertEqual(calls["/api/v2/logistics/" + path], 1, path)
        self.assertEqual(calls["/api/v2/logistics/get_shipping_document_result"], 2)
        # printed again from the delivery's button: the same attachment, renewed
        picking.with_user(self.packer).action_shopee_print_airway_bill()
        self.run_jobs()
        self.assertEqual(self.airway_bills(picking), bill)
        self.assertEqual(self.sim_calls()["/api/v2/logistics/create_shipping_document"], 2)

    def test_a_warehouse_clerk_validating_the_delivery_ships_it_with_its_airway_bill(self):
        """The clerk may not use the marketplace (nor read sale orders): the jobs their validation queues run as
        the shop's job user."""
        clerk = new_test_user(self.env, "shopee_clerk", groups="stock.group_stock_user")
        order_sn, picking = self.order_delivery([[800001, 0, 1]], "pickup_no_slots")
        picking.move_ids.quantity = 1
        picking.with_user(clerk).button_validate()
        self.run_jobs()
        jobs = self.env["marketplace.job"].search([("job_type", "in", ("ship_order", "print_shipping_document"))])
        self.assertEqual(jobs.mapped("user_id"), self.env.ref("marketplace_base.user_marketplace_bot"))
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("last_error"))
        self.assertEqual(len(self.shipments(order_sn)), 1)
        self.assertEqual(self.airway_bills(picking).mimetype, "application/pdf")

    def test_no_airway_bill_is_asked_for_an_own_carrier(self):
        order_sn, picking = self.order_delivery([[800001, 0, 1]], "non_integrated")
        job = self.ship(picking)
        self.assertEqual(job.state, "failed")
        self.assertIn("no_tracking_number", job.last_error)
        picking.carrier_tracking_ref = "KERRY-0001"
        job.action_requeue()
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.shipments(order_sn)[0]["body"],
                         {"order_sn": order_sn, "non_integrated": {"tracking_number": "KERRY-0001"}})
        self.assertEqual(picking.carrier_tracking_ref, "KERRY-0001")
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "print_shipping_document")]))
