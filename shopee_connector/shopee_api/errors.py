"""Errors of the Shopee client, and which Shopee error codes mean what (docs/shopee-api.md, "Errors").

The job queue retries those with ``retryable = True``; a ShopeeWaitError is a wait (the work goes on later,
nothing failed); a ShopeeSetupError needs a person to fix the app's or the shop's setup on Shopee's side.
"""
from datetime import datetime, timedelta, timezone

try:
    from ...marketplace_base.marketplace_core.redaction import redact, redacted_error
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.redaction import redact, redacted_error

__all__ = ["MappingError", "ShopeeAuthError", "ShopeeError", "ShopeeRequestError", "ShopeeSetupError",
           "ShopeeUncertainError", "ShopeeWaitError", "redacted_error"]

# Shopee's common error codes (its API reference, "Common Error Codes")
# - waits: the call was not done, and will be if made later
WAIT_ERRORS = frozenset({"error_rate_limit", "error_system_busy", "system_busy", "error_busy"})
DAILY_QUOTA_ERROR = "error_limit"  # "Daily API call limit reached. Retry after 00:00 (UTC+08:00)."
DEFAULT_WAIT_SECONDS = 60
QUOTA_TIMEZONE = timezone(timedelta(hours=8))
# - the app's setup (the account): the partner key, the server's IP address, the app's permissions
ACCOUNT_SETUP_ERRORS = frozenset({"error_partner_key_expired", "source_ip_undeclared", "invalid_partner_id",
                                  "error_sign", "error_api_permission", "error_api_call_restricted"})
# - the shop's link to the app: only a new authorization of the shop helps
SHOP_SETUP_ERRORS = frozenset({"shop_no_linked", "partner_shop_no_link"})
# error_auth names a refused token, or (by its message) an app without the permission: the latter is setup
PERMISSION_WORDS = ("no permission", "restricted")
ACCOUNT, SHOP = "account", "shop"


def setup_scope(error, message):
    """ACCOUNT or SHOP when Shopee's ``error`` (and its ``message``) says the setup is wrong, else None."""
    if error in SHOP_SETUP_ERRORS:
        return SHOP
    if error in ACCOUNT_SETUP_ERRORS:
        return ACCOUNT
    if error == "error_auth" and any(words in (message or "").lower() for words in PERMISSION_WORDS):
        return ACCOUNT
    return None


def seconds_until_quota_reset(now):
    """Seconds from ``now`` (epoch) until Shopee's daily quota starts again: the next 00:00 at UTC+8."""
    moment = datetime.fromtimestamp(now, QUOTA_TIMEZONE)
    midnight = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - moment).total_seconds() + 0.999))


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


class ShopeeWaitError(ShopeeRequestError):
    """Shopee asks to wait - its rate limit, its daily quota, a busy moment: the call was not done and nothing
    is wrong; the work goes on after ``retry_after`` seconds."""

    wait = True

    def __init__(self, message, error="", status=None, request_id="", retry_after=DEFAULT_WAIT_SECONDS):
        super().__init__(message, error, status, request_id, retryable=True, retry_after=retry_after)


class ShopeeSetupError(ShopeeRequestError):
    """Shopee refuses the app's setup (``scope`` ACCOUNT: partner key, IP whitelist, permissions) or the shop's
    link to the app (``scope`` SHOP), not a token: retrying cannot help, a person must act."""

    def __init__(self, message, error="", status=None, request_id="", scope=ACCOUNT):
        super().__init__(message, error, status, request_id)
        self.scope = scope


class ShopeeUncertainError(ShopeeError):
    """A write may or may not have reached Shopee (a timeout or a 5xx after sending): check before repeating."""

    retryable = True
    maybe_applied = True


class MappingError(ShopeeError):
    """A Shopee payload lacks what the connector needs."""
