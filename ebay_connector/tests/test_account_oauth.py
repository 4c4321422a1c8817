import time
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.marketplace_base.marketplace_core import oauth_state

from ..models.marketplace_account import OAUTH_PURPOSE
from .common import EbayCase


class TestAccountOAuth(EbayCase):

    def test_connect_stores_encrypted_tokens(self):
        account = self.ebay_account
        self.assertEqual(account.state, "connected")
        self.assertTrue(account._get_secret("access_token"))
        self.assertTrue(account._get_secret("refresh_token"))
        self.assertGreater(account.access_token_expires_at, account.create_date)
        self.env.flush_all()
        self.env.cr.execute("SELECT access_token_encrypted FROM marketplace_account WHERE id = %s", [account.id])
        self.assertNotIn(account._get_secret("access_token"), self.env.cr.fetchone()[0])

    def test_consent_url_carries_runame_scopes_and_signed_state(self):
        url = self.ebay_account.action_ebay_connect()["url"]
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["redirect_uri"], ["Demo_Seller-DemoSell-Connec-abcdefg"])
        self.assertIn("https://api.ebay.com/oauth/api_scope/sell.inventory", query["scope"][0])
        self.assertEqual(self.env["marketplace.account"]._account_from_oauth_state(OAUTH_PURPOSE, query["state"][0]),
                         self.ebay_account)

    def test_forged_state_is_refused(self):
        state = self.ebay_account._oauth_state(OAUTH_PURPOSE)
        account_id, rest = state.split(".", 1)
        for forged in ("%s.%s" % (int(account_id) + 1, rest), state + "x", state.replace(".", ".1", 1),
                       self.ebay_account._oauth_state("shopee_auth"), "1.x.y", "garbage", ""):
            with self.subTest(state=forged), self.assertRaisesRegex(UserError, "bad state"):
                self.env["marketplace.account"]._account_from_oauth_state(OAUTH_PURPOSE, forged)

    def test_only_managers_mint_a_state(self):
        user = new_test_user(self.env, "oauth_mkt_user", groups="marketplace_base.group_marketplace_user")
        with self.assertRaises(AccessError):
            self.ebay_account.with_user(user).action_ebay_connect()

    def test_used_code_is_refused_and_marks_error(self):
        account = self.ebay_account.copy({"name": "Second", "client_id": self.ebay_account.sudo().client_id})
        account.client_secret = "SBX-demo-cert-secret"
        code, _state = self.consent_code(account)
        account._ebay_finish_connect(code)
        with self.assertRaisesRegex(UserError, "refused the authorization code"):
            account._ebay_finish_connect(code)

    def test_cron_refreshes_tokens_before_expiry(self):
        account = self.ebay_account
        old = account._get_secret("access_token")
        account.access_token_expires_at = "2000-01-01 00:00:00"
        self.env["marketplace.account"]._cron_ebay_refresh_tokens()
        self.env.invalidate_all()  # the token store saves in its own transaction
        self.assertNotEqual(account._get_secret("access_token"), old)
        self.assertGreater(account.access_token_expires_at.year, 2000)
        self.assertEqual(account.state, "connected")

    def test_refused_refresh_marks_needs_reauth_with_activity(self):
        account = self.ebay_account
        account._set_secret("refresh_token", "v^1.1#not-a-refresh-token")
        account.access_token_expires_at = "2000-01-01 00:00:00"
        self.env["marketplace.account"]._cron_ebay_refresh_tokens()
        self.assertEqual(account.state, "needs_reauth")
        self.assertTrue(account.activity_ids.filtered(lambda a: "Reconnect" in a.summary))

    def test_client_refreshes_expired_token_inside_a_call(self):
        self.sim_post("/_sim/expire_tokens")
        client = self.ebay_account._ebay_client()
        from ..ebay_api.taxonomy import TaxonomyAdapter
        self.assertTrue(TaxonomyAdapter(client).get_default_category_tree_id("EBAY_US"))
        self.assertEqual(self.ebay_account.state, "connected")


