"""Refund arithmetic: partial refunds, several refunds per order, shipping and tax in refunds, currency rounding,
the sum refunded never above what the buyer paid, per-line and amount refunds -> the credit-note lines."""
from decimal import Decimal as D

import pytest

from marketplace_core.refunds import (
    ADJUSTMENT,
    AMOUNT,
    FULL,
    LINES,
    PRODUCT,
    SHIPPING,
    TAX,
    CreditLine,
    OrderFigures,
    OrderLineFigures,
    Refund,
    RefundError,
    check_amount,
    credit_lines,
    remaining,
    requested_refund,
)

# two mugs at 12.50 (shipping 4.00 and tax 1.00 of the line), one plate at 20.00; shipping 6.00, tax 2.00
ORDER = OrderFigures(lines=(OrderLineFigures("L1", D(2), D("12.50"), shipping=D("4.00"), tax=D("1.00")),
                            OrderLineFigures("L2", D(1), D("20.00"))), shipping=D("6.00"), tax=D("2.00"))


def _summary(lines):
    return [(line.kind, line.line_ref, line.quantity, line.price_unit) for line in lines]


def test_the_buyer_paid_lines_shipping_and_tax():
    assert ORDER.total == D("53.00")
    assert remaining(ORDER).total == D("53.00")


def test_a_full_refund_books_every_unit_the_shipping_and_the_tax():
    lines = credit_lines(ORDER, [], Refund(D("53.00"), ref="R1"))
    assert _summary(lines) == [(PRODUCT, "L1", 2, D("12.50")), (PRODUCT, "L2", 1, D("20.00")),
                               (SHIPPING, None, 1, D("6.00")), (TAX, None, 1, D("2.00"))]
    assert sum(line.amount for line in lines) == D("53.00")


def test_a_line_refund_books_whole_units_then_its_shipping_and_tax_then_an_adjustment():
    # one mug: 12.50
    assert _summary(credit_lines(ORDER, [], Refund.of_lines([("L1", "12.50")]))) == [(PRODUCT, "L1", 1, D("12.50"))]
    # both mugs with the line's shipping and tax: 25 + 4 + 1
    assert _summary(credit_lines(ORDER, [], Refund.of_lines([("L1", "30.00")]))) == [
        (PRODUCT, "L1", 2, D("12.50")), (SHIPPING, "L1", 1, D("4.00")), (TAX, "L1", 1, D("1.00"))]
    # part of a mug: no whole unit, an adjustment of the line
    assert _summary(credit_lines(ORDER, [], Refund.of_lines([("L1", "5.00")]))) == [(ADJUSTMENT, "L1", 1, D("5.00"))]
    # one mug and a bit more than its shipping share does not cover: 12.50 + 2.00
    assert _summary(credit_lines(ORDER, [], Refund.of_lines([("L1", "14.50")]))) == [
        (PRODUCT, "L1", 1, D("12.50")), (ADJUSTMENT, "L1", 1, D("2.00"))]


def test_a_refund_of_several_lines_adds_up():
    lines = credit_lines(ORDER, [], Refund.of_lines([("L1", "12.50"), ("L2", "20.00"), ("L1", "12.50")], ref="R"))
    assert _summary(lines) == [(PRODUCT, "L1", 2, D("12.50")), (PRODUCT, "L2", 1, D("20.00"))]


def test_an_order_level_partial_refund_is_one_adjustment():
    assert _summary(credit_lines(ORDER, [], Refund(D("7.77")))) == [(ADJUSTMENT, None, 1, D("7.77"))]


