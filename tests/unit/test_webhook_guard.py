"""The checks every marketplace webhook makes before reading a body (marketplace_core/webhook_guard.py)."""
import pytest

from marketplace_core.webhook_guard import body_refusal


@pytest.mark.parametrize("content_length, mimetype, expected_status", [
    (None, "application/json", 411),
    (1025, "application/json", 413),
    (1024, "text/plain", 415),
    (None, "text/plain", 411),  # the length is judged first: nothing is read without it
    (5 * 1024 * 1024, "text/plain", 413),
])
def test_refused_before_reading(content_length, mimetype, expected_status):
    status, reason = body_refusal(content_length, mimetype, 1024)
    assert status == expected_status
    assert reason


@pytest.mark.parametrize("content_length", [0, 300, 1024])
def test_json_within_the_limit_passes(content_length):
    assert body_refusal(content_length, "application/json", 1024) is None
