from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..marketplace_core.sync_rules import online_quantity


class MarketplaceSyncRule(models.Model):
    """How much of the free stock a shop publishes (buffer, minimum, rounding)."""

    _name = "marketplace.sync.rule"
    _description = "Marketplace Sync Rule"
    _order = "shop_id, id"

    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    name = fields.Char(compute="_compute_name")
    buffer_qty = fields.Integer(
        string="Buffer Quantity", default=0,
        help="Units kept back from the marketplace, e.g. for sales in the shop.",
    )
    min_online_qty = fields.Integer(
        string="Min Online Quantity", default=0,
        help="Below this the listing shows 0, rather than a few units that invite cancellations.",
    )
    rounding = fields.Integer(
        default=0, help="Publish a multiple of this quantity (rounded down); 0 publishes the exact quantity.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("buffer_not_negative", "CHECK(buffer_qty >= 0)", "The buffer quantity cannot be negative."),
        ("min_not_negative", "CHECK(min_online_qty >= 0)", "The minimum online quantity cannot be negative."),
        ("rounding_not_negative", "CHECK(rounding >= 0)", "The rounding cannot be negative."),
    ]

    @api.depends("shop_id", "buffer_qty", "min_online_qty", "rounding")
    def _compute_name(self):
        for rule in self:
            rule.name = _(
                "%(shop)s: buffer %(buffer)s, min %(min)s, rounding %(rounding)s",
                shop=rule.shop_id.name or "", buffer=rule.buffer_qty, min=rule.min_online_qty, rounding=rule.rounding,
            )

    @api.constrains("shop_id", "active")
    def _check_one_active_rule(self):
        for rule in self.filtered("active"):
            if len(rule.shop_id.sync_rule_ids.filtered("active")) > 1:
                raise ValidationError(_("Shop %s already has an active sync rule; archive it first.", rule.shop_id.name))

    def _online_quantity(self, available):
        """Quantity to publish for ``available`` free units; without a rule everything free is published."""
        if not self:
            return online_quantity(available)
        self.ensure_one()
        return online_quantity(available, self.buffer_qty, self.min_online_qty, self.rounding)
