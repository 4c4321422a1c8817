"""A local Shopee Open Platform v2 (the parts the connector uses), over real HTTP with state in SQLite.

It checks what Shopee checks - signatures, 5-minute timestamps, single-use codes and refresh tokens,
access tokens per shop, the 15-day window, page and batch sizes - answers in Shopee's envelope
(``request_id``, ``error``, ``message``, ``response``), and posts signed pushes. Faults (429, 500,
refused models, slow tracking numbers, expired tokens) are set through ``/_sim/...`` controls.
See docs/shopee-simulator.md.
"""
import html
import json
import logging
import secrets
import threading
import time
import zlib
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from ..sim_server import BackgroundSimulator, SimulatorHandler, SimulatorHTTPServer
from . import logistics as sim_logistics
from . import payments as sim_payments
from . import returns as sim_returns
from . import signing
from .errors import ApiError
from .seed import make_order
from .seed import seed as run_seed
from .store import Store, order_json

LOG = logging.getLogger(__name__)
ACCESS_SECONDS = 4 * 3600
REFRESH_SECONDS = 30 * 24 * 3600
CODE_SECONDS = 600
ORDER_STATUS_PUSH = 3   # Shopee's order_status_push
MAX_WINDOW_SECONDS = 15 * 24 * 3600
# what /_sim/faults {"errors": {name: n}} makes the next n API calls answer: (error, message, HTTP status), the
# codes and messages of Shopee's "Common Error Codes" (the HTTP statuses are the simulator's own guess)
ERROR_FAULTS = {
    "error_rate_limit": ("error_rate_limit", "Too many requests. Rate limit reached.", 429),
    "error_limit": ("error_limit", "Daily API call limit reached. Retry after 00:00 (UTC+08:00).", 429),
    "error_system_busy": ("error_system_busy", "System is busy now. Please decrease the QPS then retry later.", 503),
    "no_permission": ("error_auth", "No permission to current api.", 403),
    "api_call_restricted": ("error_api_call_restricted", "The App permission for api call have been restricted.", 403),
    "shop_no_linked": ("shop_no_linked", "Partner and shop has no linked.", 403),
    "partner_shop_no_link": ("partner_shop_no_link", "Invalid partner_id or shop_id.", 403),
    "error_partner_key_expired": ("error_partner_key_expired",
                                  "API partner key expired. Reset Live API Partner Key.", 403),
    "source_ip_undeclared": ("source_ip_undeclared",
                             "Request Source IP is undeclared. Declare in Console > App list > IP Address Whitelist.",
                             403),
}


class Simulator:
    """State, faults and counters shared by the request handlers."""

    def __init__(self, db_path, push_url=None):
        self.store = Store(db_path)
        self.push_url = push_url
        # "429"/"500": the next N API calls fail before any work; "500_after": the next N shop POSTs do
        # their work, then answer 500 (a write that reached Shopee without the client knowing)
        self.faults = {"429": 0, "500": 0, "500_after": 0}
        self.error_faults = dict.fromkeys(ERROR_FAULTS, 0)  # Shopee's error codes on demand (ERROR_FAULTS)
        self.tracking_polls = 1  # get_tracking_number answers "" this many times after ship_order
        self.document_polls = 1  # get_shipping_document_result answers PROCESSING this many times
        self.calls = {}
        self.pushes = []
        self._lock = threading.Lock()

    def count(self, path):
        with self._lock:
            self.calls[path] = self.calls.get(path, 0) + 1

    def take_fault(self, kinds=("429", "500")):
        with self._lock:
            for kind in kinds:
                if self.faults[kind] > 0:
                    self.faults[kind] -= 1
                    return kind
        return None

    def take_error_fault(self):
        """(error, message, status) the next call must answer, if one was asked for."""
        with self._lock:
            for name, left in self.error_faults.items():
                if left > 0:
                    self.error_faults[name] -= 1
                    return ERROR_FAULTS[name]
        return None

    def partner_key(self, db, partner_id):
        row = db.execute("SELECT partner_key FROM partners WHERE partner_id = ?", (partner_id,)).fetchone()
        return row["partner_key"] if row else None

    # -- pushes ------------------------------------------------------------------
    def push(self, db, shop_id, code, data, url=None):
        """Post a signed push (in the background, as Shopee does) to ``url`` or the configured one."""
        url = url or self.push_url
        if not url:
            return None
        body, headers = self._signed_push(db, shop_id, code, data, url)
        thread = threading.Thread(target=self._deliver, args=(url, body, headers), daemon=True)
        thread.start()
        return thread

    def push_event(self, db, shop_id, code, data, body):
        """A /_sim control's event pushed as Shopee pushes it to a saved callback URL: unless the control's ``body``
        says ``"push": false``, to its ``push_url`` or the configured one (none: nothing is sent); with
        ``"wait_push": true`` the control answers once the push was answered (tests)."""
        if body.get("push", True) is False:
            return
        thread = self.push(db, shop_id, code, data, body.get("push_url"))
        if thread and body.get("wait_push"):
            thread.join(30)

    def verify_callback(self, db, url):
        """The console's Verify of a callback URL: a push naming no order, signed with the push key, posted at
        once; the URL is kept only when it answers 2xx (the console refuses to save it otherwise)."""
        body, headers = self._signed_push(db, 0, 0, {}, url)
        status = self._deliver(url, body, headers)
        if isinstance(status, int) and 200 <= status < 300:
            self.push_url = url
        return status

    @staticmethod
    def _signed_push(db, shop_id, code, data, url):
        """(body, headers) of a push signed as Shopee signs them: with the Live Push Partner Key, not the API
        partner key (a partner without a push key signs with its partner key)."""
        partner = db.execute("SELECT partner_key, push_key FROM partners ORDER BY partner_id").fetchone()
        body = json.dumps({"shop_id": shop_id, "code": code, "timestamp": int(time.time()), "data": data},
                          separators=(",", ":")).encode()
        key = partner["push_key"] or partner["partner_key"]
        return body, {"Content-Type": "application/json", "Authorization": signing.push_authorization(key, url, body)}

    def _deliver(self, url, body, headers):
        try:
            status = requests.post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException as exc:
            status = str(exc)
        with self._lock:
            self.pushes.append({"url": url, "status": status, "body": body.decode()})
        return status


