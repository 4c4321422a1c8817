"""Shopee's signatures as the simulator checks and makes them, written from Shopee's reference on its own.

The connector's client signs with ``shopee_api/signing.py``; the simulator does not import it, so a mistake in
the client's signing is refused here instead of agreeing with itself. Calls: ``hex(HMAC-SHA256(partner_key,
partner_id + path + timestamp [+ access_token + shop_id]))``; pushes: ``hex(HMAC-SHA256(partner_key, url + "|" +
body))``; a call's timestamp is valid for 5 minutes.
"""
import hashlib
import hmac

TIMESTAMP_VALID_SECONDS = 300
# Shopee's reference: prices with decimals in these regions only ("other regions can only set the price as an
# integer")
DECIMAL_REGIONS = frozenset({"SG", "MY", "BR", "MX", "PL", "ES", "AR"})


def _hmac_hex(partner_key, message):
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()


def call_signature(partner_key, partner_id, path, timestamp, access_token="", shop_id=""):
    """What a call signed by ``partner_key`` must carry in ``sign``."""
    return _hmac_hex(partner_key, f"{partner_id}{path}{int(timestamp)}{access_token or ''}{shop_id or ''}".encode())


def push_authorization(partner_key, url, raw_body):
    """The ``Authorization`` header of a push of ``raw_body`` to ``url``."""
    return _hmac_hex(partner_key, url.encode() + b"|" + raw_body)


def timestamp_is_fresh(timestamp, now):
    return abs(int(now) - int(timestamp)) <= TIMESTAMP_VALID_SECONDS
