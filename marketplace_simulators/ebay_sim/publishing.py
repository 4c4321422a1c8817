"""Publishing: eBay's publish-time validations, the bulk create/publish calls, item groups, inventory locations,
business policies (Account API), item condition policies (Metadata API) and photo uploads (Media API).

Docs: developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkCreateOrReplaceInventoryItem,
.../offer/methods/bulkCreateOffer, .../bulkPublishOffer, .../publishOffer, .../publishOfferByInventoryItemGroup,
.../withdrawOfferByInventoryItemGroup, .../inventory_item_group/methods/createOrReplaceInventoryItemGroup,
.../location/methods/createInventoryLocation; sell/account/resources/{fulfillment,payment,return}_policy/methods/
get*Policies; sell/metadata/resources/marketplace/methods/getItemConditionPolicies;
commerce/media/resources/image/methods/createImageFromFile; error ids from ../shared/ebay-api-notes.md
("Publishing"). A listing is checked only when published, like eBay: offers may be created incomplete.
"""
import email.parser
import email.policy
import hashlib
import json
import random
import re
import secrets
import time

from .errors import EbayError, bad_request, error_detail, not_found
from .formats import iso
from .inventory import (
    DOMAIN,
    SITE_LANGUAGES,
    bulk_requests,
    content_language,
    invalid_value,
    item_row,
    multi_status,
    new_listing_id,
    new_offer,
    offer_row,
    upsert_item,
)
from .routing import empty_response, json_response
from .taxonomy import aspects_for, build_tree, current_mode

MEDIA_DOMAIN = "API_MEDIA"
IMAGE_HOST = "https://i.ebayimg.com/images/g/"
IMAGE_DAYS = 30
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"BM")
POLICY_KINDS = {"fulfillment": ("fulfillmentPolicies", "fulfillmentPolicyId", 25007),
                "payment": ("paymentPolicies", "paymentPolicyId", 25008),
                "return": ("returnPolicies", "returnPolicyId", 25009)}
# Demo business policies of the seeded seller (EBAY_US); the calculated-shipping one needs a package.
DEMO_POLICIES = [
    ("6196932000", "fulfillment", "Free shipping - USPS Ground", {"costType": "FLAT_RATE"}),
    ("6196932001", "fulfillment", "Calculated shipping - UPS", {"costType": "CALCULATED"}),
    ("6196933000", "payment", "eBay managed payments", {}),
    ("6196934000", "return", "30 days, buyer pays return", {"returnsAccepted": True}),
    ("6196934001", "return", "No returns", {"returnsAccepted": False}),
]
DEMO_LOCATION = ("demo-warehouse", {"location": {"address": {"city": "San Jose", "stateOrProvince": "CA",
                                                              "postalCode": "95125", "country": "US"}},
                                    "name": "Demo warehouse", "merchantLocationStatus": "ENABLED",
                                    "locationTypes": ["WAREHOUSE"]})
ALL_CONDITION_IDS = ("1000", "1500", "1750", "2000", "2010", "2020", "2030", "2500", "2750", "3000", "4000", "5000",
                     "6000", "7000")
CONDITION_NAMES = {"1000": "NEW", "1500": "NEW_OTHER", "1750": "NEW_WITH_DEFECTS", "2000": "CERTIFIED_REFURBISHED",
                   "2010": "EXCELLENT_REFURBISHED", "2020": "VERY_GOOD_REFURBISHED", "2030": "GOOD_REFURBISHED",
                   "2500": "SELLER_REFURBISHED", "2750": "LIKE_NEW", "3000": "USED_EXCELLENT",
                   "4000": "USED_VERY_GOOD", "5000": "USED_GOOD", "6000": "USED_ACCEPTABLE",
                   "7000": "FOR_PARTS_OR_NOT_WORKING"}
CONDITION_LABELS = {"1000": "New", "1500": "New other (see details)", "2750": "Like New", "3000": "Used",
                    "7000": "For parts or not working"}


def site_policy_id(policy_id, marketplace):
    """A demo policy's id on another site (policy ids are the seller's, one set per site): EBAY_US keeps the
    demo ids, the other sites count on from them."""
    return str(int(policy_id) + 10000 * list(SITE_LANGUAGES).index(marketplace))


