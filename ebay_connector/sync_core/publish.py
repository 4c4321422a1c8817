"""Publishing a listing: the local check, eBay's request bodies, and which listings need a revision.

Plain values in, plain values out. The Odoo layer turns a listing into a ``ListingDraft``; ``check_listing``
lists every problem eBay would raise at publish time at once (codes and parameters, worded by the Odoo
layer), so a seller fixes them all before a single call; the builders make the inventory item, offer and
inventory item group bodies of eBay's Inventory API (docs/ebay-api.md, "Publishing").
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

MAX_TITLE = 80
MAX_ITEM_DESCRIPTION = 4000          # product.description of the inventory item
MAX_LISTING_DESCRIPTION = 500000     # listingDescription of the offer
MAX_PHOTOS = 24
MAX_VARIANT_PHOTOS = 12
MAX_ASPECT_NAME = 40
MAX_ASPECT_VALUE = 50
MAX_ASPECT_VALUES = 30               # itemToAspectCardinality MULTI
MAX_CONDITION_NOTES = 1000           # conditionDescription
MAX_REVISIONS_PER_DAY = 250
SKU_PATTERN = re.compile(r"^[A-Za-z0-9._\-/ ]{1,50}$")
POLICY_KINDS = ("fulfillment", "payment", "return")
POLICY_FIELDS = {"fulfillment": "fulfillmentPolicyId", "payment": "paymentPolicyId", "return": "returnPolicyId"}
NEW = "NEW"
# eBay's numeric condition ids (Metadata API) -> the Inventory API's ConditionEnum (ebay-api-notes.md)
CONDITION_IDS = {
    "1000": "NEW", "1500": "NEW_OTHER", "1750": "NEW_WITH_DEFECTS", "2000": "CERTIFIED_REFURBISHED",
    "2010": "EXCELLENT_REFURBISHED", "2020": "VERY_GOOD_REFURBISHED", "2030": "GOOD_REFURBISHED",
    "2500": "SELLER_REFURBISHED", "2750": "LIKE_NEW", "3000": "USED_EXCELLENT", "4000": "USED_VERY_GOOD",
    "5000": "USED_GOOD", "6000": "USED_ACCEPTABLE", "7000": "FOR_PARTS_OR_NOT_WORKING",
}
CONDITIONS = tuple(CONDITION_IDS.values())


# ---------------------------------------------------------------- what eBay says about a category


@dataclass(frozen=True)
class AspectSpec:
    """One item specific of a category (getItemAspectsForCategory): how it must be filled."""

    name: str
    required: bool = False
    selection_only: bool = False
    multi: bool = False
    values: tuple = ()
    max_length: int = MAX_ASPECT_VALUE
    for_variations: bool = False


def aspect_specs(aspects):
    """AspectSpecs of eBay's ``aspects[]``; ``aspectRequired`` gates, whatever ``aspectUsage`` says."""
    specs = []
    for aspect in aspects or ():
        constraint = aspect.get("aspectConstraint") or {}
        specs.append(AspectSpec(
            name=aspect["localizedAspectName"],
            required=bool(constraint.get("aspectRequired")),
            selection_only=constraint.get("aspectMode") == "SELECTION_ONLY",
            multi=constraint.get("itemToAspectCardinality") == "MULTI",
            values=tuple(value["localizedValue"] for value in aspect.get("aspectValues") or ()),
            max_length=min(int(constraint.get("aspectMaxLength") or MAX_ASPECT_VALUE), MAX_ASPECT_VALUE),
            for_variations=bool(constraint.get("aspectEnabledForVariations")),
        ))
    return specs


@dataclass(frozen=True)
class ConditionPolicy:
    """The conditions a category accepts (getItemConditionPolicies) as ConditionEnum names."""

    required: bool
    allowed: tuple


