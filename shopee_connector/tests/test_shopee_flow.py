from unittest.mock import patch

from odoo.tests import new_test_user

from odoo.addons.marketplace_base.models.marketplace_order import MarketplaceOrder
from odoo.addons.marketplace_simulators.shopee_sim.seed import SECOND_SHOP_ID

from .common import CATALOGUE, ShopeeCase


class TestShopeeFlow(ShopeeCase):
    """The seller's Shopee manual end to end against the simulator: authorize, orders, stock, shipping."""


    def test_authorization_stores_the_shop_tokens_encrypted_and_a_second_shop_gets_its_own(self):
        shop = self.shopee_shop
        self.assertEqual(shop.authorization_state, "authorized")
        self.assertEqual(self.shopee_account.state, "connected")
        access = shop._get_secret("access_token")
        self.env.flush_all()
        self.env.cr.execute("SELECT access_token_encrypted FROM marketplace_shop WHERE id = %s", [shop.id])
        self.assertNotIn(access, self.env.cr.fetchone()[0])
        second = self.authorize(self.shopee_account, SECOND_SHOP_ID)
        self.assertNotEqual(second, shop)
        self.assertEqual((second.external_shop_id, second.account_id), (str(SECOND_SHOP_ID), self.shopee_account))
        self.assertNotEqual(second._get_secret("access_token"), access)
        self.assertEqual(shop._get_secret("access_token"), access)

    def test_pull_orders_pressed_by_a_marketplace_user_moves_the_watermark(self):
        """**Pull Orders** pressed by a Marketplace User runs with his rights, which change no shop: the shop's
        watermark is the engine's to move (a rehearsal saw the job fail on it after storing the orders)."""
        user = new_test_user(self.env, "shopee_pull_user", email="puller@example.com",
                             groups="marketplace_base.group_marketplace_user,base.group_partner_manager")
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        action = self.shopee_shop.with_user(user).with_context(shopee_job_type="pull_orders").action_shopee_enqueue()
        job = self.env["marketplace.job"].browse(action["res_id"])
        self.assertEqual(job.user_id, user)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertTrue(self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id)
        self.assertTrue(self.shopee_shop.shopee_orders_synced_until)

    def test_expired_token_is_refreshed_and_the_new_refresh_token_kept(self):
        old_refresh = self.shopee_shop._get_secret("refresh_token")
        self.sim_post("/_sim/expire_tokens")
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "done", job.last_error)
        self.env.invalidate_all()
        new_refresh = self.shopee_shop._get_secret("refresh_token")
        self.assertNotEqual(new_refresh, old_refresh)
        # the cron's refresh uses the stored new refresh token (the spent one would be refused)
        self.shopee_shop._shopee_refresh_tokens()
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.authorization_state, "authorized")
        self.assertNotEqual(self.shopee_shop._get_secret("refresh_token"), new_refresh)

    def test_pull_orders_makes_sale_orders_once(self):
        first = self.sim_post("/_sim/orders", {"lines": [[800002, 900001, 2], [800001, 0, 1]]})["order_sn"]
        second = self.sim_post("/_sim/orders", {"lines": [[800003, 0, 1]], "buyer": "other.buyer"})["order_sn"]
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(set(orders.mapped("external_order_id")), {first, second})
        order = orders.filtered(lambda o: o.external_order_id == first)
        self.assertEqual(order.state, "imported")
        self.assertEqual(order.sale_order_id.state, "sale")
        self.assertEqual(order.currency_id.name, "THB")
        lines = order.sale_order_id.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(sorted(lines.mapped("product_id.default_code")), ["FURN_0269", "FURN_8900"])
        self.assertFalse(lines.tax_id, "the buyer's price already includes Shopee's taxes")
        self.assertEqual(order.sale_order_id.partner_id.marketplace_buyer_key, "shopee:somchai.buyer")
        self.assertEqual(order.platform, "shopee")
        # again, with a wider window: nothing new, nothing duplicated
        job = self.enqueue_and_run("pull_orders", payload={"since": "2026-01-01T00:00:00"})
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.env["marketplace.order"].search_count([("shop_id", "=", self.shopee_shop.id)]), 2)
        self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_id", "in", orders.ids)]), 2)
        self.assertIn("2 unchanged", " ".join(job.log_ids.mapped("message")))

    def test_a_page_is_stored_in_one_batch_and_an_unpaid_order_waits_until_paid(self):
        paid = [self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"] for _n in range(3)]
        unpaid = self.sim_post("/_sim/orders", {"lines": [[800003, 0, 1]], "status": "UNPAID"})["order_sn"]
        batches = []
        import_settled = MarketplaceOrder._import_settled

        def record_batch(orders_model, shop, orders):
            batches.append(sorted(values["external_order_id"] for values, _lines, _cancelled in orders))
            return import_settled(orders_model, shop, orders)
        with patch.object(MarketplaceOrder, "_import_settled", record_batch):
            job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(batches, [sorted(paid)], "the paid orders of the page stored together, the unpaid one left")
        orders = self.env["marketplace.order"].search([("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(sorted(orders.mapped("external_order_id")), sorted(paid))
        self.assertEqual(orders.mapped("sale_order_id.state"), ["sale"] * 3)
        self.assertIn("3 new", " ".join(job.log_ids.mapped("message")))
        self.assertIn("1 not paid yet", " ".join(job.log_ids.mapped("message")))
        self.sim_post("/_sim/orders/status", {"order_sn": unpaid, "status": "READY_TO_SHIP"})
        job = self.enqueue_and_run("pull_orders", payload={"order_sns": [unpaid, paid[0]]})
        self.assertEqual(job.state, "done", job.last_error)
        order = self.env["marketplace.order"].search([("external_order_id", "=", unpaid)])
        self.assertEqual((order.state, order.sale_order_id.state), ("imported", "sale"))
        self.assertIn("1 new, 0 updated, 1 unchanged", " ".join(job.log_ids.mapped("message")))

    def test_cancelled_order_cancels_its_sale_order(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders")
        self.sim_post("/_sim/orders/status", {"order_sn": order_sn, "status": "CANCELLED"})
        job = self.enqueue_and_run("pull_orders", payload={"order_sns": [order_sn]})
        self.assertEqual(job.state, "done", job.last_error)
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        self.assertEqual(order.state, "cancelled")
        self.assertEqual(order.sale_order_id.state, "cancel")

    def test_push_stock_sends_only_changes_and_requeues_a_refused_model_alone(self):
        self.sim_post("/_sim/fail_model", {"item_id": 800002, "model_id": 900002, "reason": "stock below reserved"})
        job = self.enqueue_and_run("push_stock")
        self.assertEqual(job.state, "done", job.last_error)
        stock = self.sim_stock()
        self.assertEqual((stock[(800001, 0)], stock[(800002, 900001)], stock[(800003, 0)]), (20, 20, 20))
        self.assertEqual(stock[(800002, 900002)], 5, "the refused model keeps Shopee's quantity")
        refused = self.env["marketplace.product.binding"].search([("shop_id", "=", self.shopee_shop.id),
                                                                 ("external_sku", "=", "FURN_8855")])
        self.assertIn("stock below reserved", refused.status_message)
        # the refused model was re-queued alone (and ran at once: refused again, it waits as a failure)
        retry = self.env["marketplace.job"].search([("job_type", "=", "push_stock"), ("id", "!=", job.id),
                                                    ("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(retry._payload(), {"binding_ids": [refused.id]})
        self.assertEqual(retry.state, "failed")
        self.assertIn("stock below reserved", retry.last_error)
        # one call per item (the two models of item 800002 together), and one for the re-queued model
        self.assertEqual(self.sim_calls()["/api/v2/product/update_stock"], 3 + 1)
        # Shopee accepts it now: Requeue sends that model alone
        self.sim_post("/_sim/fail_model", {"item_id": 800002, "model_id": 900002})
        self.sim_post("/_sim/calls/reset")
        retry.action_requeue()
        self.run_jobs()
        self.assertEqual(retry.state, "done", retry.last_error)
        self.assertEqual(self.sim_stock()[(800002, 900002)], 20)
        self.assertEqual(self.sim_calls()["/api/v2/product/update_stock"], 1)
        self.enqueue_and_run("push_stock")
        self.assertEqual(self.sim_calls()["/api/v2/product/update_stock"], 1, "no change = no write")

    def test_a_stock_move_reaches_shopee_with_the_moved_product_alone(self):
        self.enqueue_and_run("push_stock")   # Shopee shows Odoo's quantities
        self.sim_post("/_sim/calls/reset")
        self.receive(self.shopee_products["FURN_0269"], 5)
        push = self.env["marketplace.job"].search([("job_type", "=", "push_stock"), ("state", "=", "pending"),
                                                   ("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(push._payload(), {"changed_products": True})
        self.run_jobs()
        self.assertEqual(push.state, "done", push.last_error)
        self.assertEqual(self.sim_stock()[(800001, 0)], 25)
        self.assertEqual(self.sim_calls()["/api/v2/product/update_stock"], 1)
        self.assertIn("Stock: 1 of 1 binding(s) changed.", push.log_ids.mapped("message"))

    def test_push_stock_for_an_unbound_product_names_it(self):
        product = self._make_product("NOT-ON-SHOPEE", 3.0)
        job = self.enqueue_and_run("push_stock", payload={"product_ids": [product.id]})
        self.assertEqual(job.state, "failed")
        self.assertIn("No Shopee binding", job.last_error)
        self.assertIn("NOT-ON-SHOPEE", job.last_error)

    def test_ship_order_then_tracking_number_on_the_delivery(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders")
        order = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)])
        picking = order.sale_order_id.picking_ids
        self.assertTrue(picking.is_shopee_delivery)
        picking.action_shopee_ship()
        job = self.env["marketplace.job"].search([("job_type", "=", "ship_order")], limit=1)
        # arranged; Shopee has no tracking number at first: the job pauses and asks again (at once here)
        self.run_jobs()
        self.assertTrue(picking.shopee_shipment_arranged)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(job.slice_count, 1)
        self.assertTrue(picking.carrier_tracking_ref.startswith("TH"))
        calls = self.sim_calls()
        self.assertEqual(calls["/api/v2/logistics/ship_order"], 1)
        self.assertEqual(calls["/api/v2/logistics/get_tracking_number"], 2)
        # validating the delivery later does not ship it twice
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.run_jobs()
        self.assertEqual(self.sim_calls()["/api/v2/logistics/ship_order"], 1)

    def test_ship_order_answered_500_after_shopee_arranged_it_is_not_sent_again(self):
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800003, 0, 1]]})["order_sn"]
        self.enqueue_and_run("pull_orders")
        picking = self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id.picking_ids
        self.sim_post("/_sim/faults", {"500_after": 1, "tracking_polls": 0})
        self.sim_post("/_sim/calls/reset")
        job = self.env["marketplace.job"]._enqueue("ship_order", shop=self.shopee_shop,
                                                   payload={"picking_id": picking.id})
        self.run_jobs()
        self.assertEqual(job.state, "pending", "an unanswered ship_order is retried later, not failed")
        self.assertFalse(picking.shopee_shipment_arranged)
        job.next_attempt_at = job.create_date
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls()["/api/v2/logistics/ship_order"], 1, "the retry found it arranged")
        self.assertTrue(picking.carrier_tracking_ref)

    def test_refused_refresh_fails_the_job_and_asks_for_a_new_authorization(self):
        self.sim_post("/_sim/expire_tokens")
        self.shopee_shop._set_secret("refresh_token", "a-refresh-token-shopee-never-issued")
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "failed")
        self.assertIn("refresh_token", job.last_error)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.authorization_state, "needs_reauth")
        self.assertIn(self.shopee_shop.name, " ".join(self.shopee_account.activity_ids.mapped("summary")))

    def test_take_over_preview_counts_the_shopee_listings(self):
        """The base's take-over preview and circuit breaker see every pushable Shopee binding (the eBay
        connector's narrowing to Inventory API listings applies to eBay shops only)."""
        bindings = self.shopee_shop._push_bindings()
        self.assertEqual(sorted(bindings.mapped("external_sku")), sorted(CATALOGUE))
        self.assertEqual(self.shopee_shop._stock_push_impact().listings, len(CATALOGUE))

    def test_cron_alone_keeps_orders_and_prices_in_sync(self):
        """No push arrives: the crons enqueue the pull and the sweep, and the queue does the rest."""
        order_sn = self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
        self.env["marketplace.shop"]._cron_shopee_pull_orders()
        self.env["marketplace.shop"]._cron_shopee_push_stock_and_prices()
        self.run_jobs()
        self.assertTrue(self.env["marketplace.order"].search([("external_order_id", "=", order_sn)]).sale_order_id)
        jobs = self.env["marketplace.job"].search([("shop_id", "=", self.shopee_shop.id)])
        self.assertEqual(set(jobs.mapped("job_type")), {"pull_orders", "push_stock", "push_price"})
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("last_error"))
        prices = {(row["item_id"], row["model_id"]): row["price"] for row in self.sim_get("/_sim/models")["models"]
                  if row["shop_id"] == 10001}
        desk = self.env["marketplace.product.binding"].search([("shop_id", "=", self.shopee_shop.id),
                                                              ("external_sku", "=", "FURN_1118")])
        self.assertGreater(desk.last_pushed_price, 0)
        self.assertAlmostEqual(prices[(800003, 0)], desk.last_pushed_price, places=2)