def seed_publishing(db):
    """The demo seller's business policies on every site and warehouse location (inside the seed transaction)."""
    for marketplace in SITE_LANGUAGES:
        for policy_id, kind, name, extra in DEMO_POLICIES:
            db.execute("INSERT OR IGNORE INTO policies(policy_id, kind, marketplace_id, name, data) "
                       "VALUES (?,?,?,?,?)",
                       (site_policy_id(policy_id, marketplace), kind, marketplace, name, json.dumps(extra)))
    key, data = DEMO_LOCATION
    db.execute("INSERT OR IGNORE INTO locations(location_key, data) VALUES (?,?)", (key, json.dumps(data)))


# ---------------------------------------------------------------- category rules


def condition_ids_for(category_id):
    """Deterministic conditions a category accepts: NEW always; some categories new only, some no refurbished."""
    roll = random.Random(f"conditions-{category_id}").random()
    if roll < 0.2:
        return ("1000", "1500")
    if roll < 0.5:
        return ("1000", "1500", "2500", "3000", "7000")
    return ALL_CONDITION_IDS


def _leaves(db):
    return build_tree(current_mode(db)).leaves


# ---------------------------------------------------------------- publish-time validation


def _error(error_id, message, **parameters):
    return error_detail(error_id, DOMAIN, message, parameters=parameters or None)


def _policy_errors(db, offer, marketplace):
    policies = offer.get("listingPolicies") or {}
    errors = []
    for kind, (_key, field, error_id) in POLICY_KINDS.items():
        policy_id = policies.get(field)
        known = policy_id and db.scalar("SELECT 1 FROM policies WHERE policy_id=? AND kind=? AND marketplace_id=?",
                                        (str(policy_id), kind, marketplace))
        if not known:
            errors.append(_error(error_id, f"The {kind} policy is missing or is not a {kind} policy of "
                                           f"marketplace {marketplace} (policy id {policy_id or 'none'}).",
                                 **{field: policy_id or ""}))
    return errors


def _calculated_shipping(db, offer):
    policy_id = (offer.get("listingPolicies") or {}).get("fulfillmentPolicyId")
    data = db.scalar("SELECT data FROM policies WHERE policy_id=?", (str(policy_id),)) if policy_id else None
    return bool(data) and json.loads(data).get("costType") == "CALCULATED"


def _listing_errors(product, condition, category_id, aspects):
    """Errors of what buyers see: title, description, photos, condition, item specifics."""
    errors = []
    title = (product.get("title") or "").strip()
    if not title:
        errors.append(_error(25017, "The title is missing. Add a title of at most 80 characters.", field="title"))
    elif len(title) > 80:
        errors.append(_error(25016, f"The title has {len(title)} characters; at most 80 are allowed.", field="title"))
    if not (product.get("description") or "").strip():
        errors.append(_error(25017, "The description is missing.", field="description"))
    images = product.get("imageUrls") or []
    if not images:
        errors.append(_error(25014, "The listing has no picture. Add at least one picture (imageUrls)."))
    for url in images:
        if not str(url).startswith("https://"):
            errors.append(_error(25015, f"The picture URL {url} is not valid: pictures must be HTTPS URLs.",
                                 imageUrl=url))
    allowed = condition_ids_for(category_id)
    names = [CONDITION_NAMES[condition_id] for condition_id in allowed]
    if not condition:
        errors.append(_error(25021, f"An item condition is required in category {category_id}.",
                             categoryId=category_id))
    elif condition not in names:
        errors.append(_error(25021, f"The item condition {condition} is not valid in category {category_id}; "
                                    f"valid: {', '.join(names)}.", condition=condition, categoryId=category_id))
    for aspect in aspects_for(category_id):
        name = aspect["localizedAspectName"]
        if aspect["aspectConstraint"]["aspectRequired"] and not aspects.get(name):
            errors.append(_error(25002, f"The item specific {name} is missing. Add {name} to this listing, enter "
                                        "a valid value, and then try again.", itemSpecific=name))
    return errors


def _locale_errors(item_row_, marketplace):
    """The inventory item must be written in a language of the offer's site: an en_US item does not list on
    EBAY_DE (error 25604, as eBay's community reports it; its exact wording is not documented)."""
    locale = item_row_["locale"] or "en_US"
    if locale.replace("_", "-") in SITE_LANGUAGES.get(marketplace, ()):
        return []
    return [_error(25604, f"The inventory item {item_row_['sku']} is written in {locale}; a listing on {marketplace} "
                          f"needs {' or '.join(SITE_LANGUAGES.get(marketplace, ('its site language',)))}. Send the "
                          "item again with that Content-Language and locale.",
                   sku=item_row_["sku"], locale=locale, marketplaceId=marketplace)]


