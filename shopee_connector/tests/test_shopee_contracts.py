from datetime import datetime, time, timedelta

from odoo.addons.marketplace_simulators.shopee_sim.seed import (
    DEMO_MAIN_ACCOUNT_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SECOND_SHOP_ID,
)

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

    def test_a_rate_limit_makes_the_job_wait_not_fail(self):
        self.sim_post("/_sim/faults", {"errors": {"error_rate_limit": 20}})
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "pending", job.last_error)
        self.assertEqual(job.attempts, 0, "a wait is not a failed attempt")
        self.assertGreaterEqual(job.next_attempt_at, job.write_date + timedelta(seconds=59))
        self.assertIn("Shopee asked to wait", " ".join(job.log_ids.mapped("message")))
        self.assertEqual(self.shopee_shop.authorization_state, "authorized")
        # Shopee lets calls through again: the job goes on at its time
        self.sim_post("/_sim/faults", {"errors": {"error_rate_limit": 0}})
        job.next_attempt_at = job.create_date
        self.run_jobs()
        self.assertEqual(job.state, "done", job.last_error)

    def test_the_daily_quota_waits_until_midnight_in_utc_plus_8(self):
        self.sim_post("/_sim/faults", {"errors": {"error_limit": 1}})
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual((job.state, job.attempts), ("pending", 0), job.last_error)
        utc8 = job.write_date + timedelta(hours=8)
        midnight = datetime.combine(utc8.date() + timedelta(days=1), time()) - timedelta(hours=8)
        self.assertAlmostEqual(job.next_attempt_at, midnight, delta=timedelta(seconds=5))

    def test_a_permission_refusal_is_a_setup_problem_on_the_account_not_a_refused_token(self):
        refresh = self.shopee_shop._get_secret("refresh_token")
        self.sim_post("/_sim/faults", {"errors": {"no_permission": 1}})
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "failed")
        self.assertIn("API permissions", job.last_error)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.authorization_state, "authorized", "the token was not refused")
        self.assertEqual(self.shopee_shop._get_secret("refresh_token"), refresh, "nor spent")
        self.assertEqual(self.shopee_account.state, "error")
        self.assertIn("API permissions", self.shopee_account.shopee_setup_problem)
        self.assertFalse(self.env["marketplace.shop"]._shopee_active_shops() & self.shopee_shop, "crons skip it")

    def test_an_expired_partner_key_says_what_to_do_until_a_new_key_is_entered(self):
        self.sim_post("/_sim/faults", {"errors": {"error_partner_key_expired": 1}})
        job = self.enqueue_and_run("push_stock")
        self.assertEqual(job.state, "failed")
        self.assertIn("Reset it in Shopee's Open Platform console", self.shopee_account.shopee_setup_problem)
        self.assertEqual(job.last_error, self.shopee_account.shopee_setup_problem)
        self.shopee_account.client_secret = DEMO_PARTNER_KEY  # the seller enters the (new) key
        self.assertEqual((self.shopee_account.state, self.shopee_account.shopee_setup_problem), ("connected", False))

    def test_a_shop_no_longer_linked_to_the_app_asks_for_its_authorization(self):
        self.sim_post("/_sim/faults", {"errors": {"shop_no_linked": 1}})
        job = self.enqueue_and_run("pull_orders")
        self.assertEqual(job.state, "failed")
        self.assertIn("authorize the shop again", job.last_error)
        self.env.invalidate_all()
        self.assertEqual(self.shopee_shop.authorization_state, "needs_reauth")
        self.assertEqual(self.shopee_account.state, "connected", "the account's other shops go on")

    def test_a_main_account_authorizes_each_of_its_shops_with_tokens_of_their_own(self):
        self.sim_post("/_sim/calls/reset")
        shops = self.authorize(self.shopee_account, main_account_id=DEMO_MAIN_ACCOUNT_ID)
        self.assertEqual(sorted(shops.mapped("external_shop_id")), [str(DEMO_SHOP_ID), str(SECOND_SHOP_ID)])
        self.assertIn(self.shopee_shop, shops, "a shop already known is found by its Shopee id, not created again")
        self.assertEqual(set(shops.mapped("authorization_state")), {"authorized"})
        calls = self.sim_calls()
        self.assertEqual((calls["/api/v2/auth/token/get"], calls["/api/v2/auth/access_token/get"]), (1, 2),
                         "one code exchanged, then one refresh per shop")
        pairs = {(shop._get_secret("access_token"), shop._get_secret("refresh_token")) for shop in shops}
        self.assertEqual(len({token for pair in pairs for token in pair}), 4, "no token shared between the shops")
        for shop in shops:  # each shop's own refresh token works, once
            shop._shopee_refresh_tokens()
            self.assertEqual(shop.authorization_state, "authorized", shop.name)
        job = self.enqueue_and_run("pull_orders", shop=shops - self.shopee_shop)
        self.assertEqual(job.state, "done", job.last_error)
