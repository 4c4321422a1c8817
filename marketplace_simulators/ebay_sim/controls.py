"""Test and benchmark controls under ``/_sim`` (not part of eBay): JSON in and out, no auth, no faults.

The table in docs/ebay-simulator.md is the contract for these calls.
"""
import json
from contextlib import contextmanager

from . import notification
from .errors import bad_request, not_found
from .formats import iso, to_cents
from .fulfillment import load_order
from .oauth import expire_all_tokens, register_app
from .orders import save_order
from .refunds import refund_the_rest
from .routing import json_response
from .seed import make_orders, seed, sellable

DOMAIN = "SIMULATOR"


def _invalid(message):
    return bad_request(1, DOMAIN, message)


def _required(body, *names):
    missing = [name for name in names if not body.get(name)]
    if missing:
        raise _invalid(f"missing field(s): {', '.join(missing)}")
    return [body[name] for name in names]


def post_apps(req):
    """Register or update an application."""
    body = req.json()
    values = _required(body, "client_id", "client_secret", "ru_name", "accept_url")
    with req.db.transaction() as db:
        register_app(db, *values)
    return json_response({"ok": True})


def post_faults(req):
    """Set fault injection (``{}`` resets)."""
    try:
        req.sim.faults.configure(req.json(required=False))
    except (TypeError, ValueError) as exc:
        raise _invalid(str(exc)) from None
    return json_response(req.sim.faults.settings())


def post_expire_tokens(req):
    """Expire every issued access token now."""
    return json_response({"expired": expire_all_tokens(req.db)})


def post_fail_sku(req):
    """Make bulkUpdatePriceQuantity fail for a SKU (or undo with ``clear``)."""
    body = req.json()
    (sku,) = _required(body, "sku")
    with req.db.transaction() as db:
        if body.get("clear"):
            db.execute("DELETE FROM fail_skus WHERE sku=?", (sku,))
        else:
            db.execute("INSERT OR REPLACE INTO fail_skus(sku, error_id, message) VALUES (?,?,?)",
                       (sku, int(body.get("errorId", 25001)),
                        body.get("message") or "A system error has occurred. Please try again."))
    return json_response({"ok": True})


def get_calls(req):
    """Calls received per endpoint."""
    return json_response(req.sim.calls.snapshot())


def post_calls_reset(req):
    """Zero the call counters."""
    req.sim.calls.reset()
    return json_response({"ok": True})


def _explicit_lines(db, lines):
    """Line specs for ``/_sim/orders`` ``lines``: each SKU must be sellable; ``discount`` (optional, a string
    amount such as ``"10.00"``) is a seller promotion on the line, less than its cost."""
    by_sku = {spec["sku"]: spec for spec in sellable(db)}
    specs = []
    for line in lines:
        spec = by_sku.get(line.get("sku")) if isinstance(line, dict) else None
        if spec is None:
            raise _invalid(f"not a sellable SKU: {line}")
        quantity = int(line.get("quantity", 1))
        try:
            discount = to_cents(line.get("discount", "0"))
        except ValueError as error:
            raise _invalid(f"bad discount: {line}") from error
        if discount >= spec["price_cents"] * quantity:
            raise _invalid(f"the discount must be less than the line's cost: {line}")
        specs.append({**spec, "quantity": quantity, "discount_cents": discount})
    return specs


def _record_sale(db, line):
    """A sale lowers stock and listed quantity and raises soldQuantity, as on eBay."""
    quantity, sku = line["quantity"], line["sku"]
    db.execute("UPDATE inventory_items SET quantity=MAX(0, quantity-?) WHERE sku=?", (quantity, sku))
    db.execute("UPDATE offers SET available_quantity=MAX(0, available_quantity-?), "
               "sold_quantity=sold_quantity+? WHERE sku=? AND status='PUBLISHED'", (quantity, quantity, sku))
    db.execute("UPDATE hub_listings SET quantity=MAX(0, quantity-?) WHERE sku=? AND migrated=0", (quantity, sku))


def post_orders(req):
    """Create orders now (random lines from seeded listings unless ``lines`` is given)."""
    body = req.json(required=False)
    count = int(body.get("count", 1))
    with req.db.transaction() as db:
        lines = _explicit_lines(db, body["lines"]) if body.get("lines") else None
        pool = sellable(db)
        if not (lines or pool):
            raise _invalid("nothing to sell: seed listings first")
        orders = make_orders(db, count, pool, lines=lines, buyer=body.get("buyer"),
                             ebay_collected_tax=body.get("ebay_collected_tax"), age_days=0)
        for order in orders:
            for line in order["lineItems"]:
                _record_sale(db, line)
    return json_response({"orderIds": [order["orderId"] for order in orders]}, 201)


