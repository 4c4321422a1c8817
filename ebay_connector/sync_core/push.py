"""What Odoo pushes to eBay: stock, prices (bulkUpdatePriceQuantity) and shipping fulfillments.

Plain values in, plain values out: the exporters gather bindings and pickings, these functions
build eBay's request bodies (25 SKUs a call, ``BULK_SIZE``), read eBay's per-SKU answers and cap shipped
quantities, and the exporters write the outcome. Which items changed and the batches are the base's
(``marketplace_core/push.py``, with the shared ``PushItem`` and ``Rejection``).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

try:
    from ...marketplace_base.marketplace_core import push as core_push
    from ...marketplace_base.marketplace_core.push import Rejection
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core import push as core_push
    from marketplace_core.push import Rejection

BULK_SIZE = 25  # bulkUpdatePriceQuantity takes at most 25 SKU entries per call
# Inventory API errorId 25001 is eBay's "A system error has occurred": worth trying again.
SYSTEM_ERROR_IDS = frozenset({25001})
# Shipping carrier codes eBay accepts (ShippingCarrierCodeType), keyed by their upper-case form,
# so "Fedex" or "dhl" on a carrier still gives eBay's spelling.
EBAY_CARRIERS = {code.upper(): code for code in (
    "USPS", "UPS", "FedEx", "DHL", "DHLGlobalMail", "OnTrac", "LaserShip", "Purolator", "CanadaPost",
    "RoyalMail", "ParcelForce", "Hermes", "DPD", "GLS", "DeutschePost", "AustraliaPost", "ColiPoste",
    "Chronopost", "TNT", "PostNL", "Correos", "PosteItaliane", "Yodel", "Other",
)}
# Odoo shipping connectors (delivery_type) that name their carrier unambiguously.
DELIVERY_TYPE_CARRIERS = {"usps": "USPS", "usps_rest": "USPS", "ups": "UPS", "ups_rest": "UPS",
                          "fedex": "FedEx", "fedex_rest": "FedEx", "dhl": "DHL", "dhl_rest": "DHL"}


@dataclass(frozen=True, kw_only=True)
class PushItem(core_push.PushItem):
    """The shared PushItem, with the offer and currency a price entry names."""

    offer_id: str | None = None
    currency: str | None = None


# ---------------------------------------------------------------- planning


def round_price(price, decimals=2):
    """``price`` as a Decimal with the currency's decimals (half up, as shops display it)."""
    return Decimal(str(price)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def stock_entry(item):
    """bulkUpdatePriceQuantity entry setting the SKU's stock (its offers follow it)."""
    return {"sku": item.sku, "shipToLocationAvailability": {"quantity": int(item.value)}}


def price_entry(item):
    """bulkUpdatePriceQuantity entry setting the price of the SKU's offer."""
    return {"sku": item.sku, "offers": [{"offerId": str(item.offer_id),
                                         "price": {"value": str(item.value), "currency": item.currency}}]}


def pick_offer(offers, marketplace_id=None):
    """The offer id to price among a SKU's offers (mapped ``Offer`` records): the shop's
    marketplace first, a published one before others; None when there is none."""
    candidates = [offer for offer in offers if not marketplace_id or offer.marketplace_id in (None, marketplace_id)]
    candidates.sort(key=lambda offer: (offer.status != "PUBLISHED", offer.offer_id))
    return candidates[0].offer_id if candidates else None


# ---------------------------------------------------------------- eBay's answers


def _error_text(errors):
    parts = []
    for error in errors:
        if isinstance(error, dict):
            parts.append("%s %s" % (error.get("errorId", ""), error.get("longMessage") or error.get("message") or ""))
        else:
            parts.append(str(error))
    return "; ".join(part.strip() for part in parts) or "no reason given"


def _is_retryable(result):
    """eBay 5xx and system errors may pass on a later try; anything else needs a person."""
    if result.status_code >= 500:
        return True
    return any(isinstance(error, dict) and (error.get("errorId") in SYSTEM_ERROR_IDS
                                            or error.get("category") == "APPLICATION")
               for error in result.errors)


def interpret_results(batch, results):
    """Split a sent batch into accepted items and rejections, from eBay's per-SKU/offer results.

    ``results`` are ``map_price_quantity_results`` records (``sku``, ``ok``, ``status_code``,
    ``errors``). A SKU is accepted only when every result about it is ok; a SKU eBay did not
    answer about is not accepted either (its value must not be stored as pushed).
    """
    by_sku = {}
    for result in results:
        by_sku.setdefault(result.sku, []).append(result)
    accepted, rejected = [], []
    for item in batch:
        answers = by_sku.get(item.sku)
        if not answers:
            rejected.append(Rejection(item, "eBay gave no answer for this SKU", True))
            continue
        failures = [result for result in answers if not result.ok]
        if not failures:
            accepted.append(item)
            continue
        errors = [error for result in failures for error in result.errors]
        message = "HTTP %s: %s" % (failures[0].status_code, _error_text(errors))
        rejected.append(Rejection(item, message, any(_is_retryable(result) for result in failures)))
    return accepted, rejected


# ---------------------------------------------------------------- fulfillment


def ebay_carrier_code(explicit_code=None, delivery_type=None, carrier_name=None):
    """eBay's shipping carrier code for an Odoo carrier, or None when none can be told.

    The carrier's own eBay code wins; otherwise its shipping connector (``fedex``, ``ups``...)
    or a name that is an eBay code ("UPS", "DHL Express" -> "DHL") gives it.
    """
    if explicit_code and explicit_code.strip():
        code = explicit_code.strip()
        return EBAY_CARRIERS.get(code.upper(), code)
    if delivery_type in DELIVERY_TYPE_CARRIERS:
        return DELIVERY_TYPE_CARRIERS[delivery_type]
    words = (carrier_name or "").replace("-", " ").split()
    if words and words[0].upper() in EBAY_CARRIERS:
        return EBAY_CARRIERS[words[0].upper()]
    return None


@dataclass(frozen=True)
class ShipLine:
    """A marketplace order line as a shipment sees it (quantities in units)."""

    line_id: str
    ordered: float
    fulfilled: float  # already reported to eBay
    shipped_now: float  # in this delivery


def fulfillment_lines(lines):
    """``(line_id, quantity)`` pairs to report for one delivery, never beyond what was ordered.

    Units already reported (earlier deliveries) are kept off, a line with nothing left or
    nothing shipped is left out, and quantities are whole units as eBay counts them.
    """
    pairs = []
    for line in lines:
        remaining = int(round(line.ordered - line.fulfilled))
        quantity = min(int(round(line.shipped_now)), remaining)
        if quantity > 0:
            pairs.append((line.line_id, quantity))
    return pairs
