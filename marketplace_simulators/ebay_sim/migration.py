"""bulkMigrateListing: Seller Hub listings become inventory items + published offers (1 to 5 per call).

Doc: developer.ebay.com/api-docs/sell/inventory/resources/listing/methods/bulkMigrateListing and
.../sell/static/inventory/migrating-listings.html. Eligible: fixed price, a SKU on the item, business policies.
The migrated listing keeps its listing id, so sales and the active inventory report stay consistent.
The failure error ids are the simulator's choice (25002 "user error" with eBay's reason texts).
"""
import json

from .errors import error_detail
from .inventory import DOMAIN, bulk_requests, insert_item, insert_offer, item_row, multi_status, new_offer_id

MARKETPLACE = "EBAY_US"


def _ineligibility(db, row):
    """Why a Seller Hub listing cannot migrate, or ``None``."""
    if row["format"] != "FIXED_PRICE":
        return "Auction listings cannot be migrated; only fixed-price listings are supported."
    if not row["sku"]:
        return "The listing cannot be migrated because the item does not have a seller-defined SKU."
    if not row["has_policies"]:
        return ("The listing cannot be migrated because it does not use business policies "
                "(payment, return and shipping).")
    if item_row(db, row["sku"]) is not None:
        return f"An inventory item with SKU {row['sku']} already exists."
    return None


def _migrate(db, row):
    """Create the inventory item and a published offer carrying the same listing id."""
    data = json.loads(row["data"])
    insert_item(db, row["sku"], row["quantity"], {"product": data["product"], "condition": data["condition"]})
    offer_id = new_offer_id(db)
    insert_offer(db, offer_id, row["sku"], row["quantity"], row["price"], row["currency"], data["offer"],
                 listing_id=row["listing_id"], sold=data.get("soldQuantity", 0))
    db.execute("UPDATE hub_listings SET migrated=1 WHERE listing_id=?", (row["listing_id"],))
    return offer_id


def _migrate_one(db, listing_id):
    out = {"listingId": listing_id, "marketplaceId": MARKETPLACE}
    row = db.one("SELECT * FROM hub_listings WHERE listing_id=?", (listing_id,))
    if row is None or row["migrated"]:
        reason = "The listing was not found." if row is None else "The listing has already been migrated."
        return {**out, "statusCode": 404 if row is None else 400,
                "errors": [error_detail(25710 if row is None else 25002, DOMAIN, reason,
                                        parameters={"listingId": listing_id})]}
    reason = _ineligibility(db, row)
    if reason:
        items = [{"sku": row["sku"]}] if row["sku"] else []
        return {**out, "statusCode": 400, "inventoryItems": items,
                "errors": [error_detail(25002, DOMAIN, "A user error has occurred. " + reason,
                                        parameters={"listingId": listing_id})]}
    offer_id = _migrate(db, row)
    return {**out, "statusCode": 200, "inventoryItems": [{"sku": row["sku"], "offerId": offer_id}]}


def bulk_migrate_listing(req):
    """POST /sell/inventory/v1/bulk_migrate_listing — per-listing results, 200 or 207."""
    entries = bulk_requests(req, 1, 5)
    with req.db.transaction() as db:
        responses = [_migrate_one(db, str(entry.get("listingId", ""))) for entry in entries]
    return multi_status(responses)


ROUTES = [("POST", "/sell/inventory/v1/bulk_migrate_listing", bulk_migrate_listing, "user")]
