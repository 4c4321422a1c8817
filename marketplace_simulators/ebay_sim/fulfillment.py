"""Sell Fulfillment API: getOrders / getOrder and shipping fulfillments.

Docs (developer.ebay.com/api-docs/sell/fulfillment/resources/...): order/methods/getOrders, order/methods/getOrder,
order/shipping_fulfillment/methods/createShippingFulfillment, getShippingFulfillments, getShippingFulfillment.
Error ids 30700/30800 (getOrders input) and 32100-32800 (fulfillment input) are the simulator's choice where
the notes name none; 30830/30850 follow ebay-api-notes.md.
"""
import json
import re
import time
from collections import Counter
from urllib.parse import urlencode

from .errors import EbayError, bad_request, error_detail, not_found
from .formats import iso, parse_iso
from .orders import render, save_order
from .routing import Response, empty_response, int_param, json_response

DOMAIN = "API_FULFILLMENT"
FILTER = re.compile(r"(\w+):(\[[^\]]*\]|\{[^}]*\})")
DATE_FIELDS = {"lastmodifieddate": "last_modified", "creationdate": "creation_date"}
STATUSES = {"NOT_STARTED", "IN_PROGRESS", "FULFILLED"}
MAX_ORDER_IDS = 50
DAY = 86400


def _date_range(name, raw, now):
    """``[from..to]`` or ``[from..]`` → ISO bounds in stored format; 30830 too old, 30850 in the future."""
    start, sep, end = raw[1:-1].partition("..")
    try:
        bounds = [parse_iso(start), parse_iso(end) if end else None]
    except ValueError:
        raise bad_request(30700, DOMAIN, f"Invalid filter: {name}:{raw}", {"filter": f"{name}:{raw}"}) from None
    if not sep:
        raise bad_request(30700, DOMAIN, f"Invalid filter: {name}:{raw}", {"filter": f"{name}:{raw}"})
    if bounds[0] < now - 2 * 365 * DAY:
        raise bad_request(30830, DOMAIN, "The date range cannot start more than 2 years in the past.",
                          {"filter": name})
    if bounds[0] > now + 60:
        raise bad_request(30850, DOMAIN, "The start date cannot be in the future.", {"filter": name})
    return [iso(bounds[0]), iso(bounds[1]) if bounds[1] is not None else None]


def _where_from_filter(text, now):
    """SQL conditions for ``filter=``; without a date filter eBay returns the last 90 days."""
    conditions, args, dated = [], [], False
    for name, raw in FILTER.findall(text or ""):
        if name in DATE_FIELDS:
            low, high = _date_range(name, raw, now)
            conditions.append(f"{DATE_FIELDS[name]} >= ?")
            args.append(low)
            if high:
                conditions.append(f"{DATE_FIELDS[name]} <= ?")
                args.append(high)
            dated = True
        elif name == "orderfulfillmentstatus":
            wanted = raw[1:-1].split("|")
            if not wanted or not set(wanted) <= STATUSES:
                raise bad_request(30700, DOMAIN, f"Invalid filter: {name}:{raw}", {"filter": f"{name}:{raw}"})
            conditions.append(f"fulfillment_status IN ({','.join('?' * len(wanted))})")
            args.extend(wanted)
        else:
            raise bad_request(30700, DOMAIN, f"Invalid filter: {name}", {"filter": name})
    if text and not FILTER.search(text):
        raise bad_request(30700, DOMAIN, f"Invalid filter: {text}", {"filter": text})
    if not dated:
        conditions.append("creation_date >= ?")
        args.append(iso(now - 90 * DAY))
    return conditions, args


def _order_ids(text):
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not 1 <= len(ids) <= MAX_ORDER_IDS:
        raise bad_request(30800, DOMAIN, f"The orderIds parameter accepts 1 to {MAX_ORDER_IDS} order IDs.",
                          {"orderIds": len(ids)})
    return ids


