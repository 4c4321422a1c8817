"""scripts/run names every port and file of a demo after its Odoo port, so that a second demo as the README
tells it (``scripts/run --port 8070``) never meets the first, and a port already taken stops the run."""
import os
import random
import socket
import subprocess

import pytest

RUN = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "run")


def plan(*options):
    """What ``scripts/run OPTIONS`` would use: {name: value}, or the failed process."""
    done = subprocess.run(["bash", RUN, *options, "--plan"], capture_output=True, text=True, timeout=60)
    if done.returncode:
        return done
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def odoo_port_with_free_neighbours():
    """An Odoo port near the default whose next port and derived simulator ports are free too (a demo may run
    on the default ones)."""
    for port in random.sample(range(8200, 8600), 20):
        if isinstance(plan("--port", str(port)), dict) and isinstance(plan("--port", str(port + 1)), dict):
            return port
    pytest.skip("no free Odoo port with free simulator ports found")


def test_two_demos_share_no_port_and_no_file():
    port = odoo_port_with_free_neighbours()
    first, second = plan("--port", str(port)), plan("--port", str(port + 1))
    assert isinstance(second, dict), second.stderr
    assert set(first.values()).isdisjoint(second.values()), (first, second)
    ports = [first[key] for key in ("odoo_port", "ebay_sim_port", "shopee_sim_port")]
    assert len(set(ports)) == 3


def test_the_default_demo_keeps_its_names():
    default = plan()
    if not isinstance(default, dict):
        pytest.skip("a demo runs on this machine's default ports: %s" % default.stderr.strip())
    assert (default["odoo_port"], default["ebay_sim_port"], default["shopee_sim_port"]) == ("8069", "8790", "8791")
    assert default["database"] == "marketplace_demo"
    assert default["ebay_sim_state"].endswith("/var/ebay_sim.sqlite3")


def test_a_port_in_use_stops_the_demo_with_the_reason():
    port = odoo_port_with_free_neighbours()
    taken = plan("--port", str(port))["ebay_sim_port"]
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", int(taken)))
        sock.listen()
        refused = plan("--port", str(port))
    assert not isinstance(refused, dict), "the demo went on with its eBay simulator's port taken"
    assert refused.returncode != 0
    assert "Port %s (the eBay simulator) is already in use" % taken in refused.stderr
