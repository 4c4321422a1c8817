"""Signatures as Shopee's documentation computes them (docs/shopee-api.md)."""
import hashlib
import hmac

from shopee_api import signing


def test_shop_call_signature_is_hmac_of_the_documented_base_string():
    expected = hmac.new(b"key", b"2001234/api/v2/order/get_order_list1700000000tok10001", hashlib.sha256).hexdigest()
    assert signing.sign("key", 2001234, "/api/v2/order/get_order_list", 1700000000, "tok", 10001) == expected


def test_public_call_signature_has_no_token_nor_shop():
    expected = hmac.new(b"key", b"2001234/api/v2/auth/token/get1700000000", hashlib.sha256).hexdigest()
    assert signing.sign("key", 2001234, "/api/v2/auth/token/get", 1700000000) == expected
    params = signing.common_params("key", 2001234, "/api/v2/auth/token/get", 1700000000)
    assert set(params) == {"partner_id", "timestamp", "sign"}


def test_push_signature_covers_the_exact_url_and_raw_body():
    url, body = "https://seller.example.com/api/shopee/webhook", b'{"code":3,"shop_id":10001}'
    good = hmac.new(b"key", url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    assert signing.push_is_genuine("key", url, body, good)
    assert signing.push_is_genuine("key", url, body, good.upper())
    assert not signing.push_is_genuine("key", url + "?x=1", body, good)
    assert not signing.push_is_genuine("key", url, body + b" ", good)
    assert not signing.push_is_genuine("other", url, body, good)
    assert not signing.push_is_genuine("key", url, body, "")
