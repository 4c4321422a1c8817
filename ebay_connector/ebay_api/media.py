"""Commerce Media API adapter: photo uploads (user token, scope sell.inventory).

Doc pages: developer.ebay.com/api-docs/commerce/media/resources/image/methods/createImageFromFile
(``POST https://apim.ebay.com/commerce/media/v1_beta/image/create_image_from_file``, multipart form field
``image``; JPG, GIF, PNG, BMP, TIFF, AVIF, HEIC, WEBP) → 201 ``{imageUrl, expirationDate}``; at most 50
requests per 5 s; images not used in a listing expire, those in listings are kept
(developer.ebay.com/api-docs/sell/static/inventory/managing-image-media.html). The Media document in
../shared/ebay-openapi/ is an older version with the video calls only.

The file travels from Odoo to eBay, so an Odoo behind a firewall can list: eBay never fetches from it.
"""
BASE = "/commerce/media/v1_beta"
FAMILY = "media"


class MediaAdapter:
    def __init__(self, client):
        self.client = client

    def create_image_from_file(self, filename, content, mimetype="image/jpeg"):
        """Upload one photo; returns eBay's ``{imageUrl, expirationDate}`` (``mappers.map_image``).

        Declared idempotent, so retried after a 5xx or a timeout like a PUT: an upload eBay got twice only
        leaves an unused copy, which eBay lets expire (no listing uses it)."""
        response = self.client.request("POST", BASE + "/image/create_image_from_file", FAMILY,
                                       files={"image": (filename, content, mimetype)},
                                       host=self.client.config.media_url, idempotent=True)
        return response.body or {}
