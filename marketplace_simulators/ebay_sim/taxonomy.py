"""Taxonomy API: a deterministic category tree ("demo": a few hundred nodes, "full": ~20 000) and aspects.

Docs: developer.ebay.com/api-docs/commerce/taxonomy/resources/category_tree/methods/getDefaultCategoryTreeId,
.../getCategoryTree, .../getItemAspectsForCategory (types txn:CategoryTree, txn:AspectMetadata).
The tree depends only on its mode, so the same mode always gives the same ids; serialised responses are cached.
"""
import functools
import json
import random
import threading
from dataclasses import dataclass, field

from .errors import bad_request
from .routing import Response, json_response

DOMAIN = "API_TAXONOMY"
TREE_IDS = {"EBAY_US": "0", "EBAY_GB": "3", "EBAY_DE": "77", "EBAY_AU": "15"}
TREE_VERSIONS = {"demo": "129", "full": "130"}
SIZES = {"demo": 300, "full": 20000}
TOP_LEVEL = ["Antiques", "Art", "Baby", "Books & Magazines", "Business & Industrial", "Cameras & Photo",
             "Cell Phones & Accessories", "Clothing, Shoes & Accessories", "Coins & Paper Money", "Collectibles",
             "Computers/Tablets & Networking", "Consumer Electronics", "Crafts", "Dolls & Bears",
             "Health & Beauty", "Home & Garden", "Jewelry & Watches", "Music", "Musical Instruments & Gear",
             "Pet Supplies", "Pottery & Glass", "Sporting Goods", "Toys & Hobbies", "Video Games & Consoles"]
# One realistic deep branch so every tree has at least six levels below the root.
DEEP_BRANCH = ["Sports Mem, Cards & Fan Shop", "Sports Trading Cards", "Trading Card Singles", "Baseball Cards",
               "Rookie Cards", "Graded Rookie Cards"]
QUALIFIERS = ["Vintage", "Modern", "Mini", "Professional", "Outdoor", "Digital", "Handmade", "Wireless",
              "Classic", "Limited Edition", "Portable", "Replacement", "Kids'", "Travel", "Smart", "Decorative"]
NOUNS = ["Lamps", "Cables", "Figures", "Bags", "Tools", "Parts", "Kits", "Cases", "Chargers", "Mugs",
         "Posters", "Lenses", "Speakers", "Watches", "Jackets", "Boots", "Puzzles", "Stickers", "Frames",
         "Knives", "Pens", "Maps", "Coins", "Stamps", "Records", "Blankets", "Sensors", "Filters"]


@dataclass
class Node:
    category_id: str
    name: str
    level: int
    children: list = field(default_factory=list)


@dataclass
class Tree:
    mode: str
    root: Node
    leaves: dict          # category_id -> Node, in creation order


def _child_name(rng, siblings):
    """A plausible, sibling-unique category name."""
    taken = {child.name for child in siblings}
    name = f"{rng.choice(QUALIFIERS)} {rng.choice(NOUNS)}"
    return name if name not in taken else f"{name} ({len(siblings) + 1})"


@functools.cache
def build_tree(mode):
    """Generate the tree for ``mode``: the deep branch first, then random expansion up to the target size."""
    rng = random.Random(f"ebay-sim-category-tree-{mode}")
    next_id = iter(range(20000, 10 ** 9, 7)).__next__
    root = Node("0", "Root", 0)
    frontier = []
    for name in TOP_LEVEL:
        node = Node(str(next_id()), name, 1)
        root.children.append(node)
        frontier.append(node)
    parent = root.children[TOP_LEVEL.index("Collectibles")]
    for name in DEEP_BRANCH:
        child = Node(str(next_id()), name, parent.level + 1)
        parent.children.append(child)
        parent = child
    count = len(TOP_LEVEL) + len(DEEP_BRANCH) + 1
    while count < SIZES[mode]:
        node = rng.choice(frontier)
        for _ in range(rng.randint(2, 6)):
            child = Node(str(next_id()), _child_name(rng, node.children), node.level + 1)
            node.children.append(child)
            count += 1
            if child.level < 7:
                frontier.append(child)
        frontier.remove(node)
    leaves = {}
    _collect_leaves(root, leaves)
    return Tree(mode, root, leaves)


def _collect_leaves(node, leaves):
    for child in node.children:
        if child.children:
            _collect_leaves(child, leaves)
        else:
            leaves[child.category_id] = child


def _node_json(node):
    """CategoryTreeNode: ``leafCategoryTreeNode`` only when true, children only when not a leaf."""
    out = {"category": {"categoryId": node.category_id, "categoryName": node.name},
           "categoryTreeNodeLevel": node.level}
    if node.children:
        out["childCategoryTreeNodes"] = [_node_json(child) for child in node.children]
    else:
        out["leafCategoryTreeNode"] = True
    return out