def condition_policy(policies, category_id):
    """The ConditionPolicy of ``category_id`` in eBay's ``itemConditionPolicies[]``, or None when eBay
    said nothing about it (then any condition goes)."""
    for policy in policies or ():
        if str(policy.get("categoryId")) == str(category_id):
            allowed = tuple(CONDITION_IDS[str(condition["conditionId"])]
                            for condition in policy.get("itemConditions") or ()
                            if str(condition.get("conditionId")) in CONDITION_IDS)
            return ConditionPolicy(bool(policy.get("itemConditionRequired")), allowed)
    return None


# ---------------------------------------------------------------- the listing as the check sees it


@dataclass(frozen=True)
class BestOffer:
    auto_accept: Decimal | None = None
    auto_decline: Decimal | None = None


@dataclass(frozen=True)
class Package:
    weight: Decimal
    weight_unit: str = "KILOGRAM"
    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    dimension_unit: str = "CENTIMETER"


@dataclass(frozen=True)
class Variant:
    """One SKU of a multi-variation listing: what differs from its siblings."""

    sku: str
    price: Decimal | None
    quantity: int
    aspects: dict                      # the varying aspects: {"Color": ["Red"], "Size": ["M"]}
    image_urls: tuple = ()
    photo_count: int = 0
    barcode: str | None = None


@dataclass(frozen=True)
class ListingDraft:
    """A listing as eBay needs it at publish time. ``image_urls`` are eBay's (Media API) URLs, possibly
    fewer than ``photo_count`` while photos still wait for their upload."""

    sku: str
    marketplace_id: str
    currency: str
    title: str | None
    description: str | None
    category_id: str | None
    category_is_leaf: bool = True
    condition: str | None = None
    condition_notes: str | None = None
    aspects: dict = field(default_factory=dict)
    aspect_specs: tuple = ()
    condition_policy: ConditionPolicy | None = None
    brand: str | None = None
    mpn: str | None = None
    barcode: str | None = None
    epid: str | None = None                        # eBay catalog product (a barcode draft)
    image_urls: tuple = ()
    photo_count: int = 0
    price: Decimal | None = None
    quantity: int = 0
    policies: dict = field(default_factory=dict)   # kind -> eBay policy id
    location_key: str | None = None
    best_offer: BestOffer | None = None
    package: Package | None = None
    package_required: bool = False
    variants: tuple = ()                           # Variant records: a multi-variation listing
    locale: str = ""                               # the site's LocaleEnum (de_DE): ebay_api.locales
    prefer_catalog: bool = False                   # the shop lets eBay's catalog fill the listing in
    out_of_stock_ok: bool = False                  # the seller lists it with no stock on purpose


@dataclass(frozen=True)
class Problem:
    """Something eBay would refuse at publish time: a code for the Odoo layer to word, and its values."""

    code: str
    params: dict = field(default_factory=dict)


def check_listing(draft):
    """Every problem of ``draft`` at once, in form order (an empty list: ready to publish)."""
    problems = []
    for check in (_check_identity, _check_text, _check_category_and_condition, _check_aspects, _check_photos,
                  _check_terms, _check_variants):
        problems.extend(check(draft))
    return problems


def _check_identity(draft):
    if not SKU_PATTERN.match(draft.sku or ""):
        yield Problem("sku_invalid", {"sku": draft.sku or ""})


def _check_text(draft):
    title = (draft.title or "").strip()
    if not title:
        yield Problem("title_missing")
    elif len(title) > MAX_TITLE:
        yield Problem("title_too_long", {"length": len(title), "max": MAX_TITLE})
    description = (draft.description or "").strip()
    if not plain_text(description):
        yield Problem("description_missing")
    elif len(description) > MAX_LISTING_DESCRIPTION:
        yield Problem("description_too_long", {"length": len(description), "max": MAX_LISTING_DESCRIPTION})


def _check_category_and_condition(draft):
    if not draft.category_id:
        yield Problem("category_missing")
        return
    if not draft.category_is_leaf:
        yield Problem("category_not_leaf", {"category": draft.category_id})
    policy = draft.condition_policy
    if not draft.condition:
        if policy is None or policy.required:
            yield Problem("condition_missing")
    elif policy is not None and policy.allowed and draft.condition not in policy.allowed:
        yield Problem("condition_not_allowed", {"condition": draft.condition, "allowed": ", ".join(policy.allowed)})
    if draft.condition == NEW and (draft.condition_notes or "").strip():
        yield Problem("condition_notes_for_new")


