"""Building and rendering orders in the shape of shared/ebay-samples/fulfillment-getOrders.json.

Orders are stored as rendered without ``fieldGroups``; ``render`` adds the TAX_BREAKDOWN view. Per
ebay-api-notes.md, eBay-collected tax is part of the totals only with ``fieldGroups=TAX_BREAKDOWN``: then each
line gets ``taxes[]`` and a tax-inclusive ``total``, and ``pricingSummary`` gets ``tax``. Money is computed in
integer cents, so multi-line totals always reconcile.
"""
import json
import time

from .formats import cents_of, iso, money

SELLER = "demo_seller"
SALES_TAX_RATE_BP = 825          # 8.25 %, in basis points
FEE_RATE_BP = 1325               # final value fee used for totalDueSeller
STREETS = ["Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Lakeview Blvd"]
CITIES = [("San Jose", "CA", "95125"), ("Austin", "TX", "78701"), ("Denver", "CO", "80202"),
          ("Portland", "OR", "97205"), ("Columbus", "OH", "43215"), ("Raleigh", "NC", "27601")]
NAMES = ["Alex Morgan", "Sam Lee", "Jordan Patel", "Casey Kim", "Riley Chen", "Taylor Brooks"]


def order_id_for(seq):
    """eBay's ``NN-NNNNN-NNNNN`` order id form, unique per sequence number."""
    return f"{(seq * 37) % 90 + 10:02d}-{(seq * 7919) % 100000:05d}-{seq:05d}"


def address(rng):
    """A plausible US ship-to / registration address."""
    city, state, postal = rng.choice(CITIES)
    return {"fullName": rng.choice(NAMES),
            "contactAddress": {"addressLine1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", "city": city,
                               "stateOrProvince": state, "postalCode": postal, "countryCode": "US"},
            "primaryPhone": {"phoneNumber": f"{rng.randint(2000000000, 9899999999)}"},
            "email": f"buyer{rng.randint(1000, 9999)}@example.com"}


def _line(seq, index, spec, created, collect_tax):
    """One line item: ``spec`` has sku, title, listing_id, price_cents, currency, quantity, shipping_cents, and
    optionally discount_cents (a seller's promotion on the line: ``appliedPromotions``, a negative amount)."""
    currency = spec["currency"]
    cost = spec["price_cents"] * spec["quantity"]
    discount = spec.get("discount_cents", 0)
    line = {"lineItemId": str(10000000000 + seq * 10 + index), "legacyItemId": spec["listing_id"],
            "sku": spec["sku"], "title": spec["title"], "lineItemCost": money(cost, currency),
            "quantity": spec["quantity"], "soldFormat": "FIXED_PRICE", "listingMarketplaceId": "EBAY_US",
            "purchaseMarketplaceId": "EBAY_US", "lineItemFulfillmentStatus": "NOT_STARTED",
            "total": money(cost - discount + spec["shipping_cents"], currency),
            "deliveryCost": {"shippingCost": money(spec["shipping_cents"], currency)},
            "appliedPromotions": [{"promotionId": f"PROMO-{seq}-{index}", "description": "Seller promotion",
                                   "discountAmount": money(-discount, currency)}] if discount else [],
            "taxes": [], "ebayCollectAndRemitTaxes": [],
            "properties": {"buyerProtection": True},
            "lineItemFulfillmentInstructions": {"shipByDate": iso(created + 3 * 86400), "guaranteedDelivery": False},
            "itemLocation": {"location": "San Jose", "countryCode": "US", "postalCode": "95125"}}
    if collect_tax:
        tax = (cost - discount + spec["shipping_cents"]) * SALES_TAX_RATE_BP // 10000
        line["ebayCollectAndRemitTaxes"] = [{"taxType": "STATE_SALES_TAX", "amount": money(tax, currency),
                                             "collectionMethod": "NET"}]
    return line


