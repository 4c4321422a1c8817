"""The Shopee Open Platform v2 client: signed calls, retries, token refresh per shop.

Every call is signed afresh (the timestamp is valid 5 minutes). GETs and the POSTs that set absolute
values (tokens, stock, prices) are retried after a 429, a 5xx or a network failure with backoff; any
other POST only when it surely never left (a refused or timed-out connection, a 429): after a read
timeout or a 5xx it raises ShopeeUncertainError and the flow checks Shopee before sending again.
"""
import random
import time
from urllib.parse import urlencode

import requests

try:
    from ...marketplace_base.marketplace_core.session_owner import SessionOwner
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.session_owner import SessionOwner

from . import signing
from .config import PULL, PUSH
from .errors import (
    DAILY_QUOTA_ERROR,
    DEFAULT_WAIT_SECONDS,
    WAIT_ERRORS,
    ShopeeAuthError,
    ShopeeRequestError,
    ShopeeSetupError,
    ShopeeUncertainError,
    ShopeeWaitError,
    redacted_error,
    seconds_until_quota_reset,
    setup_scope,
)
from .tokens import TokenSet

AUTH_PARTNER_PATH = "/api/v2/shop/auth_partner"
TOKEN_GET_PATH = "/api/v2/auth/token/get"
TOKEN_REFRESH_PATH = "/api/v2/auth/access_token/get"
# Shopee's error codes for a refused token (docs/shopee-api.md: "error_auth" and the misspelt
# "invalid_acceess_token" are documented: both mean refresh, then authorize again); an error_auth about
# permissions is the app's setup instead (errors.setup_scope)
AUTH_ERRORS = frozenset({"error_auth", "invalid_acceess_token", "invalid_access_token", "error_invalid_token"})
# answers retried within the call (then a wait, for the WAIT_ERRORS); server errors only below HTTP 500
BUSY_ERRORS = frozenset({"error_server", "error_inner"}) | WAIT_ERRORS
# API family -> budget group (the sellers' separate pull and push budgets); auth is never throttled
FAMILY_GROUPS = {"orders": PULL, "logistics.read": PULL, "products": PUSH, "logistics.write": PUSH,
                 "orders.write": PUSH, "payments": PULL}


