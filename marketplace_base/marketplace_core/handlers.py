"""Which code runs a job, and in which lane: one table per platform, plus the platform-neutral one.

Each platform's table (job type -> JobHandler) is given by its ``marketplace.platform.<code>`` model; two
platforms can both have ``pull_orders``. A platform-neutral handler serves every platform that has no handler of
its own for that job type.
"""
from dataclasses import dataclass
from typing import Protocol

URGENT = "urgent"
BULK = "bulk"
PUBLISH = "publish"  # publishing listings: bulk work with a lane of its own, so a catalogue upload never
                     # waits behind a backfill (nor holds one up)


class JobService(Protocol):
    """What a job service class provides: made with the job (its user's environment) and its ``JobRun``, then
    ``run_job()`` does the work, reporting through the run (log, progress, pause, time_is_up, checkpoint)."""

    def __init__(self, job, run): ...

    def run_job(self): ...


@dataclass(frozen=True)
class JobHandler:
    """``service(job, run).run_job()`` does the work; ``channel`` is the code of the lane it runs in."""

    service: type
    channel: str = URGENT


def find_handler(own, neutral, job_type):
    """The handler of ``job_type`` in the platform's table ``own``, else in the platform-neutral table, else None."""
    return own.get(job_type) or neutral.get(job_type)
