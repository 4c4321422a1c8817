"""Orders and notifications from eBay, decided without Odoo.

``map_order`` turns one getOrders order (its JSON) into the platform-neutral ``MappedOrder`` that
marketplace_base imports; the window functions say which
last-modified range a ``pull_orders`` run asks eBay for and how far the shop's
watermark may move afterwards; ``parse_notification`` reads a webhook body.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

try:
    from ...marketplace_base.marketplace_core.orders import MappedOrder, MappedOrderLine
    from ..ebay_api.mappers import map_order as parse_order
    from ..ebay_api.refunds import order_refunds
except ImportError:  # top-level packages: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from ebay_api.mappers import map_order as parse_order
    from ebay_api.refunds import order_refunds
    from marketplace_core.orders import MappedOrder, MappedOrderLine

ZERO = Decimal("0")
# getOrders refuses a range starting more than 2 years back (errorId 30830); keep a day of margin.
MAX_LOOKBACK = timedelta(days=729)
ORDER_TOPIC = "ORDER_CONFIRMATION"
ACCOUNT_DELETION_TOPIC = "MARKETPLACE_ACCOUNT_DELETION"

def _naive_utc(moment):
    """Odoo's datetime form (naive UTC, whole seconds: what it stores, so re-imports compare equal)."""
    if moment is None:
        return False
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def _money(amount):
    return float(amount or ZERO)


def _seller_tax(line):
    """Tax the seller collected on a line. With TAX_BREAKDOWN, eBay lists its collect-and-remit
    taxes in ``taxes[]`` too; those are eBay's, never the seller's (the buyer must not pay twice)."""
    return max(ZERO, line.tax - line.ebay_collected_tax)


def _unit_price(line):
    """What the buyer paid per unit: item promotions (sent signed either way) lower the price."""
    net = line.subtotal - abs(line.discount)
    return net / line.quantity if line.quantity else net


def sellers_total(order):
    """eBay's own total of the order for the seller: ``pricingSummary.total`` (after promotions, with shipping
    and the seller's tax) less the tax eBay collects and remits, which the total includes only in the
    TAX_BREAKDOWN view (then each line's ``taxes[]`` lists eBay's taxes too). Odoo's sale order must add up to it:
    it is computed from eBay's figure, never from the lines, so a line Odoo cannot reproduce shows."""
    included = sum((min(line.tax, line.ebay_collected_tax) for line in order.lines), ZERO)
    return order.total - included


def external_status(order):
    """``PAID / NOT_STARTED`` plus the cancel state when a cancellation is under way or done."""
    parts = [order.payment_status or "?", order.fulfillment_status or "?"]
    if order.cancel_state and order.cancel_state != "NONE_REQUESTED":
        parts.append(order.cancel_state)
    return " / ".join(parts)


def map_line(line):
    return MappedOrderLine(
        external_line_id=line.line_item_id,
        external_sku=line.sku or False,
        external_item_id=line.legacy_item_id or False,
        title=line.title or False,
        quantity=float(line.quantity),
        price_unit=_money(_unit_price(line)),
        amount_shipping=_money(line.shipping),
        amount_tax=_money(_seller_tax(line)),
        amount_marketplace_tax=_money(line.ebay_collected_tax),
    )


def map_order(raw_payload):
    """The ``MappedOrder`` of one getOrders order (its JSON dict): read once by ``ebay_api.mappers`` (which
    refuses bad data with ``MappingError`` and nothing else), then made into values in the same call.

    Amounts follow what the seller invoices: the untaxed amount is the items after promotions,
    shipping is eBay's delivery cost less its delivery discounts (what the buyer paid for it),
    ``amount_tax`` is seller-collected tax only, and the total is eBay's total less the tax eBay collects
    (``sellers_total``: what the sale order must add up to). eBay-collected tax is kept apart in
    ``amount_marketplace_tax``; fees (totalMarketplaceFee) in ``amount_fee``.
    """
    order = parse_order(raw_payload)
    lines = tuple(map_line(line) for line in order.lines)
    untaxed = sum((_unit_price(line) * line.quantity for line in order.lines), ZERO)
    seller_tax = sum((_seller_tax(line) for line in order.lines), ZERO)
    address = order.shipping_address
    values = {
        "external_order_id": order.order_id,
        "order_date": _naive_utc(order.created),
        "last_modified_at": _naive_utc(order.last_modified),
        "external_status": external_status(order),
        "buyer_username": order.buyer_username or False,
        "buyer_name": (address and address.name) or order.buyer_username or False,
        "buyer_email": order.buyer_email or False,
        "ship_name": (address and address.name) or False,
        "ship_street": (address and address.street) or False,
        "ship_street2": (address and address.street2) or False,
        "ship_city": (address and address.city) or False,
        "ship_zip": (address and address.zip) or False,
        "ship_state_code": (address and address.state) or False,
        "ship_country_code": (address and address.country_code) or False,
        "ship_phone": (address and address.phone) or False,
        "amount_untaxed": _money(untaxed),
        "amount_shipping": _money(order.shipping_cost - abs(order.delivery_discount)),
        "amount_tax": _money(seller_tax),
        "amount_marketplace_tax": _money(order.ebay_collected_tax),
        "amount_fee": _money(order.fees),
        "amount_total": _money(sellers_total(order)),
        "raw_payload": json.dumps(raw_payload, sort_keys=True),
    }
    return MappedOrder(values, lines, order.currency, cancelled=order.cancelled, site=order.marketplace_id,
                       refunds=order_refunds(raw_payload))


