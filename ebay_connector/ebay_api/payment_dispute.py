"""Fulfillment API payment disputes (host apiz, scope ``sell.payment.dispute``): adapter, mapper, state mapping.

Held to ``../shared/ebay-openapi/fulfillment.yml``: getPaymentDisputeSummaries (``GET /payment_dispute_summary``:
``order_id``, ``buyer_username``, ``open_date_from``/``_to``, ``payment_dispute_status`` repeated per value,
``limit`` (default and maximum 200), ``offset``; ``paymentDisputeSummaries[]``, ``total``), getPaymentDispute,
getActivities (``activity[]``), acceptPaymentDispute and contestPaymentDispute (``revision`` required; 204; 409 when
the dispute changed, 33011, is not in a state to answer, 33101, or has no evidence to contest with, 33102),
uploadEvidenceFile (multipart, one JPG or PNG of at most 1.5 MB → ``fileId``), addEvidence (``evidenceType``,
``files[]``, ``lineItems[]`` → ``evidenceId``), updateEvidence (the same plus ``evidenceId``; 204) and
fetchEvidenceContent (the file's bytes). Evidence is added before contesting: once contested, eBay takes none.

Not signed: eBay's "Digital Signatures for APIs" guide lists the Finances API, issueRefund, GetAccount and some
Post-Order calls, not the payment dispute calls (``message_signature.SIGNED_CALLS``). What the documents leave open
(the multipart field's name, the time eBay gives to respond) is listed in docs/ebay-api.md.
"""
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from .errors import MappingError
from .fulfillment import ebay_timestamp
from .mappers import _mapping, _timestamp

BASE = "/sell/fulfillment/v1"
READ, WRITE = "payment_dispute.read", "payment_dispute.write"
MAX_PAGE_SIZE = 200
MAX_FILE_BYTES = 1_500_000        # "File size should be 1.5 MB or less" (33006), also for a set's files together
FILE_TYPES = {"image/jpeg": "JPG", "image/png": "PNG"}
NOTE_MAX = 1000

# The neutral states of marketplace.dispute (DisputeStateEnum)
OPEN, ACTION_NEEDED, CLOSED = "open", "action_needed", "closed"
STATES = {"OPEN": OPEN, "ACTION_NEEDED": ACTION_NEEDED, "CLOSED": CLOSED}
# OutcomeEnum (resolution.reasonForClosure) -> the neutral outcome
OUTCOMES = {"SELLER_WON": "won", "SELLER_LOST": "lost", "SELLER_ACCEPT": "accepted"}
# DisputeReasonEnum -> the neutral reason; a reason eBay adds later is kept as "other" with eBay's code beside it
REASONS = {
    "ITEM_NOT_RECEIVED": "not_received",
    "SIGNIFICANTLY_NOT_AS_DESCRIBED": "not_as_described",
    "FRAUD": "fraud",
    "COUNTERFEIT": "counterfeit",
    "CREDIT_NOT_PROCESSED": "credit_not_processed",
    "DUPLICATE_AMOUNT": "duplicate",
    "INCORRECT_AMOUNT": "incorrect_amount",
    "TRANSACTION_ISSUE": "other",
}
# EvidenceTypeEnum values a seller sends with files (PROOF_OF_DELIVERY is given through createShippingFulfillment)
EVIDENCE_TYPES = ("PROOF_OF_AUTHENTICITY", "PROOF_OF_ITEM_AS_DESCRIBED", "PROOF_OF_PICKUP", "PROOF_OF_REFUND",
                  "PROOF_OF_CREDIT_NOT_DUE", "PROOF_OF_RETURN")
# The evidence that answers each reason best when eBay asked for none in particular
REASON_EVIDENCE = {"not_as_described": "PROOF_OF_ITEM_AS_DESCRIBED", "counterfeit": "PROOF_OF_AUTHENTICITY",
                   "credit_not_processed": "PROOF_OF_CREDIT_NOT_DUE"}


def dispute_state(status):
    """The neutral state of a DisputeStateEnum value; an unknown one raises MappingError (reported, not guessed)."""
    try:
        return STATES[status]
    except KeyError:
        raise MappingError(f"unknown eBay payment dispute status {status!r}") from None


