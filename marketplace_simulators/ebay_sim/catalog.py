"""Catalog API by barcode and Taxonomy's category suggestions, for drafting listings.

Contracts: ``shared/ebay-openapi/catalog.yml`` (``GET /commerce/catalog/v1_beta/product_summary/search``,
``GET .../product/{epid}``) and ``taxonomy.yml`` (``GET /commerce/taxonomy/v1/category_tree/{id}/
get_category_suggestions?q=``). The catalog is a fixed set of products (``CATALOG``), one of them the barcode
of Odoo's demo product *Desk Organizer*; suggestions score the leaves of the seeded tree by the words of
``q`` found in their path, so the same title always gets the same categories. Stock photos are served by the
simulator itself (``/_sim/catalog/image/{epid}``: a small PNG), as eBay serves them from its image host.
"""
import functools
import re
import struct
import zlib

from .errors import bad_request
from .routing import Response, empty_response, int_param, json_response
from .taxonomy import DOMAIN as TAXONOMY_DOMAIN
from .taxonomy import TREE_VERSIONS, _marketplace_of, build_tree, current_mode

DOMAIN = "API_CATALOG"
MAX_SUGGESTIONS = 5
FALLBACK_SUGGESTIONS = 3
# (epid, gtin kind, gtin, title, brand, mpn, aspects, description)
CATALOG = [
    ("24031555014", "ean", "2300001000008", "Desk Organizer with 5 Loose Boxes, White", "Unbranded", "FURN-0001",
     {"Type": ["Desk Organizer"], "Color": ["White"], "Material": ["Plastic"], "Number of Compartments": ["5"]},
     "Desk organiser with five loose boxes to arrange as you like."),
    ("18021584217", "upc", "013803292186", "Canon EOS Rebel T7 24.1MP Digital SLR Camera Black Body Only",
     "Canon", "2727C002",
     {"Model": ["EOS Rebel T7"], "Type": ["Digital SLR"], "Color": ["Black"], "Series": ["Canon EOS"]},
     "24.1 megapixel APS-C sensor, Full HD video, built-in Wi-Fi."),
    ("6038826811", "upc", "190199098572", "Apple AirPods Pro Wireless Headphones with Charging Case",
     "Apple", "MWP22AM/A",
     {"Model": ["AirPods Pro"], "Color": ["Space Grey Titanium Anodised Finish With Matte Coating"],
      "Type": ["Earbuds (In Ear)"], "Connectivity": ["Bluetooth", "Lightning"]},
     "Active noise cancellation, transparency mode, sweat and water resistant."),
    ("2254304", "isbn", "9780262046305", "Introduction to Algorithms, Fourth Edition", "MIT Press", None,
     {"Author": ["Thomas H. Cormen"], "Format": ["Hardcover"], "Language": ["English"]},
     "The leading textbook on algorithms, fourth edition."),
]
WORD = re.compile(r"[a-z0-9]+")


def _words(text):
    """Lower-case words of three letters or more, a plural's final s dropped (``Boxes`` finds ``Box``)."""
    words = set()
    for word in WORD.findall((text or "").lower()):
        if len(word) >= 3:
            words.add(word[:-1] if word.endswith("s") and len(word) > 3 else word)
    return words


@functools.cache
def _leaf_paths(mode):
    """Leaf id -> (leaf node, ancestors from the parent up to level 1), for the seeded tree."""
    paths = {}

    def walk(node, ancestors):
        for child in node.children:
            if child.children:
                walk(child, [child, *ancestors])
            else:
                paths[child.category_id] = (child, ancestors)

    walk(build_tree(mode).root, [])
    return paths


def suggest(mode, query):
    """``[(leaf, ancestors, relevancy)]`` for ``query``: leaves whose path holds most of its words; when none
    does, a few leaves picked by the query itself (eBay suggests something for almost any title)."""
    words = _words(query)
    scored = []
    for category_id, (leaf, ancestors) in _leaf_paths(mode).items():
        path_words = set().union(*(_words(node.name) for node in [leaf, *ancestors]))
        score = len(words & path_words)
        if score:
            scored.append((-score, -leaf.level, int(category_id), leaf, ancestors))
    scored.sort(key=lambda row: row[:3])
    if scored:
        return [(leaf, ancestors, "HIGH" if -score > 1 else "MEDIUM")
                for score, _level, _id, leaf, ancestors in scored[:MAX_SUGGESTIONS]]
    paths = list(_leaf_paths(mode).values())
    start = zlib.crc32(" ".join(sorted(words)).encode()) % len(paths)
    return [(*paths[(start + step) % len(paths)], "LOW") for step in range(FALLBACK_SUGGESTIONS)]


