"""The OAuth state both connectors use (``marketplace.account._oauth_state``): managers mint it, and only its
own user completes it, once, within minutes."""
import time

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user

from ..marketplace_core import oauth_state

PURPOSE = "test_oauth"


class TestOAuthState(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["marketplace.account"].create({"name": "OAuth Test"})
        cls.manager = new_test_user(cls.env, "oauth_state_manager", groups="marketplace_base.group_marketplace_manager")
        cls.other_manager = new_test_user(cls.env, "oauth_state_manager_2",
                                          groups="marketplace_base.group_marketplace_manager")
        cls.user = new_test_user(cls.env, "oauth_state_user", groups="marketplace_base.group_marketplace_user")
        cls.Account = cls.env["marketplace.account"]

    def test_the_user_who_started_it_completes_it_once(self):
        state = self.account.with_user(self.manager)._oauth_state(PURPOSE)
        self.assertEqual(self.Account.with_user(self.manager)._account_from_oauth_state(PURPOSE, state), self.account)
        with self.assertRaisesRegex(UserError, "already used"):
            self.Account.with_user(self.manager)._account_from_oauth_state(PURPOSE, state)

    def test_another_users_state_is_refused_and_stays_usable_by_its_own(self):
        state = self.account.with_user(self.manager)._oauth_state(PURPOSE)
        with self.assertRaisesRegex(AccessError, "started by another user"):
            self.Account.with_user(self.other_manager)._account_from_oauth_state(PURPOSE, state)
        self.assertEqual(self.Account.with_user(self.manager)._account_from_oauth_state(PURPOSE, state), self.account)

    def test_an_expired_state_is_refused(self):
        state = oauth_state.mint(self.Account._oauth_state_secret(), PURPOSE, self.account.id, self.manager.id, "",
                                 time.time() - oauth_state.STATE_TTL_SECONDS - 1)
        with self.assertRaisesRegex(UserError, "expired"):
            self.Account.with_user(self.manager)._account_from_oauth_state(PURPOSE, state)

    def test_a_state_of_another_flow_is_refused(self):
        state = self.account._oauth_state("another_flow")
        with self.assertRaisesRegex(UserError, "bad state"):
            self.Account._account_from_oauth_state(PURPOSE, state)

    def test_only_managers_mint_a_state(self):
        with self.assertRaisesRegex(AccessError, "Only a Marketplace Manager"):
            self.account.with_user(self.user)._oauth_state(PURPOSE)

    def test_used_nonces_are_kept_until_their_state_expires(self):
        Nonce = self.env["marketplace.oauth.nonce"]
        Nonce._consume("spent-long-ago", time.time() - 60)
        Nonce._consume("spent-now", time.time() + 60)
        Nonce._gc_expired()
        self.assertEqual(Nonce.search([("nonce", "in", ("spent-long-ago", "spent-now"))]).mapped("nonce"),
                         ["spent-now"])
