"""The simulated shops' money: escrows released for completed orders, and each shop's wallet (escrows in,
adjustments, withdrawals out), over ``v2.payment.get_escrow_list``, ``get_escrow_detail`` and
``get_wallet_transaction_list``.

An escrow adds up as Shopee's formula says (``shopee_api.money.expected_escrow``): what the buyer paid, plus
Shopee's discounts, vouchers and coins, less the commission, service and transaction fees, plus the signed
``final_shipping_fee`` (Shopee's shipping rebate less the courier's fee). Each order gets one of the
``SCENARIOS`` (from its number, or named at release): plain, free shipping (the buyer pays none, Shopee's
rebate pays the courier), vouchers and coins, a bundle deal. A withdrawal takes the whole balance, so it equals
the escrows released since the previous one less the adjustments. Controls: ``POST /_sim/payments/release``
and ``POST /_sim/payments/payout`` (docs/shopee-simulator.md).
"""
import json
import time
import zlib
from decimal import ROUND_HALF_UP, Decimal

from .errors import ApiError

MAX_WINDOW_SECONDS = 15 * 24 * 3600
COMMISSION, SERVICE, TRANSACTION = Decimal("0.05"), Decimal("0.03"), Decimal("0.02")
SCENARIOS = ("plain", "free_shipping", "vouchers", "bundle_deal")
# the wallet movements a control may add besides escrows and withdrawals (Shopee's transaction types)
WALLET_MOVEMENTS = ("ADJUSTMENT_ADD", "ADJUSTMENT_MINUS", "PAID_ADS_CHARGE", "PAID_ADS_REFUND")
CENT = Decimal("0.01")


def _money(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def order_income(detail, scenario):
    """get_escrow_detail's ``order_income`` of an order (its items and shipping) under ``scenario``."""
    items = [_item(item, scenario) for item in detail["item_list"]]
    original = sum((_money(item["original_price"]) for item in items), Decimal(0))
    courier = _money(detail.get("actual_shipping_fee") or 0)
    seller_discount = original - sum((_money(item["discounted_price"]) for item in items), Decimal(0))
    voucher_seller, voucher_shopee, coins = ((Decimal(50), Decimal(30), Decimal(10)) if scenario == "vouchers"
                                             else (Decimal(0), Decimal(0), Decimal(0)))
    buyer_shipping, rebate = (Decimal(0), courier) if scenario == "free_shipping" else (courier, Decimal(0))
    buyer_total = original - seller_discount - voucher_seller - voucher_shopee - coins + buyer_shipping
    base = original - seller_discount - voucher_seller
    commission, service = _money(base * COMMISSION), _money(base * SERVICE)
    transaction = _money(buyer_total * TRANSACTION)
    final_shipping = rebate - courier
    escrow = buyer_total + voucher_shopee + coins - commission - service - transaction + final_shipping
    figures = {
        "escrow_amount": escrow, "buyer_total_amount": buyer_total, "original_price": original,
        "order_original_price": original, "seller_discount": seller_discount, "shopee_discount": Decimal(0),
        "voucher_from_seller": voucher_seller, "voucher_from_shopee": voucher_shopee, "coins": coins,
        "buyer_paid_shipping_fee": buyer_shipping, "buyer_transaction_fee": Decimal(0),
        "cross_border_tax": Decimal(0), "payment_promotion": Decimal(0), "commission_fee": commission,
        "service_fee": service, "seller_transaction_fee": transaction, "seller_lost_compensation": Decimal(0),
        "seller_coin_cash_back": Decimal(0), "escrow_tax": Decimal(0), "estimated_shipping_fee": courier,
        "final_shipping_fee": final_shipping, "actual_shipping_fee": courier, "shopee_shipping_rebate": rebate,
        "shipping_fee_discount_from_3pl": Decimal(0), "seller_shipping_discount": Decimal(0),
        "drc_adjustable_refund": Decimal(0), "cost_of_goods_sold": original - seller_discount,
        "original_cost_of_goods_sold": original - seller_discount, "original_shopee_discount": Decimal(0),
        "seller_return_refund": Decimal(0),
    }
    income = {name: float(value) for name, value in figures.items()}
    income["seller_voucher_code"] = ["SELLER50"] if voucher_seller else []
    income["items"] = items
    return income


def _item(item, scenario):
    """An ``order_income.items`` entry: prices are the line's subtotals (Shopee's), a bundle deal takes 10 %
    off each of its lines (rounded to whole units, as in THB)."""
    quantity = item["model_quantity_purchased"]
    price = _money(item["model_original_price"]) * quantity
    discounted = (price * Decimal("0.9")).quantize(Decimal(1), rounding=ROUND_HALF_UP) if scenario == "bundle_deal" \
        else price
    return {"item_id": item["item_id"], "item_name": item["item_name"], "item_sku": item["item_sku"],
            "model_id": item["model_id"], "model_name": item["model_name"], "model_sku": item["model_sku"],
            "line_item_id": item.get("line_item_id"), "original_price": float(price), "selling_price": float(price),
            "discounted_price": float(discounted), "seller_discount": float(price - discounted),
            "shopee_discount": 0.0, "discount_from_coin": 0.0, "discount_from_voucher_shopee": 0.0,
            "discount_from_voucher_seller": 0.0,
            "activity_type": "bundle_deal" if scenario == "bundle_deal" else "", "activity_id": 0,
            "is_main_item": False, "quantity_purchased": quantity}


def apply_scenario(detail, scenario):
    """``detail`` (a get_order_detail order) as the buyer paid it under ``scenario``: ``total_amount`` is
    ``buyer_total_amount`` (items after discounts, vouchers and coins, plus the shipping the buyer paid), and a
    bundle deal's lines share one ``order_item_id`` and show ``model_discounted_price`` 0, as Shopee's
    reference says ("by design bundle deal discount will not be breakdown to item/model level")."""
    if scenario not in SCENARIOS:
        raise ApiError("error_param", f"scenarios are {', '.join(SCENARIOS)}")
    bundle = scenario == "bundle_deal"
    for item in detail["item_list"]:
        item["model_discounted_price"] = 0.0 if bundle else item["model_original_price"]
        item["order_item_id"] = detail["item_list"][0]["item_id"] if bundle else item["item_id"]
        item["promotion_group_id"] = zlib.crc32(detail["order_sn"].encode()) % 100_000 if bundle else 0
    order_item_ids = {(item["item_id"], item["model_id"]): item["order_item_id"] for item in detail["item_list"]}
    for package in detail.get("package_list") or ():
        for item in package["item_list"]:
            item["order_item_id"] = order_item_ids[item["item_id"], item["model_id"]]
    detail["total_amount"] = order_income(detail, scenario)["buyer_total_amount"]
    return detail


def store_scenario(db, order_sn, scenario):
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"scenario:{order_sn}", scenario))