class ShopeeClient(SessionOwner):
    """Partner-level calls (authorization, tokens) and the factory of per-shop sessions."""

    def __init__(self, config, session=None, on_call=None, budgets=None, clock=time.time, sleep=time.sleep):
        self.config = config
        self.session = self._take_session(session, requests.Session)
        self.on_call = on_call
        self.budgets = budgets if budgets is not None else {}
        self.clock = clock
        self.sleep = sleep
        self.stats = {}

    # -- authorization ---------------------------------------------------------
    def authorize_url(self, redirect_url):
        """The page where a seller authorizes a shop; Shopee then redirects with ``code`` and ``shop_id``."""
        params = signing.common_params(self.config.partner_key, self.config.partner_id, AUTH_PARTNER_PATH,
                                       self.clock())
        return f"{self.config.host}{AUTH_PARTNER_PATH}?{urlencode(dict(params, redirect=redirect_url))}"

    def get_token(self, code, shop_id):
        """Exchange the single-use code (10 minutes) of a shop authorization for its first token pair."""
        body = {"code": code, "shop_id": int(shop_id), "partner_id": int(self.config.partner_id)}
        return TokenSet.from_response(self._token_call(TOKEN_GET_PATH, body), self.clock())

    def get_main_account_token(self, code, main_account_id):
        """Exchange the code of a main account's authorization: (one pair shared by the shops authorized with
        it, their ids from ``shop_id_list``). The shared refresh token gives each shop a pair of its own, once
        per shop (``refresh``); the shops share no tokens after that."""
        body = {"code": code, "main_account_id": int(main_account_id), "partner_id": int(self.config.partner_id)}
        response = self._token_call(TOKEN_GET_PATH, body)
        shop_ids = [int(shop_id) for shop_id in response.get("shop_id_list") or ()]
        return TokenSet.from_response(response, self.clock()), shop_ids

    def refresh(self, shop_id, refresh_token):
        """A new token pair; the refresh token given is spent, so the caller must store the new one at once."""
        body = {"refresh_token": refresh_token, "shop_id": int(shop_id),
                "partner_id": int(self.config.partner_id)}
        return TokenSet.from_response(self._token_call(TOKEN_REFRESH_PATH, body), self.clock())

    def _token_call(self, path, body):
        """A refused code or refresh token is an auth error; waits and setup errors stay what they are."""
        try:
            return self.call("POST", path, body=body, family="auth", idempotent=True)
        except ShopeeRequestError as exc:
            if exc.retryable or isinstance(exc, (ShopeeAuthError, ShopeeSetupError)):
                raise
            raise ShopeeAuthError(exc.message, exc.error, exc.status, exc.request_id) from exc

    def shop(self, shop_id, token_store):
        return ShopSession(self, shop_id, token_store)

    # -- one call ----------------------------------------------------------------
    def call(self, method, path, params=None, body=None, family="other", idempotent=None, access_token=None,
             shop_id=None, files=None):
        """One signed call; returns the ``response`` member of Shopee's envelope (or the envelope). With
        ``files`` (``{name: (filename, bytes, mimetype)}``) the body goes as multipart form fields beside them,
        as Shopee's upload calls take it (the signature covers no body)."""
        idempotent = method == "GET" if idempotent is None else idempotent
        config = self.config
        started = self.clock()
        for attempt in range(1, config.max_attempts + 1):
            self._acquire(family)
            query = signing.common_params(config.partner_key, config.partner_id, path, self.clock(),
                                          access_token, shop_id)
            query.update(params or {})
            try:
                payload = {"data": body, "files": files} if files else {"json": body}
                response = self.session.request(method, config.host + path, params=query, timeout=config.timeout,
                                                **payload)
            except (requests.Timeout, requests.ConnectionError) as exc:
                self._record(family, method, path, None, "", 0.0)
                never_sent = isinstance(exc, requests.ConnectTimeout) or _refused(exc)
                error = redacted_error(exc)  # its URL carries the shop's access token and the signature
                if not (idempotent or never_sent):
                    raise ShopeeUncertainError(f"{method} {path}: no answer ({error})") from error
                if not self._may_retry(attempt, started):
                    raise error from None
                self._backoff(attempt)
                continue
            outcome = self._outcome(method, path, family, response, idempotent)
            if outcome is not None:
                return outcome
            if not self._may_retry(attempt, started):
                raise _given_up(response)
            self._backoff(attempt, _retry_after(response))
        raise AssertionError("unreachable")

    def _outcome(self, method, path, family, response, idempotent):
        """The answer, or None to retry; raises what must not be retried."""
        envelope = _json(response)
        request_id = envelope.get("request_id") or response.headers.get("X-Request-Id", "")
        self._record(family, method, path, response.status_code, request_id,
                     response.elapsed.total_seconds() * 1000 if response.elapsed else 0.0)
        error, message = envelope.get("error") or "", envelope.get("message") or ""
        if error == DAILY_QUOTA_ERROR:  # no use retrying before Shopee's midnight
            raise ShopeeWaitError(message or "daily API call limit reached", error, response.status_code, request_id,
                                  retry_after=seconds_until_quota_reset(self.clock()))
        if response.status_code == 200 and _is_file(response):
            return response.content  # download_shipping_document answers with the file itself
        if response.status_code == 429 or error in BUSY_ERRORS and response.status_code < 500:
            return None
        if response.status_code >= 500:
            if idempotent:
                return None
            raise ShopeeUncertainError(f"{method} {path}: HTTP {response.status_code} after sending")
        scope = setup_scope(error, message)
        if scope:
            raise ShopeeSetupError(message or error, error, response.status_code, request_id, scope=scope)
        if error in AUTH_ERRORS:
            raise ShopeeAuthError(message or "token refused", error, response.status_code, request_id)
        if error or response.status_code >= 400:
            raise ShopeeRequestError(message or response.text[:200], error, response.status_code, request_id)
        # the auth calls answer at the top level, the others inside "response"
        return envelope.get("response", envelope)

    def _acquire(self, family):
        budget = self.budgets.get(FAMILY_GROUPS.get(family))
        if budget is not None:
            budget.acquire()

    def _may_retry(self, attempt, started):
        return attempt < self.config.max_attempts and self.clock() - started < self.config.max_retry_seconds

    def _backoff(self, attempt, retry_after=None):
        delay = self.config.backoff_base_seconds * 2 ** (attempt - 1) * (1 + random.random() / 2)
        self.sleep(min(self.config.max_retry_seconds, max(delay, retry_after or 0)))

    def _record(self, family, method, path, status, request_id, latency_ms):
        counter = self.stats.setdefault(family, {"calls": 0, "throttled": 0, "server_error": 0,
                                                 "connection_error": 0, "latency_ms": 0.0})
        counter["calls"] += 1
        counter["latency_ms"] += latency_ms
        counter["throttled"] += status == 429
        counter["server_error"] += bool(status and status >= 500)
        counter["connection_error"] += status is None
        if self.on_call:
            self.on_call({"family": family, "method": method, "path": path, "status": status,
                          "request_id": request_id, "latency_ms": latency_ms})


