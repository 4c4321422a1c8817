"""The platform-conformance suite: what every connector proves against its own simulator, with the same tests.

A connector's test class inherits ``PlatformConformance`` beside its ``MarketplaceCase`` (real Odoo, its simulator
over real HTTP) and answers the hooks below; the ``test_conformance_*`` methods then run as its own tests:

- orders are idempotent under replays: the same orders pulled again, or the same notification delivered again,
  make no second marketplace order nor sale order;
- pushes are batched and changed-only: changed listings go in the platform's batches, and a push with nothing
  changed sends nothing;
- long jobs run in slices: a job whose slice time is up pauses with a continuation and finishes in a later run,
  each order once;
- secrets are encrypted at rest: every secret the platform stored is absent, in clear, from its record's row;
- orders by number: a Marketplace User's Import Orders of an order number makes one order, once;
- company rules: a Marketplace Manager of another company finds none of the shop, its orders, sale orders, jobs
  and bindings.

The suite names no platform: it asks the connector's hooks (``conformance_*``) for what differs between platforms
(how an order is made on its simulator, which job pulls it, what its simulator received). docs/adding-a-platform.md
lists it among the tests a new platform must pass.
"""
from odoo.tests import new_test_user
from odoo.tools import SQL

ENCRYPTED_SUFFIX = "_encrypted"
# a Marketplace Manager who also sees every sale order of their company (not only their own as a salesperson)
SEES_ALL_OF_ITS_COMPANY = "marketplace_base.group_marketplace_manager,sales_team.group_sale_salesman_all_leads"