class Handler(SimulatorHandler):
    server_version = "shopee-sim/1.0"

    @property
    def sim(self):
        return self.server.sim

    def _dispatch(self):
        self.shop_id = None
        url = urlsplit(self.path)
        self.query = {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(length) if length else b""
        route = ROUTES.get((self.command, url.path))
        if route is None:
            return self._json({"error": "error_not_found", "message": "no such API", "request_id": _rid()}, 404)
        kind, handler = route
        try:
            if kind in ("shop", "public"):
                self.sim.count(url.path)
                fault = self.sim.take_fault()
                if fault == "429":
                    raise ApiError(*ERROR_FAULTS["error_rate_limit"])
                error = self.sim.take_error_fault()
                if error:
                    raise ApiError(*error)
                if fault == "500":
                    raise ApiError("error_server", "internal error", 500)
            with self.sim.store.transaction() as db:
                if kind in ("shop", "public"):
                    self.shop_id = self._authenticate(db, url.path, kind)
                result = handler(self, db)
            if kind == "shop" and self.command == "POST" and self.sim.take_fault(("500_after",)):
                raise ApiError("error_server", "internal error", 500)
        except ApiError as exc:
            return self._json({"error": exc.error, "message": exc.message, "request_id": _rid()}, exc.status)
        except Exception:  # noqa: BLE001 - a bug answers like Shopee's 500, and is logged
            LOG.exception("shopee simulator failed on %s %s", self.command, self.path)
            return self._json({"error": "error_server", "message": "internal error", "request_id": _rid()}, 500)
        if isinstance(result, tuple):  # (status, headers, body) of a page or a redirect
            return self._send(*result)
        if kind == "shop":
            result = {"error": "", "message": "", "request_id": _rid(), "response": result}
        elif kind == "public":  # the auth calls answer at the top level
            result = {"request_id": _rid(), "error": "", "message": "", **result}
        return self._json(result)

    def _authenticate(self, db, path, kind):
        """Check the common parameters and signature as Shopee does; returns the shop id of a shop call."""
        query = self.query
        try:
            partner_id, timestamp = int(query["partner_id"]), int(query["timestamp"])
        except (KeyError, ValueError) as exc:
            raise ApiError("error_param", "partner_id and timestamp are required") from exc
        key = self.sim.partner_key(db, partner_id)
        if key is None:
            raise ApiError("error_auth", "invalid partner_id", 403)
        if not signing.timestamp_is_fresh(timestamp, time.time()):
            raise ApiError("error_param", "Timestamp is expired.", 403)
        token = query.get("access_token", "") if kind == "shop" else ""
        shop_id = query.get("shop_id", "") if kind == "shop" else ""
        expected = signing.call_signature(key, partner_id, path, timestamp, token, shop_id)
        if not secrets.compare_digest(expected, query.get("sign", "")):
            raise ApiError("error_sign", "wrong sign", 403)
        if kind != "shop":
            return None
        row = db.execute("SELECT shop_id, expires_at FROM access_tokens WHERE token = ? UNION ALL "
                         "SELECT shop_id, expires_at FROM main_account_tokens WHERE access_token = ? AND shop_id = ?",
                         (token, token, shop_id)).fetchone()
        if row is None or str(row["shop_id"]) != shop_id or row["expires_at"] < time.time():
            raise ApiError("invalid_acceess_token", "Invalid access_token.", 403)
        return row["shop_id"]

    def body(self):
        try:
            data = json.loads(self.raw or b"{}")
        except ValueError as exc:
            raise ApiError("error_param", "body is not JSON") from exc
        if not isinstance(data, dict):
            raise ApiError("error_param", "body must be an object")
        return data

    def form(self):
        """A multipart/form-data body: ``({name: text}, {name: (filename, mimetype, bytes)})``."""
        content_type = self.headers.get("Content-Type") or ""
        if not content_type.startswith("multipart/form-data"):
            raise ApiError("error_param", "body must be multipart/form-data")
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n"
                                                      + self.raw)
        fields, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename() is not None:
                files[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            else:
                fields[name] = part.get_payload(decode=True).decode()
        return fields, files

    def _json(self, data, status=200):
        return self._send(status, {"Content-Type": "application/json"}, json.dumps(data).encode())

    def _send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _dispatch


def _rid():
    return secrets.token_hex(16)


# ---------------------------------------------------------------- authorization

def auth_partner_page(req, db):
    """The seller's authorization page (the sign and timestamp are checked as for a public call): a shop
    account authorizes its shop, a main account the shops under it."""
    redirect = req.query.get("redirect")
    if not redirect:
        raise ApiError("error_param", "redirect is required")
    shops = db.execute("SELECT * FROM shops ORDER BY shop_id").fetchall()
    options = "".join(f'<option value="{s["shop_id"]}">{html.escape(s["name"])} ({s["shop_id"]})</option>'
                      for s in shops)
    accounts = db.execute("SELECT DISTINCT main_account_id FROM main_account_shops ORDER BY 1").fetchall()
    main_options = "".join(f'<option value="{a[0]}">{a[0]}</option>' for a in accounts)
    page = f"""<!DOCTYPE html><html><head><title>Shopee Open Platform - Authorize</title></head><body>
<h1>Authorize partner {int(req.query['partner_id'])}</h1>
<form method="post" action="/api/v2/shop/auth_partner/confirm">
<input type="hidden" name="partner_id" value="{int(req.query['partner_id'])}"/>
<input type="hidden" name="redirect" value="{html.escape(redirect)}"/>
<select name="shop_id">{options}</select>
<button type="submit" name="decision" value="confirm">Confirm Authorization</button></form>
<h2>Main account</h2>
<form method="post" action="/api/v2/shop/auth_partner/confirm">
<input type="hidden" name="partner_id" value="{int(req.query['partner_id'])}"/>
<input type="hidden" name="redirect" value="{html.escape(redirect)}"/>
<select name="main_account_id">{main_options}</select>
<button type="submit" name="decision" value="confirm">Confirm Authorization</button></form></body></html>"""
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def auth_partner_confirm(req, db):
    """"Confirm Authorization": a single-use code for the chosen shop (redirect with ``code`` and ``shop_id``)
    or main account (with ``code`` and ``main_account_id``), sent to the redirect URL."""
    form = {key: values[0] for key, values in parse_qs(req.raw.decode()).items()}
    if not form.get("redirect"):
        raise ApiError("error_param", "redirect is required")
    if form.get("main_account_id"):
        main_account_id = int(form["main_account_id"])
        if not _main_account_shops(db, main_account_id):
            raise ApiError("error_param", "no such main account")
        shop_id, granted = None, {"main_account_id": main_account_id}
    else:
        shop = db.execute("SELECT * FROM shops WHERE shop_id = ?", (int(form.get("shop_id") or 0),)).fetchone()
        if shop is None:
            raise ApiError("error_param", "choose a shop")
        main_account_id, shop_id, granted = None, shop["shop_id"], {"shop_id": shop["shop_id"]}
    code = secrets.token_hex(16)
    db.execute("INSERT INTO auth_codes (code, partner_id, shop_id, expires_at, used, main_account_id) "
               "VALUES (?, ?, ?, ?, 0, ?)",
               (code, int(form["partner_id"]), shop_id, time.time() + CODE_SECONDS, main_account_id))
    redirect = form["redirect"]
    location = redirect + ("&" if "?" in redirect else "?") + urlencode({"code": code, **granted})
    return 302, {"Location": location}, b""


def _main_account_shops(db, main_account_id):
    return [row[0] for row in db.execute(
        "SELECT shop_id FROM main_account_shops WHERE main_account_id = ? ORDER BY shop_id", (main_account_id,))]


def _new_tokens(db, shop_id):
    access, refresh = secrets.token_hex(16), secrets.token_hex(16)
    now = time.time()
    db.execute("INSERT INTO access_tokens VALUES (?, ?, ?)", (access, shop_id, now + ACCESS_SECONDS))
    db.execute("INSERT INTO refresh_tokens VALUES (?, ?, ?, 0)", (refresh, shop_id, now + REFRESH_SECONDS))
    return {"access_token": access, "refresh_token": refresh, "expire_in": ACCESS_SECONDS}


def token_get(req, db):
    """GetAccessToken: a code for ``shop_id`` gives that shop's pair; a code for ``main_account_id`` gives one
    pair for all the shops authorized with it, and ``shop_id_list`` (each shop's first refresh gives it a pair
    of its own, see access_token_get)."""
    body = req.body()
    row = db.execute("SELECT * FROM auth_codes WHERE code = ?", (str(body.get("code")),)).fetchone()
    if row is None or row["used"] or row["expires_at"] < time.time():
        raise ApiError("error_auth", "Invalid code", 403)
    if bool(body.get("shop_id")) == bool(body.get("main_account_id")):
        raise ApiError("error_param", "Either shop_id or main_account_id is required, not both.")
    if (row["shop_id"], row["main_account_id"]) != (body.get("shop_id"), body.get("main_account_id")):
        raise ApiError("error_auth", "Invalid code", 403)
    db.execute("UPDATE auth_codes SET used = 1 WHERE code = ?", (row["code"],))
    if row["shop_id"]:
        return _new_tokens(db, row["shop_id"])
    shop_ids = _main_account_shops(db, row["main_account_id"])
    access, refresh, now = secrets.token_hex(16), secrets.token_hex(16), time.time()
    db.executemany("INSERT INTO main_account_tokens VALUES (?, ?, ?, ?, ?, 0)",
                   [(access, refresh, shop_id, now + ACCESS_SECONDS, now + REFRESH_SECONDS) for shop_id in shop_ids])
    return {"access_token": access, "refresh_token": refresh, "expire_in": ACCESS_SECONDS,
            "shop_id_list": shop_ids, "merchant_id_list": []}


def access_token_get(req, db):
    """Refresh: the refresh token is spent, a new pair comes back (the old access token stays valid 5 min).
    A main account's shared refresh token is spent once by each of its shops."""
    body = req.body()
    shop_id = body.get("shop_id")
    if not isinstance(shop_id, int) or body.get("partner_id") != int(req.query["partner_id"]):
        raise ApiError("error_param", "shop_id and partner_id (the query's) are required integers")
    token = str(body.get("refresh_token"))
    row = db.execute("SELECT * FROM refresh_tokens WHERE token = ?", (token,)).fetchone()
    if row is not None:
        if row["used"] or row["expires_at"] < time.time() or row["shop_id"] != shop_id:
            raise ApiError("error_auth", "Invalid refresh_token", 403)
        db.execute("UPDATE refresh_tokens SET used = 1 WHERE token = ?", (token,))
    else:
        shared = db.execute("SELECT * FROM main_account_tokens WHERE refresh_token = ? AND shop_id = ?",
                            (token, shop_id)).fetchone()
        if shared is None or shared["refreshed"] or shared["refresh_expires_at"] < time.time():
            raise ApiError("error_auth", "Invalid refresh_token", 403)
        db.execute("UPDATE main_account_tokens SET refreshed = 1 WHERE refresh_token = ? AND shop_id = ?",
                   (token, shop_id))
    db.execute("UPDATE access_tokens SET expires_at = MIN(expires_at, ?) WHERE shop_id = ?",
               (time.time() + 300, shop_id))
    return dict(_new_tokens(db, shop_id), partner_id=body["partner_id"], shop_id=shop_id)

# ---------------------------------------------------------------- orders

def get_order_list(req, db):
    query = req.query
    try:
        time_from, time_to = int(query["time_from"]), int(query["time_to"])
        page_size = int(query.get("page_size") or 0)
        offset = int(query.get("cursor") or 0)
    except (KeyError, ValueError) as exc:
        raise ApiError("error_param", "time_from, time_to and page_size are required integers") from exc
    if query.get("time_range_field") not in ("create_time", "update_time"):
        raise ApiError("error_param", "time_range_field must be create_time or update_time")
    if time_to - time_from >= MAX_WINDOW_SECONDS or time_to < time_from:
        raise ApiError("error_param", "time_from and time_to must be less than 15 days apart")
    if not 1 <= page_size <= 100:
        raise ApiError("error_param", "page_size must be between 1 and 100")
    column = query["time_range_field"]
    status = query.get("order_status") or ""
    if status and status not in ORDER_STATUSES:
        raise ApiError("error_param", f"order_status {status} is not one of {', '.join(sorted(ORDER_STATUSES))}")
    rows = db.execute(f"SELECT order_sn, status FROM orders WHERE shop_id = ? AND {column} BETWEEN ? AND ? "
                      f"AND (? = '' OR status = ?) ORDER BY {column}, order_sn LIMIT ? OFFSET ?",
                      (req.shop_id, time_from, time_to, status, status, page_size + 1, offset)).fetchall()
    more = len(rows) > page_size
    return {"more": more, "next_cursor": str(offset + page_size) if more else "",
            "order_list": [{"order_sn": r["order_sn"], "order_status": r["status"]} for r in rows[:page_size]]}


def get_order_detail(req, db):
    sns = [sn for sn in (req.query.get("order_sn_list") or "").split(",") if sn]
    if not 1 <= len(sns) <= 50:
        raise ApiError("error_param", "order_sn_list takes 1 to 50 order numbers")
    marks = ",".join("?" * len(sns))
    rows = db.execute(f"SELECT data FROM orders WHERE shop_id = ? AND order_sn IN ({marks})",
                      (req.shop_id, *sns)).fetchall()
    return {"order_list": [order_json(row) for row in rows]}


# ---------------------------------------------------------------- cancellations

ORDER_STATUSES = {"UNPAID", "READY_TO_SHIP", "PROCESSED", "SHIPPED", "COMPLETED", "IN_CANCEL", "CANCELLED",
                  "INVOICE_PENDING", "TO_RETURN"}
CANCELLABLE = ("UNPAID", "READY_TO_SHIP")          # not once the shipment is arranged (PROCESSED) or later
UNDELIVERABLE_REGIONS = ("TW", "MY")


def _cancellable(db, row):
    shipped = db.execute("SELECT 1 FROM shipped_packages WHERE order_sn = ?", (row["order_sn"],)).fetchone()
    if row["status"] not in CANCELLABLE or shipped:
        raise ApiError("order.order_status_error", f"order {row['order_sn']} is {row['status']}: it can no longer "
                       "be cancelled")


def _cancel(db, order_sn, cancel_by, reason):
    detail = _set_status(db, order_sn, "CANCELLED")
    detail.update(cancel_by=cancel_by, cancel_reason=reason)
    db.execute("UPDATE orders SET data = ? WHERE order_sn = ?", (json.dumps(detail), order_sn))
    return detail


def handle_buyer_cancellation(req, db):
    """``{order_sn, operation: ACCEPT|REJECT}`` on an IN_CANCEL order: cancelled, or back where it was."""
    body = req.body()
    row = _order(db, req.shop_id, str(body.get("order_sn") or ""))
    if body.get("operation") not in ("ACCEPT", "REJECT"):
        raise ApiError("error_param", "operation must be ACCEPT or REJECT")
    if row["status"] != "IN_CANCEL":
        raise ApiError("order.order_status_error", f"order {row['order_sn']} has no buyer cancellation to handle")
    detail = json.loads(row["data"])
    if body["operation"] == "ACCEPT":
        detail = _cancel(db, row["order_sn"], "buyer", detail.get("buyer_cancel_reason") or "")
    else:
        detail = _set_status(db, row["order_sn"], db.execute(
            "SELECT value FROM meta WHERE key = ?", ("before_cancel:" + row["order_sn"],)).fetchone()["value"])
    return {"update_time": detail["update_time"]}


def cancel_order(req, db):
    """``{order_sn, cancel_reason, item_list}``: OUT_OF_STOCK names order items; UNDELIVERABLE_AREA only in TW
    and MY (Shopee's reference)."""
    body = req.body()
    row = _order(db, req.shop_id, str(body.get("order_sn") or ""))
    reason = body.get("cancel_reason")
    region = db.execute("SELECT region FROM shops WHERE shop_id = ?", (req.shop_id,)).fetchone()["region"]
    if reason not in ("OUT_OF_STOCK", "UNDELIVERABLE_AREA") or (
            reason == "UNDELIVERABLE_AREA" and region not in UNDELIVERABLE_REGIONS):
        raise ApiError("error_param", f"cancel_reason {reason} is not accepted in {region}")
    detail = json.loads(row["data"])
    if reason == "OUT_OF_STOCK":
        ordered = {(int(item["item_id"]), int(item.get("model_id") or 0)) for item in detail["item_list"]}
        named = {(int(item.get("item_id") or 0), int(item.get("model_id") or 0))
                 for item in body.get("item_list") or () if isinstance(item, dict)}
        if not named or not named <= ordered:
            raise ApiError("error_param", "item_list must name items of the order when cancel_reason is OUT_OF_STOCK")
    _cancellable(db, row)
    return {"update_time": _cancel(db, row["order_sn"], "seller", reason)["update_time"]}


def _status_push(detail):
    """The data of Shopee's order status push (code 3) for an order's detail."""
    return {"ordersn": detail["order_sn"], "status": detail["order_status"], "update_time": detail["update_time"]}


def control_buyer_cancel(req, db):
    """``{"order_sn", "reason"?, "push"?, "push_url"?, "wait_push"?}``: the buyer asks to cancel an order not
    shipped yet: it is IN_CANCEL, and Shopee pushes that status (code 3) to the saved callback URL."""
    body = req.body()
    row = db.execute("SELECT * FROM orders WHERE order_sn = ?", (str(body.get("order_sn") or ""),)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"order {body.get('order_sn')} not found")
    _cancellable(db, row)
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("before_cancel:" + row["order_sn"], row["status"]))
    _set_status(db, row["order_sn"], "IN_CANCEL")
    detail = json.loads(_order(db, row["shop_id"], row["order_sn"])["data"])
    detail.update(buyer_cancel_reason=body.get("reason") or "Need to change delivery address", cancel_by="buyer")
    db.execute("UPDATE orders SET data = ? WHERE order_sn = ?", (json.dumps(detail), row["order_sn"]))
    req.sim.push_event(db, row["shop_id"], ORDER_STATUS_PUSH, _status_push(detail), body)
    return {"order_sn": row["order_sn"], "update_time": detail["update_time"]}


