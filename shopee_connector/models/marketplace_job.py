from odoo import fields, models

from odoo.addons.marketplace_base.marketplace_core.handlers import BULK, URGENT, JobHandler

from ..services.cancellation_sync import CancellationAnswerer, CancellationImporter, CancellationRequester
from ..services.finances_importer import FinancesImporter
from ..services.order_importer import OrderImporter
from ..services.push_processor import PushProcessor
from ..services.return_sync import ReturnAnswerer, ReturnImporter, ReturnReceiver, ReturnRefunder
from ..services.shipping_exporter import ShippingDocumentPrinter, ShippingExporter
from ..services.stock_exporter import ShopeePricePush, ShopeeStockPush

# Shopee job type -> the importer/exporter that runs it and its lane (given to the base by
# marketplace.platform.shopee): urgent work (what a buyer or a stock change waits for), and the money pull, bulk
# work (a month of escrows) that never holds them up.
SHOPEE_HANDLERS = {
    "pull_orders": JobHandler(OrderImporter, URGENT),
    "process_notification": JobHandler(PushProcessor, URGENT),
    "ship_order": JobHandler(ShippingExporter, URGENT),
    "print_shipping_document": JobHandler(ShippingDocumentPrinter, URGENT),
    "pull_finances": JobHandler(FinancesImporter, BULK),
    # after-sale job types are marketplace_base's (its cancellations enqueue them)
    "pull_cancellations": JobHandler(CancellationImporter, URGENT),
    "answer_cancellation": JobHandler(CancellationAnswerer, URGENT),
    "request_cancellation": JobHandler(CancellationRequester, URGENT),
    "pull_returns": JobHandler(ReturnImporter, URGENT),
    "answer_return": JobHandler(ReturnAnswerer, URGENT),
    "mark_return_received": JobHandler(ReturnReceiver, URGENT),
    "refund_return": JobHandler(ReturnRefunder, URGENT),
}
# stock and price pushes run marketplace_base's BindingExporter with these adapters
SHOPEE_PUSH_ADAPTERS = {
    "push_stock": ShopeeStockPush,
    "push_price": ShopeePricePush,
}
# the job types only Shopee runs (the shared ones, pull_orders, push_stock..., are marketplace_base's)
SHOPEE_JOB_TYPES = [
    ("ship_order", "Ship Order (Shopee)"),
    ("print_shipping_document", "Print Airway Bill (Shopee)"),
]


class MarketplaceJob(models.Model):
    """Shopee job types, run by the handlers of SHOPEE_HANDLERS (platform 'shopee'; pushes:
    SHOPEE_PUSH_ADAPTERS)."""

    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=SHOPEE_JOB_TYPES,
        ondelete=dict.fromkeys(dict(SHOPEE_JOB_TYPES), lambda jobs: jobs._keep_on_type_uninstall()),
    )
