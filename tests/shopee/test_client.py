"""The Shopee client against the simulator over real HTTP: authorization, tokens, orders, stock, shipping."""
from datetime import datetime

import pytest
import requests
from shopee_api import ShopeeAuthError, ShopeeConfig, ShopeeRequestError, ShopeeUncertainError
from shopee_api.batching import MAX_MODELS, MAX_WINDOW, windows
from shopee_api.logistics import LogisticsAdapter, ship_order_body
from shopee_api.mappers import map_order, parse_push
from shopee_api.orders import OrderAdapter
from shopee_api.products import ModelUpdate, ProductAdapter, call_key

from marketplace_core.push import batches
from marketplace_simulators.shopee_sim.seed import DEMO_SHOP_ID

from .conftest import authorize, sim_post


def test_authorization_code_is_single_use(client):
    redirect = authorize(client)
    assert redirect["shop_id"] == str(DEMO_SHOP_ID) and redirect["state"] == "abc"
    tokens = client.get_token(redirect["code"], DEMO_SHOP_ID)
    assert tokens.access_token and tokens.refresh_token
    with pytest.raises(ShopeeAuthError):
        client.get_token(redirect["code"], DEMO_SHOP_ID)


def test_forged_signature_is_refused(client, sim):
    response = requests.post(sim.base_url + "/api/v2/auth/token/get", params={
        "partner_id": client.config.partner_id, "timestamp": int(client.clock()), "sign": "0" * 64},
        json={}, timeout=10)
    assert response.status_code == 403 and response.json()["error"] == "error_sign"


def test_refresh_rotates_and_stores_the_new_refresh_token_at_once(shop, sim):
    first = shop.store.load()
    sim_post(sim, "/_sim/expire_tokens", {})
    OrderAdapter(shop).order_page(shop.client.clock() - 3600, shop.client.clock())
    second = shop.store.load()
    assert shop.store.saved == 1
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    # the spent refresh token is refused: only the stored new one works
    with pytest.raises(ShopeeAuthError):
        shop.client.refresh(DEMO_SHOP_ID, first.refresh_token)
    assert shop.client.refresh(DEMO_SHOP_ID, second.refresh_token).refresh_token


def test_order_pages_and_details(shop, sim):
    now = int(shop.client.clock())
    sim.seed(orders=5, now=now)
    adapter = OrderAdapter(shop)
    sns, cursor = [], ""
    while True:
        page = adapter.order_page(now - 10 * 86400, now + 60, cursor=cursor, page_size=2)
        sns += page.order_sns
        if not page.more:
            break
        cursor = page.next_cursor
    assert len(sns) == 5 == len(set(sns))
    details = adapter.order_details(sns)
    assert {d["order_sn"] for d in details} == set(sns)
    with pytest.raises(ValueError):
        adapter.order_details([str(n) for n in range(51)])
    with pytest.raises(ValueError):
        adapter.order_page(now - 16 * 86400, now)


def test_windows_cover_the_range_in_at_most_15_days():
    since, until = datetime(2026, 1, 1), datetime(2026, 2, 20)
    parts = windows(since, until)
    assert parts[0][0] == since and parts[-1][1] == until
    assert all(end - start <= MAX_WINDOW for start, end in parts)
    assert all(parts[i][1] == parts[i + 1][0] for i in range(len(parts) - 1))
    assert windows(until, since) == []


def update(item_id, model_id, value):
    return ModelUpdate(None, "", value, item_id=item_id, model_id=model_id)


def test_stock_update_reports_refused_models_alone(shop, sim):
    sim_post(sim, "/_sim/fail_model", {"item_id": 800002, "model_id": 900002, "reason": "stock below reserved"})
    updates = [update(800002, 900001, 7), update(800002, 900002, 1), update(800001, 0, 4)]
    calls = batches(updates, MAX_MODELS, key=call_key)
    assert [[u.item_id for u in b] for b in calls] == [[800002, 800002], [800001]]
    refused = [f for batch in calls for f in ProductAdapter(shop).update_stock(batch)]
    assert [(f.model_id, f.reason) for f in refused] == [(900002, "stock below reserved")]
    stocks = {(m["item_id"], m["model_id"]): m["stock"] for m in requests.get(
        sim.base_url + "/_sim/models", timeout=10).json()["models"] if m["shop_id"] == DEMO_SHOP_ID}
    assert stocks[(800002, 900001)] == 7 and stocks[(800001, 0)] == 4 and stocks[(800002, 900002)] == 5


