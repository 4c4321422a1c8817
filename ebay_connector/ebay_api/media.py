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
        """Upload one photo; returns ``(image_url, expiration_date or None)``.

        A POST that is not repeated after an uncertain answer; an upload repeated later costs only an
        unused copy, which eBay lets expire."""
        response = self.client.request("POST", BASE + "/image/create_image_from_file", FAMILY,
                                       files={"image": (filename, content, mimetype)},
                                       host=self.client.config.media_url)
        body = response.body or {}
        return body["imageUrl"], body.get("expirationDate")
