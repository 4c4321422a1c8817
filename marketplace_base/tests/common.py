import os
import tempfile
import time
from datetime import timedelta
from unittest.mock import patch

import pytz
from lxml import html

from odoo import fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests.common import TransactionCase
from odoo.tools import config

from ..marketplace_core import secrets
from ..marketplace_core.handlers import URGENT, JobHandler


def bring_a_secret_key():
    """The tests' own encryption key for marketplace secrets when the configuration has none.

    Odoo's own runner (odoo-bin --test-enable with a plain configuration, as runbot and OCA's CI run tests)
    gives no ``marketplace_secret_key``; the tests then use a key of this process, in the environment variable
    the addons read, which the servers and workers they start inherit. Imported before the connectors' demo
    data is loaded (marketplace_base's tests run first), so the demo secrets are stored with it too.
    """
    if not (config.get(secrets.CONFIG_OPTION) or os.environ.get(secrets.ENV_VARIABLE)):
        os.environ[secrets.ENV_VARIABLE] = secrets.generate_key()


bring_a_secret_key()


def free_registry_lock(patch):
    """Let a test's own threads open environments under Odoo's own runner, with ``patch`` (a case's
    ``patch`` or ``classPatch``).

    odoo-bin --test-enable runs every test while its main thread holds the registry lock
    (ThreadedServer.run), and each new environment takes it (``Registry(dbname)``), so such threads would
    wait for the end of the run. HttpCase's test mode swaps the lock for a dummy for its server threads;
    this does the same. The lock only guards the loading of registries, done by then.
    """
    patch(Registry, "_lock", DummyRLock())


def patch_handler(case, function, job_type="create_sale_orders", channel=URGENT, platform=None):
    """For the rest of ``case``'s test, ``function(job, run)`` handles ``job_type``."""
    class Service:
        def __init__(self, job, run):
            self.job, self.run = job, run

        def run_job(self):
            function(self.job, self.run)

    model = case.env["marketplace.platform"]._get(platform)
    if platform and model._platform_code != platform:
        raise ValueError("platform %s is not installed" % platform)
    Platform = type(model)
    original = Platform._job_handlers

    def handlers(platform_model):
        table = original(platform_model)
        if platform_model._name == model._name:
            table = {**table, job_type: JobHandler(Service, channel)}
        return table
    patcher = patch.object(Platform, "_job_handlers", handlers)
    patcher.start()
    case.addCleanup(patcher.stop)


def serve_simulator(server_class, add_cleanup, **seed):
    """A marketplace simulator of its own (temporary SQLite, free port), started and seeded.

    ``add_cleanup`` (a case's ``addClassCleanup`` or ``addCleanup``) stops it and removes its state, so a
    simulator lives as long as the class or the test whose rolled-back database it must match.
    """
    directory = tempfile.TemporaryDirectory()
    add_cleanup(directory.cleanup)
    sim = server_class(os.path.join(directory.name, "sim.sqlite3"), host="127.0.0.1", port=0).start()
    add_cleanup(sim.stop)
    sim.seed(**seed)
    return sim


