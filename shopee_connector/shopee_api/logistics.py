"""Shipping: get_shipping_parameter, ship_order (pickup, drop-off or non-integrated), get_tracking_number, and
the airway bill (get_shipping_document_parameter, create_shipping_document, get_shipping_document_result,
download_shipping_document). docs/shopee-api.md says what each was checked against."""
from dataclasses import dataclass

SHIPPING_PARAMETER_PATH = "/api/v2/logistics/get_shipping_parameter"
SHIP_ORDER_PATH = "/api/v2/logistics/ship_order"
TRACKING_NUMBER_PATH = "/api/v2/logistics/get_tracking_number"
DOCUMENT_PARAMETER_PATH = "/api/v2/logistics/get_shipping_document_parameter"
CREATE_DOCUMENT_PATH = "/api/v2/logistics/create_shipping_document"
DOCUMENT_RESULT_PATH = "/api/v2/logistics/get_shipping_document_result"
DOWNLOAD_DOCUMENT_PATH = "/api/v2/logistics/download_shipping_document"

PICKUP, DROPOFF, NON_INTEGRATED = "pickup", "dropoff", "non_integrated"
INTEGRATED = (PICKUP, DROPOFF)
# a package Shopee still waits to see arranged (get_order_detail's package_list[].logistics_status)
LOGISTICS_READY = "LOGISTICS_READY"
RECOMMENDED = "recommended"  # time_slot_list[].flags: the slot Shopee suggests
# info_needed names the carrier's tracking number "tracking_no" (sometimes "tracking_number");
# ship_order takes it as "tracking_number"
TRACKING_FIELDS = ("tracking_no", "tracking_number")
DOCUMENT_READY, DOCUMENT_FAILED = "READY", "FAILED"


@dataclass(frozen=True)
class ShipSettings:
    """What the shop chose for its shipments: the method it prefers when an order offers both pickup
    and drop-off, and what some carriers ask at drop-off (the branch, the sender's real name)."""

    method: str = PICKUP
    branch_id: int = 0
    sender_real_name: str = ""


class ShipDecisionError(ValueError):
    """ship_order cannot be filled in: ``code`` says what is missing (see ``ship_order_body``)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def ship_order_body(order_sn, parameter, settings=None, tracking_number="", package_number=None):
    """The ship_order request for one order (or one package of a split order), from get_shipping_parameter's
    answer, the shop's settings and the delivery's own tracking number.

    The method: the shop's (pickup by default) when the order offers it, else the other integrated one it
    offers, else non-integrated. Every field ``info_needed`` lists for that method is sent; a field the
    method does not list is not. Raises ShipDecisionError with one of these codes when a listed field
    cannot be filled: ``no_method`` (info_needed offers nothing known), ``no_pickup_address``,
    ``no_branch`` (the shop has no branch, or not one Shopee offers), ``no_sender_real_name``,
    ``no_tracking_number`` (the delivery has none), ``unsupported_field`` (e.g. a TW ``slug``).
    """
    settings = settings or ShipSettings()
    info = parameter.get("info_needed") or {}
    method = next((m for m in _method_order(settings.method) if m in info), None)
    if method is None:
        raise ShipDecisionError("no_method", f"order {order_sn}: Shopee offers no shipping method we know "
                                             f"({', '.join(sorted(info)) or 'none'})")
    fill = {PICKUP: _pickup, DROPOFF: _dropoff, NON_INTEGRATED: _non_integrated}[method]
    body = {"order_sn": order_sn}
    if package_number:
        body["package_number"] = package_number
    body[method] = fill(list(info[method] or ()), parameter.get(method) or {}, settings, tracking_number or "")
    return body


def _method_order(preferred):
    others = [method for method in INTEGRATED if method != preferred]
    return [preferred, *others, NON_INTEGRATED] if preferred in INTEGRATED else [*INTEGRATED, NON_INTEGRATED]


def _pickup(needed, offer, _settings, tracking_number):
    """The pickup address (flagged pickup_address, else default_address, else the first) and its recommended
    time slot (else the earliest). An address without slots is arranged without one: Shopee then picks the
    time itself."""
    pickup = {}
    address = _pickup_address(offer.get("address_list") or [])
    if "address_id" in needed:
        if address is None:
            raise ShipDecisionError("no_pickup_address", "Shopee offers no pickup address: add one in Seller Centre")
        pickup["address_id"] = address["address_id"]
    slot = _time_slot((address or {}).get("time_slot_list") or [])
    if "pickup_time_id" in needed and slot is not None:
        pickup["pickup_time_id"] = str(slot["pickup_time_id"])
    _fill_tracking(pickup, needed, tracking_number)
    _refuse_unknown(needed, {"address_id", "pickup_time_id", *TRACKING_FIELDS})
    return pickup


def _pickup_address(addresses):
    for flag in ("pickup_address", "default_address"):
        address = next((a for a in addresses if flag in (a.get("address_flag") or ())), None)
        if address:
            return address
    return addresses[0] if addresses else None


def _time_slot(slots):
    recommended = [slot for slot in slots if RECOMMENDED in (slot.get("flags") or ())]
    return min(recommended or slots, key=lambda slot: slot.get("date") or 0) if slots else None


def _dropoff(needed, offer, settings, tracking_number):
    """The shop's branch (one Shopee offers), and the sender's real name or the carrier's tracking number.

    For some carriers info_needed lists both the name and the tracking number, of which only one may be
    sent (JOB or regular shipping): the name when the shop has one, else the tracking number."""
    dropoff = {}
    if "branch_id" in needed:
        dropoff["branch_id"] = _branch(offer.get("branch_list") or [], settings.branch_id)
    asks_tracking = any(field in needed for field in TRACKING_FIELDS)
    if "sender_real_name" in needed and (settings.sender_real_name or not (asks_tracking and tracking_number)):
        if not settings.sender_real_name:
            raise ShipDecisionError("no_sender_real_name", "the carrier asks for the sender's real name: set "
                                                           "it on the shop")
        dropoff["sender_real_name"] = settings.sender_real_name
    elif asks_tracking:
        _fill_tracking(dropoff, needed, tracking_number)
    _refuse_unknown(needed, {"branch_id", "sender_real_name", *TRACKING_FIELDS})
    return dropoff


def _branch(branches, branch_id):
    offered = [branch.get("branch_id") for branch in branches]
    if not branch_id or (offered and branch_id not in offered):
        listed = ", ".join(str(branch) for branch in offered) or "none listed"
        raise ShipDecisionError("no_branch", f"the carrier asks for a drop-off branch: set one Shopee offers on "
                                             f"the shop ({listed})")
    return branch_id


def _non_integrated(needed, _offer, _settings, tracking_number):
    """Our own carrier: its tracking number, which Shopee shows the buyer. Required here even where
    info_needed does not list it: the flow reads it back from Shopee as it does for integrated carriers."""
    non_integrated = {}
    _fill_tracking(non_integrated, TRACKING_FIELDS, tracking_number)
    _refuse_unknown(needed, set(TRACKING_FIELDS))
    return non_integrated


def _fill_tracking(target, needed, tracking_number):
    if any(field in needed for field in TRACKING_FIELDS):
        if not tracking_number:
            raise ShipDecisionError("no_tracking_number", "the carrier's tracking number is needed: enter it on "
                                                          "the delivery")
        target["tracking_number"] = tracking_number


def _refuse_unknown(needed, known):
    unknown = sorted(set(needed) - known)
    if unknown:
        raise ShipDecisionError("unsupported_field", f"Shopee asks for {', '.join(unknown)}, which the connector "
                                                     f"cannot fill: arrange this shipment in Seller Centre")


def packages_of(detail):
    """The package numbers to name in logistics calls: one per package of a split order; ``[None]`` for an
    order in one package (Shopee refuses a package_number for an order that is not split)."""
    numbers = [package.get("package_number") for package in detail.get("package_list") or ()]
    return numbers if len(numbers) > 1 else [None]


def packages_to_arrange(detail):
    """The packages (as ``packages_of``) whose shipment is still to arrange: those Shopee has as
    LOGISTICS_READY; an order in one package without a logistics status goes by its READY_TO_SHIP."""
    packages = detail.get("package_list") or []
    if len(packages) > 1:
        return [p.get("package_number") for p in packages if p.get("logistics_status") == LOGISTICS_READY]
    status = packages[0].get("logistics_status") if packages else None
    ready = status == LOGISTICS_READY if status else detail.get("order_status") == "READY_TO_SHIP"
    return [None] if ready else []


def document_entry(order_sn, package_number=None, **fields):
    """One element of a shipping document call's ``order_list`` (no package_number when there is none)."""
    entry = {"order_sn": order_sn}
    if package_number:
        entry["package_number"] = package_number
    entry.update(fields)
    return entry


