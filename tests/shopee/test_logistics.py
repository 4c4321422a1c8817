"""Shipping on Shopee: what ship_order sends (a pure decision), and the simulator refusing what Shopee refuses."""
import pytest
import requests
from shopee_api import ShopeeRequestError
from shopee_api.logistics import (
    LogisticsAdapter,
    ShipDecisionError,
    ShipSettings,
    document_entry,
    packages_of,
    packages_to_arrange,
    ship_order_body,
)

from marketplace_simulators.shopee_sim.seed import DEMO_SHOP_ID

from .conftest import sim_post

ADDRESSES = [{"address_id": 1, "address_flag": ["return_address"],
              "time_slot_list": [{"date": 1, "pickup_time_id": "9"}]},
             {"address_id": 2, "address_flag": ["default_address", "pickup_address"], "time_slot_list": [
                 {"date": 100, "pickup_time_id": "100"},
                 {"date": 200, "pickup_time_id": "200", "flags": ["recommended"]},
                 {"date": 300, "pickup_time_id": "300"}]}]
BOTH = {"info_needed": {"dropoff": [], "pickup": ["address_id", "pickup_time_id"]}, "dropoff": {"branch_list": None},
        "pickup": {"address_list": ADDRESSES}}
BRANCHES = {"branch_list": [{"branch_id": 7001}, {"branch_id": 7002}]}


def dropoff_offer(*fields):
    return {"info_needed": {"dropoff": list(fields)}, "dropoff": BRANCHES}


def test_pickup_by_default_at_the_pickup_address_and_its_recommended_slot():
    assert ship_order_body("SN", BOTH) == {"order_sn": "SN", "pickup": {"address_id": 2, "pickup_time_id": "200"}}


def test_the_earliest_slot_when_none_is_recommended():
    offer = {"info_needed": {"pickup": ["address_id", "pickup_time_id"]}, "pickup": {"address_list": [
        {"address_id": 5, "address_flag": [], "time_slot_list": [{"date": 300, "pickup_time_id": "300"},
                                                                 {"date": 100, "pickup_time_id": "100"}]}]}}
    assert ship_order_body("SN", offer)["pickup"] == {"address_id": 5, "pickup_time_id": "100"}


def test_pickup_without_a_time_slot_is_arranged_without_one():
    offer = {"info_needed": {"pickup": ["address_id", "pickup_time_id"]},
             "pickup": {"address_list": [{"address_id": 5, "address_flag": ["pickup_address"], "time_slot_list": []}]}}
    assert ship_order_body("SN", offer) == {"order_sn": "SN", "pickup": {"address_id": 5}}
    only_address = {"info_needed": {"pickup": ["address_id"]}, "pickup": offer["pickup"]}
    assert ship_order_body("SN", only_address) == {"order_sn": "SN", "pickup": {"address_id": 5}}
    assert ship_order_body("SN", {"info_needed": {"pickup": []}}) == {"order_sn": "SN", "pickup": {}}


def test_a_pickup_without_any_address_is_a_clear_error():
    with pytest.raises(ShipDecisionError) as error:
        ship_order_body("SN", {"info_needed": {"pickup": ["address_id", "pickup_time_id"]}, "pickup": {}})
    assert error.value.code == "no_pickup_address"


def test_the_shop_chooses_drop_off_and_an_order_offering_one_method_gets_it():
    assert ship_order_body("SN", BOTH, ShipSettings(method="dropoff")) == {"order_sn": "SN", "dropoff": {}}
    pickup_only = {"info_needed": {"pickup": ["address_id", "pickup_time_id"]}, "pickup": {"address_list": ADDRESSES}}
    assert set(ship_order_body("SN", pickup_only, ShipSettings(method="dropoff"))) == {"order_sn", "pickup"}
    assert ship_order_body("SN", dropoff_offer(), ShipSettings()) == {"order_sn": "SN", "dropoff": {}}


def test_drop_off_sends_every_field_info_needed_asks_for():
    settings = ShipSettings(method="dropoff", branch_id=7002, sender_real_name="Somsak Jaidee")
    body = ship_order_body("SN", dropoff_offer("branch_id", "sender_real_name"), settings)
    assert body == {"order_sn": "SN", "dropoff": {"branch_id": 7002, "sender_real_name": "Somsak Jaidee"}}
    body = ship_order_body("SN", dropoff_offer("tracking_no"), settings, tracking_number="KER123")
    assert body == {"order_sn": "SN", "dropoff": {"tracking_number": "KER123"}}


