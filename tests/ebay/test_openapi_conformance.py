"""Every request the client sends and every answer the simulator gives, held to eBay's OpenAPI documents
(``../shared/ebay-openapi/*.yml``; another folder with ``EBAY_OPENAPI_DIR``). Skipped, saying so, when they are
absent: they are reference data, not part of the project.

The client drives the connector's flows against the simulator (inventory, offers, publish, revise, withdraw,
groups, location, policies, conditions, taxonomy, Browse, Catalog, orders, shipping, Feed, migration); each
exchange is recorded from the HTTP session and checked: the path is one of the document's, spelled as written
(a trailing slash too), with the method; every query parameter is documented; a header the operation requires is
sent; the JSON body validates against the request schema, and the answer against the response schema of its
status, both strictly (a field the schema does not have is an error: OpenAPI schemas allow extra fields, eBay
does not take them). Known departures of the documents themselves are listed in ``DOCUMENT_QUIRKS``.
"""
import copy
import dataclasses
import json
import os
import re
import warnings
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from test_publishing import category as leaf_category  # noqa: F401 (a fixture: a leaf and its aspects)
from test_publishing import make_draft

from ebay_api.account import AccountAdapter
from ebay_api.browse import BrowseAdapter
from ebay_api.catalog import CatalogAdapter
from ebay_api.feed import FeedAdapter
from ebay_api.finances import FinancesAdapter, KeyManagementAdapter
from ebay_api.fulfillment import FulfillmentAdapter
from ebay_api.inventory import InventoryAdapter
from ebay_api.mappers import map_active_inventory_report
from ebay_api.metadata import MetadataAdapter
from ebay_api.payment_dispute import PaymentDisputeAdapter, map_payment_dispute
from ebay_api.publishing import GroupUnit, Publisher, PublishUnit
from ebay_api.refunds import issue_refund_body
from ebay_api.taxonomy import TaxonomyAdapter
from marketplace_core.refunds import Refund
from marketplace_simulators.ebay_sim.seed import LOCATION
from sync_core.publish import Variant, group_payload, inventory_item_payload, offer_payload

SPEC_DIR = os.environ.get("EBAY_OPENAPI_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "ebay-openapi")
DOCUMENTS = ("account", "browse", "catalog", "feed", "finances", "fulfillment", "inventory", "key_management",
             "metadata", "notification", "taxonomy")
# Calls no OpenAPI document of the folder describes (their doc pages are cited in docs/ebay-api.md): the OAuth
# token endpoint (identity.yml is the Identity *user* API) and the Media image calls (media.yml: video only).
UNDOCUMENTED = ("/identity/v1/oauth2/token", "/commerce/media/v1_beta/image")
# Where a document contradicts its own description and examples (shared/ebay-openapi/README.md): inventory.yml
# types Product.aspects and InventoryItemGroup.aspects as a string; the API sends and takes an object of string
# arrays ({"Brand": ["GoPro"]}).
ASPECTS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
DOCUMENT_QUIRKS = {("inventory", "Product", "aspects"): ASPECTS,
                   ("inventory", "InventoryItemGroup", "aspects"): ASPECTS}


def _strict(node):
    """The schema with ``additionalProperties: false`` on every object that lists its properties."""
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node and "allOf" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(value) for value in node]
    return node


class Document:
    """One OpenAPI document: its base path, operations by compiled path, and a strict validator per schema."""

    def __init__(self, name):
        yaml = pytest.importorskip("yaml")
        with open(os.path.join(SPEC_DIR, f"{name}.yml"), encoding="utf-8") as handle:
            self.spec = yaml.safe_load(handle)
        self.name = name
        self.base = self.spec["servers"][0]["variables"]["basePath"]["default"]
        components = copy.deepcopy(self.spec.get("components") or {})
        for (document, schema, prop), replacement in DOCUMENT_QUIRKS.items():
            if document == name:
                components["schemas"][schema]["properties"][prop] = replacement
        self.components = _strict(components)
        self.paths = [(re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), path, item)
                      for path, item in self.spec["paths"].items()]

    def operation(self, method, path):
        """(document path, operation) of a request path under this document's base, or (None, None)."""
        local = path[len(self.base):]
        for pattern, written, item in self.paths:
            if pattern.match(local) and method.lower() in item:
                return written, item[method.lower()]
        return None, None

    def errors(self, schema, value):
        from openapi_schema_validator import OAS30Validator

        root = dict(_strict(schema), components=self.components)
        return sorted(f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
                      for error in OAS30Validator(root).iter_errors(value))


