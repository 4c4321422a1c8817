"""Fulfillment API payment disputes (host apiz): summaries, get, activity, accept, contest, evidence files and sets,
and the ``/_sim/payment_disputes`` controls that open and close a dispute.

Held to ``fulfillment.yml``: answers are PaymentDisputeSummary / PaymentDispute / PaymentDisputeActivityHistory;
accept and contest take the dispute's current ``revision`` (409 33011 otherwise) and answer only a dispute waiting
for the seller (ACTION_NEEDED) before its ``respondByDate`` (409 33101); a contest needs evidence when eBay asked for
some (409 33102) and a return address for a SIGNIFICANTLY_NOT_AS_DESCRIBED dispute (400 33100); evidence files are one
JPG or PNG of at most 1.5 MB each and together per set (33005, 33006, 33104), added while the seller may still answer
(409 33004). Every action raises the revision by one. What the simulator chooses where eBay's pages say nothing:
accepting closes the dispute at once (SELLER_ACCEPT); a contested one waits for ``/_sim/payment_disputes/{id}/close``.
"""
import email.parser
import email.policy
import json
import time

from .errors import bad_request, not_found
from .formats import iso, money, parse_iso, to_cents
from .fulfillment import load_order
from .routing import Response, empty_response, int_param, json_response

DOMAIN = "API_FULFILLMENT"
STATES = ("OPEN", "ACTION_NEEDED", "CLOSED")
REASONS = ("TRANSACTION_ISSUE", "FRAUD", "ITEM_NOT_RECEIVED", "SIGNIFICANTLY_NOT_AS_DESCRIBED",
           "CREDIT_NOT_PROCESSED", "COUNTERFEIT", "DUPLICATE_AMOUNT", "INCORRECT_AMOUNT")
EVIDENCE_TYPES = ("PROOF_OF_DELIVERY", "PROOF_OF_AUTHENTICITY", "PROOF_OF_ITEM_AS_DESCRIBED", "PROOF_OF_PICKUP",
                  "PROOF_OF_REFUND", "PROOF_OF_CREDIT_NOT_DUE", "PROOF_OF_RETURN")
ASKED = {"ITEM_NOT_RECEIVED": "PROOF_OF_DELIVERY", "SIGNIFICANTLY_NOT_AS_DESCRIBED": "PROOF_OF_ITEM_AS_DESCRIBED",
         "COUNTERFEIT": "PROOF_OF_AUTHENTICITY", "CREDIT_NOT_PROCESSED": "PROOF_OF_CREDIT_NOT_DUE"}
RESPOND_SECONDS = 7 * 86400     # the simulator's default time to respond (eBay's pages give none)
MAX_BYTES = 1_500_000
MAX_FILES = 10                  # the simulator's file limit per dispute (33105; eBay's pages give no number)
IMAGE_TYPES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))
SUMMARY_FIELDS = ("paymentDisputeId", "orderId", "amount", "buyerUsername", "openDate", "closedDate",
                  "paymentDisputeStatus", "reason", "respondByDate")


def _error(error_id, message, status=400, **parameters):
    return bad_request(error_id, DOMAIN, message, parameters or None, status=status)


def _load(db, dispute_id):
    data = db.scalar("SELECT data FROM payment_disputes WHERE dispute_id=?", (dispute_id,))
    if data is None:
        raise not_found(33001, DOMAIN, "Invalid Payment Dispute Id", {"payment_dispute_id": dispute_id})
    return json.loads(data)


def _save(db, dispute, activity=None):
    """Store the dispute; ``activity`` (ActivityEnum, ActorEnum) adds to its history and raises its revision."""
    if activity:
        dispute["revision"] += 1
        dispute["_activity"].append({"activityType": activity[0], "actor": activity[1], "activityDate": iso()})
    db.execute("INSERT OR REPLACE INTO payment_disputes(dispute_id, order_id, open_date, status, data) "
               "VALUES (?,?,?,?,?)", (dispute["paymentDisputeId"], dispute["orderId"], dispute["openDate"],
                                      dispute["paymentDisputeStatus"], json.dumps(dispute)))


def _public(dispute):
    """The PaymentDispute as eBay answers it (without the simulator's own keys)."""
    return {key: value for key, value in dispute.items() if not key.startswith("_")}


def _summary(dispute):
    return {key: dispute[key] for key in SUMMARY_FIELDS if key in dispute}


