import math
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError

from ..ebay_api import MappingError
from ..services import listing_backfill
from ..services.listing_backfill import ListingBackfill
from ..sync_core.listings import MIGRATE_HINT, NO_SKU_REASON
from .common import EbayCase
from .test_categories import spy

GET_OFFERS = "GET /sell/inventory/v1/offer"
GET_ITEMS = "GET /sell/inventory/v1/inventory_item"
BULK_GET = "POST /sell/inventory/v1/bulk_get_inventory_item"
BULK_MIGRATE = "POST /sell/inventory/v1/bulk_migrate_listing"


class ListingCase(EbayCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("ebay_connector.feed_poll_seconds", "0")

    def backfill(self, payload=None):
        job = self.enqueue_and_run("backfill_listings", payload)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def bindings(self, **domain):
        return self.env["marketplace.product.binding"].search(
            [("shop_id", "=", self.ebay_shop.id)] + [(name, "=", value) for name, value in domain.items()])

    def logged(self, job, text):
        return job.log_ids.filtered(lambda line: text in line.message)


class TestListingBackfill(ListingCase):
    """Demo seed: 30 Inventory API items (some unpublished) and 10 Seller Hub listings."""

    def test_binds_by_sku_and_explains_seller_hub_listings(self):
        camera = self._make_product("DEMO-0001", 0)
        hub_product = self._make_product("HUB-0001", 0)
        job = self.backfill()
        self.assertEqual(len(self.bindings()), 40)
        binding = self.bindings(external_sku="DEMO-0001")
        listed = self.sim_get("/_sim/listings/DEMO-0001")
        self.assertEqual(binding.product_id, camera)
        self.assertEqual(binding.ebay_listing_source, "inventory_api")
        self.assertEqual(binding.status, "active" if listed["status"] == "PUBLISHED" else "unknown")
        self.assertEqual(binding.last_pushed_qty, listed["quantity"])
        self.assertTrue(binding.title and binding.condition and binding.photo_count and binding.raw_payload)
        self.assertFalse(self.bindings(external_sku="DEMO-0002").product_id, "no product is created unless asked")
        self.assertFalse(self.env["product.product"].search([("default_code", "=", "DEMO-0002")]))
        for unlisted in self.bindings(ebay_listing_source="inventory_api").filtered(lambda b: b.status != "active"):
            self.assertEqual(unlisted.status, "unknown", "not in the active report, offers not read")
        hub = self.bindings(external_sku="HUB-0001")
        self.assertEqual((hub.ebay_listing_source, hub.status, hub.product_id), ("seller_hub", "active", hub_product))
        self.assertTrue(hub.external_listing_id)
        self.assertEqual(hub.status_message, MIGRATE_HINT)
        no_sku = self.bindings(status_message=NO_SKU_REASON)
        self.assertEqual(len(no_sku), 1)
        self.assertTrue(no_sku.external_sku.startswith("ITEM-"))
        self.assertFalse(no_sku.product_id)
        self.assertTrue(self.logged(job, "9 can be migrated"))
        self.assertTrue(self.logged(job, "Page 1/1 complete: 30 fetched, 30 stored"))
        self.assertEqual((job.progress_fetched, job.progress_total), (40, 40), "30 items, then 10 Seller Hub listings")

    def test_creates_missing_products_when_asked(self):
        self.ebay_account.ebay_create_missing_products = True
        self.backfill()
        bindings = self.bindings()
        self.assertEqual(len(bindings.filtered("product_id")), 39)
        demo = self.bindings(external_sku="DEMO-0005")
        self.assertEqual(demo.product_id.default_code, "DEMO-0005")
        self.assertEqual(demo.product_id.name, demo.title)
        self.assertTrue(demo.product_id.is_storable)

    def test_rerun_without_change_writes_nothing(self):
        self.backfill()
        self.reset_sim_calls()
        with spy(self.env["marketplace.product.binding"], "create", "write") as calls:
            job = self.backfill()
        self.assertEqual(calls, {"create": [], "write": []})
        self.assertTrue(self.logged(job, "0 created, 0 updated, 40 unchanged, 0 failed"))
        self.assertNotIn(GET_OFFERS, self.sim_calls(), "offer ids are kept: no getOffers on a re-run")

    def test_ebay_change_is_written_and_ended_listing_detected(self):
        self.backfill()
        binding = self.bindings(external_sku="HUB-0001")
        binding.last_pushed_qty = 999
        gone = self.env["marketplace.product.binding"].create({
            "shop_id": self.ebay_shop.id, "external_sku": "HUB-9999", "status": "active",
            "ebay_listing_source": "seller_hub", "external_listing_id": "1"})
        job = self.backfill()
        self.assertNotEqual(binding.last_pushed_qty, 999)
        self.assertEqual(gone.status, "ended")
        self.assertTrue(self.logged(job, "0 created, 1 updated, 39 unchanged"))

    def test_failing_sku_is_requeued_alone(self):
        original = listing_backfill.map_inventory_item

        def fail_one(raw):
            if raw["sku"] == "DEMO-0003":
                raise MappingError("cannot map inventory item: unknown condition 'BROKEN'")
            return original(raw)

        with patch.object(listing_backfill, "map_inventory_item", fail_one):
            job = self.backfill()
        self.assertEqual(job.progress_failed, 1)
        self.assertFalse(self.bindings(external_sku="DEMO-0003"))
        self.assertEqual(len(self.bindings()), 39)
        self.assertTrue(self.logged(job, "SKU DEMO-0003 skipped"))
        retry = self.env["marketplace.job"].search([("job_type", "=", "backfill_listings"), ("state", "=", "pending")])
        self.assertEqual(len(retry), 1)
        self.assertEqual(retry._payload(), {"skus": ["DEMO-0003"]})
        self.assertGreater(retry.next_attempt_at, fields.Datetime.now())
        self.reset_sim_calls()
        self.run_jobs(job_ids=retry.ids)
        self.assertEqual(retry.state, "done", retry.last_error)
        binding = self.bindings(external_sku="DEMO-0003")
        self.assertEqual(binding.ebay_listing_source, "inventory_api")
        self.assertTrue(binding.title)
        calls = self.sim_calls()
        self.assertEqual(calls.get(BULK_GET), 1)
        self.assertNotIn(GET_ITEMS, calls)


class TestListingBackfillAtScale(ListingCase):
    """A few hundred listings: calls grow with pages, not with listings; Stop is honoured between pages."""

    sim_seed = {"items": 450, "seller_hub_listings": 20}

    def test_call_count_stays_near_one_call_per_page(self):
        self.reset_sim_calls()
        job = self.backfill()
        calls = self.sim_calls()
        listings = len(self.bindings())
        self.assertEqual(listings, 470)
        pages = math.ceil(450 / 200)
        self.assertEqual(calls[GET_ITEMS], pages)
        self.assertNotIn(GET_OFFERS, calls, "no call per listing: offers are read only when an offer id is needed")
        self.assertLessEqual(job.call_count, pages + 8)
        self.assertLess(job.call_count, listings / 4)
        again = self.backfill()
        self.assertLessEqual(again.call_count, pages + 8)
        self.assertTrue(self.logged(again, "Page 3/3 complete: 50 fetched, 50 stored (0 written, 50 unchanged)"))

    def test_stop_between_pages(self):
        job = self.env["marketplace.job"]._enqueue("backfill_listings", shop=self.ebay_shop)
        original = ListingBackfill._sync_items

        def sync_then_stop(service, raw_items, report):
            seen = original(service, raw_items, report)
            service.env.cr.execute("UPDATE marketplace_job SET state = 'cancelled' WHERE id = %s", [job.id])
            return seen

        self.reset_sim_calls()
        with patch.object(ListingBackfill, "_sync_items", sync_then_stop):
            self.run_jobs()
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(len(self.bindings()), 200, "the first page is kept")
        self.assertEqual(self.sim_calls()[GET_ITEMS], 1, "no page is read after Stop")


class TestListingMigration(ListingCase):

    def test_migration_success_and_ebay_reasons(self):
        self.backfill()
        hub = self.bindings(ebay_listing_source="seller_hub")
        self.assertEqual(len(hub), 10)
        with self.assertRaises(UserError):
            self.bindings(ebay_listing_source="inventory_api")[:2].action_ebay_migrate()
        self.reset_sim_calls()
        hub.action_ebay_migrate()
        self.run_jobs()
        self.assertEqual(self.sim_calls()[BULK_MIGRATE], 2, "5 listings per call")
        migrated = hub.filtered(lambda b: b.ebay_listing_source == "inventory_api")
        self.assertEqual(len(migrated), 7)
        for binding in migrated:
            self.assertTrue(binding.external_offer_id)
            self.assertFalse(binding.status_message)
            self.assertEqual(binding.status, "active")
        auction, no_policies = self.bindings(external_sku="HUB-0008"), self.bindings(external_sku="HUB-0009")
        self.assertIn("Auction listings cannot be migrated", auction.status_message)
        self.assertIn("business policies", no_policies.status_message)
        no_sku = hub.filtered(lambda b: b.external_sku.startswith("ITEM-"))
        self.assertIn("does not have a seller-defined SKU", no_sku.status_message)
        for refused in auction | no_policies | no_sku:
            self.assertEqual((refused.status, refused.ebay_listing_source), ("active", "seller_hub"))
        job = self.backfill()
        self.assertIn("Auction listings cannot be migrated", auction.status_message, "eBay's reason is kept")
        self.assertEqual(migrated.mapped("ebay_listing_source"), ["inventory_api"] * 7)
        self.assertTrue(self.logged(job, "0 created,"))


class TestListingMigrationInSlices(ListingCase):
    """A simulator of its own: a migration changes the simulated listings for good."""

    def test_a_long_migration_runs_in_slices(self):
        self.backfill()
        hub = self.bindings(ebay_listing_source="seller_hub")
        self.reset_sim_calls()
        hub.action_ebay_migrate()
        job = self.env["marketplace.job"].search([("job_type", "=", "migrate_listings"), ("state", "=", "pending")])
        self.run_slice_out_of_time(job)  # time is up after one call
        self.assertEqual((job.state, job.slice_count, self.sim_calls()[BULK_MIGRATE]), ("pending", 1, 1))
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_calls()[BULK_MIGRATE], 2, "the next slice migrates only the other listings")
        migrated = hub.filtered(lambda b: b.ebay_listing_source == "inventory_api")
        self.assertEqual(len(migrated), 7)
        self.assertTrue(self.logged(job, "7 listing(s) migrated, 3 refused"), "the counts of both slices add up")