# ---------------------------------------------------------------- stock and prices

def _update_models(req, db, list_key, column, read):
    body = req.body()
    entries = body.get(list_key)
    if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
        raise ApiError("error_param", f"{list_key} takes 1 to 50 models")
    item_id = int(body.get("item_id") or 0)
    if not db.execute("SELECT 1 FROM models WHERE shop_id = ? AND item_id = ?", (req.shop_id, item_id)).fetchone():
        raise ApiError("error_item_not_found", f"item {item_id} not found")
    success, failure = [], []
    for entry in entries:
        model_id = int(entry.get("model_id") or 0)
        failed = db.execute("SELECT reason FROM fail_models WHERE item_id = ? AND model_id = ?",
                            (item_id, model_id)).fetchone()
        exists = db.execute("SELECT 1 FROM models WHERE shop_id = ? AND item_id = ? AND model_id = ?",
                            (req.shop_id, item_id, model_id)).fetchone()
        if failed or not exists:
            failure.append({"model_id": model_id, "failed_reason": failed["reason"] if failed else "model not found"})
            continue
        value = read(entry)
        db.execute(f"UPDATE models SET {column} = ? WHERE shop_id = ? AND item_id = ? AND model_id = ?",
                   (value, req.shop_id, item_id, model_id))
        success.append({"model_id": model_id, column if column == "stock" else "original_price": value})
    return {"success_list": success, "failure_list": failure}


