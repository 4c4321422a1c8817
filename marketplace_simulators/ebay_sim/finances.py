"""Sell Finances API (host apiz): getTransactions, getPayouts, getPayout — answers held to ``finances.yml``.

Money adds up as eBay's does: a SALE is booked per order with its final value fee (``amount`` = what the buyer
paid less the fee, ``totalFeeAmount`` the fee, per line ``marketplaceFees``), refunds and non-sale charges (ad
fees, store subscriptions) are debits, and a payout is the sum of the credits less the debits of the transactions
it pays, each of which then names it (``payoutId``). Every call is signed when the seller is EU/UK-domiciled
(``signatures.check``). Controls: ``/_sim/finances/book`` makes the SALE of every order not booked yet, plus the
refunds and charges given; ``/_sim/finances/payout`` pays out what is available, one currency a payout (a refund
of an order is in the order's currency: a seller selling on EBAY_GB and EBAY_DE has pounds and euros available,
never summed into one amount). Error ids (135xxx) are the simulator's choice: finances.yml names none.
"""
import json
import re
import time
from urllib.parse import urlencode

from . import signatures
from .errors import bad_request, not_found
from .formats import cents_of, iso, money, parse_iso, to_cents
from .orders import FEE_RATE_BP
from .routing import int_param, json_response

DOMAIN = "API_FINANCES"
FILTER = re.compile(r"(\w+):(\[[^\]]*\]|\{[^}]*\})")
TYPES = {"SALE", "REFUND", "CREDIT", "DISPUTE", "NON_SALE_CHARGE", "SHIPPING_LABEL", "TRANSFER", "ADJUSTMENT",
         "WITHDRAWAL", "LOAN_REPAYMENT", "PURCHASE"}
CHARGES = {"AD_FEE", "STORE_SUBSCRIPTION_FEE", "INSERTION_FEE", "OTHER_FEES"}
PAYOUT_INSTRUMENT = {"instrumentType": "BANK", "nickname": "Checking", "accountLastFourDigits": "6789"}


def _invalid(message, field):
    return bad_request(135001, DOMAIN, message, {"filter": field})


def _range(name, raw):
    start, sep, end = raw[1:-1].partition("..")
    try:
        low, high = parse_iso(start), parse_iso(end) if end else None
    except ValueError:
        raise _invalid(f"Invalid date in filter {name}:{raw}", name) from None
    if not sep:
        raise _invalid(f"Invalid filter {name}:{raw}", name)
    return iso(low), iso(high if high is not None else low + 90 * 86400)


def _where(text, date_column, fields):
    """SQL conditions of a Finances ``filter``: a date range and ``{a|b}`` sets of the fields given."""
    conditions, args = [], []
    for name, raw in FILTER.findall(text or ""):
        if name == date_column[0]:
            low, high = _range(name, raw)
            conditions.append(f"{date_column[1]} BETWEEN ? AND ?")
            args += [low, high]
        elif name in fields and raw.startswith("{"):
            wanted = [value for value in raw[1:-1].split("|") if value]
            if name == "transactionType" and not set(wanted) <= TYPES:
                raise _invalid(f"Invalid transactionType in {raw}", name)
            conditions.append(f"{fields[name]} IN ({','.join('?' * len(wanted))})")
            args += wanted
        else:
            raise _invalid(f"Invalid filter: {name}", name)
    if text and not FILTER.search(text):
        raise _invalid(f"Invalid filter: {text}", text)
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", args


