from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Fields a Marketplace User writes himself (the choice of a reason); everything else comes from the marketplace
# or from the answer flows, which write as superuser after their guards.
USER_FIELDS = frozenset({"seller_reason", "reject_reason"})
OPEN_STATES = ("requested", "approved")


class MarketplaceCancellation(models.Model):
    """A cancellation of a marketplace order: a buyer's request waiting for the seller's answer, or the seller's
    own cancellation sent from Odoo, with the marketplace's id, reason, state and the seller's deadline.

    Platform-neutral: the connectors fill it from the marketplace (``_sync_from_marketplace``) and run its
    answers (job types ``answer_cancellation`` and ``request_cancellation``, payload ``{"cancellation_id"}``),
    then report the outcome with ``_answered`` / ``_requested``."""

    _name = "marketplace.cancellation"
    _description = "Marketplace Cancellation"
    _inherit = ["marketplace.after.sale"]
    _order = "response_due_at asc, id desc"
    _external_id_field = "external_cancel_id"
    _payload_key = "cancellation_id"
    _user_fields = USER_FIELDS
    _waiting_depends = ("state", "requester", "answer")

    name = fields.Char(compute="_compute_name", store=True)
    external_cancel_id = fields.Char(string="Marketplace Cancellation ID", readonly=True, copy=False)
    requester = fields.Selection([("buyer", "Buyer"), ("seller", "Seller")], required=True, default="seller",
                                 readonly=True)
    reason = fields.Char(string="Marketplace Reason", readonly=True,
                         help="The reason as the marketplace gives it (its code or the buyer's words).")
    seller_reason = fields.Selection(
        [("out_of_stock", "Out of stock / cannot fulfil"), ("buyer_asked", "Buyer asked to cancel"),
         ("address_issue", "Problem with the delivery address"), ("unpaid", "Buyer has not paid"),
         ("undeliverable_area", "Area not deliverable")],
        help="The seller's own reason; each marketplace accepts some of them (eBay: all but the area; "
             "Shopee: out of stock, area not deliverable).")
    reject_reason = fields.Selection(
        selection="_selection_reject_reason",
        help="Why the seller rejects the buyer's request. A shipped order sends its shipment date and tracking "
             "number where the marketplace takes them.")
    state = fields.Selection(
        [("draft", "Draft"), ("requested", "Requested"), ("approved", "Approved"), ("rejected", "Rejected"),
         ("completed", "Completed"), ("closed", "Closed")],
        default="draft", required=True, readonly=True, index=True, tracking=True, copy=False,
        help="Requested: waiting for an answer. Approved: accepted, the marketplace finishes it (refund). "
             "Completed: the order is cancelled. Rejected / Closed: the order stands.")
    answer = fields.Selection([("approve", "Approve"), ("reject", "Reject"), ("request", "Cancel order")],
                              readonly=True, copy=False, tracking=True,
                              help="What the seller sent (or is sending) to the marketplace.")
    refund_amount = fields.Monetary(readonly=True)
    credit_note_ids = fields.One2many("account.move", "marketplace_cancellation_id", string="Credit Notes",
                                      readonly=True, help="The draft credit notes that book the refund.")

    _sql_constraints = [
        ("shop_cancel_uniq", "UNIQUE(shop_id, external_cancel_id)",
         "This marketplace cancellation is already recorded in this shop."),
    ]

    @api.model
    def _selection_reject_reason(self):
        """Reasons to reject; connectors add the platform's own."""
        return [("shipped", "Already shipped"), ("seller_declined", "Seller declines")]

    @api.depends("order_id.name", "external_cancel_id")
    def _compute_name(self):
        for cancellation in self:
            cancellation.name = "%s / %s" % (cancellation.order_id.name or "",
                                             cancellation.external_cancel_id or _("new"))

    def _waits_for_answer(self):
        return self.state == "requested" and self.requester == "buyer" and not self.answer

    def _user_may_create(self, vals):
        """A Marketplace User prepares his own cancellation of an order (a draft with its reason)."""
        return not set(vals) - USER_FIELDS - {"order_id", "requester"} and vals.get("requester", "seller") == "seller"

    # -- the seller's buttons ------------------------------------------------
    def action_approve(self):
        """Approve the buyer's request: the marketplace is told by a job; the order is cancelled once it agrees."""
        return self._answer("approve")

    def action_reject(self):
        """Reject the buyer's request with the chosen reason (the order then stands)."""
        return self._answer("reject", ("reject_reason", lambda names: self.env._("Choose a reason to reject %s.",
                                                                                   names)))

    def action_send_request(self):
        """Send the seller's own cancellation (with its reason) to the marketplace."""
        self._check_can_answer()
        for cancellation in self:
            if cancellation.requester != "seller":
                raise UserError(_("%s is the buyer's request: approve or reject it.", cancellation.name))
            if cancellation.state != "draft" or cancellation.answer:
                raise UserError(_("%s was sent already.", cancellation.name))
            if not cancellation.seller_reason:
                raise UserError(_("Choose the reason of your cancellation."))
            cancellation.order_id._check_cancellable_by_seller(exclude=cancellation)
        self._send_answer("request")
        return True

    def _answer_job_type(self, answer):
        return "request_cancellation" if answer == "request" else "answer_cancellation"

    # -- what the connectors report -----------------------------------------
    def _answered(self, answer, state=None, external_state=None):
        """The marketplace accepted the seller's answer; ``state``: the connector's reading of the marketplace
        after it (else approved / rejected as answered)."""
        self.ensure_one()
        new_state = state if state and state != "requested" else ("approved" if answer == "approve" else "rejected")
        self._set_state(new_state, external_state)
        self.message_post(body=_("The marketplace accepted the answer (%s).", new_state))

    def _requested(self, external_cancel_id, state, external_state=None, reason=None):
        """The marketplace took the seller's cancellation as ``external_cancel_id``, now in ``state``."""
        self.ensure_one()
        self.sudo().write({"external_cancel_id": external_cancel_id, "reason": reason or self.reason,
                           "requested_at": self.requested_at or fields.Datetime.now()})
        self._set_state(state, external_state)
        self.message_post(body=_("Cancellation %s sent to the marketplace.", external_cancel_id))

    def _set_state(self, state, external_state=None):
        """Move to ``state``; entering approved or completed (from an open or new request) cancels the order
        once (``_apply_marketplace_cancellation``: a shipped order gets a to-do to start a return instead)."""
        self.ensure_one()
        cancels = state in ("approved", "completed") and self.state not in ("approved", "completed")
        values = {"state": state}
        if external_state:
            values["external_state"] = external_state
        if state not in OPEN_STATES and not self.closed_at:
            values["closed_at"] = fields.Datetime.now()
        self.sudo().write(values)
        if state != "requested":
            self.activity_ids.sudo().action_feedback(feedback=_("The request is %s.", state))
        if cancels:
            self.order_id.sudo()._apply_marketplace_cancellation()

    def _on_new_from_marketplace(self):
        """A buyer's new request: an activity for who answers, due at the deadline; noted on the order."""
        self.ensure_one()
        if self.state == "requested" and self.requester == "buyer":
            self._schedule_seller_activity(
                _("Buyer asks to cancel %s", self.order_id.name),
                _("Approve or reject the buyer's cancellation request before %s.",
                  self.response_due_at or _("the marketplace's deadline")))
        self.order_id.message_post(body=_("Cancellation %(id)s (%(requester)s, %(reason)s): %(state)s.",
                                          id=self.external_cancel_id, requester=self.requester,
                                          reason=self.reason or "-", state=self.state))
