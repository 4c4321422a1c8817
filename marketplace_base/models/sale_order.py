from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    marketplace_order_id = fields.Many2one("marketplace.order", readonly=True, copy=False, index="btree_not_null")
    marketplace_shop_id = fields.Many2one(related="marketplace_order_id.shop_id", store=True, string="Marketplace Shop")
    marketplace_cancellation_count = fields.Integer(compute="_compute_marketplace_cancellation_count",
                                                    groups="marketplace_base.group_marketplace_user")
    marketplace_dispute_count = fields.Integer(compute="_compute_marketplace_dispute_count",
                                               groups="marketplace_base.group_marketplace_user")

    marketplace_return_count = fields.Integer(compute="_compute_marketplace_return_count",
                                              groups="marketplace_base.group_marketplace_user")
    marketplace_case_count = fields.Integer(compute="_compute_marketplace_case_count",
                                            groups="marketplace_base.group_marketplace_user")

    @api.depends("marketplace_order_id.cancellation_ids")
    def _compute_marketplace_cancellation_count(self):
        for sale_order in self:
            sale_order.marketplace_cancellation_count = len(sale_order.marketplace_order_id.cancellation_ids)

    def action_view_marketplace_cancellations(self):
        self.ensure_one()
        return self.marketplace_order_id.action_view_cancellations()

    @api.depends("marketplace_order_id.dispute_ids")
    def _compute_marketplace_dispute_count(self):
        for sale_order in self:
            sale_order.marketplace_dispute_count = len(sale_order.marketplace_order_id.dispute_ids)

    def action_view_marketplace_disputes(self):
        self.ensure_one()
        return self.marketplace_order_id.action_view_disputes()

    @api.depends("marketplace_order_id.return_ids")
    def _compute_marketplace_return_count(self):
        for sale_order in self:
            sale_order.marketplace_return_count = len(sale_order.marketplace_order_id.return_ids)

    def action_view_marketplace_returns(self):
        self.ensure_one()
        return self.marketplace_order_id.action_view_returns()

    @api.depends("marketplace_order_id.case_ids")
    def _compute_marketplace_case_count(self):
        for sale_order in self:
            sale_order.marketplace_case_count = len(sale_order.marketplace_order_id.case_ids)

    def action_view_marketplace_cases(self):
        self.ensure_one()
        return self.marketplace_order_id.action_view_cases()