class PlatformConformance:
    """Mixin of the conformance tests for a ``MarketplaceCase`` subclass; the connector's class gives the hooks."""

    # -- hooks: the connector's test class answers these ----------------------------------------------------
    def conformance_shop(self):
        """The shop the suite works in: its stock taken over by Odoo, its circuit breaker open (100 %)."""
        raise NotImplementedError

    def conformance_new_order(self):
        """Make a paid order of a bound product on the simulator, now; returns its marketplace order id."""
        raise NotImplementedError

    def conformance_pull(self, external_ids):
        """Run (to its end) the platform's order pull of the orders ``external_ids``; returns the job."""
        raise NotImplementedError

    # True when the platform notifies order changes (a webhook): the replay check of notifications then runs
    conformance_sends_notifications = False

    def conformance_order_notification(self, external_id):
        """The body (bytes) of the platform's notification that order ``external_id`` changed, as its webhook
        receives it."""
        raise NotImplementedError

    def conformance_receive(self, body):
        """Store the notification ``body`` as the webhook stores one it verified (the signature checks are the
        connector's own tests) and enqueue its processing; returns the stored record."""
        raise NotImplementedError

    def conformance_sliced_pull(self, external_ids):
        """Enqueue, without running it, an order pull that imports ``external_ids`` (and maybe others) in units
        small enough that a slice whose time is up leaves some of them for a later slice; returns the job."""
        raise NotImplementedError

    def conformance_push_bindings(self):
        """Two bindings (at least) of the shop that the platform takes in one stock call."""
        raise NotImplementedError

    def conformance_push_calls(self):
        """How many stock update calls the simulator received so far."""
        raise NotImplementedError

    def conformance_online_quantities(self, bindings):
        """{binding id: the quantity the simulator shows for its listing}."""
        raise NotImplementedError

    def conformance_secret_records(self):
        """The records (an iterable: an account and a shop are records of two models) that hold the platform's
        secrets once it is connected."""
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------------------------------
    def _conformance_orders(self, external_ids):
        return self.env["marketplace.order"].search([("shop_id", "=", self.conformance_shop().id),
                                                     ("external_order_id", "in", external_ids)])

    def _conformance_push(self):
        job = self.env["marketplace.job"]._enqueue("push_stock", shop=self.conformance_shop())
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        return job

    # -- the suite ---------------------------------------------------------------------------------------------
    def test_conformance_orders_are_idempotent_under_replays(self):
        external_id = self.conformance_new_order()
        job = self.conformance_pull([external_id])
        self.assertEqual(job.state, "done", job.last_error)
        order = self._conformance_orders([external_id])
        self.assertEqual(len(order), 1)
        self.assertEqual(len(order.sale_order_id), 1, order.error_message)
        lines = order.line_ids
        for _replay in range(2):
            job = self.conformance_pull([external_id])
            self.assertEqual(job.state, "done", job.last_error)
        self.assertEqual(self._conformance_orders([external_id]), order, "one marketplace order")
        self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_id", "=", order.id)]), 1,
                         "one sale order")
        self.assertEqual(order.line_ids, lines, "the same lines")

    def test_conformance_a_replayed_notification_makes_one_order(self):
        if not self.conformance_sends_notifications:
            self.skipTest("the platform sends no notifications")
        external_id = self.conformance_new_order()
        body = self.conformance_order_notification(external_id)
        stored = self.conformance_receive(body)
        self.assertEqual(self.conformance_receive(body), stored, "a replay stores nothing new")
        self.run_jobs()
        self.assertEqual(self.conformance_receive(body), stored, "nor once the first was processed")
        self.run_jobs()
        order = self._conformance_orders([external_id])
        self.assertEqual(len(order), 1)
        self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_id", "=", order.id)]), 1,
                         order.error_message)

    def test_conformance_a_marketplace_user_imports_an_order_by_its_number(self):
        shop = self.conformance_shop()
        seller = new_test_user(self.env, "conformance_seller", groups="marketplace_base.group_marketplace_user",
                               company_id=shop.company_id.id, company_ids=[(6, 0, shop.company_id.ids)])
        external_id = self.conformance_new_order()
        self.assertFalse(self._conformance_orders([external_id]), "on the marketplace, not imported")
        for typed in (" %s \n\n%s," % (external_id, external_id), external_id):
            wizard = self.env["marketplace.order.import"].with_user(seller).create(
                {"shop_id": shop.id, "order_numbers": typed})
            job = self.env["marketplace.job"].browse(wizard.action_import()["res_id"])
            self.assertEqual((job.job_type, job.shop_id, job.user_id), ("pull_orders", shop, seller))
            self.assertEqual(list(job._payload().values()), [[external_id]], "one job of the number, trimmed, once")
            self.run_jobs(job_ids=job.ids)
            self.assertEqual(job.state, "done", job.last_error)
            order = self._conformance_orders([external_id])
            self.assertEqual(len(order), 1, "one marketplace order, the second import only refreshes it")
            self.assertEqual(self.env["sale.order"].search_count([("marketplace_order_id", "=", order.id)]), 1,
                             order.error_message)

    def test_conformance_pushes_are_batched_and_changed_only(self):
        shop = self.conformance_shop()
        bindings = self.conformance_push_bindings()
        self.assertGreaterEqual(len(bindings), 2)
        self.assertEqual(bindings.shop_id, shop)
        self._conformance_push()  # the simulator shows Odoo's quantities from here on
        for product in bindings.product_id:
            self.env["stock.quant"]._update_available_quantity(product, shop.warehouse_id.lot_stock_id, 3.0)
        wanted = {binding_id: int(quantity) for binding_id, quantity in bindings._online_quantities().items()}
        self.assertNotEqual(wanted, {binding.id: int(binding.last_pushed_qty) for binding in bindings})
        calls = self.conformance_push_calls()
        job = self._conformance_push()
        self.assertEqual(job.progress_total, len(bindings), "the changed listings only")
        self.assertEqual(self.conformance_push_calls() - calls, 1, "the changed listings go in one call")
        self.assertEqual(self.conformance_online_quantities(bindings), wanted)
        self.assertEqual({binding.id: int(binding.last_pushed_qty) for binding in bindings}, wanted)
        calls = self.conformance_push_calls()
        again = self._conformance_push()
        self.assertEqual(self.conformance_push_calls(), calls, "nothing changed: nothing sent")
        self.assertEqual(again.progress_total, 0)

    def test_conformance_long_jobs_run_in_slices(self):
        external_ids = [self.conformance_new_order() for _order in range(3)]
        job = self.conformance_sliced_pull(external_ids)
        self.run_slice_out_of_time(job)
        self.assertEqual((job.state, job.slice_count, job.attempts), ("pending", 1, 0), job.last_error)
        self.assertTrue(job.continuation and job.continuation != "{}", "it paused with where to resume")
        self.assertLess(len(self._conformance_orders(external_ids)), 3, "the slice stopped before the end")
        self.run_jobs(job_ids=job.ids)
        self.assertEqual(job.state, "done", job.last_error)
        orders = self._conformance_orders(external_ids)
        self.assertEqual((len(orders), len(orders.sale_order_id)), (3, 3), "each order once")

    def test_conformance_secrets_are_encrypted_at_rest(self):
        stored = 0
        self.env.flush_all()
        for record in self.conformance_secret_records():
            for name in [field[:-len(ENCRYPTED_SUFFIX)] for field in record._fields if field.endswith(
                    ENCRYPTED_SUFFIX)]:
                clear = record._get_secret(name, missing_ok=True)
                if not clear:
                    continue
                stored += 1
                self.assertFalse(name in record._fields and record._fields[name].store,
                                 "%s.%s is not stored in clear" % (record._name, name))
                [(row,)] = self.env.execute_query(SQL("SELECT to_jsonb(t)::text FROM %s t WHERE t.id = %s",
                                                      SQL.identifier(record._table), record.id))
                # not assertNotIn: its failure would print the row, the secret with it
                self.assertFalse(clear in row, "%s of %s is in clear in its row" % (name, record.display_name))
        self.assertTrue(stored, "the platform stored secrets to check")

    def test_conformance_a_user_of_another_company_sees_none_of_the_shop(self):
        shop = self.conformance_shop()
        job = self.conformance_pull([self.conformance_new_order()])
        self.assertEqual(job.state, "done", job.last_error)
        orders = self.env["marketplace.order"].search([("shop_id", "=", shop.id)])
        records = {
            "marketplace.shop": shop, "marketplace.order": orders, "sale.order": orders.sale_order_id,
            "marketplace.job": self.env["marketplace.job"].search([("shop_id", "=", shop.id)]),
            "marketplace.product.binding": self.env["marketplace.product.binding"].search([("shop_id", "=", shop.id)]),
        }
        other = self.env["res.company"].create({"name": "Conformance Other Company"})
        outsider = new_test_user(self.env, "conformance_outsider", groups=SEES_ALL_OF_ITS_COMPANY,
                                 company_id=other.id, company_ids=[(6, 0, other.ids)])
        insider = new_test_user(self.env, "conformance_insider", groups=SEES_ALL_OF_ITS_COMPANY,
                                company_id=shop.company_id.id, company_ids=[(6, 0, shop.company_id.ids)])
        for model, found in records.items():
            with self.subTest(model=model):
                self.assertTrue(found)
                self.assertEqual(self.env[model].with_user(insider).search([("id", "in", found.ids)]), found)
                self.assertFalse(self.env[model].with_user(outsider).search([("id", "in", found.ids)]))
