"""bulkUpdatePriceQuantity: up to 25 SKUs per call, applied at once, answered per offer/SKU (200 or 207).

Doc: developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkUpdatePriceQuantity.
Shape: shared/ebay-samples/inventory-bulkUpdatePriceQuantity.json. SKUs registered with ``/_sim/fail_sku``
answer with their configured error and are left unchanged.
"""
from .errors import EbayError, error_detail
from .inventory import DOMAIN, bulk_requests, item_row, multi_status, offer_row, price_of, sku_unknown


def _entry_error(db, entry):
    """An error that applies to the whole SKU entry (forced failure, unknown SKU, bad quantity), or ``None``."""
    sku = entry.get("sku")
    fail = db.one("SELECT error_id, message FROM fail_skus WHERE sku=?", (sku,))
    if fail is not None:
        return 400, error_detail(fail["error_id"], DOMAIN, fail["message"], parameters={"sku": sku})
    if not sku or item_row(db, sku) is None:
        return 404, sku_unknown(sku)
    quantity = entry.get("shipToLocationAvailability", {}).get("quantity")
    if quantity is not None and (not isinstance(quantity, int) or quantity < 0):
        return 400, error_detail(25709, DOMAIN, "Invalid value for shipToLocationAvailability.quantity.",
                                 parameters={"quantity": quantity})
    return None


def _offer_update(db, sku, offer):
    """Validate one ``offers[]`` entry: ``(status, error, changes)``."""
    row = offer_row(db, str(offer.get("offerId", "")))
    if row is None or row["sku"] != sku:
        return 404, error_detail(25713, DOMAIN, "This Offer is not available.",
                                 parameters={"offerId": offer.get("offerId")}), None
    changes = {}
    quantity = offer.get("availableQuantity")
    if quantity is not None:
        if not isinstance(quantity, int) or quantity < 0:
            return 400, error_detail(25709, DOMAIN, "Invalid value for availableQuantity.",
                                     parameters={"availableQuantity": quantity}), None
        changes["available_quantity"] = quantity
    try:
        price = price_of(offer, "price")
    except EbayError as exc:
        return 400, exc.errors[0], None
    if price:
        changes["price"], changes["currency"] = price
    return 200, None, changes


def _apply(db, entry, updates):
    """Write the stock quantity and the offers' changes; offers without an explicit quantity follow the stock."""
    sku = entry["sku"]
    quantity = entry.get("shipToLocationAvailability", {}).get("quantity")
    if quantity is not None:
        db.execute("UPDATE inventory_items SET quantity=? WHERE sku=?", (quantity, sku))
        explicit = [offer_id for offer_id, changes in updates if "available_quantity" in changes]
        db.execute(f"UPDATE offers SET available_quantity=? WHERE sku=? AND offer_id NOT IN "
                   f"({','.join('?' * len(explicit))})", (quantity, sku, *explicit))
    for offer_id, changes in updates:
        if changes:
            assignments = ", ".join(f"{column}=?" for column in changes)
            db.execute(f"UPDATE offers SET {assignments} WHERE offer_id=?", (*changes.values(), offer_id))


def _entry_responses(db, entry):
    """Responses for one SKU entry, applying what is valid."""
    sku = entry.get("sku")
    offers = [o for o in entry.get("offers") or [] if isinstance(o, dict)]
    failure = _entry_error(db, entry)
    if failure:
        status, error = failure
        targets = [o.get("offerId") for o in offers] or [None]
        return [_response(sku, offer_id, status, error) for offer_id in targets]
    responses, updates = [], []
    for offer in offers:
        status, error, changes = _offer_update(db, sku, offer)
        responses.append(_response(sku, offer.get("offerId"), status, error))
        if changes is not None:
            updates.append((str(offer["offerId"]), changes))
    _apply(db, entry, updates)
    return responses or [_response(sku, None, 200, None)]


def _response(sku, offer_id, status, error):
    out = {"sku": sku, "statusCode": status}
    if offer_id is not None:
        out["offerId"] = offer_id
    if error:
        out["errors"] = [error]
    return out


def bulk_update_price_quantity(req):
    """POST /sell/inventory/v1/bulk_update_price_quantity — one transaction, 200 or 207."""
    entries = bulk_requests(req)
    with req.db.transaction() as db:
        responses = [resp for entry in entries for resp in _entry_responses(db, entry)]
    return multi_status(responses)


ROUTES = [("POST", "/sell/inventory/v1/bulk_update_price_quantity", bulk_update_price_quantity, "user")]