def get_orders(req):
    """GET /sell/fulfillment/v1/order?filter=&orderIds=&limit=&offset=&fieldGroups= — .../getOrders.

    ``orderIds`` overrides ``filter``. The page is assembled from the stored JSON text without re-encoding
    (unless TAX_BREAKDOWN is asked for), which keeps 200-order pages cheap.
    """
    limit = int_param(req, "limit", 50, 1, 200, 30700, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 10 ** 9, 30700, DOMAIN)
    if req.query.get("orderIds"):
        ids = _order_ids(req.query["orderIds"])
        conditions, args = [f"order_id IN ({','.join('?' * len(ids))})"], ids
    else:
        conditions, args = _where_from_filter(req.query.get("filter"), time.time())
    where = " WHERE " + " AND ".join(conditions)
    total = req.db.scalar("SELECT COUNT(*) FROM orders" + where, args)
    rows = req.db.all("SELECT data FROM orders" + where + " ORDER BY creation_date DESC, order_id DESC "
                      "LIMIT ? OFFSET ?", (*args, limit, offset))
    breakdown = "TAX_BREAKDOWN" in req.query.get("fieldGroups", "")
    orders = [_as_listed(row["data"], breakdown) for row in rows]
    head = {"href": _orders_href(req, offset, limit), "total": total, "limit": limit, "offset": offset}
    if offset + limit < total:
        head["next"] = _orders_href(req, offset + limit, limit)
    if offset > 0:
        head["prev"] = _orders_href(req, max(0, offset - limit), limit)
    body = json.dumps(head, separators=(",", ":"))[:-1] + ',"orders":[' + ",".join(orders) + "]}"
    return Response(200, body.encode(), "application/json")


def _as_listed(data, breakdown):
    """An order as getOrders lists it: eBay leaves ``cancelStatus.cancelRequests`` empty there (getOrder
    shows them); the stored text is sent as it is when there is nothing to change."""
    if not breakdown and '"cancelRequests": [{' not in data:
        return data
    order = render(data, breakdown)
    order["cancelStatus"]["cancelRequests"] = []
    return json.dumps(order)


def _orders_href(req, offset, limit):
    params = {k: v for k, v in req.query.items() if k not in ("offset", "limit")}
    return f"{req.base_url}/sell/fulfillment/v1/order?{urlencode({**params, 'limit': limit, 'offset': offset})}"


def order_data(db, order_id):
    """The stored order JSON text, or an eBay-shaped 404."""
    data = db.scalar("SELECT data FROM orders WHERE order_id=?", (order_id,))
    if data is None:
        raise not_found(32100, DOMAIN, f"Invalid order ID: {order_id}", {"orderId": order_id})
    return data


def load_order(db, order_id):
    """The stored order as a dict (to change it)."""
    return json.loads(order_data(db, order_id))


def get_order(req):
    """GET /sell/fulfillment/v1/order/{orderId} — .../getOrder."""
    data = order_data(req.db, req.params["orderId"])
    return json_response(render(data, "TAX_BREAKDOWN" in req.query.get("fieldGroups", "")))


def shipped_quantities(db, order_id):
    """Units already shipped per lineItemId."""
    shipped = Counter()
    for (data,) in db.all("SELECT data FROM fulfillments WHERE order_id=?", (order_id,)):
        for line in json.loads(data)["lineItems"]:
            shipped[line["lineItemId"]] += line["quantity"]
    return shipped


def _requested_lines(body, order, shipped):
    """Validate ``lineItems``: known ids, no duplicates, 1 ≤ quantity ≤ ordered − already shipped."""
    ordered = {line["lineItemId"]: line["quantity"] for line in order["lineItems"]}
    requested = body.get("lineItems")
    if not isinstance(requested, list) or not requested:
        raise bad_request(32200, DOMAIN, "At least one line item is required.", {"lineItems": "[]"})
    errors, lines, seen = [], [], set()
    for ref in requested:
        line_id = str(ref.get("lineItemId", "")) if isinstance(ref, dict) else ""
        if line_id not in ordered or line_id in seen:
            errors.append(error_detail(32210, DOMAIN, f"Invalid or duplicate line item ID: {line_id}",
                                       parameters={"lineItemId": line_id}))
            continue
        seen.add(line_id)
        remaining = ordered[line_id] - shipped[line_id]
        quantity = ref.get("quantity", remaining)
        if not isinstance(quantity, int) or not 1 <= quantity <= remaining:
            errors.append(error_detail(32700, DOMAIN, f"Invalid quantity {quantity} for line item {line_id}: "
                                       f"{remaining} unit(s) remain to be shipped.",
                                       parameters={"lineItemId": line_id, "quantity": quantity}))
            continue
        lines.append({"lineItemId": line_id, "quantity": quantity})
    if errors:
        raise EbayError(400, errors)
    return lines


