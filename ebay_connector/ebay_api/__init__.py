"""Pure-Python eBay REST client (no Odoo import).

Adapters talk HTTP (one per eBay API), mappers turn eBay payloads into plain frozen records.
The package only uses relative imports so it works both as ``ebay_api`` (plain pytest) and as
``odoo.addons.ebay_connector.ebay_api`` (the Odoo addon).
"""
from .client import ApiResponse, EbayClient
from .config import EbayConfig
from .errors import (
    EbayAuthError,
    EbayError,
    EbayRequestError,
    EbayRetryableError,
    EbayUncertainError,
    MappingError,
    SignatureError,
)
from .tokens import InMemoryTokenStore, TokenSet, TokenStore

__all__ = [
    "ApiResponse",
    "EbayAuthError",
    "EbayClient",
    "EbayConfig",
    "EbayError",
    "EbayRequestError",
    "EbayRetryableError",
    "EbayUncertainError",
    "InMemoryTokenStore",
    "MappingError",
    "SignatureError",
    "TokenSet",
    "TokenStore",
]
