from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# What a Marketplace Manager writes himself to prepare an answer; everything else comes from the marketplace or from
# the answer flow, which writes as superuser after its guards (stricter than the other after-sale records: Users
# only read).
MANAGER_FIELDS = {"note", "evidence_attachment_ids"}
MANAGER_GROUP = "marketplace_base.group_marketplace_manager"
# the manager's reminder comes this long before the marketplace's deadline
REMINDER_HOURS = 48
# outcomes that cost the seller the disputed amount (a refund to book)
LOST_OUTCOMES = ("lost", "accepted")


class MarketplaceDispute(models.Model):
    """A payment dispute on a marketplace order (the buyer's bank or the marketplace claims the payment back): the
    marketplace's id, reason, amount, state, the seller's deadline (*Respond By*) and, once closed, the outcome.

    Platform-neutral: the connectors fill it from the marketplace (``_sync_from_account``) and run its answer
    (job type ``answer_dispute``, payload ``{"dispute_id"}``): **Accept**, or **Contest** with evidence files chosen
    from the dispute's attachments; they report with ``_evidence_sent``, ``_answered`` and ``_answer_refused``.
    Managers answer; Marketplace Users read. A dispute lost or accepted keeps its outcome and amount for the refund
    booking (``_closed_with_loss``)."""

    _name = "marketplace.dispute"
    _description = "Marketplace Payment Dispute"
    _inherit = ["marketplace.after.sale"]
    _order = "response_due_at asc, id desc"
    _external_id_field = "external_dispute_id"
    _payload_key = "dispute_id"

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(readonly=True)
    external_dispute_id = fields.Char(string="Marketplace Dispute ID", required=True, readonly=True, copy=False)
    reason = fields.Selection(
        [("not_received", "Item not received"), ("not_as_described", "Not as described"),
         ("fraud", "Payment not recognised (fraud)"), ("counterfeit", "Counterfeit"),
         ("credit_not_processed", "Refund not received"), ("duplicate", "Charged twice"),
         ("incorrect_amount", "Incorrect amount"), ("other", "Other")],
        readonly=True, required=True, default="other")
    external_reason = fields.Char(string="Marketplace Reason", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True, required=True)
    amount = fields.Monetary(string="Disputed Amount", readonly=True)
    state = fields.Selection(
        [("action_needed", "Waiting for the seller"), ("open", "Under review"), ("closed", "Closed")],
        default="action_needed", required=True, readonly=True, index=True, tracking=True, copy=False,
        help="Waiting for the seller: answer (accept or contest) before the deadline. Under review: the "
             "marketplace or the buyer's bank decides. Closed: see the outcome.")
    opened_at = fields.Datetime(readonly=True)
    evidence_requested = fields.Char(readonly=True, help="The evidence the marketplace asks the seller for.")
    outcome = fields.Selection(
        [("won", "Won by the seller"), ("lost", "Lost by the seller"), ("accepted", "Accepted by the seller")],
        readonly=True, tracking=True, copy=False)
    lost_amount = fields.Monetary(readonly=True, copy=False,
                                  help="What the marketplace takes back from the seller (lost or accepted).")
    answer = fields.Selection([("accept", "Accept"), ("contest", "Contest")], readonly=True, copy=False,
                              tracking=True, help="What the seller sent (or is sending) to the marketplace.")
    note = fields.Text(string="Note to the Marketplace",
                       help="Sent with a contest (the marketplace takes 1000 characters).")
    evidence_attachment_ids = fields.Many2many(
        "ir.attachment", "marketplace_dispute_evidence_rel", "dispute_id", "attachment_id", string="Evidence",
        domain="[('res_model', '=', 'marketplace.dispute'), ('res_id', '=', id)]",
        help="Files attached to this dispute to send with a contest (eBay: JPG or PNG, 1.5 MB at most).")
    evidence_sent_ids = fields.Many2many(
        "ir.attachment", "marketplace_dispute_evidence_sent_rel", "dispute_id", "attachment_id",
        readonly=True, copy=False)
    evidence_uploads = fields.Json(readonly=True, copy=False,
                                   help="The marketplace's file id of each evidence file uploaded (attachment id "
                                        "-> file id), so that a retried answer uploads nothing twice.")
    responsible_user_id = fields.Many2one(help="The Marketplace Manager reminded to answer.")

    _sql_constraints = [
        ("shop_dispute_uniq", "UNIQUE(shop_id, external_dispute_id)",
         "This marketplace dispute is already recorded in this shop."),
    ]

    @api.depends("order_id.name", "external_dispute_id")
    def _compute_name(self):
        for dispute in self:
            dispute.name = "%s / %s" % (dispute.order_id.name or "", dispute.external_dispute_id or "")

    def _waits_for_answer(self):
        return self.state == "action_needed" and not self.answer

    # -- guards --------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(_("Only the marketplace opens payment disputes."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and (set(vals) - MANAGER_FIELDS or not self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(_("Marketplace Managers prepare the answer to a dispute (note, evidence); what the "
                                "marketplace says is not changed by hand."))
        if "evidence_attachment_ids" in vals and not self.env.su:
            self._check_evidence_is_attached(self.env["ir.attachment"].browse(
                self._fields["evidence_attachment_ids"].convert_to_cache(vals["evidence_attachment_ids"], self)))
        return super().write(vals)

    def _check_evidence_is_attached(self, attachments):
        """Evidence is chosen among the dispute's own attachments, nothing else (another record's files)."""
        for dispute in self:
            foreign = attachments.sudo().filtered(
                lambda attachment, d=dispute: (attachment.res_model, attachment.res_id) != (d._name, d.id))
            if foreign:
                raise UserError(_("Attach the evidence to %(dispute)s first: %(files)s",
                                  dispute=dispute.name, files=", ".join(foreign.mapped("name"))))

    def _check_can_answer(self):
        """Marketplace Managers of the dispute's company answer; Users only read, whatever the screen shows."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only Marketplace Managers answer payment disputes."))
        self.check_access("write")
        for dispute in self:
            if not dispute._waits_for_answer():
                raise UserError(_("%(name)s is not waiting for your answer (%(state)s).", name=dispute.name,
                                  state=dict(self._fields["state"]._description_selection(self.env))[dispute.state]))

    # -- the manager's buttons -----------------------------------------------
    def action_accept(self):
        """Accept the dispute: the marketplace refunds the buyer (the seller loses the amount)."""
        self._check_can_answer()
        self._send_answer("accept")
        return True

    def action_contest(self):
        """Contest with the chosen evidence files (uploaded, then the contest) and the note."""
        self._check_can_answer()
        for dispute in self:
            if not dispute.evidence_attachment_ids and dispute.evidence_requested:
                raise UserError(_("The marketplace asks for evidence (%(kinds)s): attach the files to %(name)s and "
                                  "choose them under Evidence.", kinds=dispute.evidence_requested,
                                  name=dispute.name))
            dispute._check_evidence_is_attached(dispute.evidence_attachment_ids)
        self._send_answer("contest")
        return True

    def _answer_job_type(self, answer):
        return "answer_dispute"

    # -- what the connectors report -----------------------------------------
    def _evidence_uploaded(self, attachment, file_id):
        """Keep the marketplace's file id of an uploaded evidence file at once (a retry uploads it no more)."""
        self.ensure_one()
        self.sudo().evidence_uploads = dict(self.evidence_uploads or {}, **{str(attachment.id): file_id})

    def _evidence_sent(self, attachments):
        self.ensure_one()
        self.sudo().evidence_sent_ids = [fields.Command.link(attachment.id) for attachment in attachments]
        self.message_post(body=_("Evidence sent to the marketplace: %s", ", ".join(attachments.mapped("name"))))

    def _answered(self, values):
        """The marketplace took the seller's answer; ``values``: the dispute as it reads now (a record of
        ``_sync_from_account``)."""
        self.ensure_one()
        self._update_from_marketplace(self._record_values(self.order_id, values))
        label = dict(self._fields["answer"]._description_selection(self.env))[self.answer]
        self.message_post(body=_("The marketplace took the answer: %s.", label))

    @api.model
    def _sync_from_account(self, orders, records):
        """Create or update the disputes the marketplace reports for a whole account (eBay's disputes are the
        seller's, not a shop's): ``orders`` are the marketplace orders they may belong to, across its shops;
        ``records`` dicts with external_dispute_id, external_order_id, reason, external_reason, currency (ISO
        code), amount, state, external_state, opened_at, response_due_at, closed_at, evidence_requested,
        outcome, lost_amount. Replays change nothing ("no change = no write"); a new dispute waiting for the
        seller reminds a manager; a closing one keeps its outcome.
        Returns {"new": n, "updated": n, "unchanged": n, "unknown_order": [order ids], "changed": [ids of the
        disputes new or updated]}."""
        counts = {"new": 0, "updated": 0, "unchanged": 0, "unknown_order": [], "changed": []}
        if not records:
            return counts
        Dispute = self.sudo().with_context(mail_create_nolog=True)
        reported = {record["external_order_id"] for record in records}
        by_order = {order.external_order_id: order for order in orders.sudo()
                    if order.external_order_id in reported}
        known = {(dispute.shop_id.id, dispute.external_dispute_id): dispute for dispute in Dispute.search(
            [("shop_id", "in", orders.shop_id.ids),
             ("external_dispute_id", "in", [record["external_dispute_id"] for record in records])])}
        for record in records:
            order = by_order.get(record["external_order_id"])
            if not order:
                counts["unknown_order"].append(record["external_order_id"])
                continue
            values = self._record_values(order, record)
            dispute = known.get((order.shop_id.id, record["external_dispute_id"]))
            if dispute:
                updated = dispute._update_from_marketplace(values)
                counts["updated" if updated else "unchanged"] += 1
                counts["changed"] += [dispute.external_dispute_id] if updated else []
                continue
            dispute = Dispute.create(dict(values, order_id=order.id))
            known[(order.shop_id.id, dispute.external_dispute_id)] = dispute
            dispute._on_new_from_marketplace()
            counts["new"] += 1
            counts["changed"].append(dispute.external_dispute_id)
        return counts

    @api.model
    def _record_values(self, order, record):
        values = {key: value for key, value in record.items() if key not in ("external_order_id", "currency")}
        currency = record.get("currency")
        values["currency_id"] = (order._currency_by_code(currency) if currency else order.currency_id).id
        return values

    def _update_from_marketplace(self, values):
        self.ensure_one()
        was = (self.state, self.outcome)
        changes = self._changed_values(values)
        if not changes:
            return False
        self.sudo().write(changes)
        if "state" in changes or "outcome" in changes:
            self.message_post(body=_("The marketplace says: %(state)s (%(external)s).", state=self.state,
                                     external=self.external_state or ""))
        self._after_change(*was)
        return True

    def _on_new_from_marketplace(self):
        self.ensure_one()
        self._after_change(None, None)
        self.order_id.message_post(body=_("Payment dispute %(id)s (%(reason)s, %(amount)s %(currency)s): %(state)s.",
                                          id=self.external_dispute_id, reason=self.external_reason or self.reason,
                                          amount=self.amount, currency=self.currency_id.name, state=self.state))

    def _after_change(self, old_state, old_outcome):
        """What a new state means once: waiting for the seller reminds a manager; leaving it closes the
        reminder; a loss (lost, accepted) is announced for the refund booking."""
        if self.state == "action_needed" and old_state != "action_needed" and not self.answer:
            self._remind_manager()
        elif self.state != "action_needed":
            self.activity_ids.sudo().action_feedback(feedback=_("The dispute is %s.", self.state))
        if self.state == "closed" and self.outcome in LOST_OUTCOMES and old_outcome not in LOST_OUTCOMES:
            self._closed_with_loss()

    def _remind_to_answer_again(self, message):
        """A refused answer reminds a manager again (the dispute's own reminder, 48 h before the deadline)."""
        self._remind_manager()

    def _remind_manager(self):
        """An activity for a Marketplace Manager of the company (the shop's Responsible when he is one), due
        REMINDER_HOURS before the marketplace's deadline."""
        user = self.shop_id.user_id
        if not (user and user.has_group(MANAGER_GROUP)):
            user = self.env["res.users"].sudo().search(
                [("groups_id", "in", self.env.ref(MANAGER_GROUP).id), ("company_ids", "in", self.company_id.id),
                 ("share", "=", False)], order="id", limit=1)
        due = self.response_due_at and (self.response_due_at - timedelta(hours=REMINDER_HOURS))
        self.sudo().responsible_user_id = user
        user = user or self.env.user
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=max(self._user_date(due, user), self._user_date(fields.Datetime.now(), user))
            if due else None,
            summary=_("Payment dispute on %s: accept or contest", self.order_id.name),
            note=_("Answer before %s (the marketplace's deadline).", self.response_due_at or _("its deadline")),
            user_id=user.id)

    def _closed_with_loss(self):
        """The seller lost the disputed amount (``lost_amount``, else ``amount``): written on the order and booked
        once as a draft credit note of the order under ``dispute:<id>`` (the marketplace reports a lost dispute as
        a dispute, not as a refund of the order); one that cannot be booked (no sale order, more than what remains
        to refund) is said on the order."""
        try:
            self.order_id._book_marketplace_refund("dispute:%s" % self.external_dispute_id,
                                                   self.lost_amount or self.amount, source="dispute")
        except UserError as exc:
            self.order_id.message_post(body=_("The dispute's loss is not booked as a credit note: %s", exc))
        self.order_id.message_post(body=_("Payment dispute %(id)s closed (%(outcome)s): %(amount)s %(currency)s "
                                          "taken back by the marketplace.", id=self.external_dispute_id,
                                          outcome=self.outcome, amount=self.lost_amount or self.amount,
                                          currency=self.currency_id.name))
