from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..marketplace_core.money import KINDS, MoneyTransaction

KIND_LABELS = {
    "sale": "Sale", "refund": "Refund", "credit": "Credit", "dispute": "Dispute",
    "non_sale_charge": "Non-Sale Charge", "shipping_label": "Shipping Label", "transfer": "Transfer",
    "adjustment": "Adjustment", "withdrawal": "Withdrawal", "other": "Other",
}


class MarketplaceMoneyTransaction(models.Model):
    """One movement of the seller's balance on the marketplace (a sale net of its fees, a refund, an ad fee...),
    as the marketplace reported it: stored once per external id, whatever the number of pulls."""

    _name = "marketplace.money.transaction"
    _description = "Marketplace Money Transaction"
    _order = "date desc, id desc"
    _rec_name = "external_id"

    # Identity
    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade", index=True)
    shop_id = fields.Many2one("marketplace.shop", index="btree_not_null",
                              help="The shop of the transaction's order, when the marketplace names one.")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    platform = fields.Selection(related="account_id.platform", store=True)
    external_id = fields.Char(string="Transaction ID", required=True, readonly=True)

    # What happened
    kind = fields.Selection([(kind, KIND_LABELS[kind]) for kind in KINDS], required=True, readonly=True,
                            index=True)
    booking = fields.Selection([("credit", "Credit"), ("debit", "Debit")], required=True, readonly=True,
                               help="Credit: money to the seller; debit: money taken from the seller's balance.")
    date = fields.Datetime(readonly=True, index=True)
    status = fields.Char(string="Marketplace Status", readonly=True)
    fee_type = fields.Char(readonly=True)
    memo = fields.Char(readonly=True)

    # Amounts, in the transaction's currency
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(readonly=True, help="As booked: for a sale, what the buyer paid less the fees.")
    signed_amount = fields.Monetary(compute="_compute_signed_amount", store=True,
                                    help="What the transaction adds to the balance (debits are negative).")
    fee_amount = fields.Monetary(string="Fees", readonly=True)
    gross_amount = fields.Monetary(string="Buyer Paid", readonly=True)

    # Links
    external_order_id = fields.Char(string="Order ID", readonly=True, index="btree_not_null")
    marketplace_order_id = fields.Many2one("marketplace.order", readonly=True, index="btree_not_null",
                                           ondelete="set null")
    external_payout_id = fields.Char(string="Payout ID", readonly=True, index="btree_not_null")
    payout_id = fields.Many2one("marketplace.payout", readonly=True, index="btree_not_null", ondelete="set null")
    external_refund_id = fields.Char(string="Refund ID", readonly=True, index="btree_not_null",
                                     help="The marketplace's id of the refund: its credit note carries the same.")
    credit_note_id = fields.Many2one("account.move", readonly=True, index="btree_not_null",
                                     ondelete="set null", help="The draft credit note that books this refund.")

    _sql_constraints = [
        ("account_external_uniq", "UNIQUE(account_id, external_id)",
         "This marketplace transaction is already stored for this account."),
    ]

    @api.depends("amount", "booking")
    def _compute_signed_amount(self):
        for transaction in self:
            transaction.signed_amount = transaction.amount if transaction.booking == "credit" else -transaction.amount

    @api.model
    def _store_mapped(self, account, mapped):
        """Store ``marketplace_core.money.MoneyTransaction`` records of ``account``: new ones are created, known
        ones get what may change (status, payout); returns the stored records. Orders and payouts are linked
        when they are known."""
        known = {t.external_id: t for t in self.search([("account_id", "=", account.id),
                                                         ("external_id", "in", [m.external_id for m in mapped])])}
        orders = self._orders_of(account, {m.order_ref for m in mapped if m.order_ref})
        payouts = self.env["marketplace.payout"]._by_external_id(account, {m.payout_ref for m in mapped
                                                                           if m.payout_ref})
        currencies = self.env["marketplace.payout"]._currencies({m.currency for m in mapped})
        to_create, known_ids, changes = [], [], {}
        for item in mapped:
            order = orders.get(item.order_ref)
            values = {"status": item.status or False, "external_payout_id": item.payout_ref or False,
                      "payout_id": payouts[item.payout_ref].id if item.payout_ref in payouts else False,
                      "marketplace_order_id": order.id if order else False,
                      "shop_id": order.shop_id.id if order else False}
            transaction = known.get(item.external_id)
            if transaction is None:
                to_create.append(dict(values, **self._new_values(account, item, currencies)))
                continue
            current = {"status": transaction.status, "external_payout_id": transaction.external_payout_id,
                       "payout_id": transaction.payout_id.id, "shop_id": transaction.shop_id.id,
                       "marketplace_order_id": transaction.marketplace_order_id.id}
            changed = tuple(sorted((name, value) for name, value in values.items() if current[name] != value))
            if changed:
                changes.setdefault(changed, []).append(transaction.id)
            known_ids.append(transaction.id)
        for changed, ids in changes.items():   # one write per set of changes (e.g. a payout's transactions)
            self.browse(ids).write(dict(changed))
        return self.browse(known_ids) | self.create(to_create)

    @api.model
    def _new_values(self, account, item, currencies):
        return {
            "account_id": account.id, "external_id": item.external_id, "kind": item.kind,
            "booking": "credit" if item.credit else "debit",
            "date": item.date.replace(tzinfo=None) if item.date else False, "fee_type": item.fee_type,
            "memo": item.memo, "currency_id": currencies[item.currency].id, "amount": item.amount,
            "fee_amount": item.fee, "gross_amount": item.gross or 0.0, "external_order_id": item.order_ref,
            "external_refund_id": item.refund_ref,
        }

    @api.model
    def _orders_of(self, account, order_refs):
        orders = self.env["marketplace.order"].search([("account_id", "=", account.id),
                                                       ("external_order_id", "in", list(order_refs))])
        return {order.external_order_id: order for order in orders}

    @api.model
    def _book_refunds(self, account):
        """Book the refunds of ``account``'s stored transactions whose order is in Odoo and that are not booked
        yet (``marketplace.order._book_marketplace_refund``: once per refund id, also when the order's import
        booked it first); returns {refund id: why not} for those that cannot be booked now (they are tried again
        at the next pull). A refund reported in another currency than its order's (converted by the marketplace)
        is not booked from its amount: its credit note is linked once the order's import books it in the order's
        currency, or made by a person."""
        refused = {}
        for transaction in self.search([("account_id", "=", account.id), ("kind", "=", "refund"),
                                        ("external_refund_id", "!=", False), ("marketplace_order_id", "!=", False),
                                        ("credit_note_id", "=", False)]):
            order = transaction.marketplace_order_id
            try:
                if transaction.currency_id != order.currency_id:
                    credit_note = transaction._converted_refund_credit_note()
                else:
                    credit_note = order._book_marketplace_refund(
                        transaction.external_refund_id, transaction.gross_amount or transaction.amount,
                        source="money", date=transaction.date)
            except UserError as exc:
                refused[transaction.external_refund_id] = str(exc)
                continue
            transaction.sudo().credit_note_id = credit_note
        return refused

    def _converted_refund_credit_note(self):
        """The credit note of this refund, reported in another currency than its order's, when the order's import
        booked it; else a UserError: its amount is not in the order's currency, so it is not booked by guess."""
        order = self.marketplace_order_id
        credit_note = self.env["account.move"].sudo().search([("marketplace_shop_id", "=", order.shop_id.id),
                                                              ("marketplace_refund_ref", "=", self.external_refund_id)],
                                                             limit=1)
        if not credit_note:
            raise UserError(_("the marketplace reported it in %(currency)s, the order %(order)s is in "
                              "%(order_currency)s: book its credit note in the order's currency by hand.",
                              currency=self.currency_id.name, order=order.name, order_currency=order.currency_id.name))
        return credit_note

    def _as_money(self):
        """The stored transaction as the platform-neutral record the booking arithmetic takes."""
        return MoneyTransaction(
            self.external_id, self.kind, self.booking == "credit", Decimal(str(self.amount)), self.currency_id.name,
            self.date, fee=Decimal(str(self.fee_amount)),
            gross=Decimal(str(self.gross_amount)) if self.kind == "sale" else None,
            order_ref=self.external_order_id or None, payout_ref=self.external_payout_id or None,
            fee_type=self.fee_type or None, memo=self.memo or None, status=self.status or None,
            refund_ref=self.external_refund_id or None)
