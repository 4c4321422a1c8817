"""Issue 12: the first sync must not zero the seller's eBay stock.

eBay is the truth for listings that exist when the shop is connected; Odoo pushes stock and
prices only once someone took over (after a preview), and a push that would zero or empty
the shop waits for a manager's confirmation.
"""
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from odoo.addons.marketplace_base.marketplace_core import push as core_push

from ..ebay_api.inventory import InventoryAdapter
from ..sync_core import push
from .common import EbayCase

BULK = "POST /sell/inventory/v1/bulk_update_price_quantity"


class BackfilledShopCase(EbayCase):
    """A shop not taken over yet whose backfill creates the products of eBay's listings (demo seed: 30 Inventory
    API items, quantities 0 to 50), reports at once."""

    shop_owns_stock = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("ebay_connector.feed_poll_seconds", "0")
        cls.ebay_account.ebay_create_missing_products = True

    def sweep(self):
        """The cron Marketplace: Push Stock and Prices, then the queue; returns the push jobs it made."""
        before = self.env["marketplace.job"].search([("shop_id", "=", self.ebay_shop.id)])
        self.env["marketplace.shop"]._cron_ebay_push_stock_and_prices()
        self.run_jobs()
        return self.env["marketplace.job"].search([("shop_id", "=", self.ebay_shop.id)]) - before