def stored_scenario(db, order_sn):
    """The scenario an order was made with (``scenario_of`` for orders made before scenarios were kept)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (f"scenario:{order_sn}",)).fetchone()
    return row["value"] if row else scenario_of(order_sn)


def scenario_of(order_sn):
    return SCENARIOS[zlib.crc32(order_sn.encode()) % len(SCENARIOS)]


# ---------------------------------------------------------------- API

def _int(query, name, default=None):
    value = query.get(name)
    if value in (None, "") and default is not None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("error_param", f"{name} is required and must be an integer") from exc


def _window(query, field):
    time_from, time_to = _int(query, f"{field}_from"), _int(query, f"{field}_to")
    if time_to < time_from or time_to - time_from >= MAX_WINDOW_SECONDS:
        raise ApiError("error_param", f"{field}_from and {field}_to must be less than 15 days apart")
    return time_from, time_to


def _paging(query):
    page_no, page_size = _int(query, "page_no", 1), _int(query, "page_size", 40)
    if page_no < 1:
        raise ApiError("error_param", "page_no must be at least 1")
    if not 1 <= page_size <= 100:
        raise ApiError("error_param", "page_size must be between 1 and 100")
    return page_size, (page_no - 1) * page_size


def _page(db, query, sql, args):
    """One page of ``sql``'s rows (page_no / page_size of ``query``) and whether more follow."""
    page_size, offset = _paging(query)
    rows = db.execute(sql + " LIMIT ? OFFSET ?", (*args, page_size + 1, offset)).fetchall()
    return rows[:page_size], len(rows) > page_size


def get_escrow_list(req, db):
    time_from, time_to = _window(req.query, "release_time")
    rows, more = _page(db, req.query, "SELECT order_sn, release_time, data FROM escrows WHERE shop_id = ? AND "
                       "release_time BETWEEN ? AND ? ORDER BY release_time, order_sn",
                       (req.shop_id, time_from, time_to))
    return {"more": more, "escrow_list": [
        {"order_sn": row["order_sn"], "payout_amount": json.loads(row["data"])["order_income"]["escrow_amount"],
         "escrow_release_time": row["release_time"]} for row in rows]}


