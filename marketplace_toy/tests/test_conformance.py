"""The toy platform passes marketplace_base's conformance suite: a third platform, added with no edit of the base."""
import requests

from odoo.addons.marketplace_base.tests.common import MarketplaceCase, SimulatorControls, serve_simulator
from odoo.addons.marketplace_base.tests.conformance import PlatformConformance

from ..services.base import API_URL_PARAMETER
from ..services.order_importer import PAGE_SIZE_PARAMETER
from ..toy_sim.server import CATALOGUE, DEMO_API_KEY, ToySimulator

STOCK_CALL = "POST /v1/stock"


class TestToyConformance(PlatformConformance, SimulatorControls, MarketplaceCase):
    """A toy account and shop with the simulator's catalogue bound, the simulator started afresh for each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.http = requests.Session()
        cls.toy_account = cls.env["marketplace.account"].create({
            "name": "Toy Test", "platform": "toy", "client_secret": DEMO_API_KEY, "state": "connected"})
        cls.toy_shop = cls.env["marketplace.shop"].create({
            "name": "Toy Shop", "account_id": cls.toy_account.id, "warehouse_id": cls.warehouse.id,
            "currency_id": cls.env.ref("base.EUR").id, "auto_confirm": True, "odoo_owns_stock": True,
            "push_max_zero_percent": 100.0, "push_max_drop_percent": 100.0,
        })
        cls.toy_bindings = cls.env["marketplace.product.binding"]
        for sku in CATALOGUE:
            cls.toy_bindings |= cls.env["marketplace.product.binding"].create({
                "shop_id": cls.toy_shop.id, "product_id": cls._make_product(sku, 10.0).id, "external_sku": sku})

    def setUp(self):
        super().setUp()
        self.sim = serve_simulator(ToySimulator, self.addCleanup)
        self.env["ir.config_parameter"].sudo().set_param(API_URL_PARAMETER, self.sim.base_url)

    # -- the conformance hooks ---------------------------------------------------
    def conformance_shop(self):
        return self.toy_shop

    def conformance_new_order(self):
        return self.sim_post("/_sim/orders", {"lines": [["TOY-1", 2, 15.0]]})["id"]

    def conformance_pull(self, external_ids):
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.toy_shop,
                                                   payload={"order_ids": external_ids})
        self.run_jobs(job_ids=job.ids)
        return job

    def conformance_sliced_pull(self, external_ids):
        self.env["ir.config_parameter"].sudo().set_param(PAGE_SIZE_PARAMETER, "1")
        return self.env["marketplace.job"]._enqueue("pull_orders", shop=self.toy_shop)

    def conformance_push_bindings(self):
        return self.toy_bindings[:2]

    def conformance_push_calls(self):
        return self.sim_calls().get(STOCK_CALL, 0)

    def conformance_online_quantities(self, bindings):
        stock = self.sim_get("/_sim/stock")["stock"]
        return {binding.id: stock[binding.external_sku] for binding in bindings}

    def conformance_secret_records(self):
        return self.toy_account
