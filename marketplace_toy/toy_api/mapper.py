"""A toy order (JSON) as the base's ``MappedOrder`` (marketplace_core/orders.py)."""
try:
    from ...marketplace_base.marketplace_core.orders import MappedOrder, MappedOrderLine
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.orders import MappedOrder, MappedOrderLine


class MappingError(ValueError):
    """An order the connector cannot read: it is left out with the reason, the others go through."""


def map_order(raw):
    """One toy order -> MappedOrder; MappingError when a part is missing or malformed."""
    try:
        buyer = raw["buyer"]
        lines = tuple(MappedOrderLine(external_line_id=line["id"], external_sku=line["sku"],
                                      quantity=int(line["quantity"]), price_unit=float(line["price"]))
                      for line in raw["lines"])
        total = float(raw["total"])
        values = {
            "external_order_id": raw["id"], "external_status": raw["status"],
            "buyer_username": buyer["username"], "buyer_name": buyer["name"], "ship_name": buyer["name"],
            "ship_street": buyer["street"], "ship_city": buyer["city"], "ship_zip": buyer["zip"],
            "ship_country_code": buyer["country"], "amount_untaxed": total, "amount_total": total,
        }
        return MappedOrder(values, lines, raw["currency"], cancelled=raw["status"] == "cancelled")
    except (KeyError, TypeError, ValueError) as exc:
        raise MappingError("order %s: %r missing or malformed" % (raw.get("id", "?"), exc)) from exc
