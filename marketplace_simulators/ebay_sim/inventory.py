"""Sell Inventory API: inventory items, offers, bulk price/quantity, publish/withdraw.

Docs (developer.ebay.com/api-docs/sell/inventory/resources/...): inventory_item/methods/getInventoryItems,
getInventoryItem, createOrReplaceInventoryItem, bulkGetInventoryItem, bulkUpdatePriceQuantity;
offer/methods/getOffers, getOffer, createOffer, publishOffer, withdrawOffer. Shapes follow
shared/ebay-samples/inventory-*.json.

Quantity model: an inventory item's ``shipToLocationAvailability.quantity`` is the stock; an offer's
``availableQuantity`` is what its listing shows. Setting the stock also sets ``availableQuantity`` on that
SKU's offers unless the same request sets it explicitly (eBay revises live listings the same way).
"""
import json
import re
from urllib.parse import urlencode

from .errors import bad_request, error_detail, not_found
from .formats import to_cents
from .routing import empty_response, int_param, json_response

DOMAIN = "API_INVENTORY"
BULK_LIMIT = 25
SKU_PATTERN = re.compile(r"^[A-Za-z0-9._\-/ ]{1,50}$")
CONDITIONS = {"NEW", "LIKE_NEW", "NEW_OTHER", "NEW_WITH_DEFECTS", "MANUFACTURER_REFURBISHED",
              "CERTIFIED_REFURBISHED", "EXCELLENT_REFURBISHED", "VERY_GOOD_REFURBISHED", "GOOD_REFURBISHED",
              "SELLER_REFURBISHED", "USED_EXCELLENT", "USED_VERY_GOOD", "USED_GOOD", "USED_ACCEPTABLE",
              "FOR_PARTS_OR_NOT_WORKING", "PRE_OWNED_EXCELLENT", "PRE_OWNED_FAIR"}
OFFER_SELECT = "SELECT * FROM offers"
# The languages eBay takes on each site, its default first (developer.ebay.com/api-docs/static/
# rest-request-components.html, "Marketplace ID values"; .../sell/metadata/types/bas:MarketplaceIdEnum): an offer
# is written in one of its site's languages (Content-Language) and its inventory item's locale must be one too.
SITE_LANGUAGES = {"EBAY_US": ("en-US",), "EBAY_GB": ("en-GB",), "EBAY_AU": ("en-AU",), "EBAY_CA": ("en-CA", "fr-CA"),
                  "EBAY_IE": ("en-IE",), "EBAY_DE": ("de-DE",), "EBAY_AT": ("de-AT",), "EBAY_CH": ("de-CH",),
                  "EBAY_FR": ("fr-FR",), "EBAY_BE": ("nl-BE", "fr-BE"), "EBAY_IT": ("it-IT",),
                  "EBAY_ES": ("es-ES",), "EBAY_NL": ("nl-NL",), "EBAY_PL": ("pl-PL",)}
LANGUAGES = {language for languages in SITE_LANGUAGES.values() for language in languages}


def invalid_value(field, value=None):
    """eBay's 25709 "Invalid value for {field}"."""
    return bad_request(25709, DOMAIN, f"Invalid value for {field}.", {field: value} if value is not None else None)


def content_language(req):
    """The request's Content-Language (required on the Inventory API's writes): a language eBay knows."""
    language = req.headers.get("Content-Language")
    if not language:
        raise invalid_value("header Content-Language")
    if language not in LANGUAGES:
        raise invalid_value("header Content-Language", language)
    return language


def check_site_language(language, marketplace):
    """An offer is written in a language of its site: en-US on EBAY_DE is refused."""
    if marketplace not in SITE_LANGUAGES:
        raise invalid_value("marketplaceId", marketplace)
    if language not in SITE_LANGUAGES[marketplace]:
        raise bad_request(25709, DOMAIN, f"Invalid value for header Content-Language. Marketplace {marketplace} "
                                         f"takes {' or '.join(SITE_LANGUAGES[marketplace])}, not {language}.",
                          {"Content-Language": language, "marketplaceId": marketplace})


def sku_unknown(sku):
    """25702: the SKU has no inventory item."""
    return error_detail(25702, DOMAIN, f"SKU {sku} is not available in the system.", parameters={"sku": sku})


def offer_unknown(offer_id):
    """25713: no such offer (for this seller)."""
    return error_detail(25713, DOMAIN, "This Offer is not available.", parameters={"offerId": offer_id})


def item_json(row):
    """InventoryItemWithSkuLocaleGroupid as returned by getInventoryItems/bulkGetInventoryItem."""
    item = json.loads(row["data"])
    return {"sku": row["sku"], "locale": row["locale"] or "en_US", **item,
            "availability": {"shipToLocationAvailability": {"quantity": row["quantity"]}}}


