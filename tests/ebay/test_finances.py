"""The Finances and Key Management adapters against the simulator, and digital signatures end to end.

The simulator books money as eBay does (a SALE per order net of its final value fee, debits for refunds and
charges, a payout = credits - debits of the transactions naming it) and, for an EU/UK seller, refuses every
Finances call that is not signed with a key it issued, as eBay refuses them.
"""
from decimal import Decimal

import pytest
from test_locales import RecordingSession

from ebay_api import EbayClient
from ebay_api.errors import EbayRequestError, MappingError
from ebay_api.finances import FinancesAdapter, KeyManagementAdapter, transactions_filter
from ebay_api.mappers import map_money_payout, map_money_transaction
from ebay_api.message_signature import MessageSigner, verify
from marketplace_core.money import RECONCILED, payout_check


def _amount(value):
    return Decimal(value["value"])


def _all_transactions(finances, **criteria):
    return [t for page in finances.iter_transaction_pages(**criteria) for t in page.items]


def test_sales_are_net_of_their_fees_and_a_payout_is_what_its_transactions_add_up_to(sim_client, sim_controls):
    finances = FinancesAdapter(sim_client)
    order_id = sim_client.request("GET", "/sell/fulfillment/v1/order", "orders").body["orders"][0]["orderId"]
    sim_controls.post("finances/book", {"refunds": [{"orderId": order_id, "amount": "5.00"}],
                                        "charges": [{"feeType": "AD_FEE", "amount": "1.25"}]})
    transactions = _all_transactions(finances)
    sales = [t for t in transactions if t["transactionType"] == "SALE"]
    assert len(sales) == 5, "one SALE per demo order"
    for sale in sales:
        assert _amount(sale["amount"]) + _amount(sale["totalFeeAmount"]) == _amount(sale["totalFeeBasisAmount"])
        assert sum(_amount(fee["amount"]) for line in sale["orderLineItems"]
                   for fee in line["marketplaceFees"]) == _amount(sale["totalFeeAmount"])
    assert [t["bookingEntry"] for t in transactions if t["transactionType"] != "SALE"] == ["DEBIT", "DEBIT"]

    payout = sim_controls.post("finances/payout")
    paid = _all_transactions(finances, payout_id=payout["payoutId"])
    credits = sum(_amount(t["amount"]) for t in paid if t["bookingEntry"] == "CREDIT")
    debits = sum(_amount(t["amount"]) for t in paid if t["bookingEntry"] == "DEBIT")
    assert len(paid) == payout["transactionCount"] == 7
    assert _amount(payout["amount"]) == credits - debits
    assert finances.get_payout(payout["payoutId"]) == payout
    assert [p["payoutId"] for page in finances.iter_payout_pages(date_from=_a_month_ago()) for p in page.items] == [
        payout["payoutId"]]


def test_mapped_transactions_reconcile_the_payout_and_name_their_orders(sim_client, sim_controls):
    finances = FinancesAdapter(sim_client)
    order_id = sim_client.request("GET", "/sell/fulfillment/v1/order", "orders").body["orders"][0]["orderId"]
    sim_controls.post("finances/book", {"refunds": [{"orderId": order_id, "amount": "3.10"}],
                                        "charges": [{"feeType": "STORE_SUBSCRIPTION_FEE", "amount": "21.95"}]})
    payout = map_money_payout(sim_controls.post("finances/payout"))
    mapped = [map_money_transaction(t) for t in _all_transactions(finances, payout_id=payout.external_id)]
    assert payout_check(payout.amount, [t.signed_amount for t in mapped], payout.transaction_count)[0] == RECONCILED
    refund = next(t for t in mapped if t.kind == "refund")
    assert (refund.order_ref, refund.credit, refund.amount) == (order_id, False, Decimal("3.10"))
    charge = next(t for t in mapped if t.kind == "non_sale_charge")
    assert (charge.fee_type, charge.order_ref, charge.signed_amount) == ("STORE_SUBSCRIPTION_FEE", None,
                                                                         Decimal("-21.95"))
    sale = next(t for t in mapped if t.kind == "sale")
    assert sale.gross == sale.amount + sale.fee and sale.payout_ref == payout.external_id and sale.date.tzinfo


def test_the_mapper_takes_new_types_and_refuses_what_it_cannot_book():
    raw = {"transactionId": "1", "transactionType": "LOAN_REPAYMENT", "bookingEntry": "DEBIT",
           "amount": {"value": "-7.50", "currency": "EUR"}}
    mapped = map_money_transaction(raw)
    assert (mapped.kind, mapped.amount, mapped.signed_amount, mapped.currency) == (
        "other", Decimal("7.50"), Decimal("-7.50"), "EUR")
    with pytest.raises(MappingError):
        map_money_transaction(dict(raw, bookingEntry="SIDEWAYS"))
    with pytest.raises(MappingError):
        map_money_payout({"payoutId": "5", "amount": {"value": "ten", "currency": "USD"}})


