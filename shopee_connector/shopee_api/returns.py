"""Returns on Shopee (``v2.returns``): the buyer's return / refund requests, answered by ``confirm`` (the seller
agrees) or ``dispute`` (the seller contests; Shopee judges), and how a return's status reads as the neutral state.

Shopee's reference (open.shopee.com, read through the SDKs generated from it and the ``search`` tool):
get_return_list ``{page_no, page_size ≤ 100, create_time_from, create_time_to, status?}`` → ``{more, return[]}``;
get_return_detail ``{return_sn}``; each return has ``return_sn``, ``order_sn``, ``status`` (REQUESTED, ACCEPTED,
CANCELLED, JUDGING, REFUND_PAID, CLOSED, PROCESSING, SELLER_DISPUTE), ``reason``, ``text_reason``, ``image[]``
(addresses), ``item[]`` (``item_id``, ``model_id``, ``amount``), ``refund_amount``, ``currency``,
``create_time``, ``update_time``, ``due_date`` (the seller's), ``tracking_number``, ``needs_logistics``;
confirm ``{return_sn}`` and dispute ``{return_sn, email, dispute_reason, dispute_text_reason, image[]}`` both
answer ``{return_sn}``. What no page showed is listed in docs/shopee-api.md.
"""
from datetime import datetime, timezone

from .mappers import line_id

RETURN_LIST_PATH = "/api/v2/returns/get_return_list"
RETURN_DETAIL_PATH = "/api/v2/returns/get_return_detail"
CONFIRM_PATH = "/api/v2/returns/confirm"
DISPUTE_PATH = "/api/v2/returns/dispute"
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


def return_record(data):
    """The values of marketplace.return (``_sync_from_marketplace``) for one Shopee return."""
    status = str(data.get("status") or "")
    return {
        "external_return_id": str(data["return_sn"]),
        "external_order_id": str(data["order_sn"]),
        "reason": data.get("reason") or False,
        "buyer_comments": data.get("text_reason") or False,
        "photo_urls": "\n".join(data.get("image") or ()) or False,
        "state": return_state(status),
        "external_state": status,
        "requested_at": _moment(data.get("create_time")),
        "response_due_at": _moment(data.get("due_date")) if status == WAITING else False,
        "refund_amount": float(data.get("refund_amount") or 0.0),
        "return_tracking_number": data.get("tracking_number") or False,
        "item_comes_back": bool(data.get("needs_logistics", True)),
        "lines": [{"external_line_id": line_id(item["item_id"], item.get("model_id")),
                   "external_item_id": str(item["item_id"]), "quantity": item.get("amount") or 1}
                  for item in data.get("item") or ()],
    }


def dispute_body(return_sn, email, reason_text, reason_code=None, images=()):
    """dispute's body: Shopee wants the seller's email and a reason (UNCONFIRMED: the reason codes; the
    connector sends the text and, when given, a code)."""
    if not email:
        raise ValueError("Shopee's dispute needs the seller's email")
    if not reason_text:
        raise ValueError("Shopee's dispute needs the seller's reason")
    body = {"return_sn": return_sn, "email": email, "dispute_text_reason": reason_text, "image": list(images)}
    if reason_code is not None:
        body["dispute_reason"] = int(reason_code)
    return body


class ReturnAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def return_page(self, create_from, create_to, page_no):
        """``(returns, more)`` created in [create_from, create_to] (epochs, under 15 days apart), page from 0."""
        params = {"page_no": int(page_no), "page_size": PAGE_SIZE, "create_time_from": int(create_from),
                  "create_time_to": int(create_to)}
        answer = self.shop.call("GET", RETURN_LIST_PATH, params=params, family="orders")
        return answer.get("return") or [], bool(answer.get("more"))

    def detail(self, return_sn):
        return self.shop.call("GET", RETURN_DETAIL_PATH, params={"return_sn": return_sn}, family="orders")

    def confirm(self, return_sn):
        """The seller agrees to the return (Shopee refunds the buyer as the return's type says)."""
        return self.shop.call("POST", CONFIRM_PATH, body={"return_sn": return_sn}, family="orders.write")

    def dispute(self, return_sn, email, reason_text, reason_code=None):
        """The seller contests the return; Shopee judges it."""
        return self.shop.call("POST", DISPUTE_PATH, body=dispute_body(return_sn, email, reason_text, reason_code),
                              family="orders.write")
