from odoo import api, fields, models

from ..marketplace_core.redaction import redact


class MarketplaceJobLog(models.Model):
    """A timestamped line of what a job did, e.g. ``Page 1/3: 200 fetched, 200 stored``."""

    _name = "marketplace.job.log"
    _description = "Marketplace Job Log Line"
    _order = "id"

    job_id = fields.Many2one("marketplace.job", required=True, ondelete="cascade", index=True)
    logged_at = fields.Datetime(required=True, default=fields.Datetime.now)
    level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")], default="info", required=True,
    )
    message = fields.Text(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        """Lines quote errors, whose text may hold a token (a URL's query string): the secret is never stored."""
        for vals in vals_list:
            if vals.get("message"):
                vals["message"] = redact(vals["message"])
        return super().create(vals_list)