def update_stock(req, db):
    return _update_models(req, db, "stock_list", "stock", lambda e: int(e["seller_stock"][0]["stock"]))


def update_price(req, db):
    """Prices with decimals are refused outside SG/MY/BR/MX/PL/ES/AR (Shopee's reference: "other regions can
    only set the price as an integer"); the refusal's code and wording are the simulator's own."""
    region = db.execute("SELECT region FROM shops WHERE shop_id = ?", (req.shop_id,)).fetchone()["region"]
    if region not in signing.DECIMAL_REGIONS:
        for entry in req.body().get("price_list") or ():
            price = entry.get("original_price")
            if not isinstance(price, (int, float)) or price != int(price):
                raise ApiError("error_param", f"original_price {price!r}: prices in {region} are integers")
    return _update_models(req, db, "price_list", "price", lambda e: float(e["original_price"]))


# ---------------------------------------------------------------- logistics

LOGISTICS_READY = "LOGISTICS_READY"
ARRANGED_STATUS = {"pickup": "LOGISTICS_REQUEST_CREATED", "dropoff": "LOGISTICS_REQUEST_CREATED",
                   "non_integrated": "LOGISTICS_PICKUP_DONE"}


def _order(db, shop_id, order_sn):
    row = db.execute("SELECT * FROM orders WHERE shop_id = ? AND order_sn = ?", (shop_id, order_sn)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"order {order_sn} not found")
    return row


