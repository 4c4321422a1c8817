"""Order adapter: get_order_list (by update-time window, cursor pages) and get_order_detail."""
from dataclasses import dataclass

from .batching import MAX_ORDER_SNS, MAX_PAGE_SIZE, WINDOW_LIMIT, check_batch

ORDER_LIST_PATH = "/api/v2/order/get_order_list"
ORDER_DETAIL_PATH = "/api/v2/order/get_order_detail"
DETAIL_FIELDS = ("buyer_user_id,buyer_username,estimated_shipping_fee,recipient_address,actual_shipping_fee,"
                 "item_list,pay_time,package_list,total_amount,shipping_carrier,cancel_reason,cancel_by")


@dataclass(frozen=True)
class OrderPage:
    order_sns: list
    more: bool
    next_cursor: str


class OrderAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def order_page(self, time_from, time_to, cursor="", page_size=MAX_PAGE_SIZE, order_status=None):
        """One page of the orders updated in [time_from, time_to] (epoch seconds, less than 15 days apart),
        of one ``order_status`` only when given (e.g. IN_CANCEL)."""
        if int(time_to) - int(time_from) >= WINDOW_LIMIT.total_seconds():
            raise ValueError("get_order_list windows must be shorter than 15 days")
        params = {"time_range_field": "update_time", "time_from": int(time_from), "time_to": int(time_to),
                  "page_size": max(1, min(MAX_PAGE_SIZE, int(page_size))), "cursor": cursor or "",
                  "response_optional_fields": "order_status"}
        if order_status:
            params["order_status"] = order_status
        response = self.shop.call("GET", ORDER_LIST_PATH, params=params, family="orders")
        return OrderPage([row["order_sn"] for row in response.get("order_list") or () if row.get("order_sn")],
                         bool(response.get("more")), response.get("next_cursor") or "")

    def order_details(self, order_sns):
        """Details of 1 to 50 orders (one call)."""
        order_sns = check_batch(order_sns, MAX_ORDER_SNS, "get_order_detail")
        params = {"order_sn_list": ",".join(order_sns), "response_optional_fields": DETAIL_FIELDS}
        return self.shop.call("GET", ORDER_DETAIL_PATH, params=params, family="orders").get("order_list") or []
