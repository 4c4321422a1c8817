from ..shopee_api.pricing import shopee_price
from .common import ShopeeCase


class TestShopeeContracts(ShopeeCase):
    """What the real Shopee refuses or demands, through the simulator: whole-currency prices, waits, setup
    errors, the token refresh race, main-account authorization."""

    def sim_price(self, item_id, model_id=0):
        return {(row["item_id"], row["model_id"]): row["price"] for row in self.sim_get("/_sim/models")["models"]
                if row["shop_id"] == int(self.shopee_shop.external_shop_id)}[(item_id, model_id)]

    def thb_price(self, product):
        """The chair's price in the shop's currency, as the price push computes it."""
        price = self.env["product.pricelist"]._compute_price_rule(product, 1.0, currency=self.shopee_shop.currency_id)
        return round(price[product.id][0], 2)

    def test_a_th_price_is_pushed_as_a_whole_amount_and_kept_as_pushed(self):
        self.assertEqual(self.shopee_shop.shopee_region, "TH", "from the shop's currency, THB")
        chair = self.shopee_products["FURN_0269"]
        chair.list_price = 199.5
        thb_price = self.thb_price(chair)
        self.assertNotEqual(thb_price, int(thb_price), "a price in THB with satang")
        job = self.enqueue_and_run("push_price", payload={"product_ids": [chair.id]})
        self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self.sim_price(800001), shopee_price(thb_price, "TH"))
        binding = self.env["marketplace.product.binding"].search([("shop_id", "=", self.shopee_shop.id),
                                                                  ("external_sku", "=", "FURN_0269")])
        self.assertEqual(binding.last_pushed_price, shopee_price(thb_price, "TH"), "what Shopee shows")
        # a change of a few satang rounds to the same whole amount: nothing to send
        chair.list_price = 199.49
        self.assertNotEqual(self.thb_price(chair), thb_price)
        self.sim_post("/_sim/calls/reset")
        job = self.enqueue_and_run("push_price", payload={"product_ids": [chair.id]})
        self.assertEqual(job.state, "done", job.last_error)
        self.assertNotIn("/api/v2/product/update_price", self.sim_calls())
