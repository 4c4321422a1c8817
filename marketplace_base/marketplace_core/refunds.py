"""Refund arithmetic, platform-neutral and pure: what a refund may be, and the credit-note lines that book it.

An order's figures (``OrderFigures``: its lines, shipping and seller-collected tax, as the sale order has them)
and what earlier credit notes of the order booked (``CreditLine`` records) decide:

- how much may still be refunded (``remaining``): the sum refunded never exceeds what the buyer paid;
- whether a refund is acceptable (``check_amount``): positive, in the currency's precision, within what remains;
- the credit-note lines of a refund (``credit_lines``), adding up to it exactly: whole units of the refunded lines
  at their price, the line's shipping and tax when the amount covers them, and the rest as an adjustment (a
  partial refund that is no whole unit); a refund of everything that remains books every remaining unit, the
  shipping and the tax;
- what a refund issued from Odoo asks for (``requested_refund``): everything that remains, units of lines, or an
  amount.

Amounts are ``Decimal`` in the currency's precision (``decimals``: 2 for cents, 0 for JPY, IDR...), never floats.
"""
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
# the kinds of credit-note lines: a product line's units, shipping, seller-collected tax, an adjustment
PRODUCT, SHIPPING, TAX, ADJUSTMENT = "product", "shipping", "tax", "adjustment"
# how a refund issued from Odoo is given, and why (each connector maps these to its platform's reasons)
FULL, LINES, AMOUNT = "full", "lines", "amount"
REASONS = ("buyer_cancel", "seller_cancel", "item_not_received", "buyer_return", "item_not_as_described",
           "other_adjustment", "shipping_discount")


class RefundError(ValueError):
    """A refund that cannot be: not positive, finer than the currency, or more than what remains."""


def to_decimal(value):
    """``value`` as the Decimal it reads as (a float's shortest form, not its binary expansion)."""
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def quantize(value, decimals=2):
    """``value`` rounded half up to the currency's precision."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OrderLineFigures:
    """One order line as the buyer paid it: ``quantity`` units at ``unit_price``, and the line's share of the
    order's shipping and seller-collected tax when the marketplace gives one (else 0)."""

    ref: str
    quantity: Decimal
    unit_price: Decimal
    shipping: Decimal = ZERO
    tax: Decimal = ZERO


@dataclass(frozen=True)
class OrderFigures:
    """What the buyer paid for an order: its lines, its shipping and the tax the seller collected."""

    lines: tuple
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    decimals: int = 2

    @property
    def total(self):
        goods = sum((to_decimal(line.quantity) * to_decimal(line.unit_price) for line in self.lines), ZERO)
        return quantize(goods + to_decimal(self.shipping) + to_decimal(self.tax), self.decimals)

    def line(self, ref):
        found = next((line for line in self.lines if line.ref == ref), None)
        if found is None:
            raise RefundError(f"the order has no line {ref}")
        return found


@dataclass(frozen=True)
class CreditLine:
    """One line of a credit note: ``quantity`` × ``price_unit`` of ``kind`` (of the order line ``line_ref`` for
    product lines, and for adjustments that concern one line)."""

    kind: str
    price_unit: Decimal
    quantity: Decimal = Decimal(1)
    line_ref: str | None = None

    @property
    def amount(self):
        return self.quantity * self.price_unit


@dataclass(frozen=True)
class Refund:
    """A refund of ``amount``: at the order's level, or of the order lines given as ``lines`` ((line ref,
    amount), ...), whose amounts add up to it. ``ref`` is the marketplace's refund id (None before it has one)."""

    amount: Decimal
    lines: tuple = ()
    ref: str | None = None

    @classmethod
    def of_lines(cls, line_amounts, ref=None):
        """A refund of the lines {line ref: amount} (amounts of one line added up)."""
        merged = {}
        for line_ref, amount in line_amounts:
            merged[line_ref] = merged.get(line_ref, ZERO) + to_decimal(amount)
        return cls(sum(merged.values(), ZERO), tuple(merged.items()), ref)


@dataclass
class Remaining:
    """What an order still has to refund: the amount, the units per line, the shipping and the tax (a refund of
    several lines books from it as it goes)."""

    total: Decimal
    units: dict = field(default_factory=dict)
    shipping: Decimal = ZERO
    tax: Decimal = ZERO


def refunded_total(previous):
    """What the credit-note lines ``previous`` refunded together."""
    return sum((line.amount for line in previous), ZERO)


def remaining(order, previous=()):
    """What ``order`` may still refund after the credit-note lines ``previous`` (never below 0)."""
    units = {line.ref: to_decimal(line.quantity) for line in order.lines}
    for line in previous:
        if line.kind == PRODUCT and line.line_ref in units:
            units[line.line_ref] -= line.quantity
    booked = {kind: sum((line.amount for line in previous if line.kind == kind), ZERO) for kind in (SHIPPING, TAX)}
    return Remaining(
        total=max(order.total - refunded_total(previous), ZERO),
        units={ref: max(count, ZERO) for ref, count in units.items()},
        shipping=max(to_decimal(order.shipping) - booked[SHIPPING], ZERO),
        tax=max(to_decimal(order.tax) - booked[TAX], ZERO))