_cache_lock = threading.Lock()


@functools.cache
def _tree_body(mode, tree_id, marketplace):
    """The serialised getCategoryTree body (20k nodes: built once, then served from memory)."""
    tree = build_tree(mode)
    return json.dumps({"categoryTreeId": tree_id, "categoryTreeVersion": TREE_VERSIONS[mode],
                       "applicableMarketplaceIds": [marketplace], "rootCategoryNode": _node_json(tree.root)},
                      separators=(",", ":")).encode()


def current_mode(db):
    """Which tree is seeded ("demo" unless ``categories="full"`` was seeded)."""
    return db.meta("categories", "demo")


def _marketplace_of(tree_id):
    for marketplace, known in TREE_IDS.items():
        if known == tree_id:
            return marketplace
    raise bad_request(62004, DOMAIN, f"The specified category tree ID {tree_id} was not found.",
                      {"categoryTreeId": tree_id}, status=404)


def get_default_category_tree_id(req):
    """GET /commerce/taxonomy/v1/get_default_category_tree_id?marketplace_id= — .../getDefaultCategoryTreeId."""
    marketplace = req.query.get("marketplace_id", "")
    if marketplace not in TREE_IDS:
        raise bad_request(62001, DOMAIN, f"The specified marketplace ID {marketplace!r} was not found.",
                          {"marketplace_id": marketplace})
    return json_response({"categoryTreeId": TREE_IDS[marketplace],
                          "categoryTreeVersion": TREE_VERSIONS[current_mode(req.db)]})


def get_category_tree(req):
    """GET /commerce/taxonomy/v1/category_tree/{category_tree_id} — .../getCategoryTree."""
    tree_id = req.params["category_tree_id"]
    marketplace = _marketplace_of(tree_id)
    with _cache_lock:
        body = _tree_body(current_mode(req.db), tree_id, marketplace)
    return Response(200, body, "application/json")


def aspects_for(category_id):
    """Deterministic aspects of a leaf: Brand/MPN/Model always, plus a few typed or selection-only ones."""
    rng = random.Random(f"aspects-{category_id}")
    aspects = [
        _aspect("Brand", True, "FREE_TEXT", ["Canon", "Sony", "Nikon", "LEGO", "Apple", "Samsung", "Unbranded"]),
        _aspect("MPN", False, "FREE_TEXT", [], max_length=65),
        _aspect("Model", False, "FREE_TEXT", [], max_length=65),
        _aspect("Type", rng.random() < 0.5, "FREE_TEXT", rng.sample(NOUNS, 4)),
        _aspect("Color", False, "SELECTION_ONLY", ["Black", "White", "Red", "Blue", "Green", "Multicolor"],
                cardinality="MULTI", variations=True),
    ]
    if rng.random() < 0.5:
        aspects.append(_aspect("Year Manufactured", False, "FREE_TEXT", [], data_type="NUMBER"))
    return aspects


def _aspect(name, required, mode, values, max_length=None, cardinality="SINGLE", variations=False,
            data_type="STRING"):
    constraint = {"aspectDataType": data_type, "itemToAspectCardinality": cardinality, "aspectMode": mode,
                  "aspectRequired": required, "aspectUsage": "RECOMMENDED",
                  "aspectEnabledForVariations": variations, "aspectApplicableTo": ["PRODUCT"]}
    if max_length:
        constraint["aspectMaxLength"] = max_length
    out = {"localizedAspectName": name, "aspectConstraint": constraint}
    if values:
        out["aspectValues"] = [{"localizedValue": value} for value in values]
    return out


def get_item_aspects_for_category(req):
    """GET .../category_tree/{id}/get_item_aspects_for_category?category_id= — .../getItemAspectsForCategory."""
    _marketplace_of(req.params["category_tree_id"])
    category_id = req.query.get("category_id", "")
    if category_id not in build_tree(current_mode(req.db)).leaves:
        raise bad_request(62004, DOMAIN, f"The specified category ID {category_id!r} is not a leaf category "
                                         "of this category tree.", {"category_id": category_id})
    return json_response({"aspects": aspects_for(category_id)})


ROUTES = [
    ("GET", "/commerce/taxonomy/v1/get_default_category_tree_id", get_default_category_tree_id, "any"),
    ("GET", "/commerce/taxonomy/v1/category_tree/{category_tree_id}", get_category_tree, "any"),
    ("GET", "/commerce/taxonomy/v1/category_tree/{category_tree_id}/get_item_aspects_for_category",
     get_item_aspects_for_category, "any"),
]
