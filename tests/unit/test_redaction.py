"""The scrubber of error texts (marketplace_core/redaction.py), with real ``requests`` errors."""
import logging
import socket
import traceback

import pytest
import requests

from marketplace_core.errors import is_retryable
from marketplace_core.redaction import RedactingFilter, redact, redacted_error

TOKEN = "shop-access-token-5f3a9c"


def closed_port():
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refused_get(**params):
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get("http://127.0.0.1:%s/api/v2/order/get_order_list" % closed_port(), params=params, timeout=5)
    return caught.value


@pytest.mark.parametrize("text, secret", [
    ("url: /api?partner_id=1&access_token=%s&shop_id=5&sign=abc123" % TOKEN, TOKEN),
    ("url: /api?sign=deadbeef01&timestamp=1", "deadbeef01"),
    ('{"refresh_token": "rt-77aa", "shop_id": 5}', "rt-77aa"),
    ("{'code': 'c0de-99', 'partner_id': 1}", "c0de-99"),
    ("client_secret=SBX-cert-1&grant_type=refresh_token", "SBX-cert-1"),
    ("{'Authorization': 'Bearer v^1.1#i^1#r^0#p^3', 'Accept': 'json'}", "v^1.1#i^1#r^0#p^3"),
    ("Authorization: Basic ZGVtbzpzZWNyZXQ=", "ZGVtbzpzZWNyZXQ="),
    ("sent with bearer eyJhbGciOi.x.y", "eyJhbGciOi.x.y"),
    ("redirect=https%3A%2F%2Fodoo%2Fcb%3Fcode%3Dauth-code-1%26shop_id%3D5", "auth-code-1"),
    ("GET /shopee/auth/callback?state=1.2&code=auth-code-2&shop_id=7 HTTP/1.1", "auth-code-2"),
    ("partner_key=pk-secret-3 was wrong", "pk-secret-3"),
])
def test_secrets_are_masked_and_the_rest_kept(text, secret):
    clean = redact(text)
    assert secret not in clean
    assert "***" in clean


def test_names_that_only_end_like_a_secret_are_kept():
    text = "error_code=E1 country_code=US shop_id=5 design=x partner_id=2 Key (nonce)=(abc) already exists"
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "Re-authorization needed: the shop authorization: expired",
    "Shopee refused the authorization code: error_auth: Invalid code",
    "eBay consent was declined (access_denied).",
    "Wrong sign. The token was refused; enter the partner key again.",
])
def test_sentences_about_secrets_are_kept(text):
    assert redact(text) == text


def test_a_refused_connection_loses_its_token_and_stays_a_network_error():
    error = refused_get(partner_id=1, access_token=TOKEN, shop_id=5, sign="f00dcafe")
    assert TOKEN in str(error), "the test's premise: urllib3 puts the URL in the text"
    clean = redacted_error(error)
    assert type(clean) is type(error) and is_retryable(clean)
    assert TOKEN not in str(clean) and "f00dcafe" not in str(clean)
    assert "Max retries exceeded" in str(clean) and "shop_id=5" in str(clean), "what failed is still said"


def test_raised_from_none_the_traceback_shows_no_token():
    error = refused_get(access_token=TOKEN)
    with pytest.raises(requests.ConnectionError) as caught:
        try:
            raise error
        except requests.ConnectionError as exc:
            raise redacted_error(exc) from None
    text = "".join(traceback.format_exception(caught.value))
    assert TOKEN not in text and "access_token=***" in text


def test_log_filter_redacts_urllib3_style_records():
    record = logging.LogRecord("urllib3.connectionpool", logging.DEBUG, __file__, 1, '%s://%s:%s "%s %s %s" %s %s',
                               ("http", "localhost", 80, "GET", "/api?access_token=%s" % TOKEN, "HTTP/1.1", 200, 10),
                               None)
    assert RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage() and "GET /api?access_token=***" in record.getMessage()


def test_nothing_to_redact():
    assert redact(None) is None and redact(False) is False and redact("") == ""
    assert redact(ValueError("plain")) == "plain"
