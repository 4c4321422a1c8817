"""Retry schedule of the job queue (like OCA queue_job's ``retry_pattern``).

A marketplace that answers 429 or 5xx usually recovers within minutes to hours,
so retries spread out: 5, 10, 30, 60, then every 120 minutes, up to a bounded
number of attempts after which the job is a dead letter a person inspects.
"""

DEFAULT_SCHEDULE_MINUTES = (5, 10, 30, 60, 120)
DEFAULT_MAX_ATTEMPTS = 10
# A lost race with another transaction (PostgreSQL's serialization failure) is over as soon as the
# other transaction commits: its retry waits seconds, growing by this step, never the minutes above.
LOST_RACE_STEP_SECONDS = 5
LOST_RACE_MAX_SECONDS = 60
# Lost races in a row retried that way without counting as an attempt: a row someone changes all the time
# must not make a job loop for ever, so past them a lost race counts (and waits) like any other failure.
FREE_LOST_RACES = 20


def parse_schedule(text):
    """Parse ``"5,10,30"`` (minutes) into a tuple; fall back to the default when empty."""
    if not text or not text.strip():
        return DEFAULT_SCHEDULE_MINUTES
    try:
        minutes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError("The retry schedule must be minutes separated by commas, e.g. 5,10,30") from exc
    if not minutes or any(m <= 0 for m in minutes):
        raise ValueError("The retry schedule needs positive minutes, e.g. 5,10,30")
    return minutes


def retry_delay_seconds(attempt, schedule=DEFAULT_SCHEDULE_MINUTES, retry_after=None, lost_race=False):
    """Seconds to wait before the retry that follows failed attempt number ``attempt`` (1-based).

    Past the end of the schedule its last step repeats (the cap). A server's own
    ``Retry-After`` wins when it asks for longer. An attempt that lost a race with another
    transaction comes back within seconds: waiting minutes would make an urgent stock push that
    collided with a backfill miss its minute.
    """
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    if lost_race:
        return min(LOST_RACE_MAX_SECONDS, LOST_RACE_STEP_SECONDS * attempt)
    step = schedule[min(attempt, len(schedule)) - 1]
    delay = step * 60
    if retry_after:
        delay = max(delay, int(retry_after))
    return delay


def lost_race_is_free(races_in_a_row):
    """Whether the ``races_in_a_row``-th lost race in a row is retried within seconds without counting as
    a failed attempt (a lost race is nobody's fault and is over when the other transaction commits)."""
    return races_in_a_row <= FREE_LOST_RACES
