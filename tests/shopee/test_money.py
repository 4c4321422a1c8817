"""Shopee's money: escrows as sales (Shopee's own escrow formula, to the cent, whole-number currencies), wallet
withdrawals as payouts paying the movements since the previous one, and the simulator's payment API (escrows
that add up under free shipping, vouchers, coins and bundle deals; withdrawals of the released escrows less
adjustments; what Shopee refuses)."""
import time
from decimal import Decimal

import pytest
import requests
from shopee_api.errors import MappingError, ShopeeRequestError
from shopee_api.money import expected_buyer_total, expected_escrow, map_escrow, map_wallet, money
from shopee_api.orders import OrderAdapter
from shopee_api.payments import PaymentAdapter

from marketplace_core.money import payout_check, payout_entry_lines
from marketplace_simulators.shopee_sim.payments import SCENARIOS

from .conftest import sim_post

# get_escrow_detail of an order under Shopee's free shipping programme, with a seller voucher and coins (TH)
ESCROW = {"order_sn": "2612FREE", "order_income": {
    "escrow_amount": 1059.18, "buyer_total_amount": 1190.0, "original_price": 1290.0, "seller_discount": 0.0,
    "shopee_discount": 0.0, "voucher_from_seller": 50.0, "voucher_from_shopee": 30.0, "coins": 20.0,
    "payment_promotion": 0.0, "buyer_paid_shipping_fee": 0.0, "buyer_transaction_fee": 0.0, "cross_border_tax": 0.0,
    "commission_fee": 62.0, "service_fee": 37.2, "seller_transaction_fee": 23.8, "seller_coin_cash_back": 0.0,
    "escrow_tax": 0.0, "drc_adjustable_refund": 0.0, "actual_shipping_fee": 97.82, "shopee_shipping_rebate": 40.0,
    "final_shipping_fee": -57.82}}


def test_an_escrow_is_a_sale_net_of_fees_and_adds_up_by_shopees_formula():
    income = ESCROW["order_income"]
    assert expected_buyer_total(income) == Decimal("1190.00")
    # 1190 + 30 + 20 - 62 - 37.2 - 23.8 - 57.82 (the courier's 97.82 less Shopee's rebate of 40)
    assert expected_escrow(income) == Decimal("1059.18") == money(income["escrow_amount"])
    sale = map_escrow("10001", ESCROW, "THB", 1_780_000_000)
    assert (sale.external_id, sale.kind, sale.credit, sale.order_ref) == ("10001-escrow-2612FREE", "sale", True,
                                                                          "2612FREE")
    assert (sale.amount, sale.gross, sale.fee) == (Decimal("1059.18"), Decimal("1190.00"), Decimal("123.00"))
    assert "shipping borne 57.82" in sale.memo and "Shopee subsidies 50.00" in sale.memo
    assert sale.date.year == 2026


def test_money_is_read_to_the_cent_half_up_and_whole_currencies_stay_whole():
    assert money(5.91) == Decimal("5.91")
    assert money(0.1 + 0.2) == Decimal("0.30")        # a float's noise never reaches the books
    assert money(2.675) == Decimal("2.68")             # str(2.675) is "2.675": half up, not the float's 2.67
    assert money(23552.59374) == Decimal("23552.59")
    idr = {"order_sn": "2612IDR", "order_income": {"escrow_amount": 141500, "buyer_total_amount": 150000,
                                                    "commission_fee": 6000, "service_fee": 2500}}
    sale = map_escrow("20001", idr, "IDR")
    assert (sale.amount, sale.gross, sale.fee) == (Decimal("141500"), Decimal("150000"), Decimal("8500"))
    with pytest.raises(MappingError):
        money("n/a")
    with pytest.raises(MappingError):
        map_escrow("10001", {"order_sn": "X", "order_income": {}}, "THB")


def test_a_negative_escrow_is_a_debit_of_its_order():
    refund = map_escrow("10001", {"order_sn": "2612RR", "order_income": {"escrow_amount": -12.5}}, "THB")
    assert (refund.kind, refund.credit, refund.amount, refund.order_ref) == ("adjustment", False, Decimal("12.50"),
                                                                             "2612RR")


def _row(transaction_id, kind, amount, when, **values):
    return {"transaction_id": transaction_id, "transaction_type": kind, "amount": amount, "create_time": when,
            "status": "COMPLETED", **values}


