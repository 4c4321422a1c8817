import logging
import traceback
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from ..job_run import JobRun, bookkeeping_env
from ..marketplace_core import backoff
from ..marketplace_core.errors import JobCancelled, JobNeedsConfirmation, is_retryable, retry_after_of
from ..marketplace_core.payload import canonical_json, identity_key, parse_payload

_logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 600
CLAIM_ATTEMPTS = 3
CLAIM_SQL = """
    UPDATE marketplace_job
       SET state = 'processing', attempts = COALESCE(attempts, 0) + 1, started_at = %(now)s, ended_at = NULL,
           lease_until = %(lease)s, write_date = %(now)s
     WHERE id = (
            SELECT id FROM marketplace_job
             WHERE state = 'pending' AND {due}
             ORDER BY priority, next_attempt_at, id
             LIMIT 1
               FOR UPDATE SKIP LOCKED)
 RETURNING id
"""


class MarketplaceJob(models.Model):
    """A unit of background sync work, stored so it survives restarts (like OCA queue_job).

    Handlers are methods named ``_run_<job_type>(run)`` on this model: a connector
    adds its job type to the selection and defines the method next to it.
    """

    _name = "marketplace.job"
    _description = "Marketplace Job"
    _order = "id desc"

    # What
    name = fields.Char(compute="_compute_name")
    job_type = fields.Selection(
        [("create_sale_orders", "Create Sale Orders")], required=True, index=True,
        help="Connectors add theirs (pull_orders, push_stock, ...).",
    )
    account_id = fields.Many2one("marketplace.account", index=True, ondelete="cascade")
    shop_id = fields.Many2one("marketplace.shop", index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", compute="_compute_company_id", store=True, index=True)
    payload = fields.Text(
        help='JSON object, e.g. {"since": "2024-11-01T00:00:00", "until": null} or {"product_ids": [1, 2, 3]}. '
             "Empty means everything.",
    )
    priority = fields.Integer(default=10, help="Lower runs first.")
    identity_key = fields.Char(
        index=True, copy=False,
        help="Equal jobs share this key; an equal job already pending is not enqueued twice.",
    )

    # State
    state = fields.Selection(
        [("pending", "Pending"), ("processing", "Processing"), ("done", "Completed"), ("failed", "Failed"),
         ("cancelled", "Cancelled"), ("to_confirm", "Awaiting Confirmation")],
        default="pending", required=True, index=True, copy=False,
    )
    attempts = fields.Integer(default=0, readonly=True, copy=False, string="Retry Count")
    max_attempts = fields.Integer(default=lambda self: self._default_max_attempts())
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, index=True, copy=False, string="Next Attempt")
    lease_until = fields.Datetime(readonly=True, copy=False,
                                  help="A processing job whose lease ran out was left by a crashed worker.")
    last_error = fields.Text(readonly=True, copy=False, string="Error")
    error_traceback = fields.Text(readonly=True, copy=False, string="Traceback")
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False, string="Confirmed By",
                                      help="The manager who let a run held for confirmation go through.")
    confirmed_at = fields.Datetime(readonly=True, copy=False)

    # Progress
    progress_total = fields.Integer(default=0, readonly=True, copy=False, string="Total")
    progress_fetched = fields.Integer(default=0, readonly=True, copy=False, string="Fetched")
    progress_stored = fields.Integer(default=0, readonly=True, copy=False, string="Stored")
    progress_failed = fields.Integer(default=0, readonly=True, copy=False, string="Failed Units")
    progress_percent = fields.Float(compute="_compute_progress_percent", string="Progress")
    call_count = fields.Integer(default=0, readonly=True, copy=False, string="API Calls")
    log_ids = fields.One2many("marketplace.job.log", "job_id", string="Log", readonly=True)
    started_at = fields.Datetime(readonly=True, copy=False)
    ended_at = fields.Datetime(readonly=True, copy=False)
    duration = fields.Float(compute="_compute_duration", store=True, string="Duration (s)")

    @api.depends("job_type")
    def _compute_name(self):
        labels = dict(self._fields["job_type"]._description_selection(self.env))
        for job in self:
            job.name = "#%s %s" % (job.id or "", labels.get(job.job_type, job.job_type or ""))

    @api.depends("account_id.company_id", "shop_id.company_id")
    def _compute_company_id(self):
        for job in self:
            job.company_id = job.shop_id.company_id or job.account_id.company_id

    @api.depends("progress_total", "progress_stored", "progress_failed")
    def _compute_progress_percent(self):
        for job in self:
            done = job.progress_stored + job.progress_failed
            job.progress_percent = min(100.0, 100.0 * done / job.progress_total) if job.progress_total else 0.0

    @api.depends("started_at", "ended_at")
    def _compute_duration(self):
        for job in self:
            if job.started_at and job.ended_at:
                job.duration = (job.ended_at - job.started_at).total_seconds()
            else:
                job.duration = 0.0

    # -- configuration -------------------------------------------------------
    def _param(self, name, default):
        return self.env["ir.config_parameter"].sudo().get_param("marketplace_base.%s" % name, default)

    @api.model
    def _default_max_attempts(self):
        return int(self._param("job_max_attempts", backoff.DEFAULT_MAX_ATTEMPTS))

    def _retry_schedule(self):
        return backoff.parse_schedule(self._param("job_retry_schedule_minutes", ""))

    def _lease_deadline(self):
        seconds = int(self._param("job_lease_seconds", DEFAULT_LEASE_SECONDS))
        return fields.Datetime.now() + timedelta(seconds=seconds)

    # -- payload and identity ------------------------------------------------
    @api.constrains("payload")
    def _check_payload(self):
        for job in self:
            try:
                parse_payload(job.payload)
            except ValueError as exc:
                raise ValidationError(_("Job %(job)s: %(error)s", job=job.name, error=exc)) from exc

    def _payload(self):
        self.ensure_one()
        return parse_payload(self.payload)

    @api.model
    def _identity_of(self, vals):
        try:
            payload = parse_payload(vals.get("payload"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return identity_key(vals.get("job_type"), vals.get("account_id"), vals.get("shop_id"), payload)

    @api.model_create_multi
    def create(self, vals_list):
        """Jobs made by hand get an identity key too, and an equal pending job is refused with its name."""
        for vals in vals_list:
            if not vals.get("identity_key"):
                vals["identity_key"] = self._identity_of(vals)
            equal = self._pending_equal(vals["identity_key"])
            if equal and not self.env.context.get("marketplace_enqueue"):
                raise UserError(_("An identical job is already pending: %s.", equal.name))
        return super().create(vals_list)

    def _pending_equal(self, key):
        return self.search([("identity_key", "=", key), ("state", "=", "pending")], limit=1) if key else self.browse()

    @api.model
    def _enqueue(self, job_type, account=None, shop=None, payload=None, priority=10, identity=None):
        """Add a job unless an equal one is pending; return the job that will do the work.

        The unique partial index on pending identity keys is the real guard: two
        transactions enqueuing at once cannot both insert. The loser's insert is
        rolled back to a savepoint and an empty recordset says "already queued".
        """
        account = account or (shop.account_id if shop else None)
        vals = {
            "job_type": job_type,
            "account_id": account.id if account else False,
            "shop_id": shop.id if shop else False,
            "payload": canonical_json(payload) if payload else False,
            "priority": priority,
        }
        vals["identity_key"] = identity or self._identity_of(vals)
        equal = self._pending_equal(vals["identity_key"])
        if equal:
            return equal
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                job = self.with_context(marketplace_enqueue=True).create(vals)
        except psycopg2.errors.UniqueViolation:
            _logger.info("Job %s already enqueued by a concurrent transaction", vals["identity_key"])
            return self.browse()
        self._trigger_runner()
        return job

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS marketplace_job_pending_identity_uniq
                ON marketplace_job (identity_key)
             WHERE state = 'pending' AND identity_key IS NOT NULL
        """)

    @api.model
    def _trigger_runner(self):
        """Ask the cron to run soon instead of waiting for its next minute."""
        cron = self.env.ref("marketplace_base.ir_cron_marketplace_run_jobs", raise_if_not_found=False)
        if cron and cron.active:
            cron.sudo()._trigger()

    # -- runner --------------------------------------------------------------
    @contextmanager
    def _work_env(self):
        """The job's own transaction for its handler, committed on exit (a shared one under tests)."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, context=dict(self.env.context, marketplace_enqueue=True))
            yield env

    @api.model
    def _cron_run_jobs(self):
        self._run_pending(limit=int(self._param("jobs_per_cron_run", 50)))

    @api.model
    def _run_pending(self, limit=50, job_ids=None):
        """Recover crashed jobs, then claim and run due jobs one by one, each in its own transaction."""
        self._recover_stale_jobs()
        ran = []
        while len(ran) < limit:
            job_id = self._claim_next(job_ids)
            if not job_id:
                break
            self.browse(job_id)._execute()
            ran.append(job_id)
        self.env.invalidate_all()
        return self.browse(ran)

    @api.model
    def _claim_next(self, job_ids=None):
        """Take the most urgent due job (or one of ``job_ids``, due or not).

        ``FOR UPDATE SKIP LOCKED`` lets concurrent runners take different jobs and never the same one.
        Under READ COMMITTED the statement finds nothing when the row it picked was claimed by
        another runner meanwhile, so it tries again while due jobs remain.
        """
        due = "id = ANY(%(ids)s)" if job_ids else "next_attempt_at <= %(now)s"
        for _attempt in range(CLAIM_ATTEMPTS):
            with bookkeeping_env(self.env) as env:
                params = {"now": fields.Datetime.now(), "lease": self._lease_deadline(), "ids": list(job_ids or [])}
                env.cr.execute(CLAIM_SQL.format(due=due), params)
                row = env.cr.fetchone()
                if row:
                    return row[0]
                env.cr.execute("SELECT EXISTS(SELECT 1 FROM marketplace_job WHERE state = 'pending' AND %s)" % due,
                               params)
                if not env.cr.fetchone()[0]:
                    return None
        return None

    def _execute(self):
        """Run the handler in its own transaction, then record the outcome in another one."""
        self.ensure_one()
        outcome = ("done", None)
        with self._work_env() as env:
            job = self.with_env(env)
            try:
                handler = getattr(job, "_run_%s" % job.job_type, None)
                if handler is None:
                    raise UserError(_("No handler for job type %s: is its connector installed?", job.job_type))
                handler(JobRun(job, job._payload()))
                # commit here, not on leaving the block: the last writes are flushed at commit and
                # may lose a race with another transaction, which must become a retry, not a crash
                env.cr.commit()
            except JobCancelled:
                env.cr.rollback()
                outcome = ("cancelled", None)
            except JobNeedsConfirmation as exc:
                env.cr.rollback()
                outcome = ("to_confirm", exc)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
                env.cr.rollback()
                outcome = ("error", exc)
                _logger.info("Job %s failed: %s", self.id, exc)
        with bookkeeping_env(self.env) as env:
            self.with_env(env)._record_outcome(*outcome)

    def _record_outcome(self, outcome, exc):
        now = fields.Datetime.now()
        if outcome == "cancelled" or (self.state == "cancelled" and outcome != "done"):
            self.write({"state": "cancelled", "ended_at": now, "lease_until": False})
            self._log(_("Stopped on request."), "warning")
        elif outcome == "to_confirm":
            self.write({"state": "to_confirm", "ended_at": now, "lease_until": False, "last_error": str(exc)})
            self._log(_("Awaiting a manager's confirmation: %s", exc), "warning")
            _logger.warning("Job %s awaits a manager's confirmation: %s", self.id, exc)
        elif outcome == "done":
            self.write({"state": "done", "ended_at": now, "lease_until": False, "last_error": False,
                        "error_traceback": False})
        elif self._is_retryable(exc) and self.attempts < self.max_attempts:
            delay = backoff.retry_delay_seconds(self.attempts, self._retry_schedule(), retry_after_of(exc))
            self._log(_("Attempt %(n)s failed, retrying in %(minutes)s min: %(error)s",
                        n=self.attempts, minutes=round(delay / 60, 1), error=exc), "warning")
            self._reschedule(now + timedelta(seconds=delay), exc, now=now)
        else:
            self.write({"state": "failed", "ended_at": now, "lease_until": False, "last_error": str(exc),
                        "error_traceback": "".join(traceback.format_exception(exc))})
            self._log(_("Failed after %(n)s attempt(s): %(error)s", n=self.attempts, error=exc), "error")

    @staticmethod
    def _is_retryable(exc):
        """Transient: network, 429/5xx, flagged retryable, or a lost race with another transaction."""
        return is_retryable(exc) or isinstance(exc, psycopg2.errors.TransactionRollbackError)

    def _reschedule(self, when, exc=None, now=None):
        """Back to pending at ``when``; superseded instead when an equal job is already pending."""
        now = now or fields.Datetime.now()
        values = {"state": "pending", "next_attempt_at": when, "lease_until": False, "ended_at": now}
        if exc is not None:
            values.update(last_error=str(exc), error_traceback="".join(traceback.format_exception(exc)))
        equal = self._pending_equal(self.identity_key) - self
        if not equal:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    self.write(values)
                return
            except psycopg2.errors.UniqueViolation:
                equal = self._pending_equal(self.identity_key) - self
        self.write({"state": "cancelled", "ended_at": now, "lease_until": False})
        self._log(_("Superseded by the equal pending job %s.", equal.name or "?"))

    @api.model
    def _recover_stale_jobs(self):
        """Jobs left processing by a crashed worker (lease expired) go back to the queue."""
        with bookkeeping_env(self.env) as env:
            stale = env["marketplace.job"].search(
                [("state", "=", "processing"), ("lease_until", "<", fields.Datetime.now())])
            for job in stale:
                job._log(_("Recovered: the worker running attempt %s stopped without finishing.", job.attempts),
                         "warning")
                job._reschedule(fields.Datetime.now())
        return stale.ids

    def _log(self, message, level="info"):
        self.env["marketplace.job.log"].create({"job_id": self.id, "level": level, "message": message})

    # -- buttons -------------------------------------------------------------
    def action_run_now(self):
        """Run these jobs (or, from a list with no selection, the due queue) right now."""
        due = self.filtered(lambda job: job.state == "pending")
        if self and not due:
            raise UserError(_("Only pending jobs can run; use Requeue on failed or cancelled ones."))
        self.env.flush_all()
        self._run_pending(limit=len(due) or 50, job_ids=due.ids or None)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_stop(self):
        """Stop: pending jobs are cancelled now, a running one at its next unit of work."""
        active = self.filtered(lambda job: job.state in ("pending", "processing", "to_confirm"))
        active.write({"state": "cancelled", "ended_at": fields.Datetime.now()})
        for job in active:
            job._log(_("Stop requested by %s.", self.env.user.name), "warning")
        return True

    def action_confirm(self):
        """A manager lets held runs go through: back to pending now, the handler sees ``confirmed_by_id``."""
        if not self.env.user.has_group("marketplace_base.group_marketplace_manager"):
            raise AccessError(_("Only a Marketplace Manager can confirm a job held for confirmation."))
        now = fields.Datetime.now()
        for job in self.filtered(lambda j: j.state == "to_confirm"):
            # an equal job queued meanwhile would only be held again: the confirmed one does its work
            equal = job._pending_equal(job.identity_key)
            if equal:
                equal.write({"state": "cancelled", "ended_at": now})
                equal._log(_("Superseded by the confirmed job %s.", job.name))
            job.write({"state": "pending", "next_attempt_at": now, "confirmed_by_id": self.env.user.id,
                       "confirmed_at": now})
            job._log(_("Confirmed by %s.", self.env.user.name))
        self.sudo()._trigger_runner()  # managers cannot read the cron that _trigger_runner looks at
        return True

    def action_requeue(self):
        """Dead letters and cancelled jobs get a fresh set of attempts."""
        for job in self.filtered(lambda j: j.state in ("failed", "cancelled", "done")):
            equal = job._pending_equal(job.identity_key)
            if equal:
                raise UserError(_("An identical job is already pending: %s.", equal.name))
            job.write({"state": "pending", "attempts": 0, "next_attempt_at": fields.Datetime.now(),
                       "last_error": False, "error_traceback": False})
            job._log(_("Requeued by %s.", self.env.user.name))
        self._trigger_runner()
        return True

    # -- platform-neutral handlers ------------------------------------------
    def _run_create_sale_orders(self, run):
        """Turn the shop's new marketplace orders (or ``order_ids``) into sale orders."""
        domain = [("state", "=", "new")]
        if run.payload.get("order_ids"):
            domain = [("id", "in", run.payload["order_ids"])]
        if self.shop_id:
            domain.append(("shop_id", "=", self.shop_id.id))
        orders = self.env["marketplace.order"].search(domain)
        run.progress(total=len(orders))
        for order in orders:
            run.check_cancelled()
            order._create_sale_order()
            run.progress(fetched=1, stored=int(order.state == "imported"), failed=int(order.state == "error"))
            if order.state == "error":
                run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
        run.log(_("%s order(s) processed.", len(orders)))
