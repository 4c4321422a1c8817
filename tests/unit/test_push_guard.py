"""The push circuit breaker and the take-over preview's arithmetic (marketplace_core.push_guard)."""
from decimal import Decimal

import pytest

from marketplace_core import push_guard
from marketplace_core.push_guard import PASS, TOO_MANY_ZEROS, TOTAL_DROP, breaker_verdict, push_impact

THIRTY_AT_5 = {"SKU-%02d" % n: 5 for n in range(30)}


def zero(count, shop=THIRTY_AT_5):
    return {key: 0 for key in sorted(shop)[:count]}


@pytest.mark.parametrize("current, wanted, expected", [
    # the first sync of issue 12: 24 of 30 listings to 0
    (THIRTY_AT_5, zero(24), TOO_MANY_ZEROS),
    # a single sell-out goes through, even in a tiny shop and even to 0
    (THIRTY_AT_5, zero(1), PASS),
    ({"A": 3}, {"A": 0}, PASS),
    ({"A": 3, "B": 1}, {"A": 0}, PASS),
    # 6 of 30 is 20 %: not more than the limit
    (THIRTY_AT_5, zero(6), PASS),
    (THIRTY_AT_5, zero(7), TOO_MANY_ZEROS),
    # no zero, but the total falls from 150 to 60 (-60 %)
    (THIRTY_AT_5, {key: 2 for key in THIRTY_AT_5}, TOTAL_DROP),
    # -50 % exactly is allowed
    ({"A": 10, "B": 10}, {"A": 5, "B": 5}, PASS),
    # one big listing falling among small ones lowers the total a lot, but it is one listing
    ({"A": 100, "B": 1, "C": 1}, {"A": 1}, PASS),
    # rises never trip, however many
    (THIRTY_AT_5, {key: 9 for key in THIRTY_AT_5}, PASS),
    # listings the run does not cover count in the shop's share
    ({"A": 5, "B": 5, "C": 5, "D": 5, "E": 5, "F": 5, "G": 5, "H": 5, "I": 5, "J": 5}, {"A": 0, "B": 0}, PASS),
    ({"A": 5, "B": 5, "C": 5, "D": 5, "E": 5}, {"A": 0, "B": 0}, TOO_MANY_ZEROS),
    # an empty shop, or a shop at 0 already
    ({}, {}, PASS),
    ({"A": 0, "B": 0}, {"A": 0, "B": 0}, PASS),
    # prices: a pricelist mistake halving more than half of the shop's value
    ({"A": Decimal("20.00"), "B": Decimal("30.00")}, {"A": Decimal("2.00"), "B": Decimal("3.00")}, TOTAL_DROP),
    ({"A": Decimal("20.00"), "B": Decimal("30.00")}, {"A": Decimal("18.00"), "B": Decimal("27.00")}, PASS),
])
def test_breaker_table(current, wanted, expected):
    assert breaker_verdict(push_impact(current, wanted), max_zero_percent=20, max_drop_percent=50) == expected


def test_limits_are_the_shops():
    impact = push_impact(THIRTY_AT_5, zero(24))
    assert breaker_verdict(impact, max_zero_percent=80, max_drop_percent=100) == PASS
    assert breaker_verdict(impact, max_zero_percent=80, max_drop_percent=50) == TOTAL_DROP


def test_impact_numbers_and_largest_drops_first():
    impact = push_impact({"A": 12, "B": 3, "C": 7, "D": 1}, {"A": 0, "B": 5, "C": 6, "D": 1})
    assert (impact.listings, len(impact.changes), impact.zeroed, impact.lowered) == (4, 3, 1, 2)
    assert (impact.total_before, impact.total_after) == (23, 12)
    assert [(c.key, c.before, c.after) for c in impact.largest_drops()] == [("A", 12, 0), ("C", 7, 6)]
    assert len(impact.largest_drops(limit=1)) == 1


def test_nothing_changes_when_the_push_matches_the_marketplace():
    impact = push_impact(THIRTY_AT_5, dict(THIRTY_AT_5))
    assert (impact.changes, impact.zeroed, impact.total_after) == ((), 0, 150)


@pytest.mark.parametrize("current, wanted, expected", [
    (THIRTY_AT_5, zero(24), TOO_MANY_ZEROS),
    (THIRTY_AT_5, zero(6), PASS),
    (THIRTY_AT_5, {key: 2 for key in THIRTY_AT_5}, TOTAL_DROP),
    ({"A": 12, "B": 3, "C": 7, "D": 1}, {"A": 0, "B": 5, "C": 6, "D": 1, "E": 4}, PASS),
    ({"A": Decimal("20.00"), "B": Decimal("30.00")}, {"A": Decimal("2.00"), "B": Decimal("3.00")}, TOTAL_DROP),
])
def test_the_shops_totals_with_the_pushed_listings_alone_judge_as_the_whole_shop(current, wanted, expected):
    """The exporter reads only the pushed SKUs' values and has the database sum the shop."""
    whole = push_impact(current, wanted)
    covered = {key: value for key, value in current.items() if key in wanted}
    totals = (len(current), sum(current.values(), 0))
    alone = push_impact(covered, wanted, shop_totals=totals)
    assert alone == whole
    assert breaker_verdict(alone, max_zero_percent=20, max_drop_percent=50) == expected


def test_a_new_listing_counts_in_the_shop_and_its_total():
    impact = push_impact({}, {"NEW": 4}, shop_totals=(9, 45))
    assert (impact.listings, impact.total_before, impact.total_after, len(impact.changes)) == (10, 45, 49, 1)


def test_a_listing_new_since_the_take_over_is_odoos_only_when_the_push_leaves_it_as_it_is():
    assert not push_guard.new_listing_waits(5, 5), "initial stock from the marketplace: nothing changes"
    assert push_guard.new_listing_waits(5, 0), "Odoo's 0 would end a listing Odoo never owned"
    assert push_guard.new_listing_waits(5, 3)
    assert push_guard.new_listing_waits(0, 4)
    assert not push_guard.new_listing_waits(0, 0)


def test_zeroes_only_a_listing_with_units():
    assert push_guard.zeroes(3, 0)
    assert not push_guard.zeroes(0, 0)
    assert not push_guard.zeroes(3, 1)
