import json
import select
from datetime import timedelta
from unittest.mock import patch

import psycopg2
import requests

import odoo.sql_db
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..marketplace_core import backoff
from ..marketplace_core.errors import JobNeedsConfirmation, RetryableJobError
from .common import MarketplaceCase, patch_handler


class TestJobQueue(MarketplaceCase):
    """The runner: order, retries with backoff, dead letters, dedup, Stop, crash recovery."""

    def setUp(self):
        super().setUp()
        self.Job = self.env["marketplace.job"]
        self.calls = []

    def enqueue(self, n, priority=10):
        return self.Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": n}, priority=priority)

    def with_handler(self, handler):
        """Replace the handler of ``create_sale_orders`` for the duration of the test."""
        patch_handler(self, handler)

    def recording_handler(self, job, run):
        self.calls.append(run.payload["n"])

    def test_priority_then_age_order(self):
        self.with_handler(lambda job, run: self.calls.append(run.payload["n"]))
        self.enqueue(1, priority=20)
        self.enqueue(2, priority=5)
        self.enqueue(3, priority=20)
        self.enqueue(4, priority=5)
        ran = self.run_jobs()
        self.assertEqual(self.calls, [2, 4, 1, 3])
        self.assertEqual(set(ran.mapped("state")), {"done"})

    def test_retryable_error_reschedules_with_backoff(self):
        def flaky(job, run):
            raise RetryableJobError("429 Too Many Requests")
        self.with_handler(flaky)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("pending", 1))
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(minutes=5))
        self.assertIn("429", job.last_error)
        self.assertFalse(self.run_jobs(), "a job waiting for its retry time is not run early")

        job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("pending", 2))
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(minutes=10))

    def test_a_lost_race_with_another_transaction_is_retried_within_seconds(self):
        def collide(job, run):
            raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
        self.with_handler(collide)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.attempts, job.lost_races), ("pending", 0, 1), "not counted as an attempt")
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(seconds=5))
        self.assertIn("Collided with another transaction (1 time(s) in a row), retrying in 5 s: could not serialize "
                      "access due to concurrent update", job.log_ids.mapped("message"))
        job.next_attempt_at = job.ended_at
        self.run_jobs()
        self.assertEqual((job.attempts, job.lost_races), (0, 2))
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(seconds=10))

    def test_lost_races_in_a_row_past_the_bound_count_as_attempts_and_progress_resets_them(self):
        def collide(job, run):
            if run.payload["n"] == 1:
                raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")
            run.pause(60, {"page": 2})
        self.with_handler(collide)
        job = self.enqueue(1)
        job.lost_races = backoff.FREE_LOST_RACES
        self.run_jobs()
        self.assertEqual((job.state, job.attempts, job.lost_races), ("pending", 1, backoff.FREE_LOST_RACES))
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(minutes=5), "an ordinary retry")
        paused = self.enqueue(2)
        paused.lost_races = 3
        self.run_jobs()
        self.assertEqual((paused.state, paused.lost_races), ("pending", 0), "a slice done ends the run of races")

    def test_retry_after_longer_than_backoff_wins(self):
        def slow_down(job, run):
            raise RetryableJobError("throttled", retry_after=3600)
        self.with_handler(slow_down)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(hours=1))

    def test_network_errors_are_retried(self):
        def timeout(job, run):
            raise requests.ConnectTimeout("connect timed out")
        self.with_handler(timeout)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(job.state, "pending")

    def test_max_attempts_then_dead_letter_and_requeue(self):
        attempts = []

        def flaky(job, run):
            attempts.append(job.attempts)
            if len(attempts) <= 3:
                raise RetryableJobError("503 Service Unavailable")
        self.with_handler(flaky)
        job = self.enqueue(1)
        job.max_attempts = 3
        for _i in range(3):
            job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("failed", 3))
        self.assertIn("503", job.last_error)
        self.assertIn("Failed after 3 attempt(s)", job.log_ids[-1].message)
        self.assertFalse(self.run_jobs(), "a dead letter is not retried by itself")

        job.action_requeue()
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        self.run_jobs()
        self.assertEqual(job.state, "done")
        self.assertEqual(attempts, [1, 2, 3, 1])

    def test_non_retryable_error_fails_at_once_with_message(self):
        def broken(job, run):
            raise ValueError("SKU field missing in payload")
        self.with_handler(broken)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertEqual(job.last_error, "SKU field missing in payload")
        self.assertIn("ValueError", job.error_traceback)

    def test_failed_job_rolls_back_only_its_own_work(self):
        def work(job, run):
            job.env["res.partner"].create({"name": "made by job %s" % run.payload["n"]})
            if run.payload["n"] == 1:
                raise ValueError("boom")
        self.with_handler(work)
        self.enqueue(1)
        self.enqueue(2)
        self.run_jobs()
        names = self.env["res.partner"].search([("name", "like", "made by job")]).mapped("name")
        self.assertEqual(names, ["made by job 2"])

    def test_identity_key_dedup(self):
        first = self.enqueue(1)
        self.assertEqual(self.enqueue(1), first, "an equal pending job is returned, not duplicated")
        self.assertNotEqual(self.enqueue(2), first)
        with self.assertRaisesRegex(UserError, "identical job is already pending"):
            self.Job.create({"job_type": "create_sale_orders", "shop_id": self.shop.id,
                             "account_id": self.account.id, "payload": '{"n": 1}'})
        self.with_handler(self.recording_handler)
        self.run_jobs()
        self.assertNotEqual(self.enqueue(1), first, "once the job ran, the same work can be queued again")

    def test_stop_is_honoured_between_units(self):
        processed = []

        def long_job(job, run):
            for unit in range(5):
                run.check_cancelled()
                processed.append(unit)
                run.progress(total=5, fetched=1, stored=1)
                if unit == 1:  # someone presses Stop while unit 1 is processed
                    job.env["marketplace.job"].browse(job.id).action_stop()
                    job.env.flush_all()
        self.with_handler(long_job)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(processed, [0, 1])
        self.assertEqual(job.state, "cancelled")
        self.assertTrue(any("Stopped" in line.message for line in job.log_ids))

    def test_job_needing_confirmation_waits_for_a_manager(self):
        def guarded(job, run):
            job.env["res.partner"].create({"name": "made by guarded job"})
            if not job.confirmed_by_id:
                raise JobNeedsConfirmation("would zero 24 of 30 listings")
        self.with_handler(guarded)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.state, job.last_error), ("to_confirm", "would zero 24 of 30 listings"))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "made by guarded job")]), "rolled back")
        self.assertFalse(self.run_jobs(), "a held job is not run again by itself")
        equal = self.enqueue(1)  # the next sweep queued the same work meanwhile

        user = new_test_user(self.env, "mkt_job_user", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            job.with_user(user).action_confirm()
        manager = new_test_user(self.env, "mkt_job_manager", groups="marketplace_base.group_marketplace_manager")
        job.with_user(manager).action_confirm()
        self.assertEqual((job.state, job.confirmed_by_id, equal.state), ("pending", manager, "cancelled"))
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)
        self.assertTrue(self.env["res.partner"].search([("name", "=", "made by guarded job")]))

    def test_stop_cancels_pending_job(self):
        job = self.enqueue(1)
        job.action_stop()
        self.assertEqual(job.state, "cancelled")
        self.assertFalse(self.run_jobs())

    def test_crashed_worker_job_is_recovered(self):
        self.with_handler(self.recording_handler)
        job = self.enqueue(1)
        job.write({"state": "processing", "attempts": 1, "started_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.run_jobs()
        self.assertEqual((job.state, job.attempts, job.crash_count), ("done", 2, 1))
        self.assertTrue(any("Recovered" in line.message for line in job.log_ids))
        self.assertEqual(self.calls, [1])

    def test_recovered_job_keeps_its_place_over_an_equal_pending_job(self):
        self.with_handler(self.recording_handler)
        crashed = self.enqueue(1)
        crashed.write({"state": "processing", "started_at": fields.Datetime.now() - timedelta(minutes=1)})
        newer = self.enqueue(1)
        self.assertNotEqual(newer, crashed)
        self.run_jobs()
        self.assertEqual(crashed.state, "done")
        self.assertEqual(newer.state, "cancelled")
        self.assertTrue(any("Merged into" in line.message for line in newer.log_ids))
        self.assertEqual(self.calls, [1], "the work runs once")

    def test_a_paused_job_keeps_its_place_over_an_equal_job_queued_at_the_last_moment(self):
        """The bench found a backfill waiting for its report cancelled, its report task lost: the daily cron
        queued an equal backfill, committed after the paused job looked for one and before it wrote."""
        def pauses_once(job, run):
            self.calls.append(dict(run.continuation or {}))
            if not run.continuation:
                run.pause(0, {"task": "report-1"})
        self.with_handler(pauses_once)
        paused = self.enqueue(1)
        late = []
        real_pending_equal = type(self.Job)._pending_equal

        def equal_appears_after_the_look(job_model, key):
            if late:
                return real_pending_equal(job_model, key)
            # the look finds none; the equal job is committed right after it
            late.append(None)
            late[0] = job_model.with_context(marketplace_enqueue=True).create({
                "job_type": paused.job_type, "shop_id": paused.shop_id.id, "payload": paused.payload,
                "identity_key": key, "user_id": paused.user_id.id})
            return job_model.browse()
        with patch.object(type(self.Job), "_pending_equal", equal_appears_after_the_look):
            self.run_jobs(job_ids=paused.ids, limit=1)
        self.assertEqual((paused.state, json.loads(paused.continuation)), ("pending", {"task": "report-1"}))
        late = self.Job.browse(late[0].id)
        self.assertEqual(late.state, "cancelled")
        self.assertTrue(any("Merged into" in line.message for line in late.log_ids))
        self.run_jobs(job_ids=paused.ids)
        self.assertEqual(paused.state, "done")
        self.assertEqual(self.calls, [{}, {"task": "report-1"}], "resumed where it paused")

    def test_progress_and_logs_are_recorded(self):
        def pages(job, run):
            run.progress(total=400)
            for page in (1, 2):
                run.count_call()
                run.progress(fetched=200, stored=200 if page == 1 else 199, failed=0 if page == 1 else 1)
                run.log("Page %d/2 complete" % page)
        self.with_handler(pages)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual((job.progress_total, job.progress_fetched, job.progress_stored, job.progress_failed),
                         (400, 400, 399, 1))
        self.assertEqual(job.call_count, 2)
        self.assertEqual(job.progress_percent, 100.0)
        self.assertEqual(job.log_ids.mapped("message"), ["Page 1/2 complete", "Page 2/2 complete"])
        self.assertTrue(job.started_at and job.ended_at and job.duration >= 0)

    def test_run_now_queues_first_and_wakes_the_lane_without_running_in_the_request(self):
        self.with_handler(self.recording_handler)
        older = self.enqueue(1, priority=1)
        job = self.enqueue(2)
        job.next_attempt_at = fields.Datetime.now() + timedelta(hours=1)
        lane_crons = job.channel_id.cron_ids.filtered("active")
        self.env["ir.cron.trigger"].search([("cron_id", "in", lane_crons.ids)]).unlink()
        job.action_run_now()
        self.assertEqual((job.state, job.run_now), ("pending", True), "nothing runs inside the HTTP request")
        self.assertEqual(self.calls, [])
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "in", lane_crons.ids)]), "the lane is woken")
        self.env.flush_all()
        self.Job._cron_run_lane(job.channel_id.id)
        self.env.invalidate_all()
        self.assertEqual(self.calls, [2, 1], "Run Now goes before the queue's own order")
        self.assertEqual((job.state, older.state), ("done", "done"))
        with self.assertRaisesRegex(UserError, "Only pending jobs"):
            job.action_run_now()

    def test_lane_wake_ups_are_notified_over_one_kept_connection(self):
        """Odoo's cron workers listen on the postgres database: each wake-up reaches them, and a stream of them
        (a webhook's acks) costs no new PostgreSQL connection each (Odoo's own opens and closes one a time)."""
        _db, info = odoo.sql_db.connection_info_for("postgres")
        listener = psycopg2.connect(**info)
        self.addCleanup(listener.close)
        listener.autocommit = True
        listener.cursor().execute("LISTEN cron_trigger")
        cron = self.env["marketplace.job.channel"].search([], limit=1).cron_ids[:1]
        for _wake in range(3):
            cron._notifydb()
        ours = []
        for _wait in range(20):  # notifications arrive asynchronously
            select.select([listener], [], [], 0.5)
            listener.poll()
            ours = [notify for notify in listener.notifies if notify.payload == self.env.cr.dbname]
            if len(ours) >= 3:
                break
        self.assertEqual(len(ours), 3, "every wake-up is notified")
        self.assertEqual(len({notify.pid for notify in ours}), 1, "all from one PostgreSQL backend")

    def test_retry_schedule_is_configurable(self):
        self.env["ir.config_parameter"].set_param("marketplace_base.job_retry_schedule_minutes", "1,2")

        def flaky(job, run):
            raise RetryableJobError("timeout")
        self.with_handler(flaky)
        job = self.enqueue(1)
        self.run_jobs()
        self.assertEqual(job.next_attempt_at - job.ended_at, timedelta(minutes=1))