class TestFirstSync(BackfilledShopCase):
    """The first backfill, then pushes before and after the take-over."""

    def setUp(self):
        super().setUp()
        backfill = self.enqueue_and_run("backfill_listings")
        self.assertEqual(backfill.state, "done", backfill.last_error)
        self.listings = self.ebay_shop._push_bindings()
        self.assertEqual(len(self.listings), 30)
        self.on_ebay = self.ebay_quantities()
        self.addCleanup(self.restore_ebay)
        self.reset_sim_calls()

    # -- helpers ---------------------------------------------------------------
    def ebay_quantities(self):
        return {sku: self.sim_get("/_sim/listings/" + sku)["quantity"] for sku in self.listings.mapped("external_sku")}

    def restore_ebay(self):
        """Put back the quantities a test pushed: the simulator outlives each test's rollback."""
        now = self.ebay_quantities()
        changed = [push.PushItem(0, sku, quantity, None, False) for sku, quantity in self.on_ebay.items()
                   if now[sku] != quantity]
        inventory = InventoryAdapter(self.ebay_account._ebay_client())
        for batch in core_push.batches(changed, push.BULK_SIZE):
            inventory.bulk_update_price_quantity([push.stock_entry(item) for item in batch])

    def jobs(self, job_type):
        return self.env["marketplace.job"].search([("job_type", "=", job_type), ("shop_id", "=", self.ebay_shop.id)])

    def preview(self):
        return self.env["marketplace.takeover.wizard"].create({"shop_id": self.ebay_shop.id})

    def in_stock(self):
        return self.listings.filtered(lambda binding: binding.last_pushed_qty > 0)

    def chatter(self, text):
        return self.ebay_shop.message_ids.filtered(lambda message: text in (message.body or ""))

    # -- before take-over -------------------------------------------------------
    def test_nothing_reaches_ebay_before_take_over(self):
        self.assertGreater(len(self.in_stock()), 10)
        self.assertFalse(self.ebay_shop.odoo_owns_stock, "a new shop leaves eBay's stock alone")
        self.assertEqual(set(self.in_stock().product_id.mapped("qty_available")), {0.0})

        self.sweep()
        self.assertFalse(self.jobs("push_stock") | self.jobs("push_price"), "the sweep skips the shop")

        product = self.in_stock()[0].product_id
        self.env["stock.quant"].with_context(inventory_mode=True).create({
            "product_id": product.id, "location_id": self.warehouse.lot_stock_id.id, "inventory_quantity": 1,
        }).action_apply_inventory()
        product.list_price = 1.0
        self.assertFalse(self.jobs("push_stock") | self.jobs("push_price"), "stock and price changes enqueue nothing")

        job = self.enqueue_and_run("push_stock")  # the shop's Push Stock button
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(len(job.log_ids.filtered(lambda line: "Nothing pushed for eBay US Test" in line.message)), 1)
        self.assertNotIn(BULK, self.sim_calls())
        self.assertEqual(self.ebay_quantities(), self.on_ebay)

    def test_take_over_preview(self):
        stocked = self.in_stock().sorted("last_pushed_qty")[0]
        self.env["stock.quant"]._update_available_quantity(stocked.product_id, self.warehouse.lot_stock_id,
                                                           stocked.last_pushed_qty)
        wizard = self.preview()
        going_to_zero = self.in_stock() - stocked
        self.assertEqual((wizard.listing_count, wizard.change_count, wizard.zero_count),
                         (30, len(going_to_zero), len(going_to_zero)))
        self.assertEqual(wizard.total_before, sum(self.listings.mapped("last_pushed_qty")))
        self.assertEqual(wizard.total_after, stocked.last_pushed_qty)
        self.assertEqual(wizard.adjustable_count, len(going_to_zero))
        largest = max(going_to_zero, key=lambda binding: binding.last_pushed_qty)
        self.assertIn("<td>%s</td><td class='text-end'>%s</td><td class='text-end'>0</td>"
                      % (largest.external_sku, largest.last_pushed_qty), wizard.largest_drops)
        self.assertFalse(self.ebay_shop.odoo_owns_stock, "the preview changes nothing")

    def test_initial_stock_from_ebay_then_take_over_changes_nothing(self):
        wizard = self.preview()
        wizard.action_stock_from_marketplace()

        for binding in self.in_stock():
            self.assertEqual(binding.product_id.with_context(warehouse_id=self.warehouse.id).qty_available,
                             binding.last_pushed_qty)
        self.assertTrue(self.chatter("set the initial stock of %s product(s)" % len(self.in_stock())))
        again = self.preview()
        self.assertEqual((again.change_count, again.zero_count, again.adjustable_count), (0, 0, 0))

        again.action_confirm()
        self.assertTrue(self.ebay_shop.odoo_owns_stock)
        self.assertTrue(self.chatter("took over stock and prices"))
        self.sweep()
        self.assertEqual(set((self.jobs("push_stock") | self.jobs("push_price")).mapped("state")), {"done"})
        self.assertNotIn(BULK, self.sim_calls(), "eBay already shows what Odoo would push")
        self.assertEqual(self.ebay_quantities(), self.on_ebay)

    def test_initial_stock_is_set_by_inventory_users_only(self):
        """A Marketplace User or Manager without Inventory rights is told who can; nothing is adjusted."""
        user = new_test_user(self.env, "mkt_user_no_stock", groups="marketplace_base.group_marketplace_user")
        manager = new_test_user(self.env, "mkt_manager_no_stock", groups="marketplace_base.group_marketplace_manager")
        with self.assertRaisesRegex(UserError, "needs Inventory rights"):
            self.preview().with_user(manager).action_stock_from_marketplace()
        for person in (user, manager):
            with self.assertRaisesRegex(UserError, "needs Inventory rights"):
                self.ebay_shop.with_user(person).action_stock_from_marketplace()
        self.assertEqual(set(self.in_stock().product_id.mapped("qty_available")), {0.0})
        self.assertFalse(self.chatter("set the initial stock"))

    # -- the circuit breaker ----------------------------------------------------
    def test_breaker_holds_a_mass_zero_until_a_manager_confirms(self):
        self.preview().action_confirm()  # taken over without the initial stock: everything would go to 0
        self.assertTrue(self.chatter("%s of them to 0" % len(self.in_stock())))
        self.sweep()

        job = self.jobs("push_stock")
        self.assertEqual(job.state, "to_confirm")
        self.assertIn("would set %s of its 30 listing(s) to 0" % len(self.in_stock()), job.last_error)
        self.assertNotIn(BULK, self.sim_calls(), "stopped before sending anything")
        self.assertEqual(self.ebay_quantities(), self.on_ebay)
        self.assertEqual(set(self.in_stock().mapped("last_pushed_qty")) & {0}, set())

        # the next sweep does not pile up another held job, and sends nothing either
        self.sweep()
        self.assertEqual(self.jobs("push_stock").mapped("state"), ["done", "to_confirm"])
        self.assertNotIn(BULK, self.sim_calls())

        user = new_test_user(self.env, "mkt_user_confirm", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            job.with_user(user).action_confirm()
        self.assertEqual(job.state, "to_confirm")

        manager = new_test_user(self.env, "mkt_manager_confirm", groups="marketplace_base.group_marketplace_manager")
        job.with_user(manager).action_confirm()
        self.assertEqual((job.state, job.confirmed_by_id), ("pending", manager))
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(set(self.ebay_quantities().values()), {0})
        self.assertEqual(set(self.listings.mapped("last_pushed_qty")), {0})

    def test_two_sell_outs_are_judged_against_the_whole_shop(self):
        """The breaker reads only the pushed listings' values and has the database count and sum the shop:
        two listings of 30 going to 0 is 7 % of the shop, not all of what the push sends."""
        wizard = self.preview()
        wizard.action_stock_from_marketplace()
        wizard.action_confirm()
        sold_out = self.in_stock()[:2]
        for binding in sold_out:
            self.env["stock.quant"]._update_available_quantity(binding.product_id, self.warehouse.lot_stock_id,
                                                               -binding.last_pushed_qty)

        job = self.enqueue_and_run("push_stock")

        self.assertEqual(job.state, "done", job.last_error)
        sold_out_skus = dict.fromkeys(sold_out.mapped("external_sku"), 0)
        self.assertEqual(self.ebay_quantities(), dict(self.on_ebay, **sold_out_skus))

    def test_a_single_sell_out_goes_through(self):
        wizard = self.preview()
        wizard.action_stock_from_marketplace()
        wizard.action_confirm()
        sold_out = self.in_stock()[0]
        self.env["stock.quant"]._update_available_quantity(sold_out.product_id, self.warehouse.lot_stock_id,
                                                           -sold_out.last_pushed_qty)

        job = self.enqueue_and_run("push_stock")

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls().get(BULK), 1)
        self.assertEqual(self.sim_get("/_sim/listings/" + sold_out.external_sku)["quantity"], 0)
        self.assertEqual(self.ebay_quantities(), dict(self.on_ebay, **{sold_out.external_sku: 0}))