def _package(detail, package_number, need_error="logistics.package_number_not_exist", not_need_error=None):
    """The package a logistics call names: a split order's calls must name one of its packages; ship_order
    refuses a package_number for an order in one package (``not_need_error``)."""
    packages = detail["package_list"]
    if len(packages) == 1 and not package_number:
        return packages[0]
    if len(packages) == 1 and not_need_error:
        raise ApiError(not_need_error, "Please don't request with package_number for this unsplit order.")
    if not package_number:
        raise ApiError(need_error, "Please request with package_number for this split order.")
    package = next((p for p in packages if p["package_number"] == package_number), None)
    if package is None:
        raise ApiError("logistics.package_number_not_exist", f"The package_number {package_number} is not exist.")
    return package


def _profile(db, shop_id):
    row = db.execute("SELECT value FROM meta WHERE key = ?", (f"logistics:{shop_id}",)).fetchone()
    return row["value"] if row else "default"


def get_shipping_parameter(req, db):
    row = _order(db, req.shop_id, req.query.get("order_sn", ""))
    package = _package(json.loads(row["data"]), req.query.get("package_number"))
    if row["status"] != "READY_TO_SHIP" or package["logistics_status"] != LOGISTICS_READY:
        raise ApiError("logistics.order_status_error", "order is not READY_TO_SHIP")
    return sim_logistics.shipping_parameter(_profile(db, req.shop_id), time.time())


