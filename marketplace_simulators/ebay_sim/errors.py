"""eBay-shaped error responses.

Every REST error body is ``{"errors":[{errorId, domain, category, message, longMessage, parameters}]}``
(developer.ebay.com/api-docs/static/handling-error-messages.html); the canned bodies below copy the samples in
``shared/ebay-samples/error-*.json``. OAuth token errors use the RFC 6749 shape instead (``OAuthError``).
"""


class EbayError(Exception):
    """Raised by handlers to answer with an eBay error body; the server turns it into the HTTP response."""

    def __init__(self, status, errors, headers=None):
        super().__init__(f"{status}: {errors[0].get('message') if errors else ''}")
        self.status = status
        self.errors = errors
        self.headers = headers or {}


class OAuthError(Exception):
    """Identity API error in the ``{"error","error_description"}`` shape of oauth-refreshToken-invalidGrant.json."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def error_detail(error_id, domain, message, category="REQUEST", long_message=None, parameters=None):
    """One ErrorDetailV3 object; ``parameters`` is a ``{name: value}`` dict rendered as eBay's name/value list."""
    detail = {"errorId": error_id, "domain": domain, "category": category, "message": message}
    if long_message:
        detail["longMessage"] = long_message
    if parameters:
        detail["parameters"] = [{"name": k, "value": str(v)} for k, v in parameters.items()]
    return detail


def bad_request(error_id, domain, message, parameters=None, status=400):
    """A request the caller must fix (400 unless told otherwise)."""
    return EbayError(status, [error_detail(error_id, domain, message, parameters=parameters)])


def not_found(error_id, domain, message, parameters=None):
    """The addressed resource does not exist."""
    return bad_request(error_id, domain, message, parameters, status=404)


def invalid_access_token():
    """401 exactly like error-401-invalidAccessToken.json."""
    return EbayError(401, [error_detail(
        1001, "OAuth", "Invalid access token",
        long_message="Invalid access token. Check the value of the Authorization HTTP request header.")])


def insufficient_permissions():
    """403 for an application token on a Sell API, which needs a user token."""
    return EbayError(403, [error_detail(
        1100, "ACCESS", "Access denied",
        long_message="Insufficient permissions to fulfill the request.")])


def too_many_requests(retry_after=None):
    """429 like error-429-tooManyRequests.json, with ``Retry-After`` when configured."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return EbayError(429, [error_detail(
        2001, "ACCESS", "Too many requests",
        long_message="The request limit has been reached for the resource.")], headers)


def internal_error(domain="API"):
    """500 like error-500-internalError.json."""
    return EbayError(500, [error_detail(
        2003, domain, "Internal error", category="APPLICATION",
        long_message="There was a problem with an eBay internal system or process. "
                     "Contact eBay developer support for assistance.")])


def resource_not_found():
    """404 for a path the simulator does not serve."""
    return not_found(2002, "ACCESS", "Resource not found")
