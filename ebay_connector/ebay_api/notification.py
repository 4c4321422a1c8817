"""Notification API adapter: the public key that signs eBay's webhook notifications.

Doc page: developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey
(application token; eBay asks to cache the key, about an hour - see ``signature.py``).
"""
from urllib.parse import quote

BASE = "/commerce/notification/v1"
FAMILY = "notification"


class NotificationAdapter:
    def __init__(self, client):
        self.client = client

    def get_public_key(self, kid):
        """``{"key": "-----BEGIN PUBLIC KEY-----...", "algorithm": "ECDSA", "digest": "SHA1"}``.
        An unknown key id raises EbayRequestError (404)."""
        path = f"{BASE}/public_key/{quote(kid, safe='')}"
        return self.client.request("GET", path, FAMILY, app_token=True).body
