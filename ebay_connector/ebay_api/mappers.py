"""eBay JSON (and the active inventory report XML) -> plain frozen records. No HTTP, no Odoo.

Money is a string in eBay's payloads and becomes ``decimal.Decimal``; timestamps become aware
UTC datetimes (python-dateutil). Every public ``map_*`` raises MappingError, never a bare
KeyError/TypeError, so one unmappable record can be logged and skipped.
Field meanings: developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order, sel:LineItem,
sel:PricingSummary; .../sell/inventory/types/slr:InventoryItem, slr:EbayOfferDetailsWithAll,
slr:ConditionEnum; devzone/merchant-data/CallRef/ActiveInventoryReport.html.
"""
import functools
import io
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass
from datetime import timezone
from decimal import Decimal, InvalidOperation

from dateutil import parser as date_parser

from .errors import MappingError

try:
    from ...marketplace_base.marketplace_core.money import MoneyPayout, MoneyTransaction
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.money import MoneyPayout, MoneyTransaction

ZERO = Decimal("0")

# eBay's ConditionEnum (slr:ConditionEnum): the seller runbook's ten values plus the newer
# refurbished/pre-owned grades eBay added, so a real listing never fails on them.
CONDITIONS = frozenset({
    "NEW", "LIKE_NEW", "NEW_OTHER", "NEW_WITH_DEFECTS", "MANUFACTURER_REFURBISHED",
    "CERTIFIED_REFURBISHED", "EXCELLENT_REFURBISHED", "VERY_GOOD_REFURBISHED", "GOOD_REFURBISHED",
    "SELLER_REFURBISHED", "USED_EXCELLENT", "USED_VERY_GOOD", "USED_GOOD", "USED_ACCEPTABLE",
    "FOR_PARTS_OR_NOT_WORKING", "PRE_OWNED_EXCELLENT", "PRE_OWNED_FAIR",
})
PART_NUMBER_ASPECTS = ("Part Number", "MPN", "Brand Part Number")
MODEL_ASPECTS = ("Model", "Model Number")
PUBLISHED_STATES = frozenset({"PUBLISHED", "PUBLISHED_IN_PROGRESS"})
ACTIVE, ENDED, UNKNOWN = "ACTIVE", "ENDED", "UNKNOWN"


def _mapping(what):
    """Turn any lookup/type/value error of a mapper into MappingError naming the record."""
    def decorate(mapper):
        @functools.wraps(mapper)
        def wrapper(payload, *args, **kwargs):
            try:
                return mapper(payload, *args, **kwargs)
            except MappingError:
                raise
            except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
                    InvalidOperation, ElementTree.ParseError, zipfile.BadZipFile) as exc:
                raise MappingError(f"cannot map {what}: {exc.__class__.__name__}: {exc}") from exc
        return wrapper
    return decorate


def _amount(money):
    """Decimal of an eBay Amount ``{"value": "9.99", "currency": "USD"}``; 0 when absent."""
    if not money:
        return ZERO
    return Decimal(str(money["value"]))


def _sum(moneys):
    return sum((_amount(money) for money in moneys), ZERO)


