from odoo import fields, models


class IrCron(models.Model):
    """Runner crons of the marketplace job lanes know their lane (made and sized by the lane itself)."""

    _inherit = "ir.cron"

    marketplace_channel_id = fields.Many2one("marketplace.job.channel", string="Marketplace Lane",
                                             ondelete="cascade", index="btree_not_null")