def publish_errors(db, offer_row_, product=None, aspects=None):
    """Every error eBay gives when publishing this offer (``product``/``aspects``: a group's, for variants)."""
    offer = json.loads(offer_row_["data"])
    row = item_row(db, offer_row_["sku"])
    item = json.loads(row["data"])
    errors = _locale_errors(row, offer_row_["marketplace_id"])
    category_id = offer.get("categoryId")
    if not category_id or str(category_id) not in _leaves(db):
        errors.append(_error(25005, f"The category {category_id or '(none)'} is not a valid leaf category.",
                             categoryId=category_id or ""))
    errors += _policy_errors(db, offer, offer_row_["marketplace_id"])
    location = offer.get("merchantLocationKey")
    if not location or not db.scalar("SELECT 1 FROM locations WHERE location_key=?", (location,)):
        errors.append(_error(25012, f"The inventory location {location or '(none)'} does not exist. Create it "
                                    "with createInventoryLocation.", merchantLocationKey=location or ""))
    if offer_row_["price"] is None:
        errors.append(_error(25003, "The price is missing or invalid.", field="pricingSummary.price"))
    if offer_row_["available_quantity"] is None:
        errors.append(_error(25004, "The available quantity is missing or invalid.", field="availableQuantity"))
    if _calculated_shipping(db, offer) and not item.get("packageWeightAndSize"):
        errors.append(_error(25020, "The package weight and size are required by calculated shipping.",
                             field="packageWeightAndSize"))
    if category_id and str(category_id) in _leaves(db):
        merged = dict(product or {}, **{k: v for k, v in (item.get("product") or {}).items() if v})
        all_aspects = dict(aspects or {}, **((item.get("product") or {}).get("aspects") or {}))
        errors += _listing_errors(merged, item.get("condition"), str(category_id), all_aspects)
    return errors


def publish_row(db, row, listing_id=None, product=None, aspects=None):
    """Publish one offer row (inside a transaction): its listing id, or EbayError with every error."""
    errors = publish_errors(db, row, product, aspects)
    if errors:
        raise EbayError(400, errors)
    listing_id = listing_id or (row["listing_id"] if row["status"] == "PUBLISHED" else new_listing_id(db))
    db.execute("UPDATE offers SET status='PUBLISHED', listing_id=?, listing_status='ACTIVE' WHERE offer_id=?",
               (listing_id, row["offer_id"]))
    return listing_id


def publish_offer(req):
    """POST /sell/inventory/v1/offer/{offerId}/publish/ → {listingId} — .../offer/methods/publishOffer."""
    with req.db.transaction() as db:
        row = offer_row(db, req.params["offerId"])
        if row is None:
            raise not_found(25713, DOMAIN, "This Offer is not available.", {"offerId": req.params["offerId"]})
        listing_id = publish_row(db, row)
    return json_response({"listingId": listing_id, "warnings": []})


# ---------------------------------------------------------------- bulk calls


def _each(req, key, action):
    """Run ``action(db, entry)`` per bulk entry in one transaction; an EbayError fails that entry only."""
    responses = []
    entries = bulk_requests(req)
    with req.db.transaction() as db:
        for entry in entries:
            response = {key: entry.get(key)}
            try:
                response.update(action(db, entry))
            except EbayError as exc:
                response.update(statusCode=exc.status, errors=exc.errors)
            responses.append(response)
    return multi_status(responses)


def bulk_create_or_replace_inventory_item(req):
    """POST /sell/inventory/v1/bulk_create_or_replace_inventory_item (<= 25) — 200/207 ``responses[]``."""
    language = content_language(req)

    def put(db, entry):
        locale = entry.get("locale") or language.replace("-", "_")
        created = upsert_item(db, str(entry.get("sku") or ""), locale, entry)
        return {"statusCode": 201 if created else 200, "locale": locale}
    return _each(req, "sku", put)


