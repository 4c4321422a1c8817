from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

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
        self.assertEqual(self.env["marketplace.account"]._ebay_account_from_state(query["state"][0]),
                         self.ebay_account)

    def test_forged_state_is_refused(self):
        state = self.ebay_account._ebay_oauth_state()
        account_id, nonce, signature = state.split(".")
        for forged in ("%s.%s.%s" % (int(account_id) + 1, nonce, signature),
                       "%s.%s.x%s" % (account_id, nonce, signature), "garbage", ""):
            with self.subTest(state=forged), self.assertRaises(UserError):
                self.env["marketplace.account"]._ebay_account_from_state(forged)

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
    """The browser round trip: eBay redirects to /ebay/oauth/callback with code and state."""

    def test_callback_rejects_bad_state(self):
        self.authenticate("admin", "admin")
        response = self.url_open("/ebay/oauth/callback?code=abc&state=1.x.y")
        self.assertEqual(response.status_code, 400)


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
