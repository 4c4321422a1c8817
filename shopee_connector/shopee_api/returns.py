"""Returns on Shopee (``v2.returns``): the buyer's return / refund requests, answered by ``confirm`` (the seller
agrees) or ``dispute`` (the seller contests; Shopee judges), and how a return's status reads as the neutral state.

Shopee's reference (open.shopee.com, read through the SDKs generated from it and the ``search`` tool):
get_return_list ``{page_no, page_size ≤ 100, create_time_from/to?, update_time_from/to?, status?}`` (each range
under 15 days) → ``{more, return[]}``;
get_return_detail ``{return_sn}``; each return has ``return_sn``, ``order_sn``, ``status`` (REQUESTED, ACCEPTED,
CANCELLED, JUDGING, REFUND_PAID, CLOSED, PROCESSING, SELLER_DISPUTE), ``reason``, ``text_reason``, ``image[]``
(addresses), ``item[]`` (``item_id``, ``model_id``, ``amount``), ``refund_amount``, ``currency``,
``create_time``, ``update_time``, ``due_date`` (the seller's), ``tracking_number``, ``needs_logistics``;
confirm ``{return_sn}`` answers ``{return_sn}``. The seller's other answers, as the reference's request types
say (docs/shopee-api.md): dispute ``{return_sn, email, dispute_reason_id, dispute_text_reason?, image_list?}``,
the reason one of ``get_return_dispute_reason``'s for this return and the photos (``image_list``: per evidence
module ``{module_index, requirement, image_url[]}``, addresses made by ``convert_image``) required for every
reason but "did not receive the return"; a partial refund is an ``offer`` ``{return_sn, proposed_solution,
proposed_adjusted_refund_amount}`` within what ``get_available_solutions`` allows, the negotiation then shown
by the return's ``negotiation`` (``negotiation_status``, ``latest_solution``, ``latest_offer_amount``,
``latest_offer_creator``: "which party made the latest offer", ``counter_limit``, ``offer_due_date``); the buyer's
counter-offer, the negotiation's latest offer being the buyer's, is taken by ``accept_offer`` ``{return_sn}`` →
``{return_sn}``. What no page showed is listed in docs/shopee-api.md.
"""
from datetime import datetime, timezone

from .mappers import line_id

RETURN_LIST_PATH = "/api/v2/returns/get_return_list"
RETURN_DETAIL_PATH = "/api/v2/returns/get_return_detail"
CONFIRM_PATH = "/api/v2/returns/confirm"
DISPUTE_PATH = "/api/v2/returns/dispute"
DISPUTE_REASON_PATH = "/api/v2/returns/get_return_dispute_reason"
CONVERT_IMAGE_PATH = "/api/v2/returns/convert_image"
AVAILABLE_SOLUTIONS_PATH = "/api/v2/returns/get_available_solutions"
OFFER_PATH = "/api/v2/returns/offer"
ACCEPT_OFFER_PATH = "/api/v2/returns/accept_offer"
# ReturnSolution of an offer in which the buyer keeps the item and gets part of the money back (UNCONFIRMED
# spelling: two SDKs' tests send "REFUND" and "RETURN_REFUND"; the detail's return_solution is 1 for it)
REFUND_ONLY = "REFUND"
PAGE_SIZE = 100
WAITING = "REQUESTED"
SHIPPED_BACK = "PROCESSING"   # the buyer sent the item back: the seller's confirm has Shopee refund it

# Shopee's status -> the neutral state of marketplace.return (UNCONFIRMED: PROCESSING as the item on its way
# back; no page says what it covers)
STATUS_STATES = {
    "REQUESTED": "requested",
    "ACCEPTED": "approved",
    "PROCESSING": "item_shipped",
    "JUDGING": "declined",
    "SELLER_DISPUTE": "declined",
    "REFUND_PAID": "refunded",
    "CANCELLED": "closed",
    "CLOSED": "closed",
}


class UnknownReturnStatus(ValueError):
    """A status Shopee added: reported, never guessed."""


def return_state(status):
    """The neutral state of a Shopee return's status; UnknownReturnStatus for a new one."""
    try:
        return STATUS_STATES[status]
    except KeyError:
        raise UnknownReturnStatus(f"unknown Shopee return status {status!r}") from None