class ShopSession:
    """Calls on behalf of one shop: its token is refreshed before expiry, and once after a refusal."""

    def __init__(self, client, shop_id, token_store):
        self.client = client
        self.shop_id = int(shop_id)
        self.store = token_store

    def call(self, method, path, params=None, body=None, family="other", idempotent=None, files=None):
        tokens = self._fresh_tokens()
        try:
            return self.client.call(method, path, params, body, family, idempotent, tokens.access_token, self.shop_id,
                                    files)
        except ShopeeAuthError:
            tokens = self.refresh(tokens)
            return self.client.call(method, path, params, body, family, idempotent, tokens.access_token, self.shop_id,
                                    files)

    def _fresh_tokens(self):
        tokens = self.store.load()
        if tokens is None:
            raise ShopeeAuthError("the shop is not authorized yet", "error_auth")
        if self._expiring(tokens):
            tokens = self.refresh(tokens)
        return tokens

    def _expiring(self, tokens):
        return tokens.expires_at - self.client.config.refresh_buffer_seconds <= self.client.clock()

    def refresh(self, tokens):
        """A pair newer than ``tokens`` (whose access token expires, or was refused).

        A refresh token is spent on use, and every worker of the shop may want a new pair at once: the refresh
        is done under the store's lock, once (``_refresh_once``). Should Shopee still refuse it while the stored
        pair changed meanwhile (stored by a worker that did not wait, or a new authorization), the stored pair
        is the one to go on with: the refresh is tried once more from it, instead of asking for a new
        authorization of a healthy shop."""
        try:
            return self._refresh_once(tokens)
        except ShopeeAuthError:
            stored = self.store.reload()
            if stored is None or stored.refresh_token == tokens.refresh_token:
                raise
            return self._refresh_once(tokens)

    def _refresh_once(self, tokens):
        """Under the store's lock, the stored pair read again: a pair another worker stored since ``tokens`` was
        read is used as it is (while fresh); else Shopee gives a new one, stored before the lock is let go."""
        with self.store.locked() as stored:
            if stored and stored.refresh_token != tokens.refresh_token and not self._expiring(stored):
                return stored
            fresh = self.client.refresh(self.shop_id, (stored or tokens).refresh_token)
            self.store.save(fresh)
            return fresh


def _json(response):
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _is_file(response):
    """An answer that is a file (a PDF, HTML or ZIP airway bill), not Shopee's JSON envelope."""
    return "json" not in response.headers.get("Content-Type", "")


def _refused(exc):
    """A connection refused or reset before the request left (nothing reached Shopee)."""
    text = str(exc)
    return "NewConnectionError" in text or "Connection refused" in text


def _retry_after(response):
    try:
        return float(response.headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


def _given_up(response):
    """The error once the retries within a call are spent: a wait when Shopee throttles or is busy (the work
    goes on later, nothing failed), else a retryable failure (a server error)."""
    envelope = _json(response)
    error, status = envelope.get("error") or "", response.status_code
    message, request_id = envelope.get("message") or "HTTP %s" % status, envelope.get("request_id") or ""
    if status == 429 or error in WAIT_ERRORS:
        return ShopeeWaitError(message, error, status, request_id,
                               retry_after=_retry_after(response) or DEFAULT_WAIT_SECONDS)
    return ShopeeRequestError(message, error, status, request_id, retryable=True, retry_after=_retry_after(response))
