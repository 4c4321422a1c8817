"""The eBay simulator over real HTTP: OAuth, limits, paging, bulk updates, feed, migration, fulfillment,
notifications, persistence and fault injection."""
import base64
import hashlib
import io
import json
import threading
import xml.etree.ElementTree as ET
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from marketplace_simulators.ebay_sim.server import SimulatorServer

APP_ID = "DemoSeller-Connecto-SBX-1a2b3c4d5"
CERT_ID = "SBX-demo-cert-secret"
RU_NAME = "Demo_Seller-DemoSell-Connec-abcdefg"
SCOPE = "https://api.ebay.com/oauth/api_scope/sell.inventory https://api.ebay.com/oauth/api_scope/sell.fulfillment"
NS = {"e": "urn:ebay:apis:eBLBaseComponents"}


def token_call(sim, **form):
    return requests.post(f"{sim.base_url}/identity/v1/oauth2/token", data=form, auth=(APP_ID, CERT_ID), timeout=10)


def consent(sim, decision="approve", state="xyz"):
    """Open the consent page, then submit its form as a browser would; returns the redirect's query."""
    params = {"client_id": APP_ID, "redirect_uri": RU_NAME, "response_type": "code", "scope": SCOPE,
              "state": state}
    page = requests.get(f"{sim.base_url}/oauth2/authorize", params=params, timeout=10)
    assert page.status_code == 200 and "id='approve'" in page.text
    answer = requests.post(f"{sim.base_url}/oauth2/authorize", data={**params, "decision": decision},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://localhost:8069/ebay/oauth/callback"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def user_tokens(sim):
    code = consent(sim)["code"]
    answer = token_call(sim, grant_type="authorization_code", code=code, redirect_uri=RU_NAME)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def api(sim):
    """A requests session carrying a user access token."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + user_tokens(sim)["access_token"]
    session.base = sim.base_url
    return session


def get(api, path, **params):
    return api.get(api.base + path, params=params, timeout=30)


def post(api, path, payload=None, **kwargs):
    return api.post(api.base + path, json=payload, timeout=30, **kwargs)


def control(sim, path, payload=None):
    answer = requests.post(f"{sim.base_url}/_sim/{path}", json=payload or {}, timeout=30)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


# ---------------------------------------------------------------- OAuth


def test_consent_code_token_and_refresh(sim):
    tokens = user_tokens(sim)
    assert tokens["token_type"] == "User Access Token" and tokens["expires_in"] == 7200
    assert tokens["refresh_token_expires_in"] == 47304000
    refreshed = token_call(sim, grant_type="refresh_token", refresh_token=tokens["refresh_token"], scope=SCOPE)
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"] != tokens["access_token"]
    assert "refresh_token" not in refreshed.json()


def test_code_is_single_use_and_decline_redirects_with_error(sim):
    code = consent(sim)["code"]
    assert token_call(sim, grant_type="authorization_code", code=code, redirect_uri=RU_NAME).status_code == 200
    again = token_call(sim, grant_type="authorization_code", code=code, redirect_uri=RU_NAME)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert consent(sim, decision="decline") == {"error": "access_denied", "state": "xyz"}


def test_bad_client_and_bad_refresh_token(sim):
    wrong = requests.post(f"{sim.base_url}/identity/v1/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=(APP_ID, "nope"), timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    bad = token_call(sim, grant_type="refresh_token", refresh_token="v^1.1#bogus")
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_grant", "error_description":
                          "the provided authorization refresh token is invalid or was issued to another client"}


def test_expired_token_gets_401_and_app_token_cannot_use_sell_apis(sim, api):
    assert get(api, "/sell/inventory/v1/inventory_item").status_code == 200
    control(sim, "expire_tokens")
    expired = get(api, "/sell/inventory/v1/inventory_item")
    assert expired.status_code == 401 and expired.json()["errors"][0]["errorId"] == 1001
    app_token = token_call(sim, grant_type="client_credentials",
                           scope="https://api.ebay.com/oauth/api_scope").json()["access_token"]
    headers = {"Authorization": "Bearer " + app_token}
    taxonomy = requests.get(f"{sim.base_url}/commerce/taxonomy/v1/get_default_category_tree_id",
                            params={"marketplace_id": "EBAY_US"}, headers=headers, timeout=10)
    assert taxonomy.status_code == 200 and taxonomy.json()["categoryTreeId"] == "0"
    sell = requests.get(f"{sim.base_url}/sell/inventory/v1/inventory_item", headers=headers, timeout=10)
    assert sell.status_code == 403


def test_token_ttl_fault_setting_shortens_expiry(sim):
    control(sim, "faults", {"token_ttl": 60})
    assert user_tokens(sim)["expires_in"] == 60


# ---------------------------------------------------------------- Taxonomy


def test_category_tree_depth_and_aspects(api):
    tree = get(api, "/commerce/taxonomy/v1/category_tree/0").json()
    assert tree["categoryTreeVersion"]

    def walk(node):
        children = node.get("childCategoryTreeNodes", [])
        yield node
        for child in children:
            yield from walk(child)

    nodes = list(walk(tree["rootCategoryNode"]))
    assert 250 <= len(nodes) <= 400
    assert max(n["categoryTreeNodeLevel"] for n in nodes) >= 5
    leaf = next(n for n in nodes if n.get("leafCategoryTreeNode"))
    aspects = get(api, "/commerce/taxonomy/v1/category_tree/0/get_item_aspects_for_category",
                  category_id=leaf["category"]["categoryId"]).json()["aspects"]
    assert {"Brand", "MPN", "Model"} <= {a["localizedAspectName"] for a in aspects}
    branch = next(n for n in nodes[1:] if n.get("childCategoryTreeNodes"))
    assert get(api, "/commerce/taxonomy/v1/category_tree/0/get_item_aspects_for_category",
               category_id=branch["category"]["categoryId"]).status_code == 400


# ---------------------------------------------------------------- Inventory


def test_inventory_paging_is_by_page_index(api):
    first = get(api, "/sell/inventory/v1/inventory_item", limit=7).json()
    assert first["total"] == 30 and first["size"] == 7 and "prev" not in first
    skus, page = [], first
    while True:
        skus += [item["sku"] for item in page["inventoryItems"]]
        if "next" not in page:
            break
        page = api.get(page["next"], timeout=10).json()
    assert skus == [f"DEMO-{n:04d}" for n in range(1, 31)]
    assert get(api, "/sell/inventory/v1/inventory_item", limit=201).status_code == 400
    item = first["inventoryItems"][0]
    assert {"Brand", "MPN", "Model"} <= set(item["product"]["aspects"]) and item["condition"]


def test_bulk_limits_are_25(api):
    too_many = {"requests": [{"sku": f"DEMO-{n:04d}"} for n in range(1, 27)]}
    answer = post(api, "/sell/inventory/v1/bulk_get_inventory_item", too_many)
    assert answer.status_code == 400 and answer.json()["errors"][0]["errorId"] == 25709
    assert post(api, "/sell/inventory/v1/bulk_update_price_quantity", too_many).status_code == 400
    ok = post(api, "/sell/inventory/v1/bulk_get_inventory_item", {"requests": too_many["requests"][:25]})
    assert ok.status_code == 200 and len(ok.json()["responses"]) == 25
    partial = post(api, "/sell/inventory/v1/bulk_get_inventory_item", {"requests": [{"sku": "NOPE"}]})
    assert partial.status_code == 207 and partial.json()["responses"][0]["statusCode"] == 404


def test_get_offers_requires_sku(api):
    missing = get(api, "/sell/inventory/v1/offer")
    assert missing.status_code == 400 and missing.json()["errors"][0]["domain"] == "API_INVENTORY"
    offers = get(api, "/sell/inventory/v1/offer", sku="DEMO-0001").json()["offers"]
    assert offers[0]["sku"] == "DEMO-0001" and offers[0]["status"] in ("PUBLISHED", "UNPUBLISHED")
    assert offers[0]["pricingSummary"]["price"]["currency"] == "USD"


def first_published(api):
    for n in range(1, 31):
        offer = get(api, "/sell/inventory/v1/offer", sku=f"DEMO-{n:04d}").json()["offers"][0]
        if offer["status"] == "PUBLISHED":
            return offer
    raise AssertionError("no published offer in the demo seed")


def test_bulk_update_is_applied_and_read_back(sim, api):
    offer = first_published(api)
    sku = offer["sku"]
    answer = post(api, "/sell/inventory/v1/bulk_update_price_quantity", {"requests": [{
        "sku": sku, "shipToLocationAvailability": {"quantity": 42},
        "offers": [{"offerId": offer["offerId"], "availableQuantity": 40,
                    "price": {"value": "12.34", "currency": "USD"}}]}]})
    assert answer.status_code == 200
    assert answer.json()["responses"] == [{"sku": sku, "statusCode": 200, "offerId": offer["offerId"]}]
    again = get(api, "/sell/inventory/v1/offer", sku=sku).json()["offers"][0]
    assert again["availableQuantity"] == 40 and again["pricingSummary"]["price"]["value"] == "12.34"
    item = get(api, f"/sell/inventory/v1/inventory_item/{sku}").json()
    assert item["availability"]["shipToLocationAvailability"]["quantity"] == 42
    listing = requests.get(f"{sim.base_url}/_sim/listings/{sku}", timeout=10).json()
    assert listing["quantity"] == 40 and listing["price"]["value"] == "12.34"


def test_bulk_update_reports_per_sku_failures_with_207(sim, api):
    control(sim, "fail_sku", {"sku": "DEMO-0002", "errorId": 25001, "message": "System error"})
    before = get(api, "/sell/inventory/v1/inventory_item/DEMO-0002").json()
    answer = post(api, "/sell/inventory/v1/bulk_update_price_quantity", {"requests": [
        {"sku": "DEMO-0002", "shipToLocationAvailability": {"quantity": 3}},
        {"sku": "DEMO-0003", "shipToLocationAvailability": {"quantity": 4}},
        {"sku": "UNKNOWN-SKU", "shipToLocationAvailability": {"quantity": 5}}]})
    assert answer.status_code == 207
    by_sku = {r["sku"]: r for r in answer.json()["responses"]}
    assert by_sku["DEMO-0002"]["statusCode"] == 400 and by_sku["DEMO-0002"]["errors"][0]["errorId"] == 25001
    assert by_sku["DEMO-0003"]["statusCode"] == 200
    assert by_sku["UNKNOWN-SKU"]["errors"][0]["errorId"] == 25702
    after = get(api, "/sell/inventory/v1/inventory_item/DEMO-0002").json()
    assert after["availability"] == before["availability"]
    control(sim, "fail_sku", {"sku": "DEMO-0002", "clear": True})
    cleared = post(api, "/sell/inventory/v1/bulk_update_price_quantity",
                   {"requests": [{"sku": "DEMO-0002", "shipToLocationAvailability": {"quantity": 3}}]})
    assert cleared.status_code == 200


def test_create_publish_and_withdraw_offer(api):
    item = {"product": {"title": "Test lamp", "aspects": {"Brand": ["Acme"]}, "imageUrls": ["https://x/1.jpg"]},
            "condition": "NEW", "availability": {"shipToLocationAvailability": {"quantity": 4}}}
    no_language = api.put(api.base + "/sell/inventory/v1/inventory_item/NEW-1", json=item, timeout=10)
    assert no_language.status_code == 400
    created = api.put(api.base + "/sell/inventory/v1/inventory_item/NEW-1", json=item,
                      headers={"Content-Language": "en-US"}, timeout=10)
    assert created.status_code == 201
    offer = {"sku": "NEW-1", "marketplaceId": "EBAY_US", "format": "FIXED_PRICE", "availableQuantity": 4}
    english = {"Content-Language": "en-US"}
    assert post(api, "/sell/inventory/v1/offer", offer).status_code == 400   # no Content-Language
    offer_id = post(api, "/sell/inventory/v1/offer", offer, headers=english).json()["offerId"]
    incomplete = post(api, f"/sell/inventory/v1/offer/{offer_id}/publish/")
    assert incomplete.status_code == 400 and len(incomplete.json()["errors"]) >= 3
    assert post(api, "/sell/inventory/v1/offer", offer, headers=english).status_code == 400   # duplicate
    api.close()


def test_offers_are_written_in_their_sites_language(api):
    """createOffer, bulkCreateOffer and updateOffer need Content-Language, one the offer's site speaks; an item
    written in en_US does not publish on EBAY_DE (25604)."""
    item = {"product": {"title": "Schreibtischlampe", "aspects": {"Brand": ["Acme"]}},
            "availability": {"shipToLocationAvailability": {"quantity": 4}}}
    assert api.put(api.base + "/sell/inventory/v1/inventory_item/DE-1", json=item,
                   headers={"Content-Language": "en-US"}, timeout=10).status_code == 201
    offer = {"sku": "DE-1", "marketplaceId": "EBAY_DE", "format": "FIXED_PRICE", "availableQuantity": 4}
    refused = post(api, "/sell/inventory/v1/offer", offer, headers={"Content-Language": "en-US"})
    assert refused.status_code == 400 and "EBAY_DE takes de-DE" in refused.json()["errors"][0]["message"]
    bulk = post(api, "/sell/inventory/v1/bulk_create_offer", {"requests": [offer]},
                headers={"Content-Language": "en-US"})
    assert bulk.status_code == 207 and bulk.json()["responses"][0]["statusCode"] == 400
    assert post(api, "/sell/inventory/v1/bulk_create_offer", {"requests": [offer]}).status_code == 400
    offer_id = post(api, "/sell/inventory/v1/offer", offer, headers={"Content-Language": "de-DE"}).json()["offerId"]
    update = {"availableQuantity": 3, "categoryId": "1"}
    for headers, status in (({}, 400), ({"Content-Language": "en-US"}, 400), ({"Content-Language": "de-DE"}, 204)):
        answer = api.put(f"{api.base}/sell/inventory/v1/offer/{offer_id}", json=update, headers=headers, timeout=10)
        assert answer.status_code == status, (headers, answer.text)
    errors = post(api, f"/sell/inventory/v1/offer/{offer_id}/publish/").json()["errors"]
    assert errors[0]["errorId"] == 25604 and "written in en_US" in errors[0]["message"]
    assert api.put(api.base + "/sell/inventory/v1/inventory_item/DE-1", json=item,
                   headers={"Content-Language": "de-DE"}, timeout=10).status_code == 204
    errors = post(api, f"/sell/inventory/v1/offer/{offer_id}/publish/").json()["errors"]
    assert 25604 not in [error["errorId"] for error in errors]


# ---------------------------------------------------------------- Feed and migration


def run_report(api):
    location = post(api, "/sell/feed/v1/inventory_task",
                    {"feedType": "LMS_ACTIVE_INVENTORY_REPORT", "schemaVersion": "1.0"})
    assert location.status_code == 202
    task_url = location.headers["Location"]
    statuses = [api.get(task_url, timeout=10).json()["status"] for _ in range(3)]
    assert statuses == ["QUEUED", "IN_PROCESS", "COMPLETED"]
    task_id = task_url.rsplit("/", 1)[1]
    answer = get(api, f"/sell/feed/v1/task/{task_id}/download_result_file")
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        root = ET.fromstring(archive.read(archive.namelist()[0]))
    return [{"item": d.findtext("e:ItemID", namespaces=NS), "sku": d.findtext("e:SKU", namespaces=NS),
             "price": d.find("e:Price", NS).text, "quantity": int(d.findtext("e:Quantity", namespaces=NS))}
            for d in root.iterfind("e:ActiveInventoryReport/e:SKUDetails", NS)]


def test_feed_task_lifecycle_and_report(api):
    assert post(api, "/sell/feed/v1/inventory_task",
                {"feedType": "LMS_ORDER_REPORT", "schemaVersion": "1.0"}).status_code == 400
    rows = run_report(api)
    published = [o for n in range(1, 31)
                 for o in get(api, "/sell/inventory/v1/offer", sku=f"DEMO-{n:04d}").json()["offers"]
                 if o["status"] == "PUBLISHED"]
    hub = [r for r in rows if not (r["sku"] or "").startswith("DEMO-")]
    assert len(rows) == len(published) + 10 and len(hub) == 10
    assert any(r["sku"] is None for r in hub)
    one = next(r for r in rows if r["sku"] == published[0]["sku"])
    assert one["item"] == published[0]["listing"]["listingId"]
    assert one["price"] == published[0]["pricingSummary"]["price"]["value"]


def test_migration_eligibility(api):
    hub = [r for r in run_report(api) if not (r["sku"] or "").startswith("DEMO-")]
    answer = post(api, "/sell/inventory/v1/bulk_migrate_listing",
                  {"requests": [{"listingId": r["item"]} for r in hub[:5]]})
    assert answer.status_code in (200, 207)
    assert post(api, "/sell/inventory/v1/bulk_migrate_listing",
                {"requests": [{"listingId": r["item"]} for r in hub[:6]]}).status_code == 400
    rest = post(api, "/sell/inventory/v1/bulk_migrate_listing",
                {"requests": [{"listingId": r["item"]} for r in hub[5:]]}).json()["responses"]
    results = answer.json()["responses"] + rest
    failed = [r for r in results if r["statusCode"] != 200]
    reasons = " ".join(r["errors"][0]["message"] for r in failed)
    assert len(failed) == 3 and "Auction" in reasons and "SKU" in reasons and "business policies" in reasons
    migrated = [r["inventoryItems"][0] for r in results if r["statusCode"] == 200]
    assert len(migrated) == 7
    offers = get(api, "/sell/inventory/v1/offer", sku=migrated[0]["sku"]).json()["offers"]
    assert offers[0]["offerId"] == migrated[0]["offerId"] and offers[0]["status"] == "PUBLISHED"
    assert get(api, "/sell/inventory/v1/inventory_item").json()["total"] == 37


# ---------------------------------------------------------------- Fulfillment


def test_order_paging_filters_and_tax_breakdown(sim, api):
    control(sim, "seed", {"orders": 20})
    pages, page = [], get(api, "/sell/fulfillment/v1/order", limit=10).json()
    while True:
        pages.append(page)
        if "next" not in page:
            break
        page = api.get(page["next"], timeout=10).json()
    ids = [o["orderId"] for p in pages for o in p["orders"]]
    assert pages[0]["total"] == 25 and len(ids) == 25 == len(set(ids))
    order = pages[0]["orders"][0]
    since = order["lastModifiedDate"]
    recent = get(api, "/sell/fulfillment/v1/order", filter=f"lastmodifieddate:[{since}..]").json()
    assert order["orderId"] in [o["orderId"] for o in recent["orders"]]
    assert all(o["lastModifiedDate"] >= since for o in recent["orders"])
    assert get(api, "/sell/fulfillment/v1/order", orderIds=",".join(["x"] * 51)).status_code == 400
    taxed = control(sim, "orders", {"lines": [{"sku": first_published(api)["sku"], "quantity": 1}],
                                    "ebay_collected_tax": True})["orderIds"][0]
    plain = get(api, "/sell/fulfillment/v1/order", orderIds=taxed).json()["orders"][0]
    broken = get(api, "/sell/fulfillment/v1/order", orderIds=taxed, fieldGroups="TAX_BREAKDOWN").json()["orders"][0]
    tax = float(plain["lineItems"][0]["ebayCollectAndRemitTaxes"][0]["amount"]["value"])
    assert tax > 0 and "tax" not in plain["pricingSummary"]
    assert float(broken["pricingSummary"]["total"]["value"]) == pytest.approx(
        float(plain["pricingSummary"]["total"]["value"]) + tax)


def test_multi_line_totals_reconcile(sim, api):
    control(sim, "seed", {"orders": 30})
    orders = get(api, "/sell/fulfillment/v1/order", limit=200).json()["orders"]
    multi = [o for o in orders if len(o["lineItems"]) > 1]
    assert multi
    for order in orders:
        lines = sum(float(line["lineItemCost"]["value"]) + float(line["deliveryCost"]["shippingCost"]["value"])
                    for line in order["lineItems"])
        assert float(order["pricingSummary"]["total"]["value"]) == pytest.approx(lines)


def test_shipping_fulfillment_validates_and_updates_status(sim, api):
    sku = first_published(api)["sku"]
    order_id = control(sim, "orders", {"lines": [{"sku": sku, "quantity": 2}]})["orderIds"][0]
    order = get(api, f"/sell/fulfillment/v1/order/{order_id}").json()
    line_id = order["lineItems"][0]["lineItemId"]
    url = f"/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment"
    overship = post(api, url, {"lineItems": [{"lineItemId": line_id, "quantity": 3}],
                               "shippingCarrierCode": "USPS", "trackingNumber": "9400100000000000000001"})
    assert overship.status_code == 400
    half = post(api, url, {"lineItems": [{"lineItemId": line_id, "quantity": 1}], "shippingCarrierCode": "USPS"})
    assert half.status_code == 400                                  # carrier without tracking
    first = post(api, url, {"lineItems": [{"lineItemId": line_id, "quantity": 1}],
                            "shippingCarrierCode": "USPS", "trackingNumber": "9400100000000000000001"})
    assert first.status_code == 201 and first.headers["Location"].startswith(sim.base_url + url + "/")
    partly = get(api, f"/sell/fulfillment/v1/order/{order_id}").json()
    assert partly["orderFulfillmentStatus"] == "IN_PROGRESS"
    assert partly["lastModifiedDate"] > order["lastModifiedDate"]
    assert post(api, url, {"lineItems": [{"lineItemId": line_id, "quantity": 2}]}).status_code == 400
    assert post(api, url, {"lineItems": [{"lineItemId": line_id, "quantity": 1}]}).status_code == 201
    assert get(api, f"/sell/fulfillment/v1/order/{order_id}").json()["orderFulfillmentStatus"] == "FULFILLED"
    assert get(api, url).json()["total"] == 2
    assert len(requests.get(f"{sim.base_url}/_sim/fulfillments", timeout=10).json()["fulfillments"]) == 2


# ---------------------------------------------------------------- Notifications


class Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint that records deliveries and answers the challenge."""

    received = []
    token = "verification-token-0123456789-abcdefghijklmnop"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers["X-EBAY-SIGNATURE"], body))
        self.send_response(204)
        self.end_headers()

    def do_GET(self):
        code = parse_qs(urlsplit(self.path).query)["challenge_code"][0]
        endpoint = f"http://127.0.0.1:{self.server.server_port}/hook"
        digest = hashlib.sha256((code + self.token + endpoint).encode()).hexdigest()
        payload = json.dumps({"challengeResponse": digest}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_signed_notification_verifies_against_served_key(sim, api, receiver):
    result = control(sim, "notify", {"target_url": receiver, "topic": "ORDER_CONFIRMATION",
                                     "data": {"orderId": "12-34567-00001"}})
    assert result["status"] == 204
    header, body = Receiver.received[0]
    envelope = json.loads(base64.b64decode(header))
    assert envelope["alg"] == "ecdsa" and envelope["digest"] == "SHA1"
    key = get(api, f"/commerce/notification/v1/public_key/{envelope['kid']}").json()
    assert key["algorithm"] == "ECDSA" and "\n" not in key["key"]
    pem = key["key"].replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\n").replace(
        "-----END PUBLIC KEY-----", "\n-----END PUBLIC KEY-----")
    public = serialization.load_pem_public_key(pem.encode())
    signature = base64.b64decode(envelope["signature"])
    public.verify(signature, body, ec.ECDSA(hashes.SHA1()))
    with pytest.raises(InvalidSignature):
        public.verify(signature, body.replace(b"00001", b"00002"), ec.ECDSA(hashes.SHA1()))
    assert json.loads(body)["notification"]["data"] == {"orderId": "12-34567-00001"}
    assert get(api, "/commerce/notification/v1/public_key/unknown-kid").status_code == 404


