import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, mute_logger

from ..marketplace_core.errors import RetryableJobError

_logger = logging.getLogger(__name__)

ADDRESS_FIELDS = ("name", "street", "street2", "city", "zip", "state_id", "country_id", "phone")
QUIET_IMPORT = {"tracking_disable": True, "mail_create_nolog": True}


class MarketplaceOrder(models.Model):
    """An order as the marketplace sent it, and the sale order made from it (exactly one)."""

    _name = "marketplace.order"
    _description = "Marketplace Order"
    _inherit = ["mail.thread", "mail.activity.mixin", "marketplace.raw.payload.mixin"]
    _order = "order_date desc, id desc"

    # Identity
    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="restrict", index=True)
    account_id = fields.Many2one(related="shop_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    external_order_id = fields.Char(string="External Order ID", required=True)
    order_date = fields.Datetime()
    last_modified_at = fields.Datetime(string="Last Modified on Marketplace")
    external_status = fields.Char(string="Marketplace Status",
                                  help="Payment / fulfillment status as the marketplace says it.")

    # Buyer
    buyer_username = fields.Char()
    buyer_name = fields.Char()
    buyer_email = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    shipping_partner_id = fields.Many2one("res.partner", string="Delivery Address", readonly=True)
    ship_name = fields.Char(string="Ship to Name")
    ship_street = fields.Char()
    ship_street2 = fields.Char()
    ship_city = fields.Char()
    ship_zip = fields.Char()
    ship_state_code = fields.Char()
    ship_country_code = fields.Char()
    ship_phone = fields.Char()

    # Amounts
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    amount_untaxed = fields.Monetary(string="Subtotal")
    amount_shipping = fields.Monetary(string="Shipping")
    amount_tax = fields.Monetary(string="Tax (seller)", help="Tax the seller collects and must declare.")
    amount_marketplace_tax = fields.Monetary(
        string="Tax (collected by marketplace)",
        help="Tax the marketplace collected and remits itself: the buyer paid it, the seller never receives it.",
    )
    amount_fee = fields.Monetary(string="Marketplace Fees")
    amount_total = fields.Monetary(string="Total")

    # Processing
    state = fields.Selection(
        [("new", "New"), ("imported", "Imported"), ("error", "Error"), ("cancelled", "Cancelled")],
        default="new", required=True, index=True, tracking=True, copy=False,
    )
    error_message = fields.Text(copy=False)
    line_ids = fields.One2many("marketplace.order.line", "order_id", string="Lines", copy=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, copy=False, index="btree_not_null")

    _sql_constraints = [
        ("shop_order_uniq", "UNIQUE(shop_id, external_order_id)", "This order is already imported in this shop."),
    ]

    @api.depends("shop_id.name", "external_order_id")
    def _compute_name(self):
        for order in self:
            order.name = "%s %s" % (order.shop_id.name or "", order.external_order_id or "")

    # -- idempotent import ---------------------------------------------------
    @api.model
    def _import_order(self, shop, values, lines):
        """Create or update the order ``values['external_order_id']`` of ``shop`` with its lines.

        Idempotent: the same order imported again (a cron overlap, a webhook, another
        worker) updates the one record; a line is matched by its external line id.
        Two workers inserting the same new order at once meet the unique constraint;
        the loser gets a retryable error and, on retry, finds the winner's record.
        Returns the order and whether anything changed. Records an import creates (orders, buyer
        contacts, their sale orders) get no chatter creation message nor field tracking: thousands of
        automated imports would bury what people write there.
        """
        self = self.with_context(**QUIET_IMPORT)
        order = self.search([("shop_id", "=", shop.id), ("external_order_id", "=", values["external_order_id"])])
        if not order:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    order = self.create(dict(values, shop_id=shop.id, line_ids=[(0, 0, line) for line in lines]))
            except psycopg2.IntegrityError as exc:
                raise RetryableJobError(
                    _("Order %s is being imported by another worker; retrying.", values["external_order_id"]),
                    retry_after=5,
                ) from exc
            changed = True
        else:
            changed = order._update_from_marketplace(values, lines)
        # known products count against free stock at once (see _pending_order_quantities)
        order._resolve_products()
        return order, changed

    @api.model
    def _import_and_convert(self, shop, values, lines, cancelled=False):
        """One order as its connector mapped it -> (order, outcome code): the rules every connector follows.

        Import it idempotently (``_import_order``), apply a cancellation once, make the sale order of a new
        order (or of an order in error that changed since): a refusal puts the order in error with the
        reason, never a half-made sale order. Outcomes: new, updated, unchanged, cancelled, error.
        """
        order, changed = self._import_order(shop, values, lines)
        if cancelled:
            if changed:
                order._apply_marketplace_cancellation()
            return order, "cancelled"
        if order.state == "new" or (order.state == "error" and changed):
            try:
                with self.env.cr.savepoint():
                    order._create_sale_order()
            except UserError as exc:
                order.write({"state": "error", "error_message": str(exc)})
            return order, "error" if order.state == "error" else "new"
        return order, "updated" if changed else "unchanged"

    @api.model
    def _currency_by_code(self, code):
        """The currency of ISO code ``code`` (active or not), for an order's amounts; a clear error without."""
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise UserError(_("Currency %s is unknown in Odoo.", code))
        return currency

    def _update_from_marketplace(self, values, lines):
        """Apply what changed on the marketplace; "no change = no write"."""
        self.ensure_one()
        changes = {name: value for name, value in values.items() if not self._same_value(name, value)}
        known = {line.external_line_id: line for line in self.line_ids}
        new_lines = [(0, 0, line) for line in lines if line["external_line_id"] not in known]
        if new_lines:
            changes["line_ids"] = new_lines
        if changes:
            self.write(changes)
        return bool(changes)

    def _same_value(self, name, value):
        field = self._fields[name]
        current = self[name]
        if field.type == "many2one":
            return current.id == (value or False)
        if field.type in ("float", "monetary"):
            return float_compare(current or 0.0, value or 0.0, precision_digits=6) == 0
        if field.type == "datetime" and value:
            return current == fields.Datetime.to_datetime(value)
        return (current or False) == (value or False)

    # -- sale order ----------------------------------------------------------
    def action_create_sale_order(self):
        """Button: make the sale order of each order; errors are kept on the order, not raised away."""
        self._create_sale_orders()
        failed = self.filtered(lambda order: order.state == "error")
        if failed:
            return {
                "type": "ir.actions.client", "tag": "display_notification",
                "params": {
                    "type": "warning", "sticky": True, "title": _("Some orders could not be converted"),
                    "message": "\n".join("%s: %s" % (order.name, order.error_message) for order in failed),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return True

    def _create_sale_orders(self):
        for order in self:
            order._create_sale_order()

    def _lock_for_update(self):
        """Serialise sale-order creation of one marketplace order between workers."""
        try:
            self.env.cr.execute("SELECT id FROM marketplace_order WHERE id = %s FOR UPDATE", [self.id])
        except psycopg2.errors.SerializationFailure as exc:
            raise RetryableJobError(_("Order %s was changed by another worker; retrying.", self.name),
                                    retry_after=5) from exc
        self.invalidate_recordset(["sale_order_id", "state"])

    def _create_sale_order(self):
        """Create (once) the sale order, or put the order in error with the reason.

        A missing product is detected before anything is created, so there is never a
        half-made sale order.
        """
        self.ensure_one()
        self._lock_for_update()
        if self.sale_order_id or self.state == "cancelled":
            return self.sale_order_id
        problems = self._resolve_products()
        if problems:
            self.write({"state": "error", "error_message": "\n".join(problems)})
            return self.env["sale.order"]
        self._resolve_partners()
        sale_order = self.env["sale.order"].with_company(self.company_id).create(self._prepare_sale_order())
        self.write({"sale_order_id": sale_order.id, "state": "imported", "error_message": False})
        for line, sale_line in zip(self.line_ids, sale_order.order_line.filtered(lambda sol: not sol.is_delivery),
                                   strict=False):
            line.sale_line_id = sale_line
        if self.shop_id.auto_confirm:
            sale_order.action_confirm()
        return sale_order

    def _resolve_products(self):
        """Find each line's product by the shop's bindings, then by internal reference; list the misses."""
        problems = []
        Binding = self.env["marketplace.product.binding"]
        Product = self.env["product.product"]
        for line in self.line_ids.filtered(lambda line: not line.product_id):
            binding = Binding.search([("shop_id", "=", self.shop_id.id), ("external_sku", "=", line.external_sku),
                                      ("product_id", "!=", False)], limit=1)
            product = binding.product_id or (line.external_sku and Product.search(
                [("default_code", "=", line.external_sku), ("company_id", "in", (False, self.company_id.id))], limit=1))
            if product:
                line.product_id = product
            else:
                problems.append(_("Unknown SKU %(sku)s (line %(line)s): bind it to a product or set it as a "
                                  "product's internal reference, then retry.",
                                  sku=line.external_sku or _("(none)"), line=line.external_line_id))
        return problems

    def _resolve_partners(self):
        """The buyer contact (one per marketplace username) and its delivery address (reused when identical)."""
        Partner = self.env["res.partner"].with_company(self.company_id).with_context(**QUIET_IMPORT)
        key = "%s:%s" % (self.shop_id.platform, self.buyer_username) if self.buyer_username else False
        buyer = key and Partner.search([("marketplace_buyer_key", "=", key)], limit=1)
        if not buyer:
            buyer = Partner.create({
                "name": self.buyer_name or self.ship_name or self.buyer_username or _("Marketplace buyer"),
                "email": self.buyer_email, "marketplace_buyer_key": key,
            })
        address = self._shipping_address_values()
        delivery = buyer.child_ids.filtered(
            lambda p: p.type == "delivery" and all((p[f].id if f.endswith("_id") else p[f] or False) == address[f]
                                                   for f in ADDRESS_FIELDS))[:1]
        if not delivery:
            delivery = Partner.create(dict(address, parent_id=buyer.id, type="delivery"))
        self.write({"partner_id": buyer.id, "shipping_partner_id": delivery.id})

    def _shipping_address_values(self):
        country = self.env["res.country"].search([("code", "=", (self.ship_country_code or "").upper())], limit=1) \
            if self.ship_country_code else self.env["res.country"]
        state = self.env["res.country.state"].search(
            [("country_id", "=", country.id), ("code", "=", self.ship_state_code)], limit=1) \
            if country and self.ship_state_code else self.env["res.country.state"]
        return {
            "name": self.ship_name or self.buyer_name or self.buyer_username or False,
            "street": self.ship_street or False, "street2": self.ship_street2 or False,
            "city": self.ship_city or False, "zip": self.ship_zip or False,
            "state_id": state.id or False, "country_id": country.id or False, "phone": self.ship_phone or False,
        }

    def _prepare_sale_order(self):
        """Sale order values: marketplace prices, no Odoo taxes on top of what the buyer paid.

        The marketplace computed the taxes: seller-collected tax becomes its own line
        (the seller declares it), marketplace-collected tax is kept on this order only
        (the buyer paid it to the marketplace; charging it again would double it).
        """
        shop = self.shop_id
        lines = [(0, 0, {
            "product_id": line.product_id.id, "name": line.title or line.product_id.display_name,
            "product_uom_qty": line.quantity, "price_unit": line.price_unit, "tax_id": [(6, 0, [])],
        }) for line in self.line_ids]
        service_lines = [
            ("marketplace_base.product_marketplace_shipping", self.amount_shipping, True),
            ("marketplace_base.product_marketplace_tax", self.amount_tax, False),
        ]
        for xml_id, amount, is_delivery in service_lines:
            if not amount:
                continue
            product = self.env.ref(xml_id)
            lines.append((0, 0, {"product_id": product.id, "name": product.name, "product_uom_qty": 1,
                                 "price_unit": amount, "tax_id": [(6, 0, [])], "is_delivery": is_delivery}))
        values = {
            "partner_id": self.partner_id.id,
            "partner_invoice_id": self.partner_id.id,
            "partner_shipping_id": self.shipping_partner_id.id,
            "company_id": self.company_id.id,
            "warehouse_id": shop.warehouse_id.id,
            "client_order_ref": self.external_order_id,
            "origin": self.name,
            "marketplace_order_id": self.id,
            "order_line": lines,
        }
        if self.order_date:
            values["date_order"] = self.order_date
        if shop.pricelist_id:
            values["pricelist_id"] = shop.pricelist_id.id
        if shop.team_id:
            values["team_id"] = shop.team_id.id
        return values

    def action_retry(self):
        """Button on orders in error: try again after the seller fixed the product or binding."""
        self.filtered(lambda order: order.state == "error").write({"state": "new", "error_message": False})
        return self.action_create_sale_order()

    # -- cancellation --------------------------------------------------------
    def _apply_marketplace_cancellation(self):
        """The buyer or marketplace cancelled: cancel in Odoo when nothing shipped, else ask a person."""
        for order in self.filtered(lambda o: o.state != "cancelled"):
            sale_order = order.sale_order_id
            shipped = sale_order.picking_ids.filtered(lambda p: p.state == "done")
            if shipped:
                order.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("Cancelled on the marketplace after shipping"),
                    note=_("The marketplace cancelled %s but a delivery is already done: arrange the return or refund.",
                           order.name),
                    user_id=sale_order.user_id.id or self.env.uid,
                )
                continue
            if sale_order and sale_order.state != "cancel":
                sale_order._action_cancel()
            order.write({"state": "cancelled"})
            order.message_post(body=_("Cancelled on the marketplace."))

    def action_view_sale_order(self):
        self.ensure_one()
        if not self.sale_order_id:
            raise UserError(_("No sale order yet: use Create Sale Order."))
        return {"type": "ir.actions.act_window", "res_model": "sale.order", "res_id": self.sale_order_id.id,
                "view_mode": "form"}