def offer_json(row):
    """EbayOfferDetailsWithAll as returned by getOffers/getOffer."""
    offer = {"offerId": row["offer_id"], "sku": row["sku"], "marketplaceId": row["marketplace_id"],
             "format": row["format"], "availableQuantity": row["available_quantity"],
             **json.loads(row["data"]), "status": row["status"]}
    if row["price"] is not None:
        offer["pricingSummary"] = {"price": {"value": row["price"], "currency": row["currency"]}}
    if row["listing_id"]:
        offer["listing"] = {"listingId": row["listing_id"], "listingStatus": row["listing_status"],
                            "soldQuantity": row["sold_quantity"]}
    return offer


def insert_item(db, sku, quantity, data, locale="en_US"):
    """Insert an inventory item row (seed, migration); ``data`` is product/condition without availability."""
    db.execute("INSERT INTO inventory_items(sku, quantity, locale, data) VALUES (?,?,?,?)",
               (sku, quantity, locale, json.dumps(data)))


def insert_offer(db, offer_id, sku, quantity, price, currency, data, listing_id=None, sold=0,
                 marketplace_id="EBAY_US", fmt="FIXED_PRICE"):
    """Insert an offer row; it is PUBLISHED (with an ACTIVE listing) when ``listing_id`` is given."""
    status, listing_status = ("PUBLISHED", "ACTIVE") if listing_id else ("UNPUBLISHED", None)
    db.execute("INSERT INTO offers(offer_id, sku, marketplace_id, format, status, listing_id, listing_status, "
               "available_quantity, sold_quantity, price, currency, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
               (offer_id, sku, marketplace_id, fmt, status, listing_id, listing_status, quantity, sold, price,
                currency, json.dumps(data)))


def new_offer_id(db):
    """Next offer id (10 digits, like eBay's)."""
    return str(db.next_counter("offer", start=5000000001))


def new_listing_id(db):
    """Next listing (item) id (12 digits, like sandbox ItemIDs)."""
    return str(db.next_counter("listing", start=110550000001))


def _page_links(req, path, offset, limit, total):
    """href/next/prev where ``offset`` is a page index (see ebay-api-notes.md)."""
    links = {"href": f"{req.base_url}{path}?{urlencode({'offset': offset, 'limit': limit})}"}
    if (offset + 1) * limit < total:
        links["next"] = f"{req.base_url}{path}?{urlencode({'offset': offset + 1, 'limit': limit})}"
    if offset > 0:
        links["prev"] = f"{req.base_url}{path}?{urlencode({'offset': offset - 1, 'limit': limit})}"
    return links


def get_inventory_items(req):
    """GET /sell/inventory/v1/inventory_item?limit=1..200&offset=<page> — .../getInventoryItems."""
    limit = int_param(req, "limit", 25, 1, 200, 25709, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 10 ** 9, 25709, DOMAIN)
    total = req.db.scalar("SELECT COUNT(*) FROM inventory_items")
    rows = req.db.all("SELECT * FROM inventory_items ORDER BY seq LIMIT ? OFFSET ?", (limit, offset * limit))
    page = {"total": total, "size": len(rows), "limit": limit,
            **_page_links(req, "/sell/inventory/v1/inventory_item", offset, limit, total)}
    page["inventoryItems"] = [item_json(row) for row in rows]
    return json_response(page)


def item_row(db, sku):
    return db.one("SELECT * FROM inventory_items WHERE sku=?", (sku,))


def get_inventory_item(req):
    """GET /sell/inventory/v1/inventory_item/{sku} — .../getInventoryItem."""
    row = item_row(req.db, req.params["sku"])
    if row is None:
        raise not_found(25702, DOMAIN, f"SKU {req.params['sku']} is not available in the system.")
    return json_response(item_json(row))


def bulk_requests(req, low=1, high=BULK_LIMIT):
    """The ``requests`` array of a bulk call; eBay answers 400 outside ``[low, high]`` entries."""
    requests = req.json().get("requests")
    if not isinstance(requests, list) or not low <= len(requests) <= high:
        count = len(requests) if isinstance(requests, list) else 0
        raise bad_request(25709, DOMAIN, f"Invalid value for requests. The number of requests must be between "
                                         f"{low} and {high}; {count} were sent.", {"requests": count})
    if not all(isinstance(entry, dict) for entry in requests):
        raise invalid_value("requests")
    return requests


def multi_status(responses):
    """200 when every entry succeeded, 207 otherwise (bulk calls)."""
    ok = all(200 <= entry["statusCode"] < 300 for entry in responses)
    return json_response({"responses": responses}, 200 if ok else 207)


