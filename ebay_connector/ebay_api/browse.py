"""Browse API adapter: other sellers' active listings of a product, the comparables of the price rule.

Doc page: developer.ebay.com/api-docs/buy/browse/resources/item_summary/methods/search (OpenAPI:
shared/ebay-openapi/browse.yml). Application token (scope ``.../oauth/api_scope``); about 5 000 calls a
day, counted in the ``browse`` budget group. A product is searched by one of: ``gtin``, which browse.yml says
searches UPC only ("To search using another GTIN format, you must search by keyword"); ``epid``, eBay's catalog
product (an EAN or ISBN goes through the Catalog API first); ``q``, keywords (the barcode itself, or the title's
words). ``q`` is never combined with ``gtin`` or ``epid``. The filters narrow to the listing's condition, buying
option and item location country.

This is one ``ComparablesSource`` of ``marketplace_core.pricing``: active listings. eBay's sold items
(Marketplace Insights ``item_sales/search``) are a limited-release API for approved partners; a source
for them would offer the same ``search(**query)``.
"""
from .errors import MappingError
from .locales import site_language
from .mappers import map_item_summary

BASE = "/buy/browse/v1"
FAMILY = "browse"
MAX_LIMIT = 200
UPC_DIGITS = 12


def search_params(gtin=None, keywords=None, category_id=None, condition_ids=(), buying_options=("FIXED_PRICE",),
                  country=None, limit=50, epid=None):
    """Query parameters of item_summary/search: by UPC (``gtin``) or catalog product (``epid``) when there is one
    (keywords are then left out, as eBay requires), else by keywords; the filters ``conditionIds``,
    ``buyingOptions``, ``itemLocationCountry``. ValueError for a ``gtin`` that is not a UPC: Browse would find
    nothing (or something else) by it."""
    if not gtin and not epid and not keywords:
        raise ValueError("comparables need a UPC, an ePID or keywords")
    if gtin and not (gtin.isdigit() and len(gtin) == UPC_DIGITS):
        raise ValueError(f"Browse's gtin searches UPC (12 digits) only, not {gtin!r}: search an EAN or ISBN by "
                         "its catalog product (epid) or as keywords")
    filters = []
    if condition_ids:
        filters.append("conditionIds:{%s}" % "|".join(str(value) for value in condition_ids))
    if buying_options:
        filters.append("buyingOptions:{%s}" % "|".join(buying_options))
    if country:
        filters.append("itemLocationCountry:%s" % country)
    return {
        "gtin": gtin or None,
        "epid": epid or None,
        "q": None if gtin or epid else keywords,
        "category_ids": category_id or None,
        "filter": ",".join(filters) or None,
        "limit": max(1, min(int(limit), MAX_LIMIT)),
    }


class BrowseAdapter:
    """``ComparablesSource`` over Browse: one call per search (the first page is the sample)."""

    def __init__(self, client):
        self.client = client

    def search(self, marketplace_id=None, **query):
        """ItemSummary records of the first page of item_summary/search for ``query`` (see
        ``search_params``) on ``marketplace_id`` (default: the account's); an item eBay sends malformed is
        left out rather than failing the search."""
        headers = None
        if marketplace_id:
            language = site_language(marketplace_id, self.client.config.content_language)
            headers = {"X-EBAY-C-MARKETPLACE-ID": marketplace_id, "Accept-Language": language}
        body = self.client.request("GET", BASE + "/item_summary/search", FAMILY, params=search_params(**query),
                                   headers=headers, app_token=True).body or {}
        items = []
        for payload in body.get("itemSummaries") or ():
            try:
                items.append(map_item_summary(payload))
            except MappingError:
                continue
        return items
