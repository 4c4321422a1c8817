"""eBay returns -> marketplace.return values: naive UTC dates, the items, and the tracking only from eBay's
detail (a search's summary leaves what Odoo has)."""
from datetime import datetime

from ebay_api.post_order_returns import map_return
from sync_core.returns import external_state, return_values

SUMMARY = {
    "returnId": "5200000001", "orderId": "12-3", "state": "ITEM_SHIPPED", "status": "ITEM_SHIPPED",
    "creationInfo": {"item": {"itemId": "110011", "transactionId": "T9", "returnQuantity": 1},
                     "reason": "DEFECTIVE_ITEM", "creationDate": {"value": "2026-12-07T13:00:00.000+01:00"}},
    "sellerTotalRefund": {"estimatedRefundAmount": {"value": "9.90", "currency": "USD"}},
}
DETAIL = {"returnShipmentInfo": {"shipmentTracking": {"trackingNumber": "1Z", "carrierName": "UPS"}}}


def test_values_are_naive_utc_with_the_items():
    values = return_values(map_return(SUMMARY, DETAIL))
    assert values["requested_at"] == datetime(2026, 12, 7, 12, 0)
    assert values["response_due_at"] is False, "nothing due from the seller any more"
    assert (values["external_order_id"], values["state"], values["refund_amount"]) == ("12-3", "item_shipped", 9.9)
    assert values["external_state"] == "ITEM_SHIPPED/ITEM_SHIPPED" == external_state("ITEM_SHIPPED", "ITEM_SHIPPED")
    assert values["lines"] == [{"external_item_id": "110011", "external_line_id": "T9", "quantity": 1}]
    assert (values["return_tracking_number"], values["return_carrier"]) == ("1Z", "UPS")


def test_a_summary_alone_leaves_the_tracking_as_odoo_has_it():
    values = return_values(map_return(SUMMARY))
    assert "return_tracking_number" not in values and "return_carrier" not in values


def test_the_sellers_deadline_is_naive_utc():
    summary = dict(SUMMARY, sellerResponseDue={"respondByDate": {"value": "2026-12-10T13:00:00.000+01:00"}})
    due = return_values(map_return(summary))["response_due_at"]
    assert due == datetime(2026, 12, 10, 12, 0) and due.tzinfo is None
