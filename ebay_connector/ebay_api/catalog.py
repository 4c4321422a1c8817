"""Catalog API adapter (user token, scope sell.inventory): eBay's product catalog, read by barcode.

Contract: ``shared/ebay-openapi/catalog.yml`` (v1_beta.5.0). ``GET /product_summary/search?gtin=`` answers
``productSummaries[]{epid, title, brand, mpn[], gtin[], image{imageUrl}, aspects[]}`` or 204 when nothing
matches; ``GET /product/{epid}`` answers the product: ``title``, ``description``, ``brand``, ``mpn[]``,
``upc[]``/``ean[]``/``isbn[]``, ``aspects[]{localizedName, localizedValues[]}``, ``image`` and
``additionalImages[]`` (stock photos), ``primaryCategoryId``.
"""
from urllib.parse import quote

BASE = "/commerce/catalog/v1_beta"
FAMILY = "catalog"
MAX_IMAGE_BYTES = 12 * 1024 * 1024   # eBay's own photos are far smaller; a larger answer is not a photo
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"BM")


class CatalogAdapter:
    def __init__(self, client):
        self.client = client

    def search_by_gtin(self, gtin, limit=3):
        """The catalog's product summaries for a UPC, EAN or ISBN (best first); ``[]`` when eBay knows none."""
        params = {"gtin": gtin, "limit": limit}
        body = self.client.request("GET", BASE + "/product_summary/search", FAMILY, params=params).body
        return (body or {}).get("productSummaries") or []

    def get_product(self, epid):
        """The catalog product ``epid`` (eBay's product id)."""
        return self.client.request("GET", f"{BASE}/product/{quote(str(epid), safe='')}", FAMILY).body or {}

    def fetch_image(self, url):
        """The bytes of a stock photo, or None when the answer is not an image of a sensible size (a stock
        photo is a nicety: a draft goes on without it)."""
        response = self.client.session.get(url, timeout=self.client.config.timeout, stream=True)
        try:
            if response.status_code != 200:
                return None
            content = response.raw.read(MAX_IMAGE_BYTES + 1, decode_content=True)
        finally:
            response.close()
        if len(content) > MAX_IMAGE_BYTES or not content.startswith(IMAGE_SIGNATURES):
            return None
        return content
