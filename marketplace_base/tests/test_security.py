from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import MarketplaceCase


class TestSecurity(MarketplaceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mkt_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "mkt_manager", groups="marketplace_base.group_marketplace_manager")
        cls.account.with_user(cls.manager).write({"client_id": "app-id", "client_secret": "s3cret-cert"})
        cls.account._store_tokens("v^1.1#access-token", "2030-01-01 00:00:00", "v^1.1#refresh-token",
                                  "2031-01-01 00:00:00")

    def test_secrets_are_encrypted_at_rest(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT client_secret_encrypted, access_token_encrypted, refresh_token_encrypted "
            "FROM marketplace_account WHERE id = %s", [self.account.id])
        stored = self.env.cr.fetchone()
        for value, clear in zip(stored, ("s3cret-cert", "access-token", "refresh-token"), strict=True):
            self.assertTrue(value)
            self.assertNotIn(clear, value)
        self.assertEqual(self.account._get_secret("access_token"), "v^1.1#access-token")
        self.assertEqual(self.account._get_secret("refresh_token"), "v^1.1#refresh-token")

    def test_manager_reads_user_cannot(self):
        self.assertEqual(self.account.with_user(self.manager).client_secret, "s3cret-cert")
        account_as_user = self.account.with_user(self.user)
        self.assertEqual(account_as_user.name, "Test Account")
        for field in ("client_secret", "client_secret_encrypted", "access_token_encrypted"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                account_as_user.read([field])

    def test_user_cannot_change_configuration(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.user).write({"name": "Hijacked"})
        with self.assertRaises(AccessError):
            self.env["marketplace.sync.rule"].with_user(self.user).create({"shop_id": self.shop.id})

    def test_other_company_does_not_see_the_account(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(self.env, "mkt_outsider", groups="marketplace_base.group_marketplace_manager",
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        Account = self.env["marketplace.account"].with_user(outsider)
        self.assertFalse(Account.search([("id", "=", self.account.id)]))
        self.assertFalse(self.env["marketplace.shop"].with_user(outsider).search([("id", "=", self.shop.id)]))

    def outsider(self):
        """A Marketplace Manager of another company only."""
        other = self.env["res.company"].create({"name": "Other Co B"})
        return new_test_user(self.env, "mkt_outsider_b", groups="marketplace_base.group_marketplace_manager",
                             company_id=other.id, company_ids=[(6, 0, other.ids)])

    def test_other_company_does_not_see_the_order_lines(self):
        line = self.make_order("SEC-1").line_ids
        self.assertTrue(line)
        Line = self.env["marketplace.order.line"]
        self.assertEqual(Line.with_user(self.user).search([("id", "=", line.id)]), line)
        self.assertFalse(Line.with_user(self.outsider()).search([("id", "=", line.id)]))

    def test_other_company_does_not_see_the_job_logs(self):
        job = self.env["marketplace.job"]._enqueue("create_sale_orders", shop=self.shop, payload={"n": "sec"})
        log = self.env["marketplace.job.log"].create({"job_id": job.id, "message": "buyer data of company A"})
        Log = self.env["marketplace.job.log"]
        self.assertEqual(Log.with_user(self.user).search([("id", "=", log.id)]), log)
        self.assertFalse(Log.with_user(self.outsider()).search([("id", "=", log.id)]))

    def test_secret_without_key_gives_clear_error(self):
        from unittest.mock import patch

        from odoo.exceptions import UserError
        from odoo.tools import config
        with patch.dict(config.options, {"marketplace_secret_key": ""}), \
                patch.dict("os.environ", {"MARKETPLACE_SECRET_KEY": ""}):
            with self.assertRaisesRegex(UserError, "marketplace_secret_key"):
                self.account._get_secret("access_token")

    def test_shop_tokens_encrypted_and_for_managers_only(self):
        """Platforms authorizing each shop keep a token pair per shop, encrypted like the account's."""
        self.shop._mark_authorized("shop-access-token", "2030-01-01 00:00:00", "shop-refresh-token")
        self.env.flush_all()
        self.env.cr.execute("SELECT access_token_encrypted, refresh_token_encrypted FROM marketplace_shop "
                            "WHERE id = %s", [self.shop.id])
        for value, clear in zip(self.env.cr.fetchone(), ("shop-access-token", "shop-refresh-token"), strict=True):
            self.assertTrue(value)
            self.assertNotIn(clear, value)
        self.assertEqual(self.shop.authorization_state, "authorized")
        self.assertEqual(self.shop._get_secret("refresh_token"), "shop-refresh-token")
        with self.assertRaises(AccessError):
            self.shop.with_user(self.user).read(["refresh_token_encrypted"])
        self.shop._mark_needs_reauth("invalid refresh token")
        self.assertEqual(self.shop.authorization_state, "needs_reauth")
        self.assertIn("Authorize", self.account.activity_ids[-1:].summary or "")

    def test_vision_model_key_is_encrypted_for_managers_and_kept_in_its_company(self):
        provider = self.env["marketplace.vision.provider"].with_user(self.manager).create({
            "name": "Hosted model", "base_url": "https://api.example.com/v1", "model": "vl", "api_key": "sk-clear"})
        self.env.flush_all()
        self.env.cr.execute("SELECT api_key_encrypted FROM marketplace_vision_provider WHERE id = %s", [provider.id])
        self.assertNotIn("sk-clear", self.env.cr.fetchone()[0])
        self.assertEqual(provider.with_user(self.manager).api_key, "sk-clear")
        as_user = provider.with_user(self.user)
        self.assertEqual(as_user._provider().settings.api_key, "sk-clear", "a user's draft may use the key")
        for field in ("api_key", "api_key_encrypted"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                as_user.read([field])
        with self.assertRaises(AccessError):
            as_user.write({"model": "other"})
        Provider = self.env["marketplace.vision.provider"].with_user(self.outsider())
        self.assertFalse(Provider.search([("id", "=", provider.id)]))
