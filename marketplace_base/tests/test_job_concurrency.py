"""Concurrency of the queue, with real separate database connections and committed rows.

These tests cannot live inside the test transaction: the point is what two
transactions see of each other. They commit their own rows and delete them after.

They run post-install, on the complete registry; their runner threads need ``free_registry_lock`` under
Odoo's own runner (odoo-bin --test-enable).
"""
# committing on their own connections is what these tests are about
# pylint: disable=invalid-commit
import threading
from contextlib import closing

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests.common import TransactionCase, tagged

from .common import free_registry_lock


@tagged("post_install", "-at_install")
class TestJobConcurrency(TransactionCase):

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.job_ids = []
        self.addCleanup(self._delete_jobs)

    def _cursor(self):
        return db_connect(self.dbname).cursor()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _delete_jobs(self):
        with closing(self._cursor()) as cr:
            cr.execute("DELETE FROM marketplace_job WHERE id = ANY(%s) OR identity_key LIKE 'concurrency-test:%%'",
                       [self.job_ids])
            cr.commit()

    def _commit_jobs(self, count):
        """Committed no-op jobs (their handler converts no order: ``order_ids`` matches nothing)."""
        with closing(self._cursor()) as cr:
            Job = self._env(cr)["marketplace.job"].with_context(marketplace_enqueue=True)
            jobs = Job.create([{"job_type": "create_sale_orders", "payload": '{"order_ids": [-1], "n": %d}' % n,
                                "identity_key": "concurrency-test:%d" % n} for n in range(count)])
            cr.commit()
            self.job_ids += jobs.ids
            return jobs.ids

    def test_two_claimers_never_get_the_same_job(self):
        ids = self._commit_jobs(2)
        Job, now = self.env["marketplace.job"], fields.Datetime.now()
        claim = Job._claim_sql(now, Job._waiting_sql(now, job_ids=ids))
        with closing(self._cursor()) as first, closing(self._cursor()) as second, closing(self._cursor()) as third:
            first.execute(claim)
            claimed_first = first.fetchone()[0]
            # the first transaction is still open and holds its row: the second skips it, without waiting
            second.execute(claim)
            claimed_second = second.fetchone()[0]
            third.execute(claim)
            self.assertIsNone(third.fetchone(), "no third job to claim")
            first.rollback()
            second.rollback()
        self.assertEqual({claimed_first, claimed_second}, set(ids))

    def test_concurrent_runner_threads_run_each_job_exactly_once(self):
        ids = self._commit_jobs(30)
        errors = []
        free_registry_lock(self.patch)

        def runner():
            try:
                with closing(self._cursor()) as cr:
                    self._env(cr)["marketplace.job"]._run_pending(limit=50, job_ids=ids)
                    cr.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=runner) for _i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse([thread for thread in threads if thread.is_alive()], "every runner thread finished")
        self.assertEqual(errors, [])
        with closing(self._cursor()) as cr:
            cr.execute("SELECT state, attempts, count(*) FROM marketplace_job WHERE id = ANY(%s) GROUP BY 1, 2", [ids])
            self.assertEqual(cr.fetchall(), [("done", 1, 30)])

    def test_concurrent_enqueue_of_an_equal_job_inserts_one(self):
        payload = {"order_ids": [-1], "race": 1}
        with closing(self._cursor()) as first, closing(self._cursor()) as second:
            env_first, env_second = self._env(first), self._env(second)
            # both transactions take their snapshot before either inserts (REPEATABLE READ)
            first.execute("SELECT 1")
            second.execute("SELECT 1")
            job_first = env_first["marketplace.job"]._enqueue("create_sale_orders", payload=payload)
            self.job_ids += job_first.ids
            key = job_first.identity_key
            first.commit()
            job_second = env_second["marketplace.job"]._enqueue("create_sale_orders", payload=payload)
            second.commit()
            self.assertTrue(job_first)
            self.assertFalse(job_second, "the second enqueuer lost the race and inserted nothing")
        with closing(self._cursor()) as cr:
            cr.execute("SELECT count(*) FROM marketplace_job WHERE identity_key = %s AND state = 'pending'",
                       [key])
            self.assertEqual(cr.fetchone()[0], 1)