class SimulatorControls:
    """The simulators' ``/_sim`` controls, for a case holding its simulator in ``sim`` and a requests
    session in ``http``."""

    def sim_get(self, path):
        response = self.http.get(self.sim.base_url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def sim_post(self, path, payload=None):
        response = self.http.post(self.sim.base_url + path, json=payload or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def sim_calls(self):
        return self.sim_get("/_sim/calls")["calls"]


class MarketplaceCase(TransactionCase):
    """Shop, products and stock for marketplace tests.

    The job runner and job handlers open their own transactions through
    ``registry.cursor()``; in test mode those share the test's transaction (as
    HttpCase does), so everything still rolls back at the end.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # a stock push is due at once here (test_push_stock tests its delay)
        cls.env["ir.config_parameter"].sudo().set_param("marketplace_base.stock_push_delay_seconds", "0")
        # jobs of the demo data must not run inside these tests' queue
        cls.env["marketplace.job"].search([("state", "in", ("pending", "processing"))]).write({"state": "cancelled"})
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.account = cls.env["marketplace.account"].create({"name": "Test Account"})
        cls.shop = cls.env["marketplace.shop"].create({
            "name": "Test Shop", "account_id": cls.account.id, "warehouse_id": cls.warehouse.id,
            "auto_confirm": False,
        })
        cls.product_a = cls._make_product("SKU-A", 10.0)
        cls.product_b = cls._make_product("SKU-B", 0.0)

    @classmethod
    def _make_product(cls, code, quantity):
        product = cls.env["product.product"].create({
            "name": "Product %s" % code, "default_code": code, "type": "consu", "is_storable": True,
            "list_price": 20.0,
        })
        if quantity:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, quantity)
        return product

    def receive(self, product, quantity):
        """A done receipt of ``quantity`` units (through stock.move._action_done)."""
        move = self.env["stock.move"].create({
            "name": "Receive %s" % product.default_code, "product_id": product.id, "product_uom_qty": quantity,
            "product_uom": product.uom_id.id, "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": self.warehouse.lot_stock_id.id,
        })
        move._action_confirm()
        move.quantity = quantity
        move.picked = True
        move._action_done()

    def make_order(self, external_id="ORDER-1", lines=None, **values):
        lines = lines if lines is not None else [
            {"external_line_id": external_id + "-1", "external_sku": "SKU-A", "quantity": 2, "price_unit": 15.0}]
        vals = {
            "external_order_id": external_id, "buyer_username": "buyer_one", "buyer_name": "Buyer One",
            "ship_name": "Buyer One", "ship_street": "1 Main St", "ship_city": "Springfield", "ship_zip": "12345",
            "ship_country_code": "US", "amount_untaxed": 30.0, "amount_total": 30.0,
        }
        vals.update(values)
        order, _changed = self.env["marketplace.order"]._import_order(self.shop, vals, lines)
        return order

    def run_slice_out_of_time(self, job):
        """Claim and run one slice of ``job`` with its time up from the start: it ends after its first unit."""
        Job = self.env["marketplace.job"]
        self.env.flush_all()
        Job.browse(Job._claim_turn(job.ids)[0])._execute(deadline=time.time() - 1)
        self.env.invalidate_all()

    def run_jobs(self, **kwargs):
        """Run due jobs as the cron does, then drop cached values the runner's transactions changed."""
        self.env.flush_all()
        ran = self.env["marketplace.job"]._run_pending(**kwargs)
        self.env.invalidate_all()
        return ran


def done_job(shop, job_type, minutes_ago, account_wide=False):
    """A job of ``job_type`` of ``shop`` (or, ``account_wide``, of its account only) that ended successfully
    ``minutes_ago`` minutes ago."""
    return shop.env["marketplace.job"].create({
        "job_type": job_type, "shop_id": False if account_wide else shop.id, "account_id": shop.account_id.id,
        "state": "done", "ended_at": fields.Datetime.now() - timedelta(minutes=minutes_ago),
    })


def away_from_utc_day(user):
    """Give ``user`` a timezone whose day is not UTC's right now (Kiritimati, UTC+14, from 10:30 UTC on; Pago Pago,
    UTC-11, before): a to-do dated by UTC's day instead of his is then seen."""
    now = fields.Datetime.now()
    user.tz = "Pacific/Kiritimati" if (now.hour, now.minute) >= (10, 30) else "Pacific/Pago_Pago"


def day_of(user, moment):
    """The day ``moment`` (naive UTC) falls on in ``user``'s timezone."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(user.tz)).date()


def sync_lines(shop):
    """The dashboard card's "Last successful sync" lines: (text, status, CSS classes) per flow."""
    shop.invalidate_recordset(["sync_status_html"])
    root = html.fromstring("<div>%s</div>" % shop.sync_status_html)
    return [(" ".join(line.text_content().split()), line.get("data-flow-status"), line.get("class") or "")
            for line in root.xpath("./div[@data-flow-status]")]


def assert_month_books(case, account, shops, month):
    """A generated month (``ebay_sim.month`` / ``shopee_sim.month``) pulled into ``account``: every order of
    ``shops`` has its sale order adding up to the marketplace's total, and every payout the simulator made adds
    up, books in one posted entry whose payout line is the payout's amount to 0.00. Returns the payouts."""
    from odoo.tests import new_test_user

    orders = case.env["marketplace.order"].search([("shop_id", "in", shops.ids)])
    case.assertFalse(orders.filtered(lambda order: not order.sale_order_id), orders.mapped("error_message"))
    case.assertFalse(orders.filtered("total_mismatch").mapped(lambda o: (o.external_order_id, o.total_difference)))
    payouts = case.env["marketplace.payout"].search([("account_id", "=", account.id)], order="payout_date, id")
    case.assertEqual(len(payouts), len(month["payouts"]))
    case.assertEqual(set(payouts.mapped("check_state")), {"reconciled"})
    manager = new_test_user(case.env, "month_manager",
                            groups="marketplace_base.group_marketplace_manager,account.group_account_invoice")
    payouts.with_user(manager).action_book()
    for payout in payouts:
        in_transit = payout.move_id.line_ids.filtered(lambda line: line.account_id == account.money_payout_account_id)
        case.assertEqual((payout.move_id.state, round(sum(in_transit.mapped("amount_currency")) - payout.amount, 2)),
                         ("posted", 0.0), payout.external_id)
    return payouts


def book_as_people_would(case, payout, pull_job):
    """A payout that adds up, left by the pull to a person (the Bot has no Invoicing rights: the job's log says
    so), refused to a Marketplace User, booked by a Marketplace Manager with Invoicing rights in one posted entry,
    and booked only once; returns (the entry, the manager)."""
    from odoo.exceptions import UserError
    from odoo.tests import new_test_user

    case.assertEqual(payout.check_state, "reconciled")
    case.assertFalse(payout.move_id, "the Bot has no Invoicing rights: a person books it")
    case.assertTrue(pull_job.log_ids.filtered(lambda line: "Invoicing rights" in line.message))
    clerk = new_test_user(case.env, "money_clerk", groups="marketplace_base.group_marketplace_user")
    with case.assertRaises(UserError):
        payout.with_user(clerk).action_book()
    manager = new_test_user(case.env, "money_manager",
                            groups="marketplace_base.group_marketplace_manager,account.group_account_invoice")
    payout.with_user(manager).action_book()
    move = payout.move_id
    case.assertEqual(move.state, "posted")
    payout.with_user(manager).action_book()
    case.assertEqual(payout.move_id, move, "booked once")
    return move, manager