class TestListingsAfterTakeOver(BackfilledShopCase):
    """Issue 19: listings that appear on eBay after the take-over, found by the real backfill and swept by the
    real pushes, never take a 0 (or any quantity) Odoo never meant, nor wait behind a Confirm that would end them.
    A simulator of this class's own: the listings it adds would change the other classes' shop."""

    def backfill(self):
        job = self.enqueue_and_run("backfill_listings")
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def ebay_quantities(self):
        bindings = self.env["marketplace.product.binding"].search([("shop_id", "=", self.ebay_shop.id),
                                                                   ("ebay_listing_source", "=", "inventory_api")])
        return {sku: self.sim_get("/_sim/listings/" + sku)["quantity"] for sku in bindings.mapped("external_sku")}

    def on_hand(self, product):
        return product.with_context(warehouse_id=self.warehouse.id).qty_available

    def assert_nothing_changed_on_ebay(self, on_ebay, pushes):
        self.assertEqual(set(pushes.mapped("job_type")), {"push_stock", "push_price"})
        self.assertEqual(set(pushes.mapped("state")), {"done"}, "nothing waits for a Confirm")
        self.assertEqual(self.ebay_quantities(), on_ebay)

    def test_listings_added_after_the_take_over_never_take_odoos_zero(self):
        self.backfill()
        takeover = self.env["marketplace.takeover.wizard"].create({"shop_id": self.ebay_shop.id})
        takeover.action_stock_from_marketplace()
        takeover.action_confirm()
        self.assertTrue(self.ebay_shop.odoo_owns_stock)
        # products the seller has in Odoo for four SKUs eBay is about to list (at 5, 25, 50 and 50 units there)
        no_stock = self._make_product("DEMO-0031", 0) | self._make_product("DEMO-0032", 0)
        same_stock = self._make_product("DEMO-0033", 50)
        other_stock = self._make_product("DEMO-0034", 7)
        # 12 listings added on eBay (DEMO-0031 to DEMO-0042) and two in Seller Hub (HUB-0011 and HUB-0012)
        self.sim_post("/_sim/seed", {"items": 12, "seller_hub_listings": 2})

        self.backfill()
        bindings = self.env["marketplace.product.binding"].search([("shop_id", "=", self.ebay_shop.id)])
        new = bindings.filtered(lambda binding: binding.external_sku in
                                ["DEMO-%04d" % n for n in range(31, 43)] + ["HUB-0011", "HUB-0012"])
        self.assertEqual(len(new), 14)
        created = new.filtered(lambda binding: binding.product_id not in no_stock | same_stock | other_stock)
        for binding in created:   # products the backfill made start with eBay's quantity as their stock
            self.assertEqual(self.on_hand(binding.product_id), binding.last_pushed_qty, binding.external_sku)
        waiting = bindings.filtered("awaiting_takeover")
        self.assertEqual(waiting.product_id, no_stock | other_stock, "Odoo would change these: they wait")
        self.assertEqual(self.ebay_shop.awaiting_takeover_count, 3)
        on_ebay = self.ebay_quantities()
        self.assertEqual([on_ebay[sku] for sku in ("DEMO-0031", "DEMO-0032", "DEMO-0034")], [5, 25, 50])

        pushes = self.sweep()
        self.assert_nothing_changed_on_ebay(on_ebay, pushes)
        stock_push = pushes.filtered(lambda job: job.job_type == "push_stock")
        self.assertTrue(stock_push.log_ids.filtered(
            lambda line: "3 listing(s) that appeared after the take-over" in line.message
            and "DEMO-0031" in line.message))

        # a Marketplace User cannot release them over RPC; a manager takes them over after the preview
        user = new_test_user(self.env, "mkt_user_takeover", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            waiting[0].with_user(user).write({"awaiting_takeover": False})
        manager = new_test_user(self.env, "mkt_manager_takeover",
                                groups="marketplace_base.group_marketplace_manager,stock.group_stock_manager")
        action = self.ebay_shop.with_user(manager).action_open_awaiting_takeover()
        preview = self.env[action["res_model"]].with_user(manager).browse(action["res_id"])
        self.assertEqual(preview.binding_ids, waiting)
        self.assertEqual((preview.listing_count, preview.zero_count, preview.adjustable_count), (3, 2, 2))
        action = preview.action_stock_from_marketplace()
        self.assertEqual([self.on_hand(product) for product in no_stock], [5, 25])
        preview = self.env[action["res_model"]].with_user(manager).browse(action["res_id"])
        preview.invalidate_recordset()  # the form reads the preview again
        self.assertEqual((preview.change_count, preview.zero_count), (1, 0), "DEMO-0034: 50 on eBay, 7 in Odoo")
        preview.action_confirm()
        self.assertFalse(bindings.filtered("awaiting_takeover"))

        pushes = self.sweep()
        self.assertEqual(set(pushes.mapped("state")), {"done"})
        self.assertEqual(self.ebay_quantities(), dict(on_ebay, **{"DEMO-0034": 7}),
                         "once taken over, Odoo's stock is what eBay shows")
