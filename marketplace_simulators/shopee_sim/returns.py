"""The simulated shops' returns over ``v2.returns.get_return_list``, ``get_return_detail``, ``confirm``,
``dispute`` (with ``get_return_dispute_reason`` and ``convert_image``) and the partial refund negotiation
(``get_available_solutions``, ``offer``, ``accept_offer``), and the controls that make a buyer's return request
and move it (``POST /_sim/returns``, ``/_sim/returns/ship``, ``/_sim/returns/refund``,
``/_sim/returns/offer_answer``, ``/_sim/returns/counter_offer``; docs/shopee-simulator.md). Each control's change
is pushed as Shopee's ``return_updates_push`` (code 29) to the saved callback URL.

As Shopee's reference says: the list pages by ``page_no`` / ``page_size`` ≤ 100 within a creation-time and / or
last-update-time range under 15 days; confirm and dispute answer a return waiting for the seller (REQUESTED) or on its
way back (PROCESSING); dispute needs the operator's email and a ``dispute_reason_id`` of the return's reasons, with
photos for every required evidence module (all reasons but "did not receive the return"); an offer stays within the
solution's bounds and the counter limit; accept_offer takes the buyer's offer of a return waiting for the seller, and
nothing else (the negotiation's latest offer the seller's own, or none). The error codes, the reasons' ids, the seller's
3 days and the counter limit of 2 are the simulator's (UNCONFIRMED), and so is the push's data beyond ``return_sn`` and
``order_sn`` (``status``, ``update_time``: docs/shopee-api.md)."""
import json
import secrets
import time

from .errors import ApiError

MAX_WINDOW_SECONDS = 15 * 24 * 3600
SELLER_DAYS = 3
RETURN_UPDATES_PUSH = 29   # Shopee's return_updates_push
ANSWERABLE = ("REQUESTED", "PROCESSING")
RETURNED_STATUSES = ("SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")
COUNTER_LIMIT = 2
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_HOST = "https://cf.shopee.sim/file/"
# the reasons a seller may dispute a simulated return with (ids and texts the simulator's own)
DISPUTE_REASONS = [
    {"dispute_reason": 1, "dispute_requirement": "Did not receive the return product", "sample_evidence": [],
     "evidence_module_list": []},
    {"dispute_reason": 2, "dispute_requirement": "Returned product is not in the condition it was sent",
     "sample_evidence": [], "evidence_module_list": [
         {"module_index": 0, "requirement": "Photos of the product received", "is_required": True}]},
    {"dispute_reason": 3, "dispute_requirement": "Returned product is not the one sent", "sample_evidence": [],
     "evidence_module_list": [
         {"module_index": 0, "requirement": "Photos of the product received", "is_required": True},
         {"module_index": 1, "requirement": "Photo of the parcel's label", "is_required": True}]},
]


def _return(db, shop_id, return_sn):
    row = db.execute("SELECT data FROM returns WHERE return_sn = ? AND shop_id = ?",
                     (str(return_sn or ""), shop_id)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"return {return_sn} not found")
    return json.loads(row["data"])


def _save(db, data, status=None):
    if status:
        data.update(status=status, update_time=max(int(time.time()), int(data["update_time"])))  # never ahead
    db.execute("INSERT OR REPLACE INTO returns (return_sn, shop_id, order_sn, create_time, update_time, status, data) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", (data["return_sn"], data["shop_id"], data["order_sn"],
                                                data["create_time"], data["update_time"], data["status"],
                                                json.dumps(data)))
    return data


def _public(data):
    return {key: value for key, value in data.items() if key != "shop_id"}


def _time_range(query, field):
    """``(from, to)`` of the ``<field>_from`` / ``<field>_to`` pair, or None when the call gives neither."""
    if f"{field}_from" not in query and f"{field}_to" not in query:
        return None
    try:
        time_from, time_to = int(query[f"{field}_from"]), int(query[f"{field}_to"])
    except (KeyError, ValueError) as exc:
        raise ApiError("error_param", f"{field}_from and {field}_to go together, as integers") from exc
    if time_to - time_from >= MAX_WINDOW_SECONDS or time_to < time_from:
        raise ApiError("error_param", f"{field}_from and {field}_to must be less than 15 days apart")
    return time_from, time_to


def _pushed(req, db, data, body):
    """The return as a control answers it, once Shopee's push of its change went out (``Simulator.push_event``)."""
    req.sim.push_event(db, data["shop_id"], RETURN_UPDATES_PUSH,
                       {"return_sn": data["return_sn"], "order_sn": data["order_sn"], "status": data["status"],
                        "update_time": data["update_time"]}, body)
    return _public(data)