def test_429_is_retried_and_a_ship_order_500_is_uncertain(shop, sim):
    sim_post(sim, "/_sim/faults", {"429": 2})
    assert OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock()).order_sns == []
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    sim_post(sim, "/_sim/faults", {"500": 1})
    with pytest.raises(ShopeeUncertainError):
        LogisticsAdapter(shop).ship_order({"order_sn": order_sn, "dropoff": {}})


def test_ship_then_tracking_number_once_shopee_has_one(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800002, 900001, 2]]})["order_sn"]
    logistics = LogisticsAdapter(shop)
    body = ship_order_body(order_sn, logistics.shipping_parameter(order_sn))
    assert set(body) == {"order_sn", "pickup"}, "pickup is the default method"
    logistics.ship_order(body)
    assert logistics.tracking_number(order_sn) == ""
    assert logistics.tracking_number(order_sn).startswith("TH")


def test_map_order_lines_per_model_and_amounts(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800002, 900001, 2], [800001, 0, 1]]})["order_sn"]
    mapped = map_order(OrderAdapter(shop).order_details([order_sn])[0])
    assert mapped.currency == "THB" and not mapped.cancelled and not mapped.unpaid
    assert [(line.external_sku, line.quantity) for line in mapped.lines] == [("FURN_8900", 2.0), ("FURN_0269", 1.0)]
    assert [line.external_line_id for line in mapped.lines] == [
        str(item["line_item_id"]) for item in OrderAdapter(shop).order_details([order_sn])[0]["item_list"]]
    assert mapped.values["amount_untaxed"] == 2 * 450 + 1290
    assert mapped.values["amount_total"] == 2 * 450 + 1290 + 40
    assert mapped.values["ship_country_code"] == "TH"
    assert isinstance(mapped.values["order_date"], datetime) and mapped.values["order_date"].tzinfo is None


def test_parse_push_refuses_what_is_not_a_push():
    push = parse_push(b'{"shop_id": 10001, "code": 3, "timestamp": 1, '
                      b'"data": {"ordersn": "SN1", "status": "READY_TO_SHIP"}}')
    assert (push.code, push.shop_id, push.order_sn, push.status) == (3, 10001, "SN1", "READY_TO_SHIP")
    for body in (b"not json", b"[]", b'{"code": "3"}', b'{"code": 3, "shop_id": "x"}'):
        with pytest.raises(ValueError):
            parse_push(body)


def test_a_wrong_partner_key_is_not_taken_for_an_expired_token(shop, sim):
    """error_sign (our key is wrong) must not spend the refresh token nor ask for a new authorization."""
    wrong = ShopeeConfig(shop.client.config.partner_id, "not-the-key", base_url=sim.base_url, timeout=10)
    shop.client.config = wrong
    before = shop.store.load()
    with pytest.raises(ShopeeRequestError) as raised:
        OrderAdapter(shop).order_page(shop.client.clock() - 60, shop.client.clock())
    assert raised.value.error == "error_sign" and not isinstance(raised.value, ShopeeAuthError)
    assert shop.store.load() == before and shop.store.saved == 0


def test_close_releases_the_connections_of_the_session_the_client_made(shop):
    client = shop.client
    with client:
        now = int(client.clock())
        OrderAdapter(shop).order_page(now - 86400, now, cursor="", page_size=2)
        assert len(client.session.get_adapter(client.config.host).poolmanager.pools) == 1
    assert len(client.session.get_adapter(client.config.host).poolmanager.pools) == 0
