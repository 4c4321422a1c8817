"""Browse API: ``GET /buy/browse/v1/item_summary/search``, other sellers' active listings (comparables).

Doc: developer.ebay.com/api-docs/buy/browse/resources/item_summary/methods/search (shared/ebay-openapi/
browse.yml, SearchPagedCollection / ItemSummary). Application or user token. ``q`` cannot be combined with
``gtin`` or ``epid``; one of ``q``, ``gtin``, ``epid``, ``category_ids`` is needed. ``gtin`` searches UPC only
(browse.yml: "You can search only by UPC"): any other GTIN finds nothing; an EAN or ISBN is found by its catalog
product (``epid``, catalog.CATALOG) or as keywords. Filters served: ``conditionIds``, ``buyingOptions``
(FIXED_PRICE only when absent, as the API documents), ``itemLocationCountry``.

Items: those set with ``POST /_sim/comparables`` for the query's GTIN, ePID or keywords, else a deterministic
pool per query (40 listings around a price of the query's own, of a catalog product, or of an Odoo demo
product's barcode searched as keywords: a realistic spread, some free shipping, a few auctions, used and foreign
items, and outliers: "for parts", a replacement part, a lot of 5).
"""
import hashlib
import random
from urllib.parse import urlencode

from .catalog import CATALOG
from .errors import bad_request
from .routing import int_param, json_response

DOMAIN = "API_BROWSE"
CURRENCIES = {"EBAY_US": "USD", "EBAY_GB": "GBP", "EBAY_DE": "EUR", "EBAY_FR": "EUR", "EBAY_IT": "EUR",
              "EBAY_ES": "EUR", "EBAY_AU": "AUD", "EBAY_CA": "CAD", "EBAY_AT": "EUR", "EBAY_NL": "EUR"}
CONDITIONS = {"1000": "New", "1500": "New other (see details)", "2500": "Seller refurbished", "3000": "Used",
              "7000": "For parts or not working"}
# Known demo products: keywords (lower case) -> typical price in the marketplace's currency; the barcodes of
# Odoo's demo products -> (what sellers call it, typical price).
DEMO_PRICES = {"pedal bin": 45, "office chair": 120, "desk": 210}
DEMO_GTINS = {"6016478556493": ("Pedal bin 30 l brushed stainless steel soft close", 45),
              "6016478556448": ("Office desk combination with drawers", 210)}
DEMO_EPID_PRICES = {"24031555014": 25}   # the catalog's Desk Organizer (Odoo's demo barcode 2300001000008)
POOL_SIZE = 40
UPC_DIGITS = 12


def _query_key(gtin, q, epid=None):
    if epid:
        return "epid:" + epid
    return "gtin:" + gtin if gtin else "q:" + " ".join(sorted((q or "").lower().replace(",", " ").split()))


def _digest(key):
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _name_and_price(key, gtin, q, epid=None):
    """What the listings are called and their typical price: a catalog or demo product's, else derived from the
    query (an Odoo demo barcode searched as keywords finds its product's listings)."""
    if epid:
        title = next((entry[3] for entry in CATALOG if entry[0] == epid), f"Product (ePID {epid})")
        return title, DEMO_EPID_PRICES.get(epid, 15 + _digest(key) % 285)
    if gtin:
        return DEMO_GTINS.get(gtin, (f"Product (GTIN {gtin})", 15 + _digest(key) % 285))
    if (q or "").strip() in DEMO_GTINS:
        return DEMO_GTINS[q.strip()]
    words = (q or "").lower()
    price = next((price for name, price in DEMO_PRICES.items() if name in words), 15 + _digest(key) % 285)
    return (q or "Product").strip()[:60] or "Product", price


def generated_pool(key, gtin, q, category_id, epid=None):
    """The deterministic listings for a query without explicit comparables."""
    rng = random.Random("browse-" + key)
    name, base = _name_and_price(key, gtin, q, epid)
    items = []
    for number in range(POOL_SIZE):
        price = base * rng.uniform(0.8, 1.25)
        condition = rng.choice(["1000"] * 6 + ["1500", "3000", "3000", "2500"])
        title = name
        if number == 0:
            price, condition, title = base * 0.15, "7000", f"{name} - for parts, not working"
        elif number == 1:
            price, title = base * 4.2, f"Lot of 5 x {name}"
        elif number == 2:
            price, condition, title = base * 0.2, "1000", f"Replacement lid for {name}"
        shipping = 0 if rng.random() < 0.3 else rng.choice([3.99, 5.49, 6.99, 8.5, 12.99])
        items.append({
            "itemId": f"v1|1100{_digest(key) % 10 ** 6:06d}{number:03d}|0", "title": title,
            "price": round(price, 2), "shipping": shipping, "conditionId": condition,
            "buyingOption": "AUCTION" if rng.random() < 0.12 else "FIXED_PRICE",
            "country": "US" if rng.random() < 0.85 else rng.choice(["CN", "GB", "DE"]),
            "categoryId": category_id or "20000",
        })
    return items


def _money(value, currency):
    return {"value": f"{float(value):.2f}", "currency": currency}