def check_amount(order, previous, amount, pending=ZERO):
    """Refuse (RefundError) an amount that is not positive, finer than the currency's precision, or more than
    what remains after ``previous`` credit-note lines and ``pending`` refunds asked for but not booked yet.
    Returns the amount as a Decimal."""
    amount = to_decimal(amount)
    if amount <= ZERO:
        raise RefundError(f"a refund must be positive (got {amount})")
    if quantize(amount, order.decimals) != amount:
        raise RefundError(f"{amount} has more decimals than the currency's {order.decimals}")
    left = remaining(order, previous).total - to_decimal(pending)
    if amount > left:
        raise RefundError(f"{amount} is more than what remains to refund ({max(left, ZERO)} of {order.total} "
                          "the buyer paid)")
    return amount


def credit_lines(order, previous, refund):
    """The credit-note lines of ``refund``, adding up to its amount exactly (RefundError when it cannot be).

    A line's refund books the whole units its amount covers (at the line's price, within its units not refunded
    yet), then, when these are the line's last units, its shipping and tax if what is left covers them, then the
    rest as an adjustment of that line. An order-level refund of everything that remains books every remaining
    unit, the shipping and the tax (and, after earlier partial refunds, the adjustment that makes it add up); any
    other order-level amount is one adjustment."""
    amount = check_amount(order, previous, refund.amount)
    left = remaining(order, previous)
    if refund.lines:
        if sum((to_decimal(line_amount) for _ref, line_amount in refund.lines), ZERO) != amount:
            raise RefundError(f"the lines of refund {refund.ref} do not add up to its amount {amount}")
        lines = []
        for line_ref, line_amount in refund.lines:
            lines += _line_refund(order.line(line_ref), to_decimal(line_amount), left)
        return lines
    if amount == left.total:
        return _everything(order, left)
    return [CreditLine(ADJUSTMENT, amount)]


def _line_refund(line, amount, left):
    """One order line's refund of ``amount``: its whole units, its shipping and tax (with its last units), the
    rest as an adjustment.
    ``left`` is updated (units, shipping and tax booked), so several lines of one refund share it."""
    lines, price = [], to_decimal(line.unit_price)
    units = min(left.units.get(line.ref, ZERO), (amount / price).to_integral_value(ROUND_FLOOR)) if price > 0 else ZERO
    if units > 0:
        lines.append(CreditLine(PRODUCT, price, units, line.ref))
        left.units[line.ref] -= units
        amount -= units * price
    # the line's shipping and tax go with its last units
    last_units = units > 0 and not left.units[line.ref]
    for kind, share in ((SHIPPING, to_decimal(line.shipping)), (TAX, to_decimal(line.tax))):
        if last_units and ZERO < share <= min(amount, getattr(left, kind)):
            lines.append(CreditLine(kind, share, line_ref=line.ref))
            setattr(left, kind, getattr(left, kind) - share)
            amount -= share
    if amount:
        lines.append(CreditLine(ADJUSTMENT, amount, line_ref=line.ref))
    return lines


def _everything(order, left):
    """Credit-note lines of all that remains: each line's remaining units, the shipping, the tax, and the
    adjustment that makes them add up to what remains (negative after earlier partial refunds)."""
    lines = [CreditLine(PRODUCT, to_decimal(line.unit_price), left.units[line.ref], line.ref)
             for line in order.lines if left.units.get(line.ref)]
    lines += [CreditLine(kind, amount) for kind, amount in ((SHIPPING, left.shipping), (TAX, left.tax)) if amount]
    rest = left.total - sum((line.amount for line in lines), ZERO)
    if rest:
        lines.append(CreditLine(ADJUSTMENT, rest))
    return lines


def requested_refund(order, previous, mode, amount=None, units=None, pending=ZERO):
    """The refund a seller asks for from Odoo: ``full`` (everything that remains), ``lines`` (``units``
    {line ref: units} at the lines' prices) or ``amount`` (at the order's level), checked against what remains
    after ``previous`` credit-note lines and the ``pending`` refunds sent but not booked yet."""
    left = remaining(order, previous)
    if mode == FULL:
        return Refund(check_amount(order, previous, left.total - to_decimal(pending), pending))
    if mode == AMOUNT:
        return Refund(check_amount(order, previous, amount, pending))
    if mode != LINES:
        raise RefundError(f"unknown refund mode {mode!r}")
    wanted = {ref: to_decimal(count) for ref, count in (units or {}).items() if to_decimal(count)}
    if not wanted:
        raise RefundError("choose the units to refund")
    line_amounts = []
    for ref, count in wanted.items():
        line = order.line(ref)
        if count < 0 or count != count.to_integral_value() or count > left.units.get(ref, ZERO):
            raise RefundError(f"line {ref}: {count} units cannot be refunded ({left.units.get(ref, ZERO)} left)")
        line_amounts.append((ref, quantize(count * to_decimal(line.unit_price), order.decimals)))
    refund = Refund.of_lines(line_amounts)
    check_amount(order, previous, refund.amount, pending)
    return refund
