"""A toy order (JSON) as the values of marketplace_base's orders."""
from dataclasses import dataclass


class MappingError(ValueError):
    """An order the connector cannot read: it is left out with the reason, the others go through."""


@dataclass(frozen=True)
class ToyOrder:
    """One order, ready for ``marketplace.order._import_settled``: its values (but the currency), its lines."""

    values: dict
    lines: tuple
    currency: str
    cancelled: bool


def map_order(raw):
    try:
        buyer = raw["buyer"]
        lines = tuple({"external_line_id": line["id"], "external_sku": line["sku"],
                       "quantity": int(line["quantity"]), "price_unit": float(line["price"])}
                      for line in raw["lines"])
        total = float(raw["total"])
        values = {
            "external_order_id": raw["id"], "external_status": raw["status"],
            "buyer_username": buyer["username"], "buyer_name": buyer["name"], "ship_name": buyer["name"],
            "ship_street": buyer["street"], "ship_city": buyer["city"], "ship_zip": buyer["zip"],
            "ship_country_code": buyer["country"], "amount_untaxed": total, "amount_total": total,
        }
        return ToyOrder(values=values, lines=lines, currency=raw["currency"], cancelled=raw["status"] == "cancelled")
    except (KeyError, TypeError, ValueError) as exc:
        raise MappingError("order %s: %r missing or malformed" % (raw.get("id", "?"), exc)) from exc
