"""What a job handler gets: its payload, a way to report, and the Stop signal.

Progress, log lines and the cancel check go through short transactions of their
own, so a person watching the job sees them live, and pressing Stop never waits
for the handler's (possibly long) business transaction to end.
"""
from contextlib import contextmanager

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import fields
from odoo.sql_db import Cursor

from .marketplace_core.errors import JobCancelled


@contextmanager
def bookkeeping_env(env):
    """A separate short transaction, committed on exit, for the queue's own rows.

    Runners and people pressing Stop update the same job rows concurrently. Under Odoo's default
    REPEATABLE READ, locking or updating a row that another transaction changed since this one
    began fails with a serialization error; READ COMMITTED sees the latest committed row instead,
    which is what ``FOR UPDATE SKIP LOCKED`` queues rely on. (Under tests the registry hands out a
    cursor sharing the test transaction, whose isolation cannot change.)
    """
    with env.registry.cursor() as cr:
        if isinstance(cr, Cursor):
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        # keep the environment referenced until the commit: the cursor flushes only live environments
        bookkeeping = env(cr=cr)
        yield bookkeeping


class JobRun:
    """The running job, seen from inside its handler."""

    def __init__(self, job, payload):
        self.job = job
        self.env = job.env
        self.payload = payload
        self._pending = {"progress_fetched": 0, "progress_stored": 0, "progress_failed": 0, "call_count": 0}
        self._total = None

    def log(self, message, level="info"):
        """Add a timestamped log line to the job (and flush counters)."""
        self._flush(log=(level, message))

    def progress(self, total=None, fetched=0, stored=0, failed=0):
        """Count work done; ``total`` sets the expected number of units when known."""
        if total is not None:
            self._total = total
        self._pending["progress_fetched"] += fetched
        self._pending["progress_stored"] += stored
        self._pending["progress_failed"] += failed

    def count_call(self, *_args, **_kwargs):
        """Count one marketplace API call (usable as an HTTP client's ``on_call`` hook)."""
        self._pending["call_count"] += 1

    def check_cancelled(self):
        """Raise :class:`JobCancelled` when someone pressed Stop; call between units of work."""
        self._flush()
        with bookkeeping_env(self.job.env) as env:
            env.cr.execute("SELECT state FROM marketplace_job WHERE id = %s", [self.job.id])
            row = env.cr.fetchone()
        if row and row[0] == "cancelled":
            raise JobCancelled()

    def checkpoint(self):
        """Make the work done so far durable (between pages of a long job) and renew the lease."""
        self.job.env.cr.commit()
        self._flush()

    def _flush(self, log=None):
        """Write buffered counters (and a log line) in a short transaction; renews the lease."""
        with bookkeeping_env(self.job.env) as env:
            job = env["marketplace.job"].browse(self.job.id)
            values = {name: job[name] + delta for name, delta in self._pending.items() if delta}
            if self._total is not None:
                values["progress_total"] = self._total
            values["lease_until"] = job._lease_deadline()
            job.write(values)
            if log:
                env["marketplace.job.log"].create({"job_id": job.id, "level": log[0], "message": log[1],
                                                   "logged_at": fields.Datetime.now()})
        self._pending = dict.fromkeys(self._pending, 0)
