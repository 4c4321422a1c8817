"""Test base of the Shopee connector: real Odoo 18, and the Shopee simulator over real HTTP."""
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.addons.marketplace_base.tests.common import MarketplaceCase, SimulatorControls, serve_simulator
from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_ID, DEMO_PARTNER_KEY, DEMO_SHOP_ID
from odoo.addons.marketplace_simulators.shopee_sim.server import SimulatorServer

from ..models.marketplace_account import AUTH_PURPOSE

# the simulator's catalogue: SKU -> (item id, model id)
CATALOGUE = {"FURN_0269": (800001, 0), "FURN_8900": (800002, 900001), "FURN_8855": (800002, 900002),
             "FURN_1118": (800003, 0)}


def start_simulator(test):
    """A simulator of the test's own (temporary SQLite, free port), seeded, stopped after the test: its
    state (tokens, orders, stock) must start afresh like the test's database work, which is rolled back."""
    return serve_simulator(SimulatorServer, test.addCleanup)


def authorize(http, sim, account, shop_id=DEMO_SHOP_ID, main_account_id=None):
    """The seller's clicks on Shopee's authorization page, as a shop or as a main account; then Odoo's callback
    work. Returns the shops."""
    url = account.action_shopee_authorize_shop()["url"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    page = http.get(url, timeout=10)
    page.raise_for_status()
    answer = http.post(sim.base_url + "/api/v2/shop/auth_partner/confirm", allow_redirects=False,
                       data={"partner_id": query["partner_id"], "redirect": query["redirect"],
                             **({"main_account_id": main_account_id} if main_account_id else {"shop_id": shop_id})},
                       timeout=10)
    back = {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    account._account_from_oauth_state(AUTH_PURPOSE, back["state"])  # the callback's check of the state
    return account._shopee_finish_authorization(back["code"], back.get("shop_id"), back.get("main_account_id"))


class ShopeeCase(SimulatorControls, MarketplaceCase):
    """A Shopee account with its demo shop authorized on a simulator; products bound to its models."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.http = requests.Session()
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        set_param("shopee_connector.backoff_base_seconds", "0.01")
        set_param("shopee_connector.tracking_poll_seconds", "0")
        set_param("shopee_connector.document_poll_seconds", "0")
        thb = cls.env.ref("base.THB")
        thb.active = True
        cls.shopee_account = cls.env["marketplace.account"].create({
            "name": "Shopee Test", "platform": "shopee", "client_id": str(DEMO_PARTNER_ID),
            "client_secret": DEMO_PARTNER_KEY,
            "shopee_pull_budget": 0, "shopee_push_budget": 0,
            "shopee_push_url": "https://seller.example.com/api/shopee/webhook",
        })
        cls.shopee_shop = cls.env["marketplace.shop"].create({
            "name": "Shopee TH Test", "account_id": cls.shopee_account.id, "external_shop_id": str(DEMO_SHOP_ID),
            "warehouse_id": cls.warehouse.id, "currency_id": thb.id, "auto_confirm": True, "odoo_owns_stock": True,
            "push_max_zero_percent": 100.0, "push_max_drop_percent": 100.0,
        })
        cls.shopee_products = {}
        for sku, (item_id, model_id) in CATALOGUE.items():
            product = cls._make_product(sku, 20.0)
            cls.shopee_products[sku] = product
            cls.env["marketplace.product.binding"].create({
                "shop_id": cls.shopee_shop.id, "product_id": product.id, "external_sku": sku,
                "external_listing_id": str(item_id), "external_variation_id": str(model_id) if model_id else False,
            })

    def setUp(self):
        super().setUp()
        self.sim = start_simulator(self)
        self.shopee_account.shopee_api_base_url = self.sim.base_url
        self.authorize(self.shopee_account)

    def authorize(self, account, shop_id=DEMO_SHOP_ID, main_account_id=None):
        return authorize(self.http, self.sim, account, shop_id, main_account_id)

    # -- simulator controls (sim_get, sim_post, sim_calls: SimulatorControls) ------
    def sim_stock(self):
        return {(row["item_id"], row["model_id"]): row["stock"] for row in self.sim_get("/_sim/models")["models"]
                if row["shop_id"] == DEMO_SHOP_ID}

    def enqueue_and_run(self, job_type, payload=None, shop=None):
        job = self.env["marketplace.job"]._enqueue(job_type, shop=shop or self.shopee_shop, payload=payload)
        self.run_jobs()
        return job
