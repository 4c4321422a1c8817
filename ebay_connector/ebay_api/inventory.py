"""Sell Inventory API adapter (user token, scope sell.inventory).

Doc pages under developer.ebay.com/api-docs/sell/inventory/resources/:
inventory_item/methods/getInventoryItems (limit 1..200), .../bulkGetInventoryItem (<= 25 SKUs),
.../createOrReplaceInventoryItem (SKU <= 50 chars, Content-Language required),
offer/methods/getOffers (``sku`` required), .../createOffer, .../publishOffer, .../withdrawOffer,
offer/methods/bulkUpdatePriceQuantity (<= 25 entries, 200 or 207 with per-SKU results),
listing/methods/bulkMigrateListing (1..5 listings); publishing (docs/ebay-api.md, "Publishing"):
inventory_item/methods/bulkCreateOrReplaceInventoryItem, offer/methods/bulkCreateOffer, .../bulkPublishOffer
(25 each), offer/methods/updateOffer, inventory_item_group/methods/createOrReplaceInventoryItemGroup,
offer/methods/publishOfferByInventoryItemGroup, .../withdrawOfferByInventoryItemGroup,
location/methods/createInventoryLocation.
Bulk limits are checked here, before any HTTP, so an oversize batch never costs a request.
"""
from urllib.parse import quote

from .batching import check_batch
from .errors import EbayRequestError
from .pagination import iter_pages

BASE = "/sell/inventory/v1"
READ = "inventory.read"
WRITE = "inventory.write"
MAX_PAGE_SIZE = 200
MAX_BULK_ITEMS = 25
MAX_BULK_MIGRATE = 5
MAX_SKU_LENGTH = 50
OFFER_NOT_FOUND = 25713      # getOffers of a SKU without offers answers 404 with this error
LOCATION_EXISTS = 25803      # createInventoryLocation of a key that exists: 409


def _sku_path(sku):
    if not sku or len(sku) > MAX_SKU_LENGTH:
        raise ValueError(f"an eBay SKU has 1 to {MAX_SKU_LENGTH} characters, got {sku!r}")
    return f"{BASE}/inventory_item/{quote(sku, safe='')}"


def _offer_path(offer_id, action):
    return f"{BASE}/offer/{quote(str(offer_id), safe='')}/{action}"


# updateOffer's body (EbayOfferDetailsWithId) is createOffer's without these: an offer's SKU, site and format are
# fixed when it is made
CREATE_ONLY_OFFER_FIELDS = ("sku", "marketplaceId", "format")


def update_offer_body(offer):
    """The updateOffer body of an offer as created (createOffer / bulkCreateOffer entry): its own fields only."""
    return {key: value for key, value in offer.items() if key not in CREATE_ONLY_OFFER_FIELDS}


# createOrReplaceInventoryItem's body (InventoryItem) is a bulk entry (InventoryItemWithSkuLocale) without these:
# the SKU is in the path, the language in Content-Language
BULK_ONLY_ITEM_FIELDS = ("sku", "locale")


