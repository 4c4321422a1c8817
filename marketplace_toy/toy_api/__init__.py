"""The toy platform's client: plain Python, no Odoo (the shape of a connector's ``<platform>_api`` package)."""
from .client import MAX_IDS, MAX_PAGE_SIZE, MAX_STOCK_ITEMS, ToyAuthError, ToyClient, ToyError
from .mapper import MappingError, map_order

__all__ = ["MAX_IDS", "MAX_PAGE_SIZE", "MAX_STOCK_ITEMS", "MappingError", "ToyAuthError", "ToyClient", "ToyError",
           "map_order"]
