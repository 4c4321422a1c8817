"""Which getPublicKey calls the webhook may spend: a bounded cache of eBay's notification keys.

Anyone can post to the webhook with a well-formed ``X-EBAY-SIGNATURE`` naming a random key id; without
care each post costs a getPublicKey call on our eBay quota (10 000 a day) and holds a request while it
waits. So: known keys are fresh for an hour (eBay asks to cache them), key ids eBay does not know are
remembered for ten minutes, and at most ``fetches_per_minute`` calls are made in any minute; beyond that a
post with a key id known nowhere is refused at once (``SignatureError.KEY_FETCHES_EXHAUSTED``) and eBay
delivers a genuine one again later.

Forged key ids must not silence eBay's own notifications (issue 19): a known key past its hour is still
served (up to a day) while the fetches are capped, and refreshed at the next fetch the cap allows; a key
id that a verified notification used before (*known good*) refreshes on a cap of its own, which forged ids
(they never verify) cannot spend. Keys and the cap live in a :class:`SharedKeys` backend: in one process
here (:class:`LocalKeys`), in the database for every worker of an Odoo server (``ebay.public.key``).
"""
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from .errors import EbayRequestError, SignatureError

KEY_SECONDS = 3600
MAX_STALE_SECONDS = 24 * 3600
UNKNOWN_KEY_SECONDS = 600
MAX_ENTRIES = 256
FETCHES_PER_MINUTE = 5
FETCH_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class StoredKey:
    """A getPublicKey answer, when it was fetched (epoch seconds), and whether a notification verified with it."""

    body: dict
    fetched_at: float
    known_good: bool = False


class SharedKeys:
    """What every cache of one eBay account shares: the keys fetched, which ids verified a notification, and
    the fetch cap. ``claim(priority)`` counts one getPublicKey call and says whether it may go; ``priority``
    claims (a known-good key id) are counted apart from the others."""

    def load(self, kid):
        """The StoredKey of ``kid``, or None."""
        raise NotImplementedError

    def save(self, kid, body, fetched_at):
        raise NotImplementedError

    def forget(self, kid):
        raise NotImplementedError

    def mark_good(self, kid):
        raise NotImplementedError

    def claim(self, priority):
        raise NotImplementedError


class LocalKeys(SharedKeys):
    """The shared side held in this process (plain Python, one worker): a sliding minute per claim kind."""

    def __init__(self, fetches_per_minute=FETCHES_PER_MINUTE, clock=time.time):
        self.fetches_per_minute = fetches_per_minute
        self.clock = clock
        self._keys = {}
        self._fetched_at = {False: deque(), True: deque()}
        self._lock = threading.Lock()

    def load(self, kid):
        return self._keys.get(kid)

    def save(self, kid, body, fetched_at):
        with self._lock:
            previous = self._keys.get(kid)
            self._keys[kid] = StoredKey(body, fetched_at, bool(previous and previous.known_good))

    def forget(self, kid):
        with self._lock:
            self._keys.pop(kid, None)

    def mark_good(self, kid):
        with self._lock:
            stored = self._keys.get(kid)
            if stored:
                self._keys[kid] = StoredKey(stored.body, stored.fetched_at, True)

    def claim(self, priority):
        now = self.clock()
        with self._lock:
            fetched = self._fetched_at[bool(priority)]
            while fetched and fetched[0] <= now - FETCH_WINDOW_SECONDS:
                fetched.popleft()
            if len(fetched) >= self.fetches_per_minute:
                return False
            fetched.append(now)
            return True


