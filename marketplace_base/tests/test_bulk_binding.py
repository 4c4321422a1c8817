from .common import MarketplaceCase


class TestBulkBinding(MarketplaceCase):

    def test_bulk_binding_uses_internal_reference_and_skips(self):
        no_code = self.env["product.product"].create({"name": "No code"})
        self.env["marketplace.product.binding"].create(
            {"shop_id": self.shop.id, "product_id": self.product_b.id, "external_sku": "SKU-B"})
        wizard = self.env["marketplace.bulk.binding"].with_context(
            active_model="product.product", active_ids=(self.product_a | self.product_b | no_code).ids,
        ).create({"shop_id": self.shop.id})
        self.assertEqual(wizard.product_ids, self.product_a | self.product_b | no_code)
        action = wizard.action_bind()
        bindings = self.env["marketplace.product.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(sorted(bindings.mapped("external_sku")), ["SKU-A", "SKU-B"])
        self.assertEqual(self.env["marketplace.product.binding"].browse(action["domain"][0][2]).product_id,
                         self.product_a)
        self.assertIn("1 bound, 1 already bound, 1 without internal reference",
                      action["context"]["marketplace_bind_summary"])