def get_return_list(req, db):
    """Pages of a shop's returns by creation and / or last-update time (at least one range, each under 15
    days, ``update_time_from`` not before ``create_time_from``), optionally of one status."""
    query = req.query
    try:
        page_no, page_size = int(query["page_no"]), int(query["page_size"])
    except (KeyError, ValueError) as exc:
        raise ApiError("error_param", "page_no and page_size are required integers") from exc
    if not 1 <= page_size <= 100 or page_no < 0:
        raise ApiError("error_param", "page_size must be between 1 and 100, page_no at least 0")
    created, updated = _time_range(query, "create_time"), _time_range(query, "update_time")
    if not created and not updated:
        raise ApiError("error_param", "give create_time_from/to or update_time_from/to")
    if created and updated and updated[0] < created[0]:
        raise ApiError("error_param", "update_time_from should be >= create_time_from")
    created, updated = created or (0, 2 ** 62), updated or (0, 2 ** 62)
    rows = db.execute("SELECT data FROM returns WHERE shop_id = ? AND create_time BETWEEN ? AND ? "
                      "AND update_time BETWEEN ? AND ? AND (? = '' OR status = ?) "
                      "ORDER BY update_time, return_sn LIMIT ? OFFSET ?",
                      (req.shop_id, *created, *updated, query.get("status") or "", query.get("status") or "",
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


def get_return_dispute_reason(req, db):
    _return(db, req.shop_id, req.query.get("return_sn"))
    return {"dispute_reason_list": DISPUTE_REASONS}


def _dispute_reason(body):
    try:
        reason_id = int(body["dispute_reason_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError("error_param", "dispute_reason_id is required: one of get_return_dispute_reason's") from exc
    for reason in DISPUTE_REASONS:
        if reason["dispute_reason"] == reason_id:
            return reason
    raise ApiError("error_param", f"dispute_reason_id {reason_id} is not a reason of this return")


def _check_evidence(reason, image_list):
    given = {int(module.get("module_index", -1)): module.get("image_url") or [] for module in image_list or ()}
    for module in reason["evidence_module_list"]:
        urls = given.get(module["module_index"]) or []
        if module["is_required"] and not urls:
            raise ApiError("error_param", f"image_list: proof required for \"{module['requirement']}\"")
        if any(not str(url).startswith(IMAGE_HOST) for url in urls):
            raise ApiError("error_param", "image_list: use addresses made by convert_image")


def dispute(req, db):
    """``{return_sn, email, dispute_reason_id, dispute_text_reason?, image_list?}``: the seller contests."""
    body = req.body()
    data = _return(db, req.shop_id, body.get("return_sn"))
    if not body.get("email"):
        raise ApiError("error_param", "email is required")
    reason = _dispute_reason(body)
    _check_evidence(reason, body.get("image_list"))
    _answerable(data)
    data.update(dispute_reason=reason["dispute_reason"], dispute_text_reason=body.get("dispute_text_reason") or "")
    _save(db, data, "SELLER_DISPUTE")
    return {"return_sn": data["return_sn"], "msg": "dispute submitted"}


def convert_image(req, db):
    """multipart ``return_sn`` + ``upload_image`` (one jpg/png ≤ 10 MB): the proof photo's address."""
    fields, files = req.form()
    _return(db, req.shop_id, fields.get("return_sn"))
    image = files.get("upload_image")
    if image is None or image[1] not in ("image/jpeg", "image/png") or not image[2]:
        raise ApiError("error_param", "upload_image must be one .jpg, .jpeg or .png picture")
    if len(image[2]) > MAX_IMAGE_BYTES:
        raise ApiError("error_param", "upload_image must be within 10M")
    name = secrets.token_hex(8)
    return {"url": IMAGE_HOST + name, "thumbnail": IMAGE_HOST + name + "_tn"}


def _solutions(data):
    """What the seller may offer: a refund only (the buyer keeps the item) up to the return's amount."""
    open_ = data["status"] == "REQUESTED" and data.get("negotiation", {}).get("counter_limit", COUNTER_LIMIT) > 0
    bounds = {"eligibility": open_, "refund_amount_adjustable": open_,
              "max_refund_amount": data["refund_amount"], "min_refund_amount": 0.01 if open_ else 0.0}
    return {"return_sn": data["return_sn"], "offer_return_refund": dict(bounds, eligibility=False),
            "offer_refund": bounds}


def get_available_solutions(req, db):
    return _solutions(_return(db, req.shop_id, req.query.get("return_sn")))


def offer(req, db):
    """``{return_sn, proposed_solution, proposed_adjusted_refund_amount}``: the seller's counter-offer, the
    negotiation then ONGOING (the buyer's turn; Shopee's NegotiationStatus is PENDING_RESPOND, ONGOING or
    TERMINATED: PENDING_RESPOND the seller's turn)."""
    body = req.body()
    data = _return(db, req.shop_id, body.get("return_sn"))
    bounds = _solutions(data)["offer_refund"]
    if body.get("proposed_solution") != "REFUND" or not bounds["eligibility"]:
        raise ApiError("error_param", f"solution {body.get('proposed_solution')!r} is not available for this return")
    try:
        amount = round(float(body["proposed_adjusted_refund_amount"]), 2)
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError("error_param", "proposed_adjusted_refund_amount is required") from exc
    if not bounds["min_refund_amount"] <= amount <= bounds["max_refund_amount"]:
        raise ApiError("error_param", "proposed_adjusted_refund_amount is out of the solution's range")
    limit = data.get("negotiation", {}).get("counter_limit", COUNTER_LIMIT)
    data["negotiation"] = {"negotiation_status": "ONGOING", "latest_solution": "REFUND",
                           "latest_offer_amount": amount, "latest_offer_creator": "seller",
                           "counter_limit": limit - 1, "offer_due_date": int(time.time()) + SELLER_DAYS * 86400}
    _save(db, data, data["status"])
    return {"return_sn": data["return_sn"]}


def _refund_only_taken(data):
    """The latest offer (a refund only) is taken: Shopee refunds its amount, the buyer keeps the item."""
    negotiation = data["negotiation"]
    data.update(refund_amount=negotiation["latest_offer_amount"], needs_logistics=False,
                negotiation=dict(negotiation, negotiation_status="TERMINATED"))
    return data


def accept_offer(req, db):
    """``{return_sn}``: the seller takes the buyer's offer, the negotiation's latest (refused when the latest
    offer is the seller's own, or there is none, or the return no longer waits for the seller)."""
    data = _return(db, req.shop_id, req.body().get("return_sn"))
    if data["status"] != "REQUESTED":
        raise ApiError("error_param", f"return {data['return_sn']} is {data['status']}: no offer to accept")
    negotiation = data.get("negotiation") or {}
    if negotiation.get("latest_offer_creator") != "buyer" or not negotiation.get("latest_solution"):
        raise ApiError("error_param", "the latest offer is not the buyer's: there is no offer to accept")
    if int(negotiation.get("offer_due_date") or 0) < int(time.time()):
        raise ApiError("error_param", "the buyer's offer expired")
    _save(db, _refund_only_taken(data), "REFUND_PAID")
    return {"return_sn": data["return_sn"]}


def _control_return(db, body):
    """The return a control names, whichever shop it is of."""
    row = db.execute("SELECT shop_id FROM returns WHERE return_sn = ?", (str(body.get("return_sn") or ""),)).fetchone()
    return _return(db, row["shop_id"] if row else None, body.get("return_sn"))


def _seller_offer_waiting(data):
    if (data.get("negotiation") or {}).get("latest_offer_creator") != "seller" or data["status"] != "REQUESTED":
        raise ApiError("error_param", "no offer of the seller waits for the buyer")
    return data["negotiation"]


def control_offer_answer(req, db):
    """``{"return_sn", "accept": bool}``: the buyer takes the seller's offer (refunded that amount, keeps the
    item) or refuses it (the seller answers again; the buyer proposes nothing: no solution, no amount)."""
    body = req.body()
    data = _control_return(db, body)
    negotiation = _seller_offer_waiting(data)
    if body.get("accept"):
        return _pushed(req, db, _save(db, _refund_only_taken(data), "REFUND_PAID"), body)
    data["negotiation"] = dict(negotiation, negotiation_status="PENDING_RESPOND", latest_offer_creator="buyer",
                               latest_solution="", latest_offer_amount=0.0)
    return _pushed(req, db, _save(db, data, data["status"]), body)


def control_counter_offer(req, db):
    """``{"return_sn", "amount"}``: the buyer answers the seller's offer with his own (a refund only of
    ``amount``, up to the return's amount): the seller's turn, within the seller's days (``offer_due_date``)."""
    body = req.body()
    data = _control_return(db, body)
    negotiation = _seller_offer_waiting(data)
    try:
        amount = round(float(body["amount"]), 2)
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError("error_param", "amount is required") from exc
    if not 0 < amount <= data["refund_amount"]:
        raise ApiError("error_param", "amount must be above 0 and at most the return's refund_amount")
    data["negotiation"] = dict(negotiation, negotiation_status="PENDING_RESPOND", latest_solution="REFUND",
                               latest_offer_amount=amount, latest_offer_creator="buyer",
                               offer_due_date=int(time.time()) + SELLER_DAYS * 86400)
    return _pushed(req, db, _save(db, data, data["status"]), body)


def control_request(req, db):
    """``{"order_sn", "reason"?, "text_reason"?, "image"?: [...], "needs_logistics"?: true, "days_ago"?: 0,
    "push"?, "push_url"?, "wait_push"?}``: the buyer of a shipped order asks to return its first item (one unit),
    now or ``days_ago``."""
    body = req.body()
    row = db.execute("SELECT * FROM orders WHERE order_sn = ?", (str(body.get("order_sn") or ""),)).fetchone()
    if row is None:
        raise ApiError("error_not_found", f"order {body.get('order_sn')} not found")
    if row["status"] not in RETURNED_STATUSES:
        raise ApiError("error_param", f"order {row['order_sn']} is {row['status']}: nothing delivered to return")
    detail = json.loads(row["data"])
    item = detail["item_list"][0]
    now = int(time.time()) - int(body.get("days_ago") or 0) * 86400
    data = {
        "return_sn": time.strftime("%y%m%d") + secrets.token_hex(5).upper(), "shop_id": row["shop_id"],
        "order_sn": row["order_sn"], "status": "REQUESTED", "reason": body.get("reason") or "NOT_RECEIPT",
        "text_reason": body.get("text_reason") or "", "image": list(body.get("image") or ()),
        "currency": detail["currency"], "refund_amount": float(item["model_discounted_price"]),
        "amount_before_discount": float(item["model_original_price"]), "create_time": now, "update_time": now,
        "due_date": now + SELLER_DAYS * 86400, "tracking_number": "",
        "needs_logistics": bool(body.get("needs_logistics", True)),
        "user": {"username": detail.get("buyer_username") or "buyer"},
        "return_solution": 0 if body.get("needs_logistics", True) else 1,
        "negotiation": {"negotiation_status": "PENDING_RESPOND", "latest_solution": "", "latest_offer_amount": 0.0,
                        "latest_offer_creator": "", "counter_limit": COUNTER_LIMIT, "offer_due_date": 0},
        "item": [{"item_id": item["item_id"], "model_id": item.get("model_id") or 0, "name": item["item_name"],
                  "amount": 1, "item_price": float(item["model_discounted_price"])}],
    }
    return _pushed(req, db, _save(db, data), body)


def control_ship(req, db):
    """``{"return_sn", "tracking_number"}``: the buyer sends the accepted return back."""
    body = req.body()
    data = _control_return(db, body)
    if data["status"] != "ACCEPTED" or not body.get("tracking_number"):
        raise ApiError("error_param", "an ACCEPTED return and a tracking_number are needed")
    data["tracking_number"] = body["tracking_number"]
    return _pushed(req, db, _save(db, data, "PROCESSING"), body)


def control_refund(req, db):
    """``{"return_sn"}``: Shopee refunds the buyer."""
    body = req.body()
    data = _control_return(db, body)
    return _pushed(req, db, _save(db, data, "REFUND_PAID"), body)


ROUTES = {
    ("GET", "/api/v2/returns/get_return_list"): ("shop", get_return_list),
    ("GET", "/api/v2/returns/get_return_detail"): ("shop", get_return_detail),
    ("POST", "/api/v2/returns/confirm"): ("shop", confirm),
    ("POST", "/api/v2/returns/dispute"): ("shop", dispute),
    ("GET", "/api/v2/returns/get_return_dispute_reason"): ("shop", get_return_dispute_reason),
    ("POST", "/api/v2/returns/convert_image"): ("shop", convert_image),
    ("GET", "/api/v2/returns/get_available_solutions"): ("shop", get_available_solutions),
    ("POST", "/api/v2/returns/offer"): ("shop", offer),
    ("POST", "/api/v2/returns/accept_offer"): ("shop", accept_offer),
    ("POST", "/_sim/returns/offer_answer"): ("control", control_offer_answer),
    ("POST", "/_sim/returns/counter_offer"): ("control", control_counter_offer),
    ("POST", "/_sim/returns"): ("control", control_request),
    ("POST", "/_sim/returns/ship"): ("control", control_ship),
    ("POST", "/_sim/returns/refund"): ("control", control_refund),
}