class PublicKeyCache:
    """getPublicKey answers by key id: an LRU in this process in front of a SharedKeys backend, fetched only
    when neither holds a fresh answer, and only within the backend's cap. Thread-safe (one per account and
    process, shared by the server's request threads); the fetch itself runs outside the lock."""

    def __init__(self, *, max_entries=MAX_ENTRIES, key_seconds=KEY_SECONDS, max_stale_seconds=MAX_STALE_SECONDS,
                 unknown_seconds=UNKNOWN_KEY_SECONDS, fetches_per_minute=FETCHES_PER_MINUTE, clock=time.time):
        self.max_entries = max_entries
        self.key_seconds = key_seconds
        self.max_stale_seconds = max_stale_seconds
        self.unknown_seconds = unknown_seconds
        self.clock = clock
        self.local = LocalKeys(fetches_per_minute, clock)
        self._entries = OrderedDict()  # kid -> StoredKey, or (None, until) for a key id eBay does not know
        self._lock = threading.Lock()

    def get(self, kid, fetch, shared=None):
        """getPublicKey's body for ``kid``, calling ``fetch(kid)`` (e.g. ``NotificationAdapter.get_public_key``,
        with the caller's own connection) when no fresh answer is held and the cap allows. Raises
        SignatureError UNKNOWN_KEY when eBay does not know it (now or within ``unknown_seconds``),
        KEY_FETCHES_EXHAUSTED when it is known nowhere and a call would go over the cap; other fetch errors
        (network, 5xx) propagate, unless a stale answer can be served meanwhile."""
        shared = shared or self.local
        now = self.clock()
        entry = self._cached(kid, now)
        if entry is None or not self._fresh(entry, now):
            loaded = shared.load(kid)  # another worker may have fetched or refreshed it
            if loaded is not None:
                entry = loaded
                self._remember(kid, entry)
        if entry is not None and self._fresh(entry, now):
            return entry.body
        stale = entry.body if entry is not None and now < entry.fetched_at + self.max_stale_seconds else None
        if not shared.claim(bool(entry and entry.known_good)):
            if stale is not None:
                return stale  # refreshed at the next fetch the cap allows
            raise SignatureError(SignatureError.KEY_FETCHES_EXHAUSTED,
                                 f"key {kid} is not cached and the fetches of the last minute are spent")
        try:
            body = fetch(kid)
        except EbayRequestError as exc:  # eBay does not know it (or no longer: a retired key)
            self._remember(kid, (None, now + self.unknown_seconds))
            shared.forget(kid)
            raise SignatureError(SignatureError.UNKNOWN_KEY, f"eBay does not know key {kid}: {exc}") from exc
        except Exception:
            if stale is not None:
                return stale
            raise
        shared.save(kid, body, now)
        self._remember(kid, StoredKey(body, now, bool(entry and entry.known_good)))
        return body

    def mark_good(self, kid, shared=None):
        """A notification verified with ``kid``: from now on it refreshes on the priority cap (once per process
        and key, so a stream of genuine notifications costs no write)."""
        with self._lock:
            entry = self._entries.get(kid)
            if not isinstance(entry, StoredKey) or entry.known_good:
                return
            self._entries[kid] = StoredKey(entry.body, entry.fetched_at, True)
        (shared or self.local).mark_good(kid)

    def _fresh(self, entry, now):
        return now < entry.fetched_at + self.key_seconds

    def _cached(self, kid, now):
        """The StoredKey held here for ``kid`` (fresh or not, now the most recently used); raises UNKNOWN_KEY for
        a key id eBay did not know within ``unknown_seconds``; None when nothing is held."""
        with self._lock:
            entry = self._entries.get(kid)
            if entry is None:
                return None
            if not isinstance(entry, StoredKey):
                if entry[1] <= now:
                    del self._entries[kid]
                    return None
                self._entries.move_to_end(kid)
                raise SignatureError(SignatureError.UNKNOWN_KEY, f"eBay does not know key {kid} (remembered)")
            self._entries.move_to_end(kid)
            return entry

    def _remember(self, kid, entry):
        """Keep an answer, dropping the least recently used entries beyond ``max_entries``."""
        with self._lock:
            self._entries[kid] = entry
            self._entries.move_to_end(kid)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