def item_summary(item, currency, base_url):
    """ItemSummary JSON of one pool entry (the fields browse.yml names that the connector reads)."""
    legacy = item["itemId"].split("|")[1]
    condition_id = str(item.get("conditionId", "1000"))
    shipping_type = "FIXED" if item.get("shipping") is not None else "CALCULATED"
    shipping = {"shippingCostType": shipping_type}
    if item.get("shipping") is not None:
        shipping["shippingCost"] = _money(item["shipping"], currency)
    return {
        "itemId": item["itemId"], "legacyItemId": legacy, "title": item["title"],
        "price": _money(item["price"], currency), "shippingOptions": [shipping],
        "condition": CONDITIONS.get(condition_id, "New"), "conditionId": condition_id,
        "buyingOptions": [item.get("buyingOption", "FIXED_PRICE")],
        "itemLocation": {"country": item.get("country", "US")},
        "categories": [{"categoryId": item.get("categoryId", "20000")}],
        "seller": {"username": "seller_%s" % legacy[-4:], "feedbackPercentage": "99.1", "feedbackScore": 1520},
        "itemWebUrl": f"https://www.ebay.com/itm/{legacy}",
        "itemHref": f"{base_url}/buy/browse/v1/item/{item['itemId']}",
        "image": {"imageUrl": f"https://i.ebayimg.com/images/g/{legacy}/s-l225.jpg"},
    }


def parse_filter(value):
    """``conditionIds:{1000|3000},buyingOptions:{FIXED_PRICE},itemLocationCountry:US`` -> {name: set}."""
    filters = {}
    for part in _split_filter(value or ""):
        name, _, raw = part.partition(":")
        if not raw:
            raise bad_request(12023, DOMAIN, f"Invalid filter {part!r}.", {"filter": value})
        filters[name.strip()] = set(raw.strip("{}").split("|"))
    return filters


def _split_filter(value):
    """Split on commas outside ``{...}`` and ``[...]``."""
    parts, depth, current = [], 0, ""
    for char in value:
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part for part in parts + [current] if part]


def _matches(item, filters):
    """Whether a listing passes the served filters (fixed price only unless buyingOptions says otherwise)."""
    values = {"conditionIds": str(item.get("conditionId", "1000")),
              "buyingOptions": item.get("buyingOption", "FIXED_PRICE"),
              "itemLocationCountry": item.get("country", "US")}
    wanted = {"buyingOptions": {"FIXED_PRICE"}, **filters}
    return all(values[name] in allowed for name, allowed in wanted.items() if name in values)


def search(req):
    """GET /buy/browse/v1/item_summary/search — .../item_summary/methods/search."""
    query = req.query
    gtin, q, category_id, epid = query.get("gtin"), query.get("q"), query.get("category_ids"), query.get("epid")
    if q and (gtin or epid):
        raise bad_request(12001, DOMAIN, "The 'q' parameter cannot be used together with 'gtin' or 'epid'.")
    if not (gtin or q or category_id or epid):
        raise bad_request(12001, DOMAIN, "The query requires one of: q, category_ids, epid, gtin.")
    limit = int_param(req, "limit", 50, 1, 200, 12002, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 9999, 12003, DOMAIN)
    filters = parse_filter(query.get("filter"))
    currency = CURRENCIES.get(req.headers.get("X-EBAY-C-MARKETPLACE-ID") or "EBAY_US", "USD")
    key = _query_key(gtin, q, epid)
    pool = req.db.meta("comparables:" + key)
    if gtin and not (gtin.isdigit() and len(gtin) == UPC_DIGITS):
        pool = []   # browse.yml: "You can search only by UPC", whatever was set for it
    elif pool is None:
        pool = generated_pool(key, gtin, q, category_id, epid)
    found = [item for item in pool if _matches(item, filters)]
    page = found[offset:offset + limit]
    body = {"href": f"{req.base_url}{req.path}?{urlencode(query)}", "total": len(found), "limit": limit,
            "offset": offset, "itemSummaries": [item_summary(item, currency, req.base_url) for item in page]}
    if offset + limit < len(found):
        body["next"] = f"{req.base_url}{req.path}?{urlencode(dict(query, offset=offset + limit, limit=limit))}"
    return json_response(body)


def post_comparables(req):
    """``/_sim/comparables``: set the listings found for ``{"gtin"}``, ``{"epid"}`` or ``{"q"}``: ``items`` of
    ``{itemId?, title, price, shipping (null: calculated), conditionId, buyingOption, country}``;
    ``"items": null`` goes back to the generated pool."""
    body = req.json()
    key = _query_key(body.get("gtin"), body.get("q"), body.get("epid"))
    items = body.get("items")
    if items is not None:
        items = [dict({"itemId": f"v1|2200{index:06d}|0", "title": f"Comparable {index}"}, **item)
                 for index, item in enumerate(items)]
    with req.db.transaction() as db:
        db.set_meta("comparables:" + key, items)
    return json_response({"key": key, "count": len(items or ())})


ROUTES = [
    ("GET", "/buy/browse/v1/item_summary/search", search, "any"),
    ("POST", "/_sim/comparables", post_comparables, "sim"),
]
