import json
from datetime import timedelta

from odoo import _, fields, models


class MarketplaceShop(models.Model):
    """One storefront of an account (an eBay site, a Shopee shop): where orders come from and stock goes."""

    _name = "marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    # Identity
    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade", index=True, tracking=True)
    platform = fields.Selection(related="account_id.platform", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    external_shop_id = fields.Char(string="External Shop ID", help="The marketplace's own id of this shop, if any.")
    marketplace_site = fields.Char(string="Marketplace / Site ID", help="e.g. EBAY_US, EBAY_DE", tracking=True)
    active = fields.Boolean(default=True)

    # Where orders land
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True,
        default=lambda self: self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1),
        help="Stock published online is taken from this warehouse, and orders ship from it.",
    )
    pricelist_id = fields.Many2one("product.pricelist", check_company=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    auto_confirm = fields.Boolean(
        string="Auto-confirm Orders", default=True,
        help="Confirm the sale order as soon as it is imported, which reserves the stock.",
    )
    # Who is in charge, and who runs the shop's background jobs
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True,
                              help="Gets a to-do when one of the shop's jobs fails (else the marketplace managers).")
    job_user_id = fields.Many2one(
        "res.users", string="Job User", default=lambda self: self.env.ref(
            "marketplace_base.user_marketplace_bot", raise_if_not_found=False),
        help="Jobs started by schedulers and webhooks run with this user's rights, in the shop's company.",
    )
    sync_rule_ids = fields.One2many("marketplace.sync.rule", "shop_id", string="Sync Rules")
    binding_ids = fields.One2many("marketplace.product.binding", "shop_id", string="Product Bindings")

    # Dashboard
    order_pending_count = fields.Integer(compute="_compute_dashboard", string="Pending Orders")
    order_error_count = fields.Integer(compute="_compute_dashboard", string="Orders in Error")
    job_failed_count = fields.Integer(compute="_compute_dashboard", string="Failed Jobs")
    job_pending_count = fields.Integer(compute="_compute_dashboard", string="Pending Jobs")
    binding_count = fields.Integer(compute="_compute_dashboard", string="Bindings")
    binding_zero_count = fields.Integer(compute="_compute_dashboard", string="Bindings at 0 Online")
    last_sync_summary = fields.Text(related="account_id.last_sync_summary")
    sales_graph_data = fields.Text(compute="_compute_sales_graph_data")

    def _count_by_shop(self, model, domain):
        rows = self.env[model]._read_group(domain + [("shop_id", "in", self.ids)], ["shop_id"], ["__count"])
        return {shop.id: count for shop, count in rows}

    def _compute_dashboard(self):
        pending_orders = self._count_by_shop("marketplace.order", [("state", "=", "new")])
        error_orders = self._count_by_shop("marketplace.order", [("state", "=", "error")])
        failed_jobs = self._count_by_shop("marketplace.job", [("state", "=", "failed")])
        pending_jobs = self._count_by_shop("marketplace.job", [("state", "=", "pending")])
        bindings = self._count_by_shop("marketplace.product.binding", [])
        zero = self._count_by_shop("marketplace.product.binding", [("last_pushed_qty", "=", 0)])
        for shop in self:
            shop.order_pending_count = pending_orders.get(shop.id, 0)
            shop.order_error_count = error_orders.get(shop.id, 0)
            shop.job_failed_count = failed_jobs.get(shop.id, 0)
            shop.job_pending_count = pending_jobs.get(shop.id, 0)
            shop.binding_count = bindings.get(shop.id, 0)
            shop.binding_zero_count = zero.get(shop.id, 0)

    def _compute_sales_graph_data(self):
        """Sales of the last 14 days, in the format of the web client's ``dashboard_graph`` widget."""
        today = fields.Date.context_today(self)
        start = today - timedelta(days=13)
        rows = self.env["marketplace.order"]._read_group(
            [("shop_id", "in", self.ids), ("state", "!=", "cancelled"), ("order_date", ">=", start)],
            ["shop_id", "order_date:day"], ["amount_total:sum"],
        )
        totals = {(shop.id, day.date() if hasattr(day, "date") else day): amount for shop, day, amount in rows}
        for shop in self:
            values = []
            for offset in range(14):
                day = start + timedelta(days=offset)
                values.append({
                    "label": day.strftime("%d %b"),
                    "value": totals.get((shop.id, day), 0.0),
                    "type": "past" if offset < 13 else "future",
                })
            shop.sales_graph_data = json.dumps([{"values": values, "key": _("Sales"), "title": "", "area": True}])

    # -- stock rules ---------------------------------------------------------
    def _active_sync_rule(self):
        self.ensure_one()
        return self.sync_rule_ids.filtered("active")[:1]

    # -- dashboard actions ---------------------------------------------------
    def _open_related(self, xml_id, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("shop_id", "=", self.id)] + domain
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_open_pending_orders(self):
        return self._open_related("marketplace_base.action_marketplace_order", [("state", "in", ("new", "error"))])

    def action_open_failed_jobs(self):
        return self._open_related("marketplace_base.action_marketplace_job", [("state", "=", "failed")])

    def action_open_pending_jobs(self):
        return self._open_related("marketplace_base.action_marketplace_job", [("state", "=", "pending")])

    def action_open_zero_bindings(self):
        return self._open_related("marketplace_base.action_marketplace_product_binding", [("last_pushed_qty", "=", 0)])

    def action_open_bindings(self):
        return self._open_related("marketplace_base.action_marketplace_product_binding", [])


    def _pending_order_quantities(self, products):
        """Units of ``products`` that imported marketplace orders will take but do not reserve yet.

        An order reserves stock once its sale order is confirmed; before that (new,
        in error, or a quotation) its quantities are still free in stock but sold.
        """
        self.ensure_one()
        rows = self.env["marketplace.order.line"]._read_group(
            [
                ("order_id.shop_id", "=", self.id),
                ("product_id", "in", products.ids),
                ("order_id.state", "in", ("new", "error", "imported")),
                "|", ("order_id.sale_order_id", "=", False),
                ("order_id.sale_order_id.state", "in", ("draft", "sent")),
            ],
            ["product_id"], ["quantity:sum"],
        )
        return {product.id: quantity for product, quantity in rows}