def get_escrow_detail(req, db):
    return _escrow_of(db, req.shop_id, req.query.get("order_sn") or "")


def get_escrow_detail_batch(req, db):
    """``{"order_sn_list": [1..50 order numbers]}`` -> ``[{"escrow_detail": {...}}, ...]``, each as
    get_escrow_detail answers it (the reference recommends 20 or fewer a call, and allows 50)."""
    sns = req.body().get("order_sn_list")
    if not isinstance(sns, list) or not 1 <= len(sns) <= 50 or not all(isinstance(sn, str) and sn for sn in sns):
        raise ApiError("error_param", "order_sn_list takes 1 to 50 order numbers")
    return [{"escrow_detail": _escrow_of(db, req.shop_id, order_sn)} for order_sn in dict.fromkeys(sns)]


def _escrow_of(db, shop_id, order_sn):
    """The released escrow of an order, else the estimate so far (from the order as it stands)."""
    row = db.execute("SELECT data FROM escrows WHERE shop_id = ? AND order_sn = ?", (shop_id, order_sn)).fetchone()
    if row:
        return json.loads(row["data"])
    order = db.execute("SELECT data FROM orders WHERE shop_id = ? AND order_sn = ?", (shop_id, order_sn)).fetchone()
    if order is None:
        raise ApiError("error_param", f"order_sn {order_sn!r} not found")
    return _escrow(json.loads(order["data"]), stored_scenario(db, order_sn))


def _escrow(detail, scenario):
    return {"order_sn": detail["order_sn"], "buyer_user_name": detail.get("buyer_username") or "",
            "return_order_sn_list": [], "order_income": order_income(detail, scenario)}


def get_wallet_transaction_list(req, db):
    time_from, time_to = _window(req.query, "create_time")
    rows, more = _page(db, req.query, "SELECT data FROM wallet WHERE shop_id = ? AND create_time BETWEEN ? AND ? "
                       "ORDER BY create_time DESC, transaction_id DESC", (req.shop_id, time_from, time_to))
    return {"more": more, "transaction_list": [json.loads(row["data"]) for row in rows]}


# ---------------------------------------------------------------- controls

def _wallet_add(db, shop_id, transaction_type, amount, **values):
    """A wallet row (amount signed: money out is negative) with the balance after it; returns the row."""
    last = db.execute("SELECT data FROM wallet WHERE shop_id = ? ORDER BY transaction_id DESC LIMIT 1",
                      (shop_id,)).fetchone()
    balance = _money(json.loads(last["data"])["current_balance"]) if last else Decimal(0)
    now = int(time.time())
    cursor = db.execute("INSERT INTO wallet (shop_id, create_time, data) VALUES (?, ?, '{}')", (shop_id, now))
    row = {"transaction_id": cursor.lastrowid, "status": "COMPLETED", "wallet_type": "shopee_pay",
           "transaction_type": transaction_type, "amount": float(amount),
           "current_balance": float(balance + _money(amount)), "create_time": now, "order_sn": "", "refund_sn": "",
           "withdrawal_type": "", "transaction_fee": 0.0, "description": "", "buyer_name": "", "reason": "",
           "withdrawal_id": 0, "pay_order_list": [], **values}
    db.execute("UPDATE wallet SET data = ? WHERE transaction_id = ?", (json.dumps(row), cursor.lastrowid))
    return row


