"""One HTTP exchange with eBay, retried when eBay says "later".

Shared by the OAuth client and the API client so that every exchange (token calls included) is
timed, counted, reported to ``on_call`` and retried the same way: 429, 5xx, timeouts and
connection errors are retried with exponential backoff and full jitter, waiting at least what
``Retry-After`` asks, bounded by ``max_attempts`` and ``max_retry_seconds``; the last failure is
raised as EbayRetryableError. Any other answer (2xx, 3xx, 4xx) goes back to the caller.

A non-idempotent request (a POST, unless its caller says repeating it is harmless) is sent again
only when it surely did not reach eBay: the connection could not be opened, or eBay answered 429.
After a read timeout, a dropped connection or a 5xx eBay may have applied it, so it is raised at
once as EbayUncertainError for the caller to check on eBay (``createShippingFulfillment`` twice
would report one parcel twice).
"""
import contextlib
import email.utils
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from .config import FAMILY_GROUPS
from .errors import EbayRetryableError, EbayUncertainError
from .rate_budget import RateBudget

REQUEST_ID_HEADERS = ("X-EBAY-C-REQUEST-ID", "rlogid")
MAX_BACKOFF_SECONDS = 30


@dataclass(frozen=True)
class ApiResponse:
    """What callers get back: status, parsed JSON body (None when not JSON), headers, raw bytes
    (for report downloads) and eBay's request id."""

    status: int
    body: object
    headers: object = field(repr=False)  # requests' case-insensitive header mapping
    content: bytes = field(repr=False)
    request_id: str | None = None

    @property
    def errors(self):
        """eBay's ``errors[]`` when the body has one."""
        if isinstance(self.body, dict) and isinstance(self.body.get("errors"), list):
            return self.body["errors"]
        return []

    def location_id(self):
        """The id at the end of the ``Location`` header (created task, shipping fulfillment),
        or None when eBay sent none."""
        location = self.headers.get("Location")
        if not location:
            return None
        return unquote(urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1])


def build_session(pool_size=4):
    """A pooled session: one per account, so connections are reused across calls."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def build_budgets(config, clock, sleep):
    """One RateBudget per budget group configured (none when ``config.budgets`` is empty)."""
    return {
        group: RateBudget(budget.limit, budget.window_seconds, config.slow_at, clock, sleep)
        for group, budget in (config.budgets or {}).items()
    }


def parse_retry_after(value, now):
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def _is_retryable_status(status):
    return status == 429 or status >= 500


def is_idempotent(method):
    """Whether sending ``method`` twice has the effect of sending it once. eBay's PUTs here are
    createOrReplace (full replace), GET and DELETE are safe; a POST creates or acts."""
    return method.upper() != "POST"


def never_sent(exc):
    """Whether a requests exception proves the request never reached the server: the TCP
    connection timed out or was refused before a byte was sent. A read timeout or a connection
    dropped while waiting for the answer proves nothing."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _to_response(http_response):
    headers = http_response.headers  # case-insensitive, as HTTP header names are
    try:
        body = http_response.json() if http_response.content else None
    except json.JSONDecodeError:
        body = None
    request_id = next((headers[name] for name in REQUEST_ID_HEADERS if name in headers), None)
    return ApiResponse(http_response.status_code, body, headers, http_response.content, request_id)


class Transport:
    def __init__(self, config, session, *, on_call=None, sleep=time.sleep, clock=time.time,
                 budgets=None, rng=None):
        self.config = config
        self.session = session
        self.on_call = on_call
        self.sleep = sleep
        self.clock = clock
        self.budgets = build_budgets(config, clock, sleep) if budgets is None else budgets
        self.stats = defaultdict(Counter)
        self._rng = rng or random.Random()

    def send(self, method, url, family, *, idempotent=None, **kwargs):
        """Send until eBay gives a final answer; return it, or raise EbayRetryableError.

        ``idempotent`` defaults to ``is_idempotent(method)``; a caller passes True for a POST
        that only reads or sets absolute values. A non-idempotent request that may have reached
        eBay raises EbayUncertainError at once instead of being sent again."""
        if idempotent is None:
            idempotent = is_idempotent(method)
        deadline = self.clock() + self.config.max_retry_seconds
        for attempt in itertools.count(1):
            response, failure = self._attempt(method, url, family, attempt, kwargs)
            if failure is None:
                return response
            if not idempotent and failure.maybe_applied:
                raise EbayUncertainError(failure.message, retry_after=failure.retry_after, status=failure.status,
                                         errors=failure.errors, request_id=failure.request_id)
            delay = self._backoff(attempt, failure.retry_after)
            if attempt >= self.config.max_attempts or self.clock() + delay > deadline:
                raise failure
            self.sleep(delay)

    def _attempt(self, method, url, family, attempt, kwargs):
        """One exchange: (response, None) when final, (None, EbayRetryableError) otherwise."""
        self._acquire_budget(family)
        started = self.clock()
        try:
            http_response = self.session.request(method, url, timeout=self.config.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            self._record(method, url, family, None, started, None, attempt)
            return None, EbayRetryableError(f"{method} {url}: {exc.__class__.__name__}: {exc}",
                                            maybe_applied=not never_sent(exc))
        response = _to_response(http_response)
        self._record(method, url, family, response.status, started, response.request_id, attempt)
        if not _is_retryable_status(response.status):
            return response, None
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
        return None, EbayRetryableError(
            f"{method} {url}: HTTP {response.status}",
            retry_after=retry_after,
            maybe_applied=response.status != 429,  # eBay throttles before doing anything
            status=response.status,
            errors=response.errors,
            request_id=response.request_id,
        )

    def _backoff(self, attempt, retry_after):
        """Full-jitter exponential backoff, never shorter than eBay's Retry-After."""
        ceiling = min(MAX_BACKOFF_SECONDS, self.config.backoff_base_seconds * 2 ** (attempt - 1))
        return max(retry_after or 0.0, self._rng.uniform(0, ceiling))

    def _acquire_budget(self, family):
        budget = self.budgets.get(FAMILY_GROUPS.get(family))
        if budget is not None:
            budget.acquire()

    def _record(self, method, url, family, status, started, request_id, attempt):
        latency_ms = round((self.clock() - started) * 1000, 1)
        counters = self.stats[family]
        counters["calls"] += 1
        counters["latency_ms"] += latency_ms
        counters[_status_counter(status)] += 1
        if self.on_call:
            self.on_call({
                "method": method,
                "endpoint": url,
                "family": family,
                "status": status,
                "latency_ms": latency_ms,
                "request_id": request_id,
                "attempt": attempt,
            })


def _status_counter(status):
    """Counter name for one exchange: ok, throttled (429), server_error (5xx),
    client_error (other 4xx) or connection_error (no answer)."""
    if status is None:
        return "connection_error"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "ok"