def order_shop(marketplace_id, shops):
    """The shop, among ``shops`` ((id, marketplace site) of one account), that an order belongs to.

    getOrders returns every order of the seller, whatever eBay site sold it: an account with one
    shop takes them all; with several, each order goes to the shop of its listing's site, and an
    order of a site no shop sells on belongs to none (None).
    """
    if len(shops) == 1:
        return shops[0][0]
    return next((shop_id for shop_id, site in shops if site and site == marketplace_id), None)


# ---------------------------------------------------------------- pull window


def parse_moment(text, what):
    """Naive UTC datetime of a payload timestamp (``2024-11-01T00:00:00``, naive = UTC, or with Z/offset)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{what} must be a timestamp such as \"2024-11-01T00:00:00\", got {text!r}")
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{what} is not a timestamp such as \"2024-11-01T00:00:00\": {text!r}") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def order_window(payload, synced_until, now, overlap_minutes, initial_days):
    """``(since, until)`` of the last-modified range a pull asks for (naive UTC; ``until`` None = open).

    By default from the watermark minus the overlap (late-indexed orders are not missed), or
    ``initial_days`` back on the first run, with no upper bound: an order changed while the pull
    pages is then still found (eBay's "now" is never exact anyway). The runbook's ``{"since": ...,
    "until": ...}`` payload overrides either end (``until`` null = open). eBay's two-year limit is
    respected.
    """
    if payload.get("since"):
        since = parse_moment(payload["since"], "since")
    elif synced_until:
        since = synced_until - timedelta(minutes=max(0, overlap_minutes))
    else:
        since = now - timedelta(days=max(1, initial_days))
    until = parse_moment(payload["until"], "until") if payload.get("until") else None
    if until and until >= now:
        until = None
    since = min(max(since, now - MAX_LOOKBACK), now)  # eBay refuses a start in the future
    if until and since >= until:
        raise ValueError(f"the window is empty: since {since:%Y-%m-%d %H:%M:%S} is not before "
                         f"until {until:%Y-%m-%d %H:%M:%S} (UTC)")
    return since, until


def next_watermark(current, since, until, seen_max):
    """Where ``ebay_orders_synced_until`` goes after a successful run of ``[since, until]``
    (``until``: the window's end, or the end of the run for an open window).

    It moves to the latest lastModifiedDate seen (never to "now" when nothing changed, never
    past ``until``, never back), and only when the window started at or before the current mark:
    a hand-made window that skips a stretch must not make the cron skip it too.
    """
    if seen_max is None or (current and since > current):
        return current
    return min(max(seen_max, current or seen_max), until)


# ---------------------------------------------------------------- notifications


@dataclass(frozen=True)
class Notification:
    notification_id: str
    topic: str
    data: dict
    event_date: object  # naive UTC datetime or False

    @property
    def order_id(self):
        return str(self.data.get("orderId") or "") if self.topic == ORDER_TOPIC else ""

    @property
    def buyer_username(self):
        return str(self.data.get("username") or "") if self.topic == ACCOUNT_DELETION_TOPIC else ""


def parse_notification(raw_body):
    """Notification of a webhook body (bytes); ValueError naming what is wrong otherwise."""
    try:
        body = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc
    metadata = body.get("metadata") if isinstance(body, dict) else None
    notification = body.get("notification") if isinstance(body, dict) else None
    if not isinstance(metadata, dict) or not isinstance(notification, dict):
        raise ValueError("the body has no metadata or notification object")
    topic, notification_id = metadata.get("topic"), notification.get("notificationId")
    data = notification.get("data") or {}
    if not isinstance(topic, str) or not topic or not isinstance(notification_id, str) or not notification_id:
        raise ValueError("metadata.topic and notification.notificationId are required")
    if not isinstance(data, dict):
        raise ValueError("notification.data must be an object")
    try:
        event_date = parse_moment(notification.get("eventDate"), "eventDate")
    except ValueError:
        event_date = False
    return Notification(notification_id[:255], topic[:128], data, event_date)
