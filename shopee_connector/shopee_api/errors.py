"""Errors of the Shopee client. The job queue retries those with ``retryable = True``."""
try:
    from ...marketplace_base.marketplace_core.redaction import redact, redacted_error
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.redaction import redact, redacted_error

__all__ = ["MappingError", "ShopeeAuthError", "ShopeeError", "ShopeeRequestError", "ShopeeUncertainError",
           "redacted_error"]


class ShopeeError(Exception):
    """Base class. Its text never holds a token, a signature or a key (``redact``): job errors, log lines
    and to-dos show it to every Marketplace User."""

    retryable = False

    def __init__(self, *args):
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class ShopeeRequestError(ShopeeError):
    """Shopee answered with an ``error`` code (or an HTTP error): the call did not do its work."""

    def __init__(self, message, error="", status=None, request_id="", retryable=False, retry_after=None):
        super().__init__(f"{error or status}: {message}" if error or status else message)
        self.message = redact(message)
        self.error = error
        self.status = status
        self.request_id = request_id
        self.retryable = retryable
        self.retry_after = retry_after


class ShopeeAuthError(ShopeeRequestError):
    """The token (or the authorization code) was refused: refresh, or authorize the shop again."""


class ShopeeUncertainError(ShopeeError):
    """A write may or may not have reached Shopee (a timeout or a 5xx after sending): check before repeating."""

    retryable = True
    maybe_applied = True


class MappingError(ShopeeError):
    """A Shopee payload lacks what the connector needs."""
