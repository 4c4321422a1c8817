from odoo import Command, api, fields, models

from ..marketplace_core.refunds import remaining
from ..models.marketplace_order import check_may_refund


class MarketplaceRefundWizard(models.TransientModel):
    """Refund the buyer of a marketplace order from Odoo: everything that remains, units of its lines, or an
    amount, with a reason. The order's ``_request_refund`` checks who and how much, then queues the job that
    tells the marketplace; the credit note follows from the marketplace's answer."""

    _name = "marketplace.refund.wizard"
    _description = "Refund a Marketplace Order"

    order_id = fields.Many2one("marketplace.order", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="order_id.currency_id")
    mode = fields.Selection([("full", "Everything that remains"), ("lines", "Units of lines"),
                             ("amount", "An amount")], required=True, default="full")
    # marketplace_core.refunds.REASONS; each connector maps them to its platform's
    reason = fields.Selection(
        [("buyer_cancel", "Buyer cancelled the order"), ("seller_cancel", "Seller cancelled the order"),
         ("item_not_received", "Item not received"), ("buyer_return", "Buyer returned the item"),
         ("item_not_as_described", "Item not as described"), ("other_adjustment", "Other adjustment"),
         ("shipping_discount", "Shipping discount")], required=True, default="other_adjustment")
    amount = fields.Monetary(help="The amount to refund (an amount refund).")
    comment = fields.Char(size=100, help="Shown to the buyer (100 characters at most).")
    amount_remaining = fields.Monetary(string="Left to Refund", compute="_compute_amount_remaining",
                                       help="What the buyer paid less the refunds booked so far.")
    line_ids = fields.One2many("marketplace.refund.wizard.line", "wizard_id", string="Lines")

    @api.model_create_multi
    def create(self, vals_list):
        """Only who may refund the order opens its refund (a manager of another company neither sees the order
        nor what is left to refund on it); confirming checks again."""
        wizards = super().create(vals_list)
        check_may_refund(wizards.order_id)
        return wizards

    @api.depends("order_id")
    def _compute_amount_remaining(self):
        """In superuser mode (the credit notes may be the accountants'), for an order the user sees only: the
        form's first onchange, before any creation, showed another company's manager what is left to refund."""
        for wizard in self:
            order = wizard.order_id
            wizard.amount_remaining = float(remaining(order.sudo()._refund_figures(),
                                                      order.sudo()._booked_credit_lines()).total) \
                if order and order.has_access("read") else 0.0

    @api.onchange("mode")
    def _onchange_mode(self):
        if self.mode == "lines" and not self.line_ids:
            self.line_ids = [Command.create({"order_line_id": line.id}) for line in self.order_id.line_ids]

    def action_confirm(self):
        self.ensure_one()
        units = {line.order_line_id: line.quantity for line in self.line_ids if line.quantity}
        self.order_id._request_refund(self.mode, self.reason, amount=self.amount, units=units,
                                      comment=self.comment)
        return {"type": "ir.actions.act_window_close"}


class MarketplaceRefundWizardLine(models.TransientModel):
    _name = "marketplace.refund.wizard.line"
    _description = "Refund a Marketplace Order: Line"

    wizard_id = fields.Many2one("marketplace.refund.wizard", required=True, ondelete="cascade")
    order_line_id = fields.Many2one("marketplace.order.line", required=True, readonly=True)
    ordered = fields.Float(related="order_line_id.quantity")
    quantity = fields.Float(string="Units to Refund", digits="Product Unit of Measure")
