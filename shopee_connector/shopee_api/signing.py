"""Shopee Open Platform v2 signatures (docs/shopee-api.md, "Signing" and "Push").

Calls: ``sign = hex(HMAC-SHA256(partner_key, base))`` with ``base = partner_id + path + timestamp`` for
public calls and ``+ access_token + shop_id`` for shop calls. Pushes: the ``Authorization`` header is
``hex(HMAC-SHA256(partner_key, callback_url + "|" + raw_body))``.
"""
import hashlib
import hmac

TIMESTAMP_VALID_SECONDS = 300


def sign(partner_key, partner_id, path, timestamp, access_token="", shop_id=""):
    """The lower-case hex signature of one call (shop calls pass their token and shop id)."""
    base = f"{partner_id}{path}{int(timestamp)}{access_token or ''}{shop_id or ''}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def common_params(partner_key, partner_id, path, timestamp, access_token=None, shop_id=None):
    """The common query parameters of a call, signature included."""
    params = {"partner_id": int(partner_id), "timestamp": int(timestamp),
              "sign": sign(partner_key, partner_id, path, timestamp, access_token, shop_id)}
    if access_token:
        params.update(access_token=access_token, shop_id=int(shop_id))
    return params


def push_signature(partner_key, url, raw_body):
    """What Shopee puts in a push's ``Authorization`` header for ``raw_body`` posted to ``url``."""
    base = url.encode() + b"|" + raw_body
    return hmac.new(partner_key.encode(), base, hashlib.sha256).hexdigest()


def push_is_genuine(partner_key, url, raw_body, authorization):
    """True when ``authorization`` is Shopee's signature of exactly ``raw_body`` sent to ``url``."""
    if not authorization or not partner_key:
        return False
    return hmac.compare_digest(push_signature(partner_key, url, raw_body), authorization.strip().lower())


def timestamp_is_fresh(timestamp, now):
    """Shopee accepts a signed call within 5 minutes of its timestamp (the simulator checks the same)."""
    return abs(int(now) - int(timestamp)) <= TIMESTAMP_VALID_SECONDS
