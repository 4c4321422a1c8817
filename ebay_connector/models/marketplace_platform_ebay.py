from odoo import api, models

from odoo.addons.marketplace_base.marketplace_core.platform import PRICE_PUSH_ON_CHANGE, RETURN_LABEL, STOCK_PUSH

from .marketplace_job import EBAY_HANDLERS, EBAY_PUSH_ADAPTERS


class MarketplacePlatformEbay(models.AbstractModel):
    """eBay's answers to the platform interface (``marketplace.platform``, docs/adding-a-platform.md)."""

    _name = "marketplace.platform.ebay"
    _inherit = "marketplace.platform"
    _description = "Marketplace Platform: eBay"

    _platform_code = "ebay"

    @api.model
    def _job_handlers(self):
        return EBAY_HANDLERS

    @api.model
    def _push_ready_domain(self):
        """eBay authorizes the whole account: its shops take pushes while the account is connected."""
        return [("shop_id.account_id.state", "=", "connected")]

    @api.model
    def _push_listing_domain(self):
        """Only Inventory API listings accept stock and price updates (Seller Hub ones once migrated)."""
        return [("ebay_listing_source", "=", "inventory_api")]

    @api.model
    def _push_adapters(self):
        return EBAY_PUSH_ADAPTERS

    @api.model
    def _capabilities(self):
        return frozenset({STOCK_PUSH, PRICE_PUSH_ON_CHANGE, RETURN_LABEL})