def _moment(epoch):
    """A Shopee epoch as naive UTC (Odoo's datetimes), or False."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(tzinfo=None) if epoch else False


def _negotiation(data):
    return data.get("negotiation") or {}


def _offer_creator(data):
    return str(_negotiation(data).get("latest_offer_creator") or "").lower()


def seller_offer_pending(data):
    """The seller's offer is the latest of the return's negotiation and the buyer has not answered it
    (UNCONFIRMED: ``latest_offer_creator``'s values; read case-blind as "seller" / "buyer")."""
    return data.get("status") == WAITING and _offer_creator(data) == "seller"


def buyer_offer_pending(data):
    """The buyer's counter-offer is the latest of the return's negotiation and waits for the seller: a solution and
    an amount made by the buyer (UNCONFIRMED: ``latest_offer_creator``'s values; "buyer" case-blind, or the buyer's
    username, which Shopee's own sample shows there). A buyer who only refused the seller's offer proposes
    nothing (no solution)."""
    negotiation = _negotiation(data)
    creator = _offer_creator(data)
    buyer = str((data.get("user") or {}).get("username") or "").lower()
    return data.get("status") == WAITING and bool(negotiation.get("latest_solution")) and \
        float(negotiation.get("latest_offer_amount") or 0.0) > 0 and bool(creator) and creator in ("buyer", buyer)


def buyer_offer(data):
    """``(amount, due)`` of the buyer's pending counter-offer (due as naive UTC, or False), or ``(0.0, False)``."""
    if not buyer_offer_pending(data):
        return 0.0, False
    negotiation = _negotiation(data)
    return float(negotiation["latest_offer_amount"]), _moment(negotiation.get("offer_due_date"))


def offer_standing(data, amount):
    """An offer of ``amount`` by the seller stands on Shopee (the read-back of an uncertain ``offer``)."""
    negotiation = _negotiation(data)
    return seller_offer_pending(data) and negotiation.get("latest_solution") == REFUND_ONLY and \
        round(float(negotiation.get("latest_offer_amount") or 0.0), 2) == round(float(amount), 2)


def return_record(data):
    """The values of marketplace.return (``_sync_from_marketplace``) for one Shopee return."""
    status = str(data.get("status") or "")
    state = return_state(status)
    offered, offer_due = buyer_offer(data)
    return {
        "external_return_id": str(data["return_sn"]),
        "external_order_id": str(data["order_sn"]),
        "reason": data.get("reason") or False,
        "buyer_comments": data.get("text_reason") or False,
        "photo_urls": "\n".join(data.get("image") or ()) or False,
        "state": "partial_offered" if seller_offer_pending(data) else state,
        "external_state": status,
        "requested_at": _moment(data.get("create_time")),
        "response_due_at": _moment(data.get("due_date")) if status == WAITING else False,
        "refund_amount": float(data.get("refund_amount") or 0.0),
        "return_tracking_number": data.get("tracking_number") or False,
        "item_comes_back": bool(data.get("needs_logistics", True)),
        "buyer_offer_amount": offered,
        "buyer_offer_due_at": offer_due,
        "lines": [{"external_line_id": line_id(item["item_id"], item.get("model_id")),
                   "external_item_id": str(item["item_id"]), "quantity": item.get("amount") or 1}
                  for item in data.get("item") or ()],
    }


def dispute_reasons(answer):
    """get_return_dispute_reason's reasons as ``[{"code", "requirement", "evidence": [{"module_index",
    "requirement", "is_required"}]}]`` (UNCONFIRMED: ``dispute_reason`` carries the id dispute wants)."""
    return [{"code": int(reason["dispute_reason"]), "requirement": reason.get("dispute_requirement") or "",
             "evidence": [{"module_index": int(module["module_index"]), "requirement": module.get("requirement") or "",
                           "is_required": bool(module.get("is_required"))}
                          for module in reason.get("evidence_module_list") or ()]}
            for reason in answer.get("dispute_reason_list") or ()]


def required_proofs(evidence):
    """The evidence modules of a reason Shopee will not take a dispute without."""
    return [module for module in evidence if module["is_required"]]


def evidence_refusal(evidence, image_count):
    """Why the photos at hand cannot prove a reason's required evidence modules, or None. Photos go to the one
    required module; a reason asking for several proofs is left to Seller Centre (which photo proves what is the
    seller's to say)."""
    required = required_proofs(evidence)
    if len(required) > 1:
        return "several_proofs"
    if required and not image_count:
        return "photos_required"
    return None


def image_list(evidence, urls):
    """dispute's ``image_list``: the photos' addresses under the reason's required module (none if none)."""
    return [{"module_index": module["module_index"], "requirement": module["requirement"], "image_url": list(urls)}
            for module in required_proofs(evidence)[:1] if urls]


def dispute_body(return_sn, email, reason_code, reason_text=None, images=()):
    """dispute's body: Shopee wants the operator's email and one of the return's dispute reasons."""
    if not email:
        raise ValueError("Shopee's dispute needs the seller's email")
    if reason_code in (None, False, ""):
        raise ValueError("Shopee's dispute needs one of the return's dispute reasons")
    body = {"return_sn": return_sn, "email": email, "dispute_reason_id": int(reason_code)}
    if reason_text:
        body["dispute_text_reason"] = reason_text
    if images:
        body["image_list"] = list(images)
    return body


def offer_refusal(solutions, amount):
    """Why Shopee would not take a partial refund of ``amount`` (buyer keeps the item), from
    get_available_solutions' ``offer_refund``; None when it may be offered. Codes: not_eligible, not_adjustable,
    below_minimum, above_maximum."""
    offer = solutions.get("offer_refund") or {}
    if not offer.get("eligibility"):
        return "not_eligible"
    if not offer.get("refund_amount_adjustable"):
        return "not_adjustable"
    if round(float(amount), 2) < round(float(offer.get("min_refund_amount") or 0.0), 2):
        return "below_minimum"
    if round(float(amount), 2) > round(float(offer.get("max_refund_amount") or 0.0), 2):
        return "above_maximum"
    return None


def offer_body(return_sn, amount):
    return {"return_sn": return_sn, "proposed_solution": REFUND_ONLY,
            "proposed_adjusted_refund_amount": round(float(amount), 2)}


class ReturnAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def return_page(self, update_from, update_to, page_no):
        """``(returns, more)`` last changed in [update_from, update_to] (epochs, under 15 days apart), page from
        0: what changed since the last pull, new or not."""
        params = {"page_no": int(page_no), "page_size": PAGE_SIZE, "update_time_from": int(update_from),
                  "update_time_to": int(update_to)}
        answer = self.shop.call("GET", RETURN_LIST_PATH, params=params, family="orders")
        return answer.get("return") or [], bool(answer.get("more"))

    def detail(self, return_sn):
        return self.shop.call("GET", RETURN_DETAIL_PATH, params={"return_sn": return_sn}, family="orders")

    def confirm(self, return_sn):
        """The seller agrees to the return (Shopee refunds the buyer as the return's type says)."""
        return self.shop.call("POST", CONFIRM_PATH, body={"return_sn": return_sn}, family="orders.write")

    def dispute(self, body):
        """The seller contests the return (``dispute_body``); Shopee judges it."""
        return self.shop.call("POST", DISPUTE_PATH, body=body, family="orders.write")

    def dispute_reasons(self, return_sn):
        return dispute_reasons(self.shop.call("GET", DISPUTE_REASON_PATH, params={"return_sn": return_sn},
                                              family="orders"))

    def convert_image(self, return_sn, filename, content, mimetype):
        """One proof photo (≤ 10 MB, jpg or png) uploaded; its address for ``image_list``."""
        answer = self.shop.call("POST", CONVERT_IMAGE_PATH, body={"return_sn": return_sn},
                                files={"upload_image": (filename, content, mimetype)}, family="orders.write")
        return answer["url"]

    def available_solutions(self, return_sn):
        return self.shop.call("GET", AVAILABLE_SOLUTIONS_PATH, params={"return_sn": return_sn}, family="orders")

    def offer(self, return_sn, amount):
        """The seller offers a refund of ``amount``, the buyer keeping the item."""
        return self.shop.call("POST", OFFER_PATH, body=offer_body(return_sn, amount), family="orders.write")

    def accept_offer(self, return_sn):
        """The seller takes the buyer's counter-offer (the negotiation's latest offer; Shopee refuses it when that
        is the seller's own)."""
        return self.shop.call("POST", ACCEPT_OFFER_PATH, body={"return_sn": return_sn}, family="orders.write")
