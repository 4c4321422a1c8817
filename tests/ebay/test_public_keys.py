"""The webhook's key cache: what a post naming a key id may cost in getPublicKey calls."""
import threading

import pytest

from ebay_api.errors import EbayRequestError, EbayRetryableError, SignatureError
from ebay_api.public_keys import PublicKeyCache
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