class LogisticsAdapter:
    def __init__(self, shop_session):
        self.shop = shop_session

    def shipping_parameter(self, order_sn, package_number=None):
        params = {"order_sn": order_sn}
        if package_number:
            params["package_number"] = package_number
        return self.shop.call("GET", SHIPPING_PARAMETER_PATH, params=params, family="logistics.read")

    def ship_order(self, body):
        """Arrange the shipment: a POST that is not repeated blindly (see client.py)."""
        return self.shop.call("POST", SHIP_ORDER_PATH, body=body, family="logistics.write")

    def tracking_number(self, order_sn, package_number=None):
        """The tracking number, or "" while Shopee has none yet."""
        params = {"order_sn": order_sn}
        if package_number:
            params["package_number"] = package_number
        response = self.shop.call("GET", TRACKING_NUMBER_PATH, params=params, family="logistics.read")
        return response.get("tracking_number") or ""

    # -- airway bill -----------------------------------------------------------------
    def document_parameters(self, entries):
        """result_list: per package, ``suggest_shipping_document_type`` (or ``fail_error``/``fail_message``)."""
        return self._documents(DOCUMENT_PARAMETER_PATH, entries, "logistics.read")

    def create_documents(self, entries):
        """Start printing (entries carry ``tracking_number`` and ``shipping_document_type``); result_list."""
        return self._documents(CREATE_DOCUMENT_PATH, entries, "logistics.write")

    def document_results(self, entries):
        """result_list: per package, ``status`` READY, PROCESSING or FAILED."""
        return self._documents(DOCUMENT_RESULT_PATH, entries, "logistics.read")

    def download_document(self, document_type, entries):
        """The file of READY documents (bytes: a PDF mostly; HTML or a ZIP for some channels and printers)."""
        return self.shop.call("POST", DOWNLOAD_DOCUMENT_PATH, family="logistics.read", idempotent=True,
                              body={"shipping_document_type": document_type, "order_list": entries})

    def _documents(self, path, entries, family):
        response = self.shop.call("POST", path, body={"order_list": entries}, family=family, idempotent=True)
        return response.get("result_list") or []