def build_order(seq, specs, buyer, created, collect_tax, rng):
    """A complete order (no TAX_BREAKDOWN view) for the given line specs; totals are sums of the lines."""
    currency = specs[0]["currency"]
    lines = [_line(seq, i, spec, created, collect_tax) for i, spec in enumerate(specs)]
    subtotal = sum(cents_of(line["lineItemCost"]) for line in lines)
    delivery = sum(cents_of(line["deliveryCost"]["shippingCost"]) for line in lines)
    discount = sum(spec.get("discount_cents", 0) for spec in specs)
    tax = sum(_collected_tax(line) for line in lines)
    total = subtotal - discount + delivery
    fee = total * FEE_RATE_BP // 10000
    ship_to = address(rng)
    order = {
        "orderId": order_id_for(seq), "legacyOrderId": f"{seq + 110000000000}-{seq + 2000000000000}",
        "creationDate": iso(created), "lastModifiedDate": iso(min(created + 90, time.time())),
        "orderFulfillmentStatus": "NOT_STARTED", "orderPaymentStatus": "PAID", "sellerId": SELLER,
        "buyer": {"username": buyer, "taxAddress": {
            "stateOrProvince": ship_to["contactAddress"]["stateOrProvince"],
            "postalCode": ship_to["contactAddress"]["postalCode"], "countryCode": "US"},
            "buyerRegistrationAddress": address(rng)},
        "pricingSummary": {"priceSubtotal": money(subtotal, currency), "deliveryCost": money(delivery, currency),
                           "total": money(total, currency),
                           **({"priceDiscount": money(-discount, currency)} if discount else {})},
        "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
        "paymentSummary": {"totalDueSeller": money(total - fee, currency), "refunds": [], "payments": [{
            "paymentMethod": "EBAY", "paymentReferenceId": f"{seq:012d}", "paymentDate": iso(created - 2),
            "amount": money(total + tax, currency), "paymentStatus": "PAID"}]},
        "fulfillmentStartInstructions": [{
            "fulfillmentInstructionsType": "SHIP_TO", "minEstimatedDeliveryDate": iso(created + 4 * 86400),
            "maxEstimatedDeliveryDate": iso(created + 8 * 86400), "ebaySupportedFulfillment": False,
            "shippingStep": {"shipTo": ship_to, "shippingCarrierCode": "USPS",
                             "shippingServiceCode": "USPSPriority"}}],
        "fulfillmentHrefs": [], "lineItems": lines, "salesRecordReference": str(10000 + seq),
        "totalFeeBasisAmount": money(total + tax, currency), "totalMarketplaceFee": money(fee, currency)}
    if collect_tax:
        order["ebayCollectAndRemitTax"] = True
    return order


def _collected_tax(line):
    return sum(cents_of(tax["amount"]) for tax in line["ebayCollectAndRemitTaxes"])


def render(data, tax_breakdown):
    """The stored order JSON as getOrders returns it, with the TAX_BREAKDOWN view when asked for."""
    order = json.loads(data)
    if not tax_breakdown:
        return order
    currency = order["pricingSummary"]["total"]["currency"]
    total_tax = 0
    for line in order["lineItems"]:
        tax = _collected_tax(line)
        if tax:
            line["taxes"] = [{"amount": t["amount"], "taxType": t["taxType"]}
                             for t in line["ebayCollectAndRemitTaxes"]]
            line["total"] = money(cents_of(line["total"]) + tax, currency)
            total_tax += tax
    order["pricingSummary"]["tax"] = money(total_tax, currency)
    order["pricingSummary"]["total"] = money(cents_of(order["pricingSummary"]["total"]) + total_tax, currency)
    return order


def insert_order(db, order):
    """Store an order row (seed, ``/_sim/orders``)."""
    db.execute("INSERT INTO orders(order_id, creation_date, last_modified, fulfillment_status, data) "
               "VALUES (?,?,?,?,?)", (order["orderId"], order["creationDate"], order["lastModifiedDate"],
                                      order["orderFulfillmentStatus"], json.dumps(order)))


def save_order(db, order):
    """Write back a changed order (fulfillment, cancel); the caller bumps ``lastModifiedDate``."""
    db.execute("UPDATE orders SET last_modified=?, fulfillment_status=?, data=? WHERE order_id=?",
               (order["lastModifiedDate"], order["orderFulfillmentStatus"], json.dumps(order), order["orderId"]))