def bulk_create_offer(req):
    """POST /sell/inventory/v1/bulk_create_offer (<= 25; Content-Language required, a language of each offer's
    site) — 200/207 ``responses[]`` with ``offerId``."""
    language = content_language(req)

    def create(db, entry):
        return {"statusCode": 200, "offerId": new_offer(db, entry, language),
                "marketplaceId": entry.get("marketplaceId"),
                "format": entry.get("format")}
    return _each(req, "sku", create)


def bulk_publish_offer(req):
    """POST /sell/inventory/v1/bulk_publish_offer (<= 25) — 200/207 ``responses[]`` with ``listingId``."""
    def publish(db, entry):
        row = offer_row(db, str(entry.get("offerId") or ""))
        if row is None:
            raise not_found(25713, DOMAIN, "This Offer is not available.", {"offerId": entry.get("offerId")})
        return {"statusCode": 200, "listingId": publish_row(db, row)}
    return _each(req, "offerId", publish)


# ---------------------------------------------------------------- item groups


def _group(db, key):
    row = db.one("SELECT data FROM item_groups WHERE group_key=?", (key,))
    if row is None:
        raise not_found(25705, DOMAIN, f"The inventory item group {key} was not found.",
                        {"inventoryItemGroupKey": key})
    return json.loads(row["data"])


def create_or_replace_inventory_item_group(req):
    """PUT /sell/inventory/v1/inventory_item_group/{key} — full replace; 201 created, 204 replaced."""
    content_language(req)
    key, body = req.params["inventoryItemGroupKey"], req.json()
    skus = body.get("variantSKUs")
    if not isinstance(skus, list) or not skus:
        raise invalid_value("variantSKUs")
    with req.db.transaction() as db:
        for sku in skus:
            if item_row(db, sku) is None:
                raise bad_request(25702, DOMAIN, f"SKU {sku} is not available in the system.", {"sku": sku})
            other = db.scalar("SELECT group_key FROM item_groups WHERE group_key<>? AND "
                              "EXISTS (SELECT 1 FROM json_each(data, '$.variantSKUs') WHERE value=?)", (key, sku))
            if other:
                raise bad_request(25703, DOMAIN, f"SKU {sku} is already in inventory item group {other}.",
                                  {"sku": sku})
            single = db.scalar("SELECT 1 FROM offers WHERE sku=? AND status='PUBLISHED' AND listing_id NOT IN "
                               "(SELECT listing_id FROM item_groups WHERE listing_id IS NOT NULL)", (sku,))
            if single:
                raise bad_request(25704, DOMAIN, f"SKU {sku} is already published as a single listing.",
                                  {"sku": sku})
        created = db.scalar("SELECT 1 FROM item_groups WHERE group_key=?", (key,)) is None
        data = {k: v for k, v in body.items() if k != "inventoryItemGroupKey"}
        db.execute("INSERT INTO item_groups(group_key, data) VALUES (?,?) ON CONFLICT(group_key) DO UPDATE SET "
                   "data=excluded.data", (key, json.dumps(data)))
    return empty_response(201 if created else 204)


def get_inventory_item_group(req):
    """GET /sell/inventory/v1/inventory_item_group/{key}."""
    key = req.params["inventoryItemGroupKey"]
    return json_response({"inventoryItemGroupKey": key, **_group(req.db, key)})


def _group_offers(db, group, marketplace):
    rows = []
    for sku in group["variantSKUs"]:
        row = db.one("SELECT * FROM offers WHERE sku=? AND marketplace_id=?", (sku, marketplace))
        if row is None:
            raise bad_request(25713, DOMAIN, f"SKU {sku} of the group has no offer on {marketplace}.", {"sku": sku})
        rows.append(row)
    return rows


def publish_by_inventory_item_group(req):
    """POST /sell/inventory/v1/offer/publish_by_inventory_item_group/ — one listing for every variant."""
    body = req.json()
    key, marketplace = body.get("inventoryItemGroupKey"), body.get("marketplaceId")
    if not key or not marketplace:
        raise invalid_value("inventoryItemGroupKey" if not key else "marketplaceId")
    with req.db.transaction() as db:
        group = _group(db, key)
        rows = _group_offers(db, group, marketplace)
        product = {"title": group.get("title"), "description": group.get("description"),
                   "imageUrls": group.get("imageUrls")}
        errors = []
        for row in rows:
            errors += publish_errors(db, row, product, group.get("aspects"))
        if errors:
            raise EbayError(400, errors)
        listing_id = next((row["listing_id"] for row in rows if row["status"] == "PUBLISHED"), None) \
            or new_listing_id(db)
        for row in rows:
            db.execute("UPDATE offers SET status='PUBLISHED', listing_id=?, listing_status='ACTIVE' "
                       "WHERE offer_id=?", (listing_id, row["offer_id"]))
        db.execute("UPDATE item_groups SET listing_id=? WHERE group_key=?", (listing_id, key))
    return json_response({"listingId": listing_id, "warnings": []})


