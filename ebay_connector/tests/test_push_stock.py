"""Stock and price push (Odoo -> eBay) against the simulator: bulkUpdatePriceQuantity in 25s."""
import os
import sys
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import new_test_user

from ..ebay_api.inventory import InventoryAdapter
from .common import EbayCase

BULK = "POST /sell/inventory/v1/bulk_update_price_quantity"
GET_OFFERS = "GET /sell/inventory/v1/offer"
SKU_COUNT = 62


class TestPushStock(EbayCase):

    sim_seed = {"demo": True, "items": 80}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"]
        cls.bindings = cls.env["marketplace.product.binding"]
        synced_at = fields.Datetime.now()
        for number in range(1, SKU_COUNT + 1):
            sku = "DEMO-%04d" % number
            product = cls._make_product(sku, 4.0)
            listing = cls.http.get(cls.sim.base_url + "/_sim/listings/" + sku, timeout=10).json()
            # in sync to start with: each test changes what it pushes
            cls.bindings |= cls.env["marketplace.product.binding"].create({
                "shop_id": cls.ebay_shop.id, "product_id": product.id, "external_sku": sku,
                "external_offer_id": listing["offerId"], "ebay_listing_source": "inventory_api", "status": "active",
                "last_pushed_qty": 4, "last_pushed_price": 20.0, "last_sync_at": synced_at,
            })
            cls.products |= product

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        self.reset_sim_calls()

    # -- helpers ---------------------------------------------------------------
    def add_stock(self, products, quantity):
        for product in products:
            self.env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, quantity)

    def listing(self, binding):
        return self.sim_get("/_sim/listings/" + binding.external_sku)

    def bulk_calls(self):
        return self.sim_calls().get(BULK, 0)

    def fail_sku(self, binding, error_id=25001, message=None):
        self.sim_post("/_sim/fail_sku", {"sku": binding.external_sku, "errorId": error_id, "message": message})
        self.addCleanup(self.sim_post, "/_sim/fail_sku", {"sku": binding.external_sku, "clear": True})

    def single_binding_job(self, job_type, binding):
        return self.env["marketplace.job"].search([
            ("job_type", "=", job_type), ("payload", "=", '{"binding_ids":[%d]}' % binding.id)])

    # -- stock -----------------------------------------------------------------
    def test_sixty_changed_bindings_take_three_calls_then_none(self):
        changed = self.bindings[:60]
        self.add_stock(changed.product_id, 3.0)  # 4 -> 7 free
        hub = self.bindings[60]
        hub.ebay_listing_source = "seller_hub"
        self.add_stock(hub.product_id, 5.0)

        job = self.enqueue_and_run("push_stock")

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.bulk_calls(), 3)
        self.assertEqual(job.call_count, 3)
        self.assertEqual((job.progress_total, job.progress_stored, job.progress_failed), (60, 60, 0))
        self.assertEqual(set(changed.mapped("last_pushed_qty")), {7})
        for binding in changed[::20]:
            self.assertEqual(self.listing(binding)["quantity"], 7)
        # unchanged (in sync at 4: the seed never uses 4) and Seller Hub bindings are not sent
        self.assertNotEqual(self.listing(self.bindings[61])["quantity"], 4)
        self.assertEqual(hub.last_pushed_qty, 4)
        self.assertTrue(any("1 Seller Hub listing(s) skipped" in log.message for log in job.log_ids))

        self.reset_sim_calls()
        again = self.enqueue_and_run("push_stock")
        self.assertEqual(again.state, "done", again.last_error)
        self.assertEqual(self.bulk_calls(), 0)

    def test_sync_rule_and_unreserved_marketplace_orders(self):
        self.env["marketplace.sync.rule"].create({
            "shop_id": self.ebay_shop.id, "buffer_qty": 2, "min_online_qty": 3, "rounding": 5})
        first, second, third = self.bindings[:3]
        self.add_stock(first.product_id, 15.0)  # 19 free
        self.add_stock(second.product_id, 4.0)  # 8 free
        # 4 free: after the buffer 2, rounded down to 0
        self.env["marketplace.order"]._import_order(self.ebay_shop, {
            "external_order_id": "ORDER-UNRESERVED", "buyer_username": "buyer", "ship_country_code": "US",
        }, [{"external_line_id": "L1", "external_sku": first.external_sku, "quantity": 3, "price_unit": 20.0}])

        job = self.enqueue_and_run("push_stock", {"product_ids": (first | second | third).product_id.ids})

        self.assertEqual(job.state, "done", job.last_error)
        # 19 - 3 ordered - 2 buffer = 14 -> 10; 8 - 2 = 6 -> 5; 4 - 2 = 2 -> 0 -> below min 3 -> 0
        self.assertEqual([first.last_pushed_qty, second.last_pushed_qty, third.last_pushed_qty], [10, 5, 0])
        self.assertEqual([self.listing(b)["quantity"] for b in (first, second, third)], [10, 5, 0])

    def test_one_refused_sku_is_requeued_alone_and_not_stored(self):
        batch = self.bindings[:5]
        failing = batch[2]
        self.add_stock(batch.product_id, 2.0)
        before = self.listing(failing)["quantity"]
        self.fail_sku(failing)

        job = self.enqueue_and_run("push_stock")

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual((job.progress_stored, job.progress_failed), (4, 1))
        self.assertEqual(set((batch - failing).mapped("last_pushed_qty")), {6})
        self.assertEqual(failing.last_pushed_qty, 4)
        self.assertIn("25001", failing.status_message)
        self.assertEqual(self.listing(failing)["quantity"], before)
        single = self.single_binding_job("push_stock", failing)
        self.assertEqual(len(single), 1)
        # the system error is retried with backoff; then eBay accepts it
        self.assertEqual((single.state, single.attempts), ("pending", 1))
        self.assertIn(failing.external_sku, single.last_error)

        self.sim_post("/_sim/fail_sku", {"sku": failing.external_sku, "clear": True})
        self.run_jobs(job_ids=single.ids)
        self.assertEqual(single.state, "done", single.last_error)
        self.assertEqual(failing.last_pushed_qty, 6)
        self.assertFalse(failing.status_message)
        self.assertEqual(self.listing(failing)["quantity"], 6)

    def test_a_large_push_runs_in_slices_and_a_refused_sku_is_not_sent_again(self):
        changed = self.bindings[:60]
        failing = changed[2]
        self.add_stock(changed.product_id, 3.0)  # 4 -> 7 free
        self.fail_sku(failing)
        job = self.env["marketplace.job"]._enqueue("push_stock", shop=self.ebay_shop)
        self.run_slice_out_of_time(job)  # time is up after one call
        self.assertEqual((job.state, job.slice_count, job.progress_stored, job.progress_failed), ("pending", 1, 24, 1))
        self.assertEqual(self.bulk_calls(), 1)

        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.bulk_calls(), 3, "the next slices send the 35 others, not the refused SKU again")
        self.assertEqual(set((changed - failing).mapped("last_pushed_qty")), {7})
        self.assertEqual(failing.last_pushed_qty, 4)
        self.assertEqual(len(self.single_binding_job("push_stock", failing)), 1)

    def test_permanent_refusal_fails_the_single_binding_job(self):
        failing = self.bindings[0]
        self.add_stock(failing.product_id, 1.0)
        self.fail_sku(failing, error_id=25709, message="Invalid value for quantity.")

        self.enqueue_and_run("push_stock")

        single = self.single_binding_job("push_stock", failing)
        self.assertEqual(single.state, "failed")
        self.assertIn("Invalid value for quantity", single.last_error)
        self.assertEqual(failing.last_pushed_qty, 4)

    def test_done_moves_enqueue_one_push_stock_per_shop(self):
        Job = self.env["marketplace.job"]
        unbound = self._make_product("NOT-ON-EBAY", 0.0)
        self.receive(unbound, 5)
        self.assertFalse(Job.search([("job_type", "=", "push_stock"), ("state", "=", "pending")]))

        first, second = self.bindings[:2]
        self.receive(first.product_id, 5)
        self.receive(second.product_id, 1)

        pending = Job.search([("job_type", "=", "push_stock"), ("state", "=", "pending")])
        self.assertEqual(len(pending), 1)
        self.assertEqual((pending.shop_id, pending._payload()), (self.ebay_shop, {"changed_products": True}))
        Change = self.env["marketplace.stock.change"]
        noted = Change.search([("shop_id", "=", self.ebay_shop.id)])
        self.assertEqual(set(noted.product_id.ids), {first.product_id.id, second.product_id.id})
        self.run_jobs()
        self.assertEqual(pending.state, "done", pending.last_error)
        self.assertEqual([first.last_pushed_qty, second.last_pushed_qty], [9, 5])
        self.assertEqual(self.listing(first)["quantity"], 9)
        self.assertIn("Stock: 2 of 2 binding(s) changed.", pending.log_ids.mapped("message"),
                      "only the noted products' listings are read, not the shop's %s" % len(self.bindings))
        self.assertFalse(Change.search([("shop_id", "=", self.ebay_shop.id)]), "the sent changes are forgotten")

    def traced_stock_change(self, binding, quantity):
        """Receive ``quantity`` of ``binding``'s product and run its push, recording every call into the addons'
        code (tests left out) as (caller's addon, callee's addon, callee's file, function): the stock -> push path
        as it runs (docs/architecture.md counts its files and crossings this way)."""
        addons = ("marketplace_base", "ebay_connector", "shopee_connector")

        def addon_file(filename):
            parts = filename.split(os.sep)
            for addon in addons:
                if addon in parts and "tests" not in parts[parts.index(addon):]:
                    return addon, "/".join(parts[parts.index(addon):])
            return None, None
        calls, stack = [], []

        def record(frame, event, _arg):
            if event == "call":
                addon, path = addon_file(frame.f_code.co_filename)
                caller = next((name for name in reversed(stack) if name), None)
                stack.append(addon)
                if addon:
                    calls.append((caller, addon, path, frame.f_code.co_name))
            elif event == "return" and stack:
                stack.pop()
        sys.setprofile(record)
        try:
            self.receive(binding.product_id, quantity)
            push = self.env["marketplace.job"].search([("job_type", "=", "push_stock"), ("state", "=", "pending")])
            self.run_jobs()
        finally:
            sys.setprofile(None)
        self.assertEqual(push.state, "done", push.last_error)
        return calls

    def test_an_ebay_stock_change_runs_no_other_connectors_code(self):
        """With another connector installed beside eBay, a stock move of an eBay listing and its push run eBay's
        and the base's code only: per-platform answers come from the platform's own model, not from super()
        chains through every connector (Shopee's domains and handler table ran here before)."""
        if self.env["ir.module.module"]._get("shopee_connector").state != "installed":
            self.skipTest("needs shopee_connector installed beside ebay_connector")
        binding = self.bindings[0]
        calls = self.traced_stock_change(binding, 5)
        self.assertEqual(binding.last_pushed_qty, 9)
        ran = sorted({"%s:%s" % (path, function) for _caller, addon, path, function in calls
                      if addon == "shopee_connector"})
        self.assertFalse(ran, "Shopee code ran on an eBay stock change")

    def test_the_push_goes_down_the_layers_once(self):
        """The base's push (BindingExporter) asks eBay's PushAdapter for items and calls; eBay's code never calls
        back into the middle of the push (it ran it, as a mixin, and re-entered it to refuse items before)."""
        binding = self.bindings[0]
        calls = self.traced_stock_change(binding, 5)
        self.assertEqual(self.listing(binding)["quantity"], 9)
        callbacks = sorted({function for caller, addon, path, function in calls if caller == "ebay_connector"
                            and path == "marketplace_base/services/binding_exporter.py"})
        self.assertFalse(callbacks, "eBay code called into the base's push")
        into_ebay = {function for caller, addon, _path, function in calls
                     if caller == "marketplace_base" and addon == "ebay_connector"}
        self.assertTrue({"pushable", "stock_item", "call"} <= into_ebay, into_ebay)

    def test_a_clerks_receipt_is_pushed_by_the_shops_job_user(self):
        """A warehouse clerk (Inventory / User, no marketplace group) validates a receipt: the push runs as the
        shop's Job User, who may read the shop, and eBay gets the quantity; the clerk is recorded nowhere."""
        clerk = new_test_user(self.env, "push_clerk", groups="stock.group_stock_user")
        binding = self.bindings[0]
        receipt = self.env["stock.picking"].with_user(clerk).create({
            "picking_type_id": self.warehouse.in_type_id.id,
            "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": self.warehouse.lot_stock_id.id,
            "move_ids": [Command.create({"name": "Restock", "product_id": binding.product_id.id, "product_uom_qty": 6,
                                         "product_uom": binding.product_id.uom_id.id,
                                         "location_id": self.env.ref("stock.stock_location_suppliers").id,
                                         "location_dest_id": self.warehouse.lot_stock_id.id})],
        })
        receipt.action_confirm()
        receipt.move_ids.write({"quantity": 6, "picked": True})
        receipt.with_user(clerk).button_validate()
        self.assertEqual(receipt.state, "done")

        push = self.env["marketplace.job"].search([("job_type", "=", "push_stock"), ("state", "=", "pending")])
        self.run_jobs()
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual(binding.last_pushed_qty, 10)
        self.assertEqual(self.listing(binding)["quantity"], 10)
        self.assertEqual(push.user_id, self.env.ref("marketplace_base.user_marketplace_bot"))

    def test_moves_of_the_next_seconds_go_in_the_same_push(self):
        self.env["ir.config_parameter"].sudo().set_param("marketplace_base.stock_push_delay_seconds", "30")
        Job = self.env["marketplace.job"]
        first, second = self.bindings[:2]
        self.receive(first.product_id, 5)
        push = Job.search([("job_type", "=", "push_stock"), ("state", "=", "pending")])
        self.assertGreaterEqual(push.next_attempt_at, fields.Datetime.now() + timedelta(seconds=25))
        self.receive(second.product_id, 1)
        self.assertEqual(Job.search([("job_type", "=", "push_stock"), ("state", "=", "pending")]), push,
                         "the second move joins the pending push")
        self.assertFalse(self.run_jobs(), "not due yet")
        self.sim_post("/_sim/calls/reset")
        push.next_attempt_at = fields.Datetime.now()
        self.run_jobs()
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual([first.last_pushed_qty, second.last_pushed_qty], [9, 5])
        self.assertEqual(self.bulk_calls(), 1, "both quantities in one call")

    def test_a_change_noted_while_a_push_runs_waits_for_the_next_push(self):
        first, second = self.bindings[:2]
        self.receive(first.product_id, 5)
        push = self.env["marketplace.job"].search([("job_type", "=", "push_stock"), ("state", "=", "pending")])
        Change = self.env["marketplace.stock.change"]
        forget = type(Change)._forget

        def note_meanwhile(changes, change_ids):
            Change._note([(self.ebay_shop.id, second.product_id.id)])  # a move committed while the push ran
            return forget(changes, change_ids)
        with patch.object(type(Change), "_forget", note_meanwhile):
            self.run_jobs(job_ids=push.ids)
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual(Change.search([("shop_id", "=", self.ebay_shop.id)]).product_id, second.product_id)

    def test_product_without_binding_fails_with_its_name(self):
        unbound = self._make_product("NOT-ON-EBAY", 3.0)
        job = self.enqueue_and_run("push_stock", {"product_ids": [self.bindings[0].product_id.id, unbound.id]})
        self.assertEqual(job.state, "failed")
        self.assertIn("No eBay binding", job.last_error)
        self.assertIn("NOT-ON-EBAY", job.last_error)
        self.assertEqual(self.bulk_calls(), 0)

    def test_429_storm_converges(self):
        bindings = self.bindings[:30]
        self.add_stock(bindings.product_id, 1.0)
        self.sim_post("/_sim/faults", {"rate_429": 0.5, "retry_after": 0, "random_seed": 7})

        job = self.enqueue_and_run("push_stock")
        for _attempt in range(10):
            if job.state != "pending":
                break
            job.next_attempt_at = fields.Datetime.now()
            self.run_jobs(job_ids=job.ids)

        self.assertEqual(job.state, "done", job.last_error)
        self.assertGreater(self.bulk_calls(), 2, "the storm throttled some of the 2 batches")
        self.sim_post("/_sim/faults", {})
        self.assertEqual(set(bindings.mapped("last_pushed_qty")), {5})
        self.assertEqual({self.listing(b)["quantity"] for b in bindings}, {5})

    def test_token_expiry_in_the_middle_of_a_job(self):
        bindings = self.bindings[:60]
        self.add_stock(bindings.product_id, 2.0)
        original = InventoryAdapter.bulk_update_price_quantity

        def then_expire(adapter, entries):
            answer = original(adapter, entries)
            self.sim_post("/_sim/expire_tokens")
            return answer

        with patch.object(InventoryAdapter, "bulk_update_price_quantity", then_expire):
            job = self.enqueue_and_run("push_stock")

        self.assertEqual(job.state, "done", job.last_error)
        # 3 batches; the 2nd and 3rd were refused once with 401, then replayed with a refreshed token
        self.assertEqual(self.bulk_calls(), 5)
        self.assertGreaterEqual(self.sim_calls().get("POST /identity/v1/oauth2/token", 0), 2)
        self.assertEqual(set(bindings.mapped("last_pushed_qty")), {6})
        self.assertEqual(self.listing(bindings[-1])["quantity"], 6)
        self.assertEqual(self.ebay_account.state, "connected")

    # -- prices ----------------------------------------------------------------
    def test_price_change_pushes_and_fetches_an_unknown_offer_once(self):
        binding = self.bindings[0]
        offer_id = binding.external_offer_id
        binding.external_offer_id = False
        binding.product_id.list_price = 33.5

        pending = self.env["marketplace.job"].search([("job_type", "=", "push_price"), ("state", "=", "pending")])
        self.assertEqual(pending.shop_id, self.ebay_shop, "a price change enqueues the shop's price push")
        job = self.enqueue_and_run("push_price")
        self.assertEqual(job, pending)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls().get(GET_OFFERS), 1)
        self.assertEqual(self.bulk_calls(), 1)
        self.assertEqual(binding.external_offer_id, offer_id)
        self.assertEqual(binding.last_pushed_price, 33.5)
        self.assertEqual(self.listing(binding)["price"], {"value": "33.50", "currency": "USD"})

        self.reset_sim_calls()
        binding.product_id.list_price = 31.0
        self.enqueue_and_run("push_price")
        self.assertNotIn(GET_OFFERS, self.sim_calls())
        self.assertEqual(self.listing(binding)["price"]["value"], "31.00")

    def test_price_follows_the_shop_pricelist(self):
        binding = self.bindings[1]
        pricelist = self.env["product.pricelist"].create({
            "name": "eBay prices", "currency_id": self.ebay_shop.currency_id.id,
            "item_ids": [(0, 0, {"applied_on": "0_product_variant", "product_id": binding.product_id.id,
                                 "compute_price": "fixed", "fixed_price": 24.99})],
        })
        self.ebay_shop.pricelist_id = pricelist

        job = self.enqueue_and_run("push_price")

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.bulk_calls(), 1, "only the binding whose price changed is sent")
        self.assertEqual(binding.last_pushed_price, 24.99)
        self.assertEqual(self.listing(binding)["price"]["value"], "24.99")
