"""The benchmark's world: a fresh Odoo database, the eBay simulator, a connected account, shops and products."""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def import_pure(addon):
    """Make an addon's pure packages (ebay_api, shopee_api) importable as top-level ones here, with
    marketplace_base's marketplace_core beside them (they import its batcher) and the repository for
    marketplace_simulators, as tests/conftest.py does for plain pytest."""
    for path in (os.path.join(REPO, addon), os.path.join(REPO, "marketplace_base"), REPO):
        if path not in sys.path:
            sys.path.insert(0, path)
MODULES = ",".join(["marketplace_base", "ebay_connector"]
                   + (["shopee_connector"] if os.path.isfile(os.path.join(REPO, "shopee_connector", "__manifest__.py"))
                      else []))
DEMO_APP_ID = "DemoSeller-Connecto-SBX-1a2b3c4d5"      # the simulator's demo application
DEMO_CERT_ID = "SBX-demo-cert-secret"
DEMO_RU_NAME = "Demo_Seller-DemoSell-Connec-abcdefg"
# Settings that make a benchmark measure the connector rather than waits that only exist on real eBay
BENCH_PARAMS = {
    # the simulator completes a feed task on its 3rd poll; eBay takes minutes, so the 15 s poll interval
    # would only add 30 s of sleep to every backfill here
    "ebay_connector.feed_poll_seconds": "0.2",
}


class ScenarioError(Exception):
    """A scenario could not complete (e.g. its job ended failed): the benchmark exits non-zero."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STARTED = time.time()


def say(message):
    print(f"==> [{time.time() - STARTED:6.0f} s] {message}", flush=True)


def wait_until_up(process, health_url, what, log_path, timeout):
    """Wait until ``health_url`` answers; ScenarioError when ``process`` dies or ``timeout`` s pass."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise ScenarioError("%s stopped: see %s" % (what, log_path))
        try:
            if requests.get(health_url, timeout=10).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise ScenarioError("%s did not start within %s s: see %s" % (what, timeout, log_path))


def source_fingerprint():
    """Hash of the addons' files and of the Odoo version: what a fresh install depends on."""
    import odoo.release
    digest = hashlib.sha1(odoo.release.version.encode())
    for addon in MODULES.split(","):
        for folder, dirs, files in sorted(os.walk(os.path.join(REPO, addon))):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, REPO).encode())
                with open(path, "rb") as source:
                    digest.update(source.read())
    return digest.hexdigest()


