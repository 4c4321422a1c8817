"""Returns through the simulator's Post-Order API: a buyer's return request becomes a record with its deadline and
an activity, Approve / Decline answer eBay once, the approved return gets Odoo's return picking, a warehouse clerk's
validation tells eBay the item arrived, replays change nothing, and only who may answer can."""
import base64
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.tests.common import away_from_utc_day, day_of

from ..ebay_api.fulfillment import FulfillmentAdapter
from ..services import return_sync
from .test_orders import OrdersCase

# who may refund: one guard for orders, returns and inquiries (marketplace_order.check_may_refund)
REFUND_REFUSED = "Only the Marketplace Managers of the order's company refund its buyer"


class ReturnCase(OrdersCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mkt_user = new_test_user(cls.env, "return_mkt_user", groups="marketplace_base.group_marketplace_user")
        cls.clerk = new_test_user(cls.env, "return_clerk", groups="stock.group_stock_user")
        cls.salesperson = new_test_user(cls.env, "return_salesperson", groups="sales_team.group_sale_salesman")
        shipping = cls.env["product.product"].create({"name": "Shipping", "type": "service"})
        cls.ups = cls.env["delivery.carrier"].create({
            "name": "Parcel service", "product_id": shipping.id, "delivery_type": "fixed", "ebay_carrier_code": "UPS"})

    def setUp(self):
        super().setUp()
        self.ebay_shop.ebay_returns_synced_until = self.started

    def shipped_order(self):
        """An eBay order made now, imported, handled by the Marketplace User, shipped and reported to eBay."""
        external_id = self.sim_order([(self.sku_a, 1)])
        self.pull()
        order = self.order(external_id)
        order.sale_order_id.user_id = self.mkt_user
        picking = order.sale_order_id.picking_ids
        picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "1Z999AA10123456784"})
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.run_jobs()
        self.assertTrue(self.sim_get("/_sim/fulfillments")["fulfillments"], "the shipment reached eBay")
        return order

    def pull_returns(self):
        job = self.env["marketplace.job"]._enqueue("pull_returns", shop=self.ebay_shop)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def buyer_returns(self, order, **values):
        """The buyer asks eBay for a return; Odoo pulls it; returns the record."""
        self.sim_post("/_sim/returns", dict({"orderId": order.external_order_id, "reason": "DEFECTIVE_ITEM",
                                             "comments": "It does not turn on"}, **values))
        self.pull_returns()
        return order.return_ids

    def run_job(self, job):
        self.assertTrue(job, "the work went to a job")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def ebay_return_detail(self, record):
        return self.ebay_return_body(record)["detail"]

    def ebay_return(self, record):
        return self.ebay_return_body(record)["summary"]

    def ebay_return_body(self, record):
        """The return as eBay has it, ``{"summary", "detail"}`` (a Post-Order call with the IAF token)."""
        token = self.ebay_account._ebay_client().token_store.load().access_token
        answer = self.http.get(self.sim.base_url + "/post-order/v2/return/%s" % record.external_return_id,
                               headers={"Authorization": "IAF " + token}, timeout=10)
        answer.raise_for_status()
        return answer.json()