def test_challenge_handshake(sim, receiver):
    good = control(sim, "challenge", {"endpoint_url": receiver, "verification_token": Receiver.token})
    assert good["ok"] is True
    bad = control(sim, "challenge", {"endpoint_url": receiver, "verification_token": "another-token-000000000000"})
    assert bad["ok"] is False


# ---------------------------------------------------------------- Persistence, faults, introspection


def test_state_survives_restart(sim, api):
    offer = first_published(api)
    post(api, "/sell/inventory/v1/bulk_update_price_quantity",
         {"requests": [{"sku": offer["sku"], "shipToLocationAvailability": {"quantity": 77}}]})
    token = api.headers["Authorization"]
    db_path = sim.store.path
    sim.stop()
    again = SimulatorServer(db_path, port=0).start()
    try:
        answer = requests.get(f"{again.base_url}/sell/inventory/v1/inventory_item/{offer['sku']}",
                              headers={"Authorization": token}, timeout=10)
        assert answer.status_code == 200
        assert answer.json()["availability"]["shipToLocationAvailability"]["quantity"] == 77
    finally:
        again.stop()


def test_fault_injection_is_seeded_and_sends_retry_after(sim, api):
    control(sim, "faults", {"rate_429": 0.3, "retry_after": 2, "random_seed": 7})
    first = [get(api, "/sell/inventory/v1/inventory_item", limit=1) for _ in range(100)]
    throttled = [r for r in first if r.status_code == 429]
    assert 15 <= len(throttled) <= 45
    assert all(r.headers["Retry-After"] == "2" and r.json()["errors"][0]["errorId"] == 2001 for r in throttled)
    control(sim, "faults", {"rate_429": 0.3, "retry_after": 2, "random_seed": 7})
    second = [get(api, "/sell/inventory/v1/inventory_item", limit=1).status_code for _ in range(100)]
    assert second == [r.status_code for r in first]
    control(sim, "faults", {})
    assert requests.get(f"{sim.base_url}/_sim/health", timeout=10).json() == {"ok": True}
    assert get(api, "/sell/inventory/v1/inventory_item", limit=1).status_code == 200


