from odoo import fields, models

from odoo.addons.marketplace_base.marketplace_core.handlers import BULK, PUBLISH, URGENT, JobHandler

from ..services.cancellation_sync import CancellationAnswerer, CancellationImporter, CancellationRequester
from ..services.case_sync import CaseImporter, InquiryAnswerer, InquiryImporter
from ..services.category_importer import CategoryImporter
from ..services.dispute_sync import DisputeAnswerer, DisputeImporter
from ..services.finances_importer import FinancesImporter
from ..services.fulfillment_exporter import FulfillmentExporter
from ..services.listing_backfill import ListingBackfill, ListingMigrator
from ..services.listing_publisher import ListingEnder, ListingPublisher, ListingReviser
from ..services.notification_processor import NotificationProcessor
from ..services.order_importer import OrderImporter
from ..services.refund_issuer import RefundIssuer
from ..services.return_sync import (
    ReturnAnswerer,
    ReturnImporter,
    ReturnLabelSender,
    ReturnReceiver,
    ReturnRefunder,
)
from ..services.stock_exporter import EbayPricePush, EbayStockPush

# eBay job type -> the importer/exporter that runs it and its lane (given to the base by marketplace.platform.ebay):
# urgent work (what a buyer or a stock change waits for) never queues behind bulk work (whole catalogues and trees).
EBAY_HANDLERS = {
    "import_categories": JobHandler(CategoryImporter, BULK),
    "backfill_listings": JobHandler(ListingBackfill, BULK),
    "migrate_listings": JobHandler(ListingMigrator, BULK),
    "pull_orders": JobHandler(OrderImporter, URGENT),
    "process_notification": JobHandler(NotificationProcessor, URGENT),
    "push_fulfillment": JobHandler(FulfillmentExporter, URGENT),
    "pull_finances": JobHandler(FinancesImporter, BULK),
    # after-sale job types are marketplace_base's (its cancellations and disputes enqueue them)
    "pull_cancellations": JobHandler(CancellationImporter, URGENT),
    "answer_cancellation": JobHandler(CancellationAnswerer, URGENT),
    "request_cancellation": JobHandler(CancellationRequester, URGENT),
    "issue_refund": JobHandler(RefundIssuer, URGENT),
    "pull_disputes": JobHandler(DisputeImporter, URGENT),
    "answer_dispute": JobHandler(DisputeAnswerer, URGENT),
    "pull_returns": JobHandler(ReturnImporter, URGENT),
    "answer_return": JobHandler(ReturnAnswerer, URGENT),
    "mark_return_received": JobHandler(ReturnReceiver, URGENT),
    "send_return_label": JobHandler(ReturnLabelSender, URGENT),
    "pull_inquiries": JobHandler(InquiryImporter, URGENT),
    "pull_cases": JobHandler(CaseImporter, URGENT),
    "answer_case": JobHandler(InquiryAnswerer, URGENT),
    "refund_return": JobHandler(ReturnRefunder, URGENT),
    # listing job types are marketplace_base's (its listings enqueue them); eBay runs them in the publish lane
    "publish_listings": JobHandler(ListingPublisher, PUBLISH),
    "revise_listings": JobHandler(ListingReviser, PUBLISH),
    "end_listings": JobHandler(ListingEnder, PUBLISH),
}
# stock and price pushes run marketplace_base's BindingExporter with these adapters
EBAY_PUSH_ADAPTERS = {
    "push_stock": EbayStockPush,
    "push_price": EbayPricePush,
}
# the job types only eBay runs (the shared ones, pull_orders, push_stock..., are marketplace_base's)
EBAY_JOB_TYPES = [
    ("import_categories", "Import Categories"),
    ("backfill_listings", "Backfill Listings"),
    ("migrate_listings", "Migrate Listings"),
    ("push_fulfillment", "Push Fulfillment"),
]


class MarketplaceJob(models.Model):
    """eBay job types, run by the handlers of EBAY_HANDLERS (pushes: EBAY_PUSH_ADAPTERS)."""

    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=EBAY_JOB_TYPES,
        ondelete=dict.fromkeys(dict(EBAY_JOB_TYPES), lambda jobs: jobs._keep_on_type_uninstall()),
    )