def dispute_reason(reason):
    """The neutral reason of a DisputeReasonEnum value ("other" for one not known here)."""
    return REASONS.get(reason or "", "other")


def dispute_outcome(reason_for_closure):
    """The neutral outcome of an OutcomeEnum value (None while open or unknown)."""
    return OUTCOMES.get(reason_for_closure or "")


def _amount(container):
    value = (container or {}).get("value")
    return (Decimal(str(value)) if value not in (None, "") else None), (container or {}).get("currency")


@dataclass(frozen=True)
class PaymentDispute:
    dispute_id: str
    order_id: str
    reason: str                 # neutral (dispute_reason)
    ebay_reason: str | None     # DisputeReasonEnum
    state: str                  # neutral (dispute_state)
    ebay_status: str
    amount: Decimal | None
    currency: str | None
    opened_at: object
    respond_by: object          # only while ACTION_NEEDED
    closed_at: object
    revision: int | None        # getPaymentDispute only
    choices: tuple              # availableChoices (SellerDecisionEnum), getPaymentDispute only
    seller_response: str | None
    outcome: str | None         # neutral (dispute_outcome)
    recoup_amount: Decimal | None
    evidence_types: tuple       # evidenceRequests' types eBay asks for
    line_items: tuple           # ({"itemId", "lineItemId"}, ...)
    evidence_file_ids: tuple    # the file ids of every evidence set sent


@_mapping("payment dispute")
def map_payment_dispute(payload):
    """A PaymentDisputeSummary (summaries) or PaymentDispute (get) → PaymentDispute."""
    dispute_id = payload["paymentDisputeId"]
    if not dispute_id:
        raise MappingError("cannot map payment dispute: no paymentDisputeId")
    amount, currency = _amount(payload.get("amount"))
    resolution = payload.get("resolution") or {}
    revision = payload.get("revision")
    return PaymentDispute(
        dispute_id=str(dispute_id),
        order_id=str(payload["orderId"]),
        reason=dispute_reason(payload.get("reason")),
        ebay_reason=payload.get("reason"),
        state=dispute_state(payload.get("paymentDisputeStatus")),
        ebay_status=payload["paymentDisputeStatus"],
        amount=amount,
        currency=currency,
        opened_at=_timestamp(payload.get("openDate")),
        respond_by=_timestamp(payload.get("respondByDate")),
        closed_at=_timestamp(payload.get("closedDate")),
        revision=int(revision) if revision is not None else None,
        choices=tuple(payload.get("availableChoices") or ()),
        seller_response=payload.get("sellerResponse"),
        outcome=dispute_outcome(resolution.get("reasonForClosure")),
        recoup_amount=_amount(resolution.get("recoupAmount"))[0],
        evidence_types=tuple(request.get("evidenceType") for request in payload.get("evidenceRequests") or ()),
        line_items=tuple({"itemId": str(line["itemId"]), "lineItemId": str(line["lineItemId"])}
                         for line in payload.get("lineItems") or ()),
        evidence_file_ids=tuple(str(file["fileId"]) for evidence in payload.get("evidence") or ()
                                for file in evidence.get("files") or ()),
    )


def evidence_type_for(dispute):
    """The EvidenceTypeEnum value to send files as: what eBay asked for first, else what answers the reason."""
    asked = [kind for kind in dispute.evidence_types if kind in EVIDENCE_TYPES]
    return asked[0] if asked else REASON_EVIDENCE.get(dispute.reason, "PROOF_OF_ITEM_AS_DESCRIBED")


def check_evidence_file(name, mimetype, size):
    """Why eBay would refuse this file as evidence (None when it takes it): JPG or PNG, 1.5 MB, a name ≤ 255."""
    if mimetype not in FILE_TYPES:
        return f"{name}: eBay takes JPG and PNG files as evidence, not {mimetype}"
    if size > MAX_FILE_BYTES:
        return f"{name}: eBay takes evidence files of 1.5 MB or less"
    if not name or len(name) > 255:
        return "an evidence file needs a name of at most 255 characters"
    return None


