"""Per-account settings of the eBay client (keys, environment, timeouts, retry and rate budgets)."""
from dataclasses import dataclass, field

from .locales import site_language

HOSTS = {
    "production": ("https://api.ebay.com", "https://auth.ebay.com"),
    "sandbox": ("https://api.sandbox.ebay.com", "https://auth.sandbox.ebay.com"),
}

# The Media API (image uploads) has a host of its own (developer.ebay.com/api-docs/commerce/media/overview.html).
MEDIA_HOSTS = {"production": "https://apim.ebay.com", "sandbox": "https://apim.sandbox.ebay.com"}
# Finances, payment disputes and the Key Management API live on apiz (their OpenAPI documents' servers).
APIZ_HOSTS = {"production": "https://apiz.ebay.com", "sandbox": "https://apiz.sandbox.ebay.com"}

PULL = "pull"
PUSH = "push"
BROWSE = "browse"
# Browse allows about 5 000 calls a day per application (ebay-api-notes, "Comparables").
BROWSE_CALLS_PER_DAY = 5000

# API family -> budget group. Families name what a call does so that reads and writes of the
# same API count against the sellers' separate pull and push budgets (seller runbook).
# Families missing here (oauth, notification) are never throttled by the client: a webhook
# must fetch its signing key whatever the sync jobs consumed.
FAMILY_GROUPS = {
    "taxonomy": PULL,
    "catalog": PULL,
    "account": PULL,
    "metadata": PULL,
    "inventory.read": PULL,
    "orders": PULL,
    "finances": PULL,
    "feed": PULL,
    "inventory.write": PUSH,
    "fulfillment": PUSH,
    "post_order.read": PULL,
    "post_order.write": PUSH,
    "payment_dispute.read": PULL,
    "payment_dispute.write": PUSH,
    "browse": BROWSE,
}
# "media" (photo uploads) is left out on purpose: eBay bounds it itself (50 requests per 5 s, answered
# with 429, which the transport waits out), and counting a listing's photos against the sellers' push
# budget of 60 calls per 10 minutes would let a day's listings through in days.


@dataclass(frozen=True)
class Budget:
    """At most ``limit`` requests in any ``window_seconds``."""

    limit: int
    window_seconds: float


def default_budgets():
    """The sellers' operating budget: pull <= 30 and push <= 60 requests per 10 minutes."""
    return {PULL: Budget(30, 600), PUSH: Budget(60, 600)}


@dataclass(frozen=True)
class EbayConfig:
    """Everything the client needs for one eBay account.

    ``base_url`` overrides both the API and the auth host (the local simulator serves both).
    ``marketplace_id`` is the site the client works on: it goes out as ``X-EBAY-C-MARKETPLACE-ID`` and sets
    the language of every call (``content_language``).
    ``budgets`` maps a budget group to a Budget; an empty dict disables client-side throttling
    (tests, benchmarks). ``timeout`` is requests' (connect, read) pair in seconds."""

    app_id: str
    cert_id: str
    dev_id: str = ""
    ru_name: str = ""
    environment: str = "sandbox"
    marketplace_id: str = "EBAY_US"
    base_url: str | None = None
    timeout: tuple = (5.0, 30.0)
    refresh_buffer_seconds: float = 300
    max_attempts: int = 5
    max_retry_seconds: float = 60
    backoff_base_seconds: float = 0.5
    budgets: dict = field(default_factory=default_budgets)
    slow_at: float = 0.8
    # the language every call speaks (Content-Language, Accept-Language): the marketplace's unless one it also
    # accepts is given (fr-CA on EBAY_CA); see locales.py
    content_language: str = ""

    def __post_init__(self):
        object.__setattr__(self, "content_language", site_language(self.marketplace_id, self.content_language))
        if self.environment not in HOSTS:
            raise ValueError(f"environment must be one of {sorted(HOSTS)}, got {self.environment!r}")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @property
    def api_url(self):
        return (self.base_url or HOSTS[self.environment][0]).rstrip("/")

    @property
    def media_url(self):
        return (self.base_url or MEDIA_HOSTS[self.environment]).rstrip("/")

    @property
    def apiz_url(self):
        return (self.base_url or APIZ_HOSTS[self.environment]).rstrip("/")

    @property
    def auth_url(self):
        return (self.base_url or HOSTS[self.environment][1]).rstrip("/")
