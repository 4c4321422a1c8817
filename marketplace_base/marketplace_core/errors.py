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


class JobCancelled(Exception):
    """Raised inside a handler when someone pressed Stop; ends the run quietly."""


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
