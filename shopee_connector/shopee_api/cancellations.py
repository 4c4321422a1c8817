"""Cancellations on Shopee: the buyer's request (an order IN_CANCEL, answered by ``v2.order.handle_buyer_cancellation``
with ACCEPT or REJECT) and the seller's own ``v2.order.cancel_order`` (reason OUT_OF_STOCK with the order's
items, or UNDELIVERABLE_AREA in TW and MY), and how an order's status reads as a cancellation's state.

Shopee's reference (open.shopee.com, read through the SDKs generated from it and the ``search`` tool):
get_order_detail's ``buyer_cancel_reason``, ``cancel_by`` (buyer, seller, system, Ops) and ``cancel_reason``;
handle_buyer_cancellation ``{order_sn, operation}`` and cancel_order ``{order_sn, cancel_reason, item_list
[{item_id, model_id}]}`` both answer ``{update_time}``. Shopee gives a buyer's request no id of its own and no
deadline field (UNCONFIRMED: sellers' guides speak of an automatic acceptance after some days): the connector
keys a cancellation by order number and requester (``cancellation_key``).
"""
from .batching import MAX_ORDER_SNS, check_batch
from .mappers import CANCELLED, IN_CANCEL
from .orders import ORDER_DETAIL_PATH

HANDLE_BUYER_CANCELLATION_PATH = "/api/v2/order/handle_buyer_cancellation"
CANCEL_ORDER_PATH = "/api/v2/order/cancel_order"
CANCELLABLE = frozenset({"UNPAID", "READY_TO_SHIP"})   # before the shipment is arranged
ACCEPT, REJECT = "ACCEPT", "REJECT"
OUT_OF_STOCK, UNDELIVERABLE_AREA = "OUT_OF_STOCK", "UNDELIVERABLE_AREA"
UNDELIVERABLE_REGIONS = frozenset({"TW", "MY"})
# the connector's platform-neutral seller reasons -> Shopee's cancel_reason
SELLER_REASON_CODES = {"out_of_stock": OUT_OF_STOCK, "undeliverable_area": UNDELIVERABLE_AREA}
DETAIL_FIELDS = "buyer_cancel_reason,cancel_by,cancel_reason,item_list"


def cancellation_key(order_sn, requester):
    """The connector's id of a Shopee cancellation (Shopee has none): one per order and requester."""
    return f"{order_sn}:{requester}"


def seller_reason_code(reason, region):
    """Shopee's cancel_reason for the connector's seller reason in ``region``; ValueError when Shopee has none."""
    code = SELLER_REASON_CODES.get(reason)
    if not code or (code == UNDELIVERABLE_AREA and region not in UNDELIVERABLE_REGIONS):
        raise ValueError(f"Shopee has no seller cancellation reason for {reason!r} in {region}")
    return code


def buyer_request_state(order_status):
    """The neutral state of a buyer's request from its order's status: waiting while IN_CANCEL, completed once
    CANCELLED, rejected when the order went on (the seller rejected it, or it was withdrawn)."""
    if order_status == IN_CANCEL:
        return "requested"
    return "completed" if order_status == CANCELLED else "rejected"


def cancellation_record(detail, requester):
    """The values of marketplace.cancellation (``_sync_from_marketplace``) for an order's cancellation."""
    order_sn = str(detail["order_sn"])
    status = str(detail.get("order_status") or "")
    if requester == "buyer":
        state, reason = buyer_request_state(status), detail.get("buyer_cancel_reason") or False
    else:
        state, reason = ("completed" if status == CANCELLED else "closed"), detail.get("cancel_reason") or False
    return {"external_cancel_id": cancellation_key(order_sn, requester), "external_order_id": order_sn,
            "requester": requester, "reason": reason, "state": state, "external_state": status}


def requested_by_buyer(detail):
    """Whether the order's cancellation is (or was) the buyer's request."""
    return detail.get("order_status") == IN_CANCEL or str(detail.get("cancel_by") or "").lower() == "buyer"


def cancellation_records(details, requester=None):
    """The cancellations these order details show: ``requester``'s, else the buyer's request or the seller's."""
    return [cancellation_record(detail, requester or ("buyer" if requested_by_buyer(detail) else "seller"))
            for detail in details]


def named_order_records(details, held):
    """The cancellations to store for orders a push named (``held``: {order number: requesters of the
    cancellations Odoo holds}): each held one, with its requester, and a buyer's request not held yet. An order
    Shopee cancelled without a request (the seller's in Seller Centre, the system's) makes none, as in the pull by
    windows of IN_CANCEL orders: its import cancels the sale order."""
    found = []
    for detail in details:
        requesters = set(held.get(str(detail["order_sn"]), ()))
        if requested_by_buyer(detail):
            requesters.add("buyer")
        found += [cancellation_record(detail, requester) for requester in sorted(requesters)]
    return found


def cancel_order_body(order_sn, cancel_reason, items=()):
    """cancel_order's body; OUT_OF_STOCK names the items (``[(item_id, model_id)]``) it is for."""
    if cancel_reason not in (OUT_OF_STOCK, UNDELIVERABLE_AREA):
        raise ValueError(f"{cancel_reason!r} is not a seller's cancel_reason")
    body = {"order_sn": order_sn, "cancel_reason": cancel_reason}
    if cancel_reason == OUT_OF_STOCK:
        if not items:
            raise ValueError("OUT_OF_STOCK needs the items that are out of stock")
        body["item_list"] = [{"item_id": int(item_id), "model_id": int(model_id or 0)} for item_id, model_id in items]
    return body


class CancellationAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def details(self, order_sns):
        """The cancel fields (and items) of 1 to 50 orders."""
        order_sns = check_batch(order_sns, MAX_ORDER_SNS, "get_order_detail")
        params = {"order_sn_list": ",".join(order_sns), "response_optional_fields": DETAIL_FIELDS}
        return self.shop.call("GET", ORDER_DETAIL_PATH, params=params, family="orders").get("order_list") or []

    def handle_buyer_cancellation(self, order_sn, accept):
        """Accept or reject the buyer's request of an IN_CANCEL order."""
        body = {"order_sn": order_sn, "operation": ACCEPT if accept else REJECT}
        return self.shop.call("POST", HANDLE_BUYER_CANCELLATION_PATH, body=body, family="orders.write")

    def cancel_order(self, order_sn, cancel_reason, items=()):
        """The seller cancels the order (see ``cancel_order_body``)."""
        return self.shop.call("POST", CANCEL_ORDER_PATH, body=cancel_order_body(order_sn, cancel_reason, items),
                              family="orders.write")
