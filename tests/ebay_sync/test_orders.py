"""sync_core.orders: eBay order -> marketplace order values, pull windows, watermark, notifications."""
import json
import random
from datetime import datetime, timedelta

import pytest

from marketplace_core.orders import BUYER_FIELDS, MappedOrder
from marketplace_simulators.ebay_sim.orders import build_order, render
from sync_core.orders import map_order, next_watermark, order_window, parse_notification

NOW = datetime(2024, 11, 20, 12, 0, 0)
SPECS = [
    {"sku": "SKU-A", "listing_id": "110001", "title": "Camera", "price_cents": 1999, "currency": "USD",
     "quantity": 2, "shipping_cents": 499},
    {"sku": "SKU-B", "listing_id": "110002", "title": "Lens", "price_cents": 5000, "currency": "USD",
     "quantity": 1, "shipping_cents": 0},
]


def raw_order(collect_tax=True, tax_breakdown=False, specs=SPECS):
    order = build_order(7, specs, "happy_otter7", 1732100000.0, collect_tax, random.Random(1))
    return render(json.dumps(order), tax_breakdown)


def mapped(raw):
    result = map_order(raw)
    assert isinstance(result, MappedOrder), "the shared type marketplace_base imports"
    return result


def test_amounts_keep_ebay_collected_tax_apart_and_fees():
    result = mapped(raw_order())
    values = result.values
    assert values["amount_untaxed"] == pytest.approx(89.98)  # 2 x 19.99 + 50.00
    assert values["amount_shipping"] == pytest.approx(4.99)
    assert values["amount_tax"] == 0.0  # nothing the seller collected
    # 8.25 % of (39.98 + 4.99) and of 50.00, in cents, as eBay collected it
    assert values["amount_marketplace_tax"] == pytest.approx(3.71 + 4.12)
    assert values["amount_total"] == pytest.approx(94.97)  # what the sale order adds up to
    assert values["amount_fee"] == pytest.approx(12.58)  # totalMarketplaceFee
    assert result.currency == "USD"
    assert not result.cancelled


def test_tax_breakdown_view_does_not_turn_ebay_tax_into_seller_tax():
    """With TAX_BREAKDOWN eBay also lists its collect-and-remit tax in taxes[]: still not the seller's."""
    plain, breakdown = mapped(raw_order()), mapped(raw_order(tax_breakdown=True))
    for name in ("amount_tax", "amount_marketplace_tax", "amount_total", "amount_untaxed"):
        assert breakdown.values[name] == pytest.approx(plain.values[name]), name
    assert [line.amount_tax for line in breakdown.lines] == [0.0, 0.0]


def test_lines_carry_ids_sku_prices_and_taxes():
    lines = mapped(raw_order()).lines
    assert [line.external_sku for line in lines] == ["SKU-A", "SKU-B"]
    assert lines[0].external_line_id == "10000000070"
    assert lines[0].external_item_id == "110001"
    assert lines[0].quantity == 2.0
    assert lines[0].price_unit == pytest.approx(19.99)
    assert lines[0].amount_shipping == pytest.approx(4.99)
    assert lines[0].amount_marketplace_tax == pytest.approx(3.71)
    assert lines[1].amount_shipping == 0.0


def test_promotions_lower_the_unit_price():
    raw = raw_order(collect_tax=False)
    raw["lineItems"][1]["appliedPromotions"] = [{"discountAmount": {"value": "-5.00", "currency": "USD"}}]
    result = mapped(raw)
    assert result.lines[1].price_unit == pytest.approx(45.0)
    assert result.values["amount_untaxed"] == pytest.approx(84.98)


