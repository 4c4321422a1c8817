"""What a connector hands to marketplace_base's order import: a mapped order, platform-neutral, no Odoo.

A connector maps each marketplace order once (its JSON -> ``MappedOrder``), routes it to a shop
(``routed``), and hands the base the routed orders: the base stores them (``marketplace.order``) and makes
their sale orders without asking the connector anything more. The values are those of ``marketplace.order``
(``values``) and ``marketplace.order.line`` (``MappedOrderLine``); the currency is an ISO code the base
resolves.
"""
from dataclasses import asdict, dataclass, replace

# Personal data of the buyer on a marketplace order (erased when the buyer asks, never re-imported).
BUYER_FIELDS = ("buyer_username", "buyer_name", "buyer_email", "ship_name", "ship_street", "ship_street2",
                "ship_city", "ship_zip", "ship_state_code", "ship_country_code", "ship_phone", "raw_payload")


@dataclass(frozen=True)
class MappedOrderLine:
    """One line as the marketplace sold it: the values of a ``marketplace.order.line``.

    Amounts are what the buyer paid per unit (``price_unit``), the line's shipping, the tax the seller
    collected (``amount_tax``) and the tax the marketplace collected and remits itself."""

    external_line_id: str
    quantity: float
    price_unit: float
    external_sku: str | bool = False
    external_item_id: str | bool = False
    title: str | bool = False
    amount_shipping: float = 0.0
    amount_tax: float = 0.0
    amount_marketplace_tax: float = 0.0

    def values(self):
        """The line's ``marketplace.order.line`` values."""
        return asdict(self)


@dataclass(frozen=True)
class MappedOrder:
    """One marketplace order, mapped: ``values`` of ``marketplace.order`` (``external_order_id`` required),
    its ``lines`` (``MappedOrderLine``), the ISO ``currency`` code, whether the marketplace ``cancelled`` it or
    it is ``unpaid`` yet, the ``site`` that sold it (for accounts selling on several), the ``refunds`` the
    marketplace reports on it (``marketplace_core.refunds.Refund`` records with their ids: each is booked once as a
    credit note), and once routed by the connector, the ``shop_id`` it is stored in."""

    values: dict
    lines: tuple
    currency: str
    cancelled: bool = False
    unpaid: bool = False
    site: str | None = None
    refunds: tuple = ()
    shop_id: int | None = None

    @property
    def key(self):
        """The marketplace's order number: with the shop, the order's identity."""
        return self.values["external_order_id"]

    @property
    def last_modified(self):
        """When the marketplace last changed the order (naive UTC), None when it did not say."""
        return self.values.get("last_modified_at") or None

    def line_values(self):
        return [line.values() for line in self.lines]

    def routed(self, shop_id, currency=None):
        """This order for the shop ``shop_id`` (and in ``currency`` when the marketplace named none)."""
        return replace(self, shop_id=shop_id, currency=self.currency or currency or "")

    def without_buyer_data(self):
        """This order without the buyer's personal data (the buyer deleted their marketplace account)."""
        return replace(self, values={name: (False if name in BUYER_FIELDS else value)
                                     for name, value in self.values.items()})


def latest_change(orders, latest=None):
    """The latest last-modified time among ``latest`` and ``orders``' (None when none is known)."""
    return max(filter(None, [latest, *(order.last_modified for order in orders)]), default=None)


def order_numbers(text):
    """The marketplace order numbers a person typed (one a line or comma separated), trimmed, each once, in the
    order typed: what an import by number asks the platform for."""
    numbers = (number.strip() for line in (text or "").splitlines() for number in line.split(","))
    return list(dict.fromkeys(number for number in numbers if number))
