import functools
import logging

import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, format_amount, mute_logger

from ..marketplace_core.errors import LostRace
from ..marketplace_core.isolation import apply_isolating
from ..marketplace_core.money import total_check
from ..marketplace_core.refunds import (
    ADJUSTMENT,
    PRODUCT,
    REASONS,
    SHIPPING,
    TAX,
    CreditLine,
    OrderFigures,
    OrderLineFigures,
    Refund,
    RefundError,
    credit_lines,
    requested_refund,
    to_decimal,
)

_logger = logging.getLogger(__name__)

ADDRESS_FIELDS = ("name", "street", "street2", "city", "zip", "state_id", "country_id", "phone")
QUIET_IMPORT = {"tracking_disable": True, "mail_create_nolog": True}
REFUND_JOB = "issue_refund"
OPEN_JOB_STATES = ("pending", "processing", "to_confirm")
MANAGER_GROUP = "marketplace_base.group_marketplace_manager"


def check_may_refund(records):
    """Refunds are the Marketplace Managers' of the order's company, whatever refunds (an order, a return, an
    inquiry): checked when a person asks and again when the refund job runs (a job made by hand, or run as
    someone who lost the right or works in another company, sends nothing)."""
    env = records.env
    if not (env.user.has_group(MANAGER_GROUP) and records.has_access("write")):
        raise AccessError(env._("Only the Marketplace Managers of the order's company refund its buyer (%s is not "
                                "one of them).", env.user.name))


