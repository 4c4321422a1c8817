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
    the seller gets, ``gross`` what the buyer paid and ``fee`` what the marketplace kept of it."""

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