def _json_schema(content):
    for media_type, body in (content or {}).items():
        if "json" in media_type and body.get("schema"):
            return body["schema"]
    return None


def _json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def check_exchange(documents, response):
    """Every way one recorded exchange departs from its document (an empty list: it conforms)."""
    request = response.request
    url = urlsplit(request.url)
    if url.path.startswith("/_sim") or url.path.startswith(UNDOCUMENTED):
        return []
    document = next((doc for doc in documents if url.path.startswith(doc.base + "/")), None)
    where = f"{request.method} {url.path}"
    if document is None:
        return [f"{where}: no document has this API"]
    written, operation = document.operation(request.method, url.path)
    if operation is None:
        return [f"{where}: not a path of {document.name}.yml as written"]
    where = f"{request.method} {written} ({document.name}.yml)"
    problems = []
    parameters = operation.get("parameters") or []
    documented = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
    problems += [f"{where}: query parameter {name} is not documented"
                 for name, _value in parse_qsl(url.query, keep_blank_values=True) if name not in documented]
    headers = {name.lower() for name in request.headers}
    problems += [f"{where}: required header {parameter['name']} missing" for parameter in parameters
                 if parameter["in"] == "header" and parameter.get("required")
                 and parameter["name"].lower() not in headers]
    body = _json(request.body)
    schema = _json_schema((operation.get("requestBody") or {}).get("content"))
    if body is not None and schema is not None:
        problems += [f"{where} request: {error}" for error in document.errors(schema, body)]
    answers = operation.get("responses") or {}
    answer = answers.get(str(response.status_code)) or answers.get("default")
    if answer is None:
        if response.status_code < 400:
            problems.append(f"{where}: status {response.status_code} is not documented")
        return problems
    schema, body = _json_schema(answer.get("content")), _json(response.content)
    if body is not None and schema is not None:
        problems += [f"{where} answer {response.status_code}: {error}" for error in document.errors(schema, body)]
    return problems


@pytest.fixture(scope="module")
def documents():
    if not os.path.isdir(SPEC_DIR):
        message = (f"eBay's OpenAPI documents are absent ({os.path.abspath(SPEC_DIR)}; set EBAY_OPENAPI_DIR): the "
                   "requests and the simulator's answers are NOT checked against them")
        warnings.warn(message, stacklevel=1)   # in the summary even without -rs
        pytest.skip(message)
    pytest.importorskip("openapi_schema_validator")
    return [Document(name) for name in DOCUMENTS]


@pytest.fixture
def recorded(sim_client):
    """The exchanges of ``sim_client``'s session, in order."""
    exchanges = []
    sim_client.session.hooks["response"].append(lambda response, *args, **kwargs: exchanges.append(response))
    return exchanges


