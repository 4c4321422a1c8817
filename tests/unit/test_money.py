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


def test_a_payout_entry_balances_to_the_cent_and_books_each_part_where_it_belongs():
    from datetime import datetime

    from marketplace_core.money import FEES, PAYOUT, RECEIVABLE, MoneyPayout, payout_entry_lines

    sale = MoneyTransaction("S1", "sale", True, Decimal("86.76"), "USD", None, fee=Decimal("13.24"),
                            gross=Decimal("100.00"), order_ref="O1")
    refund = MoneyTransaction("R1", "refund", False, Decimal("5.00"), "USD", None, order_ref="O1")
    ad_fee = MoneyTransaction("C1", "non_sale_charge", False, Decimal("1.25"), "USD", None, fee_type="AD_FEE")
    bonus = MoneyTransaction("A1", "adjustment", True, Decimal("0.10"), "USD", None)
    payout = MoneyPayout("P1", Decimal("80.61"), "USD", datetime(2026, 12, 1), transaction_count=4)
    lines = payout_entry_lines(payout, [sale, refund, ad_fee, bonus])
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines) == Decimal("100.10")
    assert [(line.role, line.debit, line.credit, line.order_ref) for line in lines] == [
        (RECEIVABLE, 0, Decimal("100.00"), "O1"), (FEES, Decimal("13.24"), 0, "O1"),
        (RECEIVABLE, Decimal("5.00"), 0, "O1"), (FEES, Decimal("1.25"), 0, None), (FEES, 0, Decimal("0.10"), None),
        (PAYOUT, Decimal("80.61"), 0, None)]
    with pytest.raises(ValueError, match="does not add up"):
        payout_entry_lines(MoneyPayout("P2", Decimal("80.60"), "USD", None, transaction_count=4),
                           [sale, refund, ad_fee, bonus])


def test_total_check_rounds_to_the_cent_and_tolerates_one():
    from marketplace_core.money import total_check
    assert total_check(94.97, 94.97) == (Decimal("0.00"), False)
    # binary float noise of a sum is no difference
    assert total_check(0.3, 0.1 + 0.2) == (Decimal("0.00"), False)
    # a unit price rounded to the cent: one cent off is rounding, two is a difference
    assert total_check(Decimal("10.00"), 3 * 3.33) == (Decimal("-0.01"), False)
    assert total_check(Decimal("110.00"), 6 * 18.33) == (Decimal("-0.02"), True)
    assert total_check(30.0, 35.0) == (Decimal("5.00"), True)
    assert total_check(None, 0.0) == (Decimal("0.00"), False)


def test_total_check_without_cents_counts_whole_units():
    from marketplace_core.money import total_check
    assert total_check(2230, 2230.4, decimals=0) == (Decimal("0"), False)
    assert total_check(2230, 2231, decimals=0) == (Decimal("1"), True)
    # half a unit rounds away from zero, as Odoo's currency rounding does
    assert total_check(2230, 2229.5, decimals=0) == (Decimal("-1"), True)
