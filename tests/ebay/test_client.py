"""The authenticated client over real HTTP against the simulator: token renewal, retries,
error shapes, call recording."""
import time

import pytest
import requests

from ebay_api import (
    EbayAuthError,
    EbayClient,
    EbayConfig,
    EbayRequestError,
    EbayRetryableError,
    InMemoryTokenStore,
    TokenSet,
)
from ebay_api.client import encode_query
from ebay_api.inventory import InventoryAdapter

ITEMS = "/sell/inventory/v1/inventory_item"
TOKEN_CALL = "POST /identity/v1/oauth2/token"


def _get_items(client):
    return client.request("GET", ITEMS, "inventory.read", params={"limit": 1})


def test_encode_query_escapes_filter_brackets():
    query = encode_query({"filter": "lastmodifieddate:[2024-05-15T08:25:43.511Z..]", "limit": 5, "x": None})
    assert query == "filter=lastmodifieddate:%5B2024-05-15T08:25:43.511Z..%5D&limit=5"


def test_call_is_recorded_with_request_id(sim_client):
    response = _get_items(sim_client)
    assert response.status == 200 and response.request_id
    (call,) = sim_client.call_log
    assert call["status"] == 200 and call["family"] == "inventory.read" and call["attempt"] == 1
    assert call["request_id"] == response.request_id and call["latency_ms"] >= 0
    assert call["endpoint"].endswith(ITEMS + "?limit=1")
    assert sim_client.stats["inventory.read"]["calls"] == 1


def test_token_is_refreshed_before_expiry(sim_config, connected_store, sim_controls):
    tokens = connected_store.load()
    connected_store.save(TokenSet(tokens.access_token, time.time() + 100, tokens.refresh_token,
                                  tokens.refresh_token_expires_at, tokens.scopes))
    log = []
    client = EbayClient(sim_config, connected_store, on_call=log.append)
    _get_items(client)
    assert [(c["family"], c["status"]) for c in log] == [("oauth", 200), ("inventory.read", 200)]
    assert connected_store.load().access_token != tokens.access_token


def test_401_refreshes_once_and_retries(sim_client, sim_controls):
    before = sim_client.token_store.load().access_token
    sim_controls.post("expire_tokens")
    assert _get_items(sim_client).status == 200
    assert [(c["family"], c["status"]) for c in sim_client.call_log] == [
        ("inventory.read", 401), ("oauth", 200), ("inventory.read", 200)]
    assert sim_client.token_store.load().access_token != before


def test_second_401_is_an_auth_error(sim_client, sim_controls):
    sim_controls.post("faults", {"token_ttl": 0})
    sim_controls.post("expire_tokens")
    with pytest.raises(EbayAuthError) as caught:
        _get_items(sim_client)
    assert caught.value.status == 401 and caught.value.error_ids == [1001]
    assert sim_client.call_log.statuses("inventory.read") == [401, 401]


def test_missing_token_is_an_auth_error(sim_config):
    with pytest.raises(EbayAuthError):
        _get_items(EbayClient(sim_config, InMemoryTokenStore()))


def test_429_honours_retry_after_then_gives_up(sim_client, sim_controls):
    sim_controls.post("faults", {"rate_429": 1.0, "retry_after": 3})
    with pytest.raises(EbayRetryableError) as caught:
        _get_items(sim_client)
    error = caught.value
    assert error.retryable is True and error.retry_after == 3 and error.status == 429
    assert error.error_ids == [2001]
    assert len(sim_client.call_log) == sim_client.config.max_attempts
    assert len(sim_client.sleeps) == sim_client.config.max_attempts - 1
    assert all(wait >= 3 for wait in sim_client.sleeps)


def test_retry_total_time_is_bounded(sim_config, connected_store, sim_controls, fake_clock):
    sim_controls.post("faults", {"rate_429": 1.0, "retry_after": 2})
    fake_clock.now = time.time()
    config = EbayConfig(**{**sim_config.__dict__, "max_attempts": 10, "max_retry_seconds": 5})
    client = EbayClient(config, connected_store, sleep=fake_clock.sleep, clock=fake_clock)
    with pytest.raises(EbayRetryableError):
        _get_items(client)
    assert fake_clock.sleeps == [2, 2], "a third wait would pass the 5 s bound"
    assert client.stats["inventory.read"]["throttled"] == 3