def _check_aspects(draft):
    specs = {spec.name: spec for spec in draft.aspect_specs}
    varying = {name for variant in draft.variants for name in variant.aspects}
    for spec in draft.aspect_specs:
        if spec.required and spec.name not in varying and not _values(draft.aspects.get(spec.name)):
            yield Problem("aspect_missing", {"name": spec.name})
    for name, values in draft.aspects.items():
        yield from _check_aspect_values(name, _values(values), specs.get(name))


def _check_aspect_values(name, values, spec):
    if len(name) > MAX_ASPECT_NAME:
        yield Problem("aspect_name_too_long", {"name": name, "max": MAX_ASPECT_NAME})
    if spec is not None and not spec.multi and len(values) > 1:
        yield Problem("aspect_single_value", {"name": name, "count": len(values)})
    elif len(values) > MAX_ASPECT_VALUES:
        yield Problem("aspect_too_many_values", {"name": name, "count": len(values), "max": MAX_ASPECT_VALUES})
    limit = spec.max_length if spec else MAX_ASPECT_VALUE
    for value in values:
        if len(value) > limit:
            yield Problem("aspect_value_too_long", {"name": name, "value": value, "max": limit})
        elif spec is not None and spec.selection_only and spec.values and value not in spec.values:
            yield Problem("aspect_value_not_allowed", {"name": name, "value": value})


def _check_photos(draft):
    if draft.photo_count < 1:
        yield Problem("photo_missing")
    elif draft.photo_count > MAX_PHOTOS:
        yield Problem("photo_too_many", {"count": draft.photo_count, "max": MAX_PHOTOS})


def _check_terms(draft):
    for kind in POLICY_KINDS:
        if not draft.policies.get(kind):
            yield Problem("policy_missing", {"kind": kind})
    if not draft.location_key:
        yield Problem("location_missing")
    if not draft.variants and not _positive(draft.price):
        yield Problem("price_missing")
    if not draft.out_of_stock_ok and not _has_stock(draft):
        yield Problem("out_of_stock")
    if draft.package_required and (draft.package is None or not _positive(draft.package.weight)):
        yield Problem("package_missing")
    yield from _check_best_offer(draft.best_offer, draft.price)


def _has_stock(draft):
    """Something to sell: eBay publishes an offer at quantity 0 all the same, as an out-of-stock listing
    (ShipToLocationAvailability.quantity: "out of stock listings will result if this field is omitted or set to
    0"): live and charged, but hidden from search and not buyable until the quantity is raised. A listing with
    variations needs one variant in stock."""
    if draft.variants:
        return any(variant.quantity > 0 for variant in draft.variants)
    return draft.quantity > 0


def _check_best_offer(best_offer, price):
    if best_offer is None:
        return
    accept, decline = best_offer.auto_accept, best_offer.auto_decline
    if accept is not None and price is not None and accept >= price:
        yield Problem("best_offer_accept_too_high", {"accept": accept, "price": price})
    if accept is not None and decline is not None and decline >= accept:
        yield Problem("best_offer_decline_above_accept", {"decline": decline, "accept": accept})


def _check_variants(draft):
    if not draft.variants:
        return
    names = sorted({name for variant in draft.variants for name in variant.aspects})
    seen = {}
    for variant in draft.variants:
        if not SKU_PATTERN.match(variant.sku or ""):
            yield Problem("sku_invalid", {"sku": variant.sku or ""})
        if not _positive(variant.price):
            yield Problem("variant_price_missing", {"sku": variant.sku})
        for name in names:
            if not _values(variant.aspects.get(name)):
                yield Problem("variant_aspect_missing", {"sku": variant.sku, "name": name})
        if variant.photo_count > MAX_VARIANT_PHOTOS:
            yield Problem("photo_too_many", {"count": variant.photo_count, "max": MAX_VARIANT_PHOTOS})
        combination = tuple(tuple(_values(variant.aspects.get(name))) for name in names)
        if combination in seen:
            yield Problem("variant_duplicate", {"sku": variant.sku, "other": seen[combination]})
        seen.setdefault(combination, variant.sku)


