"""Price from comparables on a listing, against the simulator's Browse search: Recalculate fills the panel and the
price, a day's cache spares the call, too few comparables leave the price, free shipping is built in, the price is
what publishing and price pushes send, and eBay's throttling or refusal is said in clear."""
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user

from .common import EbayCase

SEARCH = "GET /buy/browse/v1/item_summary/search"
CATALOG_SEARCH = "GET /commerce/catalog/v1_beta/product_summary/search"
TOKEN = "POST /identity/v1/oauth2/token"
# Totals 40..52 plus a for-parts and a lot-of-five outlier: kept 40, 42, 44, 46, 48, 50, 52 -> median 46,
# P25 (h = 1.5) 43, P75 (h = 4.5) 49.
ITEMS = [{"title": "Bin %s" % price, "price": price - 5, "shipping": 5, "conditionId": "1000"}
         for price in (40, 42, 44, 46, 48, 50, 52)] + [
    {"title": "Bin for parts", "price": 4, "shipping": 0, "conditionId": "1000"},
    {"title": "Lot of 5 bins", "price": 230, "shipping": 0, "conditionId": "1000"},
    {"title": "Used bin", "price": 10, "shipping": 0, "conditionId": "3000"},   # filtered out: another condition
]


class TestPrice(EbayCase):

    shop_owns_stock = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.country_id = cls.env.ref("base.us")
        cls.new = cls.env.ref("ebay_connector.ebay_condition_new")

    def setUp(self):
        super().setUp()
        self.addCleanup(self.sim_post, "/_sim/faults", {})
        self.reset_sim_calls()

    def make_listing(self, code, barcode=None, **values):
        return super().make_listing(code, barcode, **{"title": "Pedal bin, 30 l (%s)" % code,
                                                      "ebay_condition_id": self.new.id, **values})

    def set_comparables(self, items, **key):
        self.sim_post("/_sim/comparables", dict(key, items=items))

    def test_recalculate_fills_the_panel_and_the_price(self):
        self.set_comparables(ITEMS, gtin="012345678905")
        listing = self.make_listing("PRICE-1", barcode="012345678905")
        self.assertEqual(listing.ebay_price_discount, 8.0, "the shop's default")

        listing.action_recalculate_price()

        self.assertEqual((listing.ebay_price_median, listing.ebay_price_p25, listing.ebay_price_p75),
                         (46.0, 43.0, 49.0))
        self.assertEqual((listing.ebay_price_count, listing.ebay_price_found, listing.ebay_price_status),
                         (7, 9, "ok"))
        self.assertEqual(listing.ebay_price, 42.32, "46 x (1 - 8 %)")
        self.assertEqual(len(listing.ebay_comparable_ids), 9)
        outliers = listing.ebay_comparable_ids.filtered("outlier")
        self.assertEqual(sorted(outliers.mapped("title")), ["Bin for parts", "Lot of 5 bins"])
        first = listing.ebay_comparable_ids.filtered(lambda item: item.title == "Bin 40")
        self.assertEqual((first.price, first.shipping, first.total, first.condition), (35.0, 5.0, 40.0, "New"))
        self.assertTrue(first.url.startswith("https://www.ebay.com/itm/"))
        self.assertEqual(self.sim_calls().get(SEARCH), 1)
        self.assertEqual(listing.ebay_price_way, "gtin", "a UPC is Browse's gtin")

        # the discount is editable and the price follows; free shipping builds the shipping cost in
        with Form(listing) as form:
            form.ebay_price_discount = 10
        self.assertEqual(listing.ebay_price, 41.4)
        listing.write({"ebay_free_shipping": True, "ebay_shipping_cost": 6.5})
        self.assertEqual(listing.ebay_price, 47.9, "41.40 + 6.50")
        # the price is what eBay gets
        draft = listing._ebay_draft()
        self.assertEqual(str(draft.price), "47.9")

    def test_an_ean_is_searched_through_its_catalog_product(self):
        """Browse's gtin searches UPC only (browse.yml): an EAN goes by eBay's catalog product of it (ePID)."""
        self.set_comparables(ITEMS, epid="24031555014")
        organizer = self.env["product.product"].search([("barcode", "=", "2300001000008")])   # Odoo's demo
        listing = self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": organizer.product_tmpl_id.id, "product_id": organizer.id,
            "sku": "PRICE-EAN", "title": "Desk organizer", "ebay_condition_id": self.new.id})
        listing.action_recalculate_price()
        self.assertEqual((listing.ebay_price_way, listing.ebay_price_status, listing.ebay_price_median),
                         ("epid", "ok", 46.0))
        self.assertIn("eBay catalog product 24031555014 (barcode 2300001000008)", listing.ebay_price_query)
        calls = self.sim_calls()
        self.assertEqual((calls.get(SEARCH), calls.get(CATALOG_SEARCH)), (1, 1))

    def test_an_ean_the_catalog_lacks_is_searched_as_keywords(self):
        self.set_comparables(ITEMS, q="4006381333931")
        listing = self.make_listing("PRICE-EAN2", barcode="4006381333931")
        listing.action_recalculate_price()
        self.assertEqual((listing.ebay_price_way, listing.ebay_price_status, listing.ebay_price_median),
                         ("barcode", "ok", 46.0))
        self.assertEqual(listing.ebay_price_query, '"4006381333931" (barcode as keywords), New')

    def test_without_a_seller_token_an_ean_is_searched_as_keywords(self):
        """The Catalog API takes a seller's token only (catalog.yml): an account not connected (yet) still gets
        comparables, by the barcode as keywords, without a Catalog call."""
        self.set_comparables(ITEMS, q="2300001000008")
        organizer = self.env["product.product"].search([("barcode", "=", "2300001000008")])
        listing = self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": organizer.product_tmpl_id.id, "product_id": organizer.id,
            "sku": "PRICE-EAN3", "title": "Desk organizer", "ebay_condition_id": self.new.id})
        self.ebay_account.state = "needs_reauth"
        listing.action_recalculate_price()
        self.assertEqual((listing.ebay_price_way, listing.ebay_price_median), ("barcode", 46.0))
        self.assertNotIn(CATALOG_SEARCH, self.sim_calls())

    def test_a_second_listing_of_the_product_reuses_todays_search_and_recalculate_calls_again(self):
        self.set_comparables(ITEMS, gtin="012345678912")
        listing = self.make_listing("PRICE-2", barcode="012345678912")
        listing._suggest_price()
        other_shop = self.ebay_shop.copy({"name": "eBay US Second"})
        twin = self.env["marketplace.listing"].create({
            "shop_id": other_shop.id, "product_tmpl_id": listing.product_tmpl_id.id,
            "product_id": listing.product_id.id, "sku": "PRICE-2", "title": listing.title,
            "ebay_condition_id": self.new.id})
        twin._suggest_price()
        self.assertEqual(twin.ebay_price_search_id, listing.ebay_price_search_id)
        self.assertEqual(self.sim_calls().get(SEARCH), 1, "cached per product for a day")

        twin.action_recalculate_price()
        self.assertEqual(self.sim_calls().get(SEARCH), 2, "Recalculate always asks eBay")
        self.assertNotEqual(twin.ebay_price_search_id, listing.ebay_price_search_id)

        listing.ebay_price_search_id.searched_at = "2020-01-01 00:00:00"
        twin.ebay_price_search_id.searched_at = "2020-01-01 00:00:00"
        listing._suggest_price()
        self.assertEqual(self.sim_calls().get(SEARCH), 3, "a day later the search is made again")

    def test_too_few_comparables_say_so_and_leave_the_price(self):
        self.set_comparables(ITEMS[:4], q="Pedal bin 30 l PRICE 3")
        listing = self.make_listing("PRICE-3", ebay_price=55.0)
        action = listing.action_recalculate_price()
        self.assertEqual(listing.ebay_price_status, "too_few")
        self.assertEqual(listing.ebay_price_count, 4)
        self.assertEqual(listing.ebay_price, 55.0, "no suggestion: the price stays")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("at least 5", action["params"]["message"])
        self.assertEqual(listing.ebay_price_query, '"Pedal bin 30 l PRICE 3", New')

    def test_keywords_search_without_barcode_uses_the_generated_spread(self):
        listing = self.make_listing("PRICE-4")
        listing.action_recalculate_price()
        self.assertEqual(listing.ebay_price_status, "ok")
        self.assertGreaterEqual(listing.ebay_price_count, 5)
        self.assertTrue(listing.ebay_price_p25 <= listing.ebay_price_median <= listing.ebay_price_p75)
        self.assertTrue(listing.ebay_comparable_ids.filtered("outlier"), "the seeded outliers are flagged")

    def test_throttled_search_is_a_clear_error_and_changes_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.max_attempts", "2")
        listing = self.make_listing("PRICE-5", ebay_price=30.0)
        self.sim_post("/_sim/faults", {"rate_429": 1.0, "retry_after": 0})
        with self.assertRaisesRegex(UserError, "eBay is busy"):
            listing.action_recalculate_price()
        self.assertFalse(listing.ebay_price_search_id)
        self.assertEqual(listing.ebay_price, 30.0)

    def test_expired_app_token_is_renewed_once(self):
        self.set_comparables(ITEMS, gtin="012345678929")
        listing = self.make_listing("PRICE-6", barcode="012345678929")
        listing.action_recalculate_price()
        self.sim_post("/_sim/expire_tokens")
        self.reset_sim_calls()
        listing.action_recalculate_price()
        calls = self.sim_calls()
        self.assertEqual((calls.get(TOKEN), calls.get(SEARCH)), (1, 2), "401, one new grant, the search again")
        self.assertEqual(listing.ebay_price_status, "ok")

    def test_refused_application_keys_are_a_clear_error(self):
        account = self.ebay_account.copy({"name": "eBay Wrong Keys", "client_id": "Unknown-App-Id",
                                          "ebay_api_base_url": self.sim.base_url})
        account.client_secret = "wrong"
        shop = self.ebay_shop.copy({"name": "eBay Wrong Keys", "account_id": account.id})
        listing = self.make_listing("PRICE-7", shop_id=shop.id)
        with self.assertRaisesRegex(UserError, "refused the application token"):
            listing.action_recalculate_price()

    def test_daily_browse_budget_is_shared_and_said_in_clear(self):
        self.env["ir.config_parameter"].sudo().set_param("ebay_connector.browse_calls_per_day", "1")
        listing = self.make_listing("PRICE-8")
        listing.action_recalculate_price()
        with self.assertRaisesRegex(UserError, "Browse calls are used up"):
            listing.action_recalculate_price()
        self.assertEqual(self.sim_calls().get(SEARCH), 1)

    def test_price_push_sends_the_listing_price(self):
        self.set_comparables(ITEMS, gtin="012345678936")
        listing = self.make_listing("DEMO-0003", barcode="012345678936")
        listing._suggest_price()
        self.env["marketplace.product.binding"].create({
            "shop_id": self.ebay_shop.id, "product_id": listing.product_id.id, "external_sku": "DEMO-0003",
            "listing_id": listing.id, "external_offer_id": self.sim_get("/_sim/listings/DEMO-0003")["offerId"],
            "ebay_listing_source": "inventory_api", "status": "active", "last_pushed_price": 20.0,
            "last_sync_at": fields.Datetime.now()})
        self.ebay_shop.odoo_owns_stock = True

        job = self.enqueue_and_run("push_price")

        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_get("/_sim/listings/DEMO-0003")["price"]["value"], "42.32",
                         "the listing's price, not the product's 20.00")

    def test_listings_with_variations_are_not_priced_from_comparables(self):
        size = self.env["product.attribute"].create({"name": "Bin Size", "value_ids": [
            Command.create({"name": name}) for name in ("20 l", "30 l")]})
        template = self.env["product.template"].create({
            "name": "Bin", "list_price": 15.0, "attribute_line_ids": [Command.create({
                "attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]})]})
        listing = self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": template.id, "sku": "BIN-SIZES", "title": "Pedal bin"})
        self.assertTrue(listing.is_group)
        listing._suggest_price()
        self.assertFalse(listing.ebay_price_search_id, "the draft flow may call it on any listing: nothing happens")
        with self.assertRaisesRegex(UserError, "not variations"):
            listing.action_recalculate_price()
        self.assertNotIn(SEARCH, self.sim_calls())

    def test_a_marketplace_user_recalculates_and_another_company_sees_nothing(self):
        self.set_comparables(ITEMS, gtin="012345678943")
        listing = self.make_listing("PRICE-10", barcode="012345678943")
        user = new_test_user(self.env, "price_user", groups="marketplace_base.group_marketplace_user")
        listing.with_user(user).action_recalculate_price()
        self.assertEqual(listing.with_user(user).ebay_price_median, 46.0)
        self.assertEqual(len(listing.with_user(user).ebay_comparable_ids), 9)

        other = self.env["res.company"].create({"name": "Other Company"})
        outsider = new_test_user(self.env, "price_outsider", groups="marketplace_base.group_marketplace_user",
                                 company_id=other.id, company_ids=[Command.set(other.ids)])
        Search = self.env["ebay.price.search"].with_user(outsider)
        self.assertFalse(Search.search([("id", "=", listing.ebay_price_search_id.id)]))
        self.assertFalse(self.env["ebay.price.comparable"].with_user(outsider).search(
            [("search_id", "=", listing.ebay_price_search_id.id)]))
