"""Shopee's error codes: waits, setup errors and refused tokens told apart, through the simulator's faults."""
from datetime import datetime, timezone

import pytest
import requests
from shopee_api import ShopeeAuthError, ShopeeSetupError, ShopeeWaitError
from shopee_api.batching import MAX_WINDOW, WINDOW_LIMIT, windows
from shopee_api.errors import ACCOUNT, SHOP, seconds_until_quota_reset, setup_scope
from shopee_api.orders import ORDER_LIST_PATH, OrderAdapter
from shopee_api.signing import common_params

from marketplace_simulators.shopee_sim.seed import DEMO_SHOP_ID

from .conftest import sim_get, sim_post

DAY = 86400


def epoch(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def test_setup_errors_are_told_from_refused_tokens():
    assert setup_scope("shop_no_linked", "") == SHOP == setup_scope("partner_shop_no_link", "")
    for error in ("error_partner_key_expired", "source_ip_undeclared", "invalid_partner_id", "error_sign",
                  "error_api_permission", "error_api_call_restricted"):
        assert setup_scope(error, "") == ACCOUNT, error
    assert setup_scope("error_auth", "No permission to current api.") == ACCOUNT
    assert setup_scope("error_auth", "The App permission for api call have been restricted") == ACCOUNT
    assert setup_scope("error_auth", "Invalid access_token.") is None
    assert setup_scope("invalid_acceess_token", "Invalid access_token.") is None
    assert setup_scope("error_rate_limit", "") is None


def test_the_daily_quota_reopens_at_midnight_utc_plus_8():
    assert seconds_until_quota_reset(epoch("2026-01-01T15:59:59")) == 1  # 23:59:59 in UTC+8
    assert seconds_until_quota_reset(epoch("2026-01-01T16:00:00")) == DAY  # 00:00 in UTC+8: a whole day
    assert seconds_until_quota_reset(epoch("2026-01-01T04:00:00")) == 12 * 3600


def test_a_rate_limit_that_lasts_is_a_wait(shop, sim):
    sim_post(sim, "/_sim/faults", {"errors": {"error_rate_limit": 10}})
    with pytest.raises(ShopeeWaitError) as waited:
        OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock())
    assert waited.value.retryable and waited.value.error == "error_rate_limit" and waited.value.retry_after == 60
    assert shop.store.saved == 0


def test_the_daily_quota_waits_until_midnight_without_retrying(shop, sim):
    sim_post(sim, "/_sim/faults", {"errors": {"error_limit": 1}})
    sim_post(sim, "/_sim/calls/reset", {})
    with pytest.raises(ShopeeWaitError) as waited:
        OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock())
    assert 0 < waited.value.retry_after <= DAY
    assert sim_get(sim, "/_sim/calls")["calls"] == {ORDER_LIST_PATH: 1}


def test_a_busy_shopee_is_retried_then_waited_for(shop, sim):
    sim_post(sim, "/_sim/faults", {"errors": {"error_system_busy": 1}})
    assert OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock()).order_sns == []
    sim_post(sim, "/_sim/faults", {"errors": {"error_system_busy": 10}})
    with pytest.raises(ShopeeWaitError):
        OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock())


@pytest.mark.parametrize("fault, scope", [("no_permission", ACCOUNT), ("api_call_restricted", ACCOUNT),
                                          ("error_partner_key_expired", ACCOUNT), ("source_ip_undeclared", ACCOUNT),
                                          ("shop_no_linked", SHOP), ("partner_shop_no_link", SHOP)])
def test_setup_errors_neither_refresh_nor_retry(shop, sim, fault, scope):
    before = shop.store.load()
    sim_post(sim, "/_sim/faults", {"errors": {fault: 1}})
    with pytest.raises(ShopeeSetupError) as refused:
        OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock())
    assert refused.value.scope == scope and not refused.value.retryable
    assert not isinstance(refused.value, ShopeeAuthError)
    assert shop.store.load() == before and shop.store.saved == 0, "no refresh token spent"


def test_a_setup_error_on_a_refresh_is_not_a_refused_token(shop, sim):
    sim_post(sim, "/_sim/faults", {"errors": {"error_partner_key_expired": 1}})
    with pytest.raises(ShopeeSetupError):
        shop.client.refresh(DEMO_SHOP_ID, shop.store.load().refresh_token)
    # the refresh token was not spent: it still works
    assert shop.client.refresh(DEMO_SHOP_ID, shop.store.load().refresh_token).access_token


def test_order_windows_stay_strictly_under_15_days(shop, sim):
    start = datetime(2026, 1, 1, 0, 0, 0, 999999)
    parts = windows(start, datetime(2026, 3, 1))
    assert all(end - begin < WINDOW_LIMIT for begin, end in parts) and parts[0][1] - parts[0][0] == MAX_WINDOW
    now = int(shop.client.clock())
    with pytest.raises(ValueError):
        OrderAdapter(shop).order_page(now - 15 * DAY, now)
    # the simulator refuses exactly 15 days too
    tokens = shop.store.load()
    query = common_params(shop.client.config.partner_key, shop.client.config.partner_id, ORDER_LIST_PATH, now,
                          tokens.access_token, DEMO_SHOP_ID)
    query.update(time_range_field="update_time", time_from=now - 15 * DAY, time_to=now, page_size=10)
    answer = requests.get(sim.base_url + ORDER_LIST_PATH, params=query, timeout=10).json()
    assert answer["error"] == "error_param"
    assert OrderAdapter(shop).order_page(now - 15 * DAY + 1, now).order_sns == []
