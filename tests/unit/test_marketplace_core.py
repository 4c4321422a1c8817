"""Plain-pytest tests of marketplace_base's Odoo-free core."""
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from marketplace_core import backoff, payload, secrets
from marketplace_core.errors import RetryableJobError, is_retryable, retry_after_of
from marketplace_core.sync_rules import online_quantity


@pytest.mark.parametrize("available, buffer, minimum, rounding, expected", [
    (100, 10, 5, 0, 90),
    (12, 10, 5, 0, 0),
    (15, 10, 5, 0, 5),
    (5, 10, 0, 0, 0),
    (47, 0, 0, 10, 40),
    (57, 5, 55, 10, 0),
    (7.9, 0, 0, 0, 7),
])
def test_online_quantity_table(available, buffer, minimum, rounding, expected):
    assert online_quantity(available, buffer, minimum, rounding) == expected


def test_online_quantity_rejects_negative_settings():
    with pytest.raises(ValueError):
        online_quantity(10, buffer=-1)


@given(st.integers(-1000, 10**6), st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 100))
def test_online_quantity_properties(available, buffer, minimum, rounding):
    quantity = online_quantity(available, buffer, minimum, rounding)
    assert 0 <= quantity <= max(0, available - buffer)
    assert quantity == 0 or quantity >= minimum
    if rounding:
        assert quantity % rounding == 0


def test_backoff_schedule_and_cap():
    delays = [backoff.retry_delay_seconds(n) for n in range(1, 8)]
    assert delays == [300, 600, 1800, 3600, 7200, 7200, 7200]


def test_backoff_retry_after_wins_only_when_longer():
    assert backoff.retry_delay_seconds(1, retry_after=30) == 300
    assert backoff.retry_delay_seconds(1, retry_after=900) == 900


def test_backoff_after_a_lost_race_is_seconds_growing_to_a_minute():
    delays = [backoff.retry_delay_seconds(n, lost_race=True) for n in (1, 2, 3, 12, 13)]
    assert delays == [5, 10, 15, 60, 60]


def test_lost_races_are_free_up_to_a_bound_so_a_job_never_loops_for_ever():
    assert backoff.lost_race_is_free(1)
    assert backoff.lost_race_is_free(backoff.FREE_LOST_RACES)
    assert not backoff.lost_race_is_free(backoff.FREE_LOST_RACES + 1)


def test_backoff_parse_schedule():
    assert backoff.parse_schedule("1, 2,3") == (1, 2, 3)
    assert backoff.parse_schedule("") == backoff.DEFAULT_SCHEDULE_MINUTES
    for bad in ("a,b", "0,5", ","):
        with pytest.raises(ValueError):
            backoff.parse_schedule(bad)


def test_retryable_classification():
    assert is_retryable(RetryableJobError("x"))
    assert is_retryable(requests.ReadTimeout())
    assert is_retryable(requests.ConnectionError())
    assert not is_retryable(ValueError("bad sku"))

    class FlaggedError(Exception):
        retryable = True
        retry_after = "12"
    assert is_retryable(FlaggedError())
    assert retry_after_of(FlaggedError()) == 12
    assert retry_after_of(ValueError()) is None


def test_payload_parsing_messages():
    assert payload.parse_payload("") == {}
    assert payload.parse_payload(False) == {}
    assert payload.parse_payload('{"since": null}') == {"since": None}
    with pytest.raises(ValueError, match="line 1, column 2"):
        payload.parse_payload("{since: 1}")
    with pytest.raises(ValueError, match="JSON object"):
        payload.parse_payload("[1]")


def test_identity_key_ignores_key_order():
    first = payload.identity_key("push_stock", 1, 2, {"a": 1, "b": [1, 2]})
    assert first == payload.identity_key("push_stock", 1, 2, {"b": [1, 2], "a": 1})
    assert first != payload.identity_key("push_stock", 1, 3, {"a": 1, "b": [1, 2]})


def test_secret_box_round_trip_and_wrong_key():
    box = secrets.SecretBox(secrets.generate_key())
    token = box.encrypt("v^1.1#token")
    assert token and "token" not in token
    assert box.decrypt(token) == "v^1.1#token"
    assert box.encrypt("") is False
    with pytest.raises(secrets.SecretUnreadable):
        secrets.SecretBox(secrets.generate_key()).decrypt(token)
    with pytest.raises(secrets.SecretKeyMissing, match="marketplace_secret_key"):
        secrets.SecretBox(None)