def _shipment_fields(body):
    """Carrier and tracking go together; shippedDate defaults to now."""
    carrier, tracking = body.get("shippingCarrierCode"), body.get("trackingNumber")
    if bool(carrier) != bool(tracking):
        raise bad_request(32600, DOMAIN, "shippingCarrierCode and trackingNumber must be provided together.",
                          {"shippingCarrierCode": carrier or "", "trackingNumber": tracking or ""})
    shipped_date = body.get("shippedDate")
    try:
        shipped_at = parse_iso(shipped_date) if shipped_date else time.time()
    except (ValueError, AttributeError):
        raise bad_request(32500, DOMAIN, f"Invalid shippedDate: {shipped_date}",
                          {"shippedDate": shipped_date}) from None
    fields = {"shippedDate": iso(shipped_at)}
    if carrier:
        fields.update(shippingCarrierCode=carrier, shipmentTrackingNumber=tracking)
    return fields


def _update_statuses(order, shipped):
    """Line and order fulfillment status after a shipment; bumps lastModifiedDate."""
    for line in order["lineItems"]:
        done = shipped[line["lineItemId"]]
        line["lineItemFulfillmentStatus"] = ("FULFILLED" if done >= line["quantity"]
                                             else "IN_PROGRESS" if done else "NOT_STARTED")
    states = {line["lineItemFulfillmentStatus"] for line in order["lineItems"]}
    order["orderFulfillmentStatus"] = "FULFILLED" if states == {"FULFILLED"} else "IN_PROGRESS"
    order["lastModifiedDate"] = iso()


def create_shipping_fulfillment(req):
    """POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment → 201 + Location.

    eBay's page: .../createShippingFulfillment."""
    body = req.json()
    fields = _shipment_fields(body)
    with req.db.transaction() as db:
        order = load_order(db, req.params["orderId"])
        if order["cancelStatus"]["cancelState"] == "CANCELED":
            raise bad_request(32800, DOMAIN, "The order has been cancelled and cannot be shipped.",
                              {"orderId": order["orderId"]})
        shipped = shipped_quantities(db, order["orderId"])
        lines = _requested_lines(body, order, shipped)
        fulfillment_id = str(db.next_counter("fulfillment", start=900000000001))
        record = {"fulfillmentId": fulfillment_id, "lineItems": lines, **fields}
        db.execute("INSERT INTO fulfillments(fulfillment_id, order_id, data) VALUES (?,?,?)",
                   (fulfillment_id, order["orderId"], json.dumps(record)))
        for line in lines:
            shipped[line["lineItemId"]] += line["quantity"]
        _update_statuses(order, shipped)
        location = f"{req.base_url}/sell/fulfillment/v1/order/{order['orderId']}/shipping_fulfillment/{fulfillment_id}"
        order["fulfillmentHrefs"].append(location)
        save_order(db, order)
    return empty_response(201, {"Location": location})


def get_shipping_fulfillments(req):
    """GET /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment — .../getShippingFulfillments."""
    order_data(req.db, req.params["orderId"])
    rows = req.db.all("SELECT data FROM fulfillments WHERE order_id=? ORDER BY fulfillment_id",
                      (req.params["orderId"],))
    return json_response({"fulfillments": [json.loads(r["data"]) for r in rows], "total": len(rows),
                          "warnings": []})


def get_shipping_fulfillment(req):
    """GET .../order/{orderId}/shipping_fulfillment/{fulfillmentId} — .../getShippingFulfillment."""
    data = req.db.scalar("SELECT data FROM fulfillments WHERE order_id=? AND fulfillment_id=?",
                         (req.params["orderId"], req.params["fulfillmentId"]))
    if data is None:
        raise not_found(32110, DOMAIN, "Invalid fulfillment ID.", {"fulfillmentId": req.params["fulfillmentId"]})
    return Response(200, data.encode(), "application/json")


ROUTES = [
    ("GET", "/sell/fulfillment/v1/order", get_orders, "user"),
    ("GET", "/sell/fulfillment/v1/order/{orderId}", get_order, "user"),
    ("POST", "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment", create_shipping_fulfillment, "user"),
    ("GET", "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment", get_shipping_fulfillments, "user"),
    ("GET", "/sell/fulfillment/v1/order/{orderId}/shipping_fulfillment/{fulfillmentId}",
     get_shipping_fulfillment, "user"),
]
