"""What a job handler gets: its payload, where to resume, a way to report, the Stop signal and its time.

Progress, log lines and the cancel check go through short transactions of their
own, so a person watching the job sees them live, and pressing Stop never waits
for the handler's (possibly long) business transaction to end.
"""
import json
import time
from contextlib import contextmanager

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import _, fields
from odoo.sql_db import Cursor
from odoo.tools import SQL

from .marketplace_core import slices
from .marketplace_core.errors import JobCancelled, JobPaused, LostRace
from .marketplace_core.isolation import apply_isolating_races
from .marketplace_core.payload import canonical_json

# First key of the session-level advisory locks that say "a live worker runs job N" (second key: N).
LIVENESS_LOCK_SPACE = 0x4D4B4A42  # "MKJB"
# What a lost race with another transaction raises: PostgreSQL's serialization failures and deadlocks, and
# the LostRace of code that recognised one (a concurrent insert of the same order).
LOST_RACE_ERRORS = (psycopg2.errors.TransactionRollbackError, LostRace)
# Fresh transactions a slice gives the items that lost a race before handing them to the engine's retry.
LOST_RACE_ROUNDS = 2


@contextmanager
def bookkeeping_env(env):
    """A separate short transaction, committed on exit, for the queue's own rows (as superuser).

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
        bookkeeping = env(cr=cr, su=True)
        yield bookkeeping


@contextmanager
def liveness_lock(cr, job_id):
    """Hold the job's advisory lock on the worker's own connection while it runs the job.

    PostgreSQL releases it when that connection ends, so a worker that dies (killed, restarted,
    over a time limit) frees it at once, while a live one keeps it however long it works."""
    cr.execute(SQL("SELECT pg_advisory_lock(%s, %s)", LIVENESS_LOCK_SPACE, job_id))
    try:
        yield
    except BaseException:
        cr.rollback()  # an aborted transaction could not release the lock, which would outlive the job
        raise
    finally:
        cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LIVENESS_LOCK_SPACE, job_id))


def worker_is_alive(cr, job_id):
    """True while some connection holds the job's liveness lock (tries it, and gives it back)."""
    cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LIVENESS_LOCK_SPACE, job_id))
    if not cr.fetchone()[0]:
        return True
    cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LIVENESS_LOCK_SPACE, job_id))
    return False


class JobRun:
    """The running job, seen from inside its handler."""

    def __init__(self, job, payload, deadline=None, most_urgent_waiting=None):
        """``most_urgent_waiting()``: the priority of the most urgent job waiting in the job's lane (None when
        none waits), given by a lane runner so that the job yields to it (:meth:`time_is_up`)."""
        self.job = job
        self.env = job.env
        self.payload = payload
        self.deadline = deadline
        self.most_urgent_waiting = most_urgent_waiting
        self.started = time.time()
        self.yielded = False
        self.continuation = json.loads(job.continuation) if job.continuation else {}
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

    def time_is_up(self):
        """True once this slice should end: the handler then calls :meth:`pause` with where to resume.

        A slice ends at its runner's deadline or, in a lane runner, once it has worked a while and a job of a
        more urgent class waits in its lane (``slices.yields_to``): called between units of work, so a stock
        push waits for the unit in progress, not for the rest of the slice."""
        if self.deadline is None:
            return False
        now = time.time()
        if now >= self.deadline:
            return True
        worked = now - self.started
        if self.most_urgent_waiting is None or worked < slices.YIELD_AFTER_SECONDS:
            return False
        self.yielded = slices.yields_to(worked, self.job.priority, self.most_urgent_waiting())
        return self.yielded

    def checkpoint(self, continuation=None):
        """Make the work done so far durable (between pages of a long job), with where to resume.

        The work is committed first, the continuation right after: a crash in between repeats the
        last unit, which is why units of work must be idempotent."""
        self.job.env.cr.commit()
        if continuation is not None:
            self.continuation = continuation
        self._flush(continuation=continuation)

    def apply_isolating(self, items, apply, isolate_on=()):
        """Apply ``apply`` to ``items`` in savepoints of the job's transaction, as few groups as possible:
        an item raising ``isolate_on`` fails alone, and one that loses a race with another transaction
        costs only itself: it is tried again after a commit of the others (a fresh snapshot), a bounded
        number of times. Returns ``(done, failed, raced)``, ``raced`` still losing (nothing of theirs kept):
        see :meth:`hand_over_raced`."""
        return apply_isolating_races(items, apply, self.env.cr.savepoint, isolate_on, LOST_RACE_ERRORS,
                                     self._commit_for_a_retry, LOST_RACE_ROUNDS)

    def _commit_for_a_retry(self):
        """Commit the work done (the next statement takes a fresh snapshot); whether the slice's deadline
        leaves time to retry in it (else the engine's lost-race retry takes over)."""
        self.checkpoint()
        return self.deadline is None or time.time() < self.deadline

    def hand_over_raced(self, what, continuation):
        """End this run for work that keeps losing races: the work done and ``continuation`` (which must
        lead to the raced items first) are kept, and the engine runs the job again within seconds
        without counting an attempt (``backoff.lost_race_is_free``)."""
        self.checkpoint(continuation)
        raise LostRace(_("%s kept colliding with other transactions; the rest is kept and they are tried "
                         "again in a moment.", what))

    def pause(self, after_seconds=0, continuation=None):
        """End this slice: keep the work and ``continuation``, and come back in ``after_seconds``."""
        self.checkpoint(continuation)
        raise JobPaused(after_seconds, yielded=self.yielded)

    def _flush(self, log=None, continuation=None):
        """Write buffered counters (a log line, a continuation) in a short transaction."""
        with bookkeeping_env(self.job.env) as env:
            job = env["marketplace.job"].browse(self.job.id)
            values = {name: job[name] + delta for name, delta in self._pending.items() if delta}
            if self._total is not None:
                values["progress_total"] = self._total
            if continuation is not None:
                values["continuation"] = canonical_json(continuation)
            if values:
                job.write(values)
            if log:
                env["marketplace.job.log"].create({"job_id": job.id, "level": log[0], "message": log[1],
                                                   "logged_at": fields.Datetime.now()})
        self._pending = dict.fromkeys(self._pending, 0)
