"""Sell Feed API adapter: the active inventory report (user token, scope sell.inventory).

It lists every active listing with item id, SKU, price and quantity - including listings made
in Seller Hub or the Trading API, which the Inventory API does not return until migrated.
Doc pages: developer.ebay.com/api-docs/sell/feed/resources/inventory_task/methods/createInventoryTask
(task URL in ``Location``), .../inventory_task/methods/getInventoryTask (status),
.../task/methods/getResultFile (``download_result_file``, a zipped XML ``ActiveInventoryReport``,
parsed by ``mappers.map_active_inventory_report``).
"""
from urllib.parse import quote

from .errors import EbayError, EbayRetryableError

BASE = "/sell/feed/v1"
FAMILY = "feed"
FEED_TYPE = "LMS_ACTIVE_INVENTORY_REPORT"
DONE = {"COMPLETED", "COMPLETED_WITH_ERROR", "PARTIALLY_PROCESSED"}
FAILED = {"FAILED"}
READY, RUNNING = "ready", "running"


def task_state(task):
    """READY when the report file can be downloaded, RUNNING while eBay builds it; a FAILED task
    raises EbayError (a new task is needed)."""
    status = task.get("status")
    if status in FAILED:
        raise EbayError(f"active inventory report task {task.get('taskId')} failed")
    return READY if status in DONE else RUNNING


class FeedAdapter:
    def __init__(self, client):
        self.client = client

    def create_inventory_task(self):
        """Ask eBay to build the active inventory report; returns the task id."""
        payload = {"feedType": FEED_TYPE, "schemaVersion": "1.0"}
        # a second task only builds another copy of the same report: safe to send again
        response = self.client.request("POST", BASE + "/inventory_task", FAMILY, json=payload, idempotent=True)
        task_id = response.location_id()
        if not task_id:
            raise EbayError("createInventoryTask answered without a Location header",
                            status=response.status, request_id=response.request_id)
        return task_id

    def get_inventory_task(self, task_id):
        """The raw task (``status``, ``feedType``, ``creationDate``...)."""
        return self.client.request("GET", f"{BASE}/inventory_task/{quote(task_id, safe='')}", FAMILY).body

    def wait_for_task(self, task_id, max_wait_seconds=900, poll_seconds=15, should_stop=None):
        """Poll until the task is done and return it. A FAILED task raises EbayError; a task
        still running after ``max_wait_seconds`` (or when ``should_stop()``) raises
        EbayRetryableError so the job can come back for the same task later. Waits with the
        client's injected sleep, so tests do not really wait."""
        deadline = self.client.clock() + max_wait_seconds
        while True:
            task = self.get_inventory_task(task_id)
            if task_state(task) == READY:
                return task
            if self.client.clock() + poll_seconds > deadline or (should_stop and should_stop()):
                raise EbayRetryableError(f"active inventory report task {task_id} still {task.get('status')}",
                                         retry_after=poll_seconds)
            self.client.sleep(poll_seconds)

    def download_result_file(self, task_id):
        """The report file's raw bytes (a zip holding the XML report)."""
        path = f"{BASE}/task/{quote(task_id, safe='')}/download_result_file"
        return self.client.request("GET", path, FAMILY, headers={"Accept": "application/octet-stream"}).content

    def download_active_inventory_report(self, max_wait_seconds=900, poll_seconds=15, should_stop=None):
        """Create the task, wait for it and return the file's bytes."""
        task_id = self.create_inventory_task()
        self.wait_for_task(task_id, max_wait_seconds, poll_seconds, should_stop)
        return self.download_result_file(task_id)
