"""Deterministic seed data: the demo application, inventory items with offers, Seller Hub listings, orders.

Every generated record draws from its own ``random.Random`` keyed by its sequence number, so a fresh database
seeded with the same arguments always holds the same SKUs, titles, prices, listing ids and order contents
(timestamps are relative to the time of seeding, so orders stay inside getOrders' default 90-day window).
"""
import json
import random
import time

from .inventory import insert_item, insert_offer, new_listing_id, new_offer_id
from .oauth import find_app, register_app
from .orders import build_order, insert_order
from .publishing import seed_publishing
from .taxonomy import build_tree, current_mode

DEMO_APP = {"client_id": "DemoSeller-Connecto-SBX-1a2b3c4d5", "client_secret": "SBX-demo-cert-secret",
            "ru_name": "Demo_Seller-DemoSell-Connec-abcdefg",
            "accept_url": "http://localhost:8069/ebay/oauth/callback"}
DEMO_COUNTS = {"items": 30, "seller_hub_listings": 10, "orders": 5}
POLICIES = {"fulfillmentPolicyId": "6196932000", "paymentPolicyId": "6196933000", "returnPolicyId": "6196934000"}
LOCATION = "demo-warehouse"  # publishing.DEMO_POLICIES / DEMO_LOCATION hold these
# (product noun, brands, model prefix, price range in dollars)
PRODUCTS = [("Digital Camera", ["Canon", "Nikon", "Sony", "Fujifilm"], "DC", (89, 899)),
            ("Wireless Headphones", ["Sony", "Bose", "JBL", "Sennheiser"], "WH", (29, 349)),
            ("Mechanical Keyboard", ["Logitech", "Corsair", "Keychron"], "KB", (39, 229)),
            ("Running Shoes", ["Nike", "Adidas", "Asics", "Brooks"], "RS", (45, 180)),
            ("Coffee Grinder", ["Baratza", "Breville", "Hario"], "CG", (25, 399)),
            ("Building Set", ["LEGO", "Mega Bloks"], "BS", (15, 499)),
            ("Wrist Watch", ["Seiko", "Casio", "Citizen", "Timex"], "WW", (35, 650)),
            ("Board Game", ["Hasbro", "Asmodee", "Ravensburger"], "BG", (12, 89)),
            ("Smartphone Case", ["OtterBox", "Spigen", "Apple"], "SC", (9, 59)),
            ("Camera Lens", ["Canon", "Sigma", "Tamron"], "CL", (120, 1400))]
COLORS = ["Black", "White", "Silver", "Blue", "Red", "Green"]
CONDITIONS = ["NEW"] * 5 + ["NEW_OTHER", "LIKE_NEW", "USED_EXCELLENT", "USED_VERY_GOOD", "USED_GOOD",
                            "SELLER_REFURBISHED", "FOR_PARTS_OR_NOT_WORKING"]
BUYER_WORDS = (["happy", "blue", "quick", "retro", "lucky", "urban"], ["otter", "collector", "falcon", "maker"])


def _product(rng, number):
    """Inventory item body (product + condition) for one generated article."""
    noun, brands, prefix, (low, high) = rng.choice(PRODUCTS)
    brand = rng.choice(brands)
    model = f"{prefix}-{rng.randint(100, 9999)}"
    color = rng.choice(COLORS)
    condition = rng.choice(CONDITIONS)
    item = {"product": {
        "title": f"{brand} {model} {noun} {color}",
        "description": f"{brand} {noun} model {model} in {color.lower()}. Ships from California.",
        "aspects": {"Brand": [brand], "MPN": [f"{prefix}{number:05d}{color[:2].upper()}"], "Model": [model],
                    "Type": [noun], "Color": [color]},
        "imageUrls": [f"https://i.ebayimg.com/images/g/{prefix}{number:05d}x{i}/s-l1600.jpg"
                      for i in range(rng.randint(1, 8))]},
        "condition": condition}
    if condition.startswith("USED") or condition == "FOR_PARTS_OR_NOT_WORKING":
        item["conditionDescription"] = rng.choice(["Light signs of use.", "Small scratch on the back.",
                                                   "Tested, works; box missing."])
    return item, rng.randint(low * 100, high * 100 - 1)


def _offer_data(rng, leaves, title):
    return {"categoryId": rng.choice(leaves), "merchantLocationKey": LOCATION, "listingDuration": "GTC",
            "listingDescription": title, "listingPolicies": dict(POLICIES)}


def seed_items(db, count, leaves):
    """``count`` inventory items ``DEMO-nnnn`` each with one offer; ~85 % published, the rest unpublished."""
    first = db.next_counter("item", count)
    for number in range(first, first + count):
        rng = random.Random(f"item-{number}")
        item, price = _product(rng, number)
        sku = f"DEMO-{number:04d}"
        quantity = rng.choice([0, 1, 2, 3, 5, 8, 12, 25, 50])
        insert_item(db, sku, quantity, item)
        listing_id = new_listing_id(db) if rng.random() < 0.85 else None
        insert_offer(db, new_offer_id(db), sku, quantity, f"{price / 100:.2f}", "USD",
                     _offer_data(rng, leaves, item["product"]["title"]), listing_id=listing_id,
                     sold=rng.randint(0, 40) if listing_id else 0)


