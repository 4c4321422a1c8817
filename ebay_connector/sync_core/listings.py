"""Listings backfill and migration decisions: eBay records -> binding values, and what to write.

Inputs are the mapped records of ``ebay_api.mappers`` (duck-typed: InventoryItem, ReportListing,
Offer) and the binding's current values as a plain dict; outputs are plain dicts of binding values.
eBay is the source of truth for listings that exist: the backfill copies what eBay says, and writes
only the values that differ ("no change = no write").
"""
import json

INVENTORY_API, SELLER_HUB = "inventory_api", "seller_hub"
NO_SKU_PREFIX = "ITEM-"
# mappers.listing_status -> binding status
MIGRATE_HINT = ("Made in Seller Hub: the Inventory API cannot see this listing, so Odoo cannot update its "
                "stock and price until it is migrated (button Migrate to Inventory API).")
NO_SKU_REASON = ("Cannot be migrated: this Seller Hub listing has no SKU. Add a Custom label (SKU) equal to the "
                 "product's internal reference in Seller Hub; the next backfill picks it up.")


def canonical_json(value):
    """JSON that is equal for equal content, so a stored raw payload compares as unchanged."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def listing_key(listing):
    """The binding's external SKU of an active-report listing; listings without SKU get their item id."""
    return listing.sku or NO_SKU_PREFIX + listing.item_id


def report_payload(listing):
    """The active report's record as JSON-ready data (kept in the raw payload)."""
    return {"itemId": listing.item_id, "sku": listing.sku, "quantity": listing.quantity,
            "price": None if listing.price is None else str(listing.price), "currency": listing.currency,
            "variation": listing.variation}


def index_report(listings):
    """Active-report listings by binding key (a multi-variation listing gives one entry per variation SKU)."""
    return {listing_key(listing): listing for listing in listings}


def _report_values(listing):
    values = {"status": "active", "external_listing_id": listing.item_id}
    if listing.quantity is not None:
        values["last_pushed_qty"] = listing.quantity
    if listing.price is not None:
        values["last_pushed_price"] = float(listing.price)
    return values


def inventory_values(item, raw, listing=None, report_read=True, current=None):
    """Binding values of an Inventory API item.

    ``listing``: its active-report record (then it is ACTIVE, with eBay's listed quantity and price).
    An item missing from a report read this run is not listed: ENDED when it had an offer, else UNKNOWN.
    Its offers are not read here (that would cost one call per item): the price push reads an offer
    when it needs its id, and keeps it."""
    values = {
        "external_sku": item.sku, "title": item.title or False, "condition": item.condition or False,
        "photo_count": item.photo_count, "ebay_listing_source": INVENTORY_API, "status_message": False,
        "raw_payload": canonical_json({"inventoryItem": raw,
                                       "activeListing": report_payload(listing) if listing else None}),
    }
    if item.quantity is not None:
        values["last_pushed_qty"] = item.quantity
    if listing is not None:
        values.update(_report_values(listing))
    elif report_read:
        values["status"] = "ended" if (current or {}).get("external_offer_id") else "unknown"
    return values


def seller_hub_values(listing, current=None):
    """Binding values of a listing only the active report shows (made in Seller Hub, not migrated).

    Keeps a reason eBay gave when a migration was refused, instead of the generic hint."""
    values = _report_values(listing)
    if listing.sku:
        message = (current or {}).get("status_message") or MIGRATE_HINT
    else:
        message = NO_SKU_REASON
    values.update(external_sku=listing_key(listing), ebay_listing_source=SELLER_HUB, status_message=message,
                  raw_payload=canonical_json({"activeListing": report_payload(listing)}))
    return values


def _same(wanted, current):
    if isinstance(wanted, float) or isinstance(current, float):
        return round(float(wanted or 0.0), 2) == round(float(current or 0.0), 2)
    return (wanted or False) == (current or False)


def changed_values(wanted, current):
    """The values that differ from the binding's current ones (all of them for a new binding)."""
    if current is None:
        return dict(wanted)
    return {name: value for name, value in wanted.items() if not _same(value, current.get(name))}


def ended_keys(current_keys, seen_keys):
    """Bindings listed before that neither the Inventory API nor the active report show any more."""
    return sorted(set(current_keys) - set(seen_keys))


# ---------------------------------------------------------------- bulkMigrateListing


def _reason(response):
    errors = response.get("errors") or []
    texts = [error.get("longMessage") or error.get("message") or "" for error in errors]
    return "; ".join(text for text in texts if text) or "eBay answered status %s" % response.get("statusCode")


def migration_results(responses):
    """Per listing id: ``{"ok": True, "offers": {sku: offer_id}}`` or ``{"ok": False, "reason": text}``
    from bulkMigrateListing's ``responses[]``."""
    results = {}
    for response in responses:
        listing_id = str(response.get("listingId"))
        status = int(response.get("statusCode") or 0)
        if 200 <= status < 300 and not response.get("errors"):
            offers = {item.get("sku"): item.get("offerId") for item in response.get("inventoryItems") or []}
            results[listing_id] = {"ok": True, "offers": offers}
        else:
            results[listing_id] = {"ok": False, "reason": _reason(response)}
    return results


def migrated_values(result, sku):
    """Binding values after a migration answer: success moves it to the Inventory API and keeps the
    offer id; a refusal keeps the status and tells eBay's reason."""
    if result is None:
        return {"status_message": "eBay gave no answer for this listing; try the migration again."}
    if result["ok"]:
        values = {"ebay_listing_source": INVENTORY_API, "status_message": False}
        offer_id = result["offers"].get(sku) or next(iter(result["offers"].values()), None)
        if offer_id:
            values["external_offer_id"] = offer_id
        return values
    return {"status_message": "eBay refused to migrate this listing: " + result["reason"]}
