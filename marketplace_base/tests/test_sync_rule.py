from .common import MarketplaceCase


class TestSyncRule(MarketplaceCase):

    def test_online_quantity_table(self):
        """max(0, available - buffer), rounded down to the step, 0 below the minimum."""
        cases = [
            # available, buffer, minimum, rounding, expected
            (100, 10, 5, 0, 90),
            (12, 10, 5, 0, 0),      # 2 left is below the minimum of 5
            (15, 10, 5, 0, 5),      # exactly the minimum is published
            (5, 10, 0, 0, 0),       # never negative
            (47, 0, 0, 10, 40),     # rounded down to packs of 10
            (9, 0, 0, 10, 0),
            (57, 5, 45, 10, 50),
            (57, 5, 55, 10, 0),     # rounding first, then the minimum
            (0, 0, 0, 0, 0),
        ]
        for available, buffer, minimum, rounding, expected in cases:
            with self.subTest(available=available, buffer=buffer, minimum=minimum, rounding=rounding):
                rule = self.env["marketplace.sync.rule"].new(
                    {"buffer_qty": buffer, "min_online_qty": minimum, "rounding": rounding})
                self.assertEqual(rule._online_quantity(available), expected)

    def test_without_rule_all_free_stock_is_published(self):
        self.assertEqual(self.env["marketplace.sync.rule"]._online_quantity(7), 7)

    def test_binding_quantity_uses_free_stock_rule_and_unreserved_orders(self):
        self.env["marketplace.sync.rule"].create({"shop_id": self.shop.id, "buffer_qty": 2, "min_online_qty": 3})
        binding = self.env["marketplace.product.binding"].create(
            {"shop_id": self.shop.id, "product_id": self.product_a.id, "external_sku": "SKU-A"})
        self.assertEqual(binding._available_quantities()[binding.id], 10)
        self.assertEqual(binding._online_quantities()[binding.id], 8)
        # An imported order not yet confirmed will take 2 units: publish 10 - 2 - 2.
        self.make_order("O-SR")
        self.assertEqual(binding._available_quantities()[binding.id], 8)
        self.assertEqual(binding._online_quantities()[binding.id], 6)
        # Once its sale order is confirmed the units are reserved (free_qty drops), not counted twice.
        order = self.env["marketplace.order"].search([("external_order_id", "=", "O-SR")])
        order._create_sale_order().action_confirm()
        self.assertEqual(binding._available_quantities()[binding.id], 8)
