from decimal import Decimal

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..marketplace_core.money import (
    DIFFERENCE,
    FEES,
    INCOMPLETE,
    PAYOUT,
    RECEIVABLE,
    RECONCILED,
    MoneyPayout,
    payout_check,
    payout_entry_lines,
)


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

    # Booking
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False,
                              index="btree_not_null")

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
        for payout in created:   # one write per payout
            waiting.filtered(lambda t, payout=payout: t.external_payout_id == payout.external_id).payout_id = payout
        return created | self.browse([payout.id for payout in known.values()])

    @api.model
    def _by_external_id(self, account, external_ids):
        payouts = self.search([("account_id", "=", account.id), ("external_id", "in", list(external_ids))])
        return {payout.external_id: payout for payout in payouts}

    @api.model
    def _currencies(self, codes):
        """res.currency by ISO code (a marketplace pays in its currency, active or not; a clear error without)."""
        return {code: self.env["marketplace.order"]._currency_by_code(code) for code in codes}

    @api.model
    def _check_log(self, domain):
        """(message, level) for a pull's log: the payouts of ``domain`` that do not add up, or that all do."""
        payouts = self.search(expression.AND([domain, [("check_state", "!=", RECONCILED)]]))
        if not payouts:
            return _("Every payout adds up to its transactions to the cent."), "info"
        listed = ", ".join("%s (%s %s)" % (payout.external_id, payout.check_state, payout.difference)
                           for payout in payouts)
        return _("Payouts that do not add up: %s.", listed), "warning"

    # -- booking -----------------------------------------------------------------------------------------------
    def action_book(self):
        """Book each payout in one journal entry (Marketplace Managers; a payout is booked once)."""
        if not self.env.user.has_group("marketplace_base.group_marketplace_manager"):
            raise UserError(_("Only Marketplace Managers book payouts."))
        for payout in self.filtered(lambda payout: not payout.move_id):
            payout._book()

    @api.model
    def _book_after_pull(self, account):
        """What a money pull books once the account's transactions are stored: its refunds as draft credit notes
        (``marketplace.money.transaction._book_refunds``), then its payouts that add up (``_book_reconciled``).
        Returns the job's log lines [(message, level)] of what is left for later or for a person."""
        refunds = self.env["marketplace.money.transaction"]._book_refunds(account)
        payouts = self._book_reconciled(account)
        # self.env._: a comprehension's frame holds no env for _() to find the language in
        return ([(self.env._("Refund %(refund)s not booked: %(reason)s", refund=refund, reason=reason), "warning")
                 for refund, reason in refunds.items()]
                + [(self.env._("Payout %(payout)s not booked: %(reason)s", payout=payout, reason=reason), "warning")
                   for payout, reason in payouts.items()])

    @api.model
    def _book_reconciled(self, account):
        """After a pull: book the account's payouts that add up and are not booked yet, when the account says
        where and the job's user may post entries; returns {payout id: why not} for those left to a person."""
        payouts = self.search([("account_id", "=", account.id), ("check_state", "=", RECONCILED),
                               ("move_id", "=", False)], order="payout_date, id")
        if not payouts or not account.money_journal_id:
            return {}
        if not self.env["account.move"].has_access("create"):
            reason = _("%s may not post journal entries (Invoicing rights): book it from Marketplace > Money > "
                       "Payouts.", self.env.user.name)
            return dict.fromkeys(payouts.mapped("external_id"), reason)
        left = {}
        for payout in payouts:
            try:
                with self.env.cr.savepoint():
                    payout._book()
            except UserError as exc:
                left[payout.external_id] = str(exc)
        return left

    def _book(self):
        """One posted entry: the sales' receivables (reconciled with the orders' open invoices), the fees, refunds
        and charges, and the payout on the in-transit account, in the payout's currency, balanced to the cent."""
        self.ensure_one()
        account = self.account_id
        if not (account.money_journal_id and account.money_fee_account_id and account.money_payout_account_id):
            raise UserError(_("Account %s: choose the payout journal and the fees and in-transit accounts on its "
                              "Money tab first.", account.name))
        try:
            lines = payout_entry_lines(self._as_money(), [t._as_money() for t in self.transaction_ids])
        except ValueError:
            raise UserError(_("Payout %(payout)s does not add up to its transactions (%(check)s, difference "
                              "%(difference)s): it is not booked.", payout=self.external_id, check=self.check_state,
                              difference=self.difference)) from None
        # the orders' customers and invoices are looked up through their sale orders, which a manager booking
        # payouts (Invoicing rights) need not be allowed to open; the entry itself is made with the user's rights
        orders = {t.external_order_id: t.marketplace_order_id.sudo() for t in self.transaction_ids
                  if t.external_order_id}
        missing = sorted({line.order_ref for line in lines
                          if line.role == RECEIVABLE and not orders.get(line.order_ref, self.env["marketplace.order"])
                          .sale_order_id})
        if missing:
            raise UserError(_("Payout %(payout)s pays orders that have no sale order in Odoo (%(orders)s): import "
                              "them first.", payout=self.external_id, orders=", ".join(missing)))
        move = self.env["account.move"].create({
            "journal_id": account.money_journal_id.id, "date": (self.payout_date or fields.Datetime.now()).date(),
            "ref": _("%(account)s payout %(payout)s", account=account.name, payout=self.external_id),
            "line_ids": [Command.create(values) for values in self._move_line_values(lines, orders)],
        })
        move.action_post()
        self.move_id = move
        self._reconcile_with_invoices(move)
        self.message_post(body=_("Booked in %s.", move._get_html_link()))

    def _move_line_values(self, lines, orders):
        """Account move line values of the entry lines, converted into the company's currency at the payout's
        date; the payout line takes the conversion's rounding so that the entry balances."""
        account = self.account_id
        company = account.company_id
        date = (self.payout_date or fields.Datetime.now()).date()
        # the rate read once, applied as ``_convert`` does (a query per line otherwise)
        rate = self.currency_id._get_conversion_rate(self.currency_id, company.currency_id, company, date)
        extra = self._move_line_defaults(company)
        values = []
        for line in lines:
            amount = float(line.debit - line.credit)
            partner = orders[line.order_ref].sale_order_id.partner_invoice_id if line.role == RECEIVABLE else None
            values.append({
                "name": line.label, "partner_id": partner.commercial_partner_id.id if partner else False,
                "account_id": (partner.commercial_partner_id.property_account_receivable_id.id if partner
                               else {FEES: account.money_fee_account_id, PAYOUT: account.money_payout_account_id}[
                                   line.role].id),
                "currency_id": self.currency_id.id, "amount_currency": amount,
                "balance": company.currency_id.round(amount * rate), **extra,
            })
        values[-1]["balance"] -= sum(line["balance"] for line in values)   # the payout line: what balances it
        return values

    def _move_line_defaults(self, company):
        """What every line of the entry gets without Odoo computing it line by line: no analytic distribution when
        the company has no analytic distribution model (Odoo would search the models once per customer and find
        none); with models, Odoo applies them as on any entry."""
        models_exist = self.env["account.analytic.distribution.model"].sudo().search_count(
            [("company_id", "in", [False, company.id])], limit=1)
        return {} if models_exist else {"analytic_distribution": False}

    def _reconcile_with_invoices(self, move):
        """Match each customer's receivable lines of the entry with the open receivable lines of the invoices and
        refunds' credit notes of the payout's orders, so that they show as paid by the marketplace (a refund's
        debit on the receivable meets its posted credit note)."""
        orders = self.transaction_ids.marketplace_order_id.sudo()
        invoices = self.env["account.move"].browse((orders.sale_order_id.invoice_ids | orders.credit_note_ids).ids
                                                   ).filtered(lambda invoice: invoice.state == "posted")
        open_receivables = (move.line_ids | invoices.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled)
        by_partner = {}   # grouped in one pass: a month's payout names thousands of customers
        for line in open_receivables:
            by_partner.setdefault(line.partner_id.id, []).append(line.id)
        # one reconciliation plan of every customer's lines, each reconciled apart as ``reconcile()`` would: a
        # call per customer checked the balance of the whole entry each time (minutes for thousands of orders)
        plan = [self.env["account.move.line"].browse(by_partner[partner.id]) for partner in move.line_ids.partner_id
                if len(by_partner.get(partner.id, [])) > 1]
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)

    def _as_money(self):
        return MoneyPayout(self.external_id, Decimal(str(self.amount)), self.currency_id.name, self.payout_date,
                           self.status, self.expected_count or None, self.bank_reference)
