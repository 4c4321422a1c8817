"""Pushes: which bodies name an order or a return (the only ones acted on), which after-sale read a push prompts,
and the simulator pushing its after-sale events signed with its push key."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from shopee_api.cancellations import named_order_records
from shopee_api.mappers import after_sale_read, names_a_record, parse_push
from shopee_api.signing import push_is_genuine

from marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_KEY, DEMO_PUSH_KEY

from .conftest import sim_post


def test_only_pushes_naming_an_order_or_a_return_are_acted_on():
    assert names_a_record(b'{"code": 3, "shop_id": 1, "data": {"ordersn": "2611AB", "status": "READY_TO_SHIP"}}')
    assert names_a_record(b'{"code": 4, "data": {"order_sn": "2611AB", "tracking_no": "K1"}}')
    assert names_a_record(b'{"code": 29, "data": {"return_sn": "2611R1"}}')
    assert not names_a_record(b'{"code": 0, "shop_id": 0, "timestamp": 1, "data": {}}')  # a console verification
    assert not names_a_record(b'{"code": 1, "shop_id": 1, "data": {"success": 1}}')
    assert not names_a_record(b'{}')
    for body in (b"not json", b"[1]", b"\xff"):
        with pytest.raises(ValueError):
            names_a_record(body)


def test_a_return_push_names_its_return_and_order():
    push = parse_push(b'{"shop_id": 10001, "code": 29, "timestamp": 1780000000, '
                      b'"data": {"return_sn": "2611R1", "order_sn": "2611AB", "updated_values": []}}')
    assert (push.code, push.shop_id, push.return_sn, push.order_sn) == (29, 10001, "2611R1", "2611AB")


@pytest.mark.parametrize(("push", "read"), [
    ((3, "2611AB", "IN_CANCEL", ""), ("pull_cancellations", {"order_sns": ["2611AB"]})),
    ((3, "2611AB", "CANCELLED", ""), ("pull_cancellations", {"order_sns": ["2611AB"]})),
    ((3, "2611AB", "READY_TO_SHIP", ""), None),
    ((3, "", "IN_CANCEL", ""), None),
    ((4, "2611AB", "IN_CANCEL", ""), None),
    ((29, "2611AB", "", "2611R1"), ("pull_returns", {"return_sns": ["2611R1"]})),
    ((29, "2611AB", "", ""), None),
])
def test_the_after_sale_read_a_push_prompts(push, read):
    assert after_sale_read(*push) == read


def detail(order_sn, status, cancel_by=""):
    return {"order_sn": order_sn, "order_status": status, "cancel_by": cancel_by, "buyer_cancel_reason": "late",
            "cancel_reason": "OUT_OF_STOCK"}


def test_a_pushed_order_stores_its_held_cancellations_and_new_buyer_requests_only():
    records = named_order_records([
        detail("A", "IN_CANCEL"),                    # a buyer's new request
        detail("B", "CANCELLED", "buyer"),           # a held buyer's request, accepted
        detail("C", "CANCELLED", "system"),          # Shopee cancelled it, no request: the order import's
        detail("D", "READY_TO_SHIP"),                # a held buyer's request the seller rejected
        detail("E", "CANCELLED", "seller"),          # the seller's cancellation sent from Odoo
    ], {"B": {"buyer"}, "D": {"buyer"}, "E": {"seller"}})
    assert [(r["external_cancel_id"], r["state"]) for r in records] == [
        ("A:buyer", "requested"), ("B:buyer", "completed"), ("D:buyer", "rejected"), ("E:seller", "completed")]


def test_the_simulator_signs_pushes_with_the_live_push_key_not_the_partner_key(sim):
    url = "https://seller.example.com/api/shopee/webhook"
    with sim.sim.store.transaction() as db:
        body, headers = sim.sim._signed_push(db, 10001, 3, {"ordersn": "SN1"}, url)  # noqa: SLF001
    assert push_is_genuine(DEMO_PUSH_KEY, url, body, headers["Authorization"])
    assert not push_is_genuine(DEMO_PARTNER_KEY, url, body, headers["Authorization"])


@pytest.fixture
def receiver():
    """A callback URL on this machine that keeps what is posted to it."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - fixed by BaseHTTPRequestHandler
            received.append((self.rfile.read(int(self.headers["Content-Length"])), self.headers["Authorization"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/api/shopee/webhook", received
    server.shutdown()


def test_the_simulator_pushes_a_buyers_cancellation_and_each_return_change(sim, receiver):
    url, received = receiver
    sim_post(sim, "/_sim/faults", {"push_url": url})
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    sim_post(sim, "/_sim/orders/buyer_cancel", {"order_sn": order_sn, "wait_push": True})
    shipped = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]], "status": "SHIPPED"})["order_sn"]
    return_sn = sim_post(sim, "/_sim/returns", {"order_sn": shipped, "wait_push": True})["return_sn"]
    sim_post(sim, "/_sim/returns/refund", {"return_sn": return_sn, "wait_push": True})
    sim_post(sim, "/_sim/returns/refund", {"return_sn": return_sn, "push": False})
    pushes = [parse_push(body) for body, _ in received]
    assert [(p.code, p.order_sn, p.status, p.return_sn) for p in pushes] == [
        (3, order_sn, "IN_CANCEL", ""), (29, shipped, "REQUESTED", return_sn), (29, shipped, "REFUND_PAID", return_sn)]
    assert all(push_is_genuine(DEMO_PUSH_KEY, url, body, signature) for body, signature in received)
    assert {json.loads(body)["shop_id"] for body, _ in received} == {10001}
