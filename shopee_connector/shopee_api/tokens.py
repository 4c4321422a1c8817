"""A shop's token pair, and where the client keeps it."""
import threading
from contextlib import contextmanager
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
    """Tokens kept in memory (tests, benchmarks); the Odoo store writes them encrypted on the shop.

    The protocol of a token store: ``load()`` the pair (a store may keep what it read), ``reload()`` it from
    where it is kept, ``locked()`` a context in which no other worker of the shop refreshes, giving the pair
    as kept, and ``save(tokens)`` a new pair (within ``locked()``: kept when the lock is let go)."""

    def __init__(self, tokens=None):
        self.tokens = tokens
        self.saved = 0
        self.lock = threading.Lock()

    def load(self):
        return self.tokens

    def reload(self):
        return self.tokens

    @contextmanager
    def locked(self):
        with self.lock:
            yield self.tokens

    def save(self, tokens):
        self.tokens = tokens
        self.saved += 1
