"""OAuth2 with eBay: consent URL, authorization-code exchange, refresh, application token.

Follows developer.ebay.com/api-docs/static/oauth-authorization-code-grant.html,
.../oauth-auth-code-grant-request.html, .../oauth-refresh-token-request.html and
.../oauth-client-credentials-grant.html. Token endpoint daily limits (per application):
client_credentials 1 000, authorization_code 10 000, refresh_token 50 000 - hence the cached
application token and refreshing only near expiry.
"""
import base64
import time
from urllib.parse import quote, urlencode

from .errors import EbayAuthError, EbayRequestError
from .tokens import InMemoryTokenStore, token_set_from_response
from .transport import Transport

API_SCOPE = "https://api.ebay.com/oauth/api_scope"
DEFAULT_SCOPES = (
    API_SCOPE,
    f"{API_SCOPE}/sell.inventory",
    f"{API_SCOPE}/sell.fulfillment",
    f"{API_SCOPE}/sell.account",
    f"{API_SCOPE}/sell.finances",
    f"{API_SCOPE}/sell.payment.dispute",
    f"{API_SCOPE}/commerce.notification.subscription",
)
TOKEN_PATH = "/identity/v1/oauth2/token"
AUTHORIZE_PATH = "/oauth2/authorize"
# OAuth error codes that mean the grant or the keys themselves are no longer good.
AUTH_ERROR_CODES = {"invalid_grant", "invalid_client", "unauthorized_client"}


class OAuthClient:
    def __init__(self, config, session, *, transport=None, clock=time.time, app_token_store=None):
        """``app_token_store`` (a TokenStore) keeps the application token beyond this client, so that
        clients made one after the other (a button, a job) share one grant until it expires."""
        self.config = config
        self.transport = transport or Transport(config, session, clock=clock)
        self.clock = clock
        self.app_token_store = app_token_store or InMemoryTokenStore()

    def consent_url(self, state, scopes=DEFAULT_SCOPES):
        """Where to send the seller to grant access; eBay redirects to the RuName's accepted URL
        with ``code`` and ``state``. Scopes are space separated, encoded as %20."""
        query = urlencode(
            {
                "client_id": self.config.app_id,
                "redirect_uri": self.config.ru_name,
                "response_type": "code",
                "scope": " ".join(scopes),
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.config.auth_url}{AUTHORIZE_PATH}?{query}"

    def exchange_code(self, code, scopes=DEFAULT_SCOPES):
        """Trade the consent ``code`` for the seller's user token set."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.config.ru_name}
        return self._grant(form, scopes)

    def refresh(self, refresh_token, scopes=DEFAULT_SCOPES, refresh_token_expires_at=None):
        """A fresh access token. eBay does not return a new refresh token here, so the token set
        keeps the one given (and its expiry, when known)."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": " ".join(scopes)}
        return self._grant(form, scopes, refresh_token, refresh_token_expires_at)

    def application_token(self):
        """The client-credentials token (Taxonomy, getPublicKey, Browse), cached in the store until
        shortly before expiry because eBay allows only 1 000 of these grants a day."""
        token = self.app_token_store.load()
        if token is None or not token.access_valid(self.clock(), self.config.refresh_buffer_seconds):
            form = {"grant_type": "client_credentials", "scope": API_SCOPE}
            token = self._grant(form, (API_SCOPE,))
            self.app_token_store.save(token)
        return token

    def forget_application_token(self):
        """Drop the cached application token (after eBay answered 401 with it)."""
        self.app_token_store.save(None)

    def _grant(self, form, scopes, refresh_token=None, refresh_token_expires_at=None):
        # A grant changes nothing on the seller's eBay account: sending it again is harmless.
        response = self.transport.send(
            "POST", self.config.api_url + TOKEN_PATH, "oauth", idempotent=True, data=form, headers=self._headers()
        )
        if response.status != 200 or not isinstance(response.body, dict):
            raise _grant_error(response, form["grant_type"])
        return token_set_from_response(
            response.body, self.clock(), scopes, refresh_token, refresh_token_expires_at
        )

    def _headers(self):
        credentials = f"{self.config.app_id}:{self.config.cert_id}".encode()
        return {
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
            "Content-Type": "application/x-www-form-urlencoded",
        }


def _grant_error(response, grant_type):
    """EbayAuthError when the grant or keys are refused (re-auth needed), else EbayRequestError."""
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("error")
    detail = body.get("error_description") or code or f"HTTP {response.status}"
    error_class = EbayAuthError if code in AUTH_ERROR_CODES or response.status == 401 else EbayRequestError
    return error_class(
        f"{grant_type} grant refused: {detail}",
        status=response.status,
        errors=[body] if body else [],
        request_id=response.request_id,
    )
