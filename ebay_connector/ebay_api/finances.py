"""Finances API adapter (user token, scope sell.finances, host apiz) and Key Management API adapter.

``../shared/ebay-openapi/finances.yml``: getTransactions (``filter=transactionDate:[from..to]``,
``transactionType:{SALE}``, ``payoutId:{id}``; limit 1..1000, ``sort=transactionDate`` ascending), getPayouts
(``filter=payoutDate:[from..to]``; limit 1..200, ``sort=payoutDate``), getPayout. Every Finances call made for an
EU or UK seller must carry a digital signature (``message_signature.py``): the client signs them when it has a
signer. ``key_management.yml``: createSigningKey / getSigningKey (application token, host apiz) give the keypair;
the private key is answered once, by createSigningKey, and never again.
"""
from urllib.parse import quote

from .fulfillment import ebay_timestamp
from .pagination import iter_pages

BASE = "/sell/finances/v1"
KEY_MANAGEMENT = "/developer/key_management/v1"
FAMILY = "finances"
MAX_TRANSACTIONS_PAGE = 1000
MAX_PAYOUTS_PAGE = 200
CIPHERS = ("ED25519", "RSA")


def date_filter(field, date_from, date_to=None):
    """``field:[from..to]`` in eBay's UTC form, open-ended without ``date_to``."""
    upper = ebay_timestamp(date_to) if date_to else ""
    return f"{field}:[{ebay_timestamp(date_from)}..{upper}]"


def transactions_filter(date_from=None, date_to=None, transaction_type=None, payout_id=None):
    """getTransactions' ``filter``: the given criteria joined by commas, as eBay documents it."""
    parts = []
    if date_from:
        parts.append(date_filter("transactionDate", date_from, date_to))
    if transaction_type:
        parts.append("transactionType:{%s}" % transaction_type)
    if payout_id:
        parts.append("payoutId:{%s}" % payout_id)
    return ",".join(parts) or None


class FinancesAdapter:
    def __init__(self, client):
        self.client = client

    def iter_transaction_pages(self, date_from=None, date_to=None, transaction_type=None, payout_id=None,
                               page_size=MAX_TRANSACTIONS_PAGE, should_stop=None, resume=None, first_number=1):
        """Pages of raw transactions, oldest first, from the start or from ``resume`` (a page's next_params)."""
        if not 1 <= page_size <= MAX_TRANSACTIONS_PAGE:
            raise ValueError(f"page_size must be 1..{MAX_TRANSACTIONS_PAGE}")
        params = resume or {"filter": transactions_filter(date_from, date_to, transaction_type, payout_id),
                            "sort": "transactionDate", "limit": page_size, "offset": 0}
        return iter_pages(self.client, BASE + "/transaction", FAMILY, params, "transactions", should_stop,
                          first_number, host=self.client.config.apiz_url)

    def iter_payout_pages(self, date_from, date_to=None, page_size=MAX_PAYOUTS_PAGE, should_stop=None,
                          resume=None, first_number=1):
        """Pages of raw payouts dated in the range, oldest first."""
        if not 1 <= page_size <= MAX_PAYOUTS_PAGE:
            raise ValueError(f"page_size must be 1..{MAX_PAYOUTS_PAGE}")
        params = resume or {"filter": date_filter("payoutDate", date_from, date_to), "sort": "payoutDate",
                            "limit": page_size, "offset": 0}
        return iter_pages(self.client, BASE + "/payout", FAMILY, params, "payouts", should_stop, first_number,
                          host=self.client.config.apiz_url)

    def get_payout(self, payout_id):
        return self.client.request("GET", BASE + "/payout/" + quote(str(payout_id), safe=""), FAMILY,
                                   host=self.client.config.apiz_url).body or {}


class KeyManagementAdapter:
    """The keypairs eBay's digital signatures need, made with the application's token."""

    def __init__(self, client):
        self.client = client

    def create_signing_key(self, cipher="ED25519"):
        """A new keypair: ``{signingKeyId, privateKey, publicKey, jwe, creationTime, expirationTime, ...}``.

        Not retried after an uncertain answer: a second key would only be unused, but its private key, answered
        once, would be lost with the answer."""
        if cipher not in CIPHERS:
            raise ValueError(f"cipher must be one of {CIPHERS}")
        return self.client.request("POST", KEY_MANAGEMENT + "/signing_key", "key_management",
                                   json={"signingKeyCipher": cipher}, app_token=True,
                                   host=self.client.config.apiz_url).body or {}

    def get_signing_key(self, signing_key_id):
        """A keypair's metadata (no private key)."""
        return self.client.request("GET", KEY_MANAGEMENT + "/signing_key/" + quote(str(signing_key_id), safe=""),
                                   "key_management", app_token=True, host=self.client.config.apiz_url).body or {}