def bulk_get_inventory_item(req):
    """POST /sell/inventory/v1/bulk_get_inventory_item (≤25 SKUs) — .../bulkGetInventoryItem."""
    responses = []
    for entry in bulk_requests(req):
        sku = str(entry.get("sku", ""))
        row = item_row(req.db, sku)
        if row is None:
            responses.append({"statusCode": 404, "sku": sku, "errors": [sku_unknown(sku)]})
        else:
            item = item_json(row)
            item.pop("sku")
            responses.append({"statusCode": 200, "sku": sku, "inventoryItem": item})
    return multi_status(responses)


def _validate_item(sku, body):
    if not SKU_PATTERN.match(sku):
        raise bad_request(25707, DOMAIN, "This is an invalid value for a SKU. Only alphanumeric characters can "
                                         "be used for SKUs, and their length must not exceed 50 characters.",
                          {"sku": sku})
    condition = body.get("condition")
    if condition is not None and condition not in CONDITIONS:
        raise invalid_value("condition", condition)
    quantity = body.get("availability", {}).get("shipToLocationAvailability", {}).get("quantity", 0)
    if not isinstance(quantity, int) or quantity < 0:
        raise invalid_value("availability.shipToLocationAvailability.quantity", quantity)
    return quantity


def create_or_replace_inventory_item(req):
    """PUT /sell/inventory/v1/inventory_item/{sku} (Content-Language required) — .../createOrReplaceInventoryItem.

    201 when created, 204 when replaced. A new stock quantity is pushed to the SKU's offers.
    """
    locale = content_language(req).replace("-", "_")
    body = req.json()
    with req.db.transaction() as db:
        created = upsert_item(db, req.params["sku"], locale, body)
    return empty_response(201 if created else 204)


def upsert_item(db, sku, locale, body):
    """Validate and store one inventory item (inside a transaction); True when it was created."""
    quantity = _validate_item(sku, body)
    data = {k: v for k, v in body.items() if k not in ("availability", "sku", "locale")}
    created = item_row(db, sku) is None
    if created:
        insert_item(db, sku, quantity, data, locale)
    else:
        db.execute("UPDATE inventory_items SET quantity=?, locale=?, data=? WHERE sku=?",
                   (quantity, locale, json.dumps(data), sku))
        db.execute("UPDATE offers SET available_quantity=? WHERE sku=?", (quantity, sku))
    return created


def get_offers(req):
    """GET /sell/inventory/v1/offer?sku= (sku required) — .../offer/methods/getOffers."""
    sku = req.query.get("sku")
    if not sku:
        raise bad_request(25709, DOMAIN, "Invalid value for sku. The sku query parameter is required.",
                          {"sku": ""})
    limit = int_param(req, "limit", 100, 1, 200, 25709, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 10 ** 9, 25709, DOMAIN)
    sql, args = OFFER_SELECT + " WHERE sku=?", [sku]
    if req.query.get("marketplace_id"):
        sql += " AND marketplace_id=?"
        args.append(req.query["marketplace_id"])
    rows = req.db.all(sql + " ORDER BY offer_id", args)
    if not rows:
        raise not_found(25713, DOMAIN, "This Offer is not available.", {"sku": sku})
    page = rows[offset * limit:(offset + 1) * limit]
    return json_response({"total": len(rows), "size": len(page), "limit": limit,
                          **_page_links(req, "/sell/inventory/v1/offer", offset, limit, len(rows)),
                          "offers": [offer_json(row) for row in page]})


def offer_row(db, offer_id):
    return db.one(OFFER_SELECT + " WHERE offer_id=?", (offer_id,))


def get_offer(req):
    """GET /sell/inventory/v1/offer/{offerId} — .../offer/methods/getOffer."""
    row = offer_row(req.db, req.params["offerId"])
    if row is None:
        raise not_found(25713, DOMAIN, "This Offer is not available.", {"offerId": req.params["offerId"]})
    return json_response(offer_json(row))


def price_of(entry, field):
    """(value, currency) of a ``{"value","currency"}`` price, validated; ``None`` when absent."""
    price = entry.get("price") if field == "price" else entry.get("pricingSummary", {}).get("price")
    if price is None:
        return None
    try:
        cents = to_cents(price["value"])
        currency = str(price["currency"])
    except (KeyError, TypeError, ValueError):
        raise invalid_value(field, json.dumps(price)) from None
    return f"{cents / 100:.2f}", currency


