"""The price rule of comparables (marketplace_core/pricing.py): table tests and properties."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace_core.pricing import OK, TOO_FEW, comparable_stats, listing_price, percentile


def d(*values):
    return [Decimal(str(value)) for value in values]


@pytest.mark.parametrize("totals, median, p25, p75, kept, code", [
    # odd count: the middle total; quartiles interpolated between ranks (type 7)
    (d(10, 20, 30, 40, 50), "30", "20", "40", 5, OK),
    # even count: mean of the two middle totals; P25 at h = 1.25, P75 at h = 3.75
    (d(10, 20, 30, 40, 50, 60), "35", "22.5", "47.5", 6, OK),
    # order does not matter
    (d(50, 10, 40, 30, 20), "30", "20", "40", 5, OK),
    # one high outlier (a bundle) and one low (for parts) are left out by Tukey's fences
    (d(1, 48, 50, 52, 49, 51, 53, 500), "50.5", "49.25", "51.75", 6, OK),
    # a wide but outlier-free spread keeps everything
    (d(20, 25, 30, 35, 40, 45, 50), "35", "27.5", "42.5", 7, OK),
    # too few: statistics of what there is, code too_few
    (d(10, 20, 30, 40), "25", "17.5", "32.5", 4, TOO_FEW),
    (d(42), "42", "42", "42", 1, TOO_FEW),
    # six found, two trimmed: four kept are too few
    (d(100, 101, 102, 103, 1, 1000), "101.5", "100.75", "102.25", 4, TOO_FEW),
])
def test_comparable_stats(totals, median, p25, p75, kept, code):
    stats = comparable_stats(totals)
    assert (stats.median, stats.p25, stats.p75) == (Decimal(median), Decimal(p25), Decimal(p75))
    assert (stats.kept, stats.found, stats.code) == (kept, len(totals), code)


def test_no_comparables_is_too_few_without_statistics():
    stats = comparable_stats([])
    assert (stats.code, stats.found, stats.kept, stats.median) == (TOO_FEW, 0, 0, None)


def test_fewer_than_four_are_never_trimmed():
    assert comparable_stats(d(1, 50, 5000)).kept == 3


@pytest.mark.parametrize("median, discount, free, shipping, expected", [
    ("100", 8, False, 0, "92.00"),                 # the sellers' default: 8 % below the median
    ("100", 8, True, "7.50", "99.50"),             # free shipping: the shipping cost is built into the price
    ("100", 8, False, "7.50", "92.00"),            # paid shipping: the buyer pays it on top
    ("35.55", 8, False, 0, "32.71"),               # 32.706 rounds half-up
    ("10.50", 0, False, 0, "10.50"),
    ("19.99", "12.5", True, "4.01", "21.50"),      # 17.49125 + 4.01 = 21.50125
])
def test_listing_price(median, discount, free, shipping, expected):
    assert listing_price(Decimal(median), discount, free, shipping) == Decimal(expected)


@pytest.mark.parametrize("discount", [-1, 100, 150])
def test_listing_price_refuses_a_discount_outside_0_to_100(discount):
    with pytest.raises(ValueError):
        listing_price(Decimal("10"), discount)


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)


@given(st.lists(money, min_size=1, max_size=60))
def test_percentiles_are_ordered_within_the_kept_range(totals):
    stats = comparable_stats(totals)
    kept = sorted(v for v in totals if stats.low_fence is None or stats.low_fence <= v <= stats.high_fence)
    assert kept[0] <= stats.p25 <= stats.median <= stats.p75 <= kept[-1]
    assert stats.kept == len(kept) and stats.found == len(totals)


@given(st.lists(money, min_size=1, max_size=60), st.floats(min_value=0, max_value=1))
def test_percentile_lies_between_neighbouring_ranks(values, q):
    values = sorted(values)
    result = percentile(values, q)
    assert values[0] <= result <= values[-1]


@given(st.lists(money, min_size=5, max_size=60))
def test_trimming_never_drops_the_middle_half(totals):
    stats = comparable_stats(totals)
    values = sorted(totals)
    middle = [v for v in values if percentile(values, 0.25) <= v <= percentile(values, 0.75)]
    assert stats.kept >= len(middle)
