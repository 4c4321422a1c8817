"""Shopee test fixtures: a simulator of each test's own over real HTTP, and a client authorized on it."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from shopee_api import MemoryTokenStore, ShopeeClient, ShopeeConfig

from marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, DEMO_SHOP_ID
from marketplace_simulators.shopee_sim.server import SimulatorServer

REDIRECT = "https://seller.example.com/shopee/auth/callback?state=abc"


@pytest.fixture
def sim(tmp_path):
    server = SimulatorServer(str(tmp_path / "shopee.sqlite3")).start()
    server.seed()
    yield server
    server.stop()


@pytest.fixture
def client(sim):
    config = ShopeeConfig(DEMO_PARTNER_ID, DEMO_PARTNER_KEY, base_url=sim.base_url, backoff_base_seconds=0.001,
                          timeout=10)
    return ShopeeClient(config, sleep=lambda seconds: None)


def authorize(client, shop_id=DEMO_SHOP_ID):
    """The seller's clicks: open the authorization page, confirm; returns the redirect's query."""
    page = requests.get(client.authorize_url(REDIRECT), timeout=10)
    page.raise_for_status()
    answer = requests.post(client.config.host + "/api/v2/shop/auth_partner/confirm", allow_redirects=False,
                           data={"partner_id": DEMO_PARTNER_ID, "redirect": REDIRECT, "shop_id": shop_id}, timeout=10)
    assert answer.status_code == 302
    return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


@pytest.fixture
def shop(client):
    redirect = authorize(client)
    store = MemoryTokenStore(client.get_token(redirect["code"], int(redirect["shop_id"])))
    return client.shop(DEMO_SHOP_ID, store)


def sim_post(sim, path, payload):
    response = requests.post(sim.base_url + path, json=payload, timeout=10)
    response.raise_for_status()
    return response.json()


def sim_get(sim, path):
    response = requests.get(sim.base_url + path, timeout=10)
    response.raise_for_status()
    return response.json()
