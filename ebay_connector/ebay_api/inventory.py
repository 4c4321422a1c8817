"""Sell Inventory API adapter (user token, scope sell.inventory).

Doc pages under developer.ebay.com/api-docs/sell/inventory/resources/:
inventory_item/methods/getInventoryItems (limit 1..200), .../bulkGetInventoryItem (<= 25 SKUs),
.../createOrReplaceInventoryItem (SKU <= 50 chars, Content-Language required),
offer/methods/getOffers (``sku`` required), .../createOffer, .../publishOffer, .../withdrawOffer,
offer/methods/bulkUpdatePriceQuantity (<= 25 entries, 200 or 207 with per-SKU results),
listing/methods/bulkMigrateListing (1..5 listings).
Bulk limits are checked here, before any HTTP, so an oversize batch never costs a request.
"""
from urllib.parse import quote

from .batching import check_batch
from .pagination import iter_pages

BASE = "/sell/inventory/v1"
READ = "inventory.read"
WRITE = "inventory.write"
MAX_PAGE_SIZE = 200
MAX_BULK_ITEMS = 25
MAX_BULK_MIGRATE = 5
MAX_SKU_LENGTH = 50


def _sku_path(sku):
    if not sku or len(sku) > MAX_SKU_LENGTH:
        raise ValueError(f"an eBay SKU has 1 to {MAX_SKU_LENGTH} characters, got {sku!r}")
    return f"{BASE}/inventory_item/{quote(sku, safe='')}"


def _offer_path(offer_id, action):
    return f"{BASE}/offer/{quote(str(offer_id), safe='')}/{action}"


class InventoryAdapter:
    def __init__(self, client):
        self.client = client

    def iter_inventory_pages(self, page_size=MAX_PAGE_SIZE, should_stop=None, resume=None, first_number=1):
        """Pages of raw inventory items (with page number and total for progress lines), from the
        start or from ``resume`` (a page's ``next_params``, kept by a job between slices)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        params = resume or {"limit": page_size, "offset": 0}
        return iter_pages(self.client, BASE + "/inventory_item", READ, params, "inventoryItems", should_stop,
                          first_number)

    def iter_inventory_items(self, page_size=MAX_PAGE_SIZE, should_stop=None):
        """Every raw inventory item of the account, paging transparently; stops between pages
        once ``should_stop()`` is true."""
        for page in self.iter_inventory_pages(page_size, should_stop):
            yield from page.items

    def bulk_get_inventory_items(self, skus):
        """Raw ``responses[]`` (``statusCode``, ``sku``, ``inventoryItem`` or ``errors``) for up
        to 25 SKUs."""
        skus = check_batch(skus, MAX_BULK_ITEMS, "bulkGetInventoryItem")
        body = {"requests": [{"sku": sku} for sku in skus]}
        return self._post("/bulk_get_inventory_item", READ, body, idempotent=True).body.get("responses", [])

    def get_offers(self, sku, marketplace_id=None):
        """Raw offers of one SKU (all marketplaces unless ``marketplace_id`` is given)."""
        params = {"sku": sku, "marketplace_id": marketplace_id}
        body = self.client.request("GET", BASE + "/offer", READ, params=params).body or {}
        return body.get("offers", [])

    def bulk_update_price_quantity(self, entries):
        """Send up to 25 ``{"sku", "shipToLocationAvailability", "offers"}`` entries and return
        eBay's per-SKU/offer ``responses[]`` (map them with ``mappers.map_price_quantity_results``);
        a 207 is a normal answer where some entries failed."""
        entries = check_batch(entries, MAX_BULK_ITEMS, "bulkUpdatePriceQuantity")
        # absolute quantities and prices: sending the same batch twice leaves eBay as sending it once
        body = {"requests": entries}
        return self._post("/bulk_update_price_quantity", WRITE, body, idempotent=True).body.get("responses", [])

    def create_or_replace_inventory_item(self, sku, payload):
        """Full replace of one inventory item; returns the HTTP status (200/201/204)."""
        headers = {"Content-Language": self.client.config.content_language}
        return self.client.request("PUT", _sku_path(sku), WRITE, json=payload, headers=headers).status

    def create_offer(self, payload):
        """Create an unpublished offer; returns its ``offerId``."""
        return self._post("/offer", WRITE, payload).body["offerId"]

    def publish_offer(self, offer_id):
        """Publish an offer as a listing; returns the eBay ``listingId``."""
        return self.client.request("POST", _offer_path(offer_id, "publish"), WRITE).body["listingId"]

    def withdraw_offer(self, offer_id):
        """End the listing of a published offer; returns the ``listingId`` eBay echoes."""
        body = self.client.request("POST", _offer_path(offer_id, "withdraw"), WRITE).body or {}
        return body.get("listingId")

    def bulk_migrate_listings(self, listing_ids):
        """Move 1 to 5 Seller Hub / Trading API listings into the Inventory API model; returns
        eBay's per-listing ``responses[]``."""
        listing_ids = check_batch(listing_ids, MAX_BULK_MIGRATE, "bulkMigrateListing")
        body = {"requests": [{"listingId": str(listing_id)} for listing_id in listing_ids]}
        return self._post("/bulk_migrate_listing", WRITE, body).body.get("responses", [])

    def _post(self, path, family, body, idempotent=None):
        headers = {"Content-Language": self.client.config.content_language}
        return self.client.request("POST", BASE + path, family, json=body, headers=headers, idempotent=idempotent)
