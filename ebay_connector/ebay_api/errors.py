"""Exceptions raised by the eBay client.

The Odoo job queue does not import this package: it recognises an error it may retry only by duck
typing, i.e. a class attribute ``retryable = True`` and an instance attribute ``retry_after``
(seconds, or None when eBay gave no hint). Keep both on every retryable class.

No error text holds a token, a signature or a key (``redact``): job errors, log lines and to-dos show it
to every Marketplace User.
"""
try:
    from ...marketplace_base.marketplace_core.redaction import redact
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.redaction import redact


class EbayError(Exception):
    """Base class: ``status`` (HTTP status or None), ``errors`` (eBay's ``errors[]`` as sent),
    ``request_id`` (eBay's request id, for support tickets) and a readable ``message``."""

    retryable = False

    def __init__(self, message, *, status=None, errors=(), request_id=None):
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = list(errors)
        self.request_id = request_id

    @property
    def error_ids(self):
        """eBay ``errorId`` values, in order, for quick matching (e.g. 25001, 30830)."""
        return [error.get("errorId") for error in self.errors if isinstance(error, dict)]


class EbayRequestError(EbayError):
    """eBay refused the request (4xx): retrying the same request cannot succeed."""


class EbayAuthError(EbayError):
    """The account's authorisation is gone (refused refresh, second 401): it needs re-auth."""


class EbayRetryableError(EbayError):
    """A throttle (429), server error (5xx), timeout or connection error that outlived the
    client's own retries; the job queue may try again later, after ``retry_after`` seconds.
    ``maybe_applied`` says whether eBay may have acted on the request (it got it but gave no
    final answer) rather than surely not (connection refused, 429)."""

    retryable = True

    def __init__(self, message, *, retry_after=None, maybe_applied=False, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied


class EbayUncertainError(EbayRetryableError):
    """A non-idempotent call (a POST) that may have reached eBay but got no final answer (a read
    timeout, a dropped connection, a 5xx): the client does not send it again, since eBay may have
    applied it. The caller checks on eBay whether it took effect before trying again."""

    def __init__(self, message, **kwargs):
        super().__init__(message, maybe_applied=True, **kwargs)


class SignatureError(EbayError):
    """A notification whose ``X-EBAY-SIGNATURE`` cannot be trusted.

    ``reason`` is one of MALFORMED_HEADER, UNKNOWN_KEY, BAD_SIGNATURE, KEY_FETCHES_EXHAUSTED (an
    uncached key id while the minute's getPublicKey calls are spent) so the webhook can log and
    answer without parsing the message."""

    MALFORMED_HEADER = "malformed_header"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    KEY_FETCHES_EXHAUSTED = "key_fetches_exhausted"

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class MappingError(EbayError):
    """A payload the mappers cannot turn into a record (missing or ill-typed field): raised
    instead of a bare KeyError/TypeError so one bad record can be logged and skipped."""