@tagged("post_install", "-at_install")
class TestOAuthCallback(HttpCase):
    """The browser round trip: eBay redirects to /ebay/oauth/callback with code and state. The state is the one
    the Connect button gave in that user's browser session; any other is refused with a readable page."""

    def setUp(self):
        super().setUp()
        self.account = self.env.ref("ebay_connector.demo_account_ebay")
        for login in ("oauth_manager_1", "oauth_manager_2"):
            new_test_user(self.env, login, password=login + "-pw",
                          groups="base.group_user,marketplace_base.group_marketplace_manager")

    def connect_button(self):
        """Connect to eBay, as the browser presses it: the state of the consent URL it opens."""
        action = self.make_jsonrpc_request("/web/dataset/call_button", {
            "model": "marketplace.account", "method": "action_ebay_connect", "args": [[self.account.id]],
            "kwargs": {}})
        return parse_qs(urlsplit(action["url"]).query)["state"][0]

    def callback(self, state, **params):
        """eBay's redirect back (a declined consent: the state is checked and spent all the same)."""
        params = dict({"error": "access_denied", "state": state}, **params)
        return self.url_open("/ebay/oauth/callback?" + urlencode(params), allow_redirects=False)

    def test_callback_rejects_bad_state(self):
        self.authenticate("admin", "admin")
        response = self.url_open("/ebay/oauth/callback?code=abc&state=1.x.y")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not valid for this database", response.text)

    def test_state_works_once_in_the_session_of_its_user(self):
        self.authenticate("oauth_manager_1", "oauth_manager_1-pw")
        state = self.connect_button()
        self.assertEqual(self.callback(state).status_code, 303)
        replayed = self.callback(state)
        self.assertEqual(replayed.status_code, 400)
        self.assertIn("already used", replayed.text)

    def test_state_of_another_user_is_refused(self):
        """A consent link made by someone else (with their own eBay seller account), opened by a manager."""
        self.authenticate("oauth_manager_1", "oauth_manager_1-pw")
        state = self.connect_button()
        self.authenticate("oauth_manager_2", "oauth_manager_2-pw")
        refused = self.callback(state, code="attacker-code", error="")
        self.assertEqual(refused.status_code, 403)
        self.assertIn("started by another user or in another browser session", refused.text)
        self.assertNotIn("Traceback", refused.text)

    def test_state_of_another_session_is_refused(self):
        self.authenticate("oauth_manager_1", "oauth_manager_1-pw")
        state = self.connect_button()
        self.authenticate("oauth_manager_1", "oauth_manager_1-pw")  # a new browser session, same user
        self.assertEqual(self.callback(state).status_code, 403)

    def test_expired_state_is_refused(self):
        session = self.authenticate("oauth_manager_1", "oauth_manager_1-pw")
        Account = self.env["marketplace.account"]
        state = oauth_state.mint(Account._oauth_state_secret(), OAUTH_PURPOSE, self.account.id, session.uid,
                                 session.sid, time.time() - oauth_state.STATE_TTL_SECONDS - 1)
        refused = self.callback(state)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("expired", refused.text)


class TestSecretsStayOutOfLogs(EbayCase):

    def test_tokens_and_secrets_never_logged(self):
        """Connect, refresh and call eBay with every logger at DEBUG: no secret appears in any record."""
        import logging

        from ..ebay_api.taxonomy import TaxonomyAdapter

        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Collect(level=logging.DEBUG)
        root = logging.getLogger()
        previous_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            account = self.ebay_account.copy({"name": "Logged", "client_id": self.ebay_account.sudo().client_id})
            account.client_secret = "SBX-demo-cert-secret"
            self.connect(account)
            account.access_token_expires_at = "2000-01-01 00:00:00"
            account._ebay_refresh_token()
            self.env.invalidate_all()
            TaxonomyAdapter(account._ebay_client()).get_default_category_tree_id("EBAY_US")
            secrets = [account._get_secret("access_token"), account._get_secret("refresh_token"),
                       "SBX-demo-cert-secret"]
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
        self.assertTrue(records, "the scenario logged something (urllib3 at least)")
        for secret in secrets:
            self.assertTrue(secret)
            leaks = [record for record in records if secret in record]
            self.assertEqual(leaks, [], "a secret reached the logs")