def get_category_suggestions(req):
    """GET /commerce/taxonomy/v1/category_tree/{category_tree_id}/get_category_suggestions?q= — Taxonomy
    getCategorySuggestions."""
    tree_id = req.params["category_tree_id"]
    _marketplace_of(tree_id)
    query = (req.query.get("q") or "").strip()
    if not query:
        raise bad_request(62007, TAXONOMY_DOMAIN, "Missing keyword 'q'. Please specify a valid set of keywords "
                                                  "that best describes your item.")
    base = f"{req.base_url}/commerce/taxonomy/v1/category_tree/{tree_id}/get_category_subtree?category_id="
    suggestions = [{
        "category": {"categoryId": leaf.category_id, "categoryName": leaf.name},
        "categoryTreeNodeAncestors": [{"categoryId": node.category_id, "categoryName": node.name,
                                       "categoryTreeNodeLevel": node.level,
                                       "categorySubtreeNodeHref": base + node.category_id} for node in ancestors],
        "categoryTreeNodeLevel": leaf.level, "relevancy": relevancy,
    } for leaf, ancestors, relevancy in suggest(current_mode(req.db), query)]
    return json_response({"categorySuggestions": suggestions, "categoryTreeId": tree_id,
                          "categoryTreeVersion": TREE_VERSIONS[current_mode(req.db)]})


# ---------------------------------------------------------------- catalog


def _product(req, entry):
    """The catalog's ``Product`` of a ``CATALOG`` entry; its category is the first suggestion for its title."""
    epid, kind, gtin, title, brand, mpn, aspects, description = entry
    leaf = suggest(current_mode(req.db), title)[0][0]
    product = {
        "epid": epid, "title": title, "brand": brand, "description": description, "gtin": [gtin], kind: [gtin],
        "aspects": [{"localizedName": name, "localizedValues": values}
                    for name, values in [("Brand", [brand]), *aspects.items()]],
        "image": {"imageUrl": f"{req.base_url}/_sim/catalog/image/{epid}", "width": 64, "height": 64},
        "additionalImages": [], "primaryCategoryId": leaf.category_id, "otherApplicableCategoryIds": [],
        "productWebUrl": f"https://www.ebay.com/p/{epid}", "version": "1"}
    if mpn:
        product["mpn"] = [mpn]
    return product


def _same_gtin(one, other):
    """A 12-digit UPC is also its 13-digit EAN with a leading 0: compare without leading zeros."""
    return one.lstrip("0") == other.lstrip("0")


def search_product_summaries(req):
    """GET /commerce/catalog/v1_beta/product_summary/search?gtin= — Catalog search (by barcode here;
    ``q``/``mpn``/``category_ids`` alone find nothing in this small catalog: 204)."""
    gtin = (req.query.get("gtin") or "").strip()
    if not any(req.query.get(name) for name in ("gtin", "q", "mpn", "category_ids")):
        raise bad_request(75001, DOMAIN, "The call must have a valid 'q', or 'category_ids' or 'gtin' or 'mpn' "
                                         "query parameter.")
    limit = int_param(req, "limit", 50, 1, 200, 75004, DOMAIN)
    found = [entry for entry in CATALOG if gtin and _same_gtin(entry[2], gtin)][:limit]
    if not found:
        return empty_response(204)
    summaries = []
    for entry in found:
        product = _product(req, entry)
        summary = {key: product[key] for key in ("epid", "title", "brand", "gtin", "aspects", "image",
                                                 "additionalImages", "productWebUrl") if key in product}
        summary["productHref"] = f"{req.base_url}/commerce/catalog/v1_beta/product/{product['epid']}"
        summaries.append(summary)
    return json_response({"href": f"{req.base_url}{req.path}", "limit": limit, "offset": 0,
                          "total": len(summaries), "productSummaries": summaries})


def get_product(req):
    """GET /commerce/catalog/v1_beta/product/{epid} — Catalog getProduct; 404 (75010) for an unknown ePID."""
    epid = req.params["epid"]
    for entry in CATALOG:
        if entry[0] == epid:
            return json_response(_product(req, entry))
    raise bad_request(75010, DOMAIN, f"The specified EPID value {epid} was not found.", {"epid": epid}, status=404)


def _png(seed):
    """A valid 64x64 PNG of one colour drawn from ``seed``: a stock photo the connector can download."""
    red, green, blue = (zlib.crc32(seed.encode()) >> shift & 0xFF for shift in (0, 8, 16))
    rows = b"".join(b"\x00" + bytes((red, green, blue)) * 64 for _ in range(64))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def stock_image(req):
    """GET /_sim/catalog/image/{epid} — the stock photo of a catalog product (eBay's image host's part)."""
    return Response(200, _png(req.params["epid"]), "image/png")


ROUTES = [
    ("GET", "/commerce/catalog/v1_beta/product_summary/search", search_product_summaries, "user"),
    ("GET", "/commerce/catalog/v1_beta/product/{epid}", get_product, "user"),
    ("GET", "/commerce/taxonomy/v1/category_tree/{category_tree_id}/get_category_suggestions",
     get_category_suggestions, "any"),
    ("GET", "/_sim/catalog/image/{epid}", stock_image, "sim"),
]
