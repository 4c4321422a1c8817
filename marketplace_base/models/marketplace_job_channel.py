from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..job_run import bookkeeping_env


class MarketplaceJobChannel(models.Model):
    """A lane of the job queue (like OCA queue_job's channels): its jobs run in parallel up to its capacity.

    The capacity is a number of runner crons: Odoo runs each cron in one worker at a time, across
    threads, prefork workers and servers sharing the database, so a lane never runs more jobs at
    once than its capacity, and a bulk lane never holds the workers of an urgent one.
    """

    _name = "marketplace.job.channel"
    _description = "Marketplace Job Lane"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Handlers name their lane by this code (urgent, bulk, ...).")
    sequence = fields.Integer(default=10, help="Lower lanes are served first when cron workers are scarce.")
    capacity = fields.Integer(
        default=1, required=True,
        help="Jobs of this lane running at once. Each needs a free cron worker: raise max_cron_threads "
             "(or add cron workers / servers) when the lanes' capacities add up to more.",
    )
    active = fields.Boolean(default=True)
    cron_ids = fields.One2many("ir.cron", "marketplace_channel_id", string="Runners",
                               context={"active_test": False})
    job_pending_count = fields.Integer(compute="_compute_job_counts", string="Pending")
    job_processing_count = fields.Integer(compute="_compute_job_counts", string="Running")

    _sql_constraints = [("code_uniq", "unique(code)", "A lane code is used once.")]

    @api.constrains("capacity")
    def _check_capacity(self):
        if any(channel.capacity < 0 or channel.capacity > 32 for channel in self):
            raise ValidationError(_("A lane's capacity is between 0 (paused) and 32."))

    def _compute_job_counts(self):
        rows = self.env["marketplace.job"]._read_group(
            [("channel_id", "in", self.ids), ("state", "in", ("pending", "processing"))],
            ["channel_id", "state"], ["__count"])
        counts = {(channel.id, state): count for channel, state, count in rows}
        for channel in self:
            channel.job_pending_count = counts.get((channel.id, "pending"), 0)
            channel.job_processing_count = counts.get((channel.id, "processing"), 0)

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels._sync_lane_crons()
        return channels

    def write(self, vals):
        result = super().write(vals)
        if {"capacity", "active", "name", "sequence"} & set(vals):
            self._sync_lane_crons()
        return result

    def _sync_lane_crons(self):
        """One active runner cron per unit of capacity; extra ones are deactivated, never deleted."""
        Cron = self.env["ir.cron"].sudo().with_context(active_test=False)
        model = self.env["ir.model"]._get("marketplace.job")
        for channel in self.sudo().with_context(active_test=False):
            wanted = channel.capacity if channel.active else 0
            crons = channel.cron_ids.sorted("id")
            for number in range(len(crons), wanted):
                crons |= Cron.create({
                    "name": "Marketplace: %s lane runner %s" % (channel.name, number + 1),
                    "model_id": model.id, "state": "code", "code": "model._cron_run_lane(%d)" % channel.id,
                    "interval_number": 1, "interval_type": "minutes", "priority": channel.sequence,
                    "marketplace_channel_id": channel.id, "user_id": self.env.ref("base.user_root").id,
                })
            for number, cron in enumerate(crons):
                values = {"active": number < wanted, "priority": channel.sequence}
                if any(cron[name] != value for name, value in values.items()):
                    cron.write(values)

    def _wake(self):
        """Run the lanes' runners now instead of at their next minute."""
        for cron in self.sudo().cron_ids.filtered("active"):
            cron._trigger()

    def _wake_when_due(self):
        """Wake each lane now when it has due jobs, else at its next job's time."""
        for channel in self:
            next_at = channel._next_due_at()
            if next_at and next_at <= fields.Datetime.now():
                channel._wake()
            elif next_at:
                for cron in channel.sudo().cron_ids.filtered("active"):
                    cron._trigger(at=next_at)

    def _seconds_until_due(self):
        """Seconds until this lane's next pending job is due (0 or less: due now), None when none pends."""
        next_at = self._next_due_at()
        return (next_at - fields.Datetime.now()).total_seconds() if next_at else None

    def _next_due_at(self):
        """When this lane's next pending job is due (now for one queued by Run Now), None when none pends.

        Read in a transaction of its own: a runner's cron transaction keeps the snapshot of its start, in which
        the jobs it ran since are still pending."""
        self.ensure_one()
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("""
                SELECT MIN(CASE WHEN run_now THEN %s ELSE next_attempt_at END)
                  FROM marketplace_job WHERE state = 'pending' AND channel_id = %s""",
                               fields.Datetime.now(), self.id))
            return env.cr.fetchone()[0]

    def action_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("marketplace_base.action_marketplace_job")
        action["domain"] = [("channel_id", "=", self.id)]
        return action
