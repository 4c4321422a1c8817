"""Plain-pytest tests of the dashboard's overdue rule (marketplace_core.sync_health)."""
from datetime import datetime, timedelta

import pytest

from marketplace_core.sync_health import NEVER, OK, OVERDUE, age, flow_status, interval_minutes, overdue_after

NOW = datetime(2026, 11, 30, 12, 0, 0)


def ago(**delta):
    return NOW - timedelta(**delta)


@pytest.mark.parametrize("number, unit, expected", [
    (2, "minutes", 2), (10, "minutes", 10), (1, "hours", 60), (1, "days", 1440), (1, "weeks", 10080),
    (0, "minutes", 1),
])
def test_interval_minutes(number, unit, expected):
    assert interval_minutes(number, unit) == expected


def test_interval_minutes_refuses_an_unknown_unit():
    with pytest.raises(ValueError):
        interval_minutes(1, "fortnights")


@pytest.mark.parametrize("interval, allowed", [
    (2, timedelta(minutes=12)),        # short intervals get the minimum grace
    (10, timedelta(minutes=20)),       # twice the interval
    (1440, timedelta(days=2)),
])
def test_overdue_after(interval, allowed):
    assert overdue_after(interval) == allowed


@pytest.mark.parametrize("last, interval, since, expected", [
    (ago(minutes=3), 2, None, OK),
    (ago(minutes=12), 2, None, OK),                       # exactly at the limit: not yet
    (ago(minutes=12, seconds=1), 2, None, OVERDUE),
    (ago(minutes=19), 10, None, OK),
    (ago(minutes=21), 10, None, OVERDUE),
    (ago(hours=30), 1440, None, OK),
    (ago(days=3), 1440, None, OVERDUE),
    (None, 10, None, OVERDUE),                            # scheduled, never synced, since unknown
    (None, 10, ago(minutes=5), NEVER),                    # scheduled a moment ago: not late yet
    (None, 10, ago(hours=1), OVERDUE),
    (ago(days=30), None, None, OK),                       # no schedule: never overdue
    (None, None, None, NEVER),
    (NOW + timedelta(seconds=5), 2, None, OK),            # another server's clock a little ahead
])
def test_flow_status(last, interval, since, expected):
    assert flow_status(last, interval, NOW, scheduled_since=since) == expected


@pytest.mark.parametrize("last, expected", [
    (ago(seconds=59), ("now", 0)),
    (NOW + timedelta(seconds=3), ("now", 0)),
    (ago(minutes=3, seconds=40), ("minutes", 3)),
    (ago(minutes=59, seconds=59), ("minutes", 59)),
    (ago(hours=1), ("hours", 1)),
    (ago(hours=47, minutes=59), ("hours", 47)),
    (ago(days=2), ("days", 2)),
    (ago(days=400), ("days", 400)),
])
def test_age(last, expected):
    assert age(last, NOW) == expected
