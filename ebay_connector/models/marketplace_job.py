from odoo import fields, models

from ..services.category_importer import CategoryImporter
from ..services.fulfillment_exporter import FulfillmentExporter
from ..services.listing_backfill import ListingBackfill, ListingMigrator
from ..services.notification_processor import NotificationProcessor
from ..services.order_importer import OrderImporter
from ..services.stock_exporter import PriceExporter, StockExporter


class MarketplaceJob(models.Model):
    """eBay job types; each handler hands the run to the importer or exporter of its flow."""

    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("import_categories", "Import Categories"),
            ("backfill_listings", "Backfill Listings"),
            ("migrate_listings", "Migrate Listings"),
            ("pull_orders", "Pull Orders"),
            ("process_notification", "Process Notification"),
            ("push_stock", "Push Stock"),
            ("push_price", "Push Prices"),
            ("push_fulfillment", "Push Fulfillment"),
        ],
        ondelete={
            "import_categories": "cascade", "backfill_listings": "cascade", "migrate_listings": "cascade",
            "pull_orders": "cascade", "process_notification": "cascade", "push_stock": "cascade",
            "push_price": "cascade", "push_fulfillment": "cascade",
        },
    )

    def _run_import_categories(self, run):
        CategoryImporter(self, run).run_job()

    def _run_backfill_listings(self, run):
        ListingBackfill(self, run).run_job()

    def _run_migrate_listings(self, run):
        ListingMigrator(self, run).run_job()

    def _run_pull_orders(self, run):
        OrderImporter(self, run).run_job()

    def _run_process_notification(self, run):
        NotificationProcessor(self, run).run_job()

    def _run_push_stock(self, run):
        StockExporter(self, run).run_job()

    def _run_push_price(self, run):
        PriceExporter(self, run).run_job()

    def _run_push_fulfillment(self, run):
        FulfillmentExporter(self, run).run_job()