def inventory_item_body(item):
    """The createOrReplaceInventoryItem body of an inventory item written as a bulk entry: its own fields only."""
    return {key: value for key, value in item.items() if key not in BULK_ONLY_ITEM_FIELDS}


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

    def find_offers(self, sku, marketplace_id=None):
        """Like ``get_offers``, but a SKU without any offer (eBay's 404 / 25713) gives ``[]``: what a
        publish asks before creating an offer, so a retried publish never makes a second one."""
        try:
            return self.get_offers(sku, marketplace_id)
        except EbayRequestError as exc:
            if exc.status == 404 or OFFER_NOT_FOUND in exc.error_ids:
                return []
            raise

    def bulk_update_price_quantity(self, entries):
        """Send up to 25 ``{"sku", "shipToLocationAvailability", "offers"}`` entries and return
        eBay's per-SKU/offer ``responses[]`` (map them with ``mappers.map_price_quantity_results``);
        a 207 is a normal answer where some entries failed."""
        entries = check_batch(entries, MAX_BULK_ITEMS, "bulkUpdatePriceQuantity")
        # absolute quantities and prices: sending the same batch twice leaves eBay as sending it once
        body = {"requests": entries}
        return self._post("/bulk_update_price_quantity", WRITE, body, idempotent=True).body.get("responses", [])

    def create_or_replace_inventory_item(self, sku, item):
        """Full replace of one inventory item from its bulk entry (``inventory_item_body`` leaves out what the
        single call does not take); returns the HTTP status (200/201/204)."""
        headers = {"Content-Language": self.client.config.content_language}
        return self.client.request("PUT", _sku_path(sku), WRITE, json=inventory_item_body(item),
                                   headers=headers).status

    def create_offer(self, payload):
        """Create an unpublished offer; returns its ``offerId``."""
        return self._post("/offer", WRITE, payload).body["offerId"]

    def publish_offer(self, offer_id):
        """Publish an offer as a listing; returns the eBay ``listingId``."""
        # the path as inventory.yml writes it, with its final slash
        return self.client.request("POST", _offer_path(offer_id, "publish/"), WRITE).body["listingId"]

    def withdraw_offer(self, offer_id):
        """End the listing of a published offer; returns the ``listingId`` eBay echoes."""
        body = self.client.request("POST", _offer_path(offer_id, "withdraw"), WRITE).body or {}
        return body.get("listingId")

    def bulk_create_or_replace_inventory_items(self, items):
        """Full replace of up to 25 inventory items (``{"sku", "locale", "product", ...}``); returns
        eBay's per-SKU ``responses[]`` (``statusCode``, ``sku``, ``errors``)."""
        items = check_batch(items, MAX_BULK_ITEMS, "bulkCreateOrReplaceInventoryItem")
        # a full replace: sending the same records twice leaves eBay as sending them once
        return self._post("/bulk_create_or_replace_inventory_item", WRITE, {"requests": items},
                          idempotent=True).body.get("responses", [])

    def bulk_create_offers(self, offers):
        """Create up to 25 unpublished offers; returns eBay's per-SKU ``responses[]`` (``offerId`` when
        created). Not repeated after an uncertain answer: the caller looks the SKUs' offers up first."""
        offers = check_batch(offers, MAX_BULK_ITEMS, "bulkCreateOffer")
        return self._post("/bulk_create_offer", WRITE, {"requests": offers}).body.get("responses", [])

    def bulk_publish_offers(self, offer_ids):
        """Publish up to 25 offers; returns eBay's per-offer ``responses[]`` (``listingId`` when live)."""
        offer_ids = check_batch(offer_ids, MAX_BULK_ITEMS, "bulkPublishOffer")
        body = {"requests": [{"offerId": str(offer_id)} for offer_id in offer_ids]}
        return self._post("/bulk_publish_offer", WRITE, body).body.get("responses", [])

    def update_offer(self, offer_id, offer):
        """Full replace of one offer (revises its live listing) from its body as created (``update_offer_body``
        leaves out what updateOffer does not take); returns the HTTP status."""
        headers = {"Content-Language": self.client.config.content_language}
        path = f"{BASE}/offer/{quote(str(offer_id), safe='')}"
        return self.client.request("PUT", path, WRITE, json=update_offer_body(offer), headers=headers).status

    def create_or_replace_inventory_item_group(self, group_key, payload):
        """Full replace of one inventory item group (variations listing); returns the HTTP status."""
        if not group_key or len(group_key) > MAX_SKU_LENGTH:
            raise ValueError(f"an inventory item group key has 1 to {MAX_SKU_LENGTH} characters, got {group_key!r}")
        headers = {"Content-Language": self.client.config.content_language}
        path = f"{BASE}/inventory_item_group/{quote(group_key, safe='')}"
        return self.client.request("PUT", path, WRITE, json=payload, headers=headers).status

    def publish_offer_by_inventory_item_group(self, group_key, marketplace_id):
        """Publish every offer of a group as one multi-variation listing; returns its ``listingId``."""
        body = {"inventoryItemGroupKey": group_key, "marketplaceId": marketplace_id}
        return self._post("/offer/publish_by_inventory_item_group/", WRITE, body).body["listingId"]

    def withdraw_offer_by_inventory_item_group(self, group_key, marketplace_id):
        """End the multi-variation listing of a group (its offers stay)."""
        body = {"inventoryItemGroupKey": group_key, "marketplaceId": marketplace_id}
        self._post("/offer/withdraw_by_inventory_item_group", WRITE, body)

    def create_inventory_location(self, location_key, payload):
        """Create the merchant location a warehouse ships from; returns False when it existed (409 /
        25803), True when made. Sending it twice is harmless (the second gets 409), so it is retried."""
        path = f"{BASE}/location/{quote(location_key, safe='')}"
        headers = {"Content-Language": self.client.config.content_language}
        try:
            self.client.request("POST", path, WRITE, json=payload, headers=headers, idempotent=True)
        except EbayRequestError as exc:
            if exc.status == 409 or LOCATION_EXISTS in exc.error_ids:
                return False
            raise
        return True

    def bulk_migrate_listings(self, listing_ids):
        """Move 1 to 5 Seller Hub / Trading API listings into the Inventory API model; returns
        eBay's per-listing ``responses[]``."""
        listing_ids = check_batch(listing_ids, MAX_BULK_MIGRATE, "bulkMigrateListing")
        body = {"requests": [{"listingId": str(listing_id)} for listing_id in listing_ids]}
        return self._post("/bulk_migrate_listing", WRITE, body).body.get("responses", [])

    def _post(self, path, family, body, idempotent=None):
        headers = {"Content-Language": self.client.config.content_language}
        return self.client.request("POST", BASE + path, family, json=body, headers=headers, idempotent=idempotent)