def _page(req, table, key, date_column, fields, max_limit):
    """One page of a collection (``total``, ``href``, ``next``, ``prev``), newest first unless sorted by date."""
    signatures.check(req)
    limit = int_param(req, "limit", 20, 1, max_limit, 135002, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 10 ** 9, 135002, DOMAIN)
    where, args = _where(req.query.get("filter"), date_column, fields)
    order = "ASC" if req.query.get("sort") == date_column[0] else "DESC"
    total = req.db.scalar(f"SELECT COUNT(*) FROM {table}{where}", args)
    rows = req.db.all(f"SELECT data FROM {table}{where} ORDER BY {date_column[1]} {order}, seq {order} "
                      "LIMIT ? OFFSET ?", (*args, limit, offset))
    base = f"{req.base_url}{req.path}?"
    query = {k: v for k, v in req.query.items() if k not in ("limit", "offset")}
    body = {"href": base + urlencode({**query, "limit": limit, "offset": offset}), "total": total,
            "limit": limit, "offset": offset, key: [json.loads(row["data"]) for row in rows]}
    if offset + limit < total:
        body["next"] = base + urlencode({**query, "limit": limit, "offset": offset + limit})
    if offset:
        body["prev"] = base + urlencode({**query, "limit": limit, "offset": max(0, offset - limit)})
    return json_response(body)


def get_transactions(req):
    return _page(req, "finance_transactions", "transactions", ("transactionDate", "transaction_date"),
                 {"transactionType": "transaction_type", "transactionStatus": "transaction_status",
                  "payoutId": "payout_id"}, 1000)


def get_payouts(req):
    return _page(req, "payouts", "payouts", ("payoutDate", "payout_date"), {"payoutStatus": "payout_status"}, 200)


def get_payout(req):
    signatures.check(req)
    data = req.db.scalar("SELECT data FROM payouts WHERE payout_id=?", (req.params["payout_Id"],))
    if data is None:
        raise not_found(135003, DOMAIN, "The payout ID was not found.", {"payout_Id": req.params["payout_Id"]})
    return json_response(json.loads(data))


# -- controls ------------------------------------------------------------------------------------------------
def _insert_transaction(db, transaction):
    seq = db.next_counter("finance_transaction")
    transaction = dict(transaction, transactionId=f"{seq:012d}", transactionDate=transaction.get(
        "transactionDate") or iso(), transactionStatus="FUNDS_AVAILABLE_FOR_PAYOUT")
    db.execute("INSERT INTO finance_transactions(seq, transaction_id, transaction_date, transaction_type, "
               "transaction_status, order_id, booking_entry, amount_cents, payout_id, data) "
               "VALUES (?,?,?,?,?,?,?,?,NULL,?)",
               (seq, transaction["transactionId"], transaction["transactionDate"], transaction["transactionType"],
                transaction["transactionStatus"], transaction.get("orderId"), transaction["bookingEntry"],
                cents_of(transaction["amount"]), json.dumps(transaction)))
    return transaction


