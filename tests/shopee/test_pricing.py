"""Whole-currency prices: what each Shopee region accepts, and the simulator refusing the rest."""
import pytest
from shopee_api import ShopeeRequestError
from shopee_api.pricing import price_decimals, region_of_currency, shopee_price
from shopee_api.products import ModelUpdate, ProductAdapter, price_body

from .conftest import sim_get


@pytest.mark.parametrize("region", ["SG", "MY", "BR", "MX", "PL", "ES", "AR"])
def test_decimal_regions_keep_two_decimals_half_up(region):
    assert price_decimals(region) == 2
    assert shopee_price(199.5, region) == 199.5
    assert shopee_price(0.125, region) == 0.13
    assert shopee_price(10, region) == 10.0


@pytest.mark.parametrize("region", ["TH", "VN", "ID", "PH", "TW", "CO", "CL"])
def test_other_regions_take_whole_amounts_half_up(region):
    assert price_decimals(region) == 0
    assert shopee_price(199.5, region) == 200 and isinstance(shopee_price(199.5, region), int)
    assert shopee_price(199.49, region) == 199
    assert shopee_price(2.5, region) == 3, "half up, not Python's round half to even"


def test_unknown_region_is_refused_and_currencies_name_their_region():
    with pytest.raises(ValueError):
        shopee_price(10, "US")
    assert (region_of_currency("THB"), region_of_currency("EUR"), region_of_currency("USD")) == ("TH", "ES", None)


def test_an_integer_price_is_sent_as_a_json_integer():
    body = price_body([ModelUpdate(None, "", item_id=800001, model_id=0, value=shopee_price(1290.4, "TH"))])
    assert body["price_list"] == [{"model_id": 0, "original_price": 1290}]


def test_the_simulator_refuses_a_decimal_price_in_th_and_takes_an_integer(shop, sim):
    with pytest.raises(ShopeeRequestError) as refused:
        ProductAdapter(shop).update_price([ModelUpdate(None, "", item_id=800001, model_id=0, value=199.5)])
    assert refused.value.error == "error_param" and not refused.value.retryable
    assert ProductAdapter(shop).update_price([ModelUpdate(None, "", item_id=800001, model_id=0, value=200)]) == []
    prices = {(m["item_id"], m["model_id"]): m["price"] for m in sim_get(sim, "/_sim/models")["models"]
              if m["shop_id"] == shop.shop_id}
    assert prices[(800001, 0)] == 200