def test_several_refunds_never_go_above_what_the_buyer_paid():
    first = credit_lines(ORDER, [], Refund.of_lines([("L1", "12.50")]))
    second = credit_lines(ORDER, first, Refund(D("10.00")))
    booked = first + second
    assert remaining(ORDER, booked).total == D("30.50")
    assert remaining(ORDER, booked).units == {"L1": 1, "L2": 1}
    with pytest.raises(RefundError, match="more than what remains"):
        credit_lines(ORDER, booked, Refund(D("30.51")))
    # the rest of the order: the remaining units, shipping and tax, less the earlier partial refund
    rest = credit_lines(ORDER, booked, Refund(D("30.50")))
    assert _summary(rest) == [(PRODUCT, "L1", 1, D("12.50")), (PRODUCT, "L2", 1, D("20.00")),
                              (SHIPPING, None, 1, D("6.00")), (TAX, None, 1, D("2.00")),
                              (ADJUSTMENT, None, 1, D("-10.00"))]
    assert sum(line.amount for line in booked + rest) == ORDER.total
    assert remaining(ORDER, booked + rest).total == 0
    with pytest.raises(RefundError):
        credit_lines(ORDER, booked + rest, Refund(D("0.01")))


def test_units_refunded_before_are_not_booked_again():
    first = credit_lines(ORDER, [], Refund.of_lines([("L1", "25.00")]))
    # both mugs are refunded: a later refund of the mug line is an adjustment, not a third unit
    assert _summary(credit_lines(ORDER, first, Refund.of_lines([("L1", "12.50")]))) == [
        (ADJUSTMENT, "L1", 1, D("12.50"))]


@pytest.mark.parametrize("amount, message", [
    ("0", "positive"), ("-1", "positive"), ("10.001", "more decimals"), ("53.01", "more than what remains")])
def test_refused_amounts(amount, message):
    with pytest.raises(RefundError, match=message):
        check_amount(ORDER, [], D(amount))


def test_pending_refunds_count_against_what_remains():
    assert check_amount(ORDER, [], D("43.00"), pending=D("10.00")) == D("43.00")
    with pytest.raises(RefundError, match=r"more than what remains to refund \(43.00"):
        check_amount(ORDER, [], D("43.01"), pending=D("10.00"))


def test_a_currency_without_cents_refunds_whole_units():
    yen = OrderFigures(lines=(OrderLineFigures("L", D(3), D(1500)),), shipping=D(500), decimals=0)
    assert yen.total == D(5000)
    with pytest.raises(RefundError, match="more decimals"):
        check_amount(yen, [], D("100.5"))
    assert _summary(credit_lines(yen, [], Refund.of_lines([("L", "3000")]))) == [(PRODUCT, "L", 2, D(1500))]


def test_the_line_refund_must_add_up_and_name_known_lines():
    with pytest.raises(RefundError, match="do not add up"):
        credit_lines(ORDER, [], Refund(D("10.00"), (("L1", D("5.00")),)))
    with pytest.raises(RefundError, match="no line L9"):
        credit_lines(ORDER, [], Refund.of_lines([("L9", "5.00")]))


def test_what_a_seller_asks_from_odoo():
    assert requested_refund(ORDER, [], FULL) == Refund(D("53.00"))
    assert requested_refund(ORDER, [], FULL, pending=D("3.00")) == Refund(D("50.00"))
    assert requested_refund(ORDER, [], AMOUNT, amount="5.5") == Refund(D("5.5"))
    assert requested_refund(ORDER, [], LINES, units={"L1": 1, "L2": 1}) == Refund(
        D("32.50"), (("L1", D("12.50")), ("L2", D("20.00"))))
    booked = [CreditLine(PRODUCT, D("12.50"), D(2), "L1")]
    with pytest.raises(RefundError, match="line L1: 1 units cannot be refunded"):
        requested_refund(ORDER, booked, LINES, units={"L1": 1})
    with pytest.raises(RefundError, match="choose the units"):
        requested_refund(ORDER, [], LINES, units={"L1": 0})
    with pytest.raises(RefundError, match="more than what remains"):
        requested_refund(ORDER, booked, AMOUNT, amount="28.01")
    with pytest.raises(RefundError, match="positive"):
        requested_refund(ORDER, [CreditLine(ADJUSTMENT, D("53.00"))], FULL)
