"""The eBay client's errors never carry a token, a code or a key, whatever the URL or the answer held."""
import socket
import traceback

import pytest

from ebay_api import EbayConfig, EbayRequestError, EbayRetryableError
from ebay_api.transport import Transport, build_session

TOKEN = "v^1.1#i^1#p^3#r^1#I^3#t^Ul4xMF8"


def test_a_connection_error_raised_by_the_transport_has_no_token():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = EbayConfig("app", "cert", base_url="http://127.0.0.1:%s" % port, budgets={}, max_attempts=2,
                        timeout=(0.5, 0.5))
    transport = Transport(config, build_session(), sleep=lambda seconds: None)
    url = "http://127.0.0.1:%s/identity/v1/oauth2/token?code=auth-code-1&access_token=%s" % (port, TOKEN)
    with pytest.raises(EbayRetryableError) as caught:
        transport.send("GET", url, "oauth")
    text = str(caught.value) + "".join(traceback.format_exception(caught.value)) + caught.value.message
    assert "Max retries exceeded" in text
    assert TOKEN not in text and "auth-code-1" not in text


def test_an_error_echoing_a_header_or_a_body_is_redacted():
    error = EbayRequestError("refused: {'Authorization': 'Bearer %s'} refresh_token=rt-9" % TOKEN, status=400)
    assert TOKEN not in str(error) and "rt-9" not in error.message