def _values(values):
    """Aspect values as a list of stripped, non-empty strings (a single string is one value)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(value).strip() for value in values if str(value).strip()]


def _positive(amount):
    return amount is not None and amount > 0


# ---------------------------------------------------------------- request bodies


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html):
    """The text of an HTML description, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    return " ".join("".join(extractor.parts).split())


def item_description(description):
    """``product.description`` (<= 4 000): the HTML when it fits, else its text cut at a word; the offer's
    ``listingDescription`` then carries the whole HTML."""
    description = (description or "").strip()
    if len(description) <= MAX_ITEM_DESCRIPTION:
        return description
    text = plain_text(description)
    if len(text) <= MAX_ITEM_DESCRIPTION:
        return text
    return text[:MAX_ITEM_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def gtin_fields(barcode):
    """eBay's product identifier for a barcode: UPC (12 digits), EAN (8 or 13), ISBN (10, or 13 starting
    with 978/979); ``{}`` when the barcode is none of these."""
    code = (barcode or "").replace("-", "").replace(" ", "")
    if re.fullmatch(r"\d{12}", code):
        return {"upc": [code]}
    if re.fullmatch(r"97[89]\d{10}", code) or re.fullmatch(r"\d{9}[\dXx]", code):
        return {"isbn": [code.upper()]}
    if re.fullmatch(r"\d{13}|\d{8}", code):
        return {"ean": [code]}
    return {}


def _money(amount, currency):
    return {"value": f"{Decimal(amount):.2f}", "currency": currency}


def _aspects(aspects):
    return {name: _values(values) for name, values in sorted(aspects.items()) if _values(values)}


def _package(package):
    body = {"weight": {"value": float(package.weight), "unit": package.weight_unit}}
    if package.length and package.width and package.height:
        body["dimensions"] = {"length": float(package.length), "width": float(package.width),
                              "height": float(package.height), "unit": package.dimension_unit}
    return body


def inventory_item_payload(draft, variant=None):
    """The inventory item (createOrReplaceInventoryItem / bulk entry) of a listing or of one variant, written in
    the language of its site (``draft.locale``: eBay refuses an EBAY_DE offer of an en_US item)."""
    if not draft.locale:
        raise ValueError(f"listing {draft.sku}: the inventory item needs its site's locale (e.g. de_DE)")
    aspects = dict(draft.aspects, **(variant.aspects if variant else {}))
    product = {"title": (draft.title or "").strip(), "description": item_description(draft.description),
               "aspects": _aspects(aspects),
               "imageUrls": list((variant.image_urls if variant and variant.image_urls else draft.image_urls)
                                 [:MAX_VARIANT_PHOTOS if variant else MAX_PHOTOS])}
    if draft.brand:
        product["brand"] = draft.brand
    if draft.mpn:
        product["mpn"] = draft.mpn
    product.update(gtin_fields(variant.barcode if variant else draft.barcode))
    if draft.epid and not variant:
        product["epid"] = draft.epid
    item = {"sku": variant.sku if variant else draft.sku, "locale": draft.locale, "product": product,
            "availability": {"shipToLocationAvailability": {
                "quantity": max(0, int(variant.quantity if variant else draft.quantity))}}}
    if draft.condition:
        item["condition"] = draft.condition
        if draft.condition != NEW and (draft.condition_notes or "").strip():
            item["conditionDescription"] = draft.condition_notes.strip()[:MAX_CONDITION_NOTES]
    if draft.package is not None:
        item["packageWeightAndSize"] = _package(draft.package)
    return item


def include_catalog_details(draft):
    """``includeCatalogProductDetails`` of the offer. eBay's default (true) lets the catalog product matching the
    item's identifiers replace the seller's title, description, photos and item specifics; a seller who wrote
    them keeps them (false), unless the shop prefers eBay's catalog."""
    written = bool((draft.title or "").strip() and plain_text(draft.description) and draft.photo_count)
    return draft.prefer_catalog or not written


def offer_payload(draft, variant=None):
    """The offer (createOffer / bulkCreateOffer entry / updateOffer) of a listing or of one variant."""
    price = variant.price if variant else draft.price
    policies = {POLICY_FIELDS[kind]: draft.policies[kind] for kind in POLICY_KINDS if draft.policies.get(kind)}
    if draft.best_offer is not None:
        terms = {"bestOfferEnabled": True}
        if draft.best_offer.auto_accept is not None:
            terms["autoAcceptPrice"] = _money(draft.best_offer.auto_accept, draft.currency)
        if draft.best_offer.auto_decline is not None:
            terms["autoDeclinePrice"] = _money(draft.best_offer.auto_decline, draft.currency)
        policies["bestOfferTerms"] = terms
    offer = {"sku": variant.sku if variant else draft.sku, "marketplaceId": draft.marketplace_id,
             "format": "FIXED_PRICE", "listingDuration": "GTC",
             "availableQuantity": max(0, int(variant.quantity if variant else draft.quantity)),
             "categoryId": draft.category_id, "merchantLocationKey": draft.location_key,
             "listingPolicies": policies, "listingDescription": (draft.description or "").strip(),
             "includeCatalogProductDetails": include_catalog_details(draft)}
    if price is not None:
        offer["pricingSummary"] = {"price": _money(price, draft.currency)}
    return offer


def varies_by(draft):
    """eBay's ``variesBy``: every varying aspect with its values in variant order; pictures vary by the first
    aspect whose variants carry photos of their own."""
    names = sorted({name for variant in draft.variants for name in variant.aspects})
    specifications = []
    for name in names:
        values = []
        for variant in draft.variants:
            for value in _values(variant.aspects.get(name)):
                if value not in values:
                    values.append(value)
        specifications.append({"name": name, "values": values})
    with_photos = [variant for variant in draft.variants if variant.image_urls]
    image_aspects = [names[0]] if names and with_photos else []
    return {"aspectsImageVariesBy": image_aspects, "specifications": specifications}


def group_payload(draft):
    """The inventory item group (createOrReplaceInventoryItemGroup) of a multi-variation listing."""
    varying = {name for variant in draft.variants for name in variant.aspects}
    shared = {name: values for name, values in draft.aspects.items() if name not in varying}
    return {"inventoryItemGroupKey": draft.sku, "title": (draft.title or "").strip(),
            "description": (draft.description or "").strip()[:MAX_LISTING_DESCRIPTION],
            "aspects": _aspects(shared), "imageUrls": list(draft.image_urls[:MAX_PHOTOS]),
            "variantSKUs": [variant.sku for variant in draft.variants], "variesBy": varies_by(draft)}


# ---------------------------------------------------------------- revise


@dataclass(frozen=True)
class PublishedState:
    """A published listing: what eBay was sent last (fingerprints) and what it would be sent now."""

    key: object
    sent_item: str | None
    sent_offer: str | None
    item: str
    offer: str
    revisions_today: int = 0


@dataclass(frozen=True)
class RevisePlan:
    items: tuple          # keys whose inventory item (or group) must be sent again
    offers: tuple         # keys whose offer must be sent again
    unchanged: tuple
    over_limit: tuple     # changed, but eBay's 250 revisions of the day are spent


def plan_revisions(states):
    """Which published listings to send again, and what of them: only what changed since last sent, and
    never past eBay's 250 revisions a listing a day (those wait for the next day)."""
    items, offers, unchanged, over_limit = [], [], [], []
    for state in states:
        item_changed = state.item != state.sent_item
        offer_changed = state.offer != state.sent_offer
        if not (item_changed or offer_changed):
            unchanged.append(state.key)
        elif state.revisions_today >= MAX_REVISIONS_PER_DAY:
            over_limit.append(state.key)
        else:
            if item_changed:
                items.append(state.key)
            if offer_changed:
                offers.append(state.key)
    return RevisePlan(tuple(items), tuple(offers), tuple(unchanged), tuple(over_limit))
