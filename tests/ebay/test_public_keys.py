"""The webhook's key cache: what a post naming a key id may cost in getPublicKey calls."""
import threading

import pytest

from ebay_api.errors import EbayRequestError, EbayRetryableError, SignatureError
from ebay_api.public_keys import LocalKeys, PublicKeyCache
from ebay_api.signature import SignatureVerifier

GENUINE = "genuine-kid"


class KeyServer:
    """getPublicKey stand-in: knows GENUINE only, counts its calls."""

    def __init__(self, body=None):
        self.body = body or {"key": "PEM"}
        self.calls = []

    def __call__(self, kid):
        self.calls.append(kid)
        if kid != GENUINE:
            raise EbayRequestError("HTTP 404: key not found", status=404)
        return self.body


def _reason(cache, kid, fetch):
    with pytest.raises(SignatureError) as caught:
        cache.get(kid, fetch)
    return caught.value.reason


def test_known_key_is_fetched_once_until_it_expires(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(key_seconds=3600, clock=fake_clock)
    assert cache.get(GENUINE, server) == server.body
    fake_clock.now += 3599
    assert cache.get(GENUINE, server) == server.body
    assert server.calls == [GENUINE]
    fake_clock.now += 2
    cache.get(GENUINE, server)
    assert server.calls == [GENUINE, GENUINE]


def test_unknown_key_is_remembered_for_a_while(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(unknown_seconds=600, clock=fake_clock)
    assert _reason(cache, "forged", server) == SignatureError.UNKNOWN_KEY
    fake_clock.now += 599
    assert _reason(cache, "forged", server) == SignatureError.UNKNOWN_KEY
    assert server.calls == ["forged"]
    fake_clock.now += 2
    assert _reason(cache, "forged", server) == SignatureError.UNKNOWN_KEY
    assert server.calls == ["forged", "forged"]


def test_sixty_forged_key_ids_cost_at_most_the_cap_and_the_genuine_key_still_works(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(fetches_per_minute=5, clock=fake_clock)
    cache.get(GENUINE, server)
    reasons = [_reason(cache, f"forged-{n}", server) for n in range(60)]
    assert len(server.calls) == 5
    assert reasons[:4] == [SignatureError.UNKNOWN_KEY] * 4
    assert set(reasons[4:]) == {SignatureError.KEY_FETCHES_EXHAUSTED}
    assert cache.get(GENUINE, server) == server.body, "a cached key needs no fetch"
    fake_clock.now += 60
    assert _reason(cache, "forged-59", server) == SignatureError.UNKNOWN_KEY, "a new minute, a new fetch"
    assert len(server.calls) == 6


def _spend_the_cap(cache, server, shared=None):
    """Sixty forged key ids: the minute's fetches are spent."""
    reasons = [_reason_shared(cache, f"forged-{n}", server, shared) for n in range(60)]
    assert reasons[-1] == SignatureError.KEY_FETCHES_EXHAUSTED


def _reason_shared(cache, kid, fetch, shared):
    with pytest.raises(SignatureError) as caught:
        cache.get(kid, fetch, shared)
    return caught.value.reason


def test_a_known_key_past_its_hour_is_served_while_fetches_are_capped_then_refreshed(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(key_seconds=3600, fetches_per_minute=5, clock=fake_clock)
    cache.get(GENUINE, server)
    fake_clock.now += 3601
    _spend_the_cap(cache, server)
    calls = len(server.calls)
    assert cache.get(GENUINE, server) == server.body, "stale but served: the cap is spent"
    assert len(server.calls) == calls
    fake_clock.now += 60
    assert cache.get(GENUINE, server) == server.body
    assert server.calls[calls:] == [GENUINE], "refreshed at the next fetch the cap allows"
    assert cache.get(GENUINE, server) == server.body
    assert server.calls[calls:] == [GENUINE], "fresh again: no call"


def test_a_stale_key_is_served_when_its_refresh_fails_on_the_network(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(key_seconds=3600, clock=fake_clock)
    cache.get(GENUINE, server)
    fake_clock.now += 3601

    def down(kid):
        raise EbayRetryableError("read timeout")

    assert cache.get(GENUINE, down) == server.body


def test_a_stale_key_is_not_served_for_ever(fake_clock):
    server = KeyServer()
    cache = PublicKeyCache(key_seconds=3600, max_stale_seconds=86400, fetches_per_minute=5, clock=fake_clock)
    cache.get(GENUINE, server)
    fake_clock.now += 86401
    _spend_the_cap(cache, server)
    assert _reason(cache, GENUINE, server) == SignatureError.KEY_FETCHES_EXHAUSTED


def test_a_key_ebay_retired_is_refused_at_its_refresh(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(key_seconds=3600, clock=fake_clock)
    cache.get(GENUINE, server)
    fake_clock.now += 3601
    assert _reason(cache, GENUINE, lambda kid: server("retired")) == SignatureError.UNKNOWN_KEY


def test_a_known_good_key_id_jumps_the_queue_of_forged_ones(fake_clock):
    server, cache = KeyServer(), PublicKeyCache(key_seconds=3600, max_stale_seconds=3600, fetches_per_minute=5,
                                                clock=fake_clock)
    cache.get(GENUINE, server)
    cache.mark_good(GENUINE)   # a notification verified with it
    fake_clock.now += 3601     # past its hour and past serving it stale: it must be fetched
    _spend_the_cap(cache, server)
    calls = len(server.calls)
    assert cache.get(GENUINE, server) == server.body
    assert server.calls[calls:] == [GENUINE], "fetched on the known-good ids' own cap"


def test_workers_share_the_keys_and_the_cap(fake_clock):
    """Two worker processes (two caches) over one shared backend, as ebay.public.key shares them in Odoo."""
    server, shared = KeyServer(), LocalKeys(fetches_per_minute=5, clock=fake_clock)
    first, second = PublicKeyCache(clock=fake_clock), PublicKeyCache(clock=fake_clock)
    first.get(GENUINE, server, shared)
    assert second.get(GENUINE, server, shared) == server.body
    assert server.calls == [GENUINE], "the second worker reads the key the first one fetched"
    _spend_the_cap(first, server, shared)
    assert len(server.calls) == 5
    assert _reason_shared(second, "forged-new", server, shared) == SignatureError.KEY_FETCHES_EXHAUSTED
    assert len(server.calls) == 5, "the cap is one for both workers"


def test_cache_is_bounded_and_drops_the_least_recently_used(fake_clock):
    server = KeyServer()
    cache = PublicKeyCache(max_entries=3, fetches_per_minute=100, clock=fake_clock)
    cache.get(GENUINE, server)
    for kid in ("a", "b"):
        _reason(cache, kid, server)
    cache.get(GENUINE, server)  # GENUINE is now the most recently used
    _reason(cache, "c", server)  # evicts "a"
    assert len(cache._entries) == 3
    calls = len(server.calls)
    cache.get(GENUINE, server)
    _reason(cache, "b", server)
    assert len(server.calls) == calls, "GENUINE and b stayed"
    _reason(cache, "a", server)
    assert len(server.calls) == calls + 1, "a was dropped"


def test_network_trouble_is_not_remembered(fake_clock):
    cache = PublicKeyCache(clock=fake_clock)
    calls = []

    def failing(kid):
        calls.append(kid)
        raise EbayRetryableError("read timeout")

    for _attempt in range(2):
        with pytest.raises(EbayRetryableError):
            cache.get(GENUINE, failing)
    assert calls == [GENUINE, GENUINE]


def test_threads_share_the_cap():
    server, cache = KeyServer(), PublicKeyCache(fetches_per_minute=5)
    reasons = []

    def post(n):
        try:
            cache.get(f"forged-{n}", server)
        except SignatureError as exc:
            reasons.append(exc.reason)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.calls) == 5
    assert reasons.count(SignatureError.KEY_FETCHES_EXHAUSTED) == 15


def test_verifier_with_the_cache_accepts_the_genuine_sample_once_fetched(ebay_sample, fake_clock):
    vector = ebay_sample("notification-signature-vector.json")
    calls = []

    def fetch(kid):
        calls.append(kid)
        return vector["getPublicKey_response"]

    cache = PublicKeyCache(clock=fake_clock)
    verifier = SignatureVerifier(lambda kid: cache.get(kid, fetch))
    for _post in range(3):
        assert verifier.verify(vector["body_compact"].encode(), vector["header_X-EBAY-SIGNATURE"]) is None
    assert calls == [vector["kid"]]
