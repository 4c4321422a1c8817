"""Transparent paging over eBay collection responses (``total``, ``next``, ``offset``, ``limit``).

The next page's ``offset`` and ``limit`` are taken from eBay's own ``next`` link rather than
computed: getInventoryItems documents ``offset`` as a page index while getOrders uses an item
offset, and following ``next`` is right for both. Only the query of ``next`` is used, so the
configured host (or simulator) is kept.
"""
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, for progress lines such as "Page 1/3 complete"
    items: list
    total: int | None
    page_size: int
    next_params: dict | None = None  # the query of the following page; None on the last one

    @property
    def page_count(self):
        """Pages expected in all, when eBay told the total."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.page_size))


def iter_pages(client, path, family, params, items_key, should_stop=None, first_number=1, host=None):
    """Yield Page objects until eBay gives no ``next`` link, an empty page, or ``should_stop()``
    turns true (checked before each request, so a STOP button takes effect between pages).

    A job that stops after a page keeps ``page.next_params`` and ``page.number + 1`` and resumes
    with them as ``params`` and ``first_number`` in a later slice. ``host`` replaces the API host (apiz for
    the Finances API)."""
    params = dict(params)
    number = first_number - 1
    while not (should_stop and should_stop()):
        body = client.request("GET", path, family, params=params, host=host).body or {}
        items = body.get(items_key) or []
        number += 1
        next_params = _next_query(body.get("next")) if items else None
        following = dict(params, **next_params) if next_params is not None else None
        yield Page(number, items, body.get("total"), int(params["limit"]), following)
        if following is None:
            return
        params = following


def _next_query(next_link):
    """``offset``/``limit`` of eBay's ``next`` link, or None when there is no next page."""
    if not next_link:
        return None
    query = parse_qs(urlsplit(next_link).query)
    return {key: query[key][0] for key in ("offset", "limit") if key in query} or None