def control_release(req, db):
    """``{"shop_id"?, "order_sns"?, "scenarios"?: {order_sn: scenario}}``: the orders (all the shop's orders
    not cancelled nor released yet by default) are COMPLETED and their escrow released into the wallet."""
    body = req.body()
    shop_id = int(body.get("shop_id") or 10001)
    scenarios = body.get("scenarios") or {}
    if set(scenarios.values()) - set(SCENARIOS):
        raise ApiError("error_param", f"scenarios are {', '.join(SCENARIOS)}")
    sns = body.get("order_sns") or [row["order_sn"] for row in db.execute(
        "SELECT order_sn FROM orders WHERE shop_id = ? AND status NOT IN ('CANCELLED', 'IN_CANCEL', 'UNPAID') "
        "AND order_sn NOT IN (SELECT order_sn FROM escrows) ORDER BY create_time, order_sn", (shop_id,))]
    released = []
    for order_sn in sns:
        row = db.execute("SELECT data FROM orders WHERE shop_id = ? AND order_sn = ?", (shop_id, order_sn)).fetchone()
        if row is None or db.execute("SELECT 1 FROM escrows WHERE order_sn = ?", (order_sn,)).fetchone():
            raise ApiError("error_param", f"order {order_sn} is not in shop {shop_id} or already released")
        detail = dict(json.loads(row["data"]), order_status="COMPLETED")
        scenario = scenarios.get(order_sn) or stored_scenario(db, order_sn)
        if scenario != stored_scenario(db, order_sn):   # the order is made again as that scenario's
            apply_scenario(detail, scenario)
            store_scenario(db, order_sn, scenario)
        now = max(int(time.time()), int(detail["update_time"]))
        detail["update_time"] = now
        db.execute("UPDATE orders SET status = 'COMPLETED', update_time = ?, data = ? WHERE order_sn = ?",
                   (now, json.dumps(detail), order_sn))
        escrow = _escrow(detail, scenario)
        db.execute("INSERT INTO escrows VALUES (?, ?, ?, ?)", (order_sn, shop_id, now, json.dumps(escrow)))
        amount = escrow["order_income"]["escrow_amount"]
        _wallet_add(db, shop_id, "ESCROW_VERIFIED_ADD" if amount >= 0 else "ESCROW_VERIFIED_MINUS", amount,
                    order_sn=order_sn, buyer_name=detail.get("buyer_username") or "",
                    pay_order_list=[{"order_sn": order_sn, "shop_name": ""}])
        released.append({"order_sn": order_sn, "escrow_amount": amount})
    return {"released": released}


def control_payout(req, db):
    """``{"shop_id"?, "adjustments"?: [{"amount", "reason", "transaction_type"?, "order_sn"?}]}``: the
    adjustments (signed; ADJUSTMENT_ADD/MINUS by their sign unless ``transaction_type`` names another of
    ``WALLET_MOVEMENTS``, e.g. an ads charge) enter the wallet, then the seller withdraws the whole balance (refused
    when there is nothing to withdraw)."""
    body = req.body()
    shop_id = int(body.get("shop_id") or 10001)
    for adjustment in body.get("adjustments") or ():
        amount = _money(adjustment["amount"])
        kind = adjustment.get("transaction_type") or ("ADJUSTMENT_ADD" if amount >= 0 else "ADJUSTMENT_MINUS")
        if kind not in WALLET_MOVEMENTS:
            raise ApiError("error_param", f"transaction_type is one of {', '.join(WALLET_MOVEMENTS)}")
        _wallet_add(db, shop_id, kind, amount, reason=adjustment.get("reason") or "adjustment",
                    order_sn=adjustment.get("order_sn") or "")
    last = db.execute("SELECT data FROM wallet WHERE shop_id = ? ORDER BY transaction_id DESC LIMIT 1",
                      (shop_id,)).fetchone()
    balance = _money(json.loads(last["data"])["current_balance"]) if last else Decimal(0)
    if balance <= 0:
        raise ApiError("error_param", f"shop {shop_id} has no balance to withdraw")
    withdrawal_id = int(db.execute("SELECT COUNT(*) FROM wallet").fetchone()[0]) * 1000 + shop_id % 1000
    _wallet_add(db, shop_id, "WITHDRAWAL_CREATED", -balance, withdrawal_id=withdrawal_id,
                withdrawal_type="NORMAL_WITHDRAWAL")
    _wallet_add(db, shop_id, "WITHDRAWAL_COMPLETED", 0, withdrawal_id=withdrawal_id,
                withdrawal_type="NORMAL_WITHDRAWAL")
    return {"withdrawal_id": withdrawal_id, "amount": float(balance)}


ROUTES = {
    ("GET", "/api/v2/payment/get_escrow_list"): ("shop", get_escrow_list),
    ("GET", "/api/v2/payment/get_escrow_detail"): ("shop", get_escrow_detail),
    ("POST", "/api/v2/payment/get_escrow_detail_batch"): ("shop", get_escrow_detail_batch),
    ("GET", "/api/v2/payment/get_wallet_transaction_list"): ("shop", get_wallet_transaction_list),
    ("POST", "/_sim/payments/release"): ("control", control_release),
    ("POST", "/_sim/payments/payout"): ("control", control_payout),
}
