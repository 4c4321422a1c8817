"""Shopee payloads -> plain values for Odoo (marketplace.order values and lines, push messages).

Shopee prices are what the buyer pays, taxes included (the marketplace's own VAT handling is regional):
no seller tax line is made, as for eBay orders without seller-collected tax.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from .errors import MappingError

try:
    from ...marketplace_base.marketplace_core.orders import MappedOrder, MappedOrderLine
    from ...marketplace_base.marketplace_core.refunds import Refund, to_decimal
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.orders import MappedOrder, MappedOrderLine
    from marketplace_core.refunds import Refund, to_decimal

UNPAID = "UNPAID"
CANCELLED = "CANCELLED"
ORDER_STATUS_PUSH = 3
TRACKING_NUMBER_PUSH = 4


@dataclass(frozen=True)
class Push:
    code: int
    shop_id: int
    timestamp: int
    order_sn: str
    status: str
    tracking_number: str
    data: dict


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


def line_id(item_id, model_id):
    """One order line per item and model (bundle deals share an order_item_id, so it is not the key)."""
    return f"{int(item_id)}-{int(model_id or 0)}"


def map_order(detail):
    """One get_order_detail order -> MappedOrder; MappingError when an essential part is missing. An unpaid
    order has nothing to ship or reserve yet: it comes back with its next update."""
    try:
        order_sn = str(detail["order_sn"])
        status = str(detail["order_status"])
        items = detail.get("item_list") or []
        lines = [_map_line(item) for item in items]
        shipping = float(detail.get("actual_shipping_fee") or detail.get("estimated_shipping_fee") or 0.0)
        total = float(detail.get("total_amount") or 0.0)
    except (KeyError, TypeError, ValueError) as exc:
        raise MappingError(f"Shopee order without {exc}") from exc
    if status != UNPAID and not lines:
        raise MappingError(f"Shopee order {order_sn} has no item")
    address = detail.get("recipient_address") or {}
    subtotal = sum(line.quantity * line.price_unit for line in lines)
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
        "amount_untaxed": round(subtotal, 2),
        "amount_shipping": shipping,
        "amount_tax": 0.0,
        "amount_total": total or round(subtotal + shipping, 2),
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


def _map_line(item):
    item_id, model_id = int(item["item_id"]), int(item.get("model_id") or 0)
    title = " ".join(filter(None, (item.get("item_name"), item.get("model_name")))) or False
    price = item.get("model_discounted_price")
    if price in (None, 0):
        price = item.get("model_original_price") or 0.0
    return MappedOrderLine(
        external_line_id=line_id(item_id, model_id),
        external_sku=item.get("model_sku") or item.get("item_sku") or False,
        external_item_id=str(item_id),
        title=title,
        quantity=float(item.get("model_quantity_purchased") or 1),
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


def names_an_order(raw_body):
    """Whether a push body names an order: the only pushes the connector acts on. The console's verification
    push (sent before a callback URL is saved) names none, nor do shop-level pushes. ValueError when the body is
    not a JSON object."""
    return bool(_order_sn(_push_json(raw_body)[1]))


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
                str(inner.get("tracking_no") or inner.get("tracking_number") or ""), inner)
