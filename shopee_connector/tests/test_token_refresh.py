"""Two refreshes of one shop's token at once, in transactions of their own.

Shopee spends a refresh token on use: two jobs refreshing with the same one make the second fail, which would
mark a healthy shop "needs re-authorization" and stop its crons. What two transactions see of each other cannot
be tested inside one test transaction: these tests commit their own account and shop and delete them after.
"""
# committing on their own connections is what these tests are about
# pylint: disable=invalid-commit
import threading
import time
from contextlib import contextmanager

import requests

from odoo import SUPERUSER_ID, api
from odoo.tests.common import TransactionCase, tagged

from odoo.addons.marketplace_base.tests.common import SimulatorControls, free_registry_lock
from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_ID, DEMO_PARTNER_KEY

from ..shopee_api import ShopeeClient
from .common import authorize, start_simulator

REFRESH_PATH = "/api/v2/auth/access_token/get"


@tagged("post_install", "-at_install")
class TestShopeeRefreshRace(SimulatorControls, TransactionCase):

    def setUp(self):
        super().setUp()
        free_registry_lock(self.patch)  # the threads below open environments under Odoo's own runner
        self.http = requests.Session()
        self.sim = start_simulator(self)
        with self.committed_env() as env:
            account = env["marketplace.account"].create({
                "name": "Shopee Refresh Race", "platform": "shopee", "client_id": str(DEMO_PARTNER_ID),
                "client_secret": DEMO_PARTNER_KEY, "shopee_api_base_url": self.sim.base_url,
                "shopee_pull_budget": 0, "shopee_push_budget": 0,
            })
            self.account_id = account.id
            self.addCleanup(self._delete_account)
            self.shop_id = authorize(self.http, self.sim, account).id

    @contextmanager
    def committed_env(self):
        """An environment on a transaction of its own, committed when the block ends."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def _delete_account(self):
        with self.committed_env() as env:
            account = env["marketplace.account"].browse(self.account_id)
            env["marketplace.shop"].with_context(active_test=False).search([("account_id", "=", account.id)]).unlink()
            account.unlink()

    def refresh_in_a_transaction_of_its_own(self, errors):
        """The cron's refresh of the shop (a job refreshing a refused token goes the same way), committed."""
        try:
            with self.committed_env() as env:
                env["marketplace.shop"].browse(self.shop_id)._shopee_refresh_tokens()
        except Exception as exc:  # noqa: BLE001 - reported by the test's assertion
            errors.append(exc)

    def waiting_for_the_shop_row(self):
        with self.committed_env() as env:
            env.cr.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock' AND query LIKE %s", ["%marketplace_shop%FOR UPDATE%"])
            return env.cr.fetchone()[0] > 0

    def test_two_concurrent_refreshes_leave_the_shop_connected_and_refresh_once(self):
        # the first refresh holds on just before asking Shopee, until the second one is under way
        refresh, inside, go = ShopeeClient.refresh, threading.Event(), threading.Event()
        asked = []

        def first_holds_on(client, shop_id, refresh_token):
            asked.append(refresh_token)
            if len(asked) == 1:
                inside.set()
                go.wait(60)
            return refresh(client, shop_id, refresh_token)
        self.patch(ShopeeClient, "refresh", first_holds_on)
        self.sim_post("/_sim/calls/reset")
        errors = []
        first = threading.Thread(target=self.refresh_in_a_transaction_of_its_own, args=(errors,))
        second = threading.Thread(target=self.refresh_in_a_transaction_of_its_own, args=(errors,))
        first.start()
        self.assertTrue(inside.wait(60), "the first refresh reached Shopee")
        second.start()
        # the second refresh waits for the first one's row lock (or, without one, refreshes meanwhile)
        deadline = time.monotonic() + 60
        while second.is_alive() and not self.waiting_for_the_shop_row():
            self.assertLess(time.monotonic(), deadline, "the second refresh neither waited nor ended")
            time.sleep(0.05)
        go.set()
        for thread in (first, second):
            thread.join(60)
        self.assertFalse(first.is_alive() or second.is_alive(), "both refreshes ended")
        self.assertEqual(errors, [])
        with self.committed_env() as env:
            shop = env["marketplace.shop"].browse(self.shop_id)
            self.assertEqual(shop.authorization_state, "authorized", "a healthy shop stays connected")
            self.assertEqual(self.sim_calls().get(REFRESH_PATH), 1, "Shopee was asked to refresh once")
            # the pair kept is the one Shopee issued last: the next refresh works
            shop._shopee_refresh_tokens()
            self.assertEqual(shop.authorization_state, "authorized")
