"""Shared fixtures of the eBay tests (client and simulator). Add fixtures; do not rewrite others'."""
import json
import os

import pytest

SAMPLES_DIR = os.path.join(os.path.dirname(__file__), "samples")


# ---------------------------------------------------------------- ebay_api client fixtures


class FakeClock:
    """An injected clock whose sleep() records the wait and moves time on, so retry and budget
    behaviour is tested without waiting."""

    def __init__(self, now=1_700_000_000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def ebay_sample():
    """Load one of tests/ebay/samples/*.json (copies of shared/ebay-samples) by file name."""
    def load(name):
        with open(os.path.join(SAMPLES_DIR, name), encoding="utf-8") as handle:
            return json.load(handle)
    return load


# Demo application seeded by the simulator (docs/ebay-simulator.md).
DEMO_APP_ID = "DemoSeller-Connecto-SBX-1a2b3c4d5"
DEMO_CERT_ID = "SBX-demo-cert-secret"
DEMO_RU_NAME = "Demo_Seller-DemoSell-Connec-abcdefg"


class SimControls:
    """The simulator's ``/_sim/*`` test controls (not part of eBay)."""

    def __init__(self, base_url):
        import requests

        self.base_url = base_url
        self.http = requests.Session()

    def post(self, path, payload=None):
        response = self.http.post(f"{self.base_url}/_sim/{path}", json=payload or {}, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def get(self, path):
        response = self.http.get(f"{self.base_url}/_sim/{path}", timeout=10)
        response.raise_for_status()
        return response.json()

    def calls(self, key=None):
        counts = self.get("calls")
        return counts["calls"].get(key, 0) if key else counts["total"]


@pytest.fixture
def sim_controls(sim):
    controls = SimControls(sim.base_url)
    yield controls
    controls.post("faults", {})


@pytest.fixture
def sim_config(sim):
    """Client settings for the simulator: no budgets and quick backoff, so tests stay fast."""
    from ebay_api import EbayConfig

    return EbayConfig(DEMO_APP_ID, DEMO_CERT_ID, ru_name=DEMO_RU_NAME, base_url=sim.base_url,
                      budgets={}, backoff_base_seconds=0.01, timeout=(2, 10))


def consent_code(sim_controls, oauth_client, state="st-1"):
    """Click "Agree" on the simulator's consent page for the client's consent URL; returns the code."""
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(oauth_client.consent_url(state)).query).items()}
    answer = sim_controls.http.post(f"{sim_controls.base_url}/oauth2/authorize",
                                    data=dict(query, decision="approve"), allow_redirects=False, timeout=10)
    redirect = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert redirect["state"] == state
    return redirect["code"]


@pytest.fixture
def connected_store(sim_config, sim_controls):
    """A token store holding a user token obtained through the consent flow."""
    from ebay_api import InMemoryTokenStore
    from ebay_api.oauth import OAuthClient
    from ebay_api.transport import build_session

    oauth = OAuthClient(sim_config, build_session())
    return InMemoryTokenStore(oauth.exchange_code(consent_code(sim_controls, oauth)))


class CallLog(list):
    """An ``on_call`` recorder."""

    def statuses(self, family=None):
        return [call["status"] for call in self if family in (None, call["family"])]


@pytest.fixture
def sim_client(sim_config, connected_store):
    """An EbayClient on the simulator whose sleeps are recorded, not slept."""
    from ebay_api import EbayClient

    log, sleeps = CallLog(), []
    client = EbayClient(sim_config, connected_store, on_call=log.append, sleep=sleeps.append)
    client.call_log, client.sleeps = log, sleeps
    return client


# ---------------------------------------------------------------- ebay_sim simulator fixtures


@pytest.fixture
def sim(tmp_path):
    """A running simulator on a free port with its own SQLite file, seeded with the demo data."""
    from marketplace_simulators.ebay_sim.server import SimulatorServer

    server = SimulatorServer(str(tmp_path / "ebay_sim.sqlite3"), host="127.0.0.1", port=0)
    server.seed(demo=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ebay_sample_order():
    """The documented getOrders sample's first order (valid: the property tests damage copies of it)."""
    with open(os.path.join(SAMPLES_DIR, "fulfillment-getOrders.json"), encoding="utf-8") as handle:
        return json.load(handle)["response"]["orders"][0]


@pytest.fixture(scope="session")
def ebay_sample_item():
    with open(os.path.join(SAMPLES_DIR, "inventory-getInventoryItems.json"), encoding="utf-8") as handle:
        return json.load(handle)["response"]["inventoryItems"][0]
