from odoo import _, api, fields, models
from odoo.exceptions import UserError


class MarketplaceBulkBinding(models.TransientModel):
    """Bind many products to a shop at once; the SKU is the product's internal reference."""

    _name = "marketplace.bulk.binding"
    _description = "Bind Products to a Marketplace Shop"

    shop_id = fields.Many2one("marketplace.shop", required=True)
    product_ids = fields.Many2many("product.product", string="Products",
                                   default=lambda self: self._default_products())
    skipped_message = fields.Text(readonly=True)

    @api.model
    def _default_products(self):
        if self.env.context.get("active_model") == "product.product":
            return self.env["product.product"].browse(self.env.context.get("active_ids", []))
        if self.env.context.get("active_model") == "product.template":
            templates = self.env["product.template"].browse(self.env.context.get("active_ids", []))
            return templates.product_variant_ids
        return self.env["product.product"]

    def action_bind(self):
        """Create the missing bindings; products without internal reference or already bound are skipped."""
        self.ensure_one()
        Binding = self.env["marketplace.product.binding"]
        without_code = self.product_ids.filtered(lambda p: not p.default_code)
        candidates = self.product_ids - without_code
        existing = set(Binding.with_context(active_test=False).search([
            ("shop_id", "=", self.shop_id.id), ("external_sku", "in", candidates.mapped("default_code")),
        ]).mapped("external_sku"))
        to_bind = candidates.filtered(lambda p: p.default_code not in existing)
        bindings = Binding.create([
            {"shop_id": self.shop_id.id, "product_id": product.id, "external_sku": product.default_code}
            for product in to_bind
        ])
        if not bindings and not without_code and not existing:
            raise UserError(_("Select at least one product to bind."))
        return {
            "type": "ir.actions.act_window", "name": _("Product Bindings"), "res_model": "marketplace.product.binding",
            "view_mode": "list,form", "domain": [("id", "in", bindings.ids)],
            "context": {"marketplace_bind_summary": _(
                "%(bound)s bound, %(existing)s already bound, %(nocode)s without internal reference",
                bound=len(bindings), existing=len(existing), nocode=len(without_code))},
        }