def test_transactions_page_oldest_first_through_ebays_next_links(sim_client, sim_controls):
    sim_controls.post("finances/book")
    pages = list(FinancesAdapter(sim_client).iter_transaction_pages(page_size=2))
    assert [len(page.items) for page in pages] == [2, 2, 1]
    dates = [t["transactionDate"] for page in pages for t in page.items]
    assert dates == sorted(dates)


def test_filters_are_written_as_ebay_documents_them():
    from datetime import datetime
    assert transactions_filter(datetime(2026, 11, 1), datetime(2026, 12, 1), "SALE", "5000000001") == (
        "transactionDate:[2026-11-01T00:00:00.000Z..2026-12-01T00:00:00.000Z],transactionType:{SALE},"
        "payoutId:{5000000001}")
    assert transactions_filter() is None
    with pytest.raises(ValueError):
        next(FinancesAdapter(None).iter_transaction_pages(page_size=1001))


def test_an_eu_seller_s_finances_calls_are_refused_unsigned_and_accepted_signed(sim_client, sim_config,
                                                                               connected_store, sim_controls):
    sim_controls.post("finances/book")
    sim_controls.post("seller", {"domicile": "DE"})
    with pytest.raises(EbayRequestError) as refused:
        _all_transactions(FinancesAdapter(sim_client))
    assert refused.value.status == 400 and refused.value.errors[0]["errorId"] == 215120

    key = KeyManagementAdapter(sim_client).create_signing_key()
    assert {"signingKeyId", "privateKey", "publicKey", "jwe", "expirationTime"} <= set(key)
    assert "privateKey" not in KeyManagementAdapter(sim_client).get_signing_key(key["signingKeyId"]), (
        "eBay answers the private key once, when the key is made")
    signed = EbayClient(sim_config, connected_store, signer=MessageSigner(key["privateKey"], key["jwe"]))
    assert len(_all_transactions(FinancesAdapter(signed))) == 5

    other = KeyManagementAdapter(sim_client).create_signing_key()
    forged = EbayClient(sim_config, connected_store, signer=MessageSigner(other["privateKey"], key["jwe"]))
    with pytest.raises(EbayRequestError) as refused:
        _all_transactions(FinancesAdapter(forged))
    assert refused.value.errors[0]["errorId"] == 215120
    assert sim_client.request("GET", "/sell/fulfillment/v1/order", "orders").status == 200, (
        "calls eBay does not list are not signed and not refused")


def test_the_client_signs_the_exact_bytes_it_sends_and_only_the_listed_calls(monkeypatch):
    from test_message_signature import ED25519_PRIVATE, ED25519_PUBLIC

    from ebay_api import EbayConfig, InMemoryTokenStore

    session = RecordingSession()
    sent = []
    original = session.request

    def record(method, url, headers=None, **kwargs):
        sent.append((method, url, kwargs.get("data"), kwargs.get("json")))
        return original(method, url, headers=headers, **kwargs)

    session.request = record
    config = EbayConfig("app", "cert", base_url="https://api.ebay.com", budgets={})
    client = EbayClient(config, InMemoryTokenStore(), session=session, clock=lambda: 1700000000,
                        signer=MessageSigner(ED25519_PRIVATE, "jwe"))
    monkeypatch.setattr(client, "_token", lambda app_token, renew=False: "token")
    client.request("POST", "/sell/fulfillment/v1/order/12-34/issue_refund", "fulfillment",
                   json={"reasonForRefund": "BUYER_CANCEL", "orderLevelRefundAmount": {"value": "5.00",
                                                                                       "currency": "GBP"}})
    client.request("POST", "/sell/fulfillment/v1/order/12-34/shipping_fulfillment", "fulfillment",
                   json={"lineItems": []})
    (method, url, data, _json), (_m, _u, unsigned_data, unsigned_json) = sent
    headers = _Headers(session.headers[0])
    assert verify(method, url, headers, data, {"jwe": ED25519_PUBLIC}.get, now=1700000000) == "jwe"
    assert headers.get("Content-Type") == "application/json"
    assert "Signature" not in session.headers[1] and unsigned_data is None and unsigned_json == {"lineItems": []}


class _Headers(dict):
    def get(self, name, default=None):
        return next((value for key, value in self.items() if key.lower() == name.lower()), default)


def _a_month_ago():
    from datetime import datetime, timedelta, timezone
    return datetime.now(timezone.utc) - timedelta(days=30)
