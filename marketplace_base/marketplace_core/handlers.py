"""Which code runs a job, and in which lane: one table per connector, looked up by (platform, job type).

Two connectors can both have ``pull_orders``; a platform-neutral handler (platform ``None``) serves
every platform that has no handler of its own for that job type.
"""
from dataclasses import dataclass

URGENT = "urgent"
BULK = "bulk"
PUBLISH = "publish"  # publishing listings: bulk work with a lane of its own, so a catalogue upload never
                     # waits behind a backfill (nor holds one up)


@dataclass(frozen=True)
class JobHandler:
    """``service(job, run).run_job()`` does the work; ``channel`` is the code of the lane it runs in."""

    service: type
    channel: str = URGENT


def find_handler(handlers, platform, job_type):
    """The handler of ``job_type`` for ``platform``, else the platform-neutral one, else None."""
    return handlers.get((platform or None, job_type)) or handlers.get((None, job_type))
