"""Pure-Python client of the Shopee Open Platform v2 (no Odoo imports): signing, tokens per shop,
orders, stock and prices, logistics, push verification. See docs/shopee-api.md."""
from .client import ShopeeClient, ShopSession
from .config import ShopeeConfig
from .errors import (
    MappingError,
    ShopeeAuthError,
    ShopeeError,
    ShopeeRequestError,
    ShopeeSetupError,
    ShopeeUncertainError,
    ShopeeWaitError,
)
from .tokens import MemoryTokenStore, TokenSet

__all__ = ["MappingError", "MemoryTokenStore", "ShopSession", "ShopeeAuthError", "ShopeeClient", "ShopeeConfig",
           "ShopeeError", "ShopeeRequestError", "ShopeeSetupError", "ShopeeUncertainError", "ShopeeWaitError",
           "TokenSet"]