class PaymentDisputeAdapter:
    """The seller's side of eBay's payment dispute calls, on apiz (reads count as pulls, answers as pushes)."""

    def __init__(self, client):
        self.client = client

    def _call(self, method, path, family, **kwargs):
        return self.client.request(method, BASE + path, family, host=self.client.config.apiz_url, **kwargs)

    def summaries_page(self, opened_from=None, opened_to=None, status=None, order_id=None, offset=0,
                       limit=MAX_PAGE_SIZE):
        """One page of the seller's disputes opened in the range (and/or of one order, in one DisputeStateEnum
        state): ``(raw summaries, total)``. eBay answers open and recently closed disputes only."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
        params = {"order_id": order_id, "payment_dispute_status": status, "limit": limit, "offset": offset,
                  "open_date_from": ebay_timestamp(opened_from) if opened_from else None,
                  "open_date_to": ebay_timestamp(opened_to) if opened_to else None}
        body = self._call("GET", "/payment_dispute_summary", READ, params=params).body or {}
        summaries = body.get("paymentDisputeSummaries") or []
        return summaries, int(body.get("total", len(summaries)))

    def get(self, dispute_id):
        """The raw PaymentDispute."""
        return self._call("GET", "/payment_dispute/" + _quoted(dispute_id), READ).body or {}

    def activities(self, dispute_id):
        """The dispute's PaymentDisputeActivity list (activityType, actor, activityDate), oldest first."""
        body = self._call("GET", "/payment_dispute/%s/activity" % _quoted(dispute_id), READ).body or {}
        return body.get("activity") or []

    def accept(self, dispute_id, revision, return_address=None):
        """Accept the dispute (the buyer is refunded); ``revision`` is getPaymentDispute's."""
        payload = {"revision": int(revision)}
        if return_address:
            payload["returnAddress"] = return_address
        self._call("POST", "/payment_dispute/%s/accept" % _quoted(dispute_id), WRITE, json=payload)

    def contest(self, dispute_id, revision, note=None, return_address=None):
        """Contest the dispute with the evidence added before; ``returnAddress`` is required for SNAD disputes."""
        payload = {"revision": int(revision)}
        if note:
            payload["note"] = note[:NOTE_MAX]
        if return_address:
            payload["returnAddress"] = return_address
        self._call("POST", "/payment_dispute/%s/contest" % _quoted(dispute_id), WRITE, json=payload)

    def upload_evidence_file(self, dispute_id, filename, content, mimetype):
        """Upload one file; returns its ``fileId``. Retried after an uncertain answer like a PUT: a second upload
        only leaves a file no evidence set names."""
        response = self._call("POST", "/payment_dispute/%s/upload_evidence_file" % _quoted(dispute_id), WRITE,
                              files={"file": (filename, content, mimetype)}, idempotent=True)
        return (response.body or {}).get("fileId")

    def add_evidence(self, dispute_id, evidence_type, file_ids, line_items):
        """A new evidence set of these files for these line items; returns its ``evidenceId``."""
        body = self._call("POST", "/payment_dispute/%s/add_evidence" % _quoted(dispute_id), WRITE,
                          json=_evidence(evidence_type, file_ids, line_items)).body or {}
        return body.get("evidenceId")

    def update_evidence(self, dispute_id, evidence_id, evidence_type, file_ids, line_items):
        """Add these files to the evidence set ``evidence_id``."""
        payload = dict(_evidence(evidence_type, file_ids, line_items), evidenceId=evidence_id)
        self._call("POST", "/payment_dispute/%s/update_evidence" % _quoted(dispute_id), WRITE, json=payload)

    def fetch_evidence_content(self, dispute_id, evidence_id, file_id):
        """The bytes of an evidence file."""
        return self._call("GET", "/payment_dispute/%s/fetch_evidence_content" % _quoted(dispute_id), READ,
                          params={"evidence_id": evidence_id, "file_id": file_id}).content


def _evidence(evidence_type, file_ids, line_items):
    if evidence_type not in EVIDENCE_TYPES:
        raise ValueError(f"{evidence_type!r} is not an evidence type a seller sends with files")
    if not file_ids:
        raise ValueError("an evidence set needs at least one file")
    return {"evidenceType": evidence_type, "files": [{"fileId": str(file_id)} for file_id in file_ids],
            "lineItems": [dict(line) for line in line_items]}


def _quoted(dispute_id):
    return quote(str(dispute_id), safe="")
