"""Is each sync flow of a shop keeping to its schedule? And how long ago did it last succeed?

The dashboard shows one line per flow (pull orders, push stock, backfill listings, ...) with the age of
its last successful job and a warning when the flow is overdue. The rule, decided here without Odoo:

- A flow *with* a schedule (a cron that runs it every ``interval`` minutes) is **overdue** when its last
  success is older than ``overdue_after(interval)``: twice the interval, and never less than the interval
  plus ``MIN_GRACE_MINUTES`` (a 2-minute pull whose job waited behind a long slice is not late yet).
- A scheduled flow that **never** succeeded is overdue once it has been scheduled for that long (a shop
  created a minute ago is not late yet); when nobody knows since when, it is overdue.
- A flow *without* a schedule (run on demand or by events: webhooks, shipments) is never overdue.
"""
from datetime import timedelta

OVERDUE_FACTOR = 2
MIN_GRACE_MINUTES = 10

OK = "ok"
OVERDUE = "overdue"
NEVER = "never"          # never succeeded, and not (yet) late

# ir.cron interval units -> minutes (a month counted as 30 days: the warning is about "far too long")
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 7 * 1440, "months": 30 * 1440}


def interval_minutes(number, unit):
    """Minutes between two runs of a cron that runs every ``number`` ``unit`` (ir.cron's fields)."""
    if unit not in UNIT_MINUTES:
        raise ValueError(f"unknown interval unit {unit!r}")
    return max(1, number) * UNIT_MINUTES[unit]


def overdue_after(interval):
    """How old the last success of a flow run every ``interval`` minutes may get, as a timedelta."""
    return timedelta(minutes=max(OVERDUE_FACTOR * interval, interval + MIN_GRACE_MINUTES))


def flow_status(last_success, interval, now, scheduled_since=None):
    """``OK``, ``OVERDUE`` or ``NEVER`` for a flow (datetimes in one time zone, e.g. naive UTC).

    ``interval``: minutes between the scheduled runs, None when the flow has no schedule;
    ``scheduled_since``: when the schedule started to apply (e.g. the shop's creation), if known."""
    if interval is None:
        return OK if last_success else NEVER
    limit = overdue_after(interval)
    if last_success:
        return OVERDUE if now - last_success > limit else OK
    if scheduled_since and now - scheduled_since <= limit:
        return NEVER
    return OVERDUE


def age(last_success, now):
    """``(unit, count)`` of how long ago ``last_success`` was, for "3 min ago"-style text.

    Units: ``"now"`` (under a minute, or in the future: clocks of two servers differ a little),
    ``"minutes"`` (under an hour), ``"hours"`` (under two days), ``"days"``; counts are whole, rounded down."""
    seconds = (now - last_success).total_seconds()
    if seconds < 60:
        return "now", 0
    if seconds < 3600:
        return "minutes", int(seconds // 60)
    if seconds < 48 * 3600:
        return "hours", int(seconds // 3600)
    return "days", int(seconds // 86400)
