"""Client-side rate budget: a sliding window of request times per budget group.

Above ``slow_at`` of the budget the client spreads its remaining calls over the time until the
oldest call leaves the window, instead of failing or bursting into eBay's 429s.
"""
import time
from collections import deque

try:
    from ...marketplace_base.marketplace_core.rate_budget import WindowBudget
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.rate_budget import WindowBudget


class RateBudget(WindowBudget):
    def __init__(self, limit, window_seconds, slow_at=0.8, clock=time.time, sleep=time.sleep):
        super().__init__(limit, window_seconds, clock, sleep)
        self.slow_at = slow_at
        self._calls = deque()

    def used(self):
        """Requests made in the current window."""
        self._forget_old(self._clock())
        return len(self._calls)

    def delay(self):
        """Seconds to wait before the next request: 0 below the slow-down threshold, then the
        time until the window frees a slot shared among the slots still left."""
        now = self._clock()
        self._forget_old(now)
        used = len(self._calls)
        if used < self.slow_at * self.limit:
            return 0.0
        until_free = self._calls[0] + self.window_seconds - now
        return max(0.0, until_free / (self.limit - used + 1))

    def acquire(self):
        """Wait as long as ``delay()`` says, then count one request."""
        wait = self.delay()
        if wait > 0:
            self._sleep(wait)
        self._calls.append(self._clock())
        return wait

    def _forget_old(self, now):
        while self._calls and self._calls[0] <= now - self.window_seconds:
            self._calls.popleft()
