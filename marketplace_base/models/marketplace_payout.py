from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..marketplace_core.money import DIFFERENCE, INCOMPLETE, RECONCILED, payout_check


class MarketplacePayout(models.Model):
    """Money the marketplace sent to the seller's bank, and whether the transactions it pays add up to it.

    ``amount`` is what the bank statement shows. The check is the marketplace's own arithmetic (credits less
    debits of the transactions naming the payout) to the cent: a difference is shown with its amount, never
    forced; a payout whose transactions are not all stored yet is *incomplete*."""

    _name = "marketplace.payout"
    _description = "Marketplace Payout"
    _inherit = ["mail.thread"]
    _order = "payout_date desc, id desc"

    # Identity
    name = fields.Char(compute="_compute_name", store=True)
    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    platform = fields.Selection(related="account_id.platform", store=True)
    external_id = fields.Char(string="Payout ID", required=True, readonly=True)
    payout_date = fields.Datetime(readonly=True)
    status = fields.Char(string="Marketplace Status", readonly=True, tracking=True)
    bank_reference = fields.Char(readonly=True, help="The reference the bank statement line carries.")

    # Amounts
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(readonly=True)
    expected_count = fields.Integer(string="Transactions (Marketplace)", readonly=True,
                                    help="How many transactions the marketplace says the payout pays.")

    # Its transactions and the check
    transaction_ids = fields.One2many("marketplace.money.transaction", "payout_id", string="Transactions")
    transaction_count = fields.Integer(compute="_compute_check", store=True)
    transaction_total = fields.Monetary(compute="_compute_check", store=True,
                                        help="Credits less debits of the stored transactions of this payout.")
    fee_total = fields.Monetary(string="Fees", compute="_compute_check", store=True)
    difference = fields.Monetary(compute="_compute_check", store=True,
                                 help="Payout amount less the transactions' total: 0.00 when it reconciles.")
    check_state = fields.Selection(
        [(RECONCILED, "Reconciled"), (DIFFERENCE, "Difference"), (INCOMPLETE, "Incomplete")],
        string="Check", compute="_compute_check", store=True, index=True, tracking=True)

    _sql_constraints = [
        ("account_external_uniq", "UNIQUE(account_id, external_id)", "This payout is already stored for this account."),
    ]

    @api.depends("account_id.name", "external_id")
    def _compute_name(self):
        for payout in self:
            payout.name = "%s / %s" % (payout.account_id.name or "", payout.external_id or "")

    @api.depends("amount", "expected_count", "transaction_ids.signed_amount", "transaction_ids.fee_amount")
    def _compute_check(self):
        for payout in self:
            signed = [Decimal(str(t.signed_amount)) for t in payout.transaction_ids]
            code, difference = payout_check(Decimal(str(payout.amount)), signed, payout.expected_count or None)
            payout.check_state = code
            payout.difference = float(difference)
            payout.transaction_total = float(sum(signed, Decimal(0)))
            payout.transaction_count = len(signed)
            payout.fee_total = sum(payout.transaction_ids.mapped("fee_amount"))

    @api.model
    def _store_mapped(self, account, mapped):
        """Store ``marketplace_core.money.MoneyPayout`` records of ``account`` once per payout id; a known payout
        gets its new status. Transactions stored before their payout are linked to it."""
        known = self._by_external_id(account, {m.external_id for m in mapped})
        currencies = self._currencies({m.currency for m in mapped})
        created = self.create([{
            "account_id": account.id, "external_id": item.external_id, "amount": item.amount,
            "currency_id": currencies[item.currency].id, "status": item.status,
            "payout_date": item.date.replace(tzinfo=None) if item.date else False,
            "expected_count": item.transaction_count or 0, "bank_reference": item.bank_reference,
        } for item in mapped if item.external_id not in known])
        for item in mapped:
            payout = known.get(item.external_id)
            if payout and payout.status != item.status:
                payout.status = item.status
        waiting = self.env["marketplace.money.transaction"].search([
            ("account_id", "=", account.id), ("payout_id", "=", False),
            ("external_payout_id", "in", created.mapped("external_id"))])
        by_id = {payout.external_id: payout for payout in created}
        for transaction in waiting:
            transaction.payout_id = by_id[transaction.external_payout_id]
        return created | self.browse([payout.id for payout in known.values()])

    @api.model
    def _by_external_id(self, account, external_ids):
        payouts = self.search([("account_id", "=", account.id), ("external_id", "in", list(external_ids))])
        return {payout.external_id: payout for payout in payouts}

    @api.model
    def _currencies(self, codes):
        """res.currency by ISO code, archived ones included (a marketplace pays in its currency, active or not)."""
        currencies = self.env["res.currency"].with_context(active_test=False).search([("name", "in", list(codes))])
        found = {currency.name: currency for currency in currencies}
        missing = set(codes) - set(found)
        if missing:
            raise UserError(_("The marketplace pays in %s, a currency Odoo does not have.", ", ".join(sorted(missing))))
        return found
