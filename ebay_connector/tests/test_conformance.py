"""eBay passes marketplace_base's platform-conformance suite."""
from odoo.addons.marketplace_base.tests.conformance import PlatformConformance
from odoo.addons.marketplace_simulators.ebay_sim.notification import notification_body

from ..services import order_importer
from .common import EbayCase

BULK = "POST /sell/inventory/v1/bulk_update_price_quantity"


class TestEbayConformance(PlatformConformance, EbayCase):
    """The suite's hooks, answered by the eBay simulator (one per class, seeded with the demo listings)."""

    conformance_sends_notifications = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ebay_shop.write({"push_max_zero_percent": 100.0, "push_max_drop_percent": 100.0})
        listings = [cls.http.get(cls.sim.base_url + "/_sim/listings/DEMO-%04d" % number, timeout=10).json()
                    for number in range(1, 11)]
        published = [listing for listing in listings if listing.get("status") == "PUBLISHED"][:2]
        cls.conformance_bindings = cls.env["marketplace.product.binding"]
        for listing in published:
            cls.conformance_bindings |= cls.env["marketplace.product.binding"].create({
                "shop_id": cls.ebay_shop.id, "product_id": cls._make_product(listing["sku"], 20.0).id,
                "external_sku": listing["sku"], "external_offer_id": listing["offerId"],
                "ebay_listing_source": "inventory_api", "status": "active",
            })

    def conformance_shop(self):
        return self.ebay_shop

    def conformance_new_order(self):
        answer = self.sim_post("/_sim/orders", {"count": 1, "buyer": "conformance_buyer", "lines": [
            {"sku": self.conformance_bindings[0].external_sku, "quantity": 1}]})
        return answer["orderIds"][0]

    def conformance_pull(self, external_ids):
        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop,
                                                   payload={"order_ids": external_ids})
        self.run_jobs(job_ids=job.ids)
        return job

    def conformance_order_notification(self, external_id):
        return notification_body("ORDER_CONFIRMATION", {"orderId": external_id})

    def conformance_receive(self, body):
        return self.env["ebay.notification"]._ebay_receive(self.ebay_account, body)

    def conformance_sliced_pull(self, external_ids):
        """The pull of the ids, one id a call: a slice whose time is up stops after its first order."""
        self.patch(order_importer, "MAX_ORDER_IDS", 1)
        return self.env["marketplace.job"]._enqueue("pull_orders", shop=self.ebay_shop,
                                                    payload={"order_ids": external_ids})

    def conformance_push_bindings(self):
        return self.conformance_bindings

    def conformance_push_calls(self):
        return self.sim_calls().get(BULK, 0)

    def conformance_online_quantities(self, bindings):
        return {binding.id: self.sim_get("/_sim/listings/" + binding.external_sku)["quantity"]
                for binding in bindings}

    def conformance_secret_records(self):
        return self.ebay_account
