from odoo import fields, models

from odoo.addons.marketplace_base.marketplace_core.handlers import URGENT, JobHandler

from ..services.order_importer import ToyOrderImporter
from ..services.stock_push import ToyStockPush

# the toy's job type -> its service and lane (given to the base by marketplace.platform.toy)
TOY_HANDLERS = {
    "pull_orders": JobHandler(ToyOrderImporter, URGENT),
}
# stock pushes run marketplace_base's BindingExporter with this adapter
TOY_PUSH_ADAPTERS = {
    "push_stock": ToyStockPush,
}


class MarketplaceJob(models.Model):
    """The shared job types the toy platform runs (no job type of its own)."""

    _inherit = "marketplace.job"

    job_type = fields.Selection(
        selection_add=[("pull_orders", "Pull Orders"), ("push_stock", "Push Stock")],
        ondelete=dict.fromkeys([*TOY_HANDLERS, *TOY_PUSH_ADAPTERS], lambda jobs: jobs._keep_on_type_uninstall()),
    )
