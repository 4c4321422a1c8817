"""A shop's token pair: answers shaped as Shopee's, single-use refresh tokens, one refresh for all workers, main
accounts."""
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from shopee_api import MemoryTokenStore, ShopeeAuthError, ShopeeRequestError, signing
from shopee_api.orders import OrderAdapter

from marketplace_simulators.shopee_sim.seed import DEMO_MAIN_ACCOUNT_ID, DEMO_PARTNER_ID, DEMO_SHOP_ID, SECOND_SHOP_ID

from .conftest import REDIRECT, authorize, sim_get

REFRESH_PATH = "/api/v2/auth/access_token/get"


def raw_token_call(client, path, body):
    """Shopee's answer as sent, not as the client reads it."""
    params = signing.common_params(client.config.partner_key, client.config.partner_id, path, client.clock())
    return requests.post(client.config.host + path, params=params, json=body, timeout=10).json()


def refreshes(sim):
    return sim_get(sim, "/_sim/calls")["calls"].get(REFRESH_PATH, 0)


def test_token_answers_are_at_the_top_level_as_shopee_sends_them(client):
    code = authorize(client)["code"]
    partner_id = client.config.partner_id
    first = raw_token_call(client, "/api/v2/auth/token/get",
                           {"code": code, "shop_id": DEMO_SHOP_ID, "partner_id": partner_id})
    assert "response" not in first
    assert set(first) >= {"request_id", "error", "message", "access_token", "refresh_token", "expire_in"}
    assert first["error"] == "" and first["expire_in"] == 4 * 3600
    second = raw_token_call(client, REFRESH_PATH, {"refresh_token": first["refresh_token"], "shop_id": DEMO_SHOP_ID,
                                                   "partner_id": partner_id})
    assert "response" not in second and second["error"] == ""
    assert (second["shop_id"], second["partner_id"]) == (DEMO_SHOP_ID, partner_id)
    assert second["refresh_token"] != first["refresh_token"]
    spent = raw_token_call(client, REFRESH_PATH, {"refresh_token": first["refresh_token"], "shop_id": DEMO_SHOP_ID,
                                                  "partner_id": partner_id})
    assert spent["error"] == "error_auth", "a refresh token is used once"


def test_a_pair_another_worker_stored_meanwhile_is_used_not_refreshed_again(shop, sim):
    stale = shop.store.load()
    other_worker = shop.client.shop(DEMO_SHOP_ID, shop.store)
    newer = other_worker.refresh(stale)
    assert refreshes(sim) == 1
    # this worker read the pair before the other one refreshed it: it gets the stored pair
    assert shop.refresh(stale) == newer
    assert refreshes(sim) == 1


def test_concurrent_refreshes_of_one_shop_ask_shopee_once(shop, sim):
    stale, results, errors = shop.store.load(), [], []

    def refresh():
        try:
            results.append(shop.client.shop(DEMO_SHOP_ID, shop.store).refresh(stale))
        except ShopeeAuthError as exc:
            errors.append(exc)
    threads = [threading.Thread(target=refresh) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(set(results)) == 1 and results[0] == shop.store.load()
    assert refreshes(sim) == 1


class RacedStore(MemoryTokenStore):
    """A store whose pair another worker replaced without waiting for the lock: the locked read still gave the
    old pair once."""

    def __init__(self, stale, current):
        super().__init__(current)
        self.stale = [stale]

    @contextmanager
    def locked(self):
        with self.lock:
            yield self.stale.pop() if self.stale else self.tokens


def test_a_refused_refresh_whose_stored_pair_changed_goes_on_with_the_stored_pair(shop, sim):
    stale = shop.store.load()
    current = shop.client.refresh(DEMO_SHOP_ID, stale.refresh_token)  # the other worker's refresh
    session = shop.client.shop(DEMO_SHOP_ID, RacedStore(stale, current))
    assert session.refresh(stale) == current
    assert refreshes(sim) == 2, "the stale refresh was refused, and not asked again"


def test_a_refused_refresh_with_the_stored_pair_unchanged_is_refused(shop, sim):
    stale = shop.store.load()
    shop.client.refresh(DEMO_SHOP_ID, stale.refresh_token)  # spent elsewhere, the new pair lost
    with pytest.raises(ShopeeAuthError):
        shop.refresh(stale)


def test_a_refresh_names_the_shop_and_the_partner(client):
    refresh_token = client.get_token(authorize(client)["code"], DEMO_SHOP_ID).refresh_token
    answer = raw_token_call(client, REFRESH_PATH, {"refresh_token": refresh_token, "shop_id": str(DEMO_SHOP_ID)})
    assert answer["error"] == "error_param"


def authorize_main_account(client, main_account_id=DEMO_MAIN_ACCOUNT_ID):
    """The seller logs in as a main account and confirms: the redirect's query (``code``, ``main_account_id``)."""
    answer = requests.post(client.config.host + "/api/v2/shop/auth_partner/confirm", allow_redirects=False,
                           data={"partner_id": DEMO_PARTNER_ID, "redirect": REDIRECT,
                                 "main_account_id": main_account_id}, timeout=10)
    assert answer.status_code == 302
    return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def test_a_main_account_code_gives_a_shared_pair_each_shop_then_refreshes_once(client):
    redirect = authorize_main_account(client)
    assert "shop_id" not in redirect and redirect["main_account_id"] == str(DEMO_MAIN_ACCOUNT_ID)
    with pytest.raises(ShopeeRequestError):  # the code is the main account's, not a shop's
        client.get_token(redirect["code"], DEMO_SHOP_ID)
    redirect = authorize_main_account(client)
    shared, shop_ids = client.get_main_account_token(redirect["code"], int(redirect["main_account_id"]))
    assert shop_ids == [DEMO_SHOP_ID, SECOND_SHOP_ID]
    # the shared access token serves each shop until it refreshes
    for shop_id in shop_ids:
        OrderAdapter(client.shop(shop_id, MemoryTokenStore(shared))).order_page(client.clock() - 60, client.clock())
    own = {shop_id: client.refresh(shop_id, shared.refresh_token) for shop_id in shop_ids}
    assert len({pair.refresh_token for pair in own.values()} | {shared.refresh_token}) == 3
    with pytest.raises(ShopeeAuthError):  # once per shop
        client.refresh(DEMO_SHOP_ID, shared.refresh_token)
    assert client.refresh(SECOND_SHOP_ID, own[SECOND_SHOP_ID].refresh_token).access_token
