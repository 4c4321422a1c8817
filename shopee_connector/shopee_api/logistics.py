"""Shipping: get_shipping_parameter, ship_order (pickup, drop-off or non-integrated), get_tracking_number."""
SHIPPING_PARAMETER_PATH = "/api/v2/logistics/get_shipping_parameter"
SHIP_ORDER_PATH = "/api/v2/logistics/ship_order"
TRACKING_NUMBER_PATH = "/api/v2/logistics/get_tracking_number"

PICKUP, DROPOFF, NON_INTEGRATED = "pickup", "dropoff", "non_integrated"


def ship_order_body(order_sn, parameter, tracking_number=None, prefer=(DROPOFF, PICKUP, NON_INTEGRATED)):
    """The ship_order request for what the order needs (``info_needed`` of get_shipping_parameter).

    Drop-off first (no address or time to choose), then pickup at the default pickup address and its
    first time slot, then non-integrated (a carrier Shopee does not book: our own tracking number).
    Raises ValueError when the order offers none of them that can be filled.
    """
    info = parameter.get("info_needed") or {}
    for method in prefer:
        if method not in info:
            continue
        if method == DROPOFF:
            return {"order_sn": order_sn, DROPOFF: {}}
        if method == PICKUP:
            pickup = _pickup(parameter.get("pickup") or {})
            if pickup:
                return {"order_sn": order_sn, PICKUP: pickup}
        if method == NON_INTEGRATED and tracking_number:
            return {"order_sn": order_sn, NON_INTEGRATED: {"tracking_number": tracking_number}}
    raise ValueError(f"order {order_sn}: no shipping method can be arranged from {sorted(info)}")


def _pickup(pickup):
    addresses = pickup.get("address_list") or []
    chosen = next((a for a in addresses if "pickup_address" in (a.get("address_flag") or ())), None) \
        or (addresses[0] if addresses else None)
    slots = (chosen or {}).get("time_slot_list") or []
    if not chosen or not slots:
        return None
    return {"address_id": chosen["address_id"], "pickup_time_id": str(slots[0]["pickup_time_id"])}


class LogisticsAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def shipping_parameter(self, order_sn):
        return self.shop.call("GET", SHIPPING_PARAMETER_PATH, params={"order_sn": order_sn},
                              family="logistics.read")

    def ship_order(self, body):
        """Arrange the shipment: a POST that is not repeated blindly (see client.py)."""
        return self.shop.call("POST", SHIP_ORDER_PATH, body=body, family="logistics.write")

    def tracking_number(self, order_sn):
        """The tracking number, or "" while Shopee has none yet."""
        response = self.shop.call("GET", TRACKING_NUMBER_PATH, params={"order_sn": order_sn},
                                  family="logistics.read")
        return response.get("tracking_number") or ""
