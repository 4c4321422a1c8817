"""A shop's token pair, and where the client keeps it."""
from dataclasses import dataclass

ACCESS_TOKEN_FALLBACK_SECONDS = 4 * 3600  # Shopee: an access token lives 4 hours
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600  # Shopee: a refresh token lives 30 days, and is used once


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: float
    refresh_token: str
    refresh_expires_at: float | None = None

    @classmethod
    def from_response(cls, response, now):
        """From ``token/get`` or ``access_token/get``: both return a new pair (the old refresh token is spent)."""
        access, refresh = response.get("access_token"), response.get("refresh_token")
        if not access or not refresh:
            raise ValueError("Shopee returned no access_token/refresh_token pair")
        expire_in = int(response.get("expire_in") or ACCESS_TOKEN_FALLBACK_SECONDS)
        return cls(access, now + expire_in, refresh, now + REFRESH_TOKEN_SECONDS)


class MemoryTokenStore:
    """Tokens kept in memory (tests, benchmarks); the Odoo store writes them encrypted on the shop."""

    def __init__(self, tokens=None):
        self.tokens = tokens
        self.saved = 0

    def load(self):
        return self.tokens

    def save(self, tokens):
        self.tokens = tokens
        self.saved += 1
