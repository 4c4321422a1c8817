"""Pushes: which bodies name an order (the only ones acted on), and the simulator signing with its push key."""
import pytest
from shopee_api.mappers import names_an_order
from shopee_api.signing import push_is_genuine

from marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_KEY, DEMO_PUSH_KEY


def test_only_pushes_naming_an_order_are_acted_on():
    assert names_an_order(b'{"code": 3, "shop_id": 1, "data": {"ordersn": "2611AB", "status": "READY_TO_SHIP"}}')
    assert names_an_order(b'{"code": 4, "data": {"order_sn": "2611AB", "tracking_no": "K1"}}')
    assert not names_an_order(b'{"code": 0, "shop_id": 0, "timestamp": 1, "data": {}}')  # a console verification
    assert not names_an_order(b'{"code": 1, "shop_id": 1, "data": {"success": 1}}')
    assert not names_an_order(b'{}')
    for body in (b"not json", b"[1]", b"\xff"):
        with pytest.raises(ValueError):
            names_an_order(body)


def test_the_simulator_signs_pushes_with_the_live_push_key_not_the_partner_key(sim):
    url = "https://seller.example.com/api/shopee/webhook"
    with sim.sim.store.transaction() as db:
        body, headers = sim.sim._signed_push(db, 10001, 3, {"ordersn": "SN1"}, url)  # noqa: SLF001
    assert push_is_genuine(DEMO_PUSH_KEY, url, body, headers["Authorization"])
    assert not push_is_genuine(DEMO_PARTNER_KEY, url, body, headers["Authorization"])
