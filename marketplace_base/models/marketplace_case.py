from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..marketplace_core.refunds import AMOUNT, RefundError, requested_refund, to_decimal
from .marketplace_order import check_may_refund

# Fields a Marketplace User writes himself (the comment sent with his answer); everything else comes from the
# marketplace or from the answer flow, which writes as superuser after its guards.
USER_FIELDS = frozenset({"seller_comment"})
OPEN_STATES = ("waiting_seller", "waiting_buyer", "under_review")


class MarketplaceCase(models.Model):
    """A buyer's claim on a marketplace order beyond a return request: an **item-not-received inquiry** (the buyer
    says the item never came) or a **case** (an inquiry or a return the buyer escalated to the marketplace, which
    decides). One model for both: they share the line of the order they are about, the claimed amount, the
    marketplace's deadline and the states below; only what the seller may answer differs (``kind``).

    Platform-neutral: the connectors fill it from the marketplace (``_sync_from_marketplace``, keyed by
    ``external_key``: inquiries and cases are numbered apart) and run its answer (job type ``answer_case``, payload
    ``{"case_id"}``): for an inquiry **Provide Shipment Info** (the order's delivery tracking; Marketplace Users)
    or **Refund** (a full refund of the claimed line; Marketplace Managers); then report with ``_answered`` or
    ``_answer_refused``. Cases are read only: the seller answers them on the marketplace (``marketplace_url``)."""

    _name = "marketplace.case"
    _description = "Marketplace Inquiry or Case"
    _inherit = ["marketplace.after.sale"]
    _order = "response_due_at asc, id desc"
    _external_id_field = "external_key"
    _payload_key = "case_id"
    _user_fields = USER_FIELDS
    _waiting_depends = ("state", "answer", "kind")

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(
        [("inquiry", "Item Not Received Inquiry"), ("case", "Case")], required=True, readonly=True,
        default="inquiry", index=True,
        help="Inquiry: the buyer says the item never arrived; answer with the shipment's tracking or a refund. "
             "Case: the buyer escalated an inquiry or a return; the marketplace decides, the seller answers there.")
    external_key = fields.Char(readonly=True, copy=False, index=True,
                               help="The marketplace's id with its kind (inquiries and cases are numbered apart).")
    external_case_id = fields.Char(string="Marketplace ID", readonly=True, copy=False)
    case_type = fields.Selection([("not_received", "Item not received"), ("return", "Return")],
                                 string="Escalated From", readonly=True)
    external_item_id = fields.Char(string="Marketplace Item ID", readonly=True)
    external_line_id = fields.Char(string="Marketplace Line ID", readonly=True)
    claim_amount = fields.Monetary(string="Claimed Amount", readonly=True,
                                   help="What the buyer would get back: the line's value as the marketplace says.")
    state = fields.Selection(
        [("waiting_seller", "Waiting for the seller"), ("waiting_buyer", "Waiting for the buyer"),
         ("under_review", "Under review"), ("escalated", "Escalated to a case"), ("closed", "Closed")],
        default="waiting_seller", required=True, readonly=True, index=True, tracking=True, copy=False,
        help="Waiting for the seller: answer before the deadline (an inquiry from Odoo, a case on the marketplace). "
             "Escalated: the buyer opened a case (listed as its own record). Closed: see the chatter.")
    answer = fields.Selection([("shipment_info", "Provide shipment info"), ("refund", "Refund the buyer")],
                              readonly=True, copy=False, tracking=True,
                              help="What the seller sent (or is sending) to the marketplace.")
    seller_comment = fields.Text(help="Sent to the buyer with the shipment info or the refund.")
    shipment_picking_id = fields.Many2one("stock.picking", string="Delivery Sent", readonly=True, copy=False,
                                          help="The delivery whose tracking was given to the marketplace.")
    shipment_tracking_number = fields.Char(string="Tracking Sent", readonly=True, copy=False)
    marketplace_url = fields.Char(string="On the Marketplace", readonly=True,
                                  help="The marketplace's page of this case, where the seller answers it.")

    _sql_constraints = [
        ("shop_case_uniq", "UNIQUE(shop_id, external_key)",
         "This marketplace inquiry or case is already recorded in this shop."),
    ]

    @api.depends("order_id.name", "external_case_id", "kind")
    def _compute_name(self):
        for record in self:
            record.name = "%s / %s %s" % (record.order_id.name or "", _("Case") if record.kind == "case"
                                          else _("Inquiry"), record.external_case_id or "")

    def _waits_for_answer(self):
        """An inquiry waits for the seller until he answered from Odoo; a case until the marketplace says the
        seller's turn is over (he answers it on the marketplace)."""
        return self.state == "waiting_seller" and not self.answer

    # -- the seller's buttons ------------------------------------------------
    def action_provide_shipment_info(self):
        """Give the marketplace the tracking of the order's done delivery (the buyer sees the item is on its way)."""
        self._check_inquiry()
        self._check_can_answer()
        self._check_answerable()
        pickings = {record: record._shipped_delivery() for record in self}
        for record, picking in pickings.items():
            if not picking:
                raise UserError(_("%s: no done delivery with a tracking reference on its sale order; validate the "
                                  "delivery with its tracking first, or refund the buyer.", record.name))
        for record, picking in pickings.items():
            record._send_answer("shipment_info", {"shipment_picking_id": picking.id,
                                                  "shipment_tracking_number": picking.carrier_tracking_ref})
        return True

    def action_refund(self):
        """Refund the buyer in full for the claimed line (Marketplace Managers): the marketplace refunds and its
        refund is booked as a credit note of the order when the order is read again."""
        self._check_inquiry()
        check_may_refund(self)
        self._check_can_answer()
        self._check_answerable()
        for record in self:
            record._check_refundable()
        self._send_answer("refund")
        return True

    def _check_inquiry(self):
        cases = self.filtered(lambda record: record.kind != "inquiry")
        if cases:
            raise UserError(_("%s: a case is answered on the marketplace, not from Odoo.",
                              ", ".join(cases.mapped("name"))))

    def _shipped_delivery(self):
        """The order's last done delivery with a tracking reference (what the buyer was sent)."""
        self.ensure_one()
        return self.sudo().sale_order_id.picking_ids.filtered(
            lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing"
            and picking.carrier_tracking_ref).sorted("date_done")[-1:]

    def _check_refundable(self):
        """The claimed amount must fit in what the buyer paid less what was refunded (the refund arithmetic's own
        check, as for a refund issued from the order)."""
        order = self.sudo().order_id
        if not order.sale_order_id:
            raise UserError(_("%s has no sale order yet: a refund is booked on it.", order.name))
        pending = order._pending_refund_amount(exclude_case=self)
        try:
            requested_refund(order._refund_figures(), order._booked_credit_lines(), AMOUNT,
                             amount=to_decimal(self.claim_amount or order.amount_total), pending=pending)
        except RefundError as exc:
            raise UserError(_("%(name)s cannot be refunded: %(reason)s.", name=self.name, reason=exc)) from None

    def _answer_job_type(self, answer):
        return "answer_case"

    def action_open_marketplace(self):
        self.ensure_one()
        if not self.marketplace_url:
            raise UserError(_("The marketplace gave no address for %s: open it from its Seller Hub.", self.name))
        return {"type": "ir.actions.act_url", "url": self.marketplace_url, "target": "new"}

    # -- what the connectors report -----------------------------------------
    def _answered(self, state=None, external_state=None):
        """The marketplace took the seller's answer; ``state``: the connector's reading of it after."""
        self.ensure_one()
        label = dict(self._fields["answer"]._description_selection(self.env))[self.answer]
        self._set_state(state or self.state, external_state)
        self.message_post(body=_("The marketplace took the answer: %(answer)s (now %(state)s).", answer=label,
                                 state=self.state))

    def _set_state(self, state, external_state=None):
        """Move to ``state``; the seller's activity is done once it is no longer his turn."""
        self.ensure_one()
        values = {"state": state}
        turn_back = state == "waiting_seller" and self.state != "waiting_seller"
        if turn_back and self.kind == "inquiry":
            values.update(answer=False, answer_job_id=False)   # the buyer answered back: the seller's turn again
        if external_state:
            values["external_state"] = external_state
        if state not in OPEN_STATES and not self.closed_at:
            values["closed_at"] = fields.Datetime.now()
        self.sudo().write(values)
        if state != "waiting_seller":
            self.activity_ids.sudo().action_feedback(feedback=_("The %(kind)s is %(state)s.", kind=self.kind,
                                                                state=state))
        elif turn_back and not self.activity_ids:
            self._remind_seller()

    @api.model
    def _create_from_marketplace(self, order, values):
        """Created in the marketplace's state (an inquiry may arrive closed or escalated already)."""
        if values["state"] not in OPEN_STATES:
            values = dict(values, closed_at=fields.Datetime.now())
        return self.create(dict(values, order_id=order.id))

    def _on_new_from_marketplace(self):
        """A new inquiry or case: an activity for who answers when it waits for the seller; noted on the order."""
        self.ensure_one()
        if self.state == "waiting_seller":
            self._remind_seller()
        self.order_id.message_post(body=_("%(name)s: %(state)s.", name=self.name, state=self.state))

    def _remind_seller(self):
        """An activity for who answers (the order's salesperson, else the shop's Responsible), due on the deadline."""
        if self.kind == "inquiry":
            summary = _("Buyer says the item of %s did not arrive", self.order_id.name)
            note = _("Give the shipment's tracking or refund the buyer before %s.",
                     self.response_due_at or _("the marketplace's deadline"))
        else:
            summary = _("The buyer opened a case on %s", self.order_id.name)
            note = _("Answer it on the marketplace before %s.", self.response_due_at or _("its deadline"))
        self._schedule_seller_activity(summary, note)
