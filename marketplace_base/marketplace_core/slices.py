"""How long a runner may work before giving its worker back to Odoo.

Odoo stops (threaded: reloads the server; prefork: kills the worker) a cron that runs past
``limit_time_real_cron`` (by default ``limit_time_real``, 120 s), counted from the moment the cron
thread started processing the database's ready crons, several of which may run back to back.
A runner therefore stops claiming jobs, and a job ends its slice, well before that limit. A prefork cron
worker is also stopped past ``limit_time_cpu`` (60 s) of CPU time per unit of work, which Odoo sets as the
process's soft RLIMIT_CPU: the CPU time left under it bounds the runner as well.
"""
DEFAULT_RUNNER_SECONDS = 45
SAFETY_MARGIN_SECONDS = 30
MIN_SLICE_SECONDS = 5
# A running job gives its lane to a waiting job of a more urgent class (a lower priority number) at its next
# unit of work once it has worked this long in its slice: a stock push waits seconds behind an order import,
# not the rest of a 45-second slice, and the job that yields still moves on in every slice.
YIELD_AFTER_SECONDS = 10
# A runner with nothing due keeps its worker for its lane's next job when that job is due this soon (a retry
# after a lost race, a push gathering the next moves), looking again every IDLE_POLL_SECONDS: Odoo starts a cron
# for a trigger in the future only at its cron workers' next poll, up to a minute later, which would turn a
# few seconds into a minute. A longer gap gives the worker back (the trigger, or the supervisor, wakes the lane).
SHORT_GAP_SECONDS = 10
IDLE_POLL_SECONDS = 1.0
MIN_IDLE_POLL_SECONDS = 0.1


def cron_limit_seconds(limit_time_real_cron, limit_time_real):
    """The real-time limit Odoo applies to a cron worker (0 or less: none)."""
    if limit_time_real_cron and limit_time_real_cron > 0:
        return limit_time_real_cron
    return limit_time_real if limit_time_real and limit_time_real > 0 else 0


def runner_deadline(now, runner_seconds, limit_seconds, thread_started=None, cpu_left=None):
    """Epoch time at which a runner stops starting work.

    ``runner_seconds`` bounds one runner call; a limit leaves ``SAFETY_MARGIN_SECONDS`` (or a
    quarter of a short limit) for what runs after the job, counted from when the cron thread
    started when Odoo says (threaded server), else from now. ``cpu_left`` (seconds of CPU time
    before a prefork worker's limit) bounds it too: CPU time never runs faster than the clock."""
    deadline = now + runner_seconds
    if limit_seconds:
        margin = min(SAFETY_MARGIN_SECONDS, limit_seconds / 4)
        deadline = min(deadline, (thread_started or now) + limit_seconds - margin)
    if cpu_left is not None:
        deadline = min(deadline, now + cpu_left - SAFETY_MARGIN_SECONDS)
    return deadline


def has_time_for_a_job(now, deadline):
    """A job is started only with at least a minimal slice ahead of it."""
    return deadline - now >= MIN_SLICE_SECONDS


def idle_pause(until_due, time_left):
    """Seconds a runner with nothing to claim sleeps before it looks again, or None when it ends now.

    ``until_due``: seconds until its lane's next pending job is due (None: none pends; 0 or less: due, though
    another transaction held it); ``time_left``: seconds to the runner's deadline. It waits only for a job due
    within ``SHORT_GAP_SECONDS`` that still has a minimal slice before the deadline, and polls, so that a job
    queued meanwhile is not left behind the sleep."""
    if until_due is None or until_due > SHORT_GAP_SECONDS:
        return None
    if time_left - max(until_due, 0.0) < MIN_SLICE_SECONDS:
        return None
    return min(IDLE_POLL_SECONDS, max(MIN_IDLE_POLL_SECONDS, until_due))


def yields_to(worked_seconds, running_priority, waiting_priority):
    """Whether a running job ends its slice for the most urgent job waiting in its lane (``None``: none
    waits): only for a more urgent class, and only after ``YIELD_AFTER_SECONDS`` of work in this slice."""
    return (waiting_priority is not None and waiting_priority < running_priority
            and worked_seconds >= YIELD_AFTER_SECONDS)
