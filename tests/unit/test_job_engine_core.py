"""The job engine's pure decisions: handler lookup, slice deadlines, shared-budget windows."""
import pytest

from marketplace_core import rate_budget, slices
from marketplace_core.handlers import BULK, JobHandler, find_handler


def test_a_platforms_own_handler_wins_over_the_neutral_one():
    neutral = {"pull_orders": JobHandler(object)}
    assert find_handler({"pull_orders": JobHandler(dict, BULK)}, neutral, "pull_orders").service is dict
    assert find_handler({"push_stock": JobHandler(list)}, neutral, "pull_orders").service is object
    assert find_handler({}, neutral, "push_stock") is None


@pytest.mark.parametrize("cron, real, expected", [(-1, 120, 120), (0, 120, 120), (300, 120, 300), (-1, 0, 0)])
def test_the_cron_limit_is_odoos(cron, real, expected):
    assert slices.cron_limit_seconds(cron, real) == expected


def test_a_runner_stops_before_odoos_limit_counted_from_the_cron_threads_start():
    # the thread started 60 s ago on other crons: 120 s limit - 30 s margin leaves 30 s
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=120, thread_started=940) == 1030
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=120) == 1045
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=0) == 1045
    # a short limit keeps a quarter of itself as margin
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=20) == 1015


def test_a_job_starts_only_with_a_minimal_slice_ahead():
    assert slices.has_time_for_a_job(100, 100 + slices.MIN_SLICE_SECONDS)
    assert not slices.has_time_for_a_job(100, 100 + slices.MIN_SLICE_SECONDS - 0.1)


def test_fixed_windows_and_the_wait_for_the_next_one():
    assert rate_budget.window_start(1234.5, 600) == 1200
    assert rate_budget.seconds_to_next_window(1234.5, 600) == pytest.approx(565.5)
    assert rate_budget.seconds_to_next_window(1800.0, 600) == 600


@pytest.mark.parametrize("limit, window_seconds", [(0, 600), (30, 0), (30, -1)])
def test_a_budget_needs_a_positive_limit_and_window(limit, window_seconds):
    with pytest.raises(ValueError, match="positive limit and window"):
        rate_budget.WindowBudget(limit, window_seconds)


def test_over_budget_a_short_gap_is_waited_a_long_one_gives_the_worker_back():
    assert rate_budget.over_budget_decision(2.0, 5.0) == (rate_budget.SLEEP, 2.0)
    assert rate_budget.over_budget_decision(300.0, 5.0) == (rate_budget.RESCHEDULE, 300.0)


def test_a_prefork_workers_cpu_limit_bounds_the_runner_too():
    # 50 s of CPU left under limit_time_cpu: stop 30 s before it
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=120, cpu_left=50) == 1020
    assert slices.runner_deadline(now=1000, runner_seconds=45, limit_seconds=120, cpu_left=None) == 1045


def test_a_runner_waits_for_a_job_due_in_seconds_and_ends_when_the_gap_is_long():
    assert slices.idle_pause(until_due=3.0, time_left=40) == slices.IDLE_POLL_SECONDS, "it looks again each second"
    assert slices.idle_pause(until_due=0.4, time_left=40) == 0.4, "and not past the job's time"
    assert slices.idle_pause(until_due=-2, time_left=40) == slices.MIN_IDLE_POLL_SECONDS, "a held due job: not busy"
    assert slices.idle_pause(until_due=None, time_left=40) is None, "nothing pending: the runner ends"
    assert slices.idle_pause(until_due=slices.SHORT_GAP_SECONDS + 1, time_left=40) is None, "the trigger wakes it"
    assert slices.idle_pause(until_due=3.0, time_left=3.0 + slices.MIN_SLICE_SECONDS - 0.1) is None, \
        "no slice left after the wait: the next runner takes the job"


def test_a_running_job_yields_only_to_a_more_urgent_class_and_only_after_some_work():
    worked = slices.YIELD_AFTER_SECONDS
    assert slices.yields_to(worked, 10, 1), "an order import gives the lane to a stock push"
    assert not slices.yields_to(worked - 1, 10, 1), "but only after some work in its slice: it always moves on"
    assert not slices.yields_to(worked * 10, 10, 10), "not to a job of its own class"
    assert not slices.yields_to(worked * 10, 1, 10), "nor to a less urgent one"
    assert not slices.yields_to(worked * 10, 10, None), "nor when nothing waits"
