"""sync_core.push: which bindings changed, bulk bodies and batches, eBay's per-SKU answers,
carrier codes and shipped quantities."""
from decimal import Decimal

from ebay_api.mappers import Offer, map_price_quantity_results
from marketplace_core import push as core_push
from sync_core import push


def item(binding_id, value, last, synced=True, **extra):
    return push.PushItem(binding_id, "SKU-%d" % binding_id, value, last, synced, **extra)


def results(*answers):
    return map_price_quantity_results([dict(answer) for answer in answers])


def offer(offer_id, status="PUBLISHED", marketplace="EBAY_US"):
    return Offer(offer_id, "SKU", marketplace, status, None, None, None, None, None, None)


class TestPlanning:
    def test_only_changed_or_never_synced_items_are_sent(self):
        items = [item(1, 5, 5), item(2, 4, 5), item(3, 0, 0, synced=False), item(4, 0, 0)]
        assert [i.binding_id for i in core_push.changed_items(items)] == [2, 3]

    def test_prices_compare_after_rounding(self):
        same = item(1, push.round_price(19.999, 2), push.round_price(20.0, 2))
        assert core_push.changed_items([same]) == []
        assert push.round_price(2.005, 2) == Decimal("2.01")
        assert push.round_price(1234.5, 0) == Decimal("1235")

    def test_sixty_items_make_three_batches_of_at_most_25(self):
        sizes = [len(batch) for batch in core_push.batches([item(i, 1, 0) for i in range(60)], push.BULK_SIZE)]
        assert sizes == [25, 25, 10]
        assert core_push.batches([], push.BULK_SIZE) == []

    def test_stock_and_price_entries(self):
        assert push.stock_entry(item(1, 7, 0)) == {"sku": "SKU-1", "shipToLocationAvailability": {"quantity": 7}}
        entry = push.price_entry(item(2, Decimal("19.90"), 0, offer_id="55", currency="USD"))
        assert entry == {"sku": "SKU-2", "offers": [{"offerId": "55", "price": {"value": "19.90", "currency": "USD"}}]}

    def test_pick_offer_prefers_the_shop_marketplace_and_published(self):
        offers = [offer("3", "UNPUBLISHED"), offer("9", marketplace="EBAY_DE"), offer("5")]
        assert push.pick_offer(offers, "EBAY_US") == "5"
        assert push.pick_offer([offer("3", "UNPUBLISHED")], "EBAY_US") == "3"
        assert push.pick_offer([offer("9", marketplace="EBAY_DE")], "EBAY_US") is None


class TestResults:
    def test_accepted_and_rejected_per_sku(self):
        batch = [item(1, 1, 0), item(2, 2, 0), item(3, 3, 0)]
        answer = results(
            {"sku": "SKU-1", "statusCode": 200},
            {"sku": "SKU-2", "statusCode": 400, "errors": [{"errorId": 25709, "message": "Invalid value"}]},
            {"sku": "SKU-3", "statusCode": 200, "warnings": [{"errorId": 1}]},
        )
        accepted, rejected = push.interpret_results(batch, answer)
        assert [i.binding_id for i in accepted] == [1, 3]
        assert len(rejected) == 1 and rejected[0].item.binding_id == 2
        assert "25709" in rejected[0].message and "Invalid value" in rejected[0].message
        assert rejected[0].retryable is False

    def test_system_errors_and_5xx_are_retryable(self):
        batch = [item(1, 1, 0), item(2, 2, 0), item(3, 3, 0)]
        answer = results(
            {"sku": "SKU-1", "statusCode": 400, "errors": [{"errorId": 25001, "message": "A system error"}]},
            {"sku": "SKU-2", "statusCode": 500, "errors": []},
            {"sku": "SKU-3", "statusCode": 400, "errors": [{"errorId": 1, "category": "APPLICATION"}]},
        )
        _accepted, rejected = push.interpret_results(batch, answer)
        assert [r.retryable for r in rejected] == [True, True, True]

    def test_a_sku_without_answer_is_not_accepted(self):
        accepted, rejected = push.interpret_results([item(1, 1, 0)], results({"sku": "OTHER", "statusCode": 200}))
        assert accepted == [] and rejected[0].retryable

    def test_one_failing_offer_rejects_the_sku(self):
        answer = results({"sku": "SKU-1", "offerId": "1", "statusCode": 200},
                         {"sku": "SKU-1", "offerId": "2", "statusCode": 404, "errors": [{"errorId": 25713}]})
        accepted, rejected = push.interpret_results([item(1, 1, 0)], answer)
        assert accepted == [] and "HTTP 404" in rejected[0].message


class TestFulfillment:
    def test_carrier_code_explicit_then_connector_then_name(self):
        assert push.ebay_carrier_code("fedex", "fixed", "Anything") == "FedEx"
        assert push.ebay_carrier_code(" MyCarrier ") == "MyCarrier"
        assert push.ebay_carrier_code(None, "ups_rest", "Whatever") == "UPS"
        assert push.ebay_carrier_code("", "fixed", "DHL Express") == "DHL"
        assert push.ebay_carrier_code(False, "fixed", "Standard delivery") is None
        assert push.ebay_carrier_code(None, None, None) is None

    def test_partial_shipments_never_exceed_what_was_ordered(self):
        lines = [push.ShipLine("L1", 3, 0, 1), push.ShipLine("L2", 2, 2, 1), push.ShipLine("L3", 2, 1, 5),
                 push.ShipLine("L4", 1, 0, 0)]
        assert push.fulfillment_lines(lines) == [("L1", 1), ("L3", 1)]
