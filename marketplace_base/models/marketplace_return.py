from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..marketplace_core.platform import RETURN_LABEL
from .marketplace_order import check_may_refund

# Fields a Marketplace User writes himself (the details of his answer); everything else comes from the
# marketplace or from the answer flows, which write as superuser after their guards.
USER_FIELDS = frozenset({"rma_number", "decline_reason", "offer_amount", "label_attachment_id", "label_carrier",
                         "label_tracking"})
# states in which the buyer's item is (to be) sent back: the return picking exists from then on
ITEM_COMING_STATES = ("approved", "item_shipped", "item_received")
OPEN_STATES = ("requested", "partial_offered", "approved", "item_shipped", "item_received")
# the state an answer the marketplace took leaves when its reading says nothing newer (an accepted buyer's offer:
# none; the marketplace's refund comes with its next report)
ANSWERED_STATES = {"approve": "approved", "decline": "declined", "partial_refund": "partial_offered"}


class MarketplaceReturn(models.Model):
    """A buyer's return request of a marketplace order: the items and quantities, the buyer's reason, comments
    and photos, the marketplace's state and the seller's deadline, the return shipment's tracking.

    Platform-neutral: the connectors fill it from the marketplace (``_sync_from_marketplace``, with ``lines``:
    ``[{"external_item_id", "external_line_id", "quantity"}]``) and run its jobs (``answer_return`` for Approve /
    Decline / Offer partial refund / Accept the buyer's offer, ``mark_return_received`` once the return picking is
    validated, ``refund_return`` once the item is back when the shop refunds returns on receipt; payload
    ``{"return_id"}``), then report with ``_answered``. Refunds are the marketplace's: its refunded amount and the state
    *Refunded* come from the sync (``refund_amount``); the credit note is booked from the refund the marketplace
    reports."""

    _name = "marketplace.return"
    _description = "Marketplace Return"
    _inherit = ["marketplace.after.sale"]
    _order = "response_due_at asc, id desc"
    _external_id_field = "external_return_id"
    _payload_key = "return_id"
    _user_fields = USER_FIELDS
    _waiting_depends = ("state", "answer")

    name = fields.Char(compute="_compute_name", store=True)
    external_return_id = fields.Char(string="Marketplace Return ID", readonly=True, copy=False)
    line_ids = fields.One2many("marketplace.return.line", "return_id", string="Items", readonly=True)
    reason = fields.Char(string="Buyer's Reason", readonly=True,
                         help="The reason as the marketplace gives it (its code).")
    buyer_comments = fields.Text(readonly=True)
    photo_urls = fields.Text(string="Photos", readonly=True, help="The buyer's photos, one address a line.")
    state = fields.Selection(
        [("requested", "Requested"), ("partial_offered", "Partial Refund Offered"), ("approved", "Approved"),
         ("declined", "Declined"), ("item_shipped", "Item Shipped"), ("item_received", "Item Received"),
         ("refunded", "Refunded"), ("closed", "Closed")],
        default="requested", required=True, readonly=True, index=True, tracking=True, copy=False,
        help="Requested: waiting for the seller's answer. Approved: the buyer sends the item back (the return "
             "picking waits for it). Refunded: the marketplace refunded the buyer (Refund Amount).")
    answer = fields.Selection(
        [("approve", "Approve"), ("decline", "Decline"), ("partial_refund", "Offer partial refund"),
         ("accept_offer", "Accept buyer's offer")],
        readonly=True, copy=False, tracking=True, help="What the seller sent (or is sending) to the marketplace.")
    rma_number = fields.Char(string="RMA Number", help="The seller's return authorisation, sent with Approve.")
    decline_reason = fields.Text(help="Why the seller declines; sent to the marketplace with Decline.")
    offer_amount = fields.Monetary(string="Partial Refund Offered",
                                   help="Offer partial refund: the buyer keeps the item and gets this amount.")
    buyer_offer_amount = fields.Monetary(
        string="Buyer's Offer", readonly=True, tracking=True,
        help="The buyer's counter-offer waiting for your answer: he keeps the item and gets this amount if you "
             "accept it (a Marketplace Manager's refund); or approve, decline or offer your own.")
    buyer_offer_due_at = fields.Datetime(string="Buyer's Offer Due", readonly=True,
                                         help="When the buyer's offer expires on the marketplace.")
    item_comes_back = fields.Boolean(
        default=True, readonly=True,
        help="The buyer sends the item back (a return picking waits for it); off for a refund without return.")
    return_label_url = fields.Char(string="Return Label", readonly=True)
    label_attachment_id = fields.Many2one(
        "ir.attachment", string="Your Return Label", domain="[('res_model', '=', 'marketplace.return'), "
                                                            "('res_id', '=', id)]",
        help="A return label you give the buyer (a PDF or image attached to the return), sent to the marketplace "
             "with Send Return Label, or with Approve when chosen before.")
    label_carrier = fields.Char(help="The carrier of your return label.")
    label_tracking = fields.Char(string="Label Tracking Number", help="The tracking number on your return label.")
    label_sent_at = fields.Datetime(readonly=True, copy=False, help="When the marketplace took your return label.")
    label_job_id = fields.Many2one("marketplace.job", readonly=True, copy=False)
    return_carrier = fields.Char(readonly=True)
    return_tracking_number = fields.Char(string="Return Tracking", readonly=True, tracking=True)
    refund_amount = fields.Monetary(readonly=True, help="What the marketplace refunded (or will refund) the buyer.")
    picking_id = fields.Many2one("stock.picking", string="Return Picking", readonly=True, copy=False)
    picking_state = fields.Selection(related="picking_id.state", string="Return Picking Status")
    received_job_id = fields.Many2one("marketplace.job", readonly=True, copy=False)
    refund_job_id = fields.Many2one("marketplace.job", readonly=True, copy=False,
                                    help="The refund sent on receipt (Refund Returns on Receipt, on the shop).")

    _sql_constraints = [
        ("shop_return_uniq", "UNIQUE(shop_id, external_return_id)",
         "This marketplace return is already recorded in this shop."),
    ]

    @api.depends("order_id.name", "external_return_id")
    def _compute_name(self):
        for record in self:
            record.name = "%s / %s" % (record.order_id.name or "", record.external_return_id or "")

    def _waits_for_answer(self):
        return self.state == "requested" and not self.answer

    # -- the seller's buttons ------------------------------------------------
    def action_approve(self):
        """Approve the return (with the RMA number when there is one, and your return label when chosen): the
        buyer sends the item back; the return picking is created once the marketplace agrees, and the label then
        goes to it. Approving a return whose item does not come back refunds the buyer at once (Shopee's
        refund-only return): Marketplace Managers only, as every refund (the answer job checks it again)."""
        refunds = self.filtered(lambda record: not record.item_comes_back)
        if refunds:
            check_may_refund(refunds)
        for record in self.filtered("label_attachment_id"):
            record._check_label()
        return self._answer("approve")

    def action_decline(self):
        """Decline the return, with the seller's reason."""
        return self._answer("decline", ("decline_reason", lambda names: self.env._("Write why you decline %s.",
                                                                                     names)))

    def action_offer_partial_refund(self):
        """Offer the buyer a partial refund: he keeps the item."""
        self._check_can_answer()
        self._check_answerable()
        for record in self:
            if record.currency_id.compare_amounts(record.offer_amount, 0.0) <= 0:
                raise UserError(_("Enter the amount to offer for %s.", record.name))
            if record.currency_id.compare_amounts(record.offer_amount, record.order_id.amount_total) > 0:
                raise UserError(_("%s: a partial refund cannot exceed what the buyer paid.", record.name))
        self._send_answer("partial_refund")
        return True

    def action_accept_buyer_offer(self):
        """Accept the buyer's counter-offer: the marketplace refunds him that amount and he keeps the item. A
        refund: Marketplace Managers only."""
        check_may_refund(self)
        self._check_answerable()
        for record in self:
            if record.currency_id.compare_amounts(record.buyer_offer_amount, 0.0) <= 0:
                raise UserError(_("%s: the buyer has no offer waiting for your answer.", record.name))
        self._send_answer("accept_offer")
        return True

    def _answer_refunds(self):
        """Whether the answer waiting to be sent refunds the buyer: accepting his offer, or approving a return
        whose item does not come back. The job sending it checks ``check_may_refund`` again."""
        self.ensure_one()
        return self.answer == "accept_offer" or (self.answer == "approve" and not self.item_comes_back)

    def _answer_job_type(self, answer):
        return "answer_return"

    def action_send_return_label(self):
        """Send your own return label (and its carrier and tracking number) to the marketplace, once, for an
        approved return the buyer has not sent back yet."""
        self._check_can_answer()
        for record in self:
            if record.state != "approved":
                raise UserError(_("%(name)s is %(state)s: a return label goes with an approved return the buyer "
                                  "has not sent yet.", name=record.name, state=record.state))
            record._check_label()
        self._queue_label()
        return True

    def _check_label(self):
        self.ensure_one()
        if not self.shop_id._platform()._can(RETURN_LABEL):
            raise UserError(_("%s: this marketplace takes no return label from Odoo (it arranges the return "
                              "shipping itself).", self.name))
        if not self.label_attachment_id:
            raise UserError(_("Attach your return label to %s and choose it in Your Return Label.", self.name))
        if self.label_sent_at or self.label_job_id.state in ("pending", "processing"):
            raise UserError(_("%s: your return label is sent (or being sent) already.", self.name))

    def _queue_label(self):
        """Queue ``send_return_label`` for each record (run as the person who asked)."""
        for record in self.sudo():
            job = self.env["marketplace.job"]._enqueue("send_return_label", shop=record.shop_id,
                                                       payload={self._payload_key: record.id}, priority=5,
                                                       user=self.env.user)
            record.write({"label_job_id": job.id})
            record.message_post(body=_("Return label queued for the marketplace by %s.", self.env.user.name))

    def _label_sent(self):
        self.ensure_one()
        self.sudo().write({"label_sent_at": fields.Datetime.now()})
        self.message_post(body=_("The marketplace took your return label (%s).", self.label_attachment_id.name))

    def _label_refused(self, message):
        self.ensure_one()
        self.sudo().write({"label_job_id": False})
        self.message_post(body=_("The marketplace refused your return label: %s", message))

    def action_view_picking(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "stock.picking", "res_id": self.picking_id.id,
                "view_mode": "form"}

    # -- what the connectors report -----------------------------------------
    def _answered(self, state=None, external_state=None):
        """The marketplace accepted the seller's answer; ``state``: the connector's reading of it after."""
        self.ensure_one()
        new_state = state if state and state != "requested" else ANSWERED_STATES.get(self.answer, self.state)
        self._set_state(new_state, external_state)
        self.message_post(body=_("The marketplace accepted the answer (%s).", new_state))
        if new_state == "approved" and self.label_attachment_id and not self.label_sent_at:
            self._queue_label()

    def _set_state(self, state, external_state=None):
        """Move to ``state``; once the item is coming back, the return picking is made (once)."""
        self.ensure_one()
        values = {"state": state}
        if state == "requested" and self.state != "requested":
            values.update(answer=False, answer_job_id=False)   # the buyer refused the offer: answer again
        if external_state:
            values["external_state"] = external_state
        if state not in OPEN_STATES and not self.closed_at:
            values["closed_at"] = fields.Datetime.now()
        self.sudo().write(values)
        if state != "requested":
            self.activity_ids.sudo().action_feedback(feedback=_("The return is %s.", state))
        if state in ITEM_COMING_STATES and self.item_comes_back and not self.picking_id:
            self.sudo()._create_return_picking()

    def _attach_marketplace_files(self, files):
        """Keep the files the marketplace holds for this return (the buyer's photos: ``[{"name", "raw",
        "mimetype"}]``) as its attachments, each once (by content, as Odoo's checksum says): a file read again
        is not added again."""
        self.ensure_one()
        Attachment = self.env["ir.attachment"].sudo()
        known = set(Attachment.search([("res_model", "=", self._name), ("res_id", "=", self.id)]).mapped("checksum"))
        new = [file for file in files if Attachment._compute_checksum(file["raw"]) not in known]
        if not new:
            return Attachment
        attachments = Attachment.create([dict(file, res_model=self._name, res_id=self.id) for file in new])
        self.message_post(body=_("%s file(s) from the marketplace attached (the buyer's photos).", len(new)),
                          attachment_ids=attachments.ids)
        return attachments

    @api.model
    def _create_from_marketplace(self, order, values):
        lines = values.pop("lines", None) or []
        record = super()._create_from_marketplace(order, dict(values, line_ids=[
            Command.create(self.env["marketplace.return.line"]._values_for(order, line)) for line in lines]))
        return record

    def _update_from_marketplace(self, values):
        """The items of a return are the buyer's request: set at its creation, not rewritten. A new offer of the
        buyer is a to-do for who answers; so is the buyer's refusal of the seller's offer (the return back from
        partial_offered to requested with no offer of his own), once: a replay finds it requested already."""
        values = {name: value for name, value in values.items() if name != "lines"}
        amount = values.get("buyer_offer_amount") or 0.0
        new_offer = amount > 0 and not self._same_value("buyer_offer_amount", amount)
        refused = self.state == "partial_offered" and values.get("state") == "requested" and not new_offer
        changed = super()._update_from_marketplace(values)
        if new_offer and self._waits_for_answer():
            self._remind_of_buyer_offer(amount)
        elif refused and self._waits_for_answer():
            self._remind_of_refused_offer()
        return changed

    def _remind_of_refused_offer(self):
        """The to-do of the buyer's refusal of the seller's partial refund: the seller's turn again (the offer
        sent marked the earlier to-do done), due on the marketplace's deadline."""
        self._schedule_seller_activity(
            _("Buyer refused your offer on %s", self.name),
            _("The buyer refused your partial refund offer. Approve, decline or offer another partial refund before "
              "%s.", self.response_due_at or _("the marketplace's deadline")))

    def _remind_of_buyer_offer(self, amount):
        """The to-do of a buyer's counter-offer, due when it expires: a Marketplace Manager may accept it (a
        refund), anyone answering may approve, decline or offer his own."""
        due = self.buyer_offer_due_at or self.response_due_at
        self._schedule_seller_activity(
            _("Buyer offers %(amount)s for %(name)s", amount=format_amount(self.env, amount, self.currency_id),
              name=self.name),
            _("A Marketplace Manager accepts it (Accept Buyer's Offer), or answer with Approve, Decline or your own "
              "offer before %s.", due or _("the marketplace's deadline")), due=due)

    def _on_new_from_marketplace(self):
        """A new request: an activity for who answers, due at the deadline; noted on the order."""
        self.ensure_one()
        if self.state == "requested":
            self._schedule_seller_activity(
                _("Buyer asks to return items of %s", self.order_id.name),
                _("Approve, decline or offer a partial refund before %s.",
                  self.response_due_at or _("the marketplace's deadline")))
        self.order_id.message_post(body=_("Return %(id)s (%(reason)s): %(state)s.", id=self.external_return_id,
                                          reason=self.reason or "-", state=self.state))

    # -- the return picking ---------------------------------------------------
    def _create_return_picking(self):
        """Odoo's own return (``stock.return.picking``) of the order's done delivery, for the returned items
        (all of it when the marketplace named none), into the shop's returns location when it sets one, else
        the warehouse's return destination."""
        self.ensure_one()
        delivery = self.sale_order_id.picking_ids.filtered(
            lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing")[:1]
        if not delivery:
            self.message_post(body=_("No done delivery to return: the return picking is not created."))
            return
        wizard = self.env["stock.return.picking"].with_context(
            active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking").create(
            {"picking_id": delivery.id})
        wanted = self._returned_quantities()
        for line in wizard.product_return_moves:
            line.quantity = min(wanted.get(line.product_id, 0.0), line.move_id.quantity) if wanted \
                else line.move_id.quantity
        picking = wizard._create_return()
        if self.shop_id.return_location_id:
            picking.location_dest_id = self.shop_id.return_location_id
        picking.origin = "%s (%s)" % (picking.origin, self.name)
        picking.marketplace_return_id = self
        self.picking_id = picking
        self.message_post(body=_("Return picking %s created.", picking.name))

    def _returned_quantities(self):
        """{product: quantity} of the returned items, when the marketplace named them."""
        quantities = {}
        for line in self.line_ids.filtered("product_id"):
            quantities[line.product_id] = quantities.get(line.product_id, 0.0) + line.quantity
        return quantities

    def _picking_done(self):
        """The warehouse received the item: tell the marketplace (once, by a job)."""
        for record in self.sudo().filtered(lambda r: r.state in ("approved", "item_shipped") and not r.received_job_id):
            job = self.env["marketplace.job"].sudo()._enqueue("mark_return_received", shop=record.shop_id,
                                                              payload={"return_id": record.id}, priority=5)
            record.received_job_id = job
            record.message_post(body=_("Item received in %s: the marketplace is told.", record.picking_id.name))

    def _received(self, state, external_state=None):
        """The marketplace recorded the item as received."""
        self.ensure_one()
        self._set_state(state, external_state)
        self.message_post(body=_("The marketplace recorded the item as received."))

    def _received_refused(self, message):
        """The marketplace refused to record the item as received (a manager may requeue the job)."""
        self.ensure_one()
        self.message_post(body=_("The marketplace refused to record the item as received: %s", message))

    # -- the refund on receipt (the shop's Refund Returns on Receipt) ------------
    def _refund_on_receipt(self):
        """The item is back in the warehouse and the marketplace knows: when the shop refunds returns on receipt,
        queue the return's refund once (``refund_return``), run as the Marketplace Manager who turned that on;
        the connector calls this when its marketplace takes the refund."""
        for record in self.sudo().filtered(
                lambda r: r.shop_id.refund_returns_on_receipt and not r.refund_job_id
                and r.state in ITEM_COMING_STATES and r.picking_id.state == "done"):
            job = self.env["marketplace.job"]._enqueue("refund_return", shop=record.shop_id,
                                                       payload={"return_id": record.id}, priority=5,
                                                       user=record.shop_id.return_refund_user_id)
            record.refund_job_id = job
            record.message_post(body=_("Item back: the refund is sent to the marketplace as the shop is set "
                                       "(run as %s).", job.user_id.name))

    def _refund_refused(self, message):
        """The marketplace refused the refund (a manager may refund from the order or requeue the job)."""
        self.ensure_one()
        self.message_post(body=_("The marketplace refused the refund: %s", message))
