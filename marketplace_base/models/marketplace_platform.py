from odoo import api, models
from odoo.osv import expression

from ..marketplace_core import platform as contract
from ..marketplace_core.handlers import URGENT, JobHandler, find_handler
from ..services.binding_exporter import PriceExporter, StockExporter
from ..services.sale_order_creator import SaleOrderCreator

PLATFORM_MODEL_PREFIX = "marketplace.platform."

# job type -> handler of the platform-neutral jobs, run for every platform that has no handler of its own
NEUTRAL_HANDLERS = {
    "create_sale_orders": JobHandler(SaleOrderCreator, URGENT),
    # the push of every platform, with the platform's PushAdapter (_push_adapter)
    "push_stock": JobHandler(StockExporter, URGENT),
    "push_price": JobHandler(PriceExporter, URGENT),
}


class MarketplacePlatform(models.AbstractModel):
    """The platform interface: what the base asks of one platform, answered by that platform's code only.

    A connector declares its platform as an AbstractModel ``marketplace.platform.<code>`` (``_inherit`` this
    model, set ``_platform_code``) and overrides the required methods (``marketplace_core.platform``); the base
    finds it with ``_get(code)``. Why models and not a Python dict filled at import: Odoo serves several
    databases from one process, and a connector's Python modules are imported in every one of them as soon as one
    database has it installed; the registry of a database holds only the models of its installed modules, so a
    platform is known exactly where its connector is installed (and forgotten on uninstall). Why not a super()
    chain on a shared model: every connector's override would run for every platform's records, e.g. Shopee code on
    an eBay stock change. This model itself, with ``_platform_code`` None, is the platform-neutral answer.
    """

    _name = "marketplace.platform"
    _description = "Marketplace Platform Interface"

    _platform_code = None  # the platform's value of marketplace.account.platform ("ebay", "shopee", ...)

    # -- lookup ----------------------------------------------------------------
    @api.model
    def _get(self, code):
        """The platform model of ``code`` in this database; the platform-neutral one when ``code`` is empty or
        its connector is not installed here (its accounts are then archived: nothing of it runs)."""
        name = PLATFORM_MODEL_PREFIX + code if code else None
        return self.env[name] if name and name in self.env else self.env["marketplace.platform"]

    def _require(self, method):
        """The answer of a required method a platform did not implement: a clear error, never a silent default."""
        raise contract.PlatformContractError(self._name, method)

    # -- job handlers ------------------------------------------------------------
    @api.model
    def _job_handlers(self):
        """REQUIRED. Job type -> JobHandler(service class, lane) of the platform's own jobs: one readable table
        per connector. The platform-neutral model answers the neutral table."""
        if self._platform_code:
            return self._require("_job_handlers")
        return NEUTRAL_HANDLERS

    @api.model
    def _job_handler(self, job_type):
        """The handler of ``job_type`` for this platform: its own, else the platform-neutral one, else None."""
        own = self._job_handlers() if self._platform_code else {}
        return find_handler(own, self.env["marketplace.platform"]._job_handlers(), job_type)

    # -- which listings take pushes ----------------------------------------------
    @api.model
    def _push_ready_domain(self):
        """REQUIRED. Domain on ``marketplace.product.binding``: this platform's listings whose shop can take a
        push now (e.g. its account connected, the shop authorized). The neutral model: none."""
        if self._platform_code:
            return self._require("_push_ready_domain")
        return expression.FALSE_DOMAIN

    @api.model
    def _push_listing_domain(self):
        """OPTIONAL. Domain on ``marketplace.product.binding``: which of this platform's listings accept stock and
        price pushes at all (e.g. eBay: Inventory API listings only). Default: every listing."""
        return expression.TRUE_DOMAIN

    @api.model
    def _push_adapters(self):
        """OPTIONAL (required to take ``push_stock`` / ``push_price`` jobs). Job type -> the platform's
        ``PushAdapter`` class (``services/binding_exporter.py``). Default: none."""
        return {}

    @api.model
    def _push_adapter(self, job_type):
        """The PushAdapter class of ``job_type`` for this platform, or a clear error when it pushes no such value."""
        adapter = self._push_adapters().get(job_type)
        if adapter is None:
            raise contract.PlatformContractError(self._name, "_push_adapters")
        return adapter

    @api.model
    def _order_ids_payload_key(self):
        """OPTIONAL. The key of a ``pull_orders`` payload that lists the marketplace order numbers to import
        (Import Orders by number). Default: the ``payload_key`` of the platform's ``pull_orders`` service
        (``OrderBatchImporter``), the key its refusals already tell to retry with; None when the platform pulls
        no orders by number (the neutral model: none)."""
        handler = self._job_handler("pull_orders")
        return getattr(handler.service, "payload_key", None) if handler else None

    @api.model
    def _capabilities(self):
        """OPTIONAL. The flows the base starts for this platform (``marketplace_core.platform.CAPABILITIES``).
        Default: none."""
        return frozenset()

    @api.model
    def _can(self, capability):
        return capability in contract.check_capabilities(self._capabilities(), self._name)
