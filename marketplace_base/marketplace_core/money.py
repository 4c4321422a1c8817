"""What a marketplace paid: its money transactions and payouts, platform-neutral, and whether they add up.

A connector maps its platform's records (eBay's Finances transactions and payouts, Shopee's escrow and wallet)
into these; the base stores them once per external id and checks each payout against the transactions it pays.
Amounts are ``Decimal`` as the marketplace wrote them, never floats: a payout reconciles when its amount equals
the credits less the debits of its transactions **to the cent**; anything else is a difference to list, never
something to force.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
# what a transaction is, for the seller and the accountant (each platform maps its own types onto these)
KINDS = ("sale", "refund", "credit", "dispute", "non_sale_charge", "shipping_label", "transfer", "adjustment",
         "withdrawal", "other")
# reconciliation codes of a payout
RECONCILED, DIFFERENCE, INCOMPLETE = "reconciled", "difference", "incomplete"


@dataclass(frozen=True)
class MoneyTransaction:
    """One movement of the seller's marketplace balance.

    ``amount`` is positive and booked as ``credit`` (to the seller) or not (a debit); for a sale it is the net
    the seller gets, ``gross`` what the buyer paid and ``fee`` what the marketplace kept of it. A refund names
    the marketplace's refund id (``refund_ref``) when it has one: its credit note is booked once under it."""

    external_id: str
    kind: str
    credit: bool
    amount: Decimal
    currency: str
    date: datetime | None
    fee: Decimal = ZERO
    gross: Decimal | None = None
    order_ref: str | None = None
    payout_ref: str | None = None
    fee_type: str | None = None
    memo: str | None = None
    status: str | None = None
    refund_ref: str | None = None

    @property
    def signed_amount(self):
        """What the transaction adds to the seller's balance (a debit subtracts)."""
        return self.amount if self.credit else -self.amount


@dataclass(frozen=True)
class MoneyPayout:
    """Money sent to the seller's bank: ``amount`` is what the bank statement will show."""

    external_id: str
    amount: Decimal
    currency: str
    date: datetime | None
    status: str | None = None
    transaction_count: int | None = None
    bank_reference: str | None = None


def balance(transactions):
    """Credits less debits."""
    return sum((transaction.signed_amount for transaction in transactions), ZERO)


def payout_check(payout_amount, signed_amounts, expected_count=None):
    """(code, difference): ``reconciled`` when the transactions add up to the payout to the cent, ``incomplete``
    while fewer transactions are known than the marketplace counted, else ``difference`` (payout - sum)."""
    difference = (Decimal(payout_amount) - sum(signed_amounts, ZERO)).quantize(CENT, rounding=ROUND_HALF_UP)
    if expected_count is not None and len(signed_amounts) < expected_count:
        return INCOMPLETE, difference
    return (RECONCILED if difference == ZERO else DIFFERENCE), difference


# An order's total may differ from the marketplace's by rounding (a unit price to the cent); more is flagged.
TOTAL_TOLERANCE = CENT


def total_check(expected, actual, decimals=2):
    """(difference, differs) of an order's total in Odoo (``actual``) against the marketplace's (``expected``).

    The difference is ``actual - expected`` in the currency's precision (``decimals``: 2 for cents, 0 for a
    currency without them, where any whole unit is a difference); the order differs when it exceeds 0.01."""
    unit = Decimal(1).scaleb(-decimals)
    difference = (_decimal(actual) - _decimal(expected)).quantize(unit, rounding=ROUND_HALF_UP)
    return difference, abs(difference) > TOTAL_TOLERANCE


def _decimal(amount):
    """``amount`` as the Decimal it reads as (a float's shortest form, not its binary expansion)."""
    return amount if isinstance(amount, Decimal) else Decimal(str(amount or 0))



# -- booking a payout --------------------------------------------------------------------------------------
# The roles of a payout entry's lines; the Odoo layer gives each an account (and the order's customer to the
# receivable ones).
RECEIVABLE, FEES, PAYOUT = "receivable", "fees", "payout"


@dataclass(frozen=True)
class EntryLine:
    """One line of a payout's journal entry: ``debit`` or ``credit`` (one of them 0), on the account of ``role``."""

    role: str
    debit: Decimal
    credit: Decimal
    label: str
    order_ref: str | None = None


def _line(role, signed, label, order_ref=None):
    """A line of ``signed`` (debit when positive)."""
    return EntryLine(role, max(signed, ZERO), max(-signed, ZERO), label, order_ref)


def payout_entry_lines(payout, transactions):
    """The lines of one journal entry that books a payout and everything it pays, balanced to the cent.

    Each sale pays its order's receivable (credit, what the buyer paid) and costs its fees (debit); a refund gives
    money back to the buyer (debit on the receivable); charges, labels and other debits are fees; other credits
    (an adjustment in the seller's favour) lessen the fees. The payout itself is the bank's debit. Refused
    (ValueError) unless the payout adds up: a difference is shown, never forced into the books."""
    code, difference = payout_check(payout.amount, [t.signed_amount for t in transactions], payout.transaction_count)
    if code != RECONCILED:
        raise ValueError("payout %s does not add up (%s, difference %s)" % (payout.external_id, code, difference))
    lines = []
    for transaction in transactions:
        label = transaction.memo or "%s %s" % (transaction.kind, transaction.external_id)
        if transaction.kind == "sale":
            gross = transaction.gross if transaction.gross is not None else transaction.amount + transaction.fee
            lines.append(_line(RECEIVABLE, -gross, label, transaction.order_ref))
            if gross - transaction.amount:
                lines.append(_line(FEES, gross - transaction.amount, label, transaction.order_ref))
        elif transaction.kind == "refund" and transaction.order_ref:
            lines.append(_line(RECEIVABLE, -transaction.signed_amount, label, transaction.order_ref))
        else:
            lines.append(_line(FEES, -transaction.signed_amount, label, transaction.order_ref))
    lines.append(_line(PAYOUT, payout.amount, "payout %s" % payout.external_id))
    return [line for line in lines if line.debit or line.credit]
