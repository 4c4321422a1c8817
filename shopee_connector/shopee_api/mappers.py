"""Shopee payloads -> plain values for Odoo (marketplace.order values and lines, push messages).

Shopee prices are what the buyer pays, taxes included (the marketplace's own VAT handling is regional):
no seller tax line is made, as for eBay orders without seller-collected tax.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import MappingError

try:
    from ...marketplace_base.marketplace_core.money import CENT, ZERO
    from ...marketplace_base.marketplace_core.orders import MappedOrder, MappedOrderLine
    from ...marketplace_base.marketplace_core.refunds import Refund, to_decimal
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.money import CENT, ZERO
    from marketplace_core.orders import MappedOrder, MappedOrderLine
    from marketplace_core.refunds import Refund, to_decimal

UNPAID = "UNPAID"
IN_CANCEL = "IN_CANCEL"
CANCELLED = "CANCELLED"
# Shopee's push codes (docs/shopee-api.md): order_status_push, order_trackingno_push, return_updates_push
ORDER_STATUS_PUSH = 3
TRACKING_NUMBER_PUSH = 4
RETURN_UPDATES_PUSH = 29
# order statuses whose push prompts a read of the order's cancellation (the buyer's request, its outcome)
CANCELLATION_STATUSES = frozenset({IN_CANCEL, CANCELLED})


@dataclass(frozen=True)
class Push:
    code: int
    shop_id: int
    timestamp: int
    order_sn: str
    status: str
    tracking_number: str
    data: dict
    return_sn: str = ""


def from_epoch(value):
    """Shopee's epoch seconds as a naive UTC datetime (Odoo's convention), or None."""
    if not value:
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc).replace(tzinfo=None)


def parse_moment(text):
    """"2024-11-01T00:00:00" (a payload's moment; an offset is honoured) as a naive UTC datetime."""
    moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def to_epoch(naive_utc):
    """A naive UTC datetime (Odoo's) as epoch seconds, or None."""
    return naive_utc.replace(tzinfo=timezone.utc).timestamp() if naive_utc else None


# what the buyer did not pay of the items' discounted prices: order-level vouchers, coins and payment promotions
# (get_escrow_detail's order_income; item discounts and bundle deals are in each item's discounted_price)
ORDER_DISCOUNTS = ("voucher_from_seller", "voucher_from_shopee", "coins", "payment_promotion")


def money(value):
    """A Shopee amount (a JSON number) as a Decimal to the cent (half up); absent is 0."""
    try:
        return Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise MappingError(f"{value!r} is not an amount") from None


def line_id(item_id, model_id):
    """The key of a line Shopee gives no ``line_item_id``: its item and model (bundle deals share an
    order_item_id, so that is not a key)."""
    return f"{int(item_id)}-{int(model_id or 0)}"


def line_key(item, stored=()):
    """A line's key: Shopee's ``line_item_id`` (unique within the order, also when a model is on two lines, e.g.
    one in a bundle deal), else item and model; ``stored``, the keys of the order's lines already in Odoo, keeps
    the item-and-model key of lines imported before line_item_id was used (no line is imported twice)."""
    legacy = line_id(item["item_id"], item.get("model_id"))
    return str(int(item["line_item_id"])) if item.get("line_item_id") and legacy not in stored else legacy


def map_order(detail, escrow=None, stored_line_ids=()):
    """One get_order_detail order -> MappedOrder; MappingError when an essential part is missing. An unpaid
    order has nothing to ship or reserve yet: it comes back with its next update.

    Amounts are what the buyer paid, Shopee's ``total_amount``, taken from the order's ``escrow``
    (get_escrow_detail; before release Shopee's estimate, whose buyer-paid figures are final): each line is its
    subtotal after item discounts and bundle deals (``items[].discounted_price``; the order detail shows 0 for a
    bundle deal's lines), shipping is ``buyer_paid_shipping_fee`` (0 under a free-shipping programme: the
    courier's fee is the seller's cost, in the escrow), and the vouchers, coins and payment promotions the
    buyer used are the order's discount. Without its escrow the order detail's prices and the courier's fee are
    used, and the total check flags an order whose total they miss."""
    try:
        order_sn = str(detail["order_sn"])
        status = str(detail["order_status"])
        items = detail.get("item_list") or []
        income = (escrow or {}).get("order_income") or {}
        lines, rounding = _map_lines(items, income.get("items") or [], set(stored_line_ids))
        shipping = money(income["buyer_paid_shipping_fee"] if "buyer_paid_shipping_fee" in income else (
            detail.get("actual_shipping_fee") or detail.get("estimated_shipping_fee")))
        discount = sum((money(income.get(name)) for name in ORDER_DISCOUNTS), ZERO) + rounding
        total = float(detail.get("total_amount") or 0.0)
    except (KeyError, TypeError, ValueError) as exc:
        raise MappingError(f"Shopee order without {exc}") from exc
    if status != UNPAID and not lines:
        raise MappingError(f"Shopee order {order_sn} has no item")
    address = detail.get("recipient_address") or {}
    subtotal = sum((money(line.price_unit) * Decimal(str(line.quantity)) for line in lines), ZERO)
    values = {
        "external_order_id": order_sn,
        "order_date": from_epoch(detail.get("create_time")),
        "last_modified_at": from_epoch(detail.get("update_time")),
        "external_status": status,
        "buyer_username": str(detail.get("buyer_username") or detail.get("buyer_user_id") or "") or False,
        "buyer_name": address.get("name") or False,
        "ship_name": address.get("name") or False,
        "ship_street": address.get("full_address") or False,
        "ship_street2": address.get("district") or address.get("town") or False,
        "ship_city": address.get("city") or False,
        "ship_zip": address.get("zipcode") or False,
        "ship_state_code": False,  # Shopee names states in words (e.g. a Thai province), no ISO code
        "ship_country_code": address.get("region") or detail.get("region") or False,
        "ship_phone": address.get("phone") or False,
        "amount_untaxed": float(subtotal),
        "amount_shipping": float(shipping),
        "amount_discount": float(discount),
        "amount_tax": 0.0,
        "amount_total": total or float(subtotal + shipping - discount),
        "raw_payload": json.dumps(detail, sort_keys=True),
    }
    return MappedOrder(values, tuple(lines), str(detail.get("currency") or ""), cancelled=status == CANCELLED,
                       unpaid=status == UNPAID, refunds=cancellation_refunds(detail, values["amount_total"]))


def cancellation_refund_id(order_sn):
    """The connector's id of the refund of a cancelled Shopee order (Shopee gives it none: one per order)."""
    return f"{order_sn}:cancel"


def cancellation_refunds(detail, total):
    """The refund of a paid order Shopee cancelled: the buyer gets ``total`` back (Shopee has no seller refund
    call; a cancelled order's refund is Shopee's). None for an order not cancelled, not paid, or cash on
    delivery (nothing was paid to refund). Returns' refunds come with the returns (``get_return_detail``)."""
    if detail.get("order_status") != CANCELLED or not detail.get("pay_time") or detail.get("cod") or not total:
        return ()
    return (Refund(to_decimal(total), ref=cancellation_refund_id(str(detail["order_sn"]))),)


def _map_lines(items, escrow_items, stored):
    """(the lines of ``items``, the rounding their unit prices make): a line's price is its escrow item's
    ``discounted_price`` (a subtotal) over its quantity, rounded to the cent, and what that rounding adds to
    the subtotals is handed back to be taken off with the order's discount, so that the total stays the
    buyer's to the cent. An item without its escrow item takes the order detail's price."""
    unused, lines, rounding = list(escrow_items), [], ZERO
    for item in items:
        entry = _escrow_item(item, unused)
        line = _map_line(item, entry, stored)
        if entry is not None:
            rounding += money(line.price_unit) * Decimal(str(line.quantity)) - money(entry.get("discounted_price"))
        lines.append(line)
    return lines, rounding


def _escrow_item(item, unused):
    """The escrow item of an order line, taken out of ``unused``: the one of its line_item_id, else the first of
    its item and model, of the same quantity if one is; None when the escrow has none."""
    line_item_id = int(item.get("line_item_id") or 0)
    model = (int(item["item_id"]), int(item.get("model_id") or 0))
    same_model = [entry for entry in unused if (int(entry["item_id"]), int(entry.get("model_id") or 0)) == model]
    matches = [entry for entry in unused if line_item_id and int(entry.get("line_item_id") or 0) == line_item_id] \
        or [entry for entry in same_model
            if entry.get("quantity_purchased") == item.get("model_quantity_purchased")] or same_model
    if not matches:
        return None
    unused.remove(matches[0])
    return matches[0]


def _map_line(item, escrow_item, stored):
    title = " ".join(filter(None, (item.get("item_name"), item.get("model_name")))) or False
    quantity = int(item.get("model_quantity_purchased") or 1)
    if escrow_item is not None:
        price = (money(escrow_item.get("discounted_price")) / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        price = money(item.get("model_discounted_price") or item.get("model_original_price"))
    return MappedOrderLine(
        external_line_id=line_key(item, stored),
        external_sku=item.get("model_sku") or item.get("item_sku") or False,
        external_item_id=str(int(item["item_id"])),
        title=title,
        quantity=float(quantity),
        price_unit=float(price),
    )


def _push_json(raw_body):
    """(the push, its ``data``) of a body; ValueError when it is not a JSON object."""
    try:
        data = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("body is not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("a Shopee push is a JSON object")
    return data, data.get("data") if isinstance(data.get("data"), dict) else {}


def _order_sn(inner):
    # order pushes name the order "ordersn" (as v1 did); "order_sn" accepted as well
    return str(inner.get("ordersn") or inner.get("order_sn") or "")


def _return_sn(inner):
    return str(inner.get("return_sn") or "")


def names_a_record(raw_body):
    """Whether a push body names an order or a return: the only pushes the connector acts on. The console's
    verification push (sent before a callback URL is saved) names neither, nor do shop-level pushes. ValueError
    when the body is not a JSON object."""
    inner = _push_json(raw_body)[1]
    return bool(_order_sn(inner) or _return_sn(inner))


def parse_push(raw_body):
    """A push body -> Push; ValueError when it is not a Shopee push (the webhook answers 400)."""
    data, inner = _push_json(raw_body)
    if not isinstance(data.get("code"), int):
        raise ValueError("a Shopee push has an integer code")
    try:
        shop_id = int(data.get("shop_id") or 0)
        timestamp = int(data.get("timestamp") or 0)
    except (TypeError, ValueError) as exc:
        raise ValueError("shop_id and timestamp must be integers") from exc
    return Push(data["code"], shop_id, timestamp, _order_sn(inner), str(inner.get("status") or ""),
                str(inner.get("tracking_no") or inner.get("tracking_number") or ""), inner, _return_sn(inner))


def after_sale_read(code, order_sn="", status="", return_sn=""):
    """The after-sale read a push (its code, order number, order status, return number) prompts, as
    ``(job type, payload)``, or None: an order status push saying IN_CANCEL or CANCELLED reads that order's
    cancellation, a return push reads that return by id. The push only prompts; what is stored comes from
    Shopee's answer to that read."""
    if code == ORDER_STATUS_PUSH and order_sn and status in CANCELLATION_STATUSES:
        return "pull_cancellations", {"order_sns": [order_sn]}
    if code == RETURN_UPDATES_PUSH and return_sn:
        return "pull_returns", {"return_sns": [return_sn]}
    return None
