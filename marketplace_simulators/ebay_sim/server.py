"""The HTTP server: routing, auth, faults, request ids, and the ``SimulatorServer`` lifecycle.

Stdlib only (``http.server.ThreadingHTTPServer`` with HTTP/1.1 keep-alive). One base URL serves what eBay has
on api.ebay.com and on auth.ebay.com.
"""
import logging
import secrets
import select
import time
from urllib.parse import urlsplit

from ..sim_server import BackgroundSimulator, SimulatorHandler, SimulatorHTTPServer
from . import (
    browse,
    bulk_update,
    catalog,
    controls,
    feed,
    finances,
    fulfillment,
    inventory,
    migration,
    notification,
    oauth,
    payment_dispute,
    post_order,
    post_order_inquiries,
    post_order_returns,
    publishing,
    refunds,
    signatures,
    taxonomy,
)
from .errors import EbayError, internal_error, resource_not_found, too_many_requests
from .faults import CallCounter, Faults
from .routing import Request, Route, json_response
from .seed import seed as run_seed
from .store import Store

LOG = logging.getLogger(__name__)
ROUTES = [Route(*spec) for module in (oauth, taxonomy, browse, inventory, bulk_update, migration, feed, fulfillment,
                                      notification, publishing, catalog, post_order, post_order_returns,
                                      post_order_inquiries, payment_dispute, signatures, finances, refunds, controls)
          for spec in module.ROUTES]
ROUTES_BY_METHOD = {method: [r for r in ROUTES if r.method == method] for method in ("GET", "POST", "PUT",
                                                                                       "DELETE")}
FAULTED = {"user", "any", "public", "iaf"}  # eBay API endpoints; not the consent page nor /_sim
COUNTED = FAULTED | {"consent"}
UNANSWERED_HOLD_SECONDS = 120             # an unanswered request waits at most this for its client to give up


def request_id():
    """Value for ``X-EBAY-C-REQUEST-ID`` in the ``ri=...,rci=...`` form seen in captured eBay responses."""
    return f"ri={secrets.token_urlsafe(9)},rci={secrets.token_urlsafe(12)}"


def find_route(method, path):
    """The route and its path parameters, or ``(None, None)``."""
    for route in ROUTES_BY_METHOD.get(method, ()):
        match = route.pattern.match(path)
        if match:
            return route, match.groupdict()
    return None, None


class Handler(SimulatorHandler):
    """One HTTP request: dispatch to a route, turning eBay errors into eBay-shaped responses."""

    server_version = "ebay-sim/1.0"

    def _dispatch(self):
        sim = self.server.sim
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, url.path, url.query, self.headers, body, sim)
        route, params = find_route(self.command, url.path)
        try:
            response = self._run(route, params, req) if route else None
            if response is None:
                raise resource_not_found()
        except EbayError as exc:
            response = json_response({"errors": exc.errors}, exc.status, exc.headers)
        except Exception:  # noqa: BLE001 - any bug must still answer like eBay's 500, and be logged
            LOG.exception("simulator handler failed: %s %s", self.command, self.path)
            response = json_response({"errors": internal_error().errors}, 500)
        if route and route.access in FAULTED and sim.faults.take_unanswered(self.command, url.path):
            self._leave_unanswered()
            return
        self._send(response)

    def _leave_unanswered(self):
        """The request was processed; answer nothing until the client gives up (its read timeout
        closes the connection), then drop the connection."""
        select.select([self.connection], [], [], UNANSWERED_HOLD_SECONDS)
        self.close_connection = True

    def _run(self, route, params, req):
        sim = req.sim
        req.params = params
        if route.access in COUNTED:
            sim.calls.record(route.call_key)
        if route.access in FAULTED:
            delay, fault = sim.faults.draw()
            if delay:
                time.sleep(delay)
            if fault == "429":
                raise too_many_requests(sim.faults.retry_after)
            if fault == "5xx":
                raise internal_error()
        with sim.store.connection() as db:
            req.db = db
            if route.access in ("user", "any", "iaf"):
                req.token = oauth.authenticate(req, route.access)
            return route.handler(req)

    def _send(self, response):
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-EBAY-C-REQUEST-ID", request_id())
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _HTTPServer(SimulatorHTTPServer):
    request_queue_size = 128


class SimulatorServer(BackgroundSimulator):
    """The simulator, served by ``BackgroundSimulator`` (start/stop, base_url); state is in SQLite."""

    thread_name = "ebay-sim"

    def __init__(self, db_path, host="127.0.0.1", port=0, accept_url=None):
        self.store = Store(db_path)
        self.faults = Faults()
        self.calls = CallCounter()
        self.accept_url = accept_url
        self._httpd = _HTTPServer((host, port), Handler)
        self._httpd.sim = self
        with self.store.connection() as db:
            notification.ensure_key(db)

    def _close_state(self):
        self.store.close()

    def seed(self, demo=False, items=0, orders=0, seller_hub_listings=0, categories=None):
        """Seed data (see docs/ebay-simulator.md); deterministic for the same arguments on a fresh database."""
        with self.store.connection() as db:
            return run_seed(db, demo=demo, items=items, orders=orders, seller_hub_listings=seller_hub_listings,
                            categories=categories, accept_url=self.accept_url)
