"""Which getPublicKey calls the webhook may spend: a bounded cache of eBay's notification keys.

Anyone can post to the webhook with a well-formed ``X-EBAY-SIGNATURE`` naming a random key id; without
care each post costs a getPublicKey call on our eBay quota (10 000 a day) and holds a request while it
waits. So: known keys are kept an hour (eBay asks to cache them), key ids eBay does not know are
remembered for ten minutes, both in one LRU of bounded size, and at most ``fetches_per_minute`` calls
are made in any minute; beyond that a post with an uncached key id is refused at once
(``SignatureError.KEY_FETCHES_EXHAUSTED``) and eBay delivers a genuine one again later.
"""
import threading
import time
from collections import OrderedDict, deque

from .errors import EbayRequestError, SignatureError

KEY_SECONDS = 3600
UNKNOWN_KEY_SECONDS = 600
MAX_ENTRIES = 256
FETCHES_PER_MINUTE = 5
FETCH_WINDOW_SECONDS = 60


class PublicKeyCache:
    """getPublicKey answers by key id, fetched only when neither cached nor remembered as unknown,
    and only within the fetch cap. Thread-safe (one per account and process, shared by the server's
    request threads); the fetch itself runs outside the lock."""

    def __init__(self, *, max_entries=MAX_ENTRIES, key_seconds=KEY_SECONDS,
                 unknown_seconds=UNKNOWN_KEY_SECONDS, fetches_per_minute=FETCHES_PER_MINUTE, clock=time.time):
        self.max_entries = max_entries
        self.key_seconds = key_seconds
        self.unknown_seconds = unknown_seconds
        self.fetches_per_minute = fetches_per_minute
        self.clock = clock
        self._entries = OrderedDict()  # kid -> (getPublicKey body, or None for unknown; expires at)
        self._fetched_at = deque()
        self._lock = threading.Lock()

    def get(self, kid, fetch):
        """getPublicKey's body for ``kid``, calling ``fetch(kid)`` (e.g.
        ``NotificationAdapter.get_public_key``, with the caller's own connection) on a miss. Raises
        SignatureError UNKNOWN_KEY when eBay does not know it (now or within ``unknown_seconds``),
        KEY_FETCHES_EXHAUSTED when it would take a call over the cap; other fetch errors (network, 5xx)
        propagate and are not remembered."""
        with self._lock:
            found, body = self._cached(kid)
            if not found:
                self._claim_fetch(kid)
        if found:
            if body is None:
                raise SignatureError(SignatureError.UNKNOWN_KEY, f"eBay does not know key {kid} (remembered)")
            return body
        try:
            body = fetch(kid)
        except EbayRequestError as exc:
            self._store(kid, None, self.unknown_seconds)
            raise SignatureError(SignatureError.UNKNOWN_KEY, f"eBay does not know key {kid}: {exc}") from exc
        self._store(kid, body, self.key_seconds)
        return body

    def _cached(self, kid):
        """``(True, body_or_None)`` for a live entry (now the most recently used), else ``(False, None)``."""
        entry = self._entries.get(kid)
        if entry is None:
            return False, None
        if entry[1] <= self.clock():
            del self._entries[kid]
            return False, None
        self._entries.move_to_end(kid)
        return True, entry[0]

    def _claim_fetch(self, kid):
        """Count one fetch in the sliding minute, or refuse it when the minute's cap is reached."""
        now = self.clock()
        while self._fetched_at and self._fetched_at[0] <= now - FETCH_WINDOW_SECONDS:
            self._fetched_at.popleft()
        if len(self._fetched_at) >= self.fetches_per_minute:
            raise SignatureError(SignatureError.KEY_FETCHES_EXHAUSTED,
                                 f"key {kid} is not cached and {self.fetches_per_minute} keys were already "
                                 f"fetched from eBay in the last minute")
        self._fetched_at.append(now)

    def _store(self, kid, body, seconds):
        """Keep an answer, dropping the least recently used entries beyond ``max_entries``."""
        with self._lock:
            self._entries[kid] = (body, self.clock() + seconds)
            self._entries.move_to_end(kid)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