def test_5xx_backs_off_and_gives_up_after_the_attempt_bound(sim_client, sim_controls):
    sim_controls.post("faults", {"rate_5xx": 1.0})
    sim_controls.post("calls/reset")
    with pytest.raises(EbayRetryableError) as caught:
        _get_items(sim_client)
    assert caught.value.status >= 500 and caught.value.retryable
    assert sim_controls.calls("GET " + ITEMS) == sim_client.config.max_attempts
    assert len(sim_client.sleeps) == sim_client.config.max_attempts - 1
    assert sim_client.stats["inventory.read"]["server_error"] == sim_client.config.max_attempts


def test_transient_faults_are_retried_to_success(sim_client, sim_controls):
    sim_controls.post("faults", {"rate_5xx": 0.5, "random_seed": 7})
    items = list(InventoryAdapter(sim_client).iter_inventory_items(page_size=5))
    assert items
    assert set(sim_client.call_log.statuses("inventory.read")) - {200} <= {500, 502, 503, 504}


def test_connection_errors_are_retryable():
    config = EbayConfig("app", "cert", base_url="http://127.0.0.1:9", budgets={}, max_attempts=2,
                        timeout=(0.5, 0.5))
    tokens = InMemoryTokenStore(TokenSet("t", time.time() + 7200))
    log, sleeps = [], []
    with pytest.raises(EbayRetryableError) as caught:
        _get_items(EbayClient(config, tokens, on_call=log.append, sleep=sleeps.append))
    assert caught.value.retry_after is None
    assert [call["status"] for call in log] == [None, None] and len(sleeps) == 1


def test_4xx_is_raised_at_once_with_ebay_errors(sim_client):
    with pytest.raises(EbayRequestError) as caught:
        sim_client.request("GET", "/sell/inventory/v1/offer", "inventory.read")  # sku is required
    error = caught.value
    assert error.status == 400 and error.retryable is False and error.request_id
    assert error.errors and {"errorId", "message"} <= set(error.errors[0])
    assert len(sim_client.call_log) == 1 and sim_client.sleeps == []


def test_budget_slows_the_client_down(sim_config, connected_store):
    from ebay_api.config import Budget

    config = EbayConfig(**{**sim_config.__dict__, "budgets": {"pull": Budget(5, 60)}})
    sleeps = []
    client = EbayClient(config, connected_store, sleep=sleeps.append)
    for _ in range(6):
        _get_items(client)
    assert len(sleeps) == 2, "call 5 is at 80 % of the budget, call 6 finds it full"
    assert 0 < sleeps[0] < sleeps[1] <= 60


def test_pooled_session_is_reused(sim_client):
    _get_items(sim_client)
    _get_items(sim_client)
    assert isinstance(sim_client.session, requests.Session)
    adapter = sim_client.session.get_adapter(sim_client.config.api_url)
    assert len(adapter.poolmanager.pools) == 1


@pytest.mark.parametrize("value, expected", [
    ("7", 7.0), ("Thu, 01 Jan 2026 00:00:10 GMT", 10.0), ("soon", None), (None, None),
])
def test_retry_after_in_seconds_or_http_date(value, expected):
    from datetime import datetime, timezone

    from ebay_api.transport import parse_retry_after

    now = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    assert parse_retry_after(value, now) == expected


def _open_pools(session, url):
    return len(session.get_adapter(url).poolmanager.pools)


def test_close_releases_the_connections_of_the_session_the_client_made(sim_config, connected_store):
    with EbayClient(sim_config, connected_store) as client:
        _get_items(client)
        assert _open_pools(client.session, sim_config.api_url) == 1
    assert _open_pools(client.session, sim_config.api_url) == 0


def test_close_leaves_a_session_it_was_given_to_its_owner(sim_config, connected_store):
    session = requests.Session()
    with EbayClient(sim_config, connected_store, session=session) as client:
        _get_items(client)
    assert _open_pools(session, sim_config.api_url) == 1