def _hub_kind(number):
    """Seller Hub listings: most are migratable; every 10 include one without SKU, one auction, one without
    business policies, so the eligibility rules are always exercised."""
    return {7: "no_sku", 8: "auction", 9: "no_policies"}.get(number % 10, "eligible")


def seed_hub_listings(db, count, leaves):
    """Listings made in Seller Hub: visible only in the active inventory report until migrated."""
    first = db.next_counter("hub", count)
    for number in range(first, first + count):
        rng = random.Random(f"hub-{number}")
        item, price = _product(rng, 50000 + number)
        kind = _hub_kind(number)
        offer = _offer_data(rng, leaves, item["product"]["title"])
        if kind == "no_policies":
            offer.pop("listingPolicies")
        data = {**item, "offer": offer, "soldQuantity": rng.randint(0, 15)}
        db.execute("INSERT INTO hub_listings(listing_id, sku, format, price, currency, quantity, has_policies, "
                   "data) VALUES (?,?,?,?,?,?,?,?)",
                   (new_listing_id(db), None if kind == "no_sku" else f"HUB-{number:04d}",
                    "AUCTION" if kind == "auction" else "FIXED_PRICE", f"{price / 100:.2f}", "USD",
                    1 if kind == "auction" else rng.randint(1, 20), int(kind != "no_policies"), json.dumps(data)))


def sellable(db):
    """Line specs of everything a buyer can purchase: published offers and fixed-price Seller Hub listings."""
    specs = []
    for row in db.all("SELECT o.sku, o.listing_id, o.price, o.currency, i.data FROM offers o "
                      "JOIN inventory_items i ON i.sku=o.sku WHERE o.status='PUBLISHED' ORDER BY o.offer_id"):
        specs.append(_spec(row, json.loads(row["data"])["product"]["title"]))
    for row in db.all("SELECT sku, listing_id, price, currency, data FROM hub_listings WHERE migrated=0 AND "
                      "format='FIXED_PRICE' AND sku IS NOT NULL ORDER BY listing_id"):
        specs.append(_spec(row, json.loads(row["data"])["product"]["title"]))
    return specs


def _spec(row, title):
    return {"sku": row["sku"], "listing_id": row["listing_id"], "title": title,
            "price_cents": round(float(row["price"]) * 100), "currency": row["currency"]}


def make_orders(db, count, pool, lines=None, buyer=None, ebay_collected_tax=None, age_days=30):
    """Create ``count`` orders from ``pool`` (``sellable``) or from explicit ``lines`` specs; returns them."""
    first = db.next_counter("order", count)
    now = time.time()
    created_orders = []
    for seq in range(first, first + count):
        rng = random.Random(f"order-{seq}")
        specs = lines or [{**spec, "quantity": rng.randint(1, 2)}
                          for spec in rng.sample(pool, min(len(pool), rng.randint(1, 3)))]
        shipping = rng.choice([0, 0, 499, 799, 1250])
        specs = [{**spec, "shipping_cents": shipping if i == 0 else 0} for i, spec in enumerate(specs)]
        collect = rng.random() < 0.4 if ebay_collected_tax is None else ebay_collected_tax
        username = buyer or f"{rng.choice(BUYER_WORDS[0])}_{rng.choice(BUYER_WORDS[1])}{rng.randint(1, 99)}"
        created = now - rng.uniform(3600, age_days * 86400) if age_days else now
        order = build_order(seq, specs, username, created, collect, rng)
        insert_order(db, order)
        created_orders.append(order)
    return created_orders


def seed(db, demo=False, items=0, orders=0, seller_hub_listings=0, categories=None, accept_url=None):
    """Seed in one transaction; ``demo=True`` fills unset counts with the demo sizes (30 / 10 / 5)."""
    if demo:
        items = items or DEMO_COUNTS["items"]
        seller_hub_listings = seller_hub_listings or DEMO_COUNTS["seller_hub_listings"]
        orders = orders or DEMO_COUNTS["orders"]
    if categories not in (None, "demo", "full"):
        raise ValueError("categories must be 'demo' or 'full'")
    with db.transaction():
        existing = find_app(db, DEMO_APP["client_id"])
        register_app(db, **{**DEMO_APP, "accept_url": accept_url or (existing["accept_url"] if existing
                                                                    else DEMO_APP["accept_url"])})
        if categories:
            db.set_meta("categories", categories)
        seed_publishing(db)
        leaves = list(build_tree(current_mode(db)).leaves)
        seed_items(db, items, leaves)
        seed_hub_listings(db, seller_hub_listings, leaves)
        pool = sellable(db) if orders else []
        created = make_orders(db, orders, pool) if pool else []
    return {"items": items, "seller_hub_listings": seller_hub_listings, "orders": len(created),
            "categories": categories or current_mode(db)}
