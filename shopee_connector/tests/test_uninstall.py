"""Uninstalling the connector, then installing it again, in a database of its own: the seller's data stays.

An uninstall cannot run inside a test's transaction (it drops tables and builds a new registry), so this runs
Odoo in subprocesses on a copy of the scratch database that ``scripts/test`` makes (``MKT_SCRATCH_DB``).
"""
import json
import os
import subprocess
import sys
import unittest

from odoo.sql_db import close_db, db_connect
from odoo.tests.common import BaseCase

ODOO_SCRIPT = """
import json, sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
odoo.tools.config.parse_config(["-c", sys.argv[1], "--log-level", "warn"])
odoo.tools.config["test_enable"] = False
with Registry(sys.argv[2]).cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    result = None
    exec(sys.argv[3])
print("RESULT " + json.dumps(result))
"""

SETUP = """
account = env["marketplace.account"].create({"name": "Kept Shopee", "platform": "shopee", "client_id": "1001"})
shop = env["marketplace.shop"].create({"name": "Kept Shopee TH", "account_id": account.id})
product = env["product.product"].create({"name": "Kept product", "default_code": "KEPT-1", "is_storable": True})
listing = env["marketplace.listing"].create({"shop_id": shop.id, "product_tmpl_id": product.product_tmpl_id.id,
                                            "product_id": product.id, "sku": "KEPT-1", "title": "Kept product"})
binding = env["marketplace.product.binding"].create({"shop_id": shop.id, "product_id": product.id,
                                                    "external_sku": "KEPT-1", "external_listing_id": "900001"})
rule = env["marketplace.sync.rule"].create({"shop_id": shop.id})
pending = env["marketplace.job"].create({"job_type": "ship_order", "shop_id": shop.id, "account_id": account.id})
failed = env["marketplace.job"].create({"job_type": "ship_order", "shop_id": shop.id, "account_id": account.id,
                                        "payload": '{"picking_id": 1}', "state": "failed"})
result = {"account": account.id, "shop": shop.id, "listing": listing.id, "binding": binding.id, "rule": rule.id,
          "pending": pending.id, "failed": failed.id}
"""


def scratch_settings():
    name, config = os.environ.get("MKT_SCRATCH_DB"), os.environ.get("MKT_TEST_CONFIG")
    return (name, config) if name and config else None


@unittest.skipUnless(scratch_settings(), "needs MKT_SCRATCH_DB and MKT_TEST_CONFIG (scripts/test sets them)")
class TestUninstallKeepsData(BaseCase):
    """Uninstall shopee_connector and install it again: accounts, shops, listings, bindings, sync rules and jobs
    are still there, and the account is a Shopee account again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        scratch, cls.config = scratch_settings()
        cls.db = scratch + "_uninstall"
        close_db(scratch)  # our pooled connections would keep the template busy
        subprocess.run(["dropdb", "--if-exists", cls.db], check=True)
        subprocess.run(["createdb", "-T", scratch, cls.db], check=True)
        cls.addClassCleanup(subprocess.run, ["dropdb", "--if-exists", cls.db], check=False)
        cls.addClassCleanup(close_db, cls.db)

    def odoo(self, code):
        """Run ``code`` (with ``env``, setting ``result``) in an Odoo process on the copy; returns ``result``."""
        done = subprocess.run([sys.executable, "-c", ODOO_SCRIPT, self.config, self.db, code],
                              capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        self.assertFalse([line for line in done.stderr.splitlines() if " WARNING " in line or " ERROR " in line],
                         "the uninstall and the install log no warning")
        line = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")][-1]
        return json.loads(line[len("RESULT "):])

    def module(self, action, before=""):
        """``before`` (code), then the module's button ``action`` (which commits and loads a new registry)."""
        return self.odoo(before + '\nenv["ir.module.module"].search([("name", "=", "shopee_connector")]).%s()'
                         % action)

    def row(self, table, record_id, columns="id"):
        with db_connect(self.db).cursor() as cr:
            cr.execute("SELECT %s FROM %s WHERE id = %%s" % (columns, table), [record_id])  # test's own names
            return cr.fetchone()

    def module_state(self):
        with db_connect(self.db).cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = 'shopee_connector'")
            return cr.fetchone()[0]

    def assert_kept(self, ids):
        for table, key in (("marketplace_shop", "shop"), ("marketplace_listing", "listing"),
                           ("marketplace_product_binding", "binding"), ("marketplace_sync_rule", "rule"),
                           ("marketplace_job", "pending"), ("marketplace_job", "failed")):
            with self.subTest(table=table, key=key):
                self.assertTrue(self.row(table, ids[key]), "%s %s is gone" % (table, ids[key]))

    def test_uninstall_and_reinstall_keep_the_sellers_data(self):
        ids = self.module("button_immediate_uninstall", before=SETUP)
        self.assertEqual(self.module_state(), "uninstalled")
        self.assert_kept(ids)
        self.assertEqual(self.row("marketplace_account", ids["account"], "platform, active, platform_uninstalled"),
                         ("manual", False, "shopee"))
        self.assertEqual(self.row("marketplace_job", ids["pending"], "state, job_type"), ("cancelled", "ship_order"))
        self.assertEqual(self.row("marketplace_job", ids["failed"], "state"), ("failed",))

        self.module("button_immediate_install")
        self.assertEqual(self.module_state(), "installed")
        self.assert_kept(ids)
        self.assertEqual(self.row("marketplace_account", ids["account"], "platform, active, platform_uninstalled"),
                         ("shopee", True, None))
        self.assertEqual(self.row("marketplace_product_binding", ids["binding"], "platform"), ("shopee",))