def withdraw_by_inventory_item_group(req):
    """POST /sell/inventory/v1/offer/withdraw_by_inventory_item_group — ends the group's listing."""
    body = req.json()
    with req.db.transaction() as db:
        group = _group(db, body.get("inventoryItemGroupKey") or "")
        for row in _group_offers(db, group, body.get("marketplaceId")):
            db.execute("UPDATE offers SET status='UNPUBLISHED', listing_status='ENDED' WHERE offer_id=?",
                       (row["offer_id"],))
    return empty_response(204)


# ---------------------------------------------------------------- inventory locations


def create_inventory_location(req):
    """POST /sell/inventory/v1/location/{merchantLocationKey} → 204; 409 / 25803 when it exists."""
    key, body = req.params["merchantLocationKey"], req.json()
    address = (body.get("location") or {}).get("address") or {}
    if len(key) > 36:
        raise invalid_value("merchantLocationKey", key)
    if not address.get("country") or not (address.get("postalCode") or (address.get("city")
                                                                         and address.get("stateOrProvince"))):
        raise bad_request(25802, DOMAIN, "The location needs a country and a postal code, or a city and a "
                                         "state or province.", {"merchantLocationKey": key})
    with req.db.transaction() as db:
        if db.scalar("SELECT 1 FROM locations WHERE location_key=?", (key,)):
            raise bad_request(25803, DOMAIN, f"The location {key} already exists.", {"merchantLocationKey": key},
                              status=409)
        db.execute("INSERT INTO locations(location_key, data) VALUES (?,?)", (key, json.dumps(body)))
    return empty_response(204)


def get_inventory_location(req):
    """GET /sell/inventory/v1/location/{merchantLocationKey}."""
    key = req.params["merchantLocationKey"]
    data = req.db.scalar("SELECT data FROM locations WHERE location_key=?", (key,))
    if data is None:
        raise not_found(25804, DOMAIN, f"The location {key} was not found.", {"merchantLocationKey": key})
    return json_response({"merchantLocationKey": key, **json.loads(data)})


# ---------------------------------------------------------------- Account API: business policies


def _policies(kind):
    list_key, id_field, _error_id = POLICY_KINDS[kind]

    def handler(req):
        marketplace = req.query.get("marketplace_id")
        if not marketplace:
            raise bad_request(20401, "API_ACCOUNT", "Missing field marketplaceId.", {"marketplace_id": ""})
        rows = req.db.all("SELECT * FROM policies WHERE kind=? AND marketplace_id=? ORDER BY policy_id",
                          (kind, marketplace))
        policies = []
        for row in rows:
            extra = json.loads(row["data"])
            policy = {id_field: row["policy_id"], "name": row["name"], "marketplaceId": marketplace,
                      "categoryTypes": [{"name": "ALL_EXCLUDING_MOTORS_VEHICLES", "default": True}]}
            if kind == "fulfillment":
                policy["shippingOptions"] = [{"optionType": "DOMESTIC", "costType": extra.get("costType")}]
            if kind == "return":
                policy["returnsAccepted"] = extra.get("returnsAccepted", True)
            policies.append(policy)
        return json_response({list_key: policies, "total": len(policies)})
    return handler


# ---------------------------------------------------------------- Metadata API: condition policies


FILTER = re.compile(r"^categoryIds:\{([0-9|]+)\}$")


def get_item_condition_policies(req):
    """GET /sell/metadata/v1/marketplace/{marketplace_id}/get_item_condition_policies?filter=categoryIds:{a|b}."""
    match = FILTER.match(req.query.get("filter") or "")
    ids = match.group(1).split("|") if match else list(_leaves(req.db))[:50]
    policies = [{"categoryId": category_id, "categoryTreeId": "0", "itemConditionRequired": True,
                 "itemConditions": [{"conditionId": condition_id,
                                     "conditionDescription": CONDITION_LABELS.get(condition_id,
                                                                                  CONDITION_NAMES[condition_id]),
                                     "usage": "EBAY_RECOMMENDED"} for condition_id in condition_ids_for(category_id)]}
                for category_id in ids if category_id in _leaves(req.db)]
    return json_response({"itemConditionPolicies": policies})


