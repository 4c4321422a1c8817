from odoo import api, models

from odoo.addons.marketplace_base.marketplace_core.handlers import URGENT, JobHandler
from odoo.addons.marketplace_base.marketplace_core.platform import STOCK_PUSH

from ..services.order_importer import ToyOrderImporter
from ..services.stock_push import ToyStockPush

# the toy runs only shared job types (marketplace_base's pull_orders and push_stock), so it adds none to
# marketplace.job: its handlers and its push adapter are all it declares
TOY_HANDLERS = {
    "pull_orders": JobHandler(ToyOrderImporter, URGENT),
}
TOY_PUSH_ADAPTERS = {
    "push_stock": ToyStockPush,
}


class MarketplacePlatformToy(models.AbstractModel):
    """The toy platform's answers to the platform interface (``marketplace.platform``): the whole of what the
    base needs to know of a platform that takes orders in and stock out."""

    _name = "marketplace.platform.toy"
    _inherit = "marketplace.platform"
    _description = "Marketplace Platform: Toy"

    _platform_code = "toy"

    @api.model
    def _job_handlers(self):
        return TOY_HANDLERS

    @api.model
    def _push_ready_domain(self):
        """The toy authorizes a whole account (one API key): its listings take pushes while it is connected."""
        return [("shop_id.account_id.state", "=", "connected")]

    @api.model
    def _push_listing_domain(self):
        """The toy updates stock by SKU: a binding without one is not pushed."""
        return [("external_sku", "!=", False)]

    @api.model
    def _push_adapters(self):
        return TOY_PUSH_ADAPTERS

    @api.model
    def _capabilities(self):
        return frozenset({STOCK_PUSH})
