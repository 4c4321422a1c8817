"""The simulated shops' returns over ``v2.returns.get_return_list``, ``get_return_detail``, ``confirm`` and
``dispute``, and the controls that make a buyer's return request and move it (``POST /_sim/returns``,
``/_sim/returns/ship``, ``/_sim/returns/refund``; docs/shopee-simulator.md). Each control's change is pushed
as Shopee's ``return_updates_push`` (code 29) to the saved callback URL.

As Shopee's reference says: the list pages by ``page_no`` / ``page_size`` ≤ 100 within a creation-time range
under 15 days; confirm and dispute answer a return waiting for the seller (REQUESTED) or on its way back
(PROCESSING); dispute needs the seller's email and reason. The error codes and the seller's 3 days are the
simulator's (UNCONFIRMED), and so is the push's data beyond ``return_sn`` and ``order_sn`` (``status``,
``update_time``: docs/shopee-api.md)."""
import json
import secrets
import time

from .errors import ApiError

MAX_WINDOW_SECONDS = 15 * 24 * 3600
SELLER_DAYS = 3
RETURN_UPDATES_PUSH = 29   # Shopee's return_updates_push
ANSWERABLE = ("REQUESTED", "PROCESSING")
RETURNED_STATUSES = ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")


def _return(db, shop_id, return_sn):
    row = db.execute("SELECT data FROM returns WHERE return_sn = ? AND shop_id = ?",
                     (str(return_sn or ""), shop_id)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"return {return_sn} not found")
    return json.loads(row["data"])


def _save(db, data, status=None):
    if status:
        data.update(status=status, update_time=max(int(time.time()), int(data["update_time"]) + 1))
    db.execute("INSERT OR REPLACE INTO returns (return_sn, shop_id, order_sn, create_time, update_time, status, data) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", (data["return_sn"], data["shop_id"], data["order_sn"],
                                                data["create_time"], data["update_time"], data["status"],
                                                json.dumps(data)))
    return data


def _public(data):
    return {key: value for key, value in data.items() if key != "shop_id"}


def _pushed(req, db, data, body):
    """The return as a control answers it, once Shopee's push of its change went out (``Simulator.push_event``)."""
    req.sim.push_event(db, data["shop_id"], RETURN_UPDATES_PUSH,
                       {"return_sn": data["return_sn"], "order_sn": data["order_sn"], "status": data["status"],
                        "update_time": data["update_time"]}, body)
    return _public(data)


def get_return_list(req, db):
    query = req.query
    try:
        page_no, page_size = int(query["page_no"]), int(query["page_size"])
        time_from, time_to = int(query["create_time_from"]), int(query["create_time_to"])
    except (KeyError, ValueError) as exc:
        raise ApiError("error_param", "page_no, page_size, create_time_from and create_time_to are required "
                                      "integers") from exc
    if not 1 <= page_size <= 100 or page_no < 0:
        raise ApiError("error_param", "page_size must be between 1 and 100, page_no at least 0")
    if time_to - time_from >= MAX_WINDOW_SECONDS or time_to < time_from:
        raise ApiError("error_param", "create_time_from and create_time_to must be less than 15 days apart")
    rows = db.execute("SELECT data FROM returns WHERE shop_id = ? AND create_time BETWEEN ? AND ? "
                      "AND (? = '' OR status = ?) ORDER BY create_time, return_sn LIMIT ? OFFSET ?",
                      (req.shop_id, time_from, time_to, query.get("status") or "", query.get("status") or "",
                       page_size + 1, page_no * page_size)).fetchall()
    return {"more": len(rows) > page_size, "return": [_public(json.loads(row["data"])) for row in rows[:page_size]]}


def get_return_detail(req, db):
    return _public(_return(db, req.shop_id, req.query.get("return_sn")))


def _answerable(data):
    if data["status"] not in ANSWERABLE:
        raise ApiError("error_param", f"return {data['return_sn']} is {data['status']}: it cannot be answered")


def confirm(req, db):
    """``{return_sn}``: the seller agrees to the return."""
    data = _return(db, req.shop_id, req.body().get("return_sn"))
    _answerable(data)
    _save(db, data, "ACCEPTED" if data["status"] == "REQUESTED" and data["needs_logistics"] else "REFUND_PAID")
    return {"return_sn": data["return_sn"]}