def ship_order(req, db):
    """Arrange one package: refused unless every field info_needed lists for the chosen method is filled."""
    body = req.body()
    row = _order(db, req.shop_id, str(body.get("order_sn") or ""))
    detail = json.loads(row["data"])
    package = _package(detail, body.get("package_number"), "logistics.ship_order_need_pacakge_number",
                       "logistics.ship_order_not_need_pacakge_number")
    if package["logistics_status"] != LOGISTICS_READY:
        raise ApiError("logistics.package_already_shipped",
                       "This package has already been arranged shipment and you can't call this API again.")
    if row["status"] != "READY_TO_SHIP":
        raise ApiError("logistics.ship_order_not_ready_to_ship", "The order is not ready to ship.")
    methods = [m for m in ("pickup", "dropoff", "non_integrated") if m in body]
    if len(methods) != 1:
        raise ApiError("error_param", "give exactly one of pickup, dropoff, non_integrated")
    _check_ship_fields(_profile(db, req.shop_id), body, methods[0])
    tracking = ((body.get("dropoff") or body.get("non_integrated") or {}).get("tracking_number")
                or "TH%010dSIM" % zlib.crc32(package["package_number"].encode()))
    db.execute("INSERT INTO shipped_packages VALUES (?, ?, ?, ?, ?, ?)",
               (row["order_sn"], package["package_number"], methods[0], json.dumps(body), tracking,
                req.sim.tracking_polls))
    package["logistics_status"] = ARRANGED_STATUS[methods[0]]
    db.execute("UPDATE orders SET data = ? WHERE order_sn = ?", (json.dumps(detail), row["order_sn"]))
    if all(p["logistics_status"] != LOGISTICS_READY for p in detail["package_list"]):
        _set_status(db, row["order_sn"], "PROCESSED")
    return {}


def _check_ship_fields(profile, body, method):
    parameter = sim_logistics.shipping_parameter(profile, time.time())
    if method not in parameter["info_needed"]:
        raise ApiError("logistics.error_param", f"Wrong parameters, detail: {method} is not supported by the "
                                                f"logistics channel of this order.")
    wrong = sim_logistics.missing_fields(parameter, body)
    if method == "pickup" and "pickup_time_id" in wrong and (body["pickup"] or {}).get("pickup_time_id"):
        raise ApiError("logistics.ship_order_pickup_time_invalid", "Invalid pickup time id.")
    if method == "pickup" and wrong:
        raise ApiError("logistics.ship_order_need_address_pickup_time",
                       "Parameter address_id and pickup_time_id are required.")
    if wrong:
        raise ApiError("logistics.error_param", f"Wrong parameters, detail: {method}.{wrong[0]} is required.")


def get_tracking_number(req, db):
    row = _order(db, req.shop_id, req.query.get("order_sn", ""))
    package = _package(json.loads(row["data"]), req.query.get("package_number"))
    key = (row["order_sn"], package["package_number"])
    shipment = db.execute("SELECT * FROM shipped_packages WHERE order_sn = ? AND package_number = ?", key).fetchone()
    if shipment is None:
        raise ApiError("logistics.package_not_shipped", "arrange the shipment first")
    if shipment["polls_left"] > 0:
        db.execute("UPDATE shipped_packages SET polls_left = polls_left - 1 WHERE order_sn = ? AND package_number = ?",
                   key)
        return {"tracking_number": "", "hint": "the carrier has not assigned a tracking number yet"}
    return {"tracking_number": shipment["tracking_number"]}


# ---------------------------------------------------------------- airway bills

def _document_entries(req, db, body):
    """Each ``order_list`` element with its shipped package, or the fail_error/fail_message it gets."""
    entries = body.get("order_list")
    if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
        raise ApiError("error_param", "order_list takes 1 to 50 orders")
    found = []
    for entry in entries:
        order_sn = str((entry or {}).get("order_sn") or "")
        try:
            row = _order(db, req.shop_id, order_sn)
            package = _package(json.loads(row["data"]), entry.get("package_number"))
        except ApiError as exc:
            found.append((entry, None, {"order_sn": order_sn, "fail_error": exc.error, "fail_message": exc.message}))
            continue
        result = {"order_sn": order_sn, "package_number": package["package_number"]}
        shipped = db.execute("SELECT * FROM shipped_packages WHERE order_sn = ? AND package_number = ?",
                             (order_sn, package["package_number"])).fetchone()
        if shipped is None:
            result.update(fail_error="logistics.order_status_error",
                          fail_message="Order status does not support awb printing.")
        elif shipped["method"] == "non_integrated":
            result.update(fail_error="logistics.package_can_not_print", fail_message="The package can not print now.")
        found.append((entry, shipped, result))
    return found


def get_shipping_document_parameter(req, db):
    results = []
    for _entry, _shipped, result in _document_entries(req, db, req.body()):
        if "fail_error" not in result:
            result.update(suggest_shipping_document_type=sim_logistics.DOCUMENT_TYPES[0],
                          selectable_shipping_document_type=list(sim_logistics.DOCUMENT_TYPES))
        results.append(result)
    return {"result_list": results}


