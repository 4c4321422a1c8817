"""The simulators serve like a web server: kept-alive connections, closed once idle so their threads end."""
import http.client
import threading
import time

import pytest

from marketplace_simulators import sim_server
from marketplace_simulators.ebay_sim.server import SimulatorServer as EbaySimulator
from marketplace_simulators.shopee_sim.server import SimulatorServer as ShopeeSimulator


@pytest.fixture(params=[EbaySimulator, ShopeeSimulator], ids=["ebay", "shopee"])
def simulator(request, tmp_path, monkeypatch):
    monkeypatch.setattr(sim_server.SimulatorHandler, "timeout", 0.3)
    server = request.param(str(tmp_path / "sim.sqlite3"), host="127.0.0.1", port=0).start()
    yield server
    server.stop()


def _threads_settle_at(count, within=3.0):
    deadline = time.monotonic() + within
    while threading.active_count() > count and time.monotonic() < deadline:
        time.sleep(0.05)
    return threading.active_count()


def test_an_idle_kept_alive_connection_is_closed_and_its_thread_ends(simulator):
    before = threading.active_count()
    host, port = simulator.netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    for _ in range(2):      # kept alive: the second request goes over the same connection
        connection.request("GET", "/no/such/path")
        connection.getresponse().read()
    assert threading.active_count() == before + 1, "one thread serves the connection"
    assert connection.sock.recv(1) == b"", "the simulator closed the idle connection (else recv times out)"
    connection.close()
    assert _threads_settle_at(before) == before