def drive_the_connector(client, leaf):
    """What the connector does on eBay, through its own adapters."""
    inventory = InventoryAdapter(client)
    taxonomy = TaxonomyAdapter(client)
    tree_id = taxonomy.get_default_category_tree_id("EBAY_US")["categoryTreeId"]
    taxonomy.get_item_aspects(tree_id, leaf[0])
    taxonomy.get_category_suggestions(tree_id, "desk lamp")
    MetadataAdapter(client).get_item_condition_policies("EBAY_US", [leaf[0]])
    for kind in ("fulfillment", "payment", "return"):
        AccountAdapter(client).get_policies(kind, "EBAY_US")
    inventory.create_inventory_location("conformance-wh", {
        "location": {"address": {"postalCode": "95125", "country": "US"}}, "name": "Conformance",
        "merchantLocationStatus": "ENABLED", "locationTypes": ["WAREHOUSE"]})

    publisher = Publisher(inventory, "EBAY_US")
    drafts = [make_draft(leaf, f"CONF-{n}", location_key=LOCATION) for n in range(2)]
    units = [PublishUnit(d.sku, inventory_item_payload(d), offer_payload(d)) for d in drafts]
    assert all(outcome.ok for outcome in publisher.publish(units).values())
    revised = dataclasses.replace(drafts[0], price=Decimal("13.50"), title="Lamp CONF-0, brass")
    offer_id = inventory.find_offers("CONF-0", "EBAY_US")[0]["offerId"]
    inventory.update_offer(offer_id, offer_payload(revised))
    inventory.create_or_replace_inventory_item("CONF-0", inventory_item_payload(revised))
    inventory.publish_offer(offer_id)
    inventory.bulk_update_price_quantity([{"sku": "CONF-1", "shipToLocationAvailability": {"quantity": 4}}])
    inventory.bulk_get_inventory_items(["CONF-0", "CONF-1"])
    inventory.withdraw_offer(offer_id)
    single = make_draft(leaf, "CONF-SINGLE", location_key=LOCATION)
    inventory.create_or_replace_inventory_item("CONF-SINGLE", inventory_item_payload(single))
    inventory.publish_offer(inventory.create_offer(offer_payload(single)))
    assert inventory.find_offers("CONF-NONE", "EBAY_US") == []
    next(iter(inventory.iter_inventory_items(page_size=5)), None)

    variants = tuple(Variant(sku=f"CONF-TEE-{size}", price=Decimal("15"), quantity=2, aspects={"Size": [size]})
                     for size in ("S", "M"))
    group = make_draft(leaf, "CONF-TEE", variants=variants, price=None)
    group_unit = GroupUnit("CONF-TEE", group_payload(group),
                           [PublishUnit(v.sku, inventory_item_payload(group, v), offer_payload(group, v))
                            for v in variants])
    assert all(outcome.ok for outcome in publisher.publish_groups([group_unit]).values())
    inventory.withdraw_offer_by_inventory_item_group("CONF-TEE", "EBAY_US")

    BrowseAdapter(client).search(marketplace_id="EBAY_US", keywords="desk lamp", condition_ids=("1000",),
                                 country="US")
    catalog = CatalogAdapter(client)
    summaries = catalog.search_by_gtin("2300001000008")
    catalog.get_product(summaries[0]["epid"])

    fulfillment = FulfillmentAdapter(client)
    order = next(iter(fulfillment.iter_orders(datetime.now(timezone.utc) - timedelta(days=90))))
    lines = [(line["lineItemId"], line["quantity"]) for line in order["lineItems"]]
    fulfillment.create_shipping_fulfillment(order["orderId"], lines, "USPS", "9400100000000000000001")
    fulfillment.get_shipping_fulfillments(order["orderId"])
    fulfillment.get_orders_by_ids([order["orderId"]])
    currency = order["pricingSummary"]["total"]["currency"]
    fulfillment.issue_refund(order["orderId"], issue_refund_body(Refund(Decimal("1.00")), currency, "OTHER_ADJUSTMENT",
                                                                 "conformance"))
    fulfillment.issue_refund(order["orderId"], issue_refund_body(
        Refund.of_lines([(order["lineItems"][0]["lineItemId"], "1.00")]), currency, "ITEM_NOT_AS_DESCRIBED"))
    fulfillment.get_order(order["orderId"])
    report = map_active_inventory_report(FeedAdapter(client).download_active_inventory_report(poll_seconds=0))
    inventory.bulk_migrate_listings([row.item_id for row in report if not (row.sku or "").startswith(("DEMO-",
                                                                                                       "CONF-"))][:5])

    finances = FinancesAdapter(client)
    a_month_ago = datetime.now(timezone.utc) - timedelta(days=30)
    payout = next(iter(finances.iter_payout_pages(a_month_ago, page_size=10))).items[0]
    finances.get_payout(payout["payoutId"])
    assert list(finances.iter_transaction_pages(payout_id=payout["payoutId"], page_size=3))
    assert list(finances.iter_transaction_pages(a_month_ago - timedelta(days=30), transaction_type="SALE"))
    keys = KeyManagementAdapter(client)
    keys.get_signing_key(keys.create_signing_key()["signingKeyId"])


def drive_a_payment_dispute(client, dispute_ids):
    """Both answers to a dispute: the first accepted, the second contested with evidence (upload, add, update)."""
    disputes = PaymentDisputeAdapter(client)
    assert disputes.summaries_page(datetime.now(timezone.utc) - timedelta(days=1), status="ACTION_NEEDED")[0]
    accepted, contested = dispute_ids
    disputes.accept(accepted, map_payment_dispute(disputes.get(accepted)).revision)
    disputes.activities(accepted)
    dispute = map_payment_dispute(disputes.get(contested))
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    evidence_id = disputes.add_evidence(contested, "PROOF_OF_AUTHENTICITY",
                                        [disputes.upload_evidence_file(contested, "a.png", png, "image/png")],
                                        dispute.line_items)
    file_id = disputes.upload_evidence_file(contested, "b.png", png, "image/png")
    disputes.update_evidence(contested, evidence_id, "PROOF_OF_AUTHENTICITY", [file_id], dispute.line_items)
    disputes.fetch_evidence_content(contested, evidence_id, file_id)
    disputes.contest(contested, map_payment_dispute(disputes.get(contested)).revision, note="Authentic.")


