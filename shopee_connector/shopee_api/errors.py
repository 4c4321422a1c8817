"""Errors of the Shopee client. The job queue retries those with ``retryable = True``."""


class ShopeeError(Exception):
    retryable = False


class ShopeeRequestError(ShopeeError):
    """Shopee answered with an ``error`` code (or an HTTP error): the call did not do its work."""

    def __init__(self, message, error="", status=None, request_id="", retryable=False, retry_after=None):
        super().__init__(f"{error or status}: {message}" if error or status else message)
        self.message = message
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
