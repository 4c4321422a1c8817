"""Deterministic seed data: the demo partner and its Thai shop, items with and without models, orders."""
import json
import zlib

from .payments import apply_scenario, scenario_of, store_scenario

DEMO_PARTNER_ID = 2001234
DEMO_PARTNER_KEY = "shpk-demo-partner-key-0123456789abcdef0123456789abcdef"
# the Live Push Partner Key the console generates for push signing, apart from the API partner key
DEMO_PUSH_KEY = "shpp-demo-live-push-key-fedcba9876543210fedcba9876543210"
DEMO_SHOP_ID = 10001
SECOND_SHOP_ID = 10002
# a main account (a seller's account above several shops) holding both shops
DEMO_MAIN_ACCOUNT_ID = 50001
# (item_id, model_id, sku, name, stock, price); model 0 is an item without variations
DEMO_MODELS = [
    (800001, 0, "FURN_0269", "Office Chair Black", 12, 1290.0),
    (800002, 900001, "FURN_8900", "Drawer - Black", 8, 450.0),
    (800002, 900002, "FURN_8855", "Drawer - Natural", 5, 450.0),
    (800003, 0, "FURN_1118", "Corner Desk Left Sit", 3, 2950.0),
]
SEED_TIME = 1_780_000_000  # a fixed moment, so two seeds of a fresh database are identical


def seed(db, demo=True, orders=0, now=SEED_TIME, items=0, models_per_item=5):
    """Partner, shops and catalogue; ``orders`` READY_TO_SHIP orders a minute apart until now; ``items``
    more items of ``models_per_item`` models each (SKU ``SHP-<item>-<model>``), for benchmarks."""
    db.execute("INSERT OR IGNORE INTO partners VALUES (?, ?, ?)", (DEMO_PARTNER_ID, DEMO_PARTNER_KEY, DEMO_PUSH_KEY))
    db.execute("UPDATE partners SET push_key = ? WHERE partner_id = ? AND push_key IS NULL",
               (DEMO_PUSH_KEY, DEMO_PARTNER_ID))
    db.execute("INSERT OR IGNORE INTO shops VALUES (?, ?, ?, ?)", (DEMO_SHOP_ID, "Demo Shop TH", "TH", "THB"))
    db.execute("INSERT OR IGNORE INTO shops VALUES (?, ?, ?, ?)", (SECOND_SHOP_ID, "Second Shop TH", "TH", "THB"))
    for shop_id in (DEMO_SHOP_ID, SECOND_SHOP_ID):
        db.execute("INSERT OR IGNORE INTO main_account_shops VALUES (?, ?)", (DEMO_MAIN_ACCOUNT_ID, shop_id))
        for item_id, model_id, sku, name, stock, price in DEMO_MODELS:
            db.execute("INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (shop_id, item_id, model_id, sku, name, stock, price))
    for number in range(items):
        item_id = 1_000_000 + number
        for model in range(1, models_per_item + 1):
            db.execute("INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (DEMO_SHOP_ID, item_id, item_id * 10 + model, f"SHP-{number:05d}-{model}",
                        f"Item {number} - Model {model}", 10, 100.0))
    for number in range(orders):
        make_order(db, DEMO_SHOP_ID, [DEMO_MODELS[number % len(DEMO_MODELS)][:2] + (1 + number % 2,)],
                   now - 60 * (orders - number), order_sn=f"2611{number:06d}SIM", buyer=f"buyer{number % 7}",
                   scenario=scenario_of(f"2611{number:06d}SIM"))
    return {"partner_id": DEMO_PARTNER_ID, "shop_id": DEMO_SHOP_ID, "orders": orders}


def make_order(db, shop_id, lines, when, order_sn, buyer="somchai.buyer", status="READY_TO_SHIP", packages=None,
               scenario="plain"):
    """An order of ``lines`` [(item_id, model_id, quantity)], as get_order_detail returns it, with the amounts
    the buyer paid under ``scenario`` (payments.SCENARIOS); ``packages`` [[line index, ...], ...] splits it into
    parcels (one package of every line by default). A model may be on two lines (e.g. one in a bundle deal):
    each line has its own ``line_item_id``."""
    items = []
    for index, (item_id, model_id, quantity) in enumerate(lines):
        row = db.execute("SELECT * FROM models WHERE shop_id = ? AND item_id = ? AND model_id = ?",
                         (shop_id, item_id, model_id)).fetchone()
        if row is None:
            raise ValueError(f"no model {item_id}/{model_id} in shop {shop_id}")
        name, _sep, model_name = row["name"].partition(" - ")
        items.append({"item_id": item_id, "item_name": name, "item_sku": "" if model_id else row["sku"],
                      "model_id": model_id, "model_name": model_name, "model_sku": row["sku"] if model_id else "",
                      "model_quantity_purchased": quantity, "model_original_price": row["price"],
                      "model_discounted_price": row["price"], "order_item_id": item_id,
                      "line_item_id": zlib.crc32(f"{order_sn}-{index}".encode()) % 1_000_000_000,
                      "promotion_group_id": 0})
    shop = db.execute("SELECT * FROM shops WHERE shop_id = ?", (shop_id,)).fetchone()
    detail = {
        "order_sn": order_sn, "region": shop["region"], "currency": shop["currency"], "cod": False,
        "order_status": status, "create_time": int(when), "update_time": int(when), "pay_time": int(when),
        "buyer_user_id": zlib.crc32(buyer.encode()) % 10_000_000, "buyer_username": buyer,
        "estimated_shipping_fee": 40.0, "actual_shipping_fee": 40.0, "total_amount": 0.0,
        "recipient_address": {"name": "Somchai Jaidee", "phone": "66812345678", "town": "", "district": "Pathum Wan",
                              "city": "Bangkok", "state": "Bangkok", "region": shop["region"], "zipcode": "10330",
                              "full_address": "99 Rama I Road, Pathum Wan, Bangkok 10330"},
        "item_list": items, "package_list": _packages(order_sn, items, packages),
        "shipping_carrier": "Kerry Express",
    }
    apply_scenario(detail, scenario)
    store_scenario(db, order_sn, scenario)
    db.execute("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?, ?)",
               (order_sn, shop_id, int(when), int(when), status, json.dumps(detail)))
    return detail


def _packages(order_sn, items, split):
    """package_list: the whole order in one package, or one package per group of line indexes."""
    groups = split or [list(range(len(items)))]
    return [{"package_number": "PKG" + order_sn + (f"-{number}" if split else ""),
             "logistics_status": "LOGISTICS_READY", "shipping_carrier": "Kerry Express",
             "item_list": [{"item_id": items[index]["item_id"], "model_id": items[index]["model_id"],
                            "model_quantity": items[index]["model_quantity_purchased"],
                            "order_item_id": items[index]["order_item_id"]} for index in group]}
            for number, group in enumerate(groups, start=1)]
