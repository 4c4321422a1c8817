import logging
import resource
import threading
import time
import traceback
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, clean_context, config, mute_logger

from ..job_run import LOST_RACE_ERRORS, JobRun, bookkeeping_env, liveness_lock, worker_is_alive
from ..marketplace_core import backoff, slices
from ..marketplace_core.errors import (
    BudgetExhausted,
    JobCancelled,
    JobNeedsConfirmation,
    JobPaused,
    is_retryable,
    retry_after_of,
)
from ..marketplace_core.payload import canonical_json, identity_key, parse_payload
from ..marketplace_core.redaction import redact

_logger = logging.getLogger(__name__)


def _cpu_time_left():
    """CPU seconds this process may still use before its soft RLIMIT_CPU (a prefork worker's
    ``limit_time_cpu`` per unit of work), or None without such a limit (threaded server)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return soft - (usage.ru_utime + usage.ru_stime)

CLAIM_ATTEMPTS = 3
# A job claimed less than this long ago may not hold its liveness lock yet: recovery leaves it alone.
RECOVERY_GRACE_SECONDS = 15
DEFAULT_MAX_CRASHES = 3
# A waiting job gains one priority step per AGING_SECONDS (at most MAX_AGING_STEPS), so a stream of urgent
# stock pushes (priority 1) can delay an order pull (10) by about a minute and a half, never starve it.
AGING_SECONDS = 10
MAX_AGING_STEPS = 50
DEFAULT_KEEP_DAYS = 30
BOT_XMLID = "marketplace_base.user_marketplace_bot"
MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
# jobs that write what only Marketplace Managers may (eBay's category tree; payouts and money transactions)
MANAGER_JOB_TYPES = ("import_categories", "pull_finances")
# What the engine sets on a job and only a Marketplace Manager may set by hand: who runs it, in which company,
# where it stands, and whether the circuit breaker applies to it (a confirmation lets a held push through).
ENGINE_FIELDS = frozenset({
    "user_id", "company_id", "identity_key", "state", "run_now", "attempts", "max_attempts", "crash_count",
    "lost_races", "slice_count", "continuation", "last_error", "error_traceback", "failure_notified",
    "confirmed_by_id", "confirmed_at", "started_at", "ended_at", "progress_total", "progress_fetched",
    "progress_stored", "progress_failed", "call_count",
})
# The work a held or confirmed job does: it stays what the manager saw when confirming.
WORK_FIELDS = frozenset({"job_type", "account_id", "shop_id", "payload"})


class MarketplaceJob(models.Model):
    """A unit of background sync work, stored so it survives restarts (like OCA queue_job).

    Jobs run in lanes (``marketplace.job.channel``): each lane has as many runner crons as its
    capacity, so Odoo's cron workers - threads, prefork processes, several servers - run lanes in
    parallel and never one lane's runner twice. Handlers are found per (platform, job type) by
    ``marketplace.platform``; long work runs in slices (``JobRun.pause``) so no job holds a worker past
    Odoo's time limits.
    """

    _name = "marketplace.job"
    _description = "Marketplace Job"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    # What
    name = fields.Char(compute="_compute_name")
    job_type = fields.Selection(
        [("create_sale_orders", "Create Sale Orders"),
         # the shared job types: every platform runs them through its own handlers (marketplace.platform)
         ("pull_orders", "Pull Orders"), ("process_notification", "Process Notification"),
         ("push_stock", "Push Stock"), ("push_price", "Push Prices"), ("pull_finances", "Pull Money"),
         # listing job types (the base's listings enqueue them)
         ("publish_listings", "Publish Listings"), ("revise_listings", "Revise Listings"),
         ("end_listings", "End Listings"),
         # after-sale job types (the base's cancellations and disputes enqueue them)
         ("pull_cancellations", "Pull Cancellations"), ("answer_cancellation", "Answer Cancellation"),
         ("request_cancellation", "Send Cancellation"), ("pull_returns", "Pull Returns"),
         ("answer_return", "Answer Return"), ("mark_return_received", "Mark Return Received"),
         ("send_return_label", "Send Return Label"),
         ("pull_inquiries", "Pull Inquiries"), ("pull_cases", "Pull Cases"), ("answer_case", "Answer Inquiry"),
         ("pull_disputes", "Pull Payment Disputes"), ("answer_dispute", "Answer Payment Dispute"),
         ("issue_refund", "Issue Refund"), ("refund_return", "Refund Return")],
        required=True, index=True,
        help="Connectors add the job types only they run (eBay's import_categories, Shopee's ship_order...).",
    )
    account_id = fields.Many2one("marketplace.account", index=True, ondelete="cascade")
    shop_id = fields.Many2one("marketplace.shop", index=True, ondelete="cascade")
    platform = fields.Selection(related="account_id.platform", store=True)
    company_id = fields.Many2one("res.company", compute="_compute_company_id", store=True, index=True)
    channel_id = fields.Many2one(
        "marketplace.job.channel", string="Lane", compute="_compute_channel_id", store=True, readonly=False,
        index=True, ondelete="restrict", help="The lane that runs this job (urgent, bulk, ...).",
    )
    user_id = fields.Many2one(
        "res.users", string="Run As", index=True, ondelete="set null", copy=False,
        default=lambda self: self._job_user(person=self.env.user),
        help="The job runs with this user's access rights: the person whose button queued it, else (stock "
             "moves, deliveries, price changes, crons, webhooks) the shop's Job User.",
    )
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
    run_now = fields.Boolean(copy=False, readonly=True, help="Queued first by Run Now.")
    attempts = fields.Integer(default=0, readonly=True, copy=False,
                              help="Runs that did not end by pausing for a later slice.")
    max_attempts = fields.Integer(default=lambda self: self._default_max_attempts(), copy=False)
    crash_count = fields.Integer(default=0, readonly=True, copy=False, string="Worker Crashes",
                                 help="Times the worker running this job died without finishing it.")
    lost_races = fields.Integer(default=0, readonly=True, copy=False,
                                help="Races with other transactions lost in a row: retried within seconds "
                                     "and not counted as attempts (up to a bound).")
    slice_count = fields.Integer(default=0, readonly=True, copy=False, string="Slices",
                                 help="Times the job paused to give its worker back (long work, waiting).")
    continuation = fields.Text(readonly=True, copy=False,
                               help="Where the next slice resumes (JSON: page, cursor, report task...).")
    next_attempt_at = fields.Datetime(default=fields.Datetime.now, index=True, copy=False, string="Next Attempt")
    last_error = fields.Text(readonly=True, copy=False, string="Error")
    error_traceback = fields.Text(readonly=True, copy=False, string="Traceback")
    failure_notified = fields.Boolean(readonly=True, copy=False)
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False,
                                      help="The manager who let a run held for confirmation go through.")
    confirmed_at = fields.Datetime(readonly=True, copy=False)

    # Progress
    progress_total = fields.Integer(default=0, readonly=True, copy=False, string="Total")
    progress_fetched = fields.Integer(default=0, readonly=True, copy=False, string="Fetched")
    progress_stored = fields.Integer(default=0, readonly=True, copy=False, string="Stored")
    progress_failed = fields.Integer(default=0, readonly=True, copy=False, string="Failed Units")
    progress_percent = fields.Float(compute="_compute_progress_percent", string="Progress")
    call_count = fields.Integer(default=0, readonly=True, copy=False, string="API Calls")
    log_ids = fields.One2many("marketplace.job.log", "job_id", readonly=True)
    started_at = fields.Datetime(readonly=True, copy=False)
    ended_at = fields.Datetime(readonly=True, copy=False)
    duration = fields.Float(compute="_compute_duration", store=True, string="Duration (s)")

    def _cancel_for_uninstall(self):
        """Cancel the unfinished of these jobs: their connector is being uninstalled, nothing can run them."""
        unfinished = self.filtered(lambda job: job.state in ("pending", "processing", "to_confirm"))
        unfinished.write({"state": "cancelled", "last_error": _("Cancelled: the connector was uninstalled.")})

    def _keep_on_type_uninstall(self):
        """``ondelete`` of a connector's job types: keep the jobs (history, dead letters to handle) with their
        type, which a reinstall makes known again; the unfinished ones are cancelled."""
        self._cancel_for_uninstall()

    @api.depends("job_type")
    def _compute_name(self):
        labels = dict(self._fields["job_type"]._description_selection(self.env))
        for job in self:
            job.name = "#%s %s" % (job.id or "", labels.get(job.job_type, job.job_type or ""))

    @api.depends("account_id.company_id", "shop_id.company_id")
    def _compute_company_id(self):
        for job in self:
            job.company_id = job.shop_id.company_id or job.account_id.company_id

    @api.depends("job_type", "account_id.platform", "shop_id.platform")
    def _compute_channel_id(self):
        channels = self.env["marketplace.job.channel"].sudo().with_context(active_test=False)
        for job in self:
            handler = job._handler()
            code = handler.channel if handler else "urgent"
            job.channel_id = channels.search([("code", "=", code)], limit=1) or channels.search([], limit=1)

    @api.depends("state", "progress_total", "progress_stored", "progress_failed")
    def _compute_progress_percent(self):
        for job in self:
            done = job.progress_stored + job.progress_failed
            if job.state == "done":
                job.progress_percent = 100.0
            else:
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

    # -- who runs a job ------------------------------------------------------
    @api.model
    def _default_job_user(self, shop=None):
        """The shop's Job User (default: the Marketplace Bot), who runs what no person's button queued."""
        return (shop and shop.sudo().job_user_id) or self.env.ref(BOT_XMLID, raise_if_not_found=False)

    @api.model
    def _job_user(self, shop=None, person=None):
        """Who a job runs as: ``person``, the one whose own button queued it, when an internal user; else the
        shop's Job User.

        The job later runs with exactly this user's rights, in the job's company. What a person's work in Odoo
        sets off (a clerk's receipt or delivery, a salesperson's price change) is no button of theirs: it runs as
        the Job User, which has the rights the marketplace side needs, whoever did the work."""
        if person and len(person) == 1 and person._is_internal() and not person._is_superuser():
            return person
        return self._default_job_user(shop)

    # -- who may steer a job -------------------------------------------------
    @api.model
    def _engine_or_manager(self):
        """Whether this environment may set what the engine owns (``ENGINE_FIELDS``, a binding's online values).

        The engine writes in superuser mode: its bookkeeping (``job_run.bookkeeping_env``), ``_enqueue`` and the
        buttons below after their own checks, and job handlers for their breaker inputs (``sudo()``). No request
        reaches superuser mode, whereas a context key would come with any RPC call. People: Marketplace Managers
        only, who confirm held runs anyway."""
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def _check_user_create(self, vals_list):
        """A job a person creates by hand is a new job of theirs: the engine's fields keep their defaults (with
        ``default_*`` context keys ignored), so it runs as its creator, pending, unconfirmed."""
        neutral = self.with_context(clean_context(self.env.context)).default_get(list(ENGINE_FIELDS))
        for vals in vals_list:
            full = self._add_missing_default_values(vals)
            changed = [name for name in ENGINE_FIELDS & set(full)
                       if self._cache_value(name, full[name]) != self._cache_value(name, neutral.get(name))]
            if changed:
                self._refuse_engine_fields(changed)

    def _check_user_write(self, vals):
        """A person changes neither the engine's fields nor the work of a job that is running, held for a
        manager or confirmed by one."""
        changed = ENGINE_FIELDS & set(vals)
        if changed:
            self._refuse_engine_fields(changed)
        steered = self.filtered(lambda job: job.state in ("processing", "to_confirm") or job.confirmed_by_id)
        if steered and WORK_FIELDS & set(vals):
            raise AccessError(_("Job %s is running, awaiting confirmation or confirmed: only a Marketplace Manager "
                                "can change its work.", steered[0].name))

    def _cache_value(self, name, value):
        return self._fields[name].convert_to_cache(value or False, self.browse(), validate=False)

    def _refuse_engine_fields(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        raise AccessError(_("Only a Marketplace Manager can set %s on a job: the job engine sets these.",
                            ", ".join(labels)))

    def _job_env(self, env):
        """``env`` as the job's user in the job's company; the default bot follows its shops' companies."""
        user = self.user_id
        if not user:
            return env
        company = self.company_id
        if company and company not in user.sudo().company_ids:
            if user == self.env.ref(BOT_XMLID, raise_if_not_found=False):
                user.sudo().company_ids = [fields.Command.link(company.id)]
            else:
                raise UserError(_("User %(user)s may not work in company %(company)s: add the company to the "
                                  "user or choose another job user on the shop.", user=user.name, company=company.name))
        context = dict(env.context, allowed_company_ids=[company.id]) if company else env.context
        return env(user=user.id, su=False, context=context)

    # -- handlers ------------------------------------------------------------
    def _handler(self):
        """The JobHandler of this job: its platform's (``marketplace.platform``), else the platform-neutral one."""
        self.ensure_one()
        platform = self.shop_id.platform or self.account_id.platform
        return self.env["marketplace.platform"]._get(platform)._job_handler(self.job_type)

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
        if not self._engine_or_manager():
            self._check_user_create(vals_list)
        for vals in vals_list:
            if not vals.get("identity_key"):
                vals["identity_key"] = self._identity_of(vals)
            # _enqueue looked already (and the unique index decides a race): only a job made by hand is checked
            equal = not self.env.context.get("marketplace_enqueue") and self._pending_equal(vals["identity_key"])
            if equal:
                raise UserError(_("An identical job is already pending: %s.", equal.name))
        # a job is no conversation: no creation message, no follower row per job
        quiet = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True)
        return super(MarketplaceJob, quiet).create(vals_list)

    def write(self, vals):
        if not self._engine_or_manager():
            self._check_user_write(vals)
        return super().write(vals)

    def _pending_equal(self, key):
        return self.search([("identity_key", "=", key), ("state", "=", "pending")], limit=1) if key else self.browse()

    @api.model
    def _check_person_may_start(self, job_type, person):
        """A person's button runs its job with his rights: work that writes what only Marketplace Managers may
        (``MANAGER_JOB_TYPES``: the category tree, the money) is refused at the press, not as a failed job."""
        if job_type in MANAGER_JOB_TYPES and not person._is_superuser() and not person.has_group(MANAGER_GROUP):
            label = dict(self._fields["job_type"]._description_selection(self.env)).get(job_type, job_type)
            raise AccessError(_("Only a Marketplace Manager can start %(job)s: it writes what Marketplace Users "
                                "may not change. Ask a manager, or let the scheduled job do it.", job=label))

    @api.model
    def _enqueue(self, job_type, account=None, shop=None, payload=None, priority=10, identity=None, delay_seconds=0,
                 user=None):
        """Add a job unless an equal one is pending; return the job that will do the work.

        ``delay_seconds``: the new job is due that much later, so that the events of the next moments join it
        (an equal pending job takes them) instead of each making a job of its own.

        ``user``: the person whose own button queued the job (Publish, Backfill...), who it then runs as; without
        it (stock moves, deliveries, price changes, crons, webhooks) it runs as the shop's Job User. The engine
        creates the job (superuser mode, ``default_*`` context keys dropped): the caller chooses none of the
        engine's fields.

        The unique partial index on pending identity keys is the real guard: two
        transactions enqueuing at once cannot both insert. The loser's insert is
        rolled back to a savepoint and an empty recordset says "already queued".
        """
        if user:
            self._check_person_may_start(job_type, user)
        account = account or (shop.account_id if shop else None)
        vals = {
            "job_type": job_type,
            "account_id": account.id if account else False,
            "shop_id": shop.id if shop else False,
            "payload": canonical_json(payload) if payload else False,
            "priority": priority,
            "user_id": self._job_user(shop, user).id,
        }
        if delay_seconds:
            vals["next_attempt_at"] = fields.Datetime.now() + timedelta(seconds=delay_seconds)
        vals["identity_key"] = identity or self._identity_of(vals)
        equal = self._pending_equal(vals["identity_key"])
        if equal:
            return equal
        engine = self.sudo().with_context(clean_context(self.env.context), marketplace_enqueue=True)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                job = engine.create(vals)
        except psycopg2.errors.UniqueViolation:
            _logger.info("Job %s already enqueued by a concurrent transaction", vals["identity_key"])
            return self.browse()
        job._trigger_runner()
        return job.with_env(self.env)

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS marketplace_job_pending_identity_uniq
                ON marketplace_job (identity_key)
             WHERE state = 'pending' AND identity_key IS NOT NULL
        """)

    def _trigger_runner(self):
        """Wake the lanes of these jobs (all lanes for an empty set) instead of waiting for their minute."""
        # the lanes are a handful of configuration rows
        # pylint: disable-next=no-search-all
        channels = self.channel_id or self.env["marketplace.job.channel"].sudo().search([])
        channels._wake()

    # -- runners -------------------------------------------------------------
    @contextmanager
    def _work_env(self):
        """The job's own transaction for its handler, committed on exit (a shared one under tests)."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, context=dict(self.env.context, marketplace_enqueue=True))
            yield env

    @api.model
    def _cron_run_jobs(self):
        """Supervisor, every minute: take over dead workers' jobs and wake lanes that have due work."""
        self._recover_dead_jobs()
        lanes = self.env["marketplace.job.channel"].sudo().search([])  # pylint: disable=no-search-all
        lanes._sync_lane_crons()
        lanes._wake_when_due()

    @api.model
    def _cron_run_lane(self, channel_id):
        """One runner of a lane: claim and run the lane's due jobs until its time is up, waiting out a short gap
        to the next one (``slices.idle_pause``) rather than leaving it to Odoo's next cron poll."""
        channel = self.env["marketplace.job.channel"].sudo().browse(channel_id).exists()
        if not channel:
            return
        deadline = self._runner_deadline()
        recover = True
        while True:
            self._run_pending(limit=None, channel=channel, deadline=deadline, recover=recover)
            pause = slices.idle_pause(channel._seconds_until_due(), deadline - time.time())
            if pause is None:
                break
            time.sleep(pause)
            recover = False  # once a run is enough: the looks of a short wait only claim
        channel._wake_when_due()

    @api.model
    def _runner_deadline(self):
        """When this runner stops starting jobs, from Odoo's own cron limit and the runner budget."""
        limit = slices.cron_limit_seconds(config.get("limit_time_real_cron"), config.get("limit_time_real"))
        budget = float(self._param("runner_seconds", slices.DEFAULT_RUNNER_SECONDS))
        started = getattr(threading.current_thread(), "start_time", None)
        return slices.runner_deadline(time.time(), budget, limit, started, _cpu_time_left())

    @api.model
    def _run_pending(self, limit=50, job_ids=None, channel=None, deadline=None, recover=True):
        """Recover dead workers' jobs (unless ``recover`` is false), then claim and run due jobs one by one, each
        in its own transaction.

        ``deadline`` (epoch seconds) stops claiming and is each job's slice end; ``channel`` keeps to one lane."""
        if recover:
            self._recover_dead_jobs()
        ran = []
        by_age = True
        while limit is None or len(ran) < limit:
            if deadline and not slices.has_time_for_a_job(time.time(), deadline):
                break
            job_id, passed = self._claim_turn(job_ids, channel, by_age)
            if not job_id:
                break
            self.browse(job_id)._execute(deadline, lane=channel)
            ran.append(job_id)
            # an older job that passed a more urgent one by aging is followed by the most urgent one: aging
            # keeps old work from starving, and urgent work (a stock push) waits one such turn at most
            by_age = not passed
        self.env.invalidate_all()
        return self.browse(ran)

    @api.model
    def _claim_turn(self, job_ids=None, channel=None, by_age=True):
        """Take the most urgent due job (``by_age``: waiting counts, see ``_claim_sql``; else the priority
        alone): (its id or None, whether it passed a job of a more urgent class by aging).

        ``FOR UPDATE SKIP LOCKED`` lets concurrent runners take different jobs and never the same one.
        Under READ COMMITTED the statement finds nothing when the row it picked was claimed by
        another runner meanwhile, so it tries again while due jobs remain.
        """
        now = fields.Datetime.now()
        waiting = self._waiting_sql(now, job_ids, channel)
        for _attempt in range(CLAIM_ATTEMPTS):
            with bookkeeping_env(self.env) as env:
                env.cr.execute(self._claim_sql(now, waiting, by_age))
                row = env.cr.fetchone()
                if row:
                    return row[0], row[1]
                env.cr.execute(SQL("SELECT EXISTS(SELECT 1 FROM marketplace_job WHERE %s)", waiting))
                if not env.cr.fetchone()[0]:
                    return None, False
        return None, False

    def _most_urgent_waiting(self):
        """The priority of the most urgent due job waiting in this job's lane, other than itself (None: none)."""
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("SELECT MIN(priority) FROM marketplace_job WHERE %s AND id != %s",
                               self._waiting_sql(fields.Datetime.now(), channel=self.sudo().channel_id), self.id))
            return env.cr.fetchone()[0]

    @api.model
    def _waiting_sql(self, now, job_ids=None, channel=None):
        """Pending jobs that may be claimed: due (or queued first by Run Now), in the lane when one is given."""
        due = SQL("id = ANY(%s)", list(job_ids)) if job_ids else SQL("(next_attempt_at <= %s OR run_now)", now)
        lane = SQL("channel_id = %s", channel.id) if channel else SQL("TRUE")
        return SQL("state = 'pending' AND %s AND %s", due, lane)

    @api.model
    def _claim_sql(self, now, waiting, by_age=True):
        """Mark the most urgent waiting job processing (one attempt more); return its id and whether a waiting
        job of a more urgent class was passed. ``by_age``: a waiting job gains one priority step per
        ``AGING_SECONDS`` waited, so old work is never starved; else the priority alone decides."""
        urgency = SQL("priority - LEAST(FLOOR(EXTRACT(EPOCH FROM %s - next_attempt_at) / %s), %s)",
                      now, AGING_SECONDS, MAX_AGING_STEPS) if by_age else SQL("priority")
        return SQL("""
            UPDATE marketplace_job
               SET state = 'processing', attempts = COALESCE(attempts, 0) + 1, started_at = %(now)s,
                   ended_at = NULL, run_now = FALSE, write_date = %(now)s
             WHERE id = (SELECT id FROM marketplace_job WHERE %(waiting)s
                          ORDER BY run_now IS TRUE DESC, %(urgency)s, next_attempt_at, id
                          LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, EXISTS(SELECT 1 FROM marketplace_job other
                               WHERE %(waiting)s AND other.priority < marketplace_job.priority)""",
                   now=now, waiting=waiting, urgency=urgency)

    def _execute(self, deadline=None, lane=None):
        """Run the handler in its own transaction, holding the job's liveness lock until the outcome is saved.

        ``lane``: run by that lane's runner, the job yields to a more urgent job of the lane (``JobRun``)."""
        self.ensure_one()
        with self._work_env() as env, liveness_lock(env.cr, self.id):
            outcome = self.with_env(env)._run_handler(deadline, lane)
            with bookkeeping_env(self.env) as book:
                self.with_env(book)._record_outcome(*outcome)

    def _run_handler(self, deadline, lane=None):
        """The handler's run as the job's user: (outcome, exception) to record."""
        env = self.env
        try:
            job = self.with_env(self._job_env(env))
            handler = job._handler()
            if handler is None:
                raise UserError(_("No handler for job type %(type)s on platform %(platform)s: is its connector "
                                  "installed?", type=job.job_type, platform=job.platform or "-"))
            run = JobRun(job, job._payload(), deadline=deadline,
                         most_urgent_waiting=self._most_urgent_waiting if lane else None)
            handler.service(job, run).run_job()
            # commit here, not on leaving the block: the last writes are flushed at commit and
            # may lose a race with another transaction, which must become a retry, not a crash
            run.checkpoint()
        except JobPaused as exc:  # the slice's work was committed by JobRun.pause
            return "paused", exc
        except BudgetExhausted as exc:
            env.cr.rollback()
            return "waiting", exc
        except JobCancelled:
            env.cr.rollback()
            return "cancelled", None
        except JobNeedsConfirmation as exc:
            env.cr.rollback()
            return "to_confirm", exc
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
            env.cr.rollback()
            _logger.info("Job %s failed: %s", self.id, redact(str(exc)))
            return "error", exc
        return "done", None

    def _record_outcome(self, outcome, exc):
        now = fields.Datetime.now()
        self.invalidate_recordset()
        if outcome == "cancelled" or (self.state == "cancelled" and outcome != "done"):
            self.write({"state": "cancelled", "ended_at": now, "continuation": False})
            self._log(_("Stopped on request."), "warning")
        elif outcome == "to_confirm":
            self.write({"state": "to_confirm", "ended_at": now, "last_error": redact(str(exc))})
            self._log(_("Awaiting a manager's confirmation: %s", exc), "warning")
            _logger.warning("Job %s awaits a manager's confirmation: %s", self.id, redact(str(exc)))
        elif outcome == "done":
            self.write({"state": "done", "ended_at": now, "last_error": False, "error_traceback": False,
                        "continuation": False, "lost_races": 0})
        elif outcome in ("paused", "waiting"):
            self._resume_later(exc, now)
        elif isinstance(exc, LOST_RACE_ERRORS) and backoff.lost_race_is_free(self.lost_races + 1):
            self._retry_lost_race(exc, now)
        elif self._is_retryable(exc) and self.attempts < self.max_attempts:
            delay = backoff.retry_delay_seconds(self.attempts, self._retry_schedule(), retry_after_of(exc))
            self._log(_("Attempt %(n)s failed, retrying in %(minutes)s min: %(error)s",
                        n=self.attempts, minutes=round(delay / 60, 1), error=exc), "warning")
            self._reschedule(now + timedelta(seconds=delay), exc, now=now)
        else:
            self._fail(str(exc), "".join(traceback.format_exception(exc)), now,
                       log=_("Failed after %(n)s attempt(s): %(error)s", n=self.attempts, error=exc))

    def _retry_lost_race(self, exc, now):
        """A race lost with another transaction is over once that one commits: run again within seconds,
        the run not counted as an attempt (a job keeps its continuation: what it had done is kept)."""
        races = self.lost_races + 1
        delay = backoff.retry_delay_seconds(races, lost_race=True)
        self.write({"attempts": max(0, self.attempts - 1), "lost_races": races})
        self._log(_("Collided with another transaction (%(n)s time(s) in a row), retrying in %(seconds)s s: "
                    "%(error)s", n=races, seconds=delay, error=exc), "warning")
        self._reschedule(now + timedelta(seconds=delay), exc, now=now, keep_running_job=bool(self.continuation))

    def _resume_later(self, exc, now):
        """End of a slice or a wait for a rate budget: not a failed attempt, the continuation is kept."""
        seconds = exc.after_seconds if isinstance(exc, JobPaused) else exc.retry_after
        if isinstance(exc, BudgetExhausted):
            self._log(_("Waiting for the API budget: %s.", exc))
        elif exc.yielded:
            self._log(_("Gave the lane to a more urgent job; resumes after it."))
        self.write({"attempts": max(0, self.attempts - 1), "slice_count": self.slice_count + 1, "lost_races": 0})
        self._reschedule(now + timedelta(seconds=seconds), now=now, keep_running_job=True)

    def _fail(self, error, details, now, log=None):
        """Dead letter: kept until someone handles it, and the people in charge hear of it once.

        The error and its traceback are redacted: every Marketplace User reads them, and the to-do quotes them."""
        self.write({"state": "failed", "ended_at": now, "last_error": redact(error),
                    "error_traceback": redact(details)})
        self._log(log or error, "error")
        self._notify_failure()

    @staticmethod
    def _is_retryable(exc):
        """Transient: network, 429/5xx, flagged retryable, or a lost race with another transaction."""
        return is_retryable(exc) or isinstance(exc, psycopg2.errors.TransactionRollbackError)

    def _reschedule(self, when, exc=None, now=None, keep_running_job=False):
        """Back to pending at ``when``; superseded instead when an equal job is already pending.

        A job that paused mid-work (``keep_running_job``) keeps its place and its continuation: the
        equal job queued meanwhile, which has not started, is the one cancelled."""
        now = now or fields.Datetime.now()
        values = {"state": "pending", "next_attempt_at": when, "ended_at": now}
        if exc is not None:
            values.update(last_error=redact(str(exc)),
                          error_traceback=redact("".join(traceback.format_exception(exc))))
        # twice: an equal job committed between the look and the write (a cron queued it meanwhile) is found
        # by the unique index, and a running job still keeps its place over it
        for _attempt in range(2):
            equal = self._pending_equal(self.identity_key) - self
            if equal and keep_running_job:
                equal.write({"state": "cancelled", "ended_at": now})
                equal._log(_("Merged into the equal job %s, which was already running.", self.name))
                equal = equal.browse()
            if equal:
                break
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    self.write(values)
                return
            except psycopg2.errors.UniqueViolation:
                continue
        self.write({"state": "cancelled", "ended_at": now})
        self._log(_("Superseded by the equal pending job %s.", equal.name or "?"))

    @api.model
    def _recover_dead_jobs(self):
        """Jobs whose worker died (its liveness lock is free) go back to the queue, or fail past the cap.

        A live job holds its lock however slow it is, so it is never run twice; a dead worker's
        connection is gone with its lock, so its job is taken over at the next runner or supervisor
        run (every minute)."""
        max_crashes = int(self._param("job_max_crashes", DEFAULT_MAX_CRASHES))
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("""
                SELECT id FROM marketplace_job
                 WHERE state = 'processing' AND (started_at IS NULL OR started_at < %s)
                   FOR UPDATE SKIP LOCKED""", fields.Datetime.now() - timedelta(seconds=RECOVERY_GRACE_SECONDS)))
            ids = [row[0] for row in env.cr.fetchall()]
            dead = env["marketplace.job"].browse([job_id for job_id in ids if not worker_is_alive(env.cr, job_id)])
            for job in dead:
                job._recover_one(max_crashes)
        return dead.ids

    def _recover_one(self, max_crashes):
        now = fields.Datetime.now()
        crashes = self.crash_count + 1
        self.write({"crash_count": crashes})
        if crashes >= max_crashes:
            self._fail(_("Stopped: the worker running this job died %(n)s times without finishing it (killed, "
                         "restarted, or over Odoo's time limit). Requeue it once the cause is fixed.", n=crashes),
                       False, now)
            return
        self._log(_("Recovered: the worker running attempt %s stopped without finishing; the job resumes "
                    "from its last checkpoint.", self.attempts), "warning")
        self._reschedule(now, now=now, keep_running_job=True)

    def _notify_failure(self):
        """One to-do for the shop's responsible (or the marketplace managers of the job's company)."""
        if self.failure_notified:
            return
        users = self.shop_id.user_id or self._managers()
        summary = _("Marketplace job failed: %s", self.name)
        for user in users:
            self.activity_schedule("mail.mail_activity_data_todo", summary=summary, note=self.last_error,
                                   user_id=user.id)
        self.failure_notified = True

    def _managers(self):
        group = self.env.ref("marketplace_base.group_marketplace_manager")
        users = group.users.filtered(lambda user: user._is_internal() and not user._is_superuser()
                                     and user.active and user != self.env.ref(BOT_XMLID))
        if self.company_id:
            users = users.filtered(lambda user: self.company_id in user.company_ids)
        return users

    @api.model
    def _cron_autovacuum(self):
        """Delete completed and cancelled jobs (and their log lines) after N days; failed ones stay."""
        days = int(self._param("job_keep_days", DEFAULT_KEEP_DAYS))
        old = self.sudo().search([("state", "in", ("done", "cancelled")),
                                  ("ended_at", "<", fields.Datetime.now() - timedelta(days=days))])
        old.unlink()
        self.env["marketplace.api.usage"].sudo()._vacuum()
        return len(old)

    def _log(self, message, level="info"):
        self.env["marketplace.job.log"].create({"job_id": self.id, "level": level, "message": message})

    # -- buttons -------------------------------------------------------------
    def action_run_now(self):
        """Queue these jobs first and wake their lanes (from a list with no selection: wake every lane).

        Nothing runs inside this HTTP request: a lane runner takes the jobs within seconds."""
        due = self.filtered(lambda job: job.state == "pending")
        if self and not due:
            raise UserError(_("Only pending jobs can run; use Requeue on failed or cancelled ones."))
        due.sudo().write({"run_now": True, "next_attempt_at": fields.Datetime.now()})
        due._trigger_runner()
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "info", "message": _("Queued first; a runner starts it within seconds."),
            "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    def action_stop(self):
        """Stop: pending jobs are cancelled now, a running one at its next unit of work."""
        active = self.filtered(lambda job: job.state in ("pending", "processing", "to_confirm"))
        active.sudo().write({"state": "cancelled", "ended_at": fields.Datetime.now()})
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
        self._trigger_runner()
        return True

    def action_requeue(self):
        """Dead letters and cancelled jobs get a fresh set of attempts, and no confirmation: a manager confirmed
        what an earlier run would have sent, and a new run is judged by the circuit breaker again."""
        for job in self.filtered(lambda j: j.state in ("failed", "cancelled", "done")):
            equal = job._pending_equal(job.identity_key)
            if equal:
                raise UserError(_("An identical job is already pending: %s.", equal.name))
            job.sudo().write({"state": "pending", "attempts": 0, "crash_count": 0, "lost_races": 0,
                              "next_attempt_at": fields.Datetime.now(),
                              "last_error": False, "error_traceback": False, "continuation": False,
                              "failure_notified": False, "confirmed_by_id": False, "confirmed_at": False})
            job._log(_("Requeued by %s.", self.env.user.name))
        self._trigger_runner()
        return True
