"""The toy platform's API: orders by page or by id, stock by SKU, an API key in a header.

Its limits (what the simulator refuses beyond them): pages of at most 50 orders, 50 order ids a call, 20 stock
items a call.
"""
import requests

MAX_PAGE_SIZE = 50
MAX_IDS = 50
MAX_STOCK_ITEMS = 20
KEY_HEADER = "X-Toy-Key"


class ToyError(Exception):
    """The toy platform refused a call (``retryable``: it may pass later, a 429, a 5xx or no answer)."""

    def __init__(self, message, retryable=False):
        super().__init__(message)
        self.retryable = retryable


class ToyAuthError(ToyError):
    """The API key is refused: the seller must enter the right one."""


class ToyClient:
    """One account's calls; ``on_call()`` is told of each (the job counts them)."""

    def __init__(self, base_url, api_key, on_call=None, timeout=30.0, session=None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.on_call = on_call
        self.timeout = timeout
        self.session = session or requests.Session()

    def _call(self, method, path, **kwargs):
        if self.on_call:
            self.on_call()
        try:
            response = self.session.request(method, self.base_url + path, headers={KEY_HEADER: self.api_key},
                                            timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ToyError("no answer from the toy platform (%s)" % exc, retryable=True) from exc
        if response.status_code == 401:
            raise ToyAuthError("the toy platform refused the API key")
        if response.status_code == 429 or response.status_code >= 500:
            raise ToyError("the toy platform answered %s" % response.status_code, retryable=True)
        if response.status_code >= 400:
            raise ToyError(response.json().get("error") or response.text)
        return response.json()

    def order_page(self, after, limit=MAX_PAGE_SIZE):
        """(raw orders after sequence number ``after``, the ``after`` of the next page or None at the end)."""
        answer = self._call("GET", "/v1/orders", params={"after": after, "limit": min(limit, MAX_PAGE_SIZE)})
        return answer["orders"], answer.get("next_after")

    def orders_by_id(self, order_ids):
        """Raw orders of ``order_ids`` (at most MAX_IDS); ids the platform does not know are left out."""
        if len(order_ids) > MAX_IDS:
            raise ValueError("at most %s order ids a call" % MAX_IDS)
        return self._call("GET", "/v1/orders", params={"ids": ",".join(order_ids)})["orders"]

    def update_stock(self, quantities):
        """Set ``[(sku, quantity)]`` (at most MAX_STOCK_ITEMS); returns {sku: None if accepted, else why not}."""
        if len(quantities) > MAX_STOCK_ITEMS:
            raise ValueError("at most %s stock items a call" % MAX_STOCK_ITEMS)
        answer = self._call("POST", "/v1/stock", json={"items": [{"sku": sku, "quantity": quantity}
                                                                  for sku, quantity in quantities]})
        return {result["sku"]: result.get("error") for result in answer["results"]}
