"""Shopee passes marketplace_base's platform-conformance suite."""
import json

from odoo.addons.marketplace_base.tests.conformance import PlatformConformance
from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_SHOP_ID

from .common import ShopeeCase

UPDATE_STOCK = "/api/v2/product/update_stock"


class TestShopeeConformance(PlatformConformance, ShopeeCase):
    """The suite's hooks, answered by the Shopee simulator (a fresh one per test: ShopeeCase.setUp)."""

    conformance_sends_notifications = True

    def conformance_shop(self):
        return self.shopee_shop

    def conformance_new_order(self):
        return self.sim_post("/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]

    def conformance_pull(self, external_ids):
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shopee_shop,
                                                   payload={"order_sns": external_ids})
        self.run_jobs(job_ids=job.ids)
        return job

    def conformance_order_notification(self, external_id):
        """Shopee's order status push (code 3)."""
        return json.dumps({"shop_id": DEMO_SHOP_ID, "code": 3, "timestamp": 1780000000,
                           "data": {"ordersn": external_id, "status": "READY_TO_SHIP"}}).encode()

    def conformance_receive(self, body):
        return self.env["shopee.push"]._shopee_receive(self.shopee_account, body)

    def conformance_sliced_pull(self, external_ids):
        """The window pull, one order a page: a slice whose time is up stops after its first page."""
        self.env["ir.config_parameter"].sudo().set_param("shopee_connector.order_page_size", "1")
        return self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shopee_shop)

    def conformance_push_bindings(self):
        """The two models of item 800002: Shopee takes one item's models in one call."""
        return self.env["marketplace.product.binding"].search([("shop_id", "=", self.shopee_shop.id),
                                                               ("external_listing_id", "=", "800002")])

    def conformance_push_calls(self):
        return self.sim_calls().get(UPDATE_STOCK, 0)

    def conformance_online_quantities(self, bindings):
        stock = self.sim_stock()
        return {binding.id: stock[(int(binding.external_listing_id), int(binding.external_variation_id or 0))]
                for binding in bindings}

    def conformance_secret_records(self):
        return [self.shopee_account, self.shopee_shop]