class TestReturns(ReturnCase):

    def test_the_seller_return_label_goes_to_ebay_with_the_approval_once(self):
        record = self.buyer_returns(self.shipped_order())
        label = self.env["ir.attachment"].with_user(self.mkt_user).create({
            "name": "return-label.pdf", "res_model": record._name, "res_id": record.id,
            "raw": b"%PDF-1.4 label", "mimetype": "application/pdf"})
        mine = record.with_user(self.mkt_user)
        mine.write({"label_attachment_id": label.id, "label_carrier": "UPS", "label_tracking": "1ZRET42"})
        with self.assertRaises(UserError):   # only an approved return takes a label on its own
            mine.action_send_return_label()
        mine.action_approve()
        self.run_job(record.answer_job_id)
        self.assertEqual(record.state, "approved")
        self.run_job(record.label_job_id)
        self.assertTrue(record.label_sent_at)
        shipping_label = self.ebay_return_detail(record)["returnShipmentInfo"]["shippingLabel"]
        self.assertEqual((shipping_label["labelAction"], shipping_label["carrierName"], shipping_label["labelId"]),
                         ("UPLOAD_LABEL", "UPS", "1ZRET42"))
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/add_shipping_label"), 1)
        with self.assertRaises(UserError):   # sent once
            mine.action_send_return_label()
        job = record.label_job_id
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/add_shipping_label"), 1,
                         "a replayed job sends nothing")
        with self.assertRaises(AccessError):   # a salesperson without marketplace rights sends nothing
            record.with_user(self.salesperson).action_send_return_label()

    def test_the_buyer_photos_are_attached_to_the_return_once(self):
        photos = [{"fileName": "front.jpg", "data": base64.b64encode(b"\xff\xd8\xff front").decode()},
                  {"fileName": "back.png", "data": base64.b64encode(b"\x89PNG back").decode(), "fileFormat": "PNG"}]
        order = self.shipped_order()
        record = self.buyer_returns(order, photos=photos)
        attachments = self.env["ir.attachment"].search([("res_model", "=", record._name), ("res_id", "=", record.id)])
        self.assertEqual(sorted(attachments.mapped("name")), ["back.png", "front.jpg"])
        self.assertEqual(sorted(attachments.mapped("mimetype")), ["image/jpeg", "image/png"])
        self.assertEqual(attachments.filtered(lambda a: a.name == "front.jpg").raw, b"\xff\xd8\xff front")
        self.assertEqual(self.env["ir.attachment"].with_user(self.mkt_user).search_count(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]), 2, "the seller's staff sees them")

        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.sim_post("/_sim/returns/%s/ship" % record.external_return_id, {"trackingNumber": "1Z42"})
        self.ebay_shop.ebay_returns_synced_until = self.started   # the same window again: the status moved
        self.reset_sim_calls()
        self.pull_returns()
        self.assertEqual((record.state, self.sim_calls().get("GET /post-order/v2/return/{id}/files")),
                         ("item_shipped", 1), "read whole again, with its files")
        self.assertEqual(self.env["ir.attachment"].search_count(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]), 2, "attached once")

    def test_request_approved_picked_up_by_the_warehouse_and_received_on_ebay_once(self):
        order = self.shipped_order()
        away_from_utc_day(self.mkt_user)
        record = self.buyer_returns(order)
        self.assertEqual(len(record), 1)
        self.assertEqual((record.state, record.reason, record.buyer_comments),
                         ("requested", "DEFECTIVE_ITEM", "It does not turn on"))
        self.assertEqual((record.line_ids.order_line_id, record.line_ids.quantity), (order.line_ids, 1))
        self.assertEqual(record.line_ids.product_id, self.ebay_product_a)
        self.assertTrue(record.waiting_for_seller and record.response_due_at)
        self.assertEqual(record.activity_ids.user_id, self.mkt_user)
        self.assertEqual(record.activity_ids.date_deadline, day_of(self.mkt_user, record.response_due_at))
        self.assertEqual(self.ebay_shop.return_waiting_count, 1)
        self.assertEqual(order.sale_order_id.with_user(self.mkt_user).marketplace_return_count, 1)

        self.reset_sim_calls()
        self.ebay_shop.ebay_returns_synced_until = self.started   # the same window again: the search finds it
        self.pull_returns()   # a replay changes nothing and reads nothing more
        self.assertEqual((len(order.return_ids), len(record.activity_ids)), (1, 1))
        self.assertFalse(self.sim_calls().get("GET /post-order/v2/return/{id}"))

        as_user = record.with_user(self.mkt_user)
        as_user.rma_number = "RMA-77"
        as_user.action_approve()
        with self.assertRaises(UserError):   # answered already
            as_user.action_approve()
        self.reset_sim_calls()
        job = self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/decide"), 1)
        self.assertEqual(self.ebay_return(record)["status"], "READY_FOR_SHIPPING")
        self.assertEqual(record.state, "approved")
        self.assertFalse(record.activity_ids, "the to-do is done once answered")
        picking = record.picking_id
        self.assertEqual((picking.picking_type_id.code, picking.location_dest_id),
                         ("incoming", self.ebay_shop.warehouse_id.lot_stock_id), "the shop's warehouse")
        self.assertEqual(picking.move_ids.origin_returned_move_id.picking_id.sale_id, order.sale_order_id)

        self.reset_sim_calls()
        job.write({"state": "pending"})
        self.run_jobs(job_ids=job.ids)      # the same answer again: nothing sent
        self.assertFalse(self.sim_calls().get("POST /post-order/v2/return/{id}/decide"))

        self.sim_post("/_sim/returns/%s/ship" % record.external_return_id, {"trackingNumber": "9400111",
                                                                             "carrier": "USPS"})
        self.pull_returns()
        self.assertEqual((record.state, record.return_tracking_number, record.return_carrier),
                         ("item_shipped", "9400111", "USPS"))
        self.assertEqual(record.picking_id, picking, "one return picking")

        clerk_picking = picking.with_user(self.clerk)
        clerk_picking.move_ids.quantity = 1
        clerk_picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.reset_sim_calls()
        received = self.run_job(record.received_job_id)
        self.assertNotEqual(received.user_id, self.clerk, "the clerk's work is told by the shop's Job User")
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/mark_as_received"), 1)
        self.assertEqual(self.ebay_return(record)["status"], "ITEM_DELIVERED")
        self.assertEqual(record.state, "item_received")

        received.write({"state": "pending"})
        self.run_jobs(job_ids=received.ids)   # replayed: eBay is not told twice
        self.pull_returns()
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/mark_as_received"), 1)

        self.sim_post("/_sim/returns/%s/refund" % record.external_return_id, {})
        self.pull_returns()
        self.assertEqual(record.state, "refunded")
        self.assertGreater(record.refund_amount, 0)
        for _replay in range(2):   # eBay shows the return's refund on the order: one credit note
            self.pull(payload={"order_ids": [record.order_id.external_order_id]})
        credit_note = self.env["account.move"].search([("marketplace_order_id", "=", record.order_id.id)])
        self.assertEqual(len(credit_note), 1)
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

    def test_decline_and_a_return_answered_in_seller_hub_meanwhile(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        with self.assertRaises(UserError):
            record.with_user(self.mkt_user).action_decline()     # a reason first
        record.with_user(self.mkt_user).decline_reason = "Sold as seen"
        record.with_user(self.mkt_user).action_decline()
        self.run_job(record.answer_job_id)
        self.assertEqual((record.state, self.ebay_return(record)["status"]), ("declined", "RETURN_REJECTED"))
        self.assertFalse(record.picking_id)

        second = self.buyer_returns(order) - record
        second.with_user(self.mkt_user).offer_amount = order.amount_total + 1
        with self.assertRaises(UserError):         # more than the buyer paid: refused in Odoo already
            second.with_user(self.mkt_user).action_offer_partial_refund()
        second.with_user(self.mkt_user).action_approve()
        token = self.ebay_account._ebay_client().token_store.load().access_token
        self.http.post(self.sim.base_url + "/post-order/v2/return/%s/decide" % second.external_return_id,
                       json={"decision": "DECLINE"}, headers={"Authorization": "IAF " + token},
                       timeout=10)                 # declined in Seller Hub before the job ran
        self.reset_sim_calls()
        self.run_job(second.answer_job_id)
        self.assertFalse(self.sim_calls().get("POST /post-order/v2/return/{id}/decide"), "not answered twice")
        self.assertEqual(second.state, "declined", "eBay's word is stored")
        self.assertFalse(second.picking_id)

    def test_only_marketplace_users_of_the_company_answer(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        with self.assertRaises(AccessError):
            record.with_user(self.salesperson).action_approve()
        with self.assertRaises(AccessError):
            record.with_user(self.clerk).action_approve()
        with self.assertRaises(AccessError):
            record.with_user(self.mkt_user).write({"state": "approved"})
        self.assertFalse(record.answer_job_id)

    def test_a_return_of_an_order_not_imported_yet_queues_it(self):
        external_id = self.sim_order([(self.sku_a, 1)])
        fulfillment = FulfillmentAdapter(self.ebay_account._ebay_client())
        fulfillment.create_shipping_fulfillment(external_id, [(line["lineItemId"], line["quantity"]) for line in
                                                              fulfillment.get_order(external_id)["lineItems"]],
                                                "UPS", "1Z999AA10123456785")   # shipped from Seller Hub
        self.sim_post("/_sim/returns", {"orderId": external_id})
        self.pull_returns()
        self.assertEqual(self.ebay_shop.ebay_returns_synced_until, self.started, "the watermark waits for it")
        order_job = self.env["marketplace.job"].search([("job_type", "=", "pull_orders"), ("state", "=", "pending"),
                                                        ("shop_id", "=", self.ebay_shop.id)])
        self.assertIn(external_id, order_job.payload)
        self.run_jobs(job_ids=order_job.ids)
        self.pull_returns()
        self.assertEqual(self.order(external_id).return_ids.state, "requested")

    def test_a_long_pull_runs_in_slices_and_resumes_at_its_next_page(self):
        order = self.shipped_order()
        for _number in range(2):
            self.sim_post("/_sim/returns", {"orderId": order.external_order_id})
        job = self.env["marketplace.job"]._enqueue("pull_returns", shop=self.ebay_shop)
        with patch.object(return_sync, "PAGE_SIZE", 1):
            self.run_slice_out_of_time(job)
            self.assertEqual((job.state, len(order.return_ids)), ("pending", 1), "paused after its first page")
            self.run_jobs(job_ids=job.ids)
        self.assertEqual((job.state, len(order.return_ids)), ("done", 2))

    def test_an_approval_without_an_answer_is_read_back_not_sent_twice(self):
        order = self.shipped_order()
        record = self.buyer_returns(order)
        record.with_user(self.mkt_user).action_approve()
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "2")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {
            "path": "/post-order/v2/return/*/decide", "method": "POST", "times": 1}})
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        self.reset_sim_calls()
        self.run_job(record.answer_job_id)
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/decide"), 1, "sent once")
        self.assertEqual((record.state, self.ebay_return(record)["status"]), ("approved", "READY_FOR_SHIPPING"))
        self.assertTrue(record.picking_id)


