"""The payout check: a payout reconciles when its transactions add up to it to the cent, else the difference is
shown (never forced), and a payout whose transactions are not all known yet is incomplete, not wrong."""
from decimal import Decimal

import pytest

from marketplace_core.money import DIFFERENCE, INCOMPLETE, RECONCILED, MoneyTransaction, balance, payout_check


def _t(amount, credit=True, kind="sale"):
    return MoneyTransaction(external_id=amount, kind=kind, credit=credit, amount=Decimal(amount), currency="USD",
                            date=None)


def test_credits_less_debits():
    transactions = [_t("86.76"), _t("43.38"), _t("5.00", credit=False, kind="refund"),
                    _t("1.25", credit=False, kind="non_sale_charge")]
    assert balance(transactions) == Decimal("123.89")
    assert [t.signed_amount for t in transactions[2:]] == [Decimal("-5.00"), Decimal("-1.25")]


@pytest.mark.parametrize("payout, amounts, count, expected", [
    ("123.89", ["86.76", "43.38", "-5.00", "-1.25"], 4, (RECONCILED, Decimal("0.00"))),
    ("123.90", ["86.76", "43.38", "-5.00", "-1.25"], 4, (DIFFERENCE, Decimal("0.01"))),
    ("123.89", ["86.76", "43.38", "-5.00"], 4, (INCOMPLETE, Decimal("-1.25"))),
    ("0.3", ["0.1", "0.1", "0.1"], None, (RECONCILED, Decimal("0.00"))),    # exact: 0.1 + 0.1 + 0.1 is 0.3
    ("1500", ["1800", "-300"], 2, (RECONCILED, Decimal("0.00"))),            # a currency without cents (JPY)
    ("10.00", ["10.004"], 1, (RECONCILED, Decimal("0.00"))),                 # a sub-cent remainder rounds away
    ("10.00", ["9.995"], 1, (DIFFERENCE, Decimal("0.01"))),                  # ...but half a cent is a cent
])
def test_payout_check(payout, amounts, count, expected):
    assert payout_check(Decimal(payout), [Decimal(a) for a in amounts], count) == expected
