"""Per-account settings of the Shopee client: partner credentials, host, timeouts, retries."""
from dataclasses import dataclass, field

# Open Platform v2 hosts (docs/shopee-api.md): Singapore-hosted production, and the current sandbox.
HOSTS = {
    "production": "https://partner.shopeemobile.com",
    "sandbox": "https://openplatform.sandbox.test-stable.shopee.sg",
}
PULL = "pull"
PUSH = "push"


@dataclass(frozen=True)
class Budget:
    """At most ``limit`` requests in any ``window_seconds``."""

    limit: int
    window_seconds: float


@dataclass(frozen=True)
class ShopeeConfig:
    """Everything the client needs for one partner (app); ``base_url`` overrides the host (the simulator,
    the Chinese Mainland or Brazil hosts)."""

    partner_id: int
    partner_key: str
    environment: str = "sandbox"
    base_url: str | None = None
    timeout: float | tuple = (5.0, 30.0)
    max_attempts: int = 4
    backoff_base_seconds: float = 0.5
    max_retry_seconds: float = 30
    # refresh an access token this long before it expires (they live 4 hours)
    refresh_buffer_seconds: float = 600
    budgets: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.environment not in HOSTS:
            raise ValueError(f"environment must be one of {sorted(HOSTS)}, got {self.environment!r}")
        if int(self.partner_id) <= 0 or not self.partner_key:
            raise ValueError("a Shopee partner id and partner key are required")

    @property
    def host(self):
        return (self.base_url or HOSTS[self.environment]).rstrip("/")
