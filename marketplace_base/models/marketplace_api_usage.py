from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.tools import SQL


class MarketplaceApiUsage(models.Model):
    """Calls made against one rate budget in one fixed window, shared by every worker and server.

    One atomic upsert per API call keeps "at most N calls per window" true for a whole deployment.
    """

    _name = "marketplace.api.usage"
    _description = "Marketplace API Budget Usage"
    _order = "window_start desc, budget_key"
    _log_access = False

    budget_key = fields.Char(required=True, index=True, readonly=True,
                             help="platform:account:group, e.g. ebay:3:pull")
    window_start = fields.Datetime(required=True, readonly=True)
    window_seconds = fields.Integer(required=True, readonly=True)
    used = fields.Integer(readonly=True)
    limit = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True,
                                 help="The company of the account or shop whose budget this is.")

    _sql_constraints = [("window_uniq", "unique(budget_key, window_start)", "One row per budget and window.")]

    @api.model
    def _take_one(self, budget_key, limit, window_seconds, start_epoch, company_id=None):
        """Count one call in the window starting at ``start_epoch``; False when the window is full.

        ``company_id``: the company whose account or shop spends the budget, so that only its users see the row."""
        start = datetime.fromtimestamp(start_epoch, timezone.utc).replace(tzinfo=None)
        self.env.cr.execute(SQL("""
            INSERT INTO marketplace_api_usage AS usage
                (budget_key, window_start, window_seconds, used, "limit", company_id)
            VALUES (%(key)s, %(start)s, %(seconds)s, 1, %(limit)s, %(company)s)
            ON CONFLICT (budget_key, window_start)
            DO UPDATE SET used = usage.used + 1, "limit" = %(limit)s WHERE usage.used < %(limit)s
            RETURNING used""", key=budget_key, start=start, seconds=int(window_seconds), limit=limit,
            company=company_id or None))
        return bool(self.env.cr.fetchone())

    @api.model
    def _vacuum(self):
        """Windows older than a day say nothing any more."""
        self.env.cr.execute(SQL("DELETE FROM marketplace_api_usage WHERE window_start < %s",
                                fields.Datetime.now() - timedelta(days=1)))