def post_cancel_order(req):
    """Mark an order cancelled by the buyer and bump lastModifiedDate."""
    with req.db.transaction() as db:
        refund_the_rest(db, req.params["orderId"])
        order = load_order(db, req.params["orderId"])
        now = iso()
        order["cancelStatus"] = {"cancelState": "CANCELED", "cancelledDate": now, "cancelRequests": [{
            "cancelInitiator": "BUYER", "cancelReason": "BUYER_ASKED_CANCEL", "cancelRequestedDate": now,
            "cancelRequestState": "COMPLETED"}]}
        order["orderPaymentStatus"] = "FULLY_REFUNDED"
        order["lastModifiedDate"] = now
        save_order(db, order)
    return json_response({"orderId": order["orderId"], "lastModifiedDate": now})


def get_listing(req):
    """Current quantity/price/offer/listing/status of a SKU (Inventory API offer, else Seller Hub listing)."""
    sku = req.params["sku"]
    row = req.db.one("SELECT o.offer_id, o.listing_id, o.status, o.available_quantity AS quantity, o.price, "
                     "o.currency, o.marketplace_id, o.data, i.quantity AS stock, i.locale FROM offers o "
                     "JOIN inventory_items i ON i.sku=o.sku "
                     "WHERE o.sku=? ORDER BY o.status='PUBLISHED' DESC, o.offer_id LIMIT 1", (sku,))
    if row is not None:
        return json_response({"sku": sku, "quantity": row["quantity"], "stock": row["stock"],
                              "price": {"value": row["price"], "currency": row["currency"]},
                              "offerId": row["offer_id"], "listingId": row["listing_id"], "status": row["status"],
                              "marketplaceId": row["marketplace_id"], "locale": row["locale"],
                              "offer": json.loads(row["data"])})
    hub = req.db.one("SELECT * FROM hub_listings WHERE sku=? AND migrated=0", (sku,))
    if hub is None:
        raise not_found(2, DOMAIN, f"no listing for SKU {sku}")
    return json_response({"sku": sku, "quantity": hub["quantity"], "stock": hub["quantity"],
                          "price": {"value": hub["price"], "currency": hub["currency"]}, "offerId": None,
                          "listingId": hub["listing_id"], "status": "SELLER_HUB", "format": hub["format"]})


def get_fulfillments(req):
    """Every shipping fulfillment recorded, with its order id."""
    rows = req.db.all("SELECT order_id, data FROM fulfillments ORDER BY fulfillment_id")
    return json_response({"fulfillments": [{"orderId": r["order_id"], **json.loads(r["data"])} for r in rows]})


@contextmanager
def _as_invalid():
    """Our own refusals (e.g. a non-loopback target) answer 400 instead of a server error."""
    try:
        yield
    except ValueError as exc:
        raise _invalid(str(exc)) from None


def post_notify(req):
    """Sign and POST an eBay-shaped notification to ``target_url``; answers the target's status."""
    body = req.json()
    target_url, topic = _required(body, "target_url", "topic")
    with _as_invalid():
        return json_response(notification.deliver(req.db, target_url, topic, body.get("data") or {}))


def post_challenge(req):
    """Run the endpoint challenge handshake against ``endpoint_url``."""
    endpoint_url, token = _required(req.json(), "endpoint_url", "verification_token")
    with _as_invalid():
        return json_response(notification.challenge(endpoint_url, token))


def post_seed(req):
    """Seed more data (same arguments as ``SimulatorServer.seed``)."""
    body = req.json(required=False)
    allowed = {"demo", "items", "orders", "seller_hub_listings", "categories"}
    if set(body) - allowed:
        raise _invalid(f"unknown seed arguments: {sorted(set(body) - allowed)}")
    try:
        return json_response(seed(req.db, accept_url=req.sim.accept_url, **body))
    except (TypeError, ValueError) as exc:
        raise _invalid(str(exc)) from None


def get_health(req):
    """Liveness probe."""
    return json_response({"ok": True})


ROUTES = [
    ("POST", "/_sim/apps", post_apps, "sim"),
    ("POST", "/_sim/faults", post_faults, "sim"),
    ("POST", "/_sim/expire_tokens", post_expire_tokens, "sim"),
    ("POST", "/_sim/fail_sku", post_fail_sku, "sim"),
    ("GET", "/_sim/calls", get_calls, "sim"),
    ("POST", "/_sim/calls/reset", post_calls_reset, "sim"),
    ("POST", "/_sim/orders", post_orders, "sim"),
    ("POST", "/_sim/orders/{orderId}/cancel", post_cancel_order, "sim"),
    ("GET", "/_sim/listings/{sku}", get_listing, "sim"),
    ("GET", "/_sim/fulfillments", get_fulfillments, "sim"),
    ("POST", "/_sim/notify", post_notify, "sim"),
    ("POST", "/_sim/challenge", post_challenge, "sim"),
    ("POST", "/_sim/seed", post_seed, "sim"),
    ("GET", "/_sim/health", get_health, "sim"),
]
