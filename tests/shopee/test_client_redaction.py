"""The Shopee client's errors never carry the shop's token or the signature: its query string does."""
import socket
import traceback

import pytest
import requests
from shopee_api import MemoryTokenStore, ShopeeClient, ShopeeConfig, TokenSet

from marketplace_core.errors import is_retryable

TOKEN = "shop-access-token-5f3a9c"
REFRESH = "shop-refresh-token-77e1"
PARTNER_KEY = "partner-key-0b1c2d"


def session_on(port):
    config = ShopeeConfig(2001887, PARTNER_KEY, base_url="http://127.0.0.1:%s" % port, max_attempts=2,
                          backoff_base_seconds=0.001, timeout=5.0)
    client = ShopeeClient(config, sleep=lambda seconds: None)
    return client.shop(5001, MemoryTokenStore(TokenSet(TOKEN, 4_000_000_000, REFRESH)))


def assert_no_secret(exc):
    for text in (str(exc), "".join(traceback.format_exception(exc))):
        for secret in (TOKEN, REFRESH, PARTNER_KEY):
            assert secret not in text
        assert "sign=***" in text, "the signature is masked too"


def test_a_refused_connection_raises_a_network_error_without_the_token():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(requests.ConnectionError) as caught:
        session_on(port).call("GET", "/api/v2/order/get_order_list", params={"page_size": 100}, family="orders")
    assert is_retryable(caught.value), "still a network error the job queue retries"
    assert "Max retries exceeded" in str(caught.value) and "access_token=***" in str(caught.value)
    assert_no_secret(caught.value)