def test_drop_off_with_name_or_tracking_number_sends_one_of_them():
    """Carriers 80003/80004 list both; Shopee takes one (JOB shipping: the name; regular: the number)."""
    both = dropoff_offer("sender_real_name", "tracking_no")
    named = ShipSettings(sender_real_name="Somsak Jaidee")
    assert ship_order_body("SN", both, named, "KER1")["dropoff"] == {"sender_real_name": "Somsak Jaidee"}
    assert ship_order_body("SN", both, ShipSettings(), "KER1")["dropoff"] == {"tracking_number": "KER1"}


@pytest.mark.parametrize(("fields", "settings", "tracking", "code"), [
    (["branch_id"], ShipSettings(), "", "no_branch"),
    (["branch_id"], ShipSettings(branch_id=9999), "", "no_branch"),
    (["sender_real_name"], ShipSettings(branch_id=7001), "", "no_sender_real_name"),
    (["tracking_no"], ShipSettings(), "", "no_tracking_number"),
    (["slug"], ShipSettings(), "", "unsupported_field"),
])
def test_a_drop_off_field_the_shop_cannot_fill_is_a_clear_error(fields, settings, tracking, code):
    with pytest.raises(ShipDecisionError) as error:
        ship_order_body("SN", dropoff_offer(*fields), settings, tracking)
    assert error.value.code == code


def test_non_integrated_sends_the_delivery_tracking_number():
    own = {"info_needed": {"non_integrated": ["tracking_no"]}}
    assert ship_order_body("SN", own, tracking_number="TRK1") == {"order_sn": "SN",
                                                                  "non_integrated": {"tracking_number": "TRK1"}}
    with pytest.raises(ShipDecisionError) as error:
        ship_order_body("SN", own)
    assert error.value.code == "no_tracking_number"
    with pytest.raises(ShipDecisionError) as error:
        ship_order_body("SN", {"info_needed": {}})
    assert error.value.code == "no_method"


def test_a_split_parcel_names_its_package():
    body = ship_order_body("SN", BOTH, package_number="PKG2")
    assert body == {"order_sn": "SN", "package_number": "PKG2", "pickup": {"address_id": 2, "pickup_time_id": "200"}}
    assert document_entry("SN", None, tracking_number="T") == {"order_sn": "SN", "tracking_number": "T"}
    assert document_entry("SN", "PKG2") == {"order_sn": "SN", "package_number": "PKG2"}


def test_packages_of_a_split_order_and_those_still_to_arrange():
    one = {"order_status": "READY_TO_SHIP", "package_list": [{"package_number": "P", "logistics_status":
                                                              "LOGISTICS_READY"}]}
    assert packages_of(one) == [None], "an order in one package is shipped without a package_number"
    assert packages_to_arrange(one) == [None]
    assert packages_to_arrange({"order_status": "PROCESSED", "package_list": [
        {"package_number": "P", "logistics_status": "LOGISTICS_REQUEST_CREATED"}]}) == []
    assert packages_to_arrange({"order_status": "READY_TO_SHIP"}) == [None]
    split = {"order_status": "READY_TO_SHIP", "package_list": [
        {"package_number": "P1", "logistics_status": "LOGISTICS_REQUEST_CREATED"},
        {"package_number": "P2", "logistics_status": "LOGISTICS_READY"}]}
    assert packages_of(split) == ["P1", "P2"]
    assert packages_to_arrange(split) == ["P2"]


# -- the simulator refuses what Shopee refuses -------------------------------------------------

def test_sim_refuses_a_drop_off_missing_a_field_info_needed_asks_for(shop, sim):
    sim_post(sim, "/_sim/logistics", {"shop_id": DEMO_SHOP_ID, "profile": "dropoff_fields"})
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    logistics = LogisticsAdapter(shop)
    parameter = logistics.shipping_parameter(order_sn)
    assert parameter["info_needed"] == {"dropoff": ["branch_id", "sender_real_name"]}
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order({"order_sn": order_sn, "dropoff": {}})
    assert error.value.error == "logistics.error_param"
    with pytest.raises(ShopeeRequestError):
        logistics.ship_order({"order_sn": order_sn, "dropoff": {"branch_id": 1, "sender_real_name": "A"}})
    logistics.ship_order(ship_order_body(order_sn, parameter, ShipSettings(branch_id=7001, sender_real_name="A")))
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order({"order_sn": order_sn, "dropoff": {"branch_id": 7001, "sender_real_name": "A"}})
    assert error.value.error == "logistics.package_already_shipped"