def dispute(req, db):
    """``{return_sn, email, dispute_reason?, dispute_text_reason, image?}``: the seller contests the return."""
    body = req.body()
    data = _return(db, req.shop_id, body.get("return_sn"))
    if not body.get("email") or not body.get("dispute_text_reason"):
        raise ApiError("error_param", "email and dispute_text_reason are required")
    _answerable(data)
    data.update(dispute_reason=[body.get("dispute_reason")], dispute_text_reason=[body["dispute_text_reason"]])
    _save(db, data, "SELLER_DISPUTE")
    return {"return_sn": data["return_sn"], "msg": "dispute submitted"}


def control_request(req, db):
    """``{"order_sn", "reason"?, "text_reason"?, "image"?: [...], "needs_logistics"?: true, "push"?, "push_url"?,
    "wait_push"?}``: the buyer of a shipped order asks to return its first item (one unit)."""
    body = req.body()
    row = db.execute("SELECT * FROM orders WHERE order_sn = ?", (str(body.get("order_sn") or ""),)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"order {body.get('order_sn')} not found")
    if row["status"] not in RETURNED_STATUSES:
        raise ApiError("error_param", f"order {row['order_sn']} is {row['status']}: nothing delivered to return")
    detail = json.loads(row["data"])
    item = detail["item_list"][0]
    now = int(time.time())
    data = {
        "return_sn": time.strftime("%y%m%d") + secrets.token_hex(5).upper(), "shop_id": row["shop_id"],
        "order_sn": row["order_sn"], "status": "REQUESTED", "reason": body.get("reason") or "NOT_RECEIPT",
        "text_reason": body.get("text_reason") or "", "image": list(body.get("image") or ()),
        "currency": detail["currency"], "refund_amount": float(item["model_discounted_price"]),
        "amount_before_discount": float(item["model_original_price"]), "create_time": now, "update_time": now,
        "due_date": now + SELLER_DAYS * 86400, "tracking_number": "",
        "needs_logistics": bool(body.get("needs_logistics", True)),
        "user": {"username": detail.get("buyer_username") or "buyer"},
        "item": [{"item_id": item["item_id"], "model_id": item.get("model_id") or 0, "name": item["item_name"],
                  "amount": 1, "item_price": float(item["model_discounted_price"])}],
    }
    return _pushed(req, db, _save(db, data), body)


def control_ship(req, db):
    """``{"return_sn", "tracking_number"}``: the buyer sends the accepted return back."""
    body = req.body()
    row = db.execute("SELECT shop_id FROM returns WHERE return_sn = ?", (str(body.get("return_sn") or ""),)).fetchone()
    data = _return(db, row["shop_id"] if row else None, body.get("return_sn"))
    if data["status"] != "ACCEPTED" or not body.get("tracking_number"):
        raise ApiError("error_param", "an ACCEPTED return and a tracking_number are needed")
    data["tracking_number"] = body["tracking_number"]
    return _pushed(req, db, _save(db, data, "PROCESSING"), body)


def control_refund(req, db):
    """``{"return_sn"}``: Shopee refunds the buyer."""
    body = req.body()
    row = db.execute("SELECT shop_id FROM returns WHERE return_sn = ?", (str(body.get("return_sn") or ""),)).fetchone()
    data = _return(db, row["shop_id"] if row else None, body.get("return_sn"))
    return _pushed(req, db, _save(db, data, "REFUND_PAID"), body)


ROUTES = {
    ("GET", "/api/v2/returns/get_return_list"): ("shop", get_return_list),
    ("GET", "/api/v2/returns/get_return_detail"): ("shop", get_return_detail),
    ("POST", "/api/v2/returns/confirm"): ("shop", confirm),
    ("POST", "/api/v2/returns/dispute"): ("shop", dispute),
    ("POST", "/_sim/returns"): ("control", control_request),
    ("POST", "/_sim/returns/ship"): ("control", control_ship),
    ("POST", "/_sim/returns/refund"): ("control", control_refund),
}
