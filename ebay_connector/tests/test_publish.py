"""Publishing listings from Odoo to the eBay simulator: the check, a listing end to end (photos, location,
bulk calls, bindings, revise, end, relist), a template with variants, a timeout during publish, a 5xx storm,
and eBay's own refusal in clear."""
import base64
import io
import json
import time
from datetime import timedelta

from PIL import Image

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user
from odoo.tools.safe_eval import safe_eval

from odoo.addons.marketplace_base.marketplace_core import rate_budget
from odoo.addons.marketplace_simulators.ebay_sim.publishing import condition_ids_for
from odoo.addons.marketplace_simulators.ebay_sim.taxonomy import aspects_for, build_tree

from ..ebay_api.inventory import InventoryAdapter
from .common import EbayCase

GET_OFFERS = "GET /sell/inventory/v1/offer"
BULK_ITEMS = "POST /sell/inventory/v1/bulk_create_or_replace_inventory_item"
BULK_OFFERS = "POST /sell/inventory/v1/bulk_create_offer"
BULK_PUBLISH = "POST /sell/inventory/v1/bulk_publish_offer"
UPDATE_OFFER = "PUT /sell/inventory/v1/offer/{id}"
UPLOAD = "POST /commerce/media/v1_beta/image/create_image_from_file"
LOCATION = "POST /sell/inventory/v1/location/{id}"
CONDITION_POLICIES = "GET /sell/metadata/v1/marketplace/{id}/get_item_condition_policies"


def png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), color).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


class PublishCase(EbayCase):
    """A shop ready to publish: a category with its conditions, the seller's address, the shop's policies."""

    shop_owns_stock = False   # no stock pushes in the way of the calls counted here

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ebay_account.ebay_category_tree_id = "0"
        leaves = list(build_tree("demo").leaves)
        cls.leaf = next(leaf for leaf in leaves if len(condition_ids_for(leaf)) > 5)
        cls.category = cls.env["ebay.category"].create({
            "name": "Lamps", "tree_id": "0", "category_id": cls.leaf, "leaf": True, "level": 3,
            "full_path": "Home > Lighting > Lamps"})
        cls.env.company.partner_id.write({"street": "1 Main St", "city": "San Jose", "zip": "95125",
                                          "country_id": cls.env.ref("base.us").id})
        cls.ebay_shop.action_ebay_fetch_policies()
        cls.category._ebay_condition_policy()   # eBay asked once, then the check costs no call
        cls.new = cls.env.ref("ebay_connector.ebay_condition_new")

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        self.reset_sim_calls()

    # -- helpers ---------------------------------------------------------------
    def make_listing(self, code, **values):
        product = self._make_product(code, 5.0)
        product.list_price = 25.0
        listing = self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": product.product_tmpl_id.id, "product_id": product.id,
            "sku": code, "title": "Desk lamp %s" % code, "description": "<p>A bright desk lamp.</p>",
            "ebay_category_id": self.category.id, "ebay_condition_id": self.new.id, "ebay_brand": "Acme",
            "image_ids": [Command.create({"name": "main.png", "image": png("red")}),
                          Command.create({"name": "side.png", "image": png("blue")})],
            **values})
        self.fill_required(listing)
        return listing

    def fill_required(self, listing):
        for aspect in listing.ebay_aspect_ids.filtered(lambda a: a.required and not a._values()):
            choice = self.env["ebay.aspect.value"].search([("aspect_key", "=", aspect.aspect_key)], limit=1)
            if aspect.selection_only:
                aspect.value_ids = choice
            else:
                aspect.value_text = choice.name or "Lamp"