def _timestamp(value):
    """Aware UTC datetime of an eBay timestamp, or None."""
    if not value:
        return None
    parsed = date_parser.isoparse(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# ---------------------------------------------------------------- orders


@dataclass(frozen=True)
class Address:
    name: str | None
    street: str | None
    street2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country_code: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class OrderLine:
    line_item_id: str
    sku: str | None
    legacy_item_id: str | None
    title: str | None
    quantity: int
    unit_price: Decimal
    subtotal: Decimal  # lineItemCost: unit price x quantity, before discounts
    discount: Decimal  # sum of appliedPromotions[].discountAmount, as eBay sends it
    shipping: Decimal
    tax: Decimal  # seller-collected taxes[] - charged to the buyer by the seller
    ebay_collected_tax: Decimal  # ebayCollectAndRemitTaxes[] - eBay charged and remits it
    total: Decimal
    fulfillment_status: str | None


@dataclass(frozen=True)
class Order:
    order_id: str
    legacy_order_id: str | None
    created: object
    last_modified: object
    fulfillment_status: str | None
    payment_status: str | None
    cancel_state: str | None
    buyer_username: str | None
    buyer_email: str | None
    shipping_address: Address | None
    currency: str
    subtotal: Decimal
    shipping_cost: Decimal  # pricingSummary.deliveryCost: before delivery discounts
    discount: Decimal
    delivery_discount: Decimal  # pricingSummary.deliveryDiscount, as eBay sends it (negative)
    tax: Decimal
    ebay_collected_tax: Decimal
    fees: Decimal | None
    total: Decimal
    marketplace_id: str | None  # listingMarketplaceId of its lines: which eBay site sold it
    lines: tuple

    @property
    def cancelled(self):
        return self.cancel_state == "CANCELED"


def _address(ship_to):
    if not ship_to:
        return None
    contact = ship_to.get("contactAddress") or {}
    return Address(
        name=ship_to.get("fullName"),
        street=contact.get("addressLine1"),
        street2=contact.get("addressLine2"),
        city=contact.get("city"),
        state=contact.get("stateOrProvince"),
        zip=contact.get("postalCode"),
        country_code=contact.get("countryCode"),
        phone=(ship_to.get("primaryPhone") or {}).get("phoneNumber"),
        email=ship_to.get("email"),
    )


def _ship_to(order):
    """The first SHIP_TO instruction's recipient (digital or pickup orders have none)."""
    for instruction in order.get("fulfillmentStartInstructions") or []:
        ship_to = (instruction.get("shippingStep") or {}).get("shipTo")
        if ship_to:
            return ship_to
    return None


def _line_shipping(delivery):
    """What the buyer paid to ship a line: its shippingCost less its shipping discount (sent signed either way)."""
    return _amount(delivery.get("shippingCost")) - abs(_amount(delivery.get("discountAmount")))


def _line(line):
    quantity = int(line["quantity"])
    subtotal = _amount(line["lineItemCost"])
    return OrderLine(
        line_item_id=str(line["lineItemId"]),
        sku=line.get("sku"),
        legacy_item_id=line.get("legacyItemId"),
        title=line.get("title"),
        quantity=quantity,
        unit_price=subtotal / quantity if quantity else subtotal,
        subtotal=subtotal,
        discount=_sum(promo.get("discountAmount") for promo in line.get("appliedPromotions") or []),
        shipping=_line_shipping(line.get("deliveryCost") or {}),
        tax=_sum(tax.get("amount") for tax in line.get("taxes") or []),
        ebay_collected_tax=_sum(tax.get("amount") for tax in line.get("ebayCollectAndRemitTaxes") or []),
        total=_amount(line.get("total")),
        fulfillment_status=line.get("lineItemFulfillmentStatus"),
    )


@_mapping("order")
def map_order(payload):
    """An Order from one getOrders/getOrder order.

    Taxes are taken from the lines: ``tax`` is what the seller collected (to invoice),
    ``ebay_collected_tax`` is what eBay collected and remits itself - never charge it again.
    ``total`` is eBay's pricingSummary.total as sent (it includes eBay-collected tax only when
    the call asked for fieldGroups=TAX_BREAKDOWN)."""
    pricing = payload.get("pricingSummary") or {}
    lines = tuple(_line(line) for line in payload["lineItems"])
    buyer = payload.get("buyer") or {}
    ship_to = _ship_to(payload)
    registration = buyer.get("buyerRegistrationAddress") or {}
    return Order(
        order_id=str(payload["orderId"]),
        legacy_order_id=payload.get("legacyOrderId"),
        created=_timestamp(payload.get("creationDate")),
        last_modified=_timestamp(payload["lastModifiedDate"]),
        fulfillment_status=payload.get("orderFulfillmentStatus"),
        payment_status=payload.get("orderPaymentStatus"),
        cancel_state=(payload.get("cancelStatus") or {}).get("cancelState"),
        buyer_username=buyer.get("username"),
        buyer_email=registration.get("email") or (ship_to or {}).get("email"),
        shipping_address=_address(ship_to),
        currency=pricing["total"]["currency"],
        subtotal=_amount(pricing.get("priceSubtotal")),
        shipping_cost=_amount(pricing.get("deliveryCost")),
        discount=_amount(pricing.get("priceDiscount")) + _amount(pricing.get("deliveryDiscount")),
        delivery_discount=_amount(pricing.get("deliveryDiscount")),
        tax=sum((line.tax for line in lines), ZERO),
        ebay_collected_tax=sum((line.ebay_collected_tax for line in lines), ZERO),
        fees=_amount(payload["totalMarketplaceFee"]) if payload.get("totalMarketplaceFee") else None,
        total=_amount(pricing["total"]),
        marketplace_id=next((line.get("listingMarketplaceId") for line in payload["lineItems"]
                             if line.get("listingMarketplaceId")), None),
        lines=lines,
    )


# ---------------------------------------------------------------- inventory and offers


@dataclass(frozen=True)
class InventoryItem:
    sku: str
    title: str | None
    condition: str | None
    part_number: str | None
    model: str | None
    brand: str | None
    photo_count: int
    quantity: int | None
    aspects: dict


def _first_aspect(aspects, names):
    for name in names:
        values = aspects.get(name)
        if values:
            return values[0]
    return None


@_mapping("inventory item")
def map_inventory_item(payload):
    """An InventoryItem from getInventoryItems / bulkGetInventoryItem's ``inventoryItem``.
    An unknown condition raises MappingError rather than being stored as something else."""
    product = payload.get("product") or {}
    aspects = product.get("aspects") or {}
    condition = payload.get("condition")
    if condition is not None and condition not in CONDITIONS:
        raise MappingError(f"inventory item {payload.get('sku')!r}: unknown condition {condition!r}")
    quantity = ((payload.get("availability") or {}).get("shipToLocationAvailability") or {}).get("quantity")
    return InventoryItem(
        sku=payload["sku"],
        title=product.get("title"),
        condition=condition,
        part_number=_first_aspect(aspects, PART_NUMBER_ASPECTS) or product.get("mpn"),
        model=_first_aspect(aspects, MODEL_ASPECTS),
        brand=_first_aspect(aspects, ("Brand",)) or product.get("brand"),
        photo_count=len(product.get("imageUrls") or []),
        quantity=int(quantity) if quantity is not None else None,
        aspects=aspects,
    )


@dataclass(frozen=True)
class Offer:
    offer_id: str
    sku: str
    marketplace_id: str | None
    status: str | None
    listing_id: str | None
    listing_status: str | None
    price: Decimal | None
    currency: str | None
    available_quantity: int | None
    category_id: str | None


@_mapping("offer")
def map_offer(payload):
    """An Offer from getOffers' ``offers[]``."""
    price = (payload.get("pricingSummary") or {}).get("price")
    listing = payload.get("listing") or {}
    quantity = payload.get("availableQuantity")
    return Offer(
        offer_id=str(payload["offerId"]),
        sku=payload["sku"],
        marketplace_id=payload.get("marketplaceId"),
        status=payload.get("status"),
        listing_id=listing.get("listingId"),
        listing_status=listing.get("listingStatus"),
        price=_amount(price) if price else None,
        currency=price.get("currency") if price else None,
        available_quantity=int(quantity) if quantity is not None else None,
        category_id=payload.get("categoryId"),
    )


def listing_status(offers):
    """ACTIVE if any offer is PUBLISHED or PUBLISHED_IN_PROGRESS, ENDED if there are offers but
    none published, UNKNOWN without offers (seller runbook)."""
    offers = list(offers)
    if not offers:
        return UNKNOWN
    return ACTIVE if any(offer.status in PUBLISHED_STATES for offer in offers) else ENDED


@dataclass(frozen=True)
class PriceQuantityResult:
    sku: str | None
    offer_id: str | None
    status_code: int
    errors: tuple
    warnings: tuple

    @property
    def ok(self):
        return 200 <= self.status_code < 300 and not self.errors


@_mapping("bulkUpdatePriceQuantity responses")
def map_price_quantity_results(responses):
    """One PriceQuantityResult per offer/SKU of a bulkUpdatePriceQuantity answer."""
    return [
        PriceQuantityResult(
            sku=response.get("sku"),
            offer_id=response.get("offerId"),
            status_code=int(response["statusCode"]),
            errors=tuple(response.get("errors") or ()),
            warnings=tuple(response.get("warnings") or ()),
        )
        for response in responses
    ]


@dataclass(frozen=True)
class BulkResult:
    """One entry of a bulk Inventory API answer (bulkCreateOrReplaceInventoryItem, bulkCreateOffer,
    bulkPublishOffer), keyed by SKU or offer id, with eBay's errors in clear."""

    key: str
    status_code: int
    offer_id: str | None
    listing_id: str | None
    errors: tuple

    @property
    def ok(self):
        return 200 <= self.status_code < 300 and not self.errors

    @property
    def error_ids(self):
        return tuple(error.get("errorId") for error in self.errors)

    @property
    def message(self):
        """eBay's own words: ``errorId: longMessage`` of each error, joined."""
        return "; ".join(error_text(error) for error in self.errors) or f"HTTP {self.status_code}"

    @property
    def retryable(self):
        """eBay's system and concurrency errors (25001, 25025) or a 5xx entry: worth trying again."""
        return self.status_code >= 500 or any(error_id in (25001, 25025) for error_id in self.error_ids)

    def parameter(self, name):
        """A named parameter of eBay's first error carrying it (``offerId`` of "Offer entity already exists")."""
        for error in self.errors:
            for parameter in error.get("parameters") or ():
                if parameter.get("name") == name:
                    return parameter.get("value")
        return None


def error_text(error):
    """``25002: The item specific Brand is missing.`` from one eBay error object."""
    text = error.get("longMessage") or error.get("message") or ""
    return f"{error.get('errorId')}: {text}" if error.get("errorId") is not None else text


@_mapping("bulk responses")
def map_bulk_results(responses, key="sku"):
    """``{sku or offerId: BulkResult}`` of a bulk answer's ``responses[]`` (``key`` names the field)."""
    results = {}
    for response in responses:
        result = BulkResult(
            key=str(response[key]),
            status_code=int(response["statusCode"]),
            offer_id=str(response["offerId"]) if response.get("offerId") else None,
            listing_id=str(response["listingId"]) if response.get("listingId") else None,
            errors=tuple(response.get("errors") or ()),
        )
        results[result.key] = result
    return results


@dataclass(frozen=True)
class Image:
    url: str
    expires_at: object  # aware UTC datetime, or None


@_mapping("image")
def map_image(payload):
    """An Image of a Media API answer (createImageFromFile / getImage)."""
    if not str(payload["imageUrl"]).startswith("https://"):
        raise MappingError(f"image URL {payload['imageUrl']!r} is not HTTPS")
    return Image(url=payload["imageUrl"], expires_at=_timestamp(payload.get("expirationDate")))


# ---------------------------------------------------------------- taxonomy


@dataclass(frozen=True)
class Category:
    category_id: str
    name: str
    parent_id: str | None
    level: int
    leaf: bool


@_mapping("category tree")
def map_category_tree(payload):
    """Every category of a getCategoryTree answer, parents before children; the root node
    (level 0, meaningless id) is left out and its children get no parent."""
    categories = []
    stack = [(child, None) for child in reversed(payload["rootCategoryNode"].get("childCategoryTreeNodes") or [])]
    while stack:
        node, parent_id = stack.pop()
        category = node["category"]
        categories.append(Category(
            category_id=str(category["categoryId"]),
            name=category["categoryName"],
            parent_id=parent_id,
            level=int(node.get("categoryTreeNodeLevel", 0)),
            leaf=bool(node.get("leafCategoryTreeNode", False)),
        ))
        children = node.get("childCategoryTreeNodes") or []
        stack.extend((child, str(category["categoryId"])) for child in reversed(children))
    return categories


# ---------------------------------------------------------------- active inventory report


@dataclass(frozen=True)
class ReportListing:
    item_id: str
    sku: str | None
    price: Decimal | None
    currency: str | None
    quantity: int | None
    variation: bool


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _text(element, name):
    found = _children(element, name)
    return found[0].text.strip() if found and found[0].text else None


def _report_record(element, item_id, variation):
    prices = _children(element, "Price")
    quantity = _text(element, "Quantity")
    return ReportListing(
        item_id=item_id,
        sku=_text(element, "SKU"),
        price=Decimal(prices[0].text.strip()) if prices and prices[0].text else None,
        currency=prices[0].get("currencyID") if prices else None,
        quantity=int(quantity) if quantity is not None else None,
        variation=variation,
    )


def _report_xml(content):
    """The XML of a report file: eBay zips it; a plain XML file is accepted as well."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
        return archive.read(names[0])


@_mapping("active inventory report")
def map_active_inventory_report(content):
    """One ReportListing per listing of an ActiveInventoryReport (``SKUDetails``), or per
    variation (same item id, the variation's SKU, price and quantity) for multi-variation
    listings."""
    root = ElementTree.fromstring(_report_xml(content))
    records = []
    for details in root.iter():
        if _local(details.tag) != "SKUDetails":
            continue
        item_id = _text(details, "ItemID")
        variations = [v for group in _children(details, "Variations") for v in _children(group, "Variation")]
        if variations:
            records.extend(_report_record(variation, item_id, True) for variation in variations)
        else:
            records.append(_report_record(details, item_id, False))
    return records


# ---------------------------------------------------------------- Browse comparables


@dataclass(frozen=True)
class ItemSummary:
    """An active listing of another seller (Browse ``ItemSummary``): a comparable of the price rule.

    ``shipping`` is the cheapest shipping option's cost (0 for free shipping), None when eBay gives no
    cost (calculated shipping without the buyer's location)."""

    item_id: str
    title: str
    price: Decimal
    currency: str
    shipping: Decimal | None
    condition: str | None
    condition_id: str | None
    url: str | None

    @property
    def total(self):
        """What the buyer pays: price + shipping (unknown shipping counts as 0)."""
        return self.price + (self.shipping if self.shipping is not None else ZERO)


def _cheapest_shipping(options):
    costs = [_amount(option["shippingCost"]) for option in options or () if option.get("shippingCost")]
    return min(costs) if costs else None


@_mapping("Browse item summary")
def map_item_summary(payload):
    """ItemSummary of one ``itemSummaries[]`` entry of Browse's item_summary/search."""
    return ItemSummary(
        item_id=payload["itemId"],
        title=payload.get("title") or "",
        price=_amount(payload["price"]),
        currency=payload["price"].get("currency") or "",
        shipping=_cheapest_shipping(payload.get("shippingOptions")),
        condition=payload.get("condition"),
        condition_id=payload.get("conditionId"),
        url=payload.get("itemWebUrl"),
    )


# ---------------------------------------------------------------- money (Finances API)

# eBay's TransactionTypeEnum -> marketplace_core.money kinds (developer.ebay.com/api-docs/sell/finances/types/
# api:TransactionTypeEnum); types eBay adds later map to "other" rather than failing the import.
TRANSACTION_KINDS = {"SALE": "sale", "REFUND": "refund", "CREDIT": "credit", "DISPUTE": "dispute",
                     "NON_SALE_CHARGE": "non_sale_charge", "SHIPPING_LABEL": "shipping_label",
                     "TRANSFER": "transfer", "ADJUSTMENT": "adjustment", "WITHDRAWAL": "withdrawal"}


def _order_reference(payload):
    """The order a transaction belongs to: ``orderId``, else an ORDER_ID reference (refunds, charges)."""
    if payload.get("orderId"):
        return payload["orderId"]
    return next((ref["referenceId"] for ref in payload.get("references") or ()
                 if ref.get("referenceType") == "ORDER_ID" and ref.get("referenceId")), None)


def _refund_reference(payload):
    """A REFUND transaction's refund id: its REFUND_ID reference (the refundId getOrder shows), else its
    transaction id; None for other transactions."""
    if payload.get("transactionType") != "REFUND":
        return None
    return next((ref["referenceId"] for ref in payload.get("references") or ()
                 if ref.get("referenceType") == "REFUND_ID" and ref.get("referenceId")),
                str(payload["transactionId"]))


@_mapping("Finances transaction")
def map_money_transaction(payload):
    """MoneyTransaction of one getTransactions ``transactions[]`` entry (sel:Transaction)."""
    booking = payload["bookingEntry"]
    if booking not in ("CREDIT", "DEBIT"):
        raise ValueError(f"bookingEntry {booking!r}")
    fee_basis = payload.get("totalFeeBasisAmount")
    return MoneyTransaction(
        external_id=str(payload["transactionId"]),
        kind=TRANSACTION_KINDS.get(payload.get("transactionType"), "other"),
        credit=booking == "CREDIT",
        amount=abs(_amount(payload["amount"])),
        currency=payload["amount"]["currency"],
        date=_timestamp(payload.get("transactionDate")),
        fee=_amount(payload.get("totalFeeAmount")),
        gross=_amount(fee_basis) if fee_basis else None,
        order_ref=_order_reference(payload),
        payout_ref=payload.get("payoutId"),
        fee_type=payload.get("feeType"),
        memo=payload.get("transactionMemo"),
        status=payload.get("transactionStatus"),
        refund_ref=_refund_reference(payload),
    )


@_mapping("Finances payout")
def map_money_payout(payload):
    """MoneyPayout of a getPayouts ``payouts[]`` entry or a getPayout answer (sel:Payout)."""
    return MoneyPayout(
        external_id=str(payload["payoutId"]),
        amount=_amount(payload["amount"]),
        currency=payload["amount"]["currency"],
        date=_timestamp(payload.get("payoutDate")),
        status=payload.get("payoutStatus"),
        transaction_count=payload.get("transactionCount"),
        bank_reference=payload.get("bankReference") or payload.get("payoutReference"),
    )
