from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..marketplace_core.errors import JobPayloadError

DUE_SOON_HOURS = 48


class MarketplaceAfterSaleMixin(models.AbstractModel):
    """What the after-sale records (cancellations, disputes...) share: the seller's deadline and its status, the
    answer queued for the marketplace by a job and refused by it, and "no change = no write" when the marketplace
    reports a record again.

    A model using it says when it waits for the seller (``_waits_for_answer``, with its own ``@api.depends`` on
    ``_compute_waiting_for_seller``), has the fields ``answer``, ``answered_by_id``, ``answered_at``,
    ``answer_job_id``, ``shop_id`` and ``currency_id``, inherits mail.thread and mail.activity.mixin, and names its
    answer jobs' payload key in ``_job_payload_key``."""

    _name = "marketplace.after_sale.mixin"
    _description = "Marketplace After-Sale Record"
    _job_payload_key = None

    response_due_at = fields.Datetime(string="Respond By", readonly=True, index=True,
                                      help="The seller's deadline to answer.")
    waiting_for_seller = fields.Boolean(compute="_compute_waiting_for_seller", store=True, index=True)
    deadline_status = fields.Selection(
        [("overdue", "Overdue"), ("due_soon", "Due within 48 h"), ("later", "Later")],
        compute="_compute_deadline_status", search="_search_deadline_status")

    def _compute_waiting_for_seller(self):
        """Each model says when it waits (``_waits_for_answer``) and depends on what decides it."""
        for record in self:
            record.waiting_for_seller = record._waits_for_answer()

    def _waits_for_answer(self):
        raise NotImplementedError

    @api.depends("waiting_for_seller", "response_due_at")
    def _compute_deadline_status(self):
        now = fields.Datetime.now()
        for record in self:
            due = record.response_due_at
            if not (record.waiting_for_seller and due):
                record.deadline_status = False
            elif due < now:
                record.deadline_status = "overdue"
            elif due <= now + timedelta(hours=DUE_SOON_HOURS):
                record.deadline_status = "due_soon"
            else:
                record.deadline_status = "later"

    @api.model
    def _deadline_domain(self, status):
        """The records waiting for the seller whose deadline is ``status`` (now, in UTC)."""
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

    # -- answers -------------------------------------------------------------
    @api.model
    def _of_job_payload(self, payload):
        """The record an answer job names (``{<_job_payload_key>: <id>}``), or a clear payload error."""
        record_id = payload.get(self._job_payload_key)
        record = self.browse(record_id if isinstance(record_id, int) else []).exists()
        if not record:
            raise JobPayloadError(_('The payload must name a %(model)s: {"%(key)s": <id>} (got %(value)s).',
                                    model=self._description, key=self._job_payload_key, value=record_id))
        return record

    def _queue_answer(self, job_type, answer):
        """Note who answered what and queue the job that tells the marketplace (one per record)."""
        label = dict(self._fields["answer"]._description_selection(self.env))[answer]
        for record in self.sudo():
            job = self.env["marketplace.job"]._enqueue(job_type, shop=record.shop_id,
                                                       payload={self._job_payload_key: record.id},
                                                       priority=5, user=self.env.user)
            record.write({"answer": answer, "answered_by_id": self.env.uid, "answered_at": fields.Datetime.now(),
                          "answer_job_id": job.id})
            record.activity_ids.action_feedback(feedback=_("Answer sent: %s", label))
            record.message_post(body=_("%(answer)s queued for the marketplace by %(user)s.",
                                       answer=label, user=self.env.user.name))

    def _answer_refused(self, message):
        """The marketplace refused the answer: the seller may answer again (or the record closed meanwhile)."""
        self.ensure_one()
        self.sudo().write({"answer": False, "answer_job_id": False})
        self.message_post(body=_("The marketplace refused the answer: %s", message))

    # -- what the marketplace reports ----------------------------------------
    def _same_value(self, name, value):
        """Whether the stored ``name`` already says ``value`` (amounts compared in the record's currency)."""
        current, kind = self[name], self._fields[name].type
        if kind == "monetary":
            return self.currency_id.compare_amounts(current or 0.0, value or 0.0) == 0
        if kind == "many2one":
            return current.id == (value or False)
        return (current or False) == (value or False)

    def _changed_values(self, values):
        self.ensure_one()
        return {name: value for name, value in values.items() if not self._same_value(name, value)}