def create_offer(req):
    """POST /sell/inventory/v1/offer → 201 {offerId} — .../offer/methods/createOffer (Content-Language required,
    a language of the offer's site)."""
    language = content_language(req)
    body = req.json()
    with req.db.transaction() as db:
        offer_id = new_offer(db, body, language)
    return json_response({"offerId": offer_id}, 201)


def _offer_fields(body):
    """(price, quantity, data) of an offer body, validated."""
    price = price_of(body, "pricingSummary.price") or (None, None)
    quantity = body.get("availableQuantity")
    if quantity is not None and (not isinstance(quantity, int) or quantity < 0):
        raise invalid_value("availableQuantity", quantity)
    data = {k: v for k, v in body.items()
            if k not in ("sku", "marketplaceId", "format", "availableQuantity", "pricingSummary")}
    return price, quantity, data


def new_offer(db, body, language):
    """Validate and insert one offer written in ``language`` (inside a transaction); eBay refuses a second offer
    of a SKU on a site and format with 25002 "Offer entity already exists", naming the existing ``offerId``."""
    sku, marketplace, fmt = body.get("sku"), body.get("marketplaceId"), body.get("format")
    if not sku or item_row(db, sku) is None:
        raise bad_request(25702, DOMAIN, f"SKU {sku} is not available in the system.", {"sku": sku})
    if not marketplace:
        raise invalid_value("marketplaceId")
    check_site_language(language, marketplace)
    if fmt not in ("FIXED_PRICE", "AUCTION"):
        raise invalid_value("format", fmt)
    price, quantity, data = _offer_fields(body)
    existing = db.scalar("SELECT offer_id FROM offers WHERE sku=? AND marketplace_id=? AND format=?",
                         (sku, marketplace, fmt))
    if existing:
        raise bad_request(25002, DOMAIN, "A user error has occurred. Offer entity already exists.",
                          {"offerId": existing})
    offer_id = new_offer_id(db)
    insert_offer(db, offer_id, sku, quantity, price[0], price[1], data, marketplace_id=marketplace, fmt=fmt)
    return offer_id


def update_offer(req):
    """PUT /sell/inventory/v1/offer/{offerId} — .../offer/methods/updateOffer (full replace; a published
    offer's live listing is revised). Content-Language is required and must be a language of the offer's site.
    The body is EbayOfferDetailsWithId (no sku, marketplaceId, format: they cannot change); whether eBay refuses
    them or ignores them is not documented, so they are ignored here (the client is held to the schema by
    tests/ebay/test_openapi_conformance.py)."""
    language = content_language(req)
    body = req.json()
    price, quantity, data = _offer_fields(body)
    with req.db.transaction() as db:
        row = offer_row(db, req.params["offerId"])
        if row is None:
            raise not_found(25713, DOMAIN, "This Offer is not available.", {"offerId": req.params["offerId"]})
        check_site_language(language, row["marketplace_id"])
        db.execute("UPDATE offers SET available_quantity=?, price=?, currency=?, data=? WHERE offer_id=?",
                   (quantity, price[0], price[1], json.dumps(data), row["offer_id"]))
    return empty_response(204)


def withdraw_offer(req):
    """POST /sell/inventory/v1/offer/{offerId}/withdraw — .../offer/methods/withdrawOffer (ends the listing)."""
    with req.db.transaction() as db:
        row = offer_row(db, req.params["offerId"])
        if row is None:
            raise not_found(25713, DOMAIN, "This Offer is not available.", {"offerId": req.params["offerId"]})
        if row["status"] != "PUBLISHED":
            raise bad_request(25002, DOMAIN, "A user error has occurred. The offer is not published.",
                              {"offerId": row["offer_id"]})
        db.execute("UPDATE offers SET status='UNPUBLISHED', listing_status='ENDED' WHERE offer_id=?",
                   (row["offer_id"],))
    return json_response({"listingId": row["listing_id"], "warnings": []})



ROUTES = [
    ("GET", "/sell/inventory/v1/inventory_item", get_inventory_items, "user"),
    ("GET", "/sell/inventory/v1/inventory_item/{sku}", get_inventory_item, "user"),
    ("PUT", "/sell/inventory/v1/inventory_item/{sku}", create_or_replace_inventory_item, "user"),
    ("POST", "/sell/inventory/v1/bulk_get_inventory_item", bulk_get_inventory_item, "user"),
    ("GET", "/sell/inventory/v1/offer", get_offers, "user"),
    ("POST", "/sell/inventory/v1/offer", create_offer, "user"),
    ("GET", "/sell/inventory/v1/offer/{offerId}", get_offer, "user"),
    ("PUT", "/sell/inventory/v1/offer/{offerId}", update_offer, "user"),
    ("POST", "/sell/inventory/v1/offer/{offerId}/withdraw", withdraw_offer, "user"),
]
