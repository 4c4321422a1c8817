"""Taxonomy API adapter (application token).

Doc pages (developer.ebay.com/api-docs/commerce/taxonomy/resources/category_tree/methods/...):
getDefaultCategoryTreeId, getCategoryTree, getItemAspectsForCategory, getCategorySuggestions. The category tree is large
(the whole EBAY_US tree in one answer): callers cache it by ``categoryTreeVersion``.
"""
from urllib.parse import quote

BASE = "/commerce/taxonomy/v1"
FAMILY = "taxonomy"


class TaxonomyAdapter:
    def __init__(self, client):
        self.client = client

    def get_default_category_tree_id(self, marketplace_id=None):
        """``{"categoryTreeId", "categoryTreeVersion"}`` for the marketplace (default: config)."""
        params = {"marketplace_id": marketplace_id or self.client.config.marketplace_id}
        return self._get("/get_default_category_tree_id", params)

    def get_category_tree(self, category_tree_id):
        """The whole tree: ``rootCategoryNode`` with nested ``childCategoryTreeNodes``."""
        return self._get(f"/category_tree/{quote(str(category_tree_id), safe='')}")

    def get_item_aspects(self, category_tree_id, category_id):
        """Item specifics (``aspects[]``) eBay knows for a leaf category."""
        path = f"/category_tree/{quote(str(category_tree_id), safe='')}/get_item_aspects_for_category"
        return self._get(path, {"category_id": category_id})

    def get_category_suggestions(self, category_tree_id, query):
        """Leaf categories eBay suggests for a title, most relevant first: ``categorySuggestions[]{category
        {categoryId, categoryName}, categoryTreeNodeAncestors[]}`` (``[]`` on 204: no suggestion)."""
        path = f"/category_tree/{quote(str(category_tree_id), safe='')}/get_category_suggestions"
        return (self._get(path, {"q": query}) or {}).get("categorySuggestions") or []

    def _get(self, path, params=None):
        return self.client.request("GET", BASE + path, FAMILY, params=params, app_token=True).body