def create_shipping_document(req, db):
    """A printing task per package; it needs the package's tracking number and a selectable document type."""
    results = []
    for entry, shipped, result in _document_entries(req, db, req.body()):
        document_type = entry.get("shipping_document_type") or sim_logistics.DOCUMENT_TYPES[0]
        if "fail_error" in result:
            pass
        elif entry.get("tracking_number") != shipped["tracking_number"]:
            result.update(fail_error="logistics.tracking_number_invalid",
                          fail_message="The tracking number is invalid.")
        elif document_type not in sim_logistics.DOCUMENT_TYPES:
            result.update(fail_error="logistics.shipping_document_type_invalid",
                          fail_message="The shipping document type is invalid.")
        else:
            db.execute("INSERT OR REPLACE INTO shipping_documents VALUES (?, ?, ?, ?)",
                       (shipped["order_sn"], shipped["package_number"], document_type, req.sim.document_polls))
        results.append(result)
    return {"result_list": results}


def _document(db, shipped):
    return db.execute("SELECT * FROM shipping_documents WHERE order_sn = ? AND package_number = ?",
                      (shipped["order_sn"], shipped["package_number"])).fetchone()


def get_shipping_document_result(req, db):
    """PROCESSING ``document_polls`` times after create_shipping_document, then READY."""
    results = []
    for _entry, shipped, result in _document_entries(req, db, req.body()):
        document = _document(db, shipped) if "fail_error" not in result else None
        if "fail_error" in result:
            pass
        elif document is None:
            result.update(fail_error="logistics.shipping_document_should_print_first",
                          fail_message="Please call create_shipping_document first.")
        elif document["polls_left"] > 0:
            db.execute("UPDATE shipping_documents SET polls_left = polls_left - 1 WHERE order_sn = ? "
                       "AND package_number = ?", (shipped["order_sn"], shipped["package_number"]))
            result["status"] = "PROCESSING"
        else:
            result["status"] = "READY"
        results.append(result)
    return {"result_list": results}


def download_shipping_document(req, db):
    """The READY documents as one small PDF (Shopee answers with the file, not its JSON envelope)."""
    body = req.body()
    lines = []
    for _entry, shipped, result in _document_entries(req, db, body):
        document = _document(db, shipped) if "fail_error" not in result else None
        if document is None or document["polls_left"] > 0:
            raise ApiError("logistics.shipping_document_should_print_first",
                           "The shipping document is not ready: call create_shipping_document and wait for READY.")
        lines += [f"Shopee {body.get('shipping_document_type') or document['document_type']}",
                  f"Order {shipped['order_sn']} package {shipped['package_number']}",
                  f"Tracking {shipped['tracking_number']}"]
    return 200, {"Content-Type": "application/pdf"}, sim_logistics.pdf(lines)


def _set_status(db, order_sn, status):
    row = db.execute("SELECT data FROM orders WHERE order_sn = ?", (order_sn,)).fetchone()
    detail = json.loads(row["data"])
    now = max(int(time.time()), int(detail["update_time"]) + 1)
    detail.update(order_status=status, update_time=now)
    db.execute("UPDATE orders SET status = ?, update_time = ?, data = ? WHERE order_sn = ?",
               (status, now, json.dumps(detail), order_sn))
    return detail


# ---------------------------------------------------------------- controls

def control_health(req, db):
    return {"ok": True}


def control_calls(req, db):
    return {"total": sum(req.sim.calls.values()), "calls": dict(req.sim.calls), "pushes": list(req.sim.pushes)}


def control_reset_calls(req, db):
    req.sim.calls.clear()
    req.sim.pushes.clear()
    return {"ok": True}


def control_faults(req, db):
    body = req.body()
    for kind in ("429", "500", "500_after"):
        req.sim.faults[kind] = int(body.get(kind, req.sim.faults[kind]))
    for name, count in (body.get("errors") or {}).items():
        if name not in ERROR_FAULTS:
            raise ApiError("error_param", f"unknown error fault {name!r}; known: {sorted(ERROR_FAULTS)}")
        req.sim.error_faults[name] = int(count)
    if "tracking_polls" in body:
        req.sim.tracking_polls = int(body["tracking_polls"])
    if "push_url" in body:
        req.sim.push_url = body["push_url"] or None
    return {"faults": req.sim.faults, "errors": req.sim.error_faults, "tracking_polls": req.sim.tracking_polls}


def control_push_config(req, db):
    """``{"callback_url"}``: the console's Set Push > Verify; answers the verification push's status and
    whether the URL was saved."""
    status = req.sim.verify_callback(db, req.body()["callback_url"])
    return {"status": status, "saved": req.sim.push_url == req.body()["callback_url"]}


def control_fail_model(req, db):
    """``{"item_id", "model_id", "reason"}`` refuses that model's updates; without reason, accepts again."""
    body = req.body()
    if body.get("reason"):
        db.execute("INSERT OR REPLACE INTO fail_models VALUES (?, ?, ?)",
                   (int(body["item_id"]), int(body.get("model_id") or 0), body["reason"]))
    else:
        db.execute("DELETE FROM fail_models WHERE item_id = ? AND model_id = ?",
                   (int(body["item_id"]), int(body.get("model_id") or 0)))
    return {"ok": True}


def control_models(req, db):
    rows = db.execute("SELECT * FROM models ORDER BY shop_id, item_id, model_id").fetchall()
    return {"models": [dict(row) for row in rows]}


def control_expire_tokens(req, db):
    db.execute("UPDATE access_tokens SET expires_at = ?", (time.time() - 1,))
    return {"ok": True}


def control_new_order(req, db):
    """A buyer's order: ``{"shop_id", "lines": [[item_id, model_id, qty]], "order_sn"?, "push": true,
    "wait_push"?: true, "packages"?: [[line index, ...], ...], "scenario"?: "plain"}`` (``packages``: an order
    split into parcels; ``scenario``: how the buyer paid, payments.SCENARIOS)."""
    body = req.body()
    shop_id = int(body.get("shop_id") or 10001)
    order_sn = body.get("order_sn") or time.strftime("%y%m%d") + secrets.token_hex(4).upper()
    detail = make_order(db, shop_id, [tuple(line) for line in body["lines"]], int(time.time()), order_sn,
                        buyer=body.get("buyer") or "somchai.buyer", status=body.get("status") or "READY_TO_SHIP",
                        packages=body.get("packages"), scenario=body.get("scenario") or "plain")
    if body.get("push"):
        req.sim.push_event(db, shop_id, ORDER_STATUS_PUSH, _status_push(detail), body)
    return {"order_sn": order_sn}


