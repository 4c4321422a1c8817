from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..marketplace_core.errors import JobPayloadError

# Fields a Marketplace User writes himself (the choice of a reason); everything else comes from the marketplace
# or from the answer flows, which write as superuser after their guards.
USER_FIELDS = {"seller_reason", "reject_reason"}
DUE_SOON_HOURS = 48
OPEN_STATES = ("requested", "approved")


class MarketplaceCancellation(models.Model):
    """A cancellation of a marketplace order: a buyer's request waiting for the seller's answer, or the seller's
    own cancellation sent from Odoo, with the marketplace's id, reason, state and the seller's deadline.

    Platform-neutral: the connectors fill it from the marketplace (``_sync_from_marketplace``) and run its
    answers (job types ``answer_cancellation`` and ``request_cancellation``, payload ``{"cancellation_id"}``),
    then report the outcome with ``_answered`` / ``_requested``."""

    _name = "marketplace.cancellation"
    _description = "Marketplace Cancellation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "response_due_at asc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one("marketplace.order", string="Marketplace Order", required=True, ondelete="cascade",
                               index=True)
    shop_id = fields.Many2one(related="order_id.shop_id", store=True, index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    platform = fields.Selection(related="order_id.platform", store=True)
    sale_order_id = fields.Many2one(related="order_id.sale_order_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
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
    external_state = fields.Char(string="Marketplace Status", readonly=True)
    answer = fields.Selection([("approve", "Approve"), ("reject", "Reject"), ("request", "Cancel order")],
                              readonly=True, copy=False, tracking=True,
                              help="What the seller sent (or is sending) to the marketplace.")
    answer_job_id = fields.Many2one("marketplace.job", readonly=True, copy=False)
    answered_by_id = fields.Many2one("res.users", string="Answered by", readonly=True, copy=False)
    answered_at = fields.Datetime(readonly=True, copy=False)
    requested_at = fields.Datetime(readonly=True)
    response_due_at = fields.Datetime(string="Respond By", readonly=True, index=True,
                                      help="The seller's deadline to answer the buyer's request.")
    closed_at = fields.Datetime(readonly=True)
    refund_amount = fields.Monetary(readonly=True)
    credit_note_ids = fields.One2many("account.move", "marketplace_cancellation_id", string="Credit Notes",
                                      readonly=True, help="The draft credit notes that book the refund.")
    responsible_user_id = fields.Many2one("res.users", string="Responsible", readonly=True, index=True,
                                          help="Who answers: the order's salesperson, else the shop's Responsible.")
    waiting_for_seller = fields.Boolean(compute="_compute_waiting_for_seller", store=True, index=True)
    deadline_status = fields.Selection(
        [("overdue", "Overdue"), ("due_soon", "Due within 48 h"), ("later", "Later")],
        compute="_compute_deadline_status", search="_search_deadline_status")

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

    @api.depends("state", "requester", "answer")
    def _compute_waiting_for_seller(self):
        for cancellation in self:
            cancellation.waiting_for_seller = cancellation._waits_for_answer()

    def _waits_for_answer(self):
        return self.state == "requested" and self.requester == "buyer" and not self.answer

    @api.depends("waiting_for_seller", "response_due_at")
    def _compute_deadline_status(self):
        now = fields.Datetime.now()
        for cancellation in self:
            due = cancellation.response_due_at
            if not (cancellation.waiting_for_seller and due):
                cancellation.deadline_status = False
            elif due < now:
                cancellation.deadline_status = "overdue"
            elif due <= now + timedelta(hours=DUE_SOON_HOURS):
                cancellation.deadline_status = "due_soon"
            else:
                cancellation.deadline_status = "later"

    @api.model
    def _deadline_domain(self, status):
        """The requests waiting for the seller whose deadline is ``status`` (now, in UTC)."""
        now = fields.Datetime.now()
        soon = now + timedelta(hours=DUE_SOON_HOURS)
        waiting = [("waiting_for_seller", "=", True), ("response_due_at", "!=", False)]
        return waiting + {"overdue": [("response_due_at", "<", now)],
                          "due_soon": [("response_due_at", ">=", now), ("response_due_at", "<=", soon)],
                          "later": [("response_due_at", ">", soon)]}[status]

    def _search_deadline_status(self, operator, value):
        if operator != "=" or value not in ("overdue", "due_soon", "later"):
            raise UserError(_("Search deadlines by one of their statuses."))
        return self._deadline_domain(value)

    # -- guards --------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self._writes_everything():
            for vals in vals_list:
                if set(vals) - USER_FIELDS - {"order_id", "requester"} or vals.get("requester", "seller") != "seller":
                    raise AccessError(_("Only the marketplace records cancellations; you may prepare your own "
                                        "cancellation of an order."))
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - USER_FIELDS and not self._writes_everything():
            raise AccessError(_("What the marketplace says about a cancellation is not changed by hand."))
        return super().write(vals)

    def _writes_everything(self):
        return self.env.su or self.env.user.has_group("marketplace_base.group_marketplace_manager")

    def _check_can_answer(self):
        """Marketplace Users and Managers of the cancellation's company answer; nobody else (a salesperson
        without marketplace rights, another company) does, whatever the screen shows."""
        if not self.env.user.has_group("marketplace_base.group_marketplace_user"):
            raise AccessError(_("Only Marketplace Users answer marketplace cancellations."))
        self.check_access("write")

    def _check_answerable(self):
        for cancellation in self:
            if not cancellation._waits_for_answer():
                raise UserError(_("%(name)s is not waiting for your answer (state: %(state)s).",
                                  name=cancellation.name, state=cancellation.state))

    # -- the seller's buttons ------------------------------------------------
    def action_approve(self):
        """Approve the buyer's request: the marketplace is told by a job; the order is cancelled once it agrees."""
        self._check_can_answer()
        self._check_answerable()
        self._send_answer("approve")
        return True

    def action_reject(self):
        """Reject the buyer's request with the chosen reason (the order then stands)."""
        self._check_can_answer()
        self._check_answerable()
        missing = self.filtered(lambda cancellation: not cancellation.reject_reason)
        if missing:
            raise UserError(_("Choose a reason to reject %s.", ", ".join(missing.mapped("name"))))
        self._send_answer("reject")
        return True

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

    def _send_answer(self, answer):
        """Note who answered what and queue the job that tells the marketplace (one per cancellation)."""
        job_type = "request_cancellation" if answer == "request" else "answer_cancellation"
        for cancellation in self.sudo():
            job = self.env["marketplace.job"]._enqueue(job_type, shop=cancellation.shop_id,
                                                       payload={"cancellation_id": cancellation.id},
                                                       priority=5, user=self.env.user)
            cancellation.write({"answer": answer, "answered_by_id": self.env.uid, "answered_at": fields.Datetime.now(),
                                "answer_job_id": job.id})
            label = dict(self._fields["answer"]._description_selection(self.env))[answer]
            cancellation.activity_ids.action_feedback(feedback=_("Answer sent: %s", label))
            cancellation.message_post(body=_("%(answer)s queued for the marketplace by %(user)s.",
                                             answer=label, user=self.env.user.name))

    # -- what the connectors report -----------------------------------------
    @api.model
    def _of_job_payload(self, payload):
        """The cancellation an answer job names (``{"cancellation_id": <id>}``), or a clear payload error."""
        cancellation_id = payload.get("cancellation_id")
        cancellation = self.browse(cancellation_id if isinstance(cancellation_id, int) else []).exists()
        if not cancellation:
            raise JobPayloadError(_('The payload must name a cancellation: {"cancellation_id": <id>} (got %s).',
                                    cancellation_id))
        return cancellation

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

    def _answer_refused(self, message):
        """The marketplace refused the answer: the seller may answer again (or the request closed meanwhile)."""
        self.ensure_one()
        self.sudo().write({"answer": False, "answer_job_id": False})
        self.message_post(body=_("The marketplace refused the answer: %s", message))

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

    @api.model
    def _sync_from_marketplace(self, shop, records):
        """Create or update the cancellations the marketplace reports for ``shop``: ``records`` are dicts with
        external_cancel_id, external_order_id, requester, reason, state, external_state, requested_at,
        response_due_at, closed_at, refund_amount. Replays change nothing ("no change = no write"); a new
        buyer's request gets an activity due at its deadline; a cancellation that becomes completed cancels
        the order (once). Returns {"new": n, "updated": n, "unchanged": n, "unknown_order": [ids]}."""
        counts = {"new": 0, "updated": 0, "unchanged": 0, "unknown_order": []}
        if not records:
            return counts
        Cancellation = self.sudo().with_context(mail_create_nolog=True)
        known = {cancellation.external_cancel_id: cancellation for cancellation in Cancellation.search(
            [("shop_id", "=", shop.id), ("external_cancel_id", "in", [r["external_cancel_id"] for r in records])])}
        orders = {order.external_order_id: order for order in self.env["marketplace.order"].sudo().search(
            [("shop_id", "=", shop.id), ("external_order_id", "in", [r["external_order_id"] for r in records])])}
        for record in records:
            values = {key: value for key, value in record.items() if key != "external_order_id"}
            cancellation = known.get(record["external_cancel_id"])
            if cancellation:
                counts["updated" if cancellation._update_from_marketplace(values) else "unchanged"] += 1
                continue
            order = orders.get(record["external_order_id"])
            if not order:
                counts["unknown_order"].append(record["external_order_id"])
                continue
            state = values.pop("state")
            cancellation = Cancellation.create(dict(values, order_id=order.id, state="requested"))
            cancellation._set_state(state)
            known[cancellation.external_cancel_id] = cancellation
            cancellation._on_new_from_marketplace()
            counts["new"] += 1
        return counts

    def _update_from_marketplace(self, values):
        self.ensure_one()
        changes = {name: value for name, value in values.items() if not self._same_value(name, value)}
        if not changes:
            return False
        state = changes.pop("state", None)
        if changes:
            self.sudo().write(changes)
        if state:
            self._set_state(state)
            self.message_post(body=_("The marketplace says: %(state)s (%(external)s).", state=state,
                                     external=self.external_state or ""))
        return True

    def _same_value(self, name, value):
        current = self[name]
        if self._fields[name].type == "monetary":
            return self.currency_id.compare_amounts(current or 0.0, value or 0.0) == 0
        return (current or False) == (value or False)

    def _on_new_from_marketplace(self):
        """A buyer's new request: an activity for who answers, due at the deadline; noted on the order."""
        self.ensure_one()
        if self.state == "requested" and self.requester == "buyer":
            user = self.sudo().order_id.sale_order_id.user_id or self.shop_id.user_id
            self.sudo().responsible_user_id = user
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.to_date(self.response_due_at) if self.response_due_at else None,
                summary=_("Buyer asks to cancel %s", self.order_id.name),
                note=_("Approve or reject the buyer's cancellation request before %s.",
                       self.response_due_at or _("the marketplace's deadline")),
                user_id=(user or self.env.user).id,
            )
        self.order_id.message_post(body=_("Cancellation %(id)s (%(requester)s, %(reason)s): %(state)s.",
                                          id=self.external_cancel_id, requester=self.requester,
                                          reason=self.reason or "-", state=self.state))

    # -- navigation ----------------------------------------------------------
    def action_view_order(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "marketplace.order", "res_id": self.order_id.id,
                "view_mode": "form"}