def test_call_counters_fold_ids_and_every_response_has_a_request_id(sim, api):
    control(sim, "calls/reset")
    answer = get(api, "/sell/inventory/v1/inventory_item/DEMO-0001")
    assert answer.headers["X-EBAY-C-REQUEST-ID"].startswith("ri=")
    get(api, "/sell/inventory/v1/inventory_item/DEMO-0002")
    calls = requests.get(f"{sim.base_url}/_sim/calls", timeout=10).json()
    assert calls == {"total": 2, "calls": {"GET /sell/inventory/v1/inventory_item/{id}": 2}}


def test_seed_is_deterministic(tmp_path):
    dumps = []
    for name in ("a", "b"):
        server = SimulatorServer(str(tmp_path / f"{name}.sqlite3"))
        server.seed(demo=True)
        with server.store.connection() as db:
            dumps.append([tuple(row) for row in db.all("SELECT sku, quantity, data FROM inventory_items")]
                         + [tuple(row) for row in db.all("SELECT listing_id, sku, price FROM hub_listings")]
                         + [(row[0],) for row in db.all("SELECT order_id FROM orders ORDER BY order_id")])
        server.stop()
    assert dumps[0] == dumps[1] and len(dumps[0]) == 45


def test_notify_refuses_non_loopback_targets(sim):
    response = requests.post(sim.base_url + "/_sim/notify",
                             json={"target_url": "http://192.0.2.10/api/ebay/webhook", "topic": "ORDER_CONFIRMATION"})
    assert response.status_code == 400
    assert "loopback" in response.text
