"""Test base of the eBay connector: real Odoo 18, and the eBay simulator over real HTTP."""
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.addons.marketplace_base.tests.common import MarketplaceCase, SimulatorControls, serve_simulator
from odoo.addons.marketplace_simulators.ebay_sim.server import SimulatorServer

DEMO_APP_ID = "DemoSeller-Connecto-SBX-1a2b3c4d5"
DEMO_CERT_ID = "SBX-demo-cert-secret"
DEMO_RU_NAME = "Demo_Seller-DemoSell-Connec-abcdefg"


def start_simulator(test_class, **seed):
    """A simulator of the test class's own (temporary SQLite, free port), seeded, stopped after the class."""
    return serve_simulator(SimulatorServer, test_class.addClassCleanup, **seed)


class EbayCase(SimulatorControls, MarketplaceCase):
    """A connected eBay account and shop, talking to a simulator seeded with the demo data."""

    sim_seed = {"demo": True}
    # a shop whose stock and prices Odoo took over already; first-sync tests start from a new shop's False
    shop_owns_stock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = start_simulator(cls, **cls.sim_seed)
        cls.http = requests.Session()
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        set_param("ebay_connector.backoff_base_seconds", "0.01")
        set_param("ebay_connector.max_retry_seconds", "5")
        # Odoo's test harness wraps requests and cannot compare a (connect, read) timeout pair
        set_param("ebay_connector.timeout_seconds", "30")
        cls.ebay_account = cls.env["marketplace.account"].create({
            "name": "eBay Test", "platform": "ebay", "client_id": DEMO_APP_ID, "client_secret": DEMO_CERT_ID,
            "ebay_ru_name": DEMO_RU_NAME, "ebay_api_base_url": cls.sim.base_url,
            "ebay_pull_budget": 0, "ebay_push_budget": 0,
            "ebay_verification_token": "test-verification-token-0123456789abcdef",
            "ebay_endpoint_url": "https://seller.example.com/api/ebay/webhook",
        })
        cls.ebay_shop = cls.env["marketplace.shop"].create({
            "name": "eBay US Test", "account_id": cls.ebay_account.id, "marketplace_site": "EBAY_US",
            "warehouse_id": cls.warehouse.id, "auto_confirm": True, "odoo_owns_stock": cls.shop_owns_stock,
        })
        cls.connect(cls.ebay_account)

    @classmethod
    def consent_code(cls, account):
        """Click "Agree" on the simulator's consent page, as the seller would; returns the code."""
        url = account.action_ebay_connect()["url"]
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        answer = cls.http.post(cls.sim.base_url + "/oauth2/authorize", data=dict(query, decision="approve"),
                               allow_redirects=False, timeout=10)
        redirect = {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
        return redirect["code"], redirect["state"]

    @classmethod
    def connect(cls, account):
        code, _state = cls.consent_code(account)
        account._ebay_finish_connect(code)

    # -- simulator controls (sim_get, sim_post, sim_calls: SimulatorControls) ------
    def make_listing(self, code, barcode=None, **values):
        """A listing in the eBay shop of a new product ``code`` (also its SKU) with that barcode."""
        product = self._make_product(code, 0)
        product.barcode = barcode
        return self.env["marketplace.listing"].create({
            "shop_id": self.ebay_shop.id, "product_tmpl_id": product.product_tmpl_id.id, "product_id": product.id,
            "sku": code, **values})

    def reset_sim_calls(self):
        self.sim_post("/_sim/calls/reset")

    def pull_money(self):
        """The account's money pulled (Finances) by a job, which must succeed."""
        job = self.env["marketplace.job"]._enqueue("pull_finances", account=self.ebay_account)
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    def enqueue_and_run(self, job_type, payload=None, shop=None):
        """Enqueue one job for the test shop and run the queue; returns the job."""
        job = self.env["marketplace.job"]._enqueue(job_type, shop=shop or self.ebay_shop, payload=payload)
        self.run_jobs()
        return job