def _psql(sql):
    subprocess.run(["psql", "-q", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                   env=dict(os.environ, PGOPTIONS="--client-min-messages=warning"))


def _database_comment(name):
    answer = subprocess.run(["psql", "-tA", "-d", "postgres", "-c",
                             "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '%s'"
                             % name], capture_output=True, text=True)
    return answer.stdout.strip()


class Simulator:
    """The eBay simulator in a child process (its own GIL and memory, like a remote eBay), seeded by its CLI."""

    name = "ebay_sim"

    def __init__(self, directory, listings, orders):
        self._start(directory, ["--items", str(listings), "--orders", str(orders)])

    def _start(self, directory, seed_args):
        """Start ``python -m <module>`` on a free port with a fresh SQLite file; wait until it answers."""
        os.makedirs(directory, exist_ok=True)
        self.db_path = os.path.join(directory, self.name + ".sqlite3")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db_path + suffix):
                os.remove(self.db_path + suffix)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(directory, self.name + ".log")
        env = dict(os.environ, PYTHONPATH=REPO)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "marketplace_simulators." + self.name, "--db", self.db_path, "--port", str(self.port)] + seed_args,
            env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        self.http = requests.Session()
        wait_until_up(self.process, self.base_url + "/_sim/health", self.name, self.log_path, 600)

    def get(self, path):
        response = self.http.get(self.base_url + path, timeout=60)
        response.raise_for_status()
        return response.json()

    def post(self, path, payload=None, **kwargs):
        return self.http.post(self.base_url + path, json=payload or {}, timeout=60, **kwargs)

    def calls(self):
        return self.get("/_sim/calls")

    def reset_calls(self):
        self.post("/_sim/calls/reset").raise_for_status()

    def signer(self):
        """``sign(body) -> X-EBAY-SIGNATURE`` with the simulator's key, as eBay signs its notifications."""
        import_pure("ebay_connector")
        from marketplace_simulators.ebay_sim.notification import signature_header
        from marketplace_simulators.ebay_sim.store import Store
        store = Store(self.db_path)

        def sign(body):
            with store.connection() as db:
                return signature_header(db, body)
        return sign

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Bench:
    """Odoo in this process (the registry of the bench database), plus the simulator."""

    def __init__(self, config_path, db_name, sim):
        self.config_path = config_path
        self.db_name = db_name
        self.dsn = f"dbname={db_name}"
        self.sim = sim
        self.registry = None
        self.shop_id = self.naive_shop_id = self.account_id = None

    # -- database --------------------------------------------------------------
    def create_database(self, fresh_install=False):
        """Drop and recreate the database with the addons installed without demo data.

        A fresh install takes ~100 s, so it is done once into a template database (and its filestore) that is
        rebuilt whenever the addons' sources or Odoo change; each run copies it (``--fresh-install`` forces a
        new install)."""
        template = self.db_name + "_template"
        fingerprint = source_fingerprint()
        if fresh_install or _database_comment(template) != fingerprint:
            say("installing %s into %s without demo data" % (MODULES, template))
            _psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % template)
            _psql("CREATE DATABASE %s" % template)
            subprocess.run([sys.executable, "-m", "odoo", "-c", self.config_path, "-d", template, "-i", MODULES,
                            "--without-demo=all", "--stop-after-init", "--log-level=warn"], check=True, cwd="/tmp")
            _psql("COMMENT ON DATABASE %s IS '%s'" % (template, fingerprint))
        _psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db_name)
        _psql("CREATE DATABASE %s TEMPLATE %s" % (self.db_name, template))
        filestore = os.path.join(REPO, "var", "filestore", "filestore")
        shutil.rmtree(os.path.join(filestore, self.db_name), ignore_errors=True)
        if os.path.isdir(os.path.join(filestore, template)):
            shutil.copytree(os.path.join(filestore, template), os.path.join(filestore, self.db_name))

    def reset_database(self):
        """A fresh copy of the installed database, prepared again (the engine scenario runs once per lane count)."""
        import odoo
        odoo.modules.registry.Registry.delete(self.db_name)
        odoo.sql_db.close_db(self.db_name)
        self.create_database()
        self.registry = odoo.modules.registry.Registry(self.db_name)
        self.prepare(self.sim_skus())

    def sim_order_ids(self):
        import sqlite3
        connection = sqlite3.connect(self.sim.db_path)
        try:
            return [row[0] for row in connection.execute("SELECT order_id FROM orders ORDER BY order_id")]
        finally:
            connection.close()

    def load_registry(self):
        import odoo
        from odoo.tools import config
        config.parse_config(["-c", self.config_path, "-d", self.db_name, "--log-level=warn"])
        odoo.netsvc.init_logger()
        self.registry = odoo.modules.registry.Registry(self.db_name)

    @contextmanager
    def env(self):
        """An environment on a new cursor, committed on exit (kept referenced until then: Transaction.envs
        is a WeakSet, writes made through a dropped environment are lost)."""
        from odoo import SUPERUSER_ID, api
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            yield env

    def flush_pg_stats(self):
        """Close Odoo's pooled connections so PostgreSQL publishes their row counters, then wait for it."""
        import odoo.sql_db
        odoo.sql_db.close_db(self.db_name)
        import psycopg2
        connection = psycopg2.connect(self.dsn)
        connection.autocommit = True
        try:
            with connection.cursor() as cr:
                for _ in range(50):
                    cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                               [self.db_name])
                    if not cr.fetchone()[0]:
                        break
                    time.sleep(0.1)
        finally:
            connection.close()
        time.sleep(0.2)

    # -- world -------------------------------------------------------------------
    def prepare(self, skus):
        """Parameters, the eBay account connected through the consent page, two shops, products, stock."""
        with self.env() as env:
            for key, value in BENCH_PARAMS.items():
                env["ir.config_parameter"].set_param(key, value)
            env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:8069")
            account = env["marketplace.account"].create({
                "name": "eBay (benchmark)", "platform": "ebay", "client_id": DEMO_APP_ID,
                "client_secret": DEMO_CERT_ID, "ebay_ru_name": DEMO_RU_NAME, "ebay_api_base_url": self.sim.base_url,
                # 0 = no client-side rate budget: the figures measure the connector, not our own limiter
                "ebay_pull_budget": 0, "ebay_push_budget": 0,
                "ebay_verification_token": "bench-verification-token-0123456789abcdef",
            })
            warehouse = env.ref("stock.warehouse0")
            # the naive shop only holds the naive backfill's bindings; its own site keeps every order (routed
            # by site among an account's shops) in the connector's shop
            shops = env["marketplace.shop"].create([{
                "name": name, "account_id": account.id, "marketplace_site": site, "warehouse_id": warehouse.id,
                "auto_confirm": True, "ebay_order_initial_days": 60, "odoo_owns_stock": True,
            } for name, site in (("eBay US (connector)", "EBAY_US"), ("eBay GB (naive baseline)", "EBAY_GB"))])
            self.account_id = account.id
            self.shop_id, self.naive_shop_id = shops.ids
            self.currency = shops[0].currency_id.name
        with self.env() as env:
            self._connect(env["marketplace.account"].browse(self.account_id))
        self._create_products(skus)

    def _connect(self, account):
        """The seller's consent on the simulator's page ("Agree"), then the code exchange, as in the tests."""
        url = account.action_ebay_connect()["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        answer = self.sim.http.post(self.sim.base_url + "/oauth2/authorize", data=dict(query, decision="approve"),
                                    allow_redirects=False, timeout=30)
        redirect = parse_qs(urlsplit(answer.headers["Location"]).query)
        account._ebay_finish_connect(redirect["code"][0])
        if account.state != "connected":
            raise ScenarioError("the eBay account did not connect (state %s)" % account.state)

    def _create_products(self, skus):
        """Storable products whose internal references are the SKUs, with the stock eBay shows for them."""
        quantities = self.sim_quantities()
        for start in range(0, len(skus), 1000):
            chunk = skus[start:start + 1000]
            with self.env() as env:
                products = env["product.product"].create([{
                    "name": sku, "default_code": sku, "type": "consu", "is_storable": True, "list_price": 10.0,
                } for sku in chunk])
                location = env.ref("stock.warehouse0").lot_stock_id
                Quant = env["stock.quant"]
                for product in products:
                    if quantities.get(product.default_code):
                        Quant._update_available_quantity(product, location, quantities[product.default_code])

    def sim_quantities(self):
        """SKU -> stock on eBay, read from the simulator's SQLite (setup only, no API call)."""
        import sqlite3
        connection = sqlite3.connect(self.sim.db_path)
        try:
            return dict(connection.execute("SELECT sku, quantity FROM inventory_items"))
        finally:
            connection.close()

    def sim_skus(self):
        import sqlite3
        connection = sqlite3.connect(self.sim.db_path)
        try:
            return [row[0] for row in connection.execute("SELECT sku FROM inventory_items ORDER BY seq")]
        finally:
            connection.close()

    # -- jobs ----------------------------------------------------------------------
    def run_job(self, job_type, shop_id=None, payload=None, account=False):
        """Enqueue and run one job the way the queue does (own transaction); returns its record values. The job
        is the shop's, or the account's with ``account`` (e.g. eBay's pull_finances).

        Raises ScenarioError with the job's error unless it ends done."""
        with self.env() as env:
            if account:
                job = env["marketplace.job"]._enqueue(job_type, account=env["marketplace.account"].browse(
                    self.account_id), payload=payload)
            else:
                shop = env["marketplace.shop"].browse(shop_id or self.shop_id)
                job = env["marketplace.job"]._enqueue(job_type, shop=shop, payload=payload)
            job_id = job.id
        with self.env() as env:
            env["marketplace.job"]._run_pending(job_ids=[job_id])
        with self.env() as env:
            job = env["marketplace.job"].browse(job_id)
            if job.state != "done":
                raise ScenarioError("%s (%s) ended %s: %s" % (job.name, job_type, job.state, job.last_error))
            logs = job.env["marketplace.job.log"].search([("job_id", "=", job_id)], order="id")
            return {"job": job.name, "call_count": job.call_count, "progress_fetched": job.progress_fetched,
                    "progress_stored": job.progress_stored, "progress_failed": job.progress_failed,
                    "log": [(log.level, log.message) for log in logs]}