def test_every_request_and_answer_is_as_ebays_documents_write_them(documents, recorded, sim_client, sim_controls,
                                                                   request):
    sim_controls.post("finances/book", {"charges": [{"feeType": "AD_FEE", "amount": "2.10"}]})
    sim_controls.post("finances/payout")
    # an order with a seller promotion: appliedPromotions and priceDiscount as fulfillment.yml writes them
    sku = next(listing["sku"] for listing in (sim_controls.get(f"listings/DEMO-{n:04d}") for n in range(1, 31))
               if listing.get("status") == "PUBLISHED")
    promoted = sim_controls.post("orders", {"lines": [{"sku": sku, "quantity": 3, "discount": "1.00"}]})
    drive_the_connector(sim_client, request.getfixturevalue("leaf_category"))
    FulfillmentAdapter(sim_client).get_orders_by_ids(promoted["orderIds"])
    drive_a_payment_dispute(sim_client, [
        sim_controls.post("payment_disputes", {"orderId": promoted["orderIds"][0], "reason": reason})[
            "paymentDisputeId"] for reason in ("FRAUD", "COUNTERFEIT")])
    seen = {f"{response.request.method} {urlsplit(response.request.url).path}" for response in recorded}
    assert any("/publish_by_inventory_item_group/" in call for call in seen)
    assert {"GET /sell/finances/v1/transaction", "POST /developer/key_management/v1/signing_key"} <= seen
    assert {call.rsplit("/", 1)[-1] for call in seen if "/sell/fulfillment/v1/payment_dispute" in call} >= {
        "payment_dispute_summary", "activity", "accept", "contest", "upload_evidence_file", "add_evidence",
        "update_evidence", "fetch_evidence_content"}
    assert len(recorded) > 30
    problems = [problem for response in recorded for problem in check_exchange(documents, response)]
    assert problems == [], "\n".join(dict.fromkeys(problems))


def test_the_check_finds_what_the_documents_refuse(documents):
    """The check itself: a field updateOffer's schema lacks, a path without its trailing slash, an undocumented
    query parameter, a missing Content-Language and an answer's field the schema lacks are each found."""
    inventory = next(doc for doc in documents if doc.name == "inventory")

    def exchange(method, path, body=None, headers=None, status=200, answer=b""):
        request = type("Request", (), {"method": method, "url": "http://sim" + path,
                                       "body": json.dumps(body) if body is not None else None,
                                       "headers": headers or {}})
        return type("Response", (), {"request": request, "status_code": status, "content": answer})

    offer = {"sku": "X", "marketplaceId": "EBAY_US", "format": "FIXED_PRICE", "availableQuantity": 1}
    problems = check_exchange([inventory], exchange("PUT", "/sell/inventory/v1/offer/1", offer,
                                                    {"Content-Language": "en-US"}, 204))
    assert any("sku" in problem for problem in problems), problems
    assert check_exchange([inventory], exchange("POST", "/sell/inventory/v1/offer/1/publish")) == [
        "POST /sell/inventory/v1/offer/1/publish: not a path of inventory.yml as written"]
    problems = check_exchange([inventory], exchange("GET", "/sell/inventory/v1/offer?sku=A&colour=red"))
    assert problems == ["GET /offer (inventory.yml): query parameter colour is not documented"]
    problems = check_exchange([inventory], exchange("POST", "/sell/inventory/v1/offer",
                                                    {"sku": "A", "marketplaceId": "EBAY_US", "format": "FIXED_PRICE"},
                                                    {}, 201))
    assert "POST /offer (inventory.yml): required header Content-Language missing" in problems
    answer = json.dumps({"offerId": "1", "sku": "A", "colour": "red"}).encode()
    problems = check_exchange([inventory], exchange("GET", "/sell/inventory/v1/offer/1", answer=answer))
    assert problems == ["GET /offer/{offerId} (inventory.yml) answer 200: (body): Additional properties are not "
                        "allowed ('colour' was unexpected)"]
