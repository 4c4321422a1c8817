"""Which prices a Shopee region accepts (docs/shopee-api.md, "Price").

Shopee's API reference on every price field: "For SG/MY/BR/MX/PL/ES/AR seller: Sellers can set the price
with two decimal place, other regions can only set the price as an integer". A THB, VND, IDR, PHP, TWD,
COP or CLP price is therefore rounded to a whole amount before it is sent, and that rounded amount is what
the shop shows: it is the value remembered as pushed, so the next push compares against it.
"""
from decimal import ROUND_HALF_UP, Decimal

DECIMAL_REGIONS = frozenset({"SG", "MY", "BR", "MX", "PL", "ES", "AR"})
# Shopee regions and their currencies (a shop sells in its region's currency only)
REGION_CURRENCIES = {
    "SG": "SGD", "MY": "MYR", "TH": "THB", "VN": "VND", "ID": "IDR", "PH": "PHP", "TW": "TWD",
    "BR": "BRL", "MX": "MXN", "CO": "COP", "CL": "CLP", "PL": "PLN", "ES": "EUR", "AR": "ARS",
}
CURRENCY_REGIONS = {currency: region for region, currency in REGION_CURRENCIES.items()}


def price_decimals(region):
    """Decimals Shopee accepts in ``region``'s prices: 2 in SG/MY/BR/MX/PL/ES/AR, else none."""
    if region not in REGION_CURRENCIES:
        raise ValueError(f"unknown Shopee region {region!r}")
    return 2 if region in DECIMAL_REGIONS else 0


def shopee_price(value, region):
    """``value`` as Shopee takes it in ``region``: an int (half up) in whole-currency regions, else a float
    of 2 decimals (half up, not Python's banker's rounding: 199.5 THB is 200, 0.125 SGD is 0.13)."""
    decimals = price_decimals(region)
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def region_of_currency(currency_code):
    """The Shopee region selling in ``currency_code`` (None for a currency no Shopee region uses)."""
    return CURRENCY_REGIONS.get(currency_code)
