from odoo import api, models

from odoo.addons.marketplace_base.marketplace_core.platform import STOCK_PUSH

from .marketplace_job import SHOPEE_HANDLERS, SHOPEE_PUSH_ADAPTERS


class MarketplacePlatformShopee(models.AbstractModel):
    """Shopee's answers to the platform interface (``marketplace.platform``, docs/adding-a-platform.md).

    Prices reach Shopee by the sweep and the button only (no ``price_push_on_change``)."""

    _name = "marketplace.platform.shopee"
    _inherit = "marketplace.platform"
    _description = "Marketplace Platform: Shopee"

    _platform_code = "shopee"

    @api.model
    def _job_handlers(self):
        return SHOPEE_HANDLERS

    @api.model
    def _push_ready_domain(self):
        """Shopee authorizes each shop: its listings take pushes while their shop is authorized."""
        return [("shop_id.authorization_state", "=", "authorized")]

    @api.model
    def _push_listing_domain(self):
        """Shopee updates stock and prices by item id (and model id): bindings without one are not pushed (the
        exporter also skips, with a log line, an id that is not a number)."""
        return [("external_listing_id", "!=", False)]

    @api.model
    def _push_adapters(self):
        return SHOPEE_PUSH_ADAPTERS

    @api.model
    def _capabilities(self):
        return frozenset({STOCK_PUSH})