def test_buyer_address_dates_and_status():
    raw = raw_order()
    values = mapped(raw).values
    ship_to = raw["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]
    assert values["buyer_username"] == "happy_otter7"
    assert values["buyer_name"] == values["ship_name"] == ship_to["fullName"]
    assert values["buyer_email"] == raw["buyer"]["buyerRegistrationAddress"]["email"]
    assert values["ship_street"] == ship_to["contactAddress"]["addressLine1"]
    assert values["ship_state_code"] == ship_to["contactAddress"]["stateOrProvince"]
    assert values["ship_country_code"] == "US"
    assert values["external_status"] == "PAID / NOT_STARTED"
    assert values["order_date"] == datetime(2024, 11, 20, 10, 53, 20)
    assert values["order_date"].microsecond == 0 and values["order_date"].tzinfo is None
    assert json.loads(values["raw_payload"])["orderId"] == raw["orderId"]


def test_same_payload_maps_to_equal_values():
    """Re-imports compare equal field by field ("no change = no write")."""
    assert mapped(raw_order()).values == mapped(raw_order()).values


def test_cancelled_order():
    raw = raw_order()
    raw["cancelStatus"] = {"cancelState": "CANCELED", "cancelRequests": []}
    result = mapped(raw)
    assert result.cancelled
    assert result.values["external_status"].endswith("CANCELED")


def test_without_buyer_data_erases_personal_fields_only():
    values = mapped(raw_order()).without_buyer_data().values
    assert all(values[name] is False for name in BUYER_FIELDS)
    assert values["amount_total"] == pytest.approx(94.97)


def test_first_window_looks_back_initial_days_and_stays_open():
    assert order_window({}, None, NOW, 10, 7) == (NOW - timedelta(days=7), None)


def test_window_starts_at_watermark_minus_overlap():
    assert order_window({}, NOW - timedelta(hours=1), NOW, 10, 7) == (NOW - timedelta(minutes=70), None)


def test_runbook_payload_overrides_the_window():
    since, until = order_window({"since": "2024-11-01T00:00:00", "until": None}, NOW, NOW, 10, 7)
    assert (since, until) == (datetime(2024, 11, 1), None)
    assert order_window({"until": "2030-01-01T00:00:00"}, None, NOW, 10, 7)[1] is None  # future = open
    since, until = order_window({"since": "2024-11-01T01:00:00+01:00", "until": "2024-11-02T00:00:00Z"},
                                None, NOW, 10, 7)
    assert (since, until) == (datetime(2024, 11, 1), datetime(2024, 11, 2))


def test_window_respects_ebays_two_year_limit_and_refuses_nonsense():
    since, _until = order_window({"since": "2015-01-01T00:00:00"}, None, NOW, 10, 7)
    assert since > NOW - timedelta(days=730)
    assert order_window({"since": "2030-01-01T00:00:00"}, None, NOW, 10, 7) == (NOW, None)
    assert order_window({}, NOW, NOW, 0, 7) == (NOW, None)  # caught up: still a valid open window
    with pytest.raises(ValueError, match="not a timestamp"):
        order_window({"since": "yesterday"}, None, NOW, 10, 7)
    with pytest.raises(ValueError, match="window is empty"):
        order_window({"since": "2024-11-10T00:00:00", "until": "2024-11-01T00:00:00"}, None, NOW, 10, 7)


def test_watermark_moves_to_latest_seen_never_to_now_or_back():
    mark = NOW - timedelta(hours=2)
    since = mark - timedelta(minutes=10)
    seen = NOW - timedelta(minutes=30)
    assert next_watermark(mark, since, NOW, seen) == seen
    assert next_watermark(mark, since, NOW, None) == mark  # nothing new: stays
    assert next_watermark(mark, since, NOW, mark - timedelta(minutes=5)) == mark  # never back
    assert next_watermark(None, since, NOW, seen) == seen  # first run
    assert next_watermark(None, since, NOW, None) is None
    assert next_watermark(mark, since, NOW - timedelta(hours=1), NOW) == NOW - timedelta(hours=1)  # not past until


def test_watermark_does_not_skip_a_gap_left_by_a_hand_made_window():
    mark = NOW - timedelta(days=2)
    assert next_watermark(mark, NOW - timedelta(hours=1), NOW, NOW - timedelta(minutes=5)) == mark


def notification_body(topic="ORDER_CONFIRMATION", data=None, **notification):
    body = {"metadata": {"topic": topic, "schemaVersion": "1.0", "deprecated": False},
            "notification": {"notificationId": "n-1", "eventDate": "2024-11-20T12:00:00.123Z",
                             "publishDate": "2024-11-20T12:00:01.000Z", "publishAttemptCount": 1,
                             "data": data if data is not None else {"orderId": "12-34567-89012"}, **notification}}
    return json.dumps(body).encode()


def test_parse_order_notification():
    parsed = parse_notification(notification_body())
    assert (parsed.notification_id, parsed.topic, parsed.order_id) == ("n-1", "ORDER_CONFIRMATION", "12-34567-89012")
    assert parsed.buyer_username == ""
    assert parsed.event_date == datetime(2024, 11, 20, 12, 0, 0, 123000)


def test_parse_account_deletion_notification():
    parsed = parse_notification(notification_body("MARKETPLACE_ACCOUNT_DELETION",
                                                  {"username": "happy_otter7", "userId": "u1", "eiasToken": "t"}))
    assert parsed.buyer_username == "happy_otter7"
    assert parsed.order_id == ""


@pytest.mark.parametrize("body", [
    b'{"metadata": {"topic": "ORDER_CONFIRMATION"}, "notification": {"notificationId": "n-1"',  # truncated
    b"not json", b"[]", b'{"metadata": {}, "notification": {}}', b"\xff\xfe",
    b'{"metadata": {"topic": "X"}, "notification": {"notificationId": 5}}',
    b'{"metadata": {"topic": "X"}, "notification": {"notificationId": "n", "data": [1]}}',
])
def test_malformed_notifications_are_refused(body):
    with pytest.raises(ValueError):
        parse_notification(body)


def test_order_shop_routes_by_listing_site():
    from sync_core.orders import order_shop

    assert order_shop("EBAY_DE", [(1, "EBAY_US")]) == 1, "one shop takes every order"
    shops = [(1, "EBAY_US"), (2, "EBAY_DE")]
    assert order_shop("EBAY_DE", shops) == 2
    assert order_shop("EBAY_US", shops) == 1
    assert order_shop("EBAY_GB", shops) is None, "no shop sells on that site"
    assert order_shop(None, shops) is None


def test_total_is_ebays_after_promotions_not_the_sum_of_rounded_lines():
    """A promotion of 10.00 on 6 units: eBay's total is 110.00 (+ shipping); a unit price to the cent is not."""
    specs = [{**SPECS[0], "price_cents": 2000, "quantity": 6, "shipping_cents": 0, "discount_cents": 1000}]
    for breakdown in (False, True):
        result = mapped(raw_order(tax_breakdown=breakdown, specs=specs))
        assert result.values["amount_total"] == pytest.approx(110.0)  # eBay's total, less the tax eBay collects
        assert result.values["amount_untaxed"] == pytest.approx(110.0)
        assert result.values["amount_marketplace_tax"] == pytest.approx(9.07)  # 8.25 % of 110.00
        assert result.lines[0].price_unit == pytest.approx(110.0 / 6)


def test_total_follows_ebays_total_when_it_has_more_than_the_lines():
    """An order-level adjustment eBay made is in its total, on no line: the sale order will differ, and must show."""
    raw = raw_order()
    raw["pricingSummary"]["adjustment"] = {"value": "-1.00", "currency": "USD"}
    raw["pricingSummary"]["total"] = {"value": "93.97", "currency": "USD"}
    values = mapped(raw).values
    assert values["amount_total"] == pytest.approx(93.97)
    assert values["amount_untaxed"] + values["amount_shipping"] == pytest.approx(94.97)


def test_shipping_is_what_the_buyer_paid_after_ebays_delivery_discount():
    """deliveryCost is before delivery discounts (fulfillment.yml); the sale order ships what the buyer paid."""
    raw = raw_order(collect_tax=False)
    raw["pricingSummary"]["deliveryDiscount"] = {"value": "-4.99", "currency": "USD"}
    raw["pricingSummary"]["total"] = {"value": "89.98", "currency": "USD"}
    raw["lineItems"][0]["deliveryCost"]["discountAmount"] = {"value": "-4.99", "currency": "USD"}
    result = mapped(raw)
    assert result.values["amount_shipping"] == 0.0
    assert result.values["amount_total"] == pytest.approx(89.98)
    assert result.lines[0].amount_shipping == 0.0
