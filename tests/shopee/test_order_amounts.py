"""Shopee orders as the buyer paid them (issue 22): lines after item discounts and bundle deals, the shipping the
buyer paid (0 under free shipping), vouchers and coins as the order's discount, from the order's escrow; so
that lines + shipping - discount is Shopee's ``total_amount`` to the cent. Lines keyed by ``line_item_id``."""
from decimal import Decimal

import requests
from shopee_api.mappers import map_order
from shopee_api.orders import OrderAdapter
from shopee_api.payments import PaymentAdapter

from marketplace_simulators.shopee_sim.payments import SCENARIOS

from .conftest import sim_post


def _item(line_item_id, item_id, model_id, quantity, price, discounted=None):
    return {"item_id": item_id, "model_id": model_id, "item_name": "Drawer", "model_name": "Black",
            "model_sku": f"SKU-{item_id}-{model_id}", "model_quantity_purchased": quantity,
            "model_original_price": price, "model_discounted_price": price if discounted is None else discounted,
            "line_item_id": line_item_id}


def _escrow_item(line_item_id, item_id, model_id, quantity, subtotal):
    return {"item_id": item_id, "model_id": model_id, "line_item_id": line_item_id, "quantity_purchased": quantity,
            "original_price": subtotal, "discounted_price": subtotal}


def _detail(items, total, courier=40.0):
    return {"order_sn": "2612SN", "order_status": "READY_TO_SHIP", "currency": "THB", "item_list": items,
            "actual_shipping_fee": courier, "estimated_shipping_fee": courier, "total_amount": total}


def _odoo_total(mapped):
    """What the sale order adds up to: each line's quantity x its unit price, shipping, less the discount."""
    lines = sum((Decimal(str(line.price_unit)) * Decimal(str(line.quantity)) for line in mapped.lines), Decimal(0))
    values = mapped.values
    assert Decimal(str(values["amount_untaxed"])) == lines
    return lines + Decimal(str(values["amount_shipping"])) - Decimal(str(values["amount_discount"]))


def test_free_shipping_vouchers_and_coins_make_the_buyers_total():
    # 1290 item, free shipping (the courier's 40 is the seller's cost), seller voucher 50, Shopee voucher 30, coins 10
    detail = _detail([_item(7001, 800001, 0, 1, 1290.0)], total=1200.0)
    escrow = {"order_sn": "2612SN", "order_income": {
        "buyer_paid_shipping_fee": 0.0, "actual_shipping_fee": 40.0, "voucher_from_seller": 50.0,
        "voucher_from_shopee": 30.0, "coins": 10.0, "items": [_escrow_item(7001, 800001, 0, 1, 1290.0)]}}
    mapped = map_order(detail, escrow)
    assert (mapped.values["amount_shipping"], mapped.values["amount_discount"]) == (0.0, 90.0)
    assert _odoo_total(mapped) == Decimal("1200.00") == Decimal(str(mapped.values["amount_total"]))
    without = map_order(detail)
    assert (without.values["amount_shipping"], without.values["amount_discount"]) == (40.0, 0.0), \
        "no escrow: the detail's courier fee, and the total check will tell"
    assert _odoo_total(without) != Decimal("1200.00")


def test_a_bundle_deal_takes_its_escrow_prices_and_two_lines_of_one_model_stay_two():
    # the same model twice: once in a bundle deal (its detail price 0 by design), once alone
    detail = _detail([_item(9001, 800002, 900001, 2, 450.0, discounted=0.0), _item(9002, 800003, 0, 1, 2950.0, 0.0),
                      _item(9003, 800002, 900001, 1, 450.0)], total=810.0 + 2655.0 + 450.0 + 40.0)
    escrow = {"order_income": {"buyer_paid_shipping_fee": 40.0, "items": [
        _escrow_item(9003, 800002, 900001, 1, 450.0), _escrow_item(9001, 800002, 900001, 2, 810.0),
        _escrow_item(9002, 800003, 0, 1, 2655.0)]}}
    mapped = map_order(detail, escrow)
    assert [(line.external_line_id, line.quantity, line.price_unit) for line in mapped.lines] == [
        ("9001", 2.0, 405.0), ("9002", 1.0, 2655.0), ("9003", 1.0, 450.0)]
    assert _odoo_total(mapped) == Decimal("3955.00")
    by_model = map_order(dict(detail, item_list=[dict(item, line_item_id=None) for item in detail["item_list"]]),
                         {"order_income": dict(escrow["order_income"], items=[
                             dict(item, line_item_id=None) for item in escrow["order_income"]["items"]])})
    assert [line.price_unit for line in by_model.lines] == [405.0, 2655.0, 450.0], \
        "without line_item_id: the escrow item of the same model and quantity"
    assert _odoo_total(by_model) == Decimal("3955.00")


def test_unit_prices_rounded_to_the_cent_leave_the_total_exact():
    detail = _detail([_item(5001, 800001, 0, 3, 400.0)], total=1040.0)
    escrow = {"order_income": {"buyer_paid_shipping_fee": 40.0, "items": [_escrow_item(5001, 800001, 0, 3, 1000.0)]}}
    mapped = map_order(detail, escrow)
    assert mapped.lines[0].price_unit == 333.33
    assert mapped.values["amount_discount"] == -0.01, "the rounding of the unit price, given back"
    assert _odoo_total(mapped) == Decimal("1040.00")


def test_lines_imported_before_line_item_id_keep_their_key():
    detail = _detail([_item(9001, 800002, 900001, 2, 450.0), _item(9002, 800001, 0, 1, 1290.0)], total=2230.0)
    assert [line.external_line_id for line in map_order(detail).lines] == ["9001", "9002"]
    assert [line.external_line_id for line in map_order(detail, stored_line_ids={"800002-900001"}).lines] == [
        "800002-900001", "9002"]
    legacy = _detail([dict(_item(0, 800001, 0, 1, 1290.0), line_item_id=None)], total=1330.0)
    assert [line.external_line_id for line in map_order(legacy).lines] == ["800001-0"]


def test_every_simulated_order_maps_to_shopees_total_with_one_escrow_call(sim, shop):
    sns = [sim_post(sim, "/_sim/orders", {"lines": [[800002, 900001, 3], [800001, 0, 1]], "scenario": scenario})[
        "order_sn"] for scenario in SCENARIOS]
    details = {detail["order_sn"]: detail for detail in OrderAdapter(shop).order_details(sns)}
    sim_post(sim, "/_sim/calls/reset", {})
    escrows = PaymentAdapter(shop).escrow_details(sns)
    assert requests.get(sim.base_url + "/_sim/calls", timeout=10).json()["calls"] == {
        "/api/v2/payment/get_escrow_detail_batch": 1}
    for order_sn, scenario in zip(sns, SCENARIOS, strict=True):
        detail = details[order_sn]
        mapped = map_order(detail, escrows[order_sn])
        assert _odoo_total(mapped) == Decimal(str(detail["total_amount"])), scenario
        assert Decimal(str(detail["total_amount"])) == Decimal(str(
            escrows[order_sn]["order_income"]["buyer_total_amount"])), scenario
    bundle = details[sns[SCENARIOS.index("bundle_deal")]]
    assert {item["model_discounted_price"] for item in bundle["item_list"]} == {0.0}
    assert len({item["order_item_id"] for item in bundle["item_list"]}) == 1, "a bundle deal shares order_item_id"
    free = details[sns[SCENARIOS.index("free_shipping")]]
    assert map_order(free, escrows[free["order_sn"]]).values["amount_shipping"] == 0.0
    assert free["total_amount"] == 3 * 450 + 1290, "the buyer paid no shipping"
