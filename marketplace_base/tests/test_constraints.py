from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import MarketplaceCase


class TestConstraints(MarketplaceCase):

    @mute_logger("odoo.sql_db")
    def test_binding_sku_unique_per_shop(self):
        Binding = self.env["marketplace.product.binding"]
        Binding.create({"shop_id": self.shop.id, "product_id": self.product_a.id, "external_sku": "SKU-A"})
        other_shop = self.shop.copy({"name": "Other Shop"})
        Binding.create({"shop_id": other_shop.id, "product_id": self.product_a.id, "external_sku": "SKU-A"})
        with self.assertRaises(IntegrityError):
            Binding.create({"shop_id": self.shop.id, "product_id": self.product_b.id, "external_sku": "SKU-A"})
            self.env.flush_all()

    @mute_logger("odoo.sql_db")
    def test_order_unique_per_shop(self):
        self.make_order("O-1")
        with self.assertRaises(IntegrityError):
            self.env["marketplace.order"].create({"shop_id": self.shop.id, "external_order_id": "O-1"})
            self.env.flush_all()

    @mute_logger("odoo.sql_db")
    def test_order_line_unique_per_order(self):
        order = self.make_order("O-2")
        with self.assertRaises(IntegrityError):
            self.env["marketplace.order.line"].create({"order_id": order.id, "external_line_id": "O-2-1"})
            self.env.flush_all()

    def test_reimport_is_idempotent_and_adds_only_new_lines(self):
        order = self.make_order("O-3")
        same, changed = self.env["marketplace.order"]._import_order(
            self.shop, {"external_order_id": "O-3", "buyer_username": "buyer_one", "amount_total": 30.0},
            [{"external_line_id": "O-3-1", "external_sku": "SKU-A", "quantity": 2, "price_unit": 15.0}])
        self.assertEqual(same, order)
        self.assertFalse(changed, "an unchanged order is not written again")
        _same, changed = self.env["marketplace.order"]._import_order(
            self.shop, {"external_order_id": "O-3", "amount_total": 45.0},
            [{"external_line_id": "O-3-1", "external_sku": "SKU-A", "quantity": 2, "price_unit": 15.0},
             {"external_line_id": "O-3-2", "external_sku": "SKU-B", "quantity": 1, "price_unit": 15.0}])
        self.assertTrue(changed)
        self.assertEqual(self.env["marketplace.order"].search_count([("external_order_id", "=", "O-3")]), 1)
        self.assertEqual(order.line_ids.mapped("external_line_id"), ["O-3-1", "O-3-2"])
        self.assertEqual(order.amount_total, 45.0)

    def test_job_payload_must_be_a_json_object(self):
        Job = self.env["marketplace.job"]
        with self.assertRaisesRegex(ValidationError, "not valid JSON"):
            Job.create({"job_type": "create_sale_orders", "payload": "{since: 2024}"})
        with self.assertRaisesRegex(ValidationError, "JSON object"):
            Job.create({"job_type": "create_sale_orders", "payload": "[1, 2]"})
        job = Job.create({"job_type": "create_sale_orders", "payload": '{"order_ids": [1]}'})
        self.assertEqual(job._payload(), {"order_ids": [1]})
        self.assertEqual(Job.create({"job_type": "create_sale_orders", "payload": ""})._payload(), {})

    def test_raw_payload_must_be_json(self):
        with self.assertRaisesRegex(ValidationError, "not valid JSON"):
            self.env["marketplace.product.binding"].create(
                {"shop_id": self.shop.id, "external_sku": "X", "raw_payload": "{oops"})

    def test_one_active_sync_rule_per_shop(self):
        Rule = self.env["marketplace.sync.rule"]
        Rule.create({"shop_id": self.shop.id, "buffer_qty": 1})
        with self.assertRaisesRegex(ValidationError, "already has an active sync rule"):
            Rule.create({"shop_id": self.shop.id, "buffer_qty": 2})
        Rule.create({"shop_id": self.shop.id, "buffer_qty": 2, "active": False})

    @mute_logger("odoo.sql_db")
    def test_sync_rule_rejects_negative_values(self):
        with self.assertRaises(IntegrityError):
            self.env["marketplace.sync.rule"].create({"shop_id": self.shop.id, "buffer_qty": -1})
            self.env.flush_all()
