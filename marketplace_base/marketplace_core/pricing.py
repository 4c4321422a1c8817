"""Price from comparables: what similar items cost, and the price a reseller asks from it.

Platform-neutral and pure (no Odoo, no HTTP). The rule the sellers use (seller runbook, "Listing
preparation"), made exact:

1. **Totals.** Each comparable counts with its total to the buyer (its ``total``): item price +
   shipping cost (a missing shipping cost, e.g. calculated shipping without an estimate, counts as 0).
2. **Outliers.** Tukey's fences: with Q1 and Q3 the 25th and 75th percentiles of all the totals and
   IQR = Q3 - Q1, totals below Q1 - 1.5 x IQR or above Q3 + 1.5 x IQR are left out (a broken item
   for parts, a bundle of ten). Fewer than 4 totals are never trimmed (their quartiles say nothing).
3. **Percentiles** of the kept totals by linear interpolation between closest ranks (Hyndman & Fan
   type 7, the default of NumPy, R and spreadsheets): for sorted x[0..n-1] and q in [0, 1],
   h = (n - 1) q and P(q) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). The median is
   P(0.5): the middle total of an odd count, the mean of the two middle ones of an even count.
4. **Too few.** Fewer than ``MIN_COMPARABLES`` (5) totals *kept* give code ``too_few``: the statistics
   are shown, no price is suggested.
5. **Suggested price** = median x (1 - discount), the discount per shop (default 8 %), and when the
   listing ships for free the seller's shipping cost is added into the price. Amounts are rounded
   half-up to the currency's digits at the end only.

Where comparables come from is pluggable (``ComparablesSource``): eBay's Browse API gives active
listings; eBay's sold items (Marketplace Insights, a limited-release API) could be another source.
"""
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

MIN_COMPARABLES = 5
TUKEY_K = Decimal("1.5")
MIN_FOR_TRIMMING = 4
DEFAULT_DISCOUNT_PERCENT = Decimal("8")
OK, TOO_FEW = "ok", "too_few"
ZERO = Decimal("0")


class Comparable(Protocol):
    """One comparable item as a source returns it (any object with these attributes)."""

    title: str
    price: Decimal
    shipping: Decimal | None
    condition: str | None
    url: str | None

    @property
    def total(self) -> Decimal: ...


class ComparablesSource(Protocol):
    """Where comparables come from: ``search(**query)`` with the query keys the source documents
    (e.g. gtin, keywords, category_id, condition_ids, buying_options, country, limit)."""

    def search(self, **query) -> list: ...


@dataclass(frozen=True)
class PriceStats:
    """What the comparables say: ``code`` (OK or TOO_FEW), how many were found and kept, the kept
    totals' median, 25th and 75th percentiles (None without any), and the fences used."""

    code: str
    found: int
    kept: int
    median: Decimal | None
    p25: Decimal | None
    p75: Decimal | None
    low_fence: Decimal | None = None
    high_fence: Decimal | None = None


def percentile(sorted_values, q):
    """P(q) of ascending ``sorted_values`` by linear interpolation (type 7, see the module doc)."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 <= q <= 1:
        raise ValueError("q must be within [0, 1]")
    h = (len(sorted_values) - 1) * Decimal(str(q))
    low = math.floor(h)
    if low + 1 >= len(sorted_values):
        return Decimal(sorted_values[-1])
    below, above = Decimal(sorted_values[low]), Decimal(sorted_values[low + 1])
    return below + (h - low) * (above - below)


def tukey_fences(sorted_values):
    """(low, high) fences Q1 - 1.5 IQR and Q3 + 1.5 IQR, or (None, None) when too few to trim."""
    if len(sorted_values) < MIN_FOR_TRIMMING:
        return None, None
    q1, q3 = percentile(sorted_values, 0.25), percentile(sorted_values, 0.75)
    spread = TUKEY_K * (q3 - q1)
    return q1 - spread, q3 + spread


def comparable_stats(totals, min_count=MIN_COMPARABLES):
    """PriceStats of comparables' totals: outliers trimmed, then percentiles of what is kept."""
    values = sorted(Decimal(value) for value in totals)
    low, high = tukey_fences(values)
    kept = values if low is None else [value for value in values if low <= value <= high]
    if not kept:
        return PriceStats(TOO_FEW, len(values), 0, None, None, None, low, high)
    return PriceStats(
        OK if len(kept) >= min_count else TOO_FEW, len(values), len(kept),
        percentile(kept, 0.5), percentile(kept, 0.25), percentile(kept, 0.75), low, high)


def listing_price(median, discount_percent=DEFAULT_DISCOUNT_PERCENT, free_shipping=False, shipping_cost=ZERO,
                  digits=2):
    """median x (1 - discount %), plus the shipping cost when the listing ships for free; rounded
    half-up to ``digits``. The discount is a percentage in [0, 100)."""
    discount = Decimal(str(discount_percent))
    if not ZERO <= discount < 100:
        raise ValueError("the discount must be at least 0 % and below 100 %")
    price = Decimal(median) * (1 - discount / 100)
    if free_shipping:
        price += Decimal(str(shipping_cost or 0))
    return round_money(price, digits)


def round_money(amount, digits=2):
    """Half-up rounding to the currency's digits (0.005 -> 0.01), as shops price."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
