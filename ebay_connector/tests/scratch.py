"""A committed playground for reliability tests: the scratch copy of the test database.

``scripts/test`` copies the freshly installed test database to ``$MKT_SCRATCH_DB`` before the Odoo
tests start. Tests that need what one test transaction cannot give (two workers racing, a worker
process killed, a real server answering webhooks) commit there; ``scripts/test`` drops it after.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config as odoo_config

WORKER_SCRIPT = """
import sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
odoo.tools.config.parse_config(["-c", sys.argv[1], "--log-level", "warn"])
with Registry(sys.argv[2]).cursor() as cr:
    api.Environment(cr, SUPERUSER_ID, {})["marketplace.job"]._run_pending(job_ids=[int(sys.argv[3])])
"""


LAUNCHER = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "odoo-server")


def wait_for(condition, seconds, what):
    """Poll ``condition`` until true; fail with ``what`` after ``seconds``."""
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            raise AssertionError("waited %s s for %s" % (seconds, what))
        time.sleep(0.5)


def scratch_settings():
    """(database, Odoo configuration file) given by scripts/test, or None when run otherwise."""
    name, config = os.environ.get("MKT_SCRATCH_DB"), os.environ.get("MKT_TEST_CONFIG")
    return (name, config) if name and config else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scratch:
    def __init__(self, name, config):
        self.name = name
        self.config = config
        self.processes = []
        # loading a registry while tests run would make Odoo look for the modules' test suites
        with patch.dict(odoo_config.options, {"test_enable": False}):
            self.registry = Registry(name)

    @contextmanager
    def env(self):
        """An environment on a real transaction of the scratch database, committed on exit."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            yield env

    def execute(self, query, params=()):
        """One statement in its own READ COMMITTED transaction (rows the workers update concurrently)."""
        with self.registry.cursor() as cr:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None

    def count(self, query, params=()):
        return self.execute(query, params)[0][0]

    def start_server(self, *options, log_file=None, cron_threads=0, env=None):
        """A real Odoo server on the scratch database, started like the demo (scripts/odoo-server, so that
        it can re-execute itself), with ``cron_threads`` real cron threads and the environment variables
        ``env`` (default: this process's); returns its base URL.

        The server of ``self.server`` is the last one started (to kill it like a crashed machine)."""
        port = free_port()
        process = subprocess.Popen([
            sys.executable, LAUNCHER, "-c", self.config, "-d", self.name, "--db-filter", "^%s$" % self.name,
            "--http-interface", "127.0.0.1", "--http-port", str(port), "--max-cron-threads", str(cron_threads),
            "--log-level", "warn", *options,
        ], stdout=log_file, stderr=subprocess.STDOUT if log_file else None, env=env)
        self.processes.append(process)
        self.server = process
        url = "http://127.0.0.1:%d" % port
        for _attempt in range(120):
            # a server still loading its registry holds the request until it is done: ask again
            with suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(url + "/web/health", timeout=2).status_code == 200:
                    return url
            if process.poll() is not None:
                raise RuntimeError("the Odoo server of the scratch database exited with %s" % process.returncode)
            time.sleep(0.5)
        raise RuntimeError("the Odoo server of the scratch database did not answer")

    def start_worker(self, job_id):
        """A separate worker process running one job (so that it can be killed like a crashed worker)."""
        process = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, self.config, self.name, str(job_id)])
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def connected_shop(self, env, sim, name, skus):
        """An eBay account connected to ``sim`` through the consent page, its shop, and products for ``skus``."""
        set_param = env["ir.config_parameter"].set_param
        set_param("ebay_connector.timeout_seconds", "30")  # Odoo's test harness cannot compare a timeout pair
        set_param("ebay_connector.backoff_base_seconds", "0.01")
        account = env["marketplace.account"].create({
            "name": name, "platform": "ebay", "client_id": "DemoSeller-Connecto-SBX-1a2b3c4d5",
            "client_secret": "SBX-demo-cert-secret", "ebay_ru_name": "Demo_Seller-DemoSell-Connec-abcdefg",
            "ebay_api_base_url": sim.base_url, "ebay_pull_budget": 0, "ebay_push_budget": 0,
        })
        consent_url = account.action_ebay_connect()["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(consent_url).query).items()}
        answer = requests.post(sim.base_url + "/oauth2/authorize", data=dict(query, decision="approve"),
                               allow_redirects=False, timeout=10)
        account._ebay_finish_connect(parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0])
        shop = env["marketplace.shop"].create({
            "name": name, "account_id": account.id, "marketplace_site": "EBAY_US", "auto_confirm": False,
            "ebay_order_initial_days": 60,
        })
        existing = set(env["product.product"].search([("default_code", "in", skus)]).mapped("default_code"))
        env["product.product"].create([{"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
                                       for sku in skus if sku not in existing])
        return shop
