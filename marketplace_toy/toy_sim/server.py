"""The toy platform's simulator: orders in (pages, ids), stock out (by SKU), over real HTTP, state in memory.

It refuses what the toy platform's API refuses (``toy_api/client.py``): a wrong API key (401), pages over 50
orders or over 50 ids, stock calls over 20 items (400), and per item an unknown SKU or a quantity that is not a
whole number from 0. ``/_sim/...`` controls make orders and read what it received.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

try:
    from ...marketplace_simulators.sim_server import BackgroundSimulator, SimulatorHTTPServer
    from ..toy_api.client import KEY_HEADER, MAX_IDS, MAX_PAGE_SIZE, MAX_STOCK_ITEMS
except ImportError:  # top-level (plain pytest with the repository and marketplace_toy on the path)
    from toy_api.client import KEY_HEADER, MAX_IDS, MAX_PAGE_SIZE, MAX_STOCK_ITEMS

    from marketplace_simulators.sim_server import BackgroundSimulator, SimulatorHTTPServer

DEMO_API_KEY = "toy-demo-key-0123456789"
CATALOGUE = {"TOY-1": 5, "TOY-2": 5, "TOY-3": 5}  # SKU -> the platform's quantity


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class State:
    """The platform's orders (in their sequence), stock and the calls received, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.api_key = DEMO_API_KEY
        self.orders = []
        self.stock = dict(CATALOGUE)
        self.calls = {}

    def new_order(self, lines, buyer="toy_buyer", status="paid"):
        number = 1001 + len(self.orders)
        order_lines = [{"id": "T%s-%s" % (number, index), "sku": sku, "quantity": quantity, "price": "%.2f" % price}
                       for index, (sku, quantity, price) in enumerate(lines, 1)]
        order = {"id": "T%s" % number, "status": status, "currency": "EUR",
                 "total": "%.2f" % sum(quantity * price for _sku, quantity, price in lines),
                 "buyer": {"username": buyer, "name": buyer.title(), "street": "1 Toy Street", "city": "Toytown",
                           "zip": "1000", "country": "BE"},
                 "lines": order_lines}
        self.orders.append(order)
        return order


def _whole(value, name, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, "%s must be a whole number" % name) from None
    if not low <= number <= high:
        raise ApiError(400, "%s must be from %s to %s" % (name, low, high))
    return number


def get_orders(state, query, _body):
    if "ids" in query:
        ids = [order_id for order_id in query["ids"].split(",") if order_id]
        if len(ids) > MAX_IDS:
            raise ApiError(400, "at most %s ids" % MAX_IDS)
        return {"orders": [order for order in state.orders if order["id"] in ids]}
    after = _whole(query.get("after", 0), "after", 0, len(state.orders))
    limit = _whole(query.get("limit", MAX_PAGE_SIZE), "limit", 1, MAX_PAGE_SIZE)
    page = state.orders[after:after + limit]
    return {"orders": page, "next_after": after + limit if after + limit < len(state.orders) else None}


def post_stock(state, _query, body):
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_STOCK_ITEMS:
        raise ApiError(400, "items: a list of 1 to %s stock items" % MAX_STOCK_ITEMS)
    results = []
    for item in items:
        sku, quantity = item.get("sku"), item.get("quantity")
        if sku not in state.stock:
            results.append({"sku": sku, "error": "unknown SKU"})
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            results.append({"sku": sku, "error": "quantity must be a whole number from 0"})
        else:
            state.stock[sku] = quantity
            results.append({"sku": sku})
    return {"results": results}


def control_new_order(state, _query, body):
    return state.new_order([tuple(line) for line in body["lines"]], body.get("buyer", "toy_buyer"),
                           body.get("status", "paid"))


def control_stock(state, _query, _body):
    return {"stock": state.stock}


def control_calls(state, _query, _body):
    return {"calls": state.calls}


def control_reset_calls(state, _query, _body):
    state.calls.clear()
    return {}


ROUTES = {
    ("GET", "/v1/orders"): get_orders,
    ("POST", "/v1/stock"): post_stock,
    ("POST", "/_sim/orders"): control_new_order,
    ("GET", "/_sim/stock"): control_stock,
    ("GET", "/_sim/calls"): control_calls,
    ("POST", "/_sim/calls/reset"): control_reset_calls,
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - fixed by BaseHTTPRequestHandler
        """Quiet: the tests read the calls through /_sim/calls."""

    def do_GET(self):  # noqa: N802 - fixed by BaseHTTPRequestHandler
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802 - fixed by BaseHTTPRequestHandler
        self._dispatch("POST")

    def _dispatch(self, method):
        url = urlsplit(self.path)
        handler = ROUTES.get((method, url.path))
        state = self.server.state
        try:
            if handler is None:
                raise ApiError(404, "no such endpoint")
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            with state.lock:
                if not url.path.startswith("/_sim/"):
                    if self.headers.get(KEY_HEADER) != state.api_key:
                        raise ApiError(401, "unknown API key")
                    name = "%s %s" % (method, url.path)
                    state.calls[name] = state.calls.get(name, 0) + 1
                answer, status = handler(state, query, body), 200
        except ApiError as exc:
            answer, status = {"error": str(exc)}, exc.status
        except (ValueError, KeyError, TypeError) as exc:
            answer, status = {"error": "bad request: %s" % exc}, 400
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ToySimulator(BackgroundSimulator):
    """Made as ``serve_simulator`` makes simulators (a state path, host, port); the toy keeps its state in memory,
    so the path is not used."""

    thread_name = "toy-simulator"

    def __init__(self, _state_path=None, host="127.0.0.1", port=0):
        self._httpd = SimulatorHTTPServer((host, port), Handler)
        self._httpd.state = State()

    def seed(self, api_key=DEMO_API_KEY):
        self._httpd.state.api_key = api_key

    def _close_state(self):
        self._httpd.state = None
