from odoo import api, fields, models


class MarketplaceOrderImport(models.TransientModel):
    """Import Orders: a seller types marketplace order numbers, one ``pull_orders`` job of the shop imports them.

    For an order the scheduled pull never brought, e.g. one sold before the shop's first sync that a buyer's claim
    is about. The guard and the job are the shop's (``marketplace.shop._import_orders_by_number``)."""

    _name = "marketplace.order.import"
    _description = "Import Marketplace Orders by Number"

    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade", default=lambda self:
                              self._default_shop())
    order_numbers = fields.Text(
        help="The marketplace's order numbers, one a line or separated by commas. An order already imported is "
             "only refreshed.")

    @api.model
    def _default_shop(self):
        """The user's only shop, when he has one."""
        shops = self.env["marketplace.shop"].search([], limit=2)
        return shops if len(shops) == 1 else shops.browse()

    def action_import(self):
        """Queue the pull of the typed orders and open its job.

        No job back means an equal one was queued by another transaction at the same moment (``_enqueue``), one
        this transaction cannot read yet: it imports these orders, the wizard closes saying so."""
        self.ensure_one()
        job = self.shop_id._import_orders_by_number(self.order_numbers)
        if not job:
            return {
                "type": "ir.actions.client", "tag": "display_notification",
                "params": {
                    "type": "info", "title": self.env._("Already queued"),
                    "message": self.env._("An identical import of these orders was queued a moment ago: it "
                                          "imports them."),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return {"type": "ir.actions.act_window", "res_model": "marketplace.job", "view_mode": "form",
                "res_id": job.id}
