"""The OAuth ``state`` of a consent (eBay) or a shop authorization (Shopee): signed, bound, short-lived.

A ``state`` that names only the account lets anyone who can mint one send a manager a consent link made
with the attacker's own seller account: the manager's callback would then bind our account to the
attacker's tokens (eBay) or add the attacker's shop (Shopee). So a state says who started the flow and
where: the Odoo user, a tag of the browser session (a keyed hash: the session id itself never travels
in a URL), the account, an expiry minutes away and a random nonce, all signed with the database secret
and the flow's purpose. The callback accepts it only from that user in that session before it expires;
the caller then spends the nonce (single use: ``marketplace.oauth.nonce``).

    <account>.<user>.<expires>.<session tag>.<nonce>.<signature>
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

STATE_TTL_SECONDS = 600
_SESSION_TAG_LENGTH = 16


class StateError(ValueError):
    """A state the callback must refuse."""


class StateTampered(StateError):
    """Not a state this database signed for this flow (forged, altered, truncated)."""


class StateNotYours(StateError):
    """Signed here, but started by another user or in another browser session."""


class StateExpired(StateError):
    """Signed here for this user and session, but too old."""


@dataclass(frozen=True)
class OAuthState:
    account_id: int
    user_id: int
    expires_at: int
    nonce: str


def _digest(secret, purpose, message):
    key = ("%s\x00%s" % (secret, purpose)).encode()
    return base64.urlsafe_b64encode(hmac.new(key, message.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def session_tag(secret, session_key):
    """A tag of the browser session: equal for the same session, and saying nothing of its id."""
    return _digest(secret, "session", session_key or "")[:_SESSION_TAG_LENGTH]


def mint(secret, purpose, account_id, user_id, session_key, now, ttl=STATE_TTL_SECONDS, nonce=None):
    """A new state for ``account_id`` started by ``user_id`` in ``session_key`` at ``now`` (epoch seconds)."""
    nonce = nonce or secrets.token_urlsafe(12)
    message = "%d.%d.%d.%s.%s" % (int(account_id), int(user_id), int(now + ttl), session_tag(secret, session_key),
                                  nonce)
    return "%s.%s" % (message, _digest(secret, purpose, message))


def check(secret, purpose, state, user_id, session_key, now):
    """The state's content when ``user_id`` in ``session_key`` may use it at ``now``; else a StateError."""
    parts = (state or "").split(".")
    if len(parts) != 6 or not all(part.isdigit() for part in parts[:3]) or not all(parts[3:]):
        raise StateTampered("malformed state")
    message, signature = ".".join(parts[:5]), parts[5]
    if not hmac.compare_digest(_digest(secret, purpose, message), signature):
        raise StateTampered("bad signature")
    account_id, owner_id, expires_at = (int(part) for part in parts[:3])
    if owner_id != int(user_id):
        raise StateNotYours("started by another user")
    if not hmac.compare_digest(parts[3], session_tag(secret, session_key)):
        raise StateNotYours("started in another session")
    if now >= expires_at:
        raise StateExpired("expired")
    return OAuthState(account_id, owner_id, expires_at, parts[4])
