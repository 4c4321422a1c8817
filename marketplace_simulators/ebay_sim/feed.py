"""Sell Feed API: the LMS_ACTIVE_INVENTORY_REPORT task and its zipped XML result file.

Docs: developer.ebay.com/api-docs/sell/feed/resources/inventory_task/methods/createInventoryTask,
.../inventory_task/methods/getInventoryTask, .../task/methods/getResultFile, and the report schema
developer.ebay.com/devzone/merchant-data/CallRef/ActiveInventoryReport.html. The file layout (a
``BulkDataExchangeResponses`` root around ``ActiveInventoryReport`` with one ``SKUDetails`` per listing:
SKU, Price@currencyID, Quantity, ItemID) matches reports captured from live stores. Listings without a SKU
have no ``SKU`` element.

A task is QUEUED on its first poll, IN_PROCESS on the second and COMPLETED from the third; the report is a
snapshot taken when the task completes.
"""
import io
import secrets
import zipfile
from xml.sax.saxutils import escape

from .errors import bad_request, not_found
from .formats import iso
from .routing import Response, empty_response, json_response

DOMAIN = "API_FEED"
FEED_TYPE = "LMS_ACTIVE_INVENTORY_REPORT"
LIFECYCLE = ("QUEUED", "IN_PROCESS", "COMPLETED")
ACTIVE_LISTINGS = """
SELECT o.listing_id AS item_id, o.sku, o.price, o.currency, o.available_quantity AS quantity
  FROM offers o WHERE o.status='PUBLISHED' AND o.listing_status='ACTIVE'
UNION ALL
SELECT h.listing_id, h.sku, h.price, h.currency, h.quantity FROM hub_listings h WHERE h.migrated=0
ORDER BY 1"""


def active_inventory_report(db):
    """The XML report: every active listing, Inventory API ones and Seller Hub ones."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<BulkDataExchangeResponses xmlns="urn:ebay:apis:eBLBaseComponents"><ActiveInventoryReport>\n']
    for row in db.all(ACTIVE_LISTINGS):
        sku = f"<SKU>{escape(row['sku'])}</SKU>" if row["sku"] else ""
        parts.append(f'<SKUDetails>{sku}<Price currencyID="{row["currency"]}">{row["price"]}</Price>'
                     f'<Quantity>{row["quantity"] or 0}</Quantity><ItemID>{row["item_id"]}</ItemID></SKUDetails>\n')
    parts.append("</ActiveInventoryReport></BulkDataExchangeResponses>\n")
    return "".join(parts).encode()


def zipped(name, content):
    """A one-entry zip archive, as the result file is delivered."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def create_inventory_task(req):
    """POST /sell/feed/v1/inventory_task → 202 + Location (task id at its end) — .../createInventoryTask."""
    body = req.json()
    if body.get("feedType") != FEED_TYPE:
        raise bad_request(160002, DOMAIN, f"The feedType {body.get('feedType')!r} is invalid. Supported: "
                                          f"{FEED_TYPE}.", {"feedType": body.get("feedType")})
    if body.get("schemaVersion") != "1.0":
        raise bad_request(160003, DOMAIN, "The schemaVersion must be 1.0.",
                          {"schemaVersion": body.get("schemaVersion")})
    task_id = f"task-{secrets.randbelow(9) + 1}-{secrets.randbelow(10 ** 10):010d}"
    with req.db.transaction() as db:
        db.execute("INSERT INTO feed_tasks(task_id, feed_type, schema_version, creation_date) VALUES (?,?,?,?)",
                   (task_id, FEED_TYPE, "1.0", iso()))
    return empty_response(202, {"Location": f"{req.base_url}/sell/feed/v1/inventory_task/{task_id}"})


def _task_row(db, task_id):
    row = db.one("SELECT * FROM feed_tasks WHERE task_id=?", (task_id,))
    if row is None:
        raise not_found(160022, DOMAIN, f"The task {task_id} was not found.", {"task_id": task_id})
    return row


def get_inventory_task(req):
    """GET /sell/feed/v1/inventory_task/{task_id} — .../getInventoryTask (advances the lifecycle per poll)."""
    with req.db.transaction() as db:
        row = _task_row(db, req.params["task_id"])
        polls = row["polls"] + 1
        status = LIFECYCLE[min(polls, len(LIFECYCLE)) - 1]
        completion = row["completion_date"]
        if status == "COMPLETED" and row["report"] is None:
            completion = iso()
            db.execute("UPDATE feed_tasks SET report=?, completion_date=? WHERE task_id=?",
                       (zipped(f"{row['task_id']}.xml", active_inventory_report(db)), completion, row["task_id"]))
        db.execute("UPDATE feed_tasks SET polls=? WHERE task_id=?", (polls, row["task_id"]))
    task = {"taskId": row["task_id"], "status": status, "feedType": row["feed_type"],
            "creationDate": row["creation_date"], "schemaVersion": row["schema_version"],
            "detailHref": f"{req.base_url}/sell/feed/v1/inventory_task/{row['task_id']}"}
    if completion:
        task["completionDate"] = completion
    return json_response(task)


def download_result_file(req):
    """GET /sell/feed/v1/task/{task_id}/download_result_file — .../task/methods/getResultFile (zip)."""
    row = _task_row(req.db, req.params["task_id"])
    if row["report"] is None:
        raise bad_request(160017, DOMAIN, "The task is not completed yet; no result file is available.",
                          {"task_id": row["task_id"]})
    return Response(200, bytes(row["report"]), "application/octet-stream",
                    {"Content-Disposition": f'attachment; filename="{row["task_id"]}.zip"'})


ROUTES = [
    ("POST", "/sell/feed/v1/inventory_task", create_inventory_task, "user"),
    ("GET", "/sell/feed/v1/inventory_task/{task_id}", get_inventory_task, "user"),
    ("GET", "/sell/feed/v1/task/{task_id}/download_result_file", download_result_file, "user"),
]