class TestRefundOnReceipt(ReturnCase):
    """The shop's Refund Returns on Receipt: once the clerk's receipt is told to eBay, the return's refund goes
    out once through Post-Order's issue_refund, run as the manager who turned it on, and the refund eBay then
    reports is one draft credit note."""

    REFUND = "POST /post-order/v2/return/{id}/issue_refund"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "return_refund_manager",
                                    groups="marketplace_base.group_marketplace_manager")

    def refund_on_receipt(self):
        self.ebay_shop.with_user(self.manager).refund_returns_on_receipt = True
        self.assertEqual(self.ebay_shop.return_refund_user_id, self.manager)

    def received_return(self):
        """A shipped order's return approved by the Marketplace User, sent back by the buyer and validated by
        the warehouse clerk; the receipt job told eBay. Returns the return."""
        record = self.buyer_returns(self.shipped_order())
        record.with_user(self.mkt_user).action_approve()
        self.run_job(record.answer_job_id)
        self.sim_post("/_sim/returns/%s/ship" % record.external_return_id, {"trackingNumber": "9400222"})
        self.pull_returns()
        clerk_picking = record.picking_id.with_user(self.clerk)
        clerk_picking.move_ids.quantity = 1
        clerk_picking.button_validate()
        self.run_job(record.received_job_id)
        self.assertEqual(record.state, "item_received")
        return record

    def credit_notes(self, record):
        return self.env["account.move"].search([("marketplace_order_id", "=", record.order_id.id)])

    def test_the_refund_goes_to_ebay_once_and_is_one_credit_note(self):
        self.refund_on_receipt()
        record = self.received_return()
        refund_job = record.refund_job_id
        self.assertEqual((refund_job.job_type, refund_job.user_id), ("refund_return", self.manager),
                         "run as the manager who turned it on, not as the clerk or the Job User")
        self.reset_sim_calls()
        self.run_job(refund_job)
        self.assertEqual(self.sim_calls().get(self.REFUND), 1)
        ebay = self.ebay_return(record)
        self.assertEqual(ebay["status"], "CLOSED")
        self.assertEqual(record.state, "refunded")
        self.assertAlmostEqual(float(ebay["sellerTotalRefund"]["actualRefundAmount"]["value"]),
                               record.refund_amount, places=2)
        order_pull = self.env["marketplace.job"].search([("job_type", "=", "pull_orders"), ("state", "=", "pending"),
                                                         ("shop_id", "=", self.ebay_shop.id)])
        self.assertIn(record.order_id.external_order_id, order_pull.payload, "the order re-read for its refund")
        self.run_jobs(job_ids=order_pull.ids)
        credit_note = self.credit_notes(record)
        self.assertEqual((len(credit_note), credit_note.state, credit_note.move_type), (1, "draft", "out_refund"))
        self.assertAlmostEqual(credit_note.amount_total, record.refund_amount, places=2)

        # replays: the refund job, the receipt job, the pulls of returns and orders: nothing sent or booked again
        refund_job.write({"state": "pending"})
        self.run_jobs(job_ids=refund_job.ids)
        record.received_job_id.write({"state": "pending"})
        self.run_jobs(job_ids=record.received_job_id.ids)
        self.assertEqual(record.refund_job_id, refund_job, "one refund job")
        self.pull_returns()
        for _replay in range(2):
            self.pull(payload={"order_ids": [record.order_id.external_order_id]})
        self.assertEqual(self.sim_calls().get(self.REFUND), 1, "refunded once")
        self.assertEqual(len(self.credit_notes(record)), 1, "booked once")

    def test_an_unanswered_refund_is_read_back_not_sent_twice(self):
        self.refund_on_receipt()
        record = self.received_return()
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "2")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {
            "path": "/post-order/v2/return/*/issue_refund", "method": "POST", "times": 1}})
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        self.reset_sim_calls()
        self.run_job(record.refund_job_id)
        self.assertEqual(self.sim_calls().get(self.REFUND), 1, "sent once")
        self.assertEqual((record.state, self.ebay_return(record)["status"]), ("refunded", "CLOSED"))

    def test_off_by_default_the_receipt_refunds_nothing(self):
        self.assertFalse(self.ebay_shop.refund_returns_on_receipt)
        record = self.received_return()
        self.assertFalse(record.refund_job_id)
        self.assertFalse(self.env["marketplace.job"].search([("job_type", "=", "refund_return")]))

    def test_only_a_marketplace_manager_turns_it_on_or_refunds(self):
        with self.assertRaises(AccessError):
            self.ebay_shop.with_user(self.mkt_user).refund_returns_on_receipt = True
        self.assertFalse(self.ebay_shop.refund_returns_on_receipt)
        record = self.received_return()
        # a Marketplace User's own refund job (made by hand, run as him) sends nothing
        job = self.env["marketplace.job"].with_user(self.mkt_user).create({
            "job_type": "refund_return", "shop_id": self.ebay_shop.id, "account_id": self.ebay_account.id,
            "payload": '{"return_id": %d}' % record.id})
        self.assertEqual(job.user_id, self.mkt_user)
        self.reset_sim_calls()
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "failed")
        self.assertIn(REFUND_REFUSED, job.last_error)
        self.assertFalse(self.sim_calls().get(self.REFUND))
        self.assertEqual(record.state, "item_received")
        # another company's manager sees nothing of the return nor of the shop
        other = self.env["res.company"].create({"name": "Returns Elsewhere"})
        outsider = new_test_user(self.env, "return_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[other.id])
        self.assertFalse(self.env["marketplace.return"].with_user(outsider).search([("id", "=", record.id)]))
        with self.assertRaises(AccessError):
            record.with_user(outsider).read(["state"])
        with self.assertRaises(AccessError):
            self.ebay_shop.with_user(outsider).refund_returns_on_receipt = True
