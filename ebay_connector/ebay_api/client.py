"""The authenticated eBay REST client used by every adapter.

One instance per eBay account and job: it owns a pooled ``requests.Session`` (closed with the client), renews the
user token before it expires, retries once after a 401 with a refreshed token, and turns eBay's
answers into ApiResponse or the errors of ``errors.py`` (see ``transport.py`` for retries,
call recording and rate budgets).
"""
import json as jsonlib
import time
from urllib.parse import quote, urlencode, urlsplit

try:
    from ...marketplace_base.marketplace_core.session_owner import SessionOwner
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.session_owner import SessionOwner

from .errors import EbayAuthError, EbayRequestError
from .message_signature import requires_signature
from .oauth import DEFAULT_SCOPES, OAuthClient
from .transport import ApiResponse, Transport, build_session

__all__ = ["ApiResponse", "EbayClient", "encode_query"]


def encode_query(params):
    """Percent-encode query parameters the way eBay documents them: ``[ ] { } |`` and spaces
    are escaped (filters such as ``lastmodifieddate:[a..b]``), ``:`` and ``,`` stay readable."""
    pairs = [(key, value) for key, value in params.items() if value is not None]
    return urlencode(pairs, quote_via=quote, safe=":,")


class EbayClient(SessionOwner):
    def __init__(self, config, token_store, session=None, on_call=None, sleep=time.sleep,
                 clock=time.time, budgets=None, app_token_store=None, signer=None):
        """``budgets`` (group -> RateBudget) lets several clients of one account share one
        budget; by default each client builds its own from ``config.budgets``.
        ``app_token_store`` shares the application token between clients (see OAuthClient).
        ``signer`` (a ``message_signature.MessageSigner``) signs the calls eBay wants signed for EU/UK sellers."""
        self.config = config
        self.token_store = token_store
        self.signer = signer
        self.session = self._take_session(session, build_session)
        self.transport = Transport(config, self.session, on_call=on_call, sleep=sleep,
                                   clock=clock, budgets=budgets)
        self.oauth = OAuthClient(config, self.session, transport=self.transport, clock=clock,
                                 app_token_store=app_token_store)

    @property
    def stats(self):
        """Per-family counters: calls, ok, throttled, server_error, client_error,
        connection_error, latency_ms (sum)."""
        return self.transport.stats

    @property
    def sleep(self):
        return self.transport.sleep

    @property
    def clock(self):
        return self.transport.clock

    def request(self, method, path, family, *, params=None, json=None, headers=None,
                app_token=False, idempotent=None, files=None, host=None, auth_scheme="Bearer"):
        """Send one eBay call and return its ApiResponse (2xx/3xx).

        Raises EbayRequestError (4xx, with eBay's errors[]), EbayAuthError (second 401 or a
        refused refresh) or EbayRetryableError (429/5xx/network after the retry bounds;
        EbayUncertainError when a non-idempotent call may have reached eBay, see transport.py).
        ``files`` sends a multipart body (Media API uploads); ``host`` replaces the API host (the
        Media API lives on apim.ebay.com); ``auth_scheme`` prefixes the token (the Post-Order API wants
        ``IAF`` before an OAuth token where the other REST APIs want ``Bearer``)."""
        url = (host or self.config.api_url) + path
        if params:
            url = f"{url}?{encode_query(params)}"
        body = {"json": json} if files is None else {"files": files}
        if self.signer and requires_signature(method, urlsplit(url).path):
            body = {"data": b"" if json is None else jsonlib.dumps(json).encode()}
        response = self._send(method, url, family, body, headers, self._token(app_token), idempotent, auth_scheme)
        if response.status == 401:
            response = self._send(method, url, family, body, headers, self._token(app_token, renew=True),
                                  idempotent, auth_scheme)
            if response.status == 401:
                raise _error(EbayAuthError, response, "eBay refused the token again after a refresh")
        if response.status >= 400:
            raise _error(EbayRequestError, response, f"{method} {path} refused")
        return response

    def _send(self, method, url, family, body, headers, token, idempotent, auth_scheme="Bearer"):
        all_headers = {
            "Authorization": f"{auth_scheme} {token}",
            "Accept": "application/json",
            "X-EBAY-C-MARKETPLACE-ID": self.config.marketplace_id,
            # eBay answers (aspect names, conditions, policies, errors) in the site's language
            "Accept-Language": self.config.content_language,
            **(headers or {}),
        }
        if "data" in body:
            all_headers.update(self._signature_headers(method, url, body["data"]))
        return self.transport.send(method, url, family, idempotent=idempotent, headers=all_headers, **body)

    def _signature_headers(self, method, url, data):
        """The digital signature of a call eBay wants signed: over the exact bytes sent, created now."""
        added = {"Content-Type": "application/json"} if data else {}
        return dict(added, **self.signer.headers(method, url, data, self.clock()))

    def _token(self, app_token, renew=False):
        if app_token:
            if renew:
                self.oauth.forget_application_token()
            return self.oauth.application_token().access_token
        return self._user_token(renew).access_token

    def _user_token(self, renew):
        """The stored user token, refreshed first when it is within the refresh buffer of
        expiry (or ``renew`` after a 401); the refreshed set is saved before use."""
        tokens = self.token_store.load()
        if tokens is None:
            raise EbayAuthError("no eBay token stored for this account: connect it first")
        now = self.clock()
        if not renew and tokens.access_valid(now, self.config.refresh_buffer_seconds):
            return tokens
        if not tokens.refresh_valid(now):
            raise EbayAuthError("the eBay refresh token is missing or expired: reconnect the account")
        tokens = self.oauth.refresh(tokens.refresh_token, tokens.scopes or DEFAULT_SCOPES,
                                    tokens.refresh_token_expires_at)
        self.token_store.save(tokens)
        return tokens


def _error(error_class, response, fallback):
    """Build an error carrying eBay's errors[] and request id, worded from its first error."""
    first = response.errors[0] if response.errors else {}
    message = first.get("longMessage") or first.get("message") or fallback
    return error_class(
        f"HTTP {response.status}: {message}",
        status=response.status,
        errors=response.errors,
        request_id=response.request_id,
    )
