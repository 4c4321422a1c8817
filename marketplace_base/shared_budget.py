"""Rate budgets kept in PostgreSQL, so every worker and server of a database shares one count.

A connector's HTTP client calls ``acquire()`` before each request (the same interface as the pure
in-process budgets): under the limit the call goes at once; over it, a short gap is waited out in
place and a longer one ends the slice with :class:`BudgetExhausted`, which the job queue turns into
"come back when the window reopens" - never a failure.
"""
import time

from .job_run import bookkeeping_env
from .marketplace_core import rate_budget
from .marketplace_core.errors import BudgetExhausted

DEFAULT_MAX_INLINE_WAIT = 5.0


class SharedRateBudget(rate_budget.WindowBudget):
    def __init__(self, env, key, limit, window_seconds, max_inline_wait=DEFAULT_MAX_INLINE_WAIT,
                 clock=time.time, sleep=time.sleep, company=None):
        super().__init__(limit, window_seconds, clock, sleep)
        self.env = env
        self.key = key
        self.company_id = company.id if company else None
        self.max_inline_wait = max_inline_wait

    def acquire(self):
        """Count one request, waiting a short gap or raising BudgetExhausted; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self._clock()
            start = rate_budget.window_start(now, self.window_seconds)
            with bookkeeping_env(self.env) as env:
                if env["marketplace.api.usage"]._take_one(self.key, self.limit, self.window_seconds, start,
                                                           self.company_id):
                    return waited
            wait = rate_budget.seconds_to_next_window(now, self.window_seconds)
            decision, seconds = rate_budget.over_budget_decision(wait, self.max_inline_wait)
            if decision == rate_budget.RESCHEDULE:
                raise BudgetExhausted(self.key, seconds)
            self._sleep(seconds)
            waited += seconds