def sale_of(order):
    """The SALE transaction of an order: the buyer's payment less the final value fee, per line too."""
    currency = order["pricingSummary"]["total"]["currency"]
    lines = []
    for line in order["lineItems"]:
        basis = cents_of(line["total"])
        lines.append({"lineItemId": line["lineItemId"], "feeBasisAmount": money(basis, currency),
                      "marketplaceFees": [{"feeType": "FINAL_VALUE_FEE",
                                           "amount": money(basis * FEE_RATE_BP // 10000, currency)}]})
    fee = sum(cents_of(fee["amount"]) for line in lines for fee in line["marketplaceFees"])
    basis = cents_of(order["pricingSummary"]["total"])
    return {"orderId": order["orderId"], "salesRecordReference": order.get("salesRecordReference"),
            "buyer": {"username": order["buyer"]["username"]}, "transactionType": "SALE", "bookingEntry": "CREDIT",
            "amount": money(basis - fee, currency), "totalFeeBasisAmount": money(basis, currency),
            "totalFeeAmount": money(fee, currency), "orderLineItems": lines, "transactionDate": order["creationDate"]}


def post_book(req):
    """Book the SALE of every order without one, then ``refunds`` [{orderId, amount}] and ``charges``
    [{feeType, amount, orderId?}]; answers the transactions made."""
    body = req.json(required=False)
    made = []
    with req.db.transaction() as db:
        booked = {row["order_id"] for row in db.all("SELECT order_id FROM finance_transactions "
                                                     "WHERE transaction_type='SALE'")}
        for row in db.all("SELECT data FROM orders ORDER BY creation_date, order_id"):
            order = json.loads(row["data"])
            if order["orderId"] not in booked:
                made.append(_insert_transaction(db, sale_of(order)))
        for refund in body.get("refunds") or []:
            made.append(_insert_transaction(db, _debit(db, "REFUND", refund, orderId=refund.get("orderId"))))
        for charge in body.get("charges") or []:
            if charge.get("feeType") not in CHARGES:
                raise bad_request(1, "SIMULATOR", f"feeType must be one of {sorted(CHARGES)}")
            made.append(_insert_transaction(db, _debit(db, "NON_SALE_CHARGE", charge, feeType=charge["feeType"])))
    return json_response({"transactions": made})


def _debit(db, kind, spec, **extra):
    try:
        cents = to_cents(spec.get("amount"))
    except ValueError:
        raise bad_request(1, "SIMULATOR", f"amount must be a non-negative amount: {spec.get('amount')!r}") from None
    order_id = spec.get("orderId")
    order = db.scalar("SELECT data FROM orders WHERE order_id=?", (order_id,)) if order_id else None
    if order_id and order is None:
        raise not_found(1, "SIMULATOR", f"no order {order_id}")
    currency = (json.loads(order)["pricingSummary"]["total"]["currency"] if order
                else spec.get("currency") or "USD")   # an order's money is in its currency
    transaction = {"transactionType": kind, "bookingEntry": "DEBIT", "amount": money(cents, currency), **extra}
    if order_id:
        transaction["references"] = [{"referenceId": order_id, "referenceType": "ORDER_ID"}]
    return transaction


def post_payout(req):
    """Pay out every transaction available for payout in one currency (``{"currency": "EUR"}``, by default the
    oldest available one's): one payout of credits less debits (refused when < 0)."""
    body = req.json(required=False) or {}
    with req.db.transaction() as db:
        rows = db.all("SELECT transaction_id, booking_entry, amount_cents, data FROM finance_transactions "
                      "WHERE payout_id IS NULL ORDER BY seq")
        wanted = body.get("currency") or (json.loads(rows[0]["data"])["amount"]["currency"] if rows else None)
        rows = [row for row in rows if json.loads(row["data"])["amount"]["currency"] == wanted]
        if not rows:
            raise bad_request(1, "SIMULATOR", "nothing is available for payout")
        cents = sum(row["amount_cents"] * (1 if row["booking_entry"] == "CREDIT" else -1) for row in rows)
        if cents <= 0:
            raise bad_request(1, "SIMULATOR", "the available funds are not positive: no payout")
        seq = db.next_counter("payout")
        currency = json.loads(rows[0]["data"])["amount"]["currency"]
        fees = sum(cents_of(json.loads(row["data"]).get("totalFeeAmount") or money(0, currency)) for row in rows)
        payout = {"payoutId": f"{5000000000 + seq}", "payoutStatus": "SUCCEEDED",
                  "payoutStatusDescription": "Funds sent", "payoutDate": iso(time.time()),
                  "amount": money(cents, currency), "totalFee": money(fees, currency), "transactionCount": len(rows),
                  "payoutInstrument": PAYOUT_INSTRUMENT, "bankReference": f"EBAY{seq:08d}"}
        db.execute("INSERT INTO payouts(seq, payout_id, payout_date, payout_status, data) VALUES (?,?,?,?,?)",
                   (seq, payout["payoutId"], payout["payoutDate"], payout["payoutStatus"], json.dumps(payout)))
        for row in rows:
            transaction = dict(json.loads(row["data"]), payoutId=payout["payoutId"], transactionStatus="PAYOUT")
            db.execute("UPDATE finance_transactions SET payout_id=?, transaction_status='PAYOUT', data=? "
                       "WHERE transaction_id=?", (payout["payoutId"], json.dumps(transaction), row["transaction_id"]))
    return json_response(payout)


ROUTES = [
    ("GET", "/sell/finances/v1/transaction", get_transactions, "user"),
    ("GET", "/sell/finances/v1/payout", get_payouts, "user"),
    ("GET", "/sell/finances/v1/payout/{payout_Id}", get_payout, "user"),
    ("POST", "/_sim/finances/book", post_book, "sim"),
    ("POST", "/_sim/finances/payout", post_payout, "sim"),
]