def test_a_withdrawal_pays_the_wallet_movements_since_the_previous_one():
    rows = [  # newest first, as Shopee lists them
        _row(7, "ESCROW_VERIFIED_ADD", 80.0, 300, order_sn="C"),
        _row(6, "WITHDRAWAL_COMPLETED", 0.0, 200, withdrawal_id=55),
        _row(5, "WITHDRAWAL_CREATED", -145.5, 200, withdrawal_id=55),
        _row(4, "ADJUSTMENT_MINUS", -4.5, 200),
        _row(3, "ESCROW_VERIFIED_ADD", 50.0, 150, order_sn="B"),
        _row(2, "ESCROW_VERIFIED_ADD", 100.0, 100, order_sn="A"),
        _row(1, "PAID_ADS_CHARGE", -9.0, 90, status="FAILED"),
    ]
    wallet = map_wallet("10001", rows, "THB")
    (payout,) = wallet.payouts
    assert (payout.external_id, payout.amount, payout.status, payout.transaction_count) == (
        "10001-withdrawal-55", Decimal("145.50"), "COMPLETED", 3)
    paid = [t for t in wallet.transactions if t.payout_ref == payout.external_id]
    assert [t.external_id for t in paid] == ["10001-escrow-A", "10001-escrow-B", "10001-wallet-4"]
    assert payout_check(payout.amount, [t.signed_amount for t in paid]) == ("reconciled", Decimal("0.00"))
    later = [t for t in wallet.transactions if not t.payout_ref]
    assert [t.external_id for t in later] == ["10001-escrow-C"], "paid by the next withdrawal"
    assert wallet.paid_until == 200
    assert map_wallet("10001", rows[2:], "THB").payouts[0].status == "CREATED"
    with pytest.raises(MappingError):
        map_wallet("10001", [_row(9, "WITHDRAWAL_CREATED", -1.0, 1)], "THB")
    orphan, minus = map_wallet("10001", [_row(8, "ESCROW_VERIFIED_ADD", 2.0, 1),
                                         _row(9, "ESCROW_VERIFIED_MINUS", -12.5, 2, order_sn="RR")], "THB").transactions
    assert (orphan.external_id, orphan.kind) == ("10001-wallet-8", "adjustment"), "no order: no sale"
    negative = map_escrow("10001", {"order_sn": "RR", "order_income": {"escrow_amount": -12.5}}, "THB")
    assert (minus.external_id, minus.kind, minus.credit, minus.amount) == (
        negative.external_id, negative.kind, negative.credit, negative.amount), "one record of a negative escrow"


# -- the client against the simulator -------------------------------------------------------------------------

def _order_sns(shop, sim, count=4):
    sim.seed(orders=count)
    orders = OrderAdapter(shop)
    now = int(time.time())
    return orders.order_page(now - 86400, now).order_sns


def test_released_escrows_add_up_and_a_withdrawal_pays_them_less_adjustments(sim, shop):
    sns = _order_sns(shop, sim)
    released = sim_post(sim, "/_sim/payments/release", {"scenarios": dict(zip(sns, SCENARIOS, strict=True))})
    assert [row["order_sn"] for row in released["released"]] == sns
    payout = sim_post(sim, "/_sim/payments/payout", {"adjustments": [{"amount": -3.25, "reason": "late shipping"}]})
    payments = PaymentAdapter(shop)
    now = int(time.time())
    listed = payments.escrow_page(now - 3600, now + 60)
    assert [row["order_sn"] for row in listed.rows] == sns and listed.next_page is None
    sales = []
    for row in listed.rows:
        detail = payments.escrow_detail(row["order_sn"])
        income = detail["order_income"]
        assert expected_escrow(income) == money(income["escrow_amount"]) == money(row["payout_amount"])
        assert expected_buyer_total(income) == money(income["buyer_total_amount"])
        sales.append(map_escrow("10001", detail, "THB", row["escrow_release_time"]))
    incomes = {sale.order_ref: payments.escrow_detail(sale.order_ref)["order_income"] for sale in sales}
    free = incomes[sns[1]]
    assert (free["buyer_paid_shipping_fee"], free["shopee_shipping_rebate"]) == (0.0, free["actual_shipping_fee"])
    assert incomes[sns[2]]["voucher_from_seller"] and incomes[sns[2]]["coins"]
    assert incomes[sns[3]]["seller_discount"] and incomes[sns[3]]["items"][0]["activity_type"] == "bundle_deal"

    rows = payments.wallet_page(now - 3600, now + 60, page_size=3)
    everything = list(rows.rows)
    while rows.next_page:
        rows = payments.wallet_page(now - 3600, now + 60, rows.next_page, page_size=3)
        everything += rows.rows
    wallet = map_wallet("10001", everything, "THB")
    (withdrawal,) = wallet.payouts
    assert withdrawal.amount == money(payout["amount"]) == sum((s.amount for s in sales), Decimal(0)) - Decimal("3.25")
    by_id = {sale.external_id: sale for sale in sales}
    paid = [by_id.get(t.external_id, t) for t in wallet.transactions if t.payout_ref == withdrawal.external_id]
    assert payout_check(withdrawal.amount, [t.signed_amount for t in paid], withdrawal.transaction_count)[0] == \
        "reconciled"
    lines = payout_entry_lines(withdrawal, paid)
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)


def test_the_simulator_refuses_what_shopee_refuses(sim, shop):
    sim.seed(orders=1)
    payments = PaymentAdapter(shop)
    with pytest.raises(ValueError):
        payments.escrow_page(0, 15 * 86400)      # the client never sends a 15-day window
    for path in ("get_escrow_list?release_time_from=0&release_time_to=1296000&page_size=10",
                 "get_escrow_list?release_time_from=0&release_time_to=10&page_size=101",
                 "get_wallet_transaction_list?create_time_from=0&create_time_to=1296000&page_size=10",
                 "get_wallet_transaction_list?create_time_from=5&create_time_to=1&page_size=10"):
        with pytest.raises(ShopeeRequestError) as refused:
            shop.call("GET", "/api/v2/payment/" + path.split("?")[0],
                      params=dict(part.split("=") for part in path.split("?")[1].split("&")))
        assert refused.value.error == "error_param"
    with pytest.raises(requests.HTTPError):
        sim_post(sim, "/_sim/payments/payout", {})   # nothing released: nothing to withdraw