def test_sim_pickup_needs_an_offered_slot_unless_none_is_offered(shop, sim):
    logistics = LogisticsAdapter(shop)
    sim_post(sim, "/_sim/logistics", {"shop_id": DEMO_SHOP_ID, "profile": "pickup_slots"})
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order({"order_sn": order_sn, "pickup": {"address_id": 2826}})
    assert error.value.error == "logistics.ship_order_need_address_pickup_time"
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order({"order_sn": order_sn, "pickup": {"address_id": 2826, "pickup_time_id": "1"}})
    assert error.value.error == "logistics.ship_order_pickup_time_invalid"
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order({"order_sn": order_sn, "dropoff": {}})
    assert error.value.error == "logistics.error_param", "a pickup-only shop offers no drop-off"
    sim_post(sim, "/_sim/logistics", {"shop_id": DEMO_SHOP_ID, "profile": "pickup_no_slots"})
    assert logistics.shipping_parameter(order_sn)["pickup"]["address_list"][0]["time_slot_list"] == []
    logistics.ship_order({"order_sn": order_sn, "pickup": {"address_id": 2826}})


def test_sim_split_order_ships_by_package_and_prints_a_pdf_per_package(shop, sim):
    logistics = LogisticsAdapter(shop)
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1], [800003, 0, 1]],
                                              "packages": [[0], [1]]})["order_sn"]
    first, second = f"PKG{order_sn}-1", f"PKG{order_sn}-2"
    with pytest.raises(ShopeeRequestError) as error:
        logistics.shipping_parameter(order_sn)
    assert error.value.error == "logistics.package_number_not_exist"
    body = ship_order_body(order_sn, logistics.shipping_parameter(order_sn, first))
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order(body)
    assert error.value.error == "logistics.ship_order_need_pacakge_number"
    sim_post(sim, "/_sim/faults", {"tracking_polls": 0})
    logistics.ship_order(dict(body, package_number=first))
    second_parameter = logistics.shipping_parameter(order_sn, second)
    logistics.ship_order(ship_order_body(order_sn, second_parameter, package_number=second))
    tracking = logistics.tracking_number(order_sn, first)
    assert logistics.tracking_number(order_sn, second) not in ("", tracking)
    entry = document_entry(order_sn, first)
    [parameter] = logistics.document_parameters([entry])
    document_type = parameter["suggest_shipping_document_type"]
    typed = dict(entry, shipping_document_type=document_type)
    with pytest.raises(ShopeeRequestError) as error:
        logistics.download_document(document_type, [entry])
    assert error.value.error == "logistics.shipping_document_should_print_first"
    [refused] = logistics.create_documents([dict(typed, tracking_number="WRONG")])
    assert refused["fail_error"] == "logistics.tracking_number_invalid"
    [created] = logistics.create_documents([dict(typed, tracking_number=tracking)])
    assert "fail_error" not in created
    assert [result["status"] for result in logistics.document_results([typed])] == ["PROCESSING"]
    assert [result["status"] for result in logistics.document_results([typed])] == ["READY"]
    pdf = logistics.download_document(document_type, [entry])
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert tracking.encode() in pdf


def test_sim_unsplit_order_refuses_a_package_number(shop, sim):
    order_sn = sim_post(sim, "/_sim/orders", {"lines": [[800001, 0, 1]]})["order_sn"]
    logistics = LogisticsAdapter(shop)
    body = ship_order_body(order_sn, logistics.shipping_parameter(order_sn), package_number=f"PKG{order_sn}")
    with pytest.raises(ShopeeRequestError) as error:
        logistics.ship_order(body)
    assert error.value.error == "logistics.ship_order_not_need_pacakge_number"
    shipments = requests.get(sim.base_url + "/_sim/shipments", timeout=10).json()["shipments"]
    assert shipments == []