# -- reads ----------------------------------------------------------------------------------------------
def summaries(req):
    """GET /sell/fulfillment/v1/payment_dispute_summary — filters, newest first, limit 1..200 (default 200)."""
    where, args = [], []
    for name, operator in (("open_date_from", ">="), ("open_date_to", "<=")):
        if req.query.get(name):
            try:
                args.append(iso(parse_iso(req.query[name])))
            except ValueError:
                raise _error(33001, "Invalid input request", **{name: req.query[name]}) from None
            where.append(f"open_date {operator} ?")
    for name, column in (("order_id", "order_id"), ("payment_dispute_status", "status")):
        if req.query.get(name):
            if name == "payment_dispute_status" and req.query[name] not in STATES:
                raise _error(33001, "Invalid input request", payment_dispute_status=req.query[name])
            where.append(f"{column} = ?")
            args.append(req.query[name])
    limit = int_param(req, "limit", 200, 1, 200, 33001, DOMAIN)
    offset = int_param(req, "offset", 0, 0, 10 ** 9, 33001, DOMAIN)
    condition = (" WHERE " + " AND ".join(where)) if where else ""
    total = req.db.scalar("SELECT COUNT(*) FROM payment_disputes" + condition, args)
    rows = req.db.all("SELECT data FROM payment_disputes" + condition + " ORDER BY open_date DESC, dispute_id "
                      "LIMIT ? OFFSET ?", (*args, limit, offset))
    body = {"href": req.base_url + req.path, "limit": limit, "offset": offset, "total": total,
            "paymentDisputeSummaries": [_summary(json.loads(row["data"])) for row in rows]}
    if offset + limit < total:
        body["next"] = f"{req.base_url}{req.path}?limit={limit}&offset={offset + limit}"
    return json_response(body)


def get(req):
    """GET /sell/fulfillment/v1/payment_dispute/{payment_dispute_id}."""
    return json_response(_public(_load(req.db, req.params["payment_dispute_id"])))


def activity(req):
    """GET .../payment_dispute/{payment_dispute_id}/activity — the history, oldest first."""
    return json_response({"activity": _load(req.db, req.params["payment_dispute_id"])["_activity"]})


def fetch_evidence_content(req):
    """GET .../fetch_evidence_content?evidence_id=&file_id= — the file's bytes."""
    dispute = _load(req.db, req.params["payment_dispute_id"])
    evidence = next((item for item in dispute.get("evidence") or ()
                     if item["evidenceId"] == req.query.get("evidence_id")), None)
    if evidence is None:
        raise _error(33002, "Invalid Evidence Id", evidence_id=req.query.get("evidence_id", ""))
    if req.query.get("file_id") not in {file["fileId"] for file in evidence["files"]}:
        raise _error(33003, "Invalid Evidence File Id", file_id=req.query.get("file_id", ""))
    content = req.db.scalar("SELECT content FROM evidence_files WHERE file_id=?", (req.query["file_id"],))
    return Response(200, bytes(content), "application/octet-stream")


# -- the seller's answers ---------------------------------------------------------------------------------
def _answerable(dispute, body, error_id=33101):
    """The checks accept and contest share: the current revision, a dispute waiting for the seller, in time."""
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise _error(33100, "Invalid input request: revision is required.")
    if revision != dispute["revision"]:
        raise _error(33011, "There was a change in payment dispute attributes. Please use get payment dispute api "
                     "to get latest details.", status=409, revision=revision)
    due = dispute.get("respondByDate")
    if dispute["paymentDisputeStatus"] != "ACTION_NEEDED" or (due and parse_iso(due) < time.time()):
        raise _error(error_id, "Invalid payment dispute state", status=409,
                     paymentDisputeStatus=dispute["paymentDisputeStatus"])


def _stop_waiting(dispute):
    for key in ("availableChoices", "respondByDate"):
        dispute.pop(key, None)


def accept(req):
    """POST .../accept ``{revision, returnAddress?}`` — 204; the dispute closes, the buyer is refunded."""
    body = req.json()
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        _answerable(dispute, body)
        _stop_waiting(dispute)
        dispute["sellerResponse"] = "ACCEPT"
        if body.get("returnAddress"):
            dispute["returnAddress"] = body["returnAddress"]
        _save(db, dispute, ("SELLER_ACCEPT", "SELLER"))
        _close(db, dispute, "SELLER_ACCEPT")
    return empty_response(204)


def contest(req):
    """POST .../contest ``{revision, note?, returnAddress?}`` — 204; the dispute waits for eBay's decision."""
    body = req.json()
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        _answerable(dispute, body)
        if dispute.get("evidenceRequests") and not dispute.get("evidence"):
            raise _error(33102, "No evidence available for contest", status=409)
        if dispute["reason"] == "SIGNIFICANTLY_NOT_AS_DESCRIBED" and not body.get("returnAddress"):
            raise _error(33100, "Invalid input request: returnAddress is required to contest this dispute.")
        if len(body.get("note") or "") > 1000:
            raise _error(33100, "Invalid input request: note is limited to 1000 characters.")
        _stop_waiting(dispute)
        dispute.update(paymentDisputeStatus="OPEN", sellerResponse="CONTEST")
        for name in ("note", "returnAddress"):
            if body.get(name):
                dispute[name] = body[name]
        _save(db, dispute, ("SELLER_CONTEST", "SELLER"))
    return empty_response(204)