class TestPublish(PublishCase):

    def new_only_category(self):
        """A leaf where the simulator accepts New and New other only."""
        leaf = next(leaf for leaf in build_tree("demo").leaves if condition_ids_for(leaf) == ("1000", "1500"))
        return self.env["ebay.category"].create({"name": "Sealed", "tree_id": "0", "category_id": leaf, "leaf": True,
                                                 "level": 3, "full_path": "Home > Sealed"})

    def offers(self, sku):
        """The SKU's offers as eBay's getOffers gives them."""
        return InventoryAdapter(self.ebay_account._ebay_client()).find_offers(sku, "EBAY_US")

    def codes(self, listing):
        return [problem["code"] for problem in json.loads(listing.problems or "[]")]

    def due_now(self, job):
        job.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    # -- the check ---------------------------------------------------------------
    def test_every_problem_is_listed_before_any_call(self):
        listing = self.make_listing("LAMP-BAD", title="x" * 85, ebay_condition_id=False, ebay_condition_notes="Worn",
                                    image_ids=[Command.clear()], ebay_best_offer=True, ebay_auto_accept_price=30)
        listing.ebay_aspect_ids.filtered(lambda a: a.name == "Brand").write({"value_text": False, "value_ids": False})
        self.reset_sim_calls()
        listing.action_publish()
        self.assertEqual(listing.state, "draft")
        self.assertFalse(listing.job_id)
        self.assertEqual(self.codes(listing), ["title_too_long", "condition_missing", "aspect_missing",
                                               "photo_missing", "best_offer_accept_too_high"])
        self.assertIn("The title has 85 characters: eBay allows 80.", listing.problems_html)
        self.assertIn("Item specific Brand is required by the category.", listing.problems_html)
        self.assertEqual(self.sim_calls(), {})
        self.assertEqual(listing.title_length, 85)
        self.assertNotIn(listing, self.env["marketplace.listing"].search([("ready", "=", True)]))

    # -- the condition ---------------------------------------------------------------
    def test_a_category_offers_only_the_conditions_it_accepts(self):
        new_only = self.new_only_category()
        listing = self.make_listing("LAMP-COND", ebay_condition_id=self.env.ref(
            "ebay_connector.ebay_condition_used_acceptable").id)
        everything = self.env["ebay.condition"].search([])
        self.assertEqual(listing.ebay_condition_choice_ids, everything, "this lamp category accepts any")
        self.reset_sim_calls()

        with Form(listing) as form:
            form.ebay_category_id = new_only
            accepted = form.ebay_condition_choice_ids[:]
            self.assertFalse(form.ebay_condition_id, "a condition the new category refuses is dropped")
            form.ebay_condition_id = self.new
        self.assertEqual(self.sim_calls().get(CONDITION_POLICIES), 1, "eBay is asked when the category is chosen")
        self.assertEqual(sorted(accepted.mapped("code")), ["NEW", "NEW_OTHER"])
        self.assertEqual((new_only.condition_ids, listing.ebay_condition_choice_ids, listing.ebay_condition_id),
                         (accepted, accepted, self.new))
        # the dropdown's search, as the web client evaluates the field's domain on the form
        domain = safe_eval(listing._fields["ebay_condition_id"].domain,
                           {"ebay_condition_choice_ids": listing.ebay_condition_choice_ids.ids})
        self.assertEqual(self.env["ebay.condition"].search(domain), accepted)

    def test_the_check_still_refuses_a_condition_written_past_the_form(self):
        new_only = self.new_only_category()
        used = self.env.ref("ebay_connector.ebay_condition_used_good")
        listing = self.make_listing("LAMP-USED", ebay_category_id=new_only.id, ebay_condition_id=used.id)
        listing.action_publish()
        self.assertEqual(listing.state, "draft")
        self.assertIn("condition_not_allowed", self.codes(listing))
        self.assertIn("Condition USED_GOOD is not accepted in this category (accepted: NEW, NEW_OTHER).",
                      listing.problems_html)

    # -- a listing end to end ------------------------------------------------------
    def test_publish_revise_end_and_relist(self):
        listing = self.make_listing("LAMP-1")
        listing.action_publish()
        self.assertEqual(listing.state, "queued")
        self.assertEqual(listing.job_id.channel_id.code, "publish")
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        calls = self.sim_calls()
        self.assertEqual((calls[UPLOAD], calls[LOCATION], calls[BULK_ITEMS], calls[BULK_OFFERS], calls[BULK_PUBLISH]),
                         (2, 1, 1, 1, 1))
        self.assertNotIn(GET_OFFERS, calls)   # a first publish never needs to look offers up
        binding = listing.binding_ids
        self.assertEqual((binding.external_sku, binding.status, binding.ebay_listing_source),
                         ("LAMP-1", "active", "inventory_api"))
        live = self.sim_get("/_sim/listings/LAMP-1")
        self.assertEqual((live["listingId"], live["offerId"], live["status"], live["price"]["value"]),
                         (listing.external_listing_id, binding.external_offer_id, "PUBLISHED", "25.00"))
        self.assertEqual(live["quantity"], 5)
        self.assertTrue(listing.image_ids[0].ebay_image_url.startswith("https://i.ebayimg.com/"))

        # revise: only what changed is sent again; unchanged costs nothing
        listing.title = "Desk lamp LAMP-1, brass"
        self.reset_sim_calls()
        listing.action_revise()
        self.run_jobs()
        self.assertEqual(self.sim_calls(), {BULK_ITEMS: 1})         # the title lives in the inventory item
        listing.product_id.list_price = 27.5
        self.reset_sim_calls()
        listing.action_revise()
        self.run_jobs()
        self.assertEqual(self.sim_calls(), {UPDATE_OFFER: 1})       # the price lives in the offer
        self.assertEqual(self.sim_get("/_sim/listings/LAMP-1")["price"]["value"], "27.50")
        listing.image_ids = [Command.create({"name": "back.png", "image": png("green"), "sequence": 99})]
        self.reset_sim_calls()
        listing.action_revise()
        self.run_jobs()
        self.assertEqual(self.sim_calls(), {UPLOAD: 1, BULK_ITEMS: 1})  # only the new photo is uploaded
        self.assertEqual(listing.ebay_revisions_today, 3)
        self.reset_sim_calls()
        listing.action_revise()
        self.run_jobs()
        self.assertEqual(self.sim_calls(), {})

        # end, then relist with the same offer
        listing.action_end()
        self.run_jobs()
        self.assertEqual((listing.state, binding.status), ("ended", "ended"))
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published")
        self.assertEqual(len(self.offers("LAMP-1")), 1)

    def test_nothing_in_stock_is_said_by_the_check_before_ebay_lists_it_out_of_stock(self):
        """eBay publishes an offer at quantity 0 as an out-of-stock listing (live, hidden, not buyable): the check
        says so before any call; the seller may publish it so on purpose; a live listing that sells out revises."""
        listing = self.make_listing("ORGANIZER-0")
        self.env["stock.quant"]._update_available_quantity(listing.product_id, self.warehouse.lot_stock_id, -5)
        listing.action_publish()
        self.assertEqual(listing.state, "draft")
        self.assertIn("out_of_stock", listing.problems)
        self.assertIn("out-of-stock listing", listing.problems_html)
        self.assertNotIn(BULK_PUBLISH, self.sim_calls())

        listing.ebay_out_of_stock_ok = True
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        live = self.sim_get("/_sim/listings/ORGANIZER-0")
        self.assertEqual((live["status"], live["quantity"]), ("PUBLISHED", 0))

        listing.ebay_out_of_stock_ok = False
        listing.title = "Desk organizer, 5 boxes"
        listing.action_revise()
        self.run_jobs()
        self.assertFalse(listing.problem_count, "a live listing out of stock still revises")
        self.assertEqual(listing.state, "published", listing.last_error)

    def test_the_check_counts_the_stock_a_new_listing_will_push(self):
        """Before the first publish (no binding yet) the check counts what the binding will push, the shop's
        stock after its sync rule, as a Marketplace User without stock rights."""
        seller = new_test_user(self.env, "check_seller",
                               groups="base.group_user,marketplace_base.group_marketplace_user")
        listing = self.make_listing("LAMP-CHECK")
        self.assertFalse(listing.binding_ids)
        listing.with_user(seller).action_check()
        self.assertFalse(listing.problem_count, listing.problems)

    def test_a_listing_on_ebay_germany_is_written_in_german(self):
        """Every call of a DE shop speaks de-DE (eBay refuses an EBAY_DE offer in en-US and an en_US item)."""
        german = self.ebay_shop.copy({"name": "eBay DE Test", "marketplace_site": "EBAY_DE",
                                      "ebay_location_key": self.ebay_shop.ebay_location_key})
        german.action_ebay_fetch_policies()
        self.assertEqual(set(german.ebay_fulfillment_policy_id.mapped("marketplace_id")), {"EBAY_DE"})
        listing = self.make_listing("LAMPE-DE", shop_id=german.id, title="Schreibtischlampe LAMPE-DE")
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        live = self.sim_get("/_sim/listings/LAMPE-DE")
        self.assertEqual((live["marketplaceId"], live["locale"], live["status"]), ("EBAY_DE", "de_DE", "PUBLISHED"))
        self.assertIs(live["offer"]["includeCatalogProductDetails"], False, "the seller's own text and photos stay")
        listing.product_id.list_price = 29.0
        listing.action_revise()
        self.run_jobs()
        self.assertFalse(listing.last_error)
        self.assertEqual(self.sim_get("/_sim/listings/LAMPE-DE")["price"]["value"], "29.00")

    def test_an_account_sells_on_ebay_uk_in_pounds_from_its_own_shop(self):
        """Add Marketplace Shop (a Marketplace Manager) makes the EBAY_GB shop: GBP, a GBP pricelist, the site's
        policies, the seller's fiscal position. Its listing is published and its price pushed in GBP from that
        pricelist; its orders land there in GBP as eBay sent them, eBay's VAT apart and not charged again."""
        manager = new_test_user(self.env, "site_manager",
                                groups="base.group_user,marketplace_base.group_marketplace_manager")
        fiscal_position = self.env["account.fiscal.position"].create({"name": "UK (eBay collects VAT)"})
        wizard = self.env["ebay.site.shop.wizard"].with_user(manager).create({
            "account_id": self.ebay_account.id, "marketplace_site": "EBAY_GB",
            "fiscal_position_id": fiscal_position.id})
        shop = self.env["marketplace.shop"].browse(wizard.action_add()["res_id"])
        self.assertEqual((shop.marketplace_site, shop.currency_id.name, shop.pricelist_id.currency_id.name),
                         ("EBAY_GB", "GBP", "GBP"))
        self.assertEqual((shop.fiscal_position_id, shop.warehouse_id), (fiscal_position, self.ebay_shop.warehouse_id))
        self.assertEqual(set(shop.ebay_fulfillment_policy_id.mapped("marketplace_id")), {"EBAY_GB"})
        self.assertEqual(self.ebay_account.with_user(manager)._ebay_add_site_shop("EBAY_GB"), shop, "one per site")

        shop.pricelist_id.item_ids = [Command.create({"applied_on": "1_product", "compute_price": "fixed",
                                                      "product_tmpl_id": self._make_product("LAMP-UK", 5.0)
                                                      .product_tmpl_id.id, "fixed_price": 21.50})]
        shop.ebay_location_key = self.ebay_shop.ebay_location_key
        listing = self.make_listing("LAMP-UK", shop_id=shop.id,
                                    product_tmpl_id=shop.pricelist_id.item_ids.product_tmpl_id.id,
                                    product_id=shop.pricelist_id.item_ids.product_tmpl_id.product_variant_id.id)
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        live = self.sim_get("/_sim/listings/LAMP-UK")
        self.assertEqual((live["marketplaceId"], live["locale"], live["price"]), ("EBAY_GB", "en_GB",
                                                                                 {"value": "21.50", "currency": "GBP"}))
        shop.odoo_owns_stock = True
        shop.pricelist_id.item_ids.fixed_price = 23.0
        self.assertEqual(self.enqueue_and_run("push_price", shop=shop).state, "done")
        self.assertEqual(self.sim_get("/_sim/listings/LAMP-UK")["price"], {"value": "23.00", "currency": "GBP"})

        external_id = self.sim_post("/_sim/orders", {"lines": [{"sku": "LAMP-UK", "quantity": 2}],
                                                     "ebay_collected_tax": True})["orderIds"][0]
        self.enqueue_and_run("pull_orders", payload={"order_ids": [external_id]}, shop=shop)
        order = self.env["marketplace.order"].search([("external_order_id", "=", external_id)])
        sale = order.sale_order_id
        self.assertEqual(order.shop_id, shop)
        self.assertEqual(order.state, "imported", order.error_message)
        self.assertEqual((order.currency_id.name, sale.currency_id.name, sale.pricelist_id), ("GBP", "GBP",
                                                                                             shop.pricelist_id))
        self.assertEqual(sale.fiscal_position_id, fiscal_position)
        self.assertEqual(sale.order_line.filtered(lambda line: not line.is_delivery).price_unit, 23.0)
        # eBay collected the UK VAT (20 %) under its IOSS number: on the order, apart, not on the sale order
        self.assertAlmostEqual(order.amount_marketplace_tax, (46.0 + order.amount_shipping) * 0.2, delta=0.01)
        self.assertFalse(sale.order_line.tax_id)
        self.assertAlmostEqual(sale.amount_total, order.amount_total)
        self.assertFalse(order.total_mismatch)

    def test_only_a_marketplace_manager_adds_a_site_shop_each_in_its_currency(self):
        clerk = new_test_user(self.env, "site_user", groups="base.group_user,marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            self.ebay_account.with_user(clerk)._ebay_add_site_shop("EBAY_DE")
        with self.assertRaises(UserError):
            self.ebay_account._ebay_add_site_shop("EBAY_MARS")
        german = self.ebay_account._ebay_add_site_shop("EBAY_DE")
        self.assertEqual((german.currency_id.name, german.pricelist_id.currency_id.name), ("EUR", "EUR"))
        self.assertTrue(german.currency_id.active)
        self.assertEqual(self.ebay_account._ebay_add_site_shop("EBAY_AT").pricelist_id, german.pricelist_id,
                         "the company's EUR pricelist is reused")

    def test_the_location_leaves_out_what_the_address_lacks(self):
        self.ebay_shop.warehouse_id.partner_id.state_id = False
        address = self.ebay_shop._ebay_location_payload()["location"]["address"]
        self.assertEqual(address, {"addressLine1": "1 Main St", "city": "San Jose", "postalCode": "95125",
                                   "country": "US"})   # no state: no "stateOrProvince": ""

    def test_a_shop_on_a_site_without_a_known_language_is_refused(self):
        with self.assertRaises(ValidationError):
            self.ebay_shop.copy({"name": "eBay Mars", "marketplace_site": "EBAY_MARS"})

    def test_fifty_listings_at_once_from_the_listings_menu(self):
        listings = self.env["marketplace.listing"].concat(*[self.make_listing("MASS-%02d" % n) for n in range(50)])
        listings.image_ids.write({"ebay_image_url": "https://i.ebayimg.com/images/g/known/s-l1600.jpg",
                                  "ebay_image_expires_at": fields.Datetime.now() + timedelta(days=20)})
        self.reset_sim_calls()
        listings.action_publish()
        self.assertEqual(len(listings.job_id), 1)
        self.run_jobs()
        self.assertEqual(set(listings.mapped("state")), {"published"})
        calls = self.sim_calls()
        self.assertEqual((calls[BULK_ITEMS], calls[BULK_OFFERS], calls[BULK_PUBLISH]), (2, 2, 2))
        self.assertNotIn(UPLOAD, calls)   # eBay's copies of the photos are reused until they expire
        self.assertEqual(self.ebay_shop.listing_published_today_count, 50)
        # the seller's today, wherever his day starts (Kiritimati, UTC+14: tomorrow in UTC from 10:00 UTC on)
        far_east = self.ebay_shop.with_context(tz="Pacific/Kiritimati")
        self.assertEqual(far_east.listing_published_today_count, 50)
        start = far_east._local_day_start()
        self.assertLessEqual(start, fields.Datetime.now())
        self.assertGreater(start, fields.Datetime.now() - timedelta(days=1))

    # -- variations ---------------------------------------------------------------
    def test_a_template_with_five_variants_is_one_listing(self):
        size = self.env["product.attribute"].create({"name": "Size", "value_ids": [
            Command.create({"name": name}) for name in ("S", "M", "L", "XL", "XXL")]})
        template = self.env["product.template"].create({
            "name": "Tee", "is_storable": True, "list_price": 15.0, "default_code": "TEE",
            "attribute_line_ids": [Command.create({"attribute_id": size.id,
                                                   "value_ids": [Command.set(size.value_ids.ids)]})]})
        for variant in template.product_variant_ids:
            variant.default_code = "TEE-%s" % variant.product_template_attribute_value_ids.name
            self.env["stock.quant"]._update_available_quantity(variant, self.warehouse.lot_stock_id, 2)
        listing = self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": template.id, "sku": "TEE", "title": "Plain tee",
            "description": "<p>Cotton</p>", "ebay_category_id": self.category.id, "ebay_condition_id": self.new.id,
            "ebay_brand": "Acme", "image_ids": [Command.create({"name": "tee.png", "image": png("white")})]})
        self.fill_required(listing)
        self.assertTrue(listing.is_group)
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        self.assertEqual(len(listing.binding_ids), 5)
        group = self.sim_get("/_sim/listings/TEE-M")
        self.assertEqual(group["listingId"], listing.external_listing_id)
        self.assertEqual({self.sim_get("/_sim/listings/" + b.external_sku)["listingId"] for b in listing.binding_ids},
                         {listing.external_listing_id})
        self.assertTrue(all(listing.binding_ids.mapped("external_offer_id")))

    # -- never twice, never lost -------------------------------------------------
    def test_a_timeout_during_publish_makes_no_second_offer_or_listing(self):
        # Odoo's test harness lifts any timeout under 10 s to 10 s: the unanswered call costs that long
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "10")
        listing = self.make_listing("LAMP-TMO")
        self.sim_post("/_sim/faults", {"timeout_after_commit": {"path": "/sell/inventory/v1/bulk_publish_offer"}})
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        offers = self.offers("LAMP-TMO")
        self.assertEqual(len(offers), 1)
        self.assertEqual(offers[0]["listing"]["listingId"], listing.external_listing_id)

    def test_an_interrupted_publish_looks_offers_up_before_creating(self):
        listing = self.make_listing("LAMP-CRASH")
        listing.action_publish()
        self.run_jobs()
        # as if the worker died after eBay made the offer, before Odoo stored it
        listing.binding_ids.external_offer_id = False
        listing._enqueue_listing_job("publish_listings", "publishing")
        self.reset_sim_calls()
        self.run_jobs()
        self.assertEqual(listing.state, "published")
        self.assertIn(GET_OFFERS, self.sim_calls())
        self.assertNotIn(BULK_OFFERS, self.sim_calls())
        self.assertEqual(len(self.offers("LAMP-CRASH")), 1)

    def test_a_5xx_storm_during_a_bulk_publish_converges_without_duplicates(self):
        listings = self.env["marketplace.listing"].concat(*[self.make_listing("STORM-%02d" % n) for n in range(30)])
        self.sim_post("/_sim/faults", {"rate_5xx": 0.5, "random_seed": 3})
        listings.action_publish()
        job = listings.job_id
        self.run_jobs()
        waiting = listings.filtered(lambda listing: listing.state == "queued")
        self.assertTrue(waiting, "the storm should leave some listings for a retry")
        self.assertEqual(job.state, "pending")
        self.assertGreater(job.next_attempt_at, fields.Datetime.now() + timedelta(minutes=4))
        self.assertTrue(all(waiting.mapped("last_error")))
        self.sim_post("/_sim/faults", {})
        self.due_now(job)
        self.run_jobs()
        self.assertEqual(set(listings.mapped("state")), {"published"})
        for listing in listings:
            self.assertEqual(len(self.offers(listing.sku)), 1, listing.sku)

    def test_a_publish_out_of_push_budget_waits_queued_and_publishes_when_the_window_reopens(self):
        """The tests run with budgets off: here the account's push budget is 4 calls and another job spent 2 of
        them in this window (and the next, should the test cross a window's end)."""
        self.ebay_account.ebay_push_budget = 4
        key = "ebay:%s:push" % self.ebay_account.id
        Usage = self.env["marketplace.api.usage"].sudo()
        now = time.time()
        for start in (rate_budget.window_start(now, 600), rate_budget.window_start(now, 600) + 600):
            Usage._take_one(key, 4, 600, start)
            Usage._take_one(key, 4, 600, start)
        listing = self.make_listing("LAMP-BUDGET")
        listing.action_publish()
        job = listing.job_id
        self.run_jobs()   # the location and the inventory item go, the offer finds the budget spent
        self.assertEqual(listing.state, "queued", listing.last_error)
        self.assertIn("budget", listing.last_error)
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        self.assertGreater(job.next_attempt_at, fields.Datetime.now())
        self.assertTrue(any("Waiting for the API budget" in line.message for line in job.log_ids))
        Usage.search([("budget_key", "=", key)]).unlink()   # the window reopens
        self.due_now(job)
        self.run_jobs()
        self.assertEqual(listing.state, "published", listing.last_error)
        self.assertEqual(job.state, "done")
        self.assertEqual(len(self.offers("LAMP-BUDGET")), 1)

    def test_after_the_last_attempt_the_listing_is_in_error_with_retry(self):
        listing = self.make_listing("LAMP-DOWN")
        self.sim_post("/_sim/faults", {"rate_5xx": 1.0})
        listing.action_publish()
        listing.job_id.max_attempts = 1
        self.run_jobs()
        self.assertEqual(listing.state, "error")
        self.assertIn("Not published after 1 attempts", listing.last_error)
        self.assertEqual(listing.job_id.state, "failed")
        self.sim_post("/_sim/faults", {})
        listing.action_publish()   # Retry
        self.run_jobs()
        self.assertEqual(listing.state, "published")

    def test_ebays_refusal_comes_back_in_clear(self):
        listing = self.make_listing("LAMP-25002")
        # Odoo's cached item specifics are older than eBay's: eBay now requires Brand, Odoo does not know
        answer = {"aspects": [a for a in aspects_for(self.leaf) if a["localizedAspectName"] != "Brand"]}
        self.category.aspects_json = json.dumps(answer)
        listing.ebay_aspect_ids.filtered(lambda a: a.name == "Brand").unlink()
        listing.ebay_brand = False
        listing.action_publish()
        self.run_jobs()
        self.assertEqual(listing.state, "error")
        self.assertIn("25002: The item specific Brand is missing", listing.last_error)
        self.assertEqual(listing.job_id.state, "done")
