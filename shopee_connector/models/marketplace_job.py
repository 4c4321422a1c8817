from odoo import fields, models

from odoo.addons.marketplace_base.marketplace_core.handlers import URGENT, JobHandler

from ..services.order_importer import OrderImporter
from ..services.push_processor import PushProcessor
from ..services.shipping_exporter import ShippingDocumentPrinter, ShippingExporter
from ..services.stock_exporter import PriceExporter, StockExporter

# Shopee job type -> the importer/exporter that runs it and its lane (given to the base by
# marketplace.platform.shopee): all are urgent work (what a buyer or a stock change waits for); Shopee has no
# catalogue-sized job yet.
SHOPEE_HANDLERS = {
    "pull_orders": JobHandler(OrderImporter, URGENT),
    "process_notification": JobHandler(PushProcessor, URGENT),
    "push_stock": JobHandler(StockExporter, URGENT),
    "push_price": JobHandler(PriceExporter, URGENT),
    "ship_order": JobHandler(ShippingExporter, URGENT),
    "print_shipping_document": JobHandler(ShippingDocumentPrinter, URGENT),
}


class MarketplaceJob(models.Model):
    """Shopee job types, run by the handlers of SHOPEE_HANDLERS (platform 'shopee')."""

    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[
            ("pull_orders", "Pull Orders"),
            ("process_notification", "Process Notification"),
            ("push_stock", "Push Stock"),
            ("push_price", "Push Prices"),
            ("ship_order", "Ship Order (Shopee)"),
            ("print_shipping_document", "Print Airway Bill (Shopee)"),
        ],
        ondelete=dict.fromkeys(SHOPEE_HANDLERS, lambda jobs: jobs._keep_on_type_uninstall()),
    )