def _evidence_open(dispute):
    if dispute["paymentDisputeStatus"] != "ACTION_NEEDED":
        raise _error(33004, "Upload file for evidence is not permitted for given payment dispute state.", status=409)


def _uploaded_file(req):
    """The one file of a multipart body: (name, bytes); eBay-shaped 400s otherwise."""
    content_type = req.headers.get("Content-Type") or ""
    if not content_type.startswith("multipart/form-data"):
        raise _error(33100, "Invalid input request: the file must be sent as multipart/form-data.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + req.body)
    parts = [part for part in message.iter_parts() if part.get_filename() is not None]
    if len(parts) != 1:
        raise _error(33107, "Only one file can be uploaded per request.")
    return parts[0].get_filename(), parts[0].get_payload(decode=True) or b""


def upload_evidence_file(req):
    """POST .../upload_evidence_file (multipart, one JPG or PNG ≤ 1.5 MB) → ``{fileId}``."""
    name, content = _uploaded_file(req)
    if not name or len(name) > 255:
        raise _error(33106, "The file name should not be empty and should not exceed 255 characters.")
    kind = next((kind for magic, kind in IMAGE_TYPES if content.startswith(magic)), None)
    if kind is None:
        raise _error(33005, "File type is invalid.")
    if len(content) > MAX_BYTES:
        raise _error(33006, "File size should be 1.5 MB or less.")
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        _evidence_open(dispute)
        if db.scalar("SELECT COUNT(*) FROM evidence_files WHERE dispute_id=?", (dispute["paymentDisputeId"],)) \
                >= MAX_FILES:
            raise _error(33105, "You reached the maximum number of files you can upload.", status=409)
        file_id = "FILE-%d" % db.next_counter("evidence_file", start=700001)
        db.execute("INSERT INTO evidence_files(file_id, dispute_id, name, file_type, uploaded, content) "
                   "VALUES (?,?,?,?,?,?)", (file_id, dispute["paymentDisputeId"], name, kind, iso(), content))
    return json_response({"fileId": file_id})


def _evidence_files(db, dispute, body):
    """The FileInfo list of an evidence set's files, checked as eBay checks them (type, files, line items)."""
    if body.get("evidenceType") not in EVIDENCE_TYPES:
        raise _error(33008, "Invalid evidence type.", evidenceType=body.get("evidenceType", ""))
    file_ids = [file.get("fileId") for file in body.get("files") or () if isinstance(file, dict)]
    if not file_ids:
        raise _error(33100, "Invalid input request: at least one file is required.")
    used = {file["fileId"] for evidence in dispute.get("evidence") or () for file in evidence["files"]}
    files, size = [], 0
    for file_id in file_ids:
        row = db.one("SELECT name, file_type, uploaded, length(content) AS size FROM evidence_files "
                     "WHERE file_id=? AND dispute_id=?", (file_id, dispute["paymentDisputeId"]))
        if row is None or file_id in used:
            raise _error(33003, "Invalid Evidence File Id", fileId=file_id)
        size += row["size"]
        files.append({"fileId": file_id, "name": row["name"], "fileType": row["file_type"],
                      "uploadedDate": row["uploaded"]})
    if size > MAX_BYTES:
        raise _error(33104, "The combined size of attached files should be 1.5MB or less.")
    lines = body.get("lineItems") or []
    if not lines or any(line not in dispute["lineItems"] for line in lines):
        raise _error(33007, "Invalid line items.")
    return files, lines


def add_evidence(req):
    """POST .../add_evidence ``{evidenceType, files[], lineItems[]}`` → ``{evidenceId}``."""
    body = req.json()
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        _evidence_open(dispute)
        files, lines = _evidence_files(db, dispute, body)
        evidence_id = "EV-%d" % db.next_counter("evidence_set", start=800001)
        dispute.setdefault("evidence", []).append({
            "evidenceId": evidence_id, "evidenceType": body["evidenceType"], "files": files, "lineItems": lines,
            "providedDate": iso()})
        _save(db, dispute, ("EVIDENCE_PROVIDED", "SELLER"))
    return json_response({"evidenceId": evidence_id})


def update_evidence(req):
    """POST .../update_evidence ``{evidenceId, evidenceType, files[], lineItems[]}`` — 204."""
    body = req.json()
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        _evidence_open(dispute)
        evidence = next((item for item in dispute.get("evidence") or ()
                         if item["evidenceId"] == body.get("evidenceId")), None)
        if evidence is None:
            raise _error(33010, "Evidence Id is invalid", evidenceId=body.get("evidenceId", ""))
        files, _lines = _evidence_files(db, dispute, body)
        evidence["files"] += files
        _save(db, dispute, ("EVIDENCE_PROVIDED", "SELLER"))
    return empty_response(204)


def _close(db, dispute, outcome):
    """Close with eBay's OutcomeEnum value; a lost or accepted dispute recoups its amount from the seller."""
    _stop_waiting(dispute)
    resolution = {"reasonForClosure": outcome, "protectionStatus": "NOT_PROTECTED"}
    if outcome != "SELLER_WON":
        resolution["recoupAmount"] = dict(dispute["amount"])
    dispute.update(paymentDisputeStatus="CLOSED", closedDate=iso(), resolution=resolution)
    _save(db, dispute, ("DISPUTE_CLOSED", "SYSTEM"))


# -- /_sim controls ---------------------------------------------------------------------------------------
def post_dispute(req):
    """POST /_sim/payment_disputes ``{"orderId", "reason"?, "amount"?, "respondByDate"?}`` — the buyer's bank or
    eBay opens a dispute on the order, waiting for the seller (ACTION_NEEDED)."""
    body = req.json()
    reason = body.get("reason", "ITEM_NOT_RECEIVED")
    if reason not in REASONS:
        raise bad_request(1, "SIMULATOR", f"{reason} is not a DisputeReasonEnum value")
    with req.db.transaction() as db:
        order = load_order(db, body.get("orderId") or "")
        total = order["pricingSummary"]["total"]
        try:
            cents = to_cents(body["amount"]) if body.get("amount") is not None else to_cents(total["value"])
            respond_by = iso(parse_iso(body["respondByDate"])) if body.get("respondByDate") else \
                iso(time.time() + RESPOND_SECONDS)
        except ValueError as exc:
            raise bad_request(1, "SIMULATOR", f"invalid amount or respondByDate: {exc}") from None
        now = iso()
        dispute = {
            "paymentDisputeId": str(db.next_counter("payment_dispute", start=5300000001)),
            "orderId": order["orderId"], "buyerUsername": order["buyer"]["username"], "reason": reason,
            "amount": money(cents, total["currency"]), "openDate": now, "respondByDate": respond_by,
            "paymentDisputeStatus": "ACTION_NEEDED", "availableChoices": ["ACCEPT", "CONTEST"], "revision": 1,
            "lineItems": [{"itemId": line["legacyItemId"], "lineItemId": line["lineItemId"]}
                          for line in order["lineItems"]],
            "_activity": [{"activityType": "DISPUTE_OPENED", "actor": "BUYER", "activityDate": now}],
        }
        if reason in ASKED:
            dispute["evidenceRequests"] = [{"evidenceId": "REQ-" + dispute["paymentDisputeId"],
                                            "evidenceType": ASKED[reason], "lineItems": dispute["lineItems"],
                                            "requestDate": now, "respondByDate": respond_by}]
        _save(db, dispute)
    return json_response(_public(dispute), 201)


def post_close(req):
    """POST /_sim/payment_disputes/{payment_dispute_id}/close ``{"outcome": "SELLER_WON"|"SELLER_LOST"}``."""
    outcome = req.json().get("outcome")
    if outcome not in ("SELLER_WON", "SELLER_LOST"):
        raise bad_request(1, "SIMULATOR", "outcome must be SELLER_WON or SELLER_LOST")
    with req.db.transaction() as db:
        dispute = _load(db, req.params["payment_dispute_id"])
        if dispute["paymentDisputeStatus"] == "CLOSED":
            raise bad_request(1, "SIMULATOR", "the dispute is closed already")
        _close(db, dispute, outcome)
    return json_response(_public(dispute))


PATH = "/sell/fulfillment/v1/payment_dispute/{payment_dispute_id}"
ROUTES = [
    ("GET", "/sell/fulfillment/v1/payment_dispute_summary", summaries, "user"),
    ("GET", PATH, get, "user"),
    ("GET", PATH + "/activity", activity, "user"),
    ("GET", PATH + "/fetch_evidence_content", fetch_evidence_content, "user"),
    ("POST", PATH + "/accept", accept, "user"),
    ("POST", PATH + "/contest", contest, "user"),
    ("POST", PATH + "/upload_evidence_file", upload_evidence_file, "user"),
    ("POST", PATH + "/add_evidence", add_evidence, "user"),
    ("POST", PATH + "/update_evidence", update_evidence, "user"),
    ("POST", "/_sim/payment_disputes", post_dispute, "sim"),
    ("POST", "/_sim/payment_disputes/{payment_dispute_id}/close", post_close, "sim"),
]