def _address_key(partner):
    """A contact's address as the tuple of ADDRESS_FIELDS values (ids for relations), for comparisons."""
    return tuple(partner[name].id if name.endswith("_id") else partner[name] or False for name in ADDRESS_FIELDS)


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
    amount_discount = fields.Monetary(
        string="Order Discount",
        help="What the buyer did not pay of the lines and shipping: vouchers, coins and promotions applied to the "
             "whole order (the sale order's Marketplace Discount line).")
    amount_tax = fields.Monetary(string="Tax (seller)", help="Tax the seller collects and must declare.")
    amount_marketplace_tax = fields.Monetary(
        string="Tax (collected by marketplace)",
        help="Tax the marketplace collected and remits itself: the buyer paid it, the seller never receives it.",
    )
    amount_fee = fields.Monetary(string="Marketplace Fees")
    amount_total = fields.Monetary(
        string="Total",
        help="The order's total as the marketplace reports it for the seller: what the buyer paid less the tax the "
             "marketplace collected and remits itself. The sale order must add up to it.")
    sale_amount_total = fields.Monetary(
        string="Odoo Total", compute="_compute_total_check", store=True,
        help="The total of the sale order made from this order.")
    total_difference = fields.Monetary(
        compute="_compute_total_check", store=True,
        help="Odoo's total less the marketplace's, in the order's currency precision.")
    total_mismatch = fields.Boolean(
        string="Total Differs", compute="_compute_total_check", store=True,
        help="The sale order's total differs from the marketplace's by more than 0.01 (or is in another "
             "currency): check the order's lines, shipping and taxes against the marketplace.")
    money_transaction_ids = fields.One2many("marketplace.money.transaction", "marketplace_order_id",
                                            string="Money Transactions", readonly=True)
    amount_received = fields.Monetary(
        string="Net Received", compute="_compute_amount_received",
        help="What the order left the seller on the marketplace: its sales net of fees, less its refunds and "
             "charges, as the marketplace reported them.")

    # Processing
    state = fields.Selection(
        [("new", "New"), ("imported", "Imported"), ("error", "Error"), ("cancelled", "Cancelled")],
        default="new", required=True, index=True, tracking=True, copy=False,
    )
    error_message = fields.Text(copy=False)
    line_ids = fields.One2many("marketplace.order.line", "order_id", string="Lines", copy=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, copy=False, index="btree_not_null")
    cancellation_ids = fields.One2many("marketplace.cancellation", "order_id", string="Cancellations")
    return_ids = fields.One2many("marketplace.return", "order_id", string="Returns")
    return_count = fields.Integer(compute="_compute_return_count")
    cancellation_count = fields.Integer(compute="_compute_cancellation_count")
    dispute_ids = fields.One2many("marketplace.dispute", "order_id", string="Payment Disputes")
    dispute_count = fields.Integer(compute="_compute_dispute_count")
    case_ids = fields.One2many("marketplace.case", "order_id", string="Inquiries and Cases")
    case_count = fields.Integer(compute="_compute_case_count")
    credit_note_ids = fields.One2many("account.move", "marketplace_order_id", string="Credit Notes", readonly=True)
    credit_note_count = fields.Integer(compute="_compute_refunded")
    amount_refunded = fields.Monetary(
        string="Refunded", compute="_compute_refunded",
        help="What the credit notes of the marketplace's refunds of this order add up to (draft or posted).")

    _sql_constraints = [
        ("shop_order_uniq", "UNIQUE(shop_id, external_order_id)", "This order is already imported in this shop."),
    ]

    @api.depends("shop_id.name", "external_order_id")
    def _compute_name(self):
        for order in self:
            order.name = "%s %s" % (order.shop_id.name or "", order.external_order_id or "")

    @api.depends("money_transaction_ids.signed_amount")
    def _compute_amount_received(self):
        for order in self:
            order.amount_received = sum(order.money_transaction_ids.mapped("signed_amount"))

    @api.depends("amount_total", "currency_id", "sale_order_id.amount_total", "sale_order_id.currency_id")
    def _compute_total_check(self):
        """Compare the sale order's total with the marketplace's (``total_check``); no sale order, no check."""
        for order in self:
            sale = order.sale_order_id
            difference, differs = total_check(order.amount_total, sale.amount_total,
                                              order.currency_id.decimal_places) if sale else (0.0, False)
            order.sale_amount_total = sale.amount_total
            order.total_difference = float(difference)
            order.total_mismatch = differs or bool(sale and sale.currency_id != order.currency_id)

    def _note_total_differences(self):
        """Tell the seller, on each of these orders whose sale order does not add up to the marketplace's total."""
        for order in self.filtered("total_mismatch"):
            order.message_post(body=_(
                "The sale order's total %(odoo)s differs from the marketplace's %(marketplace)s (difference "
                "%(difference)s): check its lines, shipping and taxes against the marketplace.",
                odoo=format_amount(self.env, order.sale_amount_total, order.sale_order_id.currency_id),
                marketplace=format_amount(self.env, order.amount_total, order.currency_id),
                difference=format_amount(self.env, order.total_difference, order.currency_id)))

    # -- idempotent import ---------------------------------------------------
    @api.model
    def _import_order(self, shop, values, lines):
        """Create or update one order of ``shop``: ``_import_orders`` for a single order."""
        return self._import_orders(shop, [(values, lines)])[0]

    @api.model
    def _import_orders(self, shop, orders):
        """Create or update the orders of ``shop`` given as ``[(values, lines), ...]``, all together.

        Idempotent: the same order imported again (a cron overlap, a webhook, another
        worker) updates the one record; a line is matched by its external line id.
        Two workers inserting the same new order at once meet the unique constraint;
        the loser gets a ``LostRace`` and, in a fresh transaction, finds the winner's record.
        Together: one search finds the orders already known, one create makes the new ones with
        their lines, and one lookup resolves the products of all their lines.
        Returns ``[(order, changed), ...]`` in the given order. Records an import creates (orders, buyer
        contacts, their sale orders) get no chatter creation message nor field tracking: thousands of
        automated imports would bury what people write there.
        """
        self = self.with_context(**QUIET_IMPORT)
        external_ids = [values["external_order_id"] for values, _lines in orders]
        found = {order.external_order_id: order for order in self.search(
            [("shop_id", "=", shop.id), ("external_order_id", "in", external_ids)])}
        new = {}
        for values, lines in orders:
            if values["external_order_id"] not in found:
                new.setdefault(values["external_order_id"], (values, lines))
        created = self._create_imported(shop, list(new.values()))
        found.update(created)
        results = []
        for values, lines in orders:
            order = found[values["external_order_id"]]
            if created.pop(values["external_order_id"], None):
                results.append((order, True))
            else:  # known already, or the same order twice in one batch
                results.append((order, order._update_from_marketplace(values, lines)))
        # known products count against free stock at once (see _pending_order_quantities)
        self.browse([order.id for order, _changed in results])._resolve_products()
        return results

    @api.model
    def _create_imported(self, shop, orders):
        """The new orders ``[(values, lines)]`` of ``shop`` in one create: {external order id: order}."""
        if not orders:
            return {}
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                records = self.create([dict(values, shop_id=shop.id, line_ids=[Command.create(line) for line in lines])
                                       for values, lines in orders])
        except psycopg2.IntegrityError as exc:
            raise LostRace(_("Order %s is being imported by another worker; retrying.",
                             ", ".join(values["external_order_id"] for values, _lines in orders))) from exc
        return {order.external_order_id: order for order in records}

    @api.model
    def _import_settled(self, shop, orders):
        """Import ``[(values, lines, cancelled), ...]`` of ``shop`` together (``_import_orders``) and apply each
        cancellation once. Per order ``(order, outcome)``: cancelled, updated, unchanged, or ``convert`` for an
        order that still needs its sale order (``_convert_isolated``)."""
        imported = self._import_orders(shop, [(values, lines) for values, lines, _cancelled in orders])
        return [(order, order._import_outcome(changed, cancelled))
                for (order, changed), (_values, _lines, cancelled) in zip(imported, orders, strict=False)]

    def _import_outcome(self, changed, cancelled):
        """What an import did to this order: a cancellation is applied at once; a new order, or one in error
        that changed (the seller may have fixed it on the marketplace), still needs its sale order."""
        self.ensure_one()
        if cancelled:
            if changed:
                self._apply_marketplace_cancellation()
            return "cancelled"
        if self.state == "new" or (self.state == "error" and changed):
            return "convert"
        return "updated" if changed else "unchanged"

    def _convert_isolated(self, importing=False):
        """Make the sale orders of these orders together, but an order whose sale order Odoo refuses (a
        UserError) is put in error with the reason while the others go through (``apply_isolating``: all
        at once first, halves around a bad order only when needed). Returns {order: "new" or "error"}.
        ``importing``: see ``_resolve_partners``."""
        convert = functools.partial(self._create_sale_orders_of, importing=importing)
        _done, refused = apply_isolating(list(self), convert, self.env.cr.savepoint, UserError)
        for order, exc in refused:
            order.write({"state": "error", "error_message": str(exc)})
        return {order: "error" if order.state == "error" else "new" for order in self}

    def _create_sale_orders_of(self, orders, importing=False):
        """``_create_sale_orders`` of a list of these orders (in this recordset's context); one outcome each."""
        self.browse([order.id for order in orders])._create_sale_orders(importing=importing)
        return orders

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
        new_lines = [Command.create(line) for line in lines if line["external_line_id"] not in known]
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

    def _lock_for_update(self):
        """Serialise sale-order creation (and shipment reports) of marketplace orders between workers."""
        # worded first: a failed statement leaves the transaction unable to read names or translations
        message = _("Order %s was changed by another worker; retrying.", ", ".join(self.mapped("name")))
        try:
            self.env.cr.execute(SQL("SELECT id FROM marketplace_order WHERE id IN %s FOR UPDATE", tuple(self.ids)))
        except psycopg2.errors.SerializationFailure as exc:
            raise LostRace(message) from exc
        self.invalidate_recordset(["sale_order_id", "state"])

    def _lock_stock(self):
        """Lock the stock the confirmation of these orders' sale orders will reserve, before making them.

        A stock adjustment or another import committed on those quants since this transaction began would
        refuse the reservation at the very end of the work (PostgreSQL's serialization failure); locking
        them first makes such a lost race cost one statement, not the sale orders' creation, so isolating
        the raced orders (``JobRun.apply_isolating``) is cheap, and once locked the quants cannot change
        under the confirmation. Locked in id order: two workers never wait for each other in a circle."""
        confirming = self.filtered(lambda order: order.shop_id.auto_confirm)
        products = confirming.line_ids.product_id.filtered("is_storable")
        locations = confirming.shop_id.warehouse_id.lot_stock_id
        if not products or not locations:
            return
        message = _("The stock of order %s changed meanwhile; retrying.", ", ".join(self.mapped("name")))
        try:
            self.env.cr.execute(SQL("""
                SELECT quant.id FROM stock_quant quant JOIN stock_location location ON location.id = quant.location_id
                 WHERE quant.product_id = ANY(%s) AND location.parent_path LIKE ANY(%s)
                 ORDER BY quant.id FOR NO KEY UPDATE OF quant""",
                products.ids, [location.parent_path + "%" for location in locations]))
        except psycopg2.errors.SerializationFailure as exc:
            raise LostRace(message) from exc

    def _create_sale_order(self):
        """Create (once) the sale order, or put the order in error with the reason; returns the sale order."""
        self.ensure_one()
        self._create_sale_orders()
        return self.sale_order_id

    def _create_sale_orders(self, importing=False):
        """Create (once) the sale order of each order, or put the order in error with the reason.

        A missing product is detected before anything is created, so there is never a
        half-made sale order. The orders are handled together: their products, buyers and delivery
        addresses are looked up and created in a few queries, their sale orders created in one call
        per company and confirmed in one (what the shop's auto-confirm asks). A UserError of one
        sale order stops them all: ``_convert_isolated`` isolates the bad one. ``importing``: see
        ``_resolve_partners``.
        """
        if not self:
            return
        self._lock_for_update()
        todo = self.filtered(lambda order: not order.sale_order_id and order.state != "cancelled")
        problems = todo._resolve_products()
        for order in todo.filtered(lambda order: order.id in problems):
            order.write({"state": "error", "error_message": "\n".join(problems[order.id])})
        ready = todo.filtered(lambda order: order.id not in problems)
        if not ready:
            return
        ready._lock_stock()
        sale_orders = self.env["sale.order"]
        for company, company_orders in ready.grouped("company_id").items():
            orders = company_orders.with_company(company)
            orders._resolve_partners(importing=importing)
            created = self.env["sale.order"].with_company(company).create(
                [order._prepare_sale_order() for order in orders])
            for order, sale_order in zip(orders, created, strict=False):
                order._link_sale_order(sale_order)
            sale_orders |= created
        to_confirm = sale_orders.filtered(lambda sale_order: sale_order.marketplace_order_id.shop_id.auto_confirm)
        if to_confirm:
            to_confirm.action_confirm()
        ready._note_total_differences()

    def _link_sale_order(self, sale_order):
        """The order is imported as ``sale_order``: each marketplace line points to its sale line."""
        self.write({"sale_order_id": sale_order.id, "state": "imported", "error_message": False})
        for line, sale_line in zip(self.line_ids, sale_order.order_line.filtered(lambda sol: not sol.is_delivery),
                                   strict=False):
            line.sale_line_id = sale_line

    def _resolve_products(self):
        """Find each line's product by its shop's bindings, then by internal reference; list the misses.

        One search of the bindings and one of the products serve every line of these orders.
        Returns {order id: [problem, ...]} for the orders with a line left without product."""
        lines = self.line_ids.filtered(lambda line: not line.product_id)
        skus = list(set(lines.mapped("external_sku")) - {False})
        bound, by_code = {}, {}
        if skus:
            for binding in self.env["marketplace.product.binding"].search(
                    [("shop_id", "in", lines.order_id.shop_id.ids), ("external_sku", "in", skus),
                     ("product_id", "!=", False)]):
                bound.setdefault((binding.shop_id.id, binding.external_sku), binding.product_id)
            for product in self.env["product.product"].search(
                    [("default_code", "in", skus), ("company_id", "in", [False] + lines.order_id.company_id.ids)]):
                by_code.setdefault(product.default_code, []).append(product)
        problems = {}
        for line in lines:
            order = line.order_id
            product = bound.get((order.shop_id.id, line.external_sku)) or next(
                (product for product in by_code.get(line.external_sku, ())
                 if not product.company_id or product.company_id == order.company_id), None)
            if product:
                line.product_id = product
            else:
                problems.setdefault(order.id, []).append(_(
                    "Unknown SKU %(sku)s (line %(line)s): bind it to a product or set it as a product's internal "
                    "reference, then retry.", sku=line.external_sku or _("(none)"), line=line.external_line_id))
        return problems

    def _resolve_partners(self, importing=False):
        """The buyer contacts (one per marketplace username and company) and their delivery addresses (reused
        when identical), for orders of one company (the caller groups them).

        A buyer belongs to the company of the order's shop: another company selling to the same username gets
        a contact of its own and never sees this one (names, addresses and e-mails are a company's data).
        For all these orders together: one search of the known buyers and their addresses, one create
        of the new buyers, one of the new addresses.

        ``importing`` (a Python argument of the order import only, never a context key: an RPC caller sets
        the context): the orders were just written from the marketplace's data, and the contacts are the
        import's own bookkeeping, made in superuser mode for whoever may import these orders (a Marketplace
        User's Pull Orders, or its Requeue, runs with his rights; without Contact Creation his orders stopped
        in error on Odoo's raw access error). Anywhere else (the order's buttons, RPC) the buyer fields may be
        the caller's own writing: the contacts are made with his rights, a clear error without them."""
        company = self.company_id
        company.ensure_one()
        self.check_access("write")
        Partner = self.env["res.partner"].with_context(**QUIET_IMPORT)
        if importing:
            Partner = Partner.sudo()
        keys = {order.id: order._buyer_key() for order in self}
        buyers = {}
        for partner in Partner.search([("marketplace_buyer_key", "in", [key for key in keys.values() if key]),
                                       ("company_id", "=", company.id)]):
            buyers.setdefault(partner.marketplace_buyer_key, partner)
        new_buyers = {}     # key (or the order, for a buyer without username) -> the first order's values
        for order in self:
            if not buyers.get(keys[order.id]):
                new_buyers.setdefault(keys[order.id] or order.id, order._buyer_values(keys[order.id]))
        if new_buyers:
            self._check_may_create_contacts(Partner)
        for key, partner in zip(new_buyers, Partner.create(list(new_buyers.values())), strict=False):
            buyers[key] = partner
        addresses = self._shipping_address_values()
        known = {}          # (buyer id, address) -> delivery contact
        for buyer in set(buyers.values()):
            for contact in buyer.child_ids.filtered(lambda partner: partner.type == "delivery"):
                known.setdefault((buyer.id, _address_key(contact)), contact)
        wanted = {order.id: (buyers[keys[order.id] or order.id].id,
                             tuple(addresses[order.id][name] for name in ADDRESS_FIELDS)) for order in self}
        new_addresses = {}
        for order in self:
            if wanted[order.id] not in known:
                new_addresses.setdefault(wanted[order.id], dict(
                    addresses[order.id], parent_id=wanted[order.id][0], type="delivery", company_id=company.id))
        if new_addresses:
            self._check_may_create_contacts(Partner)
        known.update(zip(new_addresses, Partner.create(list(new_addresses.values())), strict=False))
        for order in self:
            order.write({"partner_id": wanted[order.id][0], "shipping_partner_id": known[wanted[order.id]].id})

    def _check_may_create_contacts(self, Partner):
        """Outside the import, the buyer's new contact is made with the user's rights: say which ones he lacks
        (Odoo's own access error would not name the order nor the right to ask for)."""
        if not Partner.has_access("create"):
            raise UserError(_("The buyer of %(orders)s needs a new contact, and only a user with Contact Creation "
                              "rights may create it: ask one to create the sale order.",
                              orders=", ".join(self.mapped("name"))))

    def _buyer_key(self):
        """``platform:username``: a returning buyer finds the same contact (none without a username)."""
        return "%s:%s" % (self.shop_id.platform, self.buyer_username) if self.buyer_username else False

    def _buyer_values(self, key):
        return {"name": self.buyer_name or self.ship_name or self.buyer_username or _("Marketplace buyer"),
                "email": self.buyer_email, "marketplace_buyer_key": key, "company_id": self.company_id.id}

    def _shipping_address_values(self):
        """{order id: delivery contact values}: the countries and states of all orders in two searches."""
        codes = {(order.ship_country_code or "").upper() for order in self} - {""}
        countries = {country.code: country
                     for country in self.env["res.country"].search([("code", "in", list(codes))])} if codes else {}
        state_codes = list({order.ship_state_code for order in self} - {False, ""})
        states = {}
        if state_codes and countries:
            country_ids = [country.id for country in countries.values()]
            for state in self.env["res.country.state"].search(
                    [("country_id", "in", country_ids), ("code", "in", state_codes)]):
                states.setdefault((state.country_id.id, state.code), state)
        values = {}
        for order in self:
            country = countries.get((order.ship_country_code or "").upper())
            state = states.get((country.id, order.ship_state_code)) if country else None
            values[order.id] = {
                "name": order.ship_name or order.buyer_name or order.buyer_username or False,
                "street": order.ship_street or False, "street2": order.ship_street2 or False,
                "city": order.ship_city or False, "zip": order.ship_zip or False,
                "state_id": state.id if state else False, "country_id": country.id if country else False,
                "phone": order.ship_phone or False,
            }
        return values

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
            ("marketplace_base.product_marketplace_discount", -self.amount_discount, False),
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
        # the marketplace's currency (an EBAY_GB order stays in GBP), amounts as the marketplace sent them
        if shop.pricelist_id or self.partner_id.property_product_pricelist.currency_id != self.currency_id:
            values["pricelist_id"] = shop._pricelist_in_currency(self.currency_id).id
        if shop.fiscal_position_id:
            values["fiscal_position_id"] = shop.fiscal_position_id.id
        if shop.team_id:
            values["team_id"] = shop.team_id.id
        if shop.user_id:
            # the shop's Responsible, not whoever ran the import (the schedulers' Job User)
            values["user_id"] = shop.user_id.id
        return values

    def _seller_user(self):
        """The person who answers for this order: its salesperson, unless that is the shop's Job User (the
        identity of schedulers and webhooks, who made the sale order and reads no to-do), else the shop's
        Responsible; an empty recordset when neither is a person."""
        self.ensure_one()
        salesperson = self.sudo().sale_order_id.user_id
        if salesperson and salesperson != self.shop_id.job_user_id:
            return salesperson
        return self.shop_id.user_id

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
                    user_id=order._seller_user().id or self.env.uid,
                )
                continue
            if sale_order and sale_order.state != "cancel":
                sale_order._action_cancel()
            order.write({"state": "cancelled"})
            order.message_post(body=_("Cancelled on the marketplace."))

    # -- cancellations (marketplace.cancellation) ----------------------------
    @api.depends("cancellation_ids")
    def _compute_cancellation_count(self):
        counts = dict(self.env["marketplace.cancellation"]._read_group(
            [("order_id", "in", self.ids)], ["order_id"], ["__count"]))
        for order in self:
            order.cancellation_count = counts.get(order, 0)

    def _check_cancellable_by_seller(self, exclude=None):
        """The seller may cancel an order not cancelled, not shipped, without another open cancellation."""
        self.ensure_one()
        if self.state == "cancelled":
            raise UserError(_("%s is cancelled already.", self.name))
        if self.sudo().sale_order_id.picking_ids.filtered(lambda picking: picking.state == "done"):
            raise UserError(_("%s has shipped: it can no longer be cancelled, the buyer may ask for a return.",
                              self.name))
        if (self.cancellation_ids - (exclude or self.env["marketplace.cancellation"])).filtered(
                lambda cancellation: cancellation.state in ("requested", "approved")):
            raise UserError(_("%s has an open cancellation already: answer it instead.", self.name))

    def action_request_cancellation(self):
        """The seller cancels the order on the marketplace: a cancellation to send, with its reason."""
        self.ensure_one()
        self._check_cancellable_by_seller()
        cancellation = self.cancellation_ids.filtered(lambda draft: draft.state == "draft")[:1] or \
            self.env["marketplace.cancellation"].create({"order_id": self.id, "requester": "seller"})
        return {"type": "ir.actions.act_window", "res_model": "marketplace.cancellation", "res_id": cancellation.id,
                "view_mode": "form", "target": "new", "name": _("Cancel %s on the marketplace", self.name)}

    def action_view_cancellations(self):
        return self._view_after_sale("marketplace_base.action_marketplace_cancellation")

    # -- returns (marketplace.return) -----------------------------------------
    @api.depends("return_ids")
    def _compute_return_count(self):
        counts = dict(self.env["marketplace.return"]._read_group(
            [("order_id", "in", self.ids)], ["order_id"], ["__count"]))
        for order in self:
            order.return_count = counts.get(order, 0)

    def action_view_returns(self):
        return self._view_after_sale("marketplace_base.action_marketplace_return")

    # -- inquiries and cases (marketplace.case) --------------------------------
    @api.depends("case_ids")
    def _compute_case_count(self):
        counts = dict(self.env["marketplace.case"]._read_group(
            [("order_id", "in", self.ids)], ["order_id"], ["__count"]))
        for order in self:
            order.case_count = counts.get(order, 0)

    def action_view_cases(self):
        return self._view_after_sale("marketplace_base.action_marketplace_case")

    def _view_after_sale(self, xml_id):
        """The after-sale records (cancellations, returns, inquiries and cases) of this order, whatever their
        state."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- payment disputes (marketplace.dispute) ------------------------------
    @api.depends("dispute_ids")
    def _compute_dispute_count(self):
        counts = dict(self.env["marketplace.dispute"]._read_group(
            [("order_id", "in", self.ids)], ["order_id"], ["__count"]))
        for order in self:
            order.dispute_count = counts.get(order, 0)

    def action_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("marketplace_base.action_marketplace_dispute")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- refunds (draft credit notes, once per marketplace refund) -----------
    @api.depends("credit_note_ids.amount_total", "credit_note_ids.state")
    def _compute_refunded(self):
        # read as superuser: a Marketplace User sees how much was refunded without Invoicing rights
        for order in self:
            notes = order.sudo().credit_note_ids.filtered(lambda move: move.state != "cancel")
            order.credit_note_count = len(notes)
            order.amount_refunded = sum(notes.mapped("amount_total"))

    def _refund_figures(self):
        """What the buyer paid for this order, as the refund arithmetic takes it (``marketplace_core.refunds``)."""
        self.ensure_one()
        return OrderFigures(
            lines=tuple(OrderLineFigures(line.external_line_id, to_decimal(line.quantity),
                                         to_decimal(line.price_unit), to_decimal(line.amount_shipping),
                                         to_decimal(line.amount_tax)) for line in self.line_ids),
            shipping=to_decimal(self.amount_shipping), tax=to_decimal(self.amount_tax),
            decimals=self.currency_id.decimal_places)

    def _refund_products(self):
        return {SHIPPING: self.env.ref("marketplace_base.product_marketplace_shipping"),
                TAX: self.env.ref("marketplace_base.product_marketplace_tax"),
                ADJUSTMENT: self.env.ref("marketplace_base.product_marketplace_refund")}

    def _booked_credit_lines(self):
        """The lines of this order's credit notes (not cancelled) as ``CreditLine`` records: what was refunded."""
        self.ensure_one()
        kinds = {product: kind for kind, product in self._refund_products().items()}
        line_refs = {line.sale_line_id: line.external_line_id for line in self.line_ids if line.sale_line_id}
        booked = []
        for line in self.sudo().credit_note_ids.filtered(lambda move: move.state != "cancel").invoice_line_ids:
            line_ref = next((line_refs[sale_line] for sale_line in line.sale_line_ids if sale_line in line_refs), None)
            kind = kinds.get(line.product_id) or (PRODUCT if line_ref else ADJUSTMENT)
            booked.append(CreditLine(kind, to_decimal(line.price_unit), to_decimal(line.quantity), line_ref))
        return booked

    def _book_marketplace_refunds(self, refunds, source):
        """Book the marketplace's refunds of this order (``marketplace_core.refunds.Refund`` records with their
        ``ref``), those not booked yet; returns {refund id: why not} for those that cannot be booked now."""
        self.ensure_one()
        known = set(self.env["account.move"].sudo().search([
            ("marketplace_shop_id", "=", self.shop_id.id),
            ("marketplace_refund_ref", "in", [refund.ref for refund in refunds])]).mapped("marketplace_refund_ref"))
        refused = {}
        for refund in refunds:
            if refund.ref in known:
                continue
            try:
                self._book_marketplace_refund(refund.ref, refund.amount, lines=refund.lines, source=source)
            except UserError as exc:
                refused[refund.ref] = str(exc)
        return refused

    def _book_marketplace_refund(self, refund_id, amount, lines=(), source="order", cancellation=None, date=None):
        """Book the marketplace's refund ``refund_id`` of this order as a draft credit note, once per shop.

        ``amount`` is what the buyer got back; ``lines`` [(external line id, amount), ...] when the marketplace
        refunded lines (their amounts add up to ``amount``), else the refund is at the order's level; ``source``
        says who reported it (a selection value of ``account.move.marketplace_refund_source``: order, money,
        issued, cancellation, return, dispute); ``cancellation`` links the credit note to a
        ``marketplace.cancellation`` (by default the order's approved one, if any). The credit note reverses the
        order's posted invoice (Odoo's own reversal), else it is made on the sale order's customer; its lines
        come from ``marketplace_core.refunds.credit_lines``. Returns the credit note, the one booked before when
        the refund is known. Raises UserError when it cannot be booked (no sale order yet; more than what remains
        to refund), and ``LostRace`` when another worker books the same refund at the same moment (its
        transaction wins; this one is retried and finds its credit note)."""
        self.ensure_one()
        order = self.sudo().with_company(self.company_id)
        Move = order.env["account.move"]
        known = Move.search([("marketplace_shop_id", "=", order.shop_id.id),
                             ("marketplace_refund_ref", "=", refund_id)], limit=1)
        if known:
            return known
        if not order.sale_order_id:
            raise UserError(_("Refund %(refund)s of %(order)s waits for the order's sale order.",
                              refund=refund_id, order=order.name))
        refund = Refund.of_lines(lines, refund_id) if lines else Refund(to_decimal(amount), ref=refund_id)
        try:
            credit = credit_lines(order._refund_figures(), order._booked_credit_lines(), refund)
        except RefundError as exc:
            raise UserError(_("Refund %(refund)s of %(order)s is not booked: %(reason)s.", refund=refund_id,
                              order=order.name, reason=exc)) from None
        values = {
            "marketplace_order_id": order.id, "marketplace_shop_id": order.shop_id.id,
            "marketplace_refund_ref": refund_id, "marketplace_refund_source": source,
            "marketplace_cancellation_id": (cancellation or order._refund_cancellation()).id,
            "ref": _("%(shop)s refund %(refund)s", shop=order.shop_id.name, refund=refund_id),
        }
        if date:
            values["invoice_date"] = fields.Date.to_date(date)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                credit_note = order._new_credit_note(values, credit)
        except psycopg2.errors.UniqueViolation as exc:
            raise LostRace(_("Refund %s is being booked by another worker; retrying.", refund_id)) from exc
        order.message_post(body=_("Refund %(refund)s (%(amount)s) booked as the draft credit note %(move)s.",
                                  refund=refund_id, amount=format_amount(self.env, float(refund.amount),
                                                                          order.currency_id),
                                  move=credit_note._get_html_link()))
        return credit_note

    def _refund_cancellation(self):
        """The order's cancellation a refund follows from: its approved or completed one, if any."""
        return self.cancellation_ids.filtered(lambda cancellation: cancellation.state in ("approved", "completed"))[:1]

    def _new_credit_note(self, values, credit):
        """A draft credit note of ``credit`` (CreditLine records) with ``values``: the reversal of the sale
        order's posted invoice when there is one, else a credit note on the sale order's customer."""
        sale_order = self.sale_order_id
        line_commands = [Command.create(line_values) for line_values in self._credit_note_line_values(credit)]
        invoice = sale_order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted")[:1]
        if invoice:
            credit_note = invoice._reverse_moves([dict(values)])
            credit_note.write({"invoice_line_ids": [Command.delete(line.id) for line in credit_note.invoice_line_ids]
                               + line_commands})
            return credit_note
        return self.env["account.move"].create(dict(
            values, move_type="out_refund", partner_id=sale_order.partner_invoice_id.id,
            currency_id=self.currency_id.id, company_id=self.company_id.id, invoice_origin=sale_order.name,
            invoice_line_ids=line_commands))

    def _credit_note_line_values(self, credit):
        """Invoice line values of ``credit``: a refunded line's units on its product and sale line (as Odoo's own
        reversal links them), shipping, tax and adjustments on the marketplace's service products. No Odoo tax:
        the marketplace's amounts are what the buyer paid (``_prepare_sale_order``)."""
        products = self._refund_products()
        order_lines = {line.external_line_id: line for line in self.line_ids}
        values = []
        for line in credit:
            order_line = order_lines.get(line.line_ref)
            if line.kind == PRODUCT:
                product, name = order_line.product_id, order_line.title or order_line.product_id.display_name
            else:
                product = products[line.kind]
                name = product.name if not order_line else "%s (%s)" % (product.name, order_line.title or
                                                                        order_line.external_line_id)
            values.append({
                "product_id": product.id, "name": name, "quantity": float(line.quantity),
                "price_unit": float(line.price_unit), "tax_ids": [Command.clear()],
                "sale_line_ids": [Command.set(order_line.sale_line_id.ids if line.kind == PRODUCT else [])],
            })
        return values

    # -- refunds issued from Odoo ---------------------------------------------
    def _pending_refund_jobs(self):
        """The ``issue_refund`` jobs of this order not finished yet: what they send counts as refunded."""
        self.ensure_one()
        jobs = self.env["marketplace.job"].sudo().search([("job_type", "=", REFUND_JOB),
                                                           ("shop_id", "=", self.shop_id.id),
                                                           ("state", "in", OPEN_JOB_STATES)])
        return jobs.filtered(lambda job: job._payload().get("order_id") == self.id)

    def _pending_refund_amount(self, exclude_case=None):
        """What refunds being sent for this order will take back, not booked yet: its ``issue_refund`` jobs and its
        inquiries answered with a refund still on their way (``exclude_case``: the one being checked)."""
        self.ensure_one()
        jobs = sum((to_decimal(job._payload().get("amount")) for job in self._pending_refund_jobs()), to_decimal(0))
        inquiries = self.case_ids.filtered(lambda case: case != exclude_case and case.answer == "refund"
                                           and case.state == "waiting_seller")
        return jobs + sum((to_decimal(case.claim_amount) for case in inquiries), to_decimal(0))

    def _request_refund(self, mode, reason, amount=None, units=None, comment=None):
        """The seller refunds the buyer from Odoo: ``mode`` full (all that remains), lines (``units``
        {marketplace.order.line: units}) or amount, with one of ``marketplace_core.refunds.REASONS``.

        Marketplace Managers of the order's company only. The refund must stay within what the buyer paid less
        what the credit notes booked and what refund jobs are sending. It is queued as an ``issue_refund`` job
        (payload {"order_id", "amount", "lines": [[external line id, amount]], "reason", "comment"}, run as
        the manager) that the order's connector runs; returns the job."""
        self.ensure_one()
        check_may_refund(self)
        order = self.sudo()
        if not self.env["marketplace.platform"]._get(order.platform)._job_handler(REFUND_JOB):
            raise UserError(_("%s takes no refund from Odoo: its refunds come with its returns and cancellations.",
                              order.shop_id.name))
        if not order.sale_order_id:
            raise UserError(_("%s has no sale order yet: a refund is booked on it.", order.name))
        if reason not in REASONS:
            raise UserError(_("Choose the reason of the refund."))
        pending = order._pending_refund_amount()
        try:
            refund = requested_refund(order._refund_figures(), order._booked_credit_lines(), mode, amount=amount,
                                      units={line.external_line_id: count for line, count in (units or {}).items()},
                                      pending=pending)
        except RefundError as exc:
            raise UserError(_("%(order)s cannot be refunded so: %(reason)s.", order=order.name, reason=exc)) from None
        payload = {"order_id": order.id, "amount": str(refund.amount), "reason": reason, "comment": comment or "",
                   "lines": [[line_ref, str(line_amount)] for line_ref, line_amount in refund.lines]}
        job = self.env["marketplace.job"]._enqueue(REFUND_JOB, shop=order.shop_id, payload=payload, priority=5,
                                                   user=self.env.user)
        order.message_post(body=_("Refund of %(amount)s queued for the marketplace by %(user)s.",
                                  amount=format_amount(self.env, float(refund.amount), order.currency_id),
                                  user=self.env.user.name))
        return job

    def action_refund(self):
        """Button: the refund wizard (Marketplace Managers; the model checks again when it is sent)."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "marketplace.refund.wizard", "view_mode": "form",
                "target": "new", "name": _("Refund %s", self.name), "context": {"default_order_id": self.id}}

    def action_view_credit_notes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_refund_type")
        action.update(domain=[("marketplace_order_id", "=", self.id)], context={"default_move_type": "out_refund"})
        return action

    def action_view_sale_order(self):
        self.ensure_one()
        if not self.sale_order_id:
            raise UserError(_("No sale order yet: use Create Sale Order."))
        return {"type": "ir.actions.act_window", "res_model": "sale.order", "res_id": self.sale_order_id.id,
                "view_mode": "form"}