def control_order_status(req, db):
    """``{"order_sn", "status", "push": true}``: the order moves (a cancellation, a payment)."""
    body = req.body()
    detail = _set_status(db, body["order_sn"], body["status"])
    if body.get("push"):
        req.sim.push_event(db, _order_shop(db, body["order_sn"]), ORDER_STATUS_PUSH, _status_push(detail), body)
    return {"order_sn": body["order_sn"], "update_time": detail["update_time"]}


def control_logistics(req, db):
    """``{"shop_id", "profile"?, "document_polls"?}``: what the shop offers for shipping (a profile of
    shopee_sim/logistics.py: default, pickup_slots, pickup_no_slots, dropoff_fields, non_integrated), and how
    many times an airway bill answers PROCESSING before READY."""
    body = req.body()
    shop_id = int(body.get("shop_id") or 10001)
    if "profile" in body:
        if body["profile"] not in sim_logistics.PROFILES:
            raise ApiError("error_param", f"profile is one of {', '.join(sim_logistics.PROFILES)}")
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"logistics:{shop_id}", body["profile"]))
    if "document_polls" in body:
        req.sim.document_polls = int(body["document_polls"])
    return {"shop_id": shop_id, "profile": _profile(db, shop_id), "document_polls": req.sim.document_polls}


def control_shipments(req, db):
    """The packages shipped, with the ship_order body each was arranged with."""
    rows = db.execute("SELECT * FROM shipped_packages ORDER BY order_sn, package_number").fetchall()
    return {"shipments": [dict(row, body=json.loads(row["body"])) for row in rows]}


def _order_shop(db, order_sn):
    return db.execute("SELECT shop_id FROM orders WHERE order_sn = ?", (order_sn,)).fetchone()["shop_id"]


def control_seed(req, db):
    body = req.body()
    return run_seed(db, orders=int(body.get("orders") or 0), now=int(body.get("now") or time.time()))


ROUTES = {
    ("GET", "/api/v2/shop/auth_partner"): ("public", auth_partner_page),
    ("POST", "/api/v2/shop/auth_partner/confirm"): ("page", auth_partner_confirm),
    ("POST", "/api/v2/auth/token/get"): ("public", token_get),
    ("POST", "/api/v2/auth/access_token/get"): ("public", access_token_get),
    ("GET", "/api/v2/order/get_order_list"): ("shop", get_order_list),
    ("GET", "/api/v2/order/get_order_detail"): ("shop", get_order_detail),
    ("POST", "/api/v2/order/handle_buyer_cancellation"): ("shop", handle_buyer_cancellation),
    ("POST", "/api/v2/order/cancel_order"): ("shop", cancel_order),
    ("POST", "/api/v2/product/update_stock"): ("shop", update_stock),
    ("POST", "/api/v2/product/update_price"): ("shop", update_price),
    ("GET", "/api/v2/logistics/get_shipping_parameter"): ("shop", get_shipping_parameter),
    ("POST", "/api/v2/logistics/ship_order"): ("shop", ship_order),
    ("GET", "/api/v2/logistics/get_tracking_number"): ("shop", get_tracking_number),
    ("POST", "/api/v2/logistics/get_shipping_document_parameter"): ("shop", get_shipping_document_parameter),
    ("POST", "/api/v2/logistics/create_shipping_document"): ("shop", create_shipping_document),
    ("POST", "/api/v2/logistics/get_shipping_document_result"): ("shop", get_shipping_document_result),
    ("POST", "/api/v2/logistics/download_shipping_document"): ("shop", download_shipping_document),
    ("GET", "/_sim/health"): ("control", control_health),
    ("GET", "/_sim/calls"): ("control", control_calls),
    ("POST", "/_sim/calls/reset"): ("control", control_reset_calls),
    ("POST", "/_sim/faults"): ("control", control_faults),
    ("POST", "/_sim/fail_model"): ("control", control_fail_model),
    ("POST", "/_sim/push_config"): ("control", control_push_config),
    ("GET", "/_sim/models"): ("control", control_models),
    ("POST", "/_sim/expire_tokens"): ("control", control_expire_tokens),
    ("POST", "/_sim/orders"): ("control", control_new_order),
    ("POST", "/_sim/orders/status"): ("control", control_order_status),
    ("POST", "/_sim/orders/buyer_cancel"): ("control", control_buyer_cancel),
    ("POST", "/_sim/logistics"): ("control", control_logistics),
    ("GET", "/_sim/shipments"): ("control", control_shipments),
    ("POST", "/_sim/seed"): ("control", control_seed),
    **sim_payments.ROUTES,
    **sim_returns.ROUTES,
}


class _HTTPServer(SimulatorHTTPServer):
    request_queue_size = 64


class SimulatorServer(BackgroundSimulator):
    """The simulator, served by ``BackgroundSimulator`` (start/stop, base_url); ``port=0`` picks a free port."""

    thread_name = "shopee-sim"

    def __init__(self, db_path, host="127.0.0.1", port=0, push_url=None):
        self.sim = Simulator(db_path, push_url)
        self._httpd = _HTTPServer((host, port), Handler)
        self._httpd.sim = self.sim

    def seed(self, orders=0, now=None, items=0):
        with self.sim.store.transaction() as db:
            return run_seed(db, orders=orders, now=now or int(time.time()), items=items)

    def _close_state(self):
        self.sim.store.close()
