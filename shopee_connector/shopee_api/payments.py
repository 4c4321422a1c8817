"""Payment adapter: released escrows (``v2.payment.get_escrow_list`` by release time, page_no pages), one order's
escrow (``v2.payment.get_escrow_detail``), up to 50 orders' (``get_escrow_detail_batch``: what the buyer paid, for
the order import) and the shop's wallet (``v2.payment.get_wallet_transaction_list`` by
create time, page_no pages): a local seller's payouts are its wallet's withdrawals. See docs/shopee-api.md,
"Money"."""
from dataclasses import dataclass

from .batching import MAX_ORDER_SNS, MAX_PAGE_SIZE, WINDOW_LIMIT, check_batch

ESCROW_LIST_PATH = "/api/v2/payment/get_escrow_list"
ESCROW_DETAIL_PATH = "/api/v2/payment/get_escrow_detail"
ESCROW_DETAIL_BATCH_PATH = "/api/v2/payment/get_escrow_detail_batch"
WALLET_TRANSACTIONS_PATH = "/api/v2/payment/get_wallet_transaction_list"


@dataclass(frozen=True)
class PaymentPage:
    """One page: its rows, and the next page's number (None on the last page)."""

    rows: list
    next_page: int | None


class PaymentAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def escrow_page(self, time_from, time_to, page_no=1, page_size=MAX_PAGE_SIZE):
        """Escrows released in [time_from, time_to] (epoch seconds, under 15 days apart): rows of
        ``{order_sn, payout_amount, escrow_release_time}``."""
        params = dict(_window("release_time", time_from, time_to), page_no=int(page_no),
                      page_size=_page_size(page_size))
        response = self.shop.call("GET", ESCROW_LIST_PATH, params=params, family="payments")
        return _page(response.get("escrow_list"), response, page_no)

    def escrow_detail(self, order_sn):
        """One order's escrow: ``{order_sn, buyer_user_name, return_order_sn_list, order_income, ...}``."""
        return self.shop.call("GET", ESCROW_DETAIL_PATH, params={"order_sn": order_sn}, family="payments")

    def escrow_details(self, order_sns):
        """{order_sn: its escrow} of 1 to 50 orders (one call; a POST that changes nothing, so retried like a
        GET). Before release an escrow is Shopee's estimate, whose buyer-paid figures are already final."""
        order_sns = check_batch(order_sns, MAX_ORDER_SNS, "get_escrow_detail_batch")
        response = self.shop.call("POST", ESCROW_DETAIL_BATCH_PATH, body={"order_sn_list": list(order_sns)},
                                  family="payments", idempotent=True)
        details = (row.get("escrow_detail") for row in (response if isinstance(response, list) else ())
                   if isinstance(row, dict))
        return {str(detail["order_sn"]): detail for detail in details if detail and detail.get("order_sn")}

    def wallet_page(self, time_from, time_to, page_no=1, page_size=MAX_PAGE_SIZE):
        """The wallet's transactions created in [time_from, time_to] (under 15 days apart), newest first as
        Shopee lists them: rows of ``{transaction_id, transaction_type, status, amount, current_balance,
        create_time, order_sn, withdrawal_id, ...}``."""
        params = dict(_window("create_time", time_from, time_to), page_no=int(page_no),
                      page_size=_page_size(page_size))
        response = self.shop.call("GET", WALLET_TRANSACTIONS_PATH, params=params, family="payments")
        return _page(response.get("transaction_list"), response, page_no)


def _window(field, time_from, time_to):
    if not 0 <= int(time_to) - int(time_from) < WINDOW_LIMIT.total_seconds():
        raise ValueError(f"{field} windows must be shorter than 15 days")
    return {f"{field}_from": int(time_from), f"{field}_to": int(time_to)}


def _page_size(page_size):
    return max(1, min(MAX_PAGE_SIZE, int(page_size)))


def _page(rows, response, page_no):
    return PaymentPage(list(rows or ()), int(page_no) + 1 if response.get("more") else None)