# ---------------------------------------------------------------- Media API: photos


def _multipart_image(req):
    content_type = req.headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise bad_request(190001, MEDIA_DOMAIN, "The request must be multipart/form-data with an image field.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + req.body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "image":
            return part.get_content() if isinstance(part.get_content(), bytes) else part.get_payload(decode=True)
    raise bad_request(190002, MEDIA_DOMAIN, "The image field is missing.")


def create_image_from_file(req):
    """POST /commerce/media/v1_beta/image/create_image_from_file (multipart ``image``) → 201
    ``{imageUrl, expirationDate}`` and ``Location``."""
    content = _multipart_image(req)
    if not content or not content.startswith(IMAGE_SIGNATURES):
        raise bad_request(190003, MEDIA_DOMAIN, "The file is not an image eBay accepts (JPG, GIF, PNG, BMP, TIFF, "
                                                "AVIF, HEIC, WEBP).")
    image_id = secrets.token_hex(8)
    url = f"{IMAGE_HOST}{image_id}/s-l1600.jpg"
    expires = iso(time.time() + IMAGE_DAYS * 86400)
    with req.db.transaction() as db:
        db.execute("INSERT INTO images(image_id, url, expires, sha1) VALUES (?,?,?,?)",
                   (image_id, url, expires, hashlib.sha1(content).hexdigest()))
    return json_response({"imageUrl": url, "expirationDate": expires}, 201,
                         {"Location": f"{req.base_url}/commerce/media/v1_beta/image/{image_id}"})


def get_image(req):
    """GET /commerce/media/v1_beta/image/{image_id}."""
    row = req.db.one("SELECT * FROM images WHERE image_id=?", (req.params["image_id"],))
    if row is None:
        raise not_found(190004, MEDIA_DOMAIN, "The image was not found.", {"image_id": req.params["image_id"]})
    return json_response({"imageUrl": row["url"], "expirationDate": row["expires"]})


ROUTES = [
    # paths as inventory.yml writes them (publish and publish_by_inventory_item_group end with a slash)
    ("POST", "/sell/inventory/v1/offer/{offerId}/publish/", publish_offer, "user"),
    ("POST", "/sell/inventory/v1/bulk_create_or_replace_inventory_item", bulk_create_or_replace_inventory_item,
     "user"),
    ("POST", "/sell/inventory/v1/bulk_create_offer", bulk_create_offer, "user"),
    ("POST", "/sell/inventory/v1/bulk_publish_offer", bulk_publish_offer, "user"),
    ("PUT", "/sell/inventory/v1/inventory_item_group/{inventoryItemGroupKey}", create_or_replace_inventory_item_group,
     "user"),
    ("GET", "/sell/inventory/v1/inventory_item_group/{inventoryItemGroupKey}", get_inventory_item_group, "user"),
    ("POST", "/sell/inventory/v1/offer/publish_by_inventory_item_group/", publish_by_inventory_item_group, "user"),
    ("POST", "/sell/inventory/v1/offer/withdraw_by_inventory_item_group", withdraw_by_inventory_item_group, "user"),
    ("POST", "/sell/inventory/v1/location/{merchantLocationKey}", create_inventory_location, "user"),
    ("GET", "/sell/inventory/v1/location/{merchantLocationKey}", get_inventory_location, "user"),
    ("GET", "/sell/account/v1/fulfillment_policy", _policies("fulfillment"), "user"),
    ("GET", "/sell/account/v1/payment_policy", _policies("payment"), "user"),
    ("GET", "/sell/account/v1/return_policy", _policies("return"), "user"),
    ("GET", "/sell/metadata/v1/marketplace/{marketplace_id}/get_item_condition_policies",
     get_item_condition_policies, "any"),
    ("POST", "/commerce/media/v1_beta/image/create_image_from_file", create_image_from_file, "user"),
    ("GET", "/commerce/media/v1_beta/image/{image_id}", get_image, "user"),
]
