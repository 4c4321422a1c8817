"""Errors the job queue understands, and how it tells retryable failures apart.

Connectors' HTTP clients do not import this package: the queue recognises a
retryable exception by its ``retryable`` attribute (and ``retry_after`` when the
server named a wait), plus the network errors of ``requests``.
"""
import requests


class RetryableJobError(Exception):
    """A failure worth retrying later (the job is rescheduled with backoff)."""

    retryable = True

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class LostRace(RetryableJobError):
    """Work that lost a race with another transaction (a concurrent update, a concurrent insert of the
    same order): over as soon as the other transaction commits, so it is tried again within seconds,
    in a fresh transaction, and not counted as a failed attempt (``backoff.lost_race_delay``)."""

    lost_race = True


class JobCancelled(Exception):
    """Raised inside a handler when someone pressed Stop; ends the run quietly."""


class JobPaused(Exception):
    """Raised by ``JobRun.pause``: the slice ends, its work is kept, the job comes back later.

    Long work runs in slices so that no job holds a worker past Odoo's time limits; a slice
    that ends this way is not a failed attempt."""

    def __init__(self, after_seconds=0, yielded=False):
        super().__init__("paused for %s s" % after_seconds)
        self.after_seconds = max(0, int(after_seconds))
        self.yielded = yielded  # the slice ended early for a more urgent job of the lane


class BudgetExhausted(Exception):
    """An API rate budget shared by every worker has no call left in its window.

    The job waits for the window to reopen (it is rescheduled, not failed: nothing went wrong)."""

    def __init__(self, budget_key, retry_after):
        super().__init__("rate budget %s used up, next call possible in %s s" % (budget_key, int(retry_after)))
        self.budget_key = budget_key
        self.retry_after = max(1, int(retry_after))


class MarketplaceWait(BudgetExhausted):
    """The marketplace itself asked to wait (its rate limit, its daily quota, a busy moment): the job waits
    as for a used-up budget - rescheduled after ``retry_after`` seconds, not failed, no attempt counted."""

    def __init__(self, reason, retry_after):
        super().__init__(None, retry_after)
        self.args = ("%s; next try in %s s" % (reason, self.retry_after),)


class JobNeedsConfirmation(Exception):
    """Raised by a handler that must not go on without a manager's confirmation."""


class JobPayloadError(ValueError):
    """The job's payload is not what its handler accepts (a person must fix it)."""


_NETWORK_ERRORS = (requests.Timeout, requests.ConnectionError)


def is_retryable(exc):
    """True when ``exc`` is transient: network trouble, 429/5xx, or flagged ``retryable``."""
    if isinstance(exc, _NETWORK_ERRORS):
        return True
    return bool(getattr(exc, "retryable", False))


def retry_after_of(exc):
    """The wait in seconds a server asked for, if the exception carries one."""
    value = getattr(exc, "retry_after", None)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
