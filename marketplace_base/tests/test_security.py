from odoo import fields
from odoo.exceptions import AccessError, UserError
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


class TestJobGuards(MarketplaceCase):
    """Who runs a job and whether a guard applies are the engine's or a manager's to decide, in the model:
    a Marketplace User's RPC calls (``with_user``) cannot set them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mkt_guard_user", groups="marketplace_base.group_marketplace_user")
        cls.manager = new_test_user(cls.env, "mkt_guard_manager", groups="marketplace_base.group_marketplace_manager")
        cls.admin = cls.env.ref("base.user_admin")
        cls.bot = cls.env.ref("marketplace_base.user_marketplace_bot")
        cls.binding = cls.env["marketplace.product.binding"].create({
            "shop_id": cls.shop.id, "product_id": cls.product_a.id, "external_sku": "SKU-A", "last_pushed_qty": 10})

    def held_job(self):
        return self.env["marketplace.job"].create({
            "job_type": "create_sale_orders", "shop_id": self.shop.id, "payload": '{"held": 1}',
            "state": "to_confirm", "last_error": "would set 30 of 30 listings to 0"})

    def test_user_creates_a_job_of_their_own_only(self):
        Job = self.env["marketplace.job"].with_user(self.user)
        job = Job.create({"job_type": "create_sale_orders", "shop_id": self.shop.id})
        self.assertEqual((job.user_id, job.state, job.confirmed_by_id), (self.user, "pending", self.env["res.users"]))
        forged = [{"confirmed_by_id": self.manager.id}, {"confirmed_at": fields.Datetime.now()},
                  {"user_id": self.admin.id}, {"state": "done"}, {"attempts": 3}, {"crash_count": 1},
                  {"max_attempts": 1000}, {"company_id": self.env.company.id}]
        for number, values in enumerate(forged):
            with self.subTest(values=values), self.assertRaises(AccessError):
                Job.create(dict(values, job_type="create_sale_orders", shop_id=self.shop.id,
                                payload='{"n": %d}' % number))
        with self.assertRaises(AccessError):
            Job.with_context(default_confirmed_by_id=self.manager.id).create(
                {"job_type": "create_sale_orders", "shop_id": self.shop.id, "payload": '{"n": "ctx"}'})

    def test_user_cannot_release_a_held_job_nor_change_its_work(self):
        held = self.held_job().with_user(self.user)
        for values in ({"state": "pending", "confirmed_by_id": self.manager.id}, {"state": "pending"},
                       {"confirmed_by_id": self.user.id}, {"user_id": self.admin.id}, {"attempts": 0},
                       {"payload": '{"other": 1}'}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                held.write(values)
        with self.assertRaises(AccessError):
            held.action_confirm()
        self.assertEqual((held.state, held.confirmed_by_id), ("to_confirm", self.env["res.users"]))

        held.with_user(self.manager).action_confirm()
        self.assertEqual((held.state, held.confirmed_by_id), ("pending", self.manager))
        with self.assertRaises(AccessError):
            held.write({"payload": "{}"})  # the confirmed work stays what the manager saw

    def test_user_cannot_make_a_pending_job_run_as_someone_else(self):
        job = self.env["marketplace.job"].with_user(self.user).create(
            {"job_type": "create_sale_orders", "shop_id": self.shop.id})
        for user in (self.admin, self.bot, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                job.write({"user_id": user.id})
        job.write({"priority": 3, "payload": '{"edited": true}'})  # the work of an unconfirmed job is theirs
        self.assertEqual(job.user_id, self.user)

    def test_user_buttons_still_steer_jobs_through_the_engine(self):
        """Stop, Requeue and Run Now write the engine's fields for the user; a requeued run is judged again."""
        Job = self.env["marketplace.job"]
        job = Job.create({"job_type": "create_sale_orders", "shop_id": self.shop.id, "state": "done",
                          "confirmed_by_id": self.manager.id, "confirmed_at": fields.Datetime.now(), "attempts": 2})
        as_user = job.with_user(self.user)
        as_user.action_requeue()
        self.assertEqual((job.state, job.attempts, job.confirmed_by_id), ("pending", 0, self.env["res.users"]))
        as_user.action_run_now()
        self.assertTrue(job.run_now)
        as_user.action_stop()
        self.assertEqual(job.state, "cancelled")

    def test_enqueue_decides_the_user_and_ignores_context_defaults(self):
        """What a person's work sets off runs as the shop's Job User; a button records its person; a
        ``default_*`` key in the caller's context sets nothing of the engine's."""
        Job = self.env["marketplace.job"].with_user(self.user).with_context(
            default_confirmed_by_id=self.manager.id, default_user_id=self.admin.id, default_state="to_confirm")
        hook = Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": "hook"})
        button = Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": "button"}, user=self.user)
        self.assertEqual((hook.user_id, hook.state, hook.confirmed_by_id), (self.bot, "pending", self.env["res.users"]))
        self.assertEqual((button.user_id, button.confirmed_by_id), (self.user, self.env["res.users"]))
        self.shop.job_user_id = self.manager
        self.assertEqual(Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": "hook2"}).user_id,
                         self.manager)
        self.assertEqual(Job._enqueue("create_sale_orders", shop=self.shop, payload={"n": "admin"},
                                      user=self.env.ref("base.user_root")).user_id, self.manager,
                         "the superuser is no person: the Job User runs it")

    def test_manager_may_steer_a_job_by_hand(self):
        held = self.held_job().with_user(self.manager)
        held.write({"user_id": self.bot.id, "max_attempts": 3})
        self.assertEqual(held.user_id, self.bot)

    def test_online_quantity_and_price_are_the_engines(self):
        Binding = self.env["marketplace.product.binding"].with_user(self.user)
        for values in ({"last_pushed_qty": 0}, {"last_pushed_qty": 500}, {"last_pushed_price": 1.0}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.binding.with_user(self.user).write(values)
        with self.assertRaises(AccessError):
            Binding.create({"shop_id": self.shop.id, "product_id": self.product_b.id, "external_sku": "SKU-B",
                            "last_pushed_qty": 50})
        bound = Binding.create({"shop_id": self.shop.id, "product_id": self.product_b.id, "external_sku": "SKU-B"})
        bound.write({"title": "Renamed"})  # the rest of a binding stays theirs
        self.binding.with_user(self.manager).write({"last_pushed_qty": 7})
        self.binding.with_user(self.user).sudo().write({"last_pushed_qty": 8})  # the engine (a job's handler)
        self.assertEqual(self.binding.last_pushed_qty, 8)

    def test_order_buttons_create_no_buyer_contact_without_contact_creation(self):
        """Only the order import makes buyer contacts in superuser mode: a Marketplace User who writes an
        order's buyer himself and presses Create Sale Order or Retry needs Contact Creation, as anywhere."""
        self.assertFalse(self.user.has_group("base.group_partner_manager"))
        order = self.make_order("SEC-BUYER")
        order.with_user(self.user).write({"buyer_username": "made_up", "buyer_name": "Made Up Contact",
                                          "ship_name": "Made Up Contact"})
        Partner = self.env["res.partner"].with_context(active_test=False)
        for button in ("action_create_sale_order", "action_retry"):
            with self.subTest(button=button), self.assertRaisesRegex(UserError, "Contact Creation"):
                getattr(order.with_user(self.user), button)()
            self.assertFalse(Partner.search([("name", "=", "Made Up Contact")]))
            self.assertFalse(order.sale_order_id)
            order.write({"state": "error", "error_message": "Unknown SKU"})
