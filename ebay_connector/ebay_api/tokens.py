"""OAuth token sets and where they are kept.

Times are epoch seconds (floats), the unit of the injected ``clock`` (``time.time``); the Odoo
layer converts them to datetimes when it stores them.
"""
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: float
    refresh_token: str | None = None
    refresh_token_expires_at: float | None = None
    scopes: tuple = ()

    def access_valid(self, now, buffer_seconds=0):
        """True while the access token has more than ``buffer_seconds`` left, so it is renewed
        before eBay starts answering 401."""
        return now + buffer_seconds < self.expires_at

    def refresh_valid(self, now):
        """True when a refresh token exists and has not expired (unknown expiry counts as valid:
        eBay decides)."""
        if not self.refresh_token:
            return False
        return self.refresh_token_expires_at is None or now < self.refresh_token_expires_at

    def expired(self):
        """A copy whose access token counts as expired, to force a refresh after a 401."""
        return replace(self, expires_at=0)


def token_set_from_response(payload, now, scopes, refresh_token=None, refresh_token_expires_at=None):
    """Build a TokenSet from eBay's token endpoint answer.

    A refresh-token grant answers without a refresh token (an application token with "N/A"):
    then the given ``refresh_token`` and its expiry stay in use."""
    if payload.get("refresh_token") not in (None, "N/A"):
        refresh_token = payload["refresh_token"]
        lifetime = payload.get("refresh_token_expires_in")
        refresh_token_expires_at = now + float(lifetime) if lifetime is not None else None
    return TokenSet(
        access_token=payload["access_token"],
        expires_at=now + float(payload["expires_in"]),
        refresh_token=refresh_token,
        refresh_token_expires_at=refresh_token_expires_at,
        scopes=tuple(scopes),
    )


class TokenStore(Protocol):
    """Where one account's user token lives (the Odoo layer stores it on the account record)."""

    def load(self) -> TokenSet | None: ...

    def save(self, tokens: TokenSet) -> None: ...


class InMemoryTokenStore:
    """A TokenStore for tests, scripts and benchmarks."""

    def __init__(self, tokens=None):
        self.tokens = tokens

    def load(self):
        return self.tokens

    def save(self, tokens):
        self.tokens = tokens
