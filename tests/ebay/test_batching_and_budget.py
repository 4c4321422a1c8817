"""Batching helpers and the client-side rate budget (fake clock, no HTTP)."""
import pytest

from ebay_api.config import EbayConfig
from ebay_api.rate_budget import RateBudget
from ebay_api.transport import build_budgets
from marketplace_core.batching import check_batch, chunked


def test_chunked_keeps_order_and_sizes():
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 25)) == []


def test_chunked_refuses_empty_chunks():
    with pytest.raises(ValueError):
        list(chunked([1], 0))


@pytest.mark.parametrize("count", [0, 26])
def test_check_batch_refuses_outside_limit(count):
    with pytest.raises(ValueError, match="1 to 25"):
        check_batch(range(count), 25, "bulk call")


def test_budget_refuses_an_empty_limit_or_window():
    for limit, window_seconds in ((0, 600), (30, 0)):
        with pytest.raises(ValueError, match="positive limit and window"):
            RateBudget(limit, window_seconds)


def test_budget_does_not_slow_down_below_threshold(fake_clock):
    budget = RateBudget(30, 600, slow_at=0.8, clock=fake_clock, sleep=fake_clock.sleep)
    for _ in range(24):
        budget.acquire()
    assert fake_clock.sleeps == []
    assert budget.used() == 24


def test_budget_spreads_calls_above_threshold_and_never_exceeds_limit(fake_clock):
    budget = RateBudget(30, 600, slow_at=0.8, clock=fake_clock, sleep=fake_clock.sleep)
    times = []
    for _ in range(100):
        budget.acquire()
        times.append(fake_clock.now)
    assert fake_clock.sleeps, "above 80 % the budget must wait instead of bursting"
    assert times[23] == times[0] < times[24] < times[25] < times[29], "calls 25..30 are spread out"
    for index, start in enumerate(times):
        in_window = [t for t in times[index:] if t < start + 600]
        assert len(in_window) <= 30


def test_budget_waits_for_the_window_when_full(fake_clock):
    budget = RateBudget(2, 10, slow_at=1.0, clock=fake_clock, sleep=fake_clock.sleep)
    budget.acquire()
    budget.acquire()
    assert budget.delay() == pytest.approx(10)


def test_budgets_follow_config_and_can_be_disabled(fake_clock):
    budgets = build_budgets(EbayConfig("app", "cert"), fake_clock, fake_clock.sleep)
    assert {group: budget.limit for group, budget in budgets.items()} == {"pull": 30, "push": 60}
    assert build_budgets(EbayConfig("app", "cert", budgets={}), fake_clock, fake_clock.sleep) == {}
