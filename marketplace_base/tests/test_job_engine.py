"""The engine's lanes, slices, liveness, budgets, users and housekeeping, with the real queue tables."""
import time
from contextlib import closing
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import connection_info_for

from ..job_run import LIVENESS_LOCK_SPACE
from ..marketplace_core import slices
from ..marketplace_core.errors import BudgetExhausted
from ..marketplace_core.handlers import BULK
from ..shared_budget import SharedRateBudget
from .common import MarketplaceCase, patch_handler


class TestJobEngine(MarketplaceCase):

    def setUp(self):
        super().setUp()
        self.Job = self.env["marketplace.job"]
        self.calls = []
        self.urgent = self.env.ref("marketplace_base.job_channel_urgent")
        self.bulk = self.env.ref("marketplace_base.job_channel_bulk")

    def enqueue(self, n, **kwargs):
        return self.Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": n}, **kwargs)

    # -- lanes -------------------------------------------------------------------
    def test_lane_capacity_is_its_number_of_active_runner_crons(self):
        self.assertEqual(len(self.urgent.cron_ids.filtered("active")), 1)
        self.bulk.capacity = 3
        runners = self.bulk.cron_ids.filtered("active")
        self.assertEqual(len(runners), 3)
        self.assertEqual(set(runners.mapped("code")), {"model._cron_run_lane(%d)" % self.bulk.id})
        self.bulk.capacity = 0
        self.assertFalse(self.bulk.cron_ids.filtered("active"), "capacity 0 pauses the lane")
        self.assertEqual(len(self.bulk.with_context(active_test=False).cron_ids), 3, "runners are kept, not deleted")

    def test_a_lane_runner_takes_only_its_own_jobs(self):
        # job types of this addon only (Odoo's runner tests it before any connector is installed): one in the
        # urgent lane, one in the bulk lane
        patch_handler(self, lambda job, run: self.calls.append(("urgent", run.payload["n"])))
        patch_handler(self, lambda job, run: self.calls.append(("bulk", run.payload["n"])), channel=BULK,
                      job_type="publish_listings")
        urgent_job = self.Job._enqueue("create_sale_orders", payload={"n": 1})
        bulk_job = self.Job._enqueue("publish_listings", shop=self.shop, payload={"n": 2})
        self.assertEqual((urgent_job.channel_id, bulk_job.channel_id), (self.urgent, self.bulk))
        self.env.flush_all()
        self.Job._cron_run_lane(self.bulk.id)
        self.env.invalidate_all()
        self.assertEqual(self.calls, [("bulk", 2)])
        self.assertEqual(urgent_job.state, "pending")

    def test_a_lane_runner_waits_out_a_short_gap_and_leaves_a_long_one_to_a_trigger(self):
        """Odoo starts a cron for a future trigger only at its workers' next poll (up to a minute): a job due in
        two seconds is run by the runner that has the lane, one due in an hour is left to its trigger."""
        patch_handler(self, lambda job, run: self.calls.append(run.payload["n"]), channel=BULK)
        soon, later = self.enqueue(1), self.enqueue(2)
        soon.next_attempt_at = fields.Datetime.now() + timedelta(seconds=2)
        later.next_attempt_at = fields.Datetime.now() + timedelta(hours=1)
        self.env["ir.cron.trigger"].search([("cron_id", "in", self.bulk.cron_ids.ids)]).unlink()
        self.env.flush_all()
        self.Job._cron_run_lane(self.bulk.id)
        self.env.invalidate_all()
        self.assertEqual(self.calls, [1])
        self.assertEqual((soon.state, later.state), ("done", "pending"))
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "in", self.bulk.cron_ids.ids)])
        self.assertEqual(triggers.mapped("call_at"), [later.next_attempt_at], "the lane is woken when it is due")

    def test_handlers_are_found_per_platform_then_platform_neutral(self):
        self.assertEqual(self.enqueue(1)._handler().service.__name__, "SaleOrderCreator",
                         "a platform without its own handler uses the platform-neutral one")
        Platform = self.env["marketplace.platform"]
        self.assertEqual(Platform._get("no_such_connector"), Platform,
                         "a platform whose connector is not installed here is answered by the platform-neutral model")
        self.assertIsNone(Platform._job_handler("pull_orders"), "a platform's own job type has no neutral handler")
        with self.assertRaisesRegex(NotImplementedError, "marketplace.platform does not implement _push_adapters.*"
                                                         "adding-a-platform"):
            Platform._push_adapter("push_stock")

    # -- slices and continuations ------------------------------------------------
    def test_a_paused_job_resumes_from_its_continuation_and_pausing_is_not_an_attempt(self):
        def pages(job, run):
            page = run.continuation.get("page", 0) + 1
            self.calls.append(page)
            run.progress(fetched=1, stored=1)
            if page < 3:
                run.pause(0, {"page": page})
        patch_handler(self, pages)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(self.calls, [1, 2, 3])
        self.assertEqual((job.state, job.attempts, job.slice_count), ("done", 1, 2))
        self.assertEqual(job.progress_stored, 3)
        self.assertFalse(job.continuation, "a finished job keeps no continuation")

    def test_a_slice_ends_when_the_runner_deadline_has_passed(self):
        def loop(job, run):
            while not run.time_is_up():
                time.sleep(0.05)
            self.calls.append(run.continuation.get("slice", 0))
            if not run.continuation:
                run.pause(0, {"slice": 1})
        patch_handler(self, loop)
        job = self.enqueue(1)
        self.env.flush_all()
        self.Job.browse(self.Job._claim_turn(job.ids)[0])._execute(deadline=time.time() + 0.2)
        self.env.invalidate_all()
        self.assertEqual((job.state, job.slice_count, job.continuation), ("pending", 1, '{"slice":1}'))

    def test_a_paused_job_waits_for_its_poll_interval(self):
        patch_handler(self, lambda job, run: run.pause(120, {"task": "T1"}))
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(job.state, "pending")
        self.assertGreaterEqual(job.next_attempt_at, fields.Datetime.now() + timedelta(seconds=100))
        self.assertFalse(self.run_jobs(), "not run again before its time")

    # -- liveness -----------------------------------------------------------------
    def test_a_live_slow_job_is_never_taken_over(self):
        patch_handler(self, lambda job, run: self.calls.append(1))
        job = self.enqueue(1)
        job.write({"state": "processing", "attempts": 1, "started_at": fields.Datetime.now() - timedelta(hours=2)})
        self.env.flush_all()
        _name, info = connection_info_for(self.env.cr.dbname)
        with closing(psycopg2.connect(**info)) as worker:  # another worker's own connection
            worker.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [LIVENESS_LOCK_SPACE, job.id])
            self.run_jobs()
            self.assertEqual((job.state, job.crash_count), ("processing", 0))
        self.wait_for_lock_release(job)  # a closed connection's backend ends a moment later
        self.run_jobs()  # that worker's connection is gone: its job is taken over
        self.assertEqual((job.state, job.crash_count, self.calls), ("done", 1, [1]))

    def wait_for_lock_release(self, job, seconds=30):
        deadline = time.time() + seconds
        while True:
            self.env.cr.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                                "AND objid = %s AND granted", [LIVENESS_LOCK_SPACE, job.id])
            if not self.env.cr.fetchone()[0]:
                return
            self.assertLess(time.time(), deadline, "the closed connection still holds the job's lock")
            time.sleep(0.1)

    def test_a_job_that_kills_its_worker_every_time_ends_failed(self):
        job = self.enqueue(1)
        self.env["ir.config_parameter"].set_param("marketplace_base.job_max_crashes", "2")
        for crashes in (1, 2):
            job.write({"state": "processing", "started_at": fields.Datetime.now() - timedelta(minutes=5)})
            self.env.flush_all()
            self.Job._recover_dead_jobs()
            self.env.invalidate_all()
            self.assertEqual(job.crash_count, crashes)
        self.assertEqual(job.state, "failed")
        self.assertIn("died 2 times", job.last_error)

    # -- rate budgets ---------------------------------------------------------------
    def test_shared_budget_counts_every_client_and_reschedules_past_the_limit(self):
        first = SharedRateBudget(self.env, "test:%s:pull" % self.shop.id, 3, 600, max_inline_wait=0)
        second = SharedRateBudget(self.env, "test:%s:pull" % self.shop.id, 3, 600, max_inline_wait=0)
        first.acquire()
        second.acquire()
        first.acquire()
        with self.assertRaises(BudgetExhausted) as caught:
            second.acquire()
        self.assertLessEqual(caught.exception.retry_after, 600)

    def test_a_job_over_budget_waits_instead_of_failing(self):
        def over(job, run):
            raise BudgetExhausted("market:1:pull", 300)
        patch_handler(self, over)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.attempts, job.last_error), ("pending", 0, False))
        self.assertGreaterEqual(job.next_attempt_at, fields.Datetime.now() + timedelta(seconds=250))
        self.assertTrue(any("Waiting for the API budget" in line.message for line in job.log_ids))

    # -- who runs a job -------------------------------------------------------------
    def test_scheduler_jobs_run_as_the_shops_job_user_with_its_rights(self):
        seen = []
        patch_handler(self, lambda job, run: seen.append((job.env.user, job.env.su, job.env.company)))
        job = self.enqueue(1)
        bot = self.env.ref("marketplace_base.user_marketplace_bot")
        self.assertEqual(job.user_id, bot, "a job made by a scheduler runs as the shop's job user")
        self.run_jobs()
        self.assertEqual(seen, [(bot, False, self.shop.company_id)])

    def test_a_marketplace_users_job_runs_as_that_user_and_run_now_works_within_their_rights(self):
        user = self.env["res.users"].create({
            "name": "Market User", "login": "market_user_engine",
            "groups_id": [fields.Command.set([self.env.ref("marketplace_base.group_marketplace_user").id])]})
        seen = []
        patch_handler(self, lambda job, run: seen.append(job.env.user))
        job = self.Job.with_user(user)._enqueue("create_sale_orders", shop=self.shop, payload={"n": 1}, user=user)
        self.assertEqual(job.user_id, user, "a job queued by a person's own button runs as that person")
        job.with_user(user).action_run_now()
        self.run_jobs()
        self.assertEqual((job.state, seen), ("done", [user]))

    def test_a_job_user_outside_the_jobs_company_fails_clearly(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        user = self.env["res.users"].create({
            "name": "Other", "login": "other_engine", "company_id": other.id,
            "company_ids": [fields.Command.set(other.ids)],
            "groups_id": [fields.Command.set([self.env.ref("marketplace_base.group_marketplace_manager").id])]})
        patch_handler(self, lambda job, run: None)
        job = self.enqueue(1)
        job.user_id = user
        self.run_jobs()
        self.assertEqual(job.state, "failed")
        self.assertIn("may not work in company", job.last_error)

    # -- housekeeping -----------------------------------------------------------------
    def test_old_done_jobs_are_deleted_and_failed_ones_kept(self):
        old = fields.Datetime.now() - timedelta(days=31)
        done, cancelled, failed, recent = (self.enqueue(n) for n in range(4))
        done.write({"state": "done", "ended_at": old})
        cancelled.write({"state": "cancelled", "ended_at": old})
        failed.write({"state": "failed", "ended_at": old})
        recent.write({"state": "done", "ended_at": fields.Datetime.now()})
        self.Job._cron_autovacuum()
        self.assertEqual((done | cancelled | failed | recent).exists(), failed | recent)

    def test_a_failed_job_tells_the_shops_responsible_once(self):
        responsible = self.env["res.users"].create({"name": "Resp", "login": "resp_engine"})
        self.shop.user_id = responsible

        def broken(job, run):
            raise UserError("the payload names no product")  # pylint: disable=translation-required
        patch_handler(self, broken)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.activity_ids.user_id, responsible)
        job._notify_failure()
        self.assertEqual(len(job.activity_ids), 1, "told once")

    def test_a_done_job_reads_100_percent_and_its_first_run_is_attempt_1(self):
        def partial_counts(job, run):
            run.progress(total=10, fetched=10, stored=8)  # two units unchanged, counted nowhere
        patch_handler(self, partial_counts)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.progress_percent, job.attempts), ("done", 100.0, 1))
        self.assertEqual(job._fields["attempts"].string, "Attempts")

    def test_a_running_job_yields_its_lane_to_a_more_urgent_job_at_its_next_unit(self):
        self.patch(slices, "YIELD_AFTER_SECONDS", 0)  # instead of working 10 s

        def units(job, run):
            if run.payload["n"] == "push":
                self.calls.append("push")
                return
            for unit in range(run.continuation.get("next", 0), 4):
                self.calls.append(unit)
                if unit == 1:  # a stock push is queued meanwhile
                    job.env["marketplace.job"].sudo()._enqueue("create_sale_orders", shop=job.shop_id,
                                                               payload={"n": "push"}, priority=1)
                    job.env.flush_all()  # as its own transaction's commit would
                if unit < 3 and run.time_is_up():
                    run.pause(0, {"next": unit + 1})
        patch_handler(self, units)
        job = self.enqueue("orders")
        self.run_jobs(limit=None, channel=self.urgent, deadline=time.time() + 600)
        self.assertEqual(self.calls, [0, 1, "push", 2, 3], "the push ran between two units of the import")
        self.assertEqual((job.state, job.attempts, job.slice_count), ("done", 1, 1))
        self.assertIn("Gave the lane to a more urgent job; resumes after it.", job.log_ids.mapped("message"))

    def test_a_job_that_ran_before_does_not_pass_a_more_urgent_new_one(self):
        """A claim sets run_now to FALSE while a new job's is NULL: both mean "not queued first by Run Now"."""
        patch_handler(self, lambda job, run: self.calls.append(run.payload["n"]))
        resumed = self.enqueue("resumed slice")
        self.enqueue("push", priority=1)
        self.env.cr.execute("UPDATE marketplace_job SET run_now = FALSE WHERE id = %s", [resumed.id])
        self.run_jobs(limit=None, channel=self.urgent)
        self.assertEqual(self.calls, ["push", "resumed slice"])

    def test_a_job_passing_urgent_ones_by_aging_is_followed_by_the_most_urgent(self):
        patch_handler(self, lambda job, run: self.calls.append(run.payload["n"]))
        for n in ("old 1", "old 2"):
            self.enqueue(n, priority=10).next_attempt_at = fields.Datetime.now() - timedelta(minutes=5)
        for n in ("push 1", "push 2"):
            self.enqueue(n, priority=1)
        self.run_jobs(limit=None, channel=self.urgent)
        self.assertEqual(self.calls, ["old 1", "push 1", "old 2", "push 2"],
                         "old work still passes, one job at a time: a push waits one turn at most")

    def test_a_stream_of_urgent_jobs_never_starves_an_older_one(self):
        patch_handler(self, lambda job, run: self.calls.append(run.payload["n"]))
        waited = self.enqueue(1, priority=10)
        waited.next_attempt_at = fields.Datetime.now() - timedelta(minutes=2)
        fresh_urgent = self.enqueue(2, priority=1)
        newer = self.enqueue(3, priority=10)
        newer.next_attempt_at = fields.Datetime.now() - timedelta(seconds=20)
        self.run_jobs()
        self.assertEqual(self.calls, [1, 2, 3], "2 minutes of waiting outrank priority 1; 20 seconds do not")
        self.assertEqual(fresh_urgent.state, "done")
