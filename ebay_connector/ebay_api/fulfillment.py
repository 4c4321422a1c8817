"""Fulfillment API adapter (user token, scope sell.fulfillment).

Doc pages under developer.ebay.com/api-docs/sell/fulfillment/resources/order/:
methods/getOrders (``filter=lastmodifieddate:[from..to]``, limit 1..200, ``orderIds`` <= 50
overriding filters, at most 2 years back), shipping_fulfillment/methods/createShippingFulfillment
(201 with the new fulfillment's URL in ``Location``) and shipping_fulfillment/methods/getShippingFulfillments
(``fulfillments[]`` with ``fulfillmentId``, ``lineItems[]``, ``shipmentTrackingNumber``).
"""
from datetime import datetime, timezone
from urllib.parse import quote

from .batching import check_batch
from .pagination import iter_pages

BASE = "/sell/fulfillment/v1"
MAX_PAGE_SIZE = 200
MAX_ORDER_IDS = 50


def ebay_timestamp(value):
    """eBay's ISO 8601 UTC form ``2024-05-15T08:25:43.511Z``; a naive datetime counts as UTC
    (Odoo keeps datetimes naive in UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def modified_filter(modified_from, modified_to=None):
    """``lastmodifieddate:[from..to]`` (open-ended without ``modified_to``)."""
    upper = ebay_timestamp(modified_to) if modified_to else ""
    return f"lastmodifieddate:[{ebay_timestamp(modified_from)}..{upper}]"


def _tracking_key(tracking_number):
    """A tracking number as compared: eBay may give it back upper-cased and without spaces."""
    return "".join(str(tracking_number or "").split()).upper()


def matching_fulfillment_id(fulfillments, line_items, tracking_number):
    """The id of the fulfillment in getShippingFulfillments' ``fulfillments`` that reports exactly
    ``line_items`` (pairs of line item id and quantity) under ``tracking_number``, or None: the
    shipment eBay already has when an earlier create got no answer."""
    wanted_lines = sorted((str(line_id), int(qty)) for line_id, qty in line_items)
    wanted_tracking = _tracking_key(tracking_number)
    for fulfillment in fulfillments:
        lines = sorted((str(line.get("lineItemId")), int(line.get("quantity") or 0))
                       for line in fulfillment.get("lineItems") or [])
        if lines == wanted_lines and _tracking_key(fulfillment.get("shipmentTrackingNumber")) == wanted_tracking:
            return fulfillment.get("fulfillmentId")
    return None


class FulfillmentAdapter:
    def __init__(self, client):
        self.client = client

    def iter_order_pages(self, modified_from, modified_to=None, page_size=MAX_PAGE_SIZE, should_stop=None,
                         resume=None, first_number=1):
        """Pages of raw orders last modified in the range (the filter is percent-encoded by
        ``client.encode_query``), from the start or from ``resume`` (a page's ``next_params``)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        params = resume or {"filter": modified_filter(modified_from, modified_to), "limit": page_size, "offset": 0}
        return iter_pages(self.client, BASE + "/order", "orders", params, "orders", should_stop, first_number)

    def iter_orders(self, modified_from, modified_to=None, page_size=MAX_PAGE_SIZE, should_stop=None):
        """Every raw order last modified in the range, paging transparently; stops between pages
        once ``should_stop()`` is true."""
        for page in self.iter_order_pages(modified_from, modified_to, page_size, should_stop):
            yield from page.items

    def get_orders_by_ids(self, order_ids):
        """Raw orders for up to 50 known order ids (one call)."""
        order_ids = check_batch(order_ids, MAX_ORDER_IDS, "getOrders orderIds")
        params = {"orderIds": ",".join(order_ids)}
        body = self.client.request("GET", BASE + "/order", "orders", params=params).body or {}
        return body.get("orders", [])

    def get_order(self, order_id):
        """One raw order by getOrder: unlike getOrders, its ``cancelStatus.cancelRequests`` are filled in."""
        return self.client.request("GET", f"{BASE}/order/{quote(str(order_id), safe='')}", "orders").body or {}

    def get_shipping_fulfillments(self, order_id):
        """Every shipping fulfillment eBay has for the order (raw ``fulfillments[]``)."""
        body = self.client.request("GET", _fulfillments_path(order_id), "orders").body or {}
        return body.get("fulfillments", [])

    def create_shipping_fulfillment(self, order_id, line_items, carrier_code, tracking_number,
                                    shipped_date=None):
        """Tell eBay that ``line_items`` (pairs of line item id and quantity) left in one package;
        returns eBay's fulfillment id. ``shipped_date`` defaults to now (eBay's default too).
        Raises EbayUncertainError when eBay may have recorded it without answering: look for it
        with ``get_shipping_fulfillments`` and ``matching_fulfillment_id`` before sending it again."""
        payload = {
            "lineItems": [{"lineItemId": str(line_id), "quantity": int(qty)} for line_id, qty in line_items],
            "shippedDate": ebay_timestamp(shipped_date or datetime.now(timezone.utc)),
            "shippingCarrierCode": carrier_code,
            "trackingNumber": tracking_number,
        }
        return self.client.request("POST", _fulfillments_path(order_id), "fulfillment", json=payload).location_id()

    def issue_refund(self, order_id, body):
        """POST issue_refund (``refunds.issue_refund_body``): eBay's ``Refund`` answer (refundId, refundStatus
        PENDING). Signed for EU/UK sellers. Raises EbayUncertainError when eBay may have made the refund without
        answering: read getOrder's refunds (``refunds.unbooked_refund``) before sending it again."""
        path = f"{BASE}/order/{quote(str(order_id), safe='')}/issue_refund"
        return self.client.request("POST", path, "fulfillment", json=body).body or {}


def _fulfillments_path(order_id):
    return f"{BASE}/order/{quote(str(order_id), safe='')}/shipping_fulfillment"
