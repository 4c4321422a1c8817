"""Decisions of the rate budgets that every worker and server of a database shares.

The count of calls lives in PostgreSQL, one row per budget and fixed window (``window_start`` is a
multiple of the window length since the epoch), so "pull <= 30 requests per 10 minutes" holds
however many Odoo processes call. A fixed window admits at most ``limit`` calls per window; a
burst at a window's end and the next window's start is the price of one atomic upsert per call.
"""
import time

GO, SLEEP, RESCHEDULE = "go", "sleep", "reschedule"


class WindowBudget:
    """What every rate budget is: at most ``limit`` calls per ``window_seconds``, on a clock and a sleep
    that tests replace (eBay's in-process RateBudget and marketplace_base's SharedRateBudget build on it)."""

    def __init__(self, limit, window_seconds, clock=time.time, sleep=time.sleep):
        if limit < 1 or window_seconds <= 0:
            raise ValueError("a budget needs a positive limit and window")
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._sleep = sleep


def window_start(now, window_seconds):
    """Start (epoch seconds) of the fixed window holding ``now``."""
    return int(now // window_seconds * window_seconds)


def seconds_to_next_window(now, window_seconds):
    """Seconds until the current window closes (never 0: a call at the boundary waits a moment)."""
    return max(1e-3, window_start(now, window_seconds) + window_seconds - now)


def over_budget_decision(wait_seconds, max_inline_wait):
    """When the window is used up: wait in place for a short gap, otherwise give the worker back.

    Returns (SLEEP, seconds) or (RESCHEDULE, seconds): a job never holds a worker for minutes
    only to respect a budget."""
    if wait_seconds <= max_inline_wait:
        return SLEEP, wait_seconds
    return RESCHEDULE, wait_seconds
