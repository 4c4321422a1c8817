from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError

from ..shopee_api.logistics import (
    DOCUMENT_FAILED,
    DOCUMENT_READY,
    NON_INTEGRATED,
    LogisticsAdapter,
    ShipDecisionError,
    document_entry,
    packages_of,
    packages_to_arrange,
    ship_order_body,
)
from ..shopee_api.orders import OrderAdapter
from .base import ShopeeJobService

READY_TO_SHIP = "READY_TO_SHIP"
# after ship_order, an order moves on: these say its shipment is arranged already
ARRANGED = ("PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "RETRY_SHIP")


class ShopeeDeliveryService(ShopeeJobService):
    """A job about the delivery of a Shopee order (payload ``{"picking_id": id}``)."""

    def _picking(self):
        picking_id = self.run.payload.get("picking_id")
        if not isinstance(picking_id, int):
            raise JobPayloadError(
                _('Payload: "picking_id" (the delivery to ship) is required, e.g. {"picking_id": 7}.'))
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking or self._order(picking).shop_id != self.shop:
            raise UserError(_("Delivery %(id)s is not one of a Shopee order of %(shop)s.", id=picking_id,
                              shop=self.shop.sudo().name))
        return picking

    @staticmethod
    def _order(picking):
        """The marketplace order of the delivery, also for a warehouse clerk (who cannot read sale orders) whose
        validation of the delivery queued the job."""
        return picking.sudo().sale_id.marketplace_order_id

    def _order_detail(self, order_sn):
        details = OrderAdapter(self.session).order_details([order_sn])
        if not details:
            raise UserError(_("Shopee does not know order %s.", order_sn))
        return details[0]


class ShippingExporter(ShopeeDeliveryService):
    """``ship_order`` (payload ``{"picking_id": id}``): arrange the shipment on Shopee, bring its tracking
    number onto the delivery, then queue the airway bill (``print_shipping_document``).

    get_shipping_parameter says what each package needs (pickup, drop-off or a non-integrated carrier
    with our tracking number); ship_order_body decides what to send from it and the shop's settings; a
    split order is shipped package by package. get_tracking_number is asked until Shopee has a number for
    every package: while it has none the job pauses (no worker held) and asks again later. ship_order is
    sent at most once per package: the order's packages are read from Shopee first, so a retry after an
    unanswered ship_order finds the package arranged and goes on.
    """

    def execute(self):
        picking = self._picking()
        order_sn = self._order(picking).external_order_id
        state = dict(self.run.continuation)
        if "packages" not in state:
            detail = self._order_detail(order_sn)
            if not picking.shopee_shipment_arranged:
                self._arrange(picking, order_sn, detail)
            state = {"packages": packages_of(detail), "polls": 0}
            self.run.checkpoint(state)
        logistics = LogisticsAdapter(self.session)
        numbers = [logistics.tracking_number(order_sn, package) for package in state["packages"]]
        if not all(numbers):
            self._wait_for_tracking(picking, dict(state, polls=state["polls"] + 1))
        tracking = ",".join(numbers)
        if picking.carrier_tracking_ref != tracking:
            picking.carrier_tracking_ref = tracking
        self.run.progress(total=1, fetched=1, stored=1)
        self.run.log(_("%(picking)s: Shopee order %(order)s shipped, tracking number %(tracking)s.",
                       picking=picking.name, order=order_sn, tracking=tracking))
        if picking.shopee_ship_method != NON_INTEGRATED:  # Shopee prints no airway bill for our own carrier
            # a follow-up of this run: run as its user
            picking._shopee_enqueue_print([{"package_number": package or "", "tracking_number": number}
                                           for package, number in zip(state["packages"], numbers, strict=True)],
                                          user=self.env.user)

    def _arrange(self, picking, order_sn, detail):
        status = detail.get("order_status")
        pending = packages_to_arrange(detail) if status in (READY_TO_SHIP, *ARRANGED) else None
        if pending is None:
            raise UserError(_("Shopee order %(order)s cannot be shipped: its status on Shopee is %(status)s.",
                              order=order_sn, status=status or _("unknown")))
        if not pending:
            self.run.log(_("Shopee order %(order)s is %(status)s: its shipment is arranged already.",
                           order=order_sn, status=status))
        for package in pending:
            picking.shopee_ship_method = self._ship_package(picking, order_sn, package)
            self.run.checkpoint()  # a package arranged stays arranged, whatever happens to the next one
        picking.shopee_shipment_arranged = True

    def _ship_package(self, picking, order_sn, package):
        logistics = LogisticsAdapter(self.session)
        try:
            body = ship_order_body(order_sn, logistics.shipping_parameter(order_sn, package),
                                   self.shop._shopee_ship_settings(), picking.carrier_tracking_ref or "", package)
        except ShipDecisionError as exc:
            raise UserError(_("Shopee order %(order)s cannot be shipped (%(code)s): %(error)s.", order=order_sn,
                              code=exc.code, error=exc)) from exc
        logistics.ship_order(body)
        method = next(key for key in body if key not in ("order_sn", "package_number"))
        self.run.log(_("Shopee order %(order)s%(package)s: shipment arranged (%(method)s: %(fields)s).",
                       order=order_sn, package=_(", package %s", package) if package else "", method=method,
                       fields=", ".join("%s=%s" % item for item in sorted(body[method].items())) or "-"))
        return method

    def _wait_for_tracking(self, picking, state):
        get = self.env["ir.config_parameter"].sudo().get_param
        max_polls = int(get("shopee_connector.tracking_max_polls", 240))
        if state["polls"] > max_polls:
            raise UserError(_("Shopee gave no tracking number for %(picking)s after %(polls)s tries: check the "
                              "order in Seller Centre, then Requeue this job.", picking=picking.name, polls=max_polls))
        self.run.log(_("No tracking number from Shopee yet for %(picking)s (try %(n)s): asking again later.",
                       picking=picking.name, n=state["polls"]))
        self.run.pause(int(get("shopee_connector.tracking_poll_seconds", 60)), state)


class ShippingDocumentPrinter(ShopeeDeliveryService):
    """``print_shipping_document`` (payload ``{"picking_id": id, "packages"?: [{"package_number",
    "tracking_number"}]}``): Shopee's airway bill of each package, attached to the delivery.

    Shopee prints in four calls: get_shipping_document_parameter (the suggested document type),
    create_shipping_document (a printing task, which needs the tracking number), get_shipping_document_result
    (asked until READY: the job pauses meanwhile) and download_shipping_document (the file). Without
    ``packages`` (the delivery's button) the packages and their tracking numbers are read from Shopee.
    """

    def execute(self):
        picking = self._picking()
        order_sn = self._order(picking).external_order_id
        state = dict(self.run.continuation)
        if "documents" not in state:
            state = {"documents": self._create(order_sn, self._packages(order_sn)), "polls": 0}
            self.run.checkpoint(state)
        logistics = LogisticsAdapter(self.session)
        results = logistics.document_results(state["documents"])
        statuses = [self._status(results, order_sn, document) for document in state["documents"]]
        if set(statuses) != {DOCUMENT_READY}:
            self._wait_for_documents(picking, dict(state, polls=state["polls"] + 1))
        for document in state["documents"]:
            content = logistics.download_document(document["shipping_document_type"],
                                                  [document_entry(order_sn, document.get("package_number"))])
            picking._shopee_attach_airway_bill(order_sn, document.get("package_number"), content)
        self.run.progress(total=len(state["documents"]), fetched=len(statuses), stored=len(statuses))
        self.run.log(_("%(picking)s: %(count)s Shopee airway bill(s) attached.", picking=picking.name,
                       count=len(statuses)))

    def _packages(self, order_sn):
        """[(package number or None, tracking number)]: from the payload, else from Shopee."""
        given = self.run.payload.get("packages")
        if given:
            return [(package.get("package_number") or None, package.get("tracking_number") or "")
                    for package in given]
        logistics = LogisticsAdapter(self.session)
        packages = packages_of(self._order_detail(order_sn))
        return [(package, logistics.tracking_number(order_sn, package)) for package in packages]

    def _create(self, order_sn, packages):
        """Start printing every package in Shopee's suggested document type; the entries to poll."""
        if not all(tracking for _package, tracking in packages):
            raise UserError(_("Shopee order %s has no tracking number yet: the airway bill is printed once it "
                              "has one (Ship on Shopee first).", order_sn))
        logistics = LogisticsAdapter(self.session)
        parameters = logistics.document_parameters([document_entry(order_sn, package) for package, _n in packages])
        documents = [document_entry(order_sn, package, shipping_document_type=self._checked(
            _result_of(parameters, order_sn, package), order_sn)["suggest_shipping_document_type"])
            for package, _number in packages]
        numbers = [number for _package, number in packages]
        created = logistics.create_documents([dict(document, tracking_number=number)
                                              for document, number in zip(documents, numbers, strict=True)])
        for document in documents:
            self._checked(_result_of(created, order_sn, document.get("package_number")), order_sn)
        return documents

    def _status(self, results, order_sn, document):
        result = self._checked(_result_of(results, order_sn, document.get("package_number")), order_sn)
        if result.get("status") == DOCUMENT_FAILED:
            raise UserError(_("Shopee failed to print the airway bill of order %s: print it in Seller Centre, or "
                              "Requeue this job.", order_sn))
        return result.get("status")

    @staticmethod
    def _checked(result, order_sn):
        if result is None or result.get("fail_error"):
            result = result or {}
            raise UserError(_("Shopee cannot print the airway bill of order %(order)s: %(error)s %(message)s",
                              order=order_sn, error=result.get("fail_error") or _("no answer for it"),
                              message=result.get("fail_message") or ""))
        return result

    def _wait_for_documents(self, picking, state):
        get = self.env["ir.config_parameter"].sudo().get_param
        max_polls = int(get("shopee_connector.document_max_polls", 60))
        if state["polls"] > max_polls:
            raise UserError(_("Shopee's airway bill of %(picking)s was not ready after %(polls)s tries: Requeue "
                              "this job later.", picking=picking.name, polls=max_polls))
        self.run.pause(int(get("shopee_connector.document_poll_seconds", 5)), state)


def _result_of(results, order_sn, package_number):
    """The element of a result_list about ``order_sn`` (and its package, for a split order)."""
    return next((result for result in results if result.get("order_sn") == order_sn
                 and (not package_number or result.get("package_number") == package_number)), None)
