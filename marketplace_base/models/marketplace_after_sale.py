from datetime import timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..marketplace_core.errors import JobPayloadError

DUE_SOON_HOURS = 48


class MarketplaceAfterSale(models.AbstractModel):
    """What every after-sale record of a marketplace order shares (cancellations, returns): the marketplace
    reports it (``_sync_from_marketplace``), the seller answers before a deadline through a job, and only the
    marketplace's sync writes its ids and states.

    A model using it names its marketplace id field (``_external_id_field``), the job payload key of its
    answers (``_payload_key``), the fields a Marketplace User writes himself (``_user_fields``), the fields
    deciding whether it waits for the seller (``_waiting_depends``, with ``_waits_for_answer``), and defines
    ``answer`` (a Selection of what the seller sends) and ``_set_state``."""

    _name = "marketplace.after.sale"
    _description = "Marketplace After-Sale Record"
    _inherit = ["mail.thread", "mail.activity.mixin"]

    _external_id_field = None
    _payload_key = None
    _user_fields = frozenset()
    _waiting_depends = ("state", "answer")

    order_id = fields.Many2one("marketplace.order", string="Marketplace Order", required=True, ondelete="cascade",
                               index=True)
    shop_id = fields.Many2one(related="order_id.shop_id", store=True, index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    platform = fields.Selection(related="order_id.platform", store=True)
    sale_order_id = fields.Many2one(related="order_id.sale_order_id")
    currency_id = fields.Many2one(related="order_id.currency_id")
    external_state = fields.Char(string="Marketplace Status", readonly=True)
    answer_job_id = fields.Many2one("marketplace.job", readonly=True, copy=False)
    answered_by_id = fields.Many2one("res.users", string="Answered by", readonly=True, copy=False)
    answered_at = fields.Datetime(readonly=True, copy=False)
    requested_at = fields.Datetime(readonly=True)
    response_due_at = fields.Datetime(string="Respond By", readonly=True, index=True,
                                      help="The seller's deadline to answer the buyer's request.")
    closed_at = fields.Datetime(readonly=True)
    responsible_user_id = fields.Many2one("res.users", string="Responsible", readonly=True, index=True,
                                          help="Who answers: the order's salesperson, else the shop's Responsible.")
    waiting_for_seller = fields.Boolean(compute="_compute_waiting_for_seller", store=True, index=True)
    deadline_status = fields.Selection(
        [("overdue", "Overdue"), ("due_soon", "Due within 48 h"), ("later", "Later")],
        compute="_compute_deadline_status", search="_search_deadline_status")

    @api.depends(lambda self: self._waiting_depends)
    def _compute_waiting_for_seller(self):
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

    # -- guards --------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self._writes_everything() and not all(self._user_may_create(vals) for vals in vals_list):
            raise AccessError(_("Only the marketplace records %s.", self._description))
        return super().create(vals_list)

    def _user_may_create(self, vals):
        """Whether a Marketplace User may create a record with ``vals`` (by default: nobody but the sync)."""
        return False

    def write(self, vals):
        if set(vals) - self._user_fields and not self._writes_everything():
            raise AccessError(_("What the marketplace says about a %s is not changed by hand.", self._description))
        return super().write(vals)

    def _writes_everything(self):
        return self.env.su or self.env.user.has_group("marketplace_base.group_marketplace_manager")

    def _check_can_answer(self):
        """Marketplace Users and Managers of the record's company answer; nobody else (a salesperson without
        marketplace rights, another company) does, whatever the screen shows."""
        if not self.env.user.has_group("marketplace_base.group_marketplace_user"):
            raise AccessError(_("Only Marketplace Users answer the marketplace (%s).", self._description))
        self.check_access("write")

    def _check_answerable(self):
        for record in self:
            if not record._waits_for_answer():
                raise UserError(_("%(name)s is not waiting for your answer (state: %(state)s).",
                                  name=record.name, state=record.state))

    # -- answers through jobs -------------------------------------------------
    def _answer_job_type(self, answer):
        raise NotImplementedError

    def _answer(self, answer, requires=None):
        """The seller's button: check who answers and that every record waits for an answer, then send
        ``answer``. ``requires``: (field, message) when the answer needs the seller's reason: the records without
        ``field`` are refused with ``message(their names)``."""
        self._check_can_answer()
        self._check_answerable()
        if requires:
            field, message = requires
            missing = self.filtered(lambda record: not record[field])
            if missing:
                raise UserError(message(", ".join(missing.mapped("name"))))
        self._send_answer(answer)
        return True

    def _send_answer(self, answer, values=None):
        """Note who answered what (with ``values``, the answer's details) and queue the job that tells the
        marketplace (one per record), run as the person who answered.

        That person needs an email address: Odoo refuses a chatter message from an author without one, and the
        job would fail after the marketplace took the answer (its chatter line, the return picking's)."""
        if not self.env.user.email:
            raise UserError(_("Odoo needs your email address to record your answer to the marketplace: set it in "
                              "your preferences, then answer again."))
        label = dict(self._fields["answer"]._description_selection(self.env))[answer]
        for record in self.sudo():
            job = self.env["marketplace.job"]._enqueue(record._answer_job_type(answer), shop=record.shop_id,
                                                       payload={self._payload_key: record.id},
                                                       priority=5, user=self.env.user)
            record.write(dict(values or {}, answer=answer, answered_by_id=self.env.uid,
                              answered_at=fields.Datetime.now(), answer_job_id=job.id))
            record.activity_ids.action_feedback(feedback=_("Answer sent: %s", label))
            record.message_post(body=_("%(answer)s queued for the marketplace by %(user)s.",
                                       answer=label, user=self.env.user.name))

    @api.model
    def _of_job_payload(self, payload):
        """The record an answer job names (``{<_payload_key>: <id>}``), or a clear payload error."""
        record_id = payload.get(self._payload_key)
        record = self.browse(record_id if isinstance(record_id, int) else []).exists()
        if not record:
            raise JobPayloadError(_('The payload must name a %(what)s: {"%(key)s": <id>} (got %(got)s).',
                                    what=self._description, key=self._payload_key, got=record_id))
        return record

    def _answer_refused(self, message):
        """The marketplace refused the answer: the seller may answer again (or the request closed meanwhile).
        Sending the answer marked the to-do done: a record still waiting gets one again, or nobody is reminded
        of the deadline."""
        self.ensure_one()
        self.sudo().write({"answer": False, "answer_job_id": False})
        self.message_post(body=_("The marketplace refused the answer: %s", message))
        if self._waits_for_answer():
            self._remind_to_answer_again(message)

    def _remind_to_answer_again(self, message):
        """The to-do of a refused answer: for who answers, due on the marketplace's deadline."""
        self._schedule_seller_activity(_("Answer %s again", self.name),
                                       _("The marketplace refused the answer: %s", message))

    # -- what the connectors report -----------------------------------------
    @api.model
    def _sync_from_marketplace(self, shop, records):
        """Create or update the records the marketplace reports for ``shop``: dicts of the model's values plus
        ``external_order_id`` and ``state``. Replays change nothing ("no change = no write"); a new record is
        created by ``_create_from_marketplace`` and announced by ``_on_new_from_marketplace``.
        Returns {"new": n, "updated": n, "unchanged": n, "unknown_order": [ids]}."""
        counts = {"new": 0, "updated": 0, "unchanged": 0, "unknown_order": []}
        if not records:
            return counts
        key = self._external_id_field
        Model = self.sudo().with_context(mail_create_nolog=True)
        known = {record[key]: record for record in Model.search(
            [("shop_id", "=", shop.id), (key, "in", [r[key] for r in records])])}
        orders = {order.external_order_id: order for order in self.env["marketplace.order"].sudo().search(
            [("shop_id", "=", shop.id), ("external_order_id", "in", [r["external_order_id"] for r in records])])}
        for reported in records:
            values = {name: value for name, value in reported.items() if name != "external_order_id"}
            record = known.get(values[key])
            if record:
                counts["updated" if record._update_from_marketplace(values) else "unchanged"] += 1
                continue
            external_order_id = reported["external_order_id"]
            order = orders.get(external_order_id)
            if not order:
                counts["unknown_order"].append(external_order_id)
                continue
            record = Model._create_from_marketplace(order, values)
            known[record[key]] = record
            record._on_new_from_marketplace()
            counts["new"] += 1
        return counts

    @api.model
    def _create_from_marketplace(self, order, values):
        state = values.pop("state")
        record = self.create(dict(values, order_id=order.id, state="requested"))
        record._set_state(state)
        return record

    def _update_from_marketplace(self, values):
        """Write what differs from the marketplace's ``values``; returns whether anything changed."""
        changes = self._changed_values(values)
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

    def _changed_values(self, values):
        """Of the marketplace's ``values``, those the record does not say already."""
        self.ensure_one()
        return {name: value for name, value in values.items() if not self._same_value(name, value)}

    def _same_value(self, name, value):
        """Whether the stored ``name`` already says ``value`` (amounts compared in the record's currency, linked
        records by id)."""
        current, kind = self[name], self._fields[name].type
        if kind == "monetary":
            return self.currency_id.compare_amounts(current or 0.0, value or 0.0) == 0
        if kind == "many2one":
            return current.id == (value or False)
        return (current or False) == (value or False)

    def _schedule_seller_activity(self, summary, note, due=None):
        """An activity for who answers (the order's salesperson, else the shop's Responsible), due on the
        marketplace's deadline (or ``due``, a nearer one)."""
        self.ensure_one()
        due = due or self.response_due_at
        user = self.order_id._seller_user()
        self.sudo().responsible_user_id = user
        user = user or self.env.user
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=self._user_date(due, user) if due else None,
            summary=summary, note=note, user_id=user.id)

    @api.model
    def _user_date(self, moment, user):
        """The day ``moment`` (naive UTC, as Odoo stores it) falls on for ``user``, in his timezone: a to-do's
        date is the assignee's day, and near midnight UTC's day is not his."""
        tz = pytz.timezone(user.tz or "UTC")
        return pytz.utc.localize(moment).astimezone(tz).date()

    # -- navigation ----------------------------------------------------------
    def action_view_order(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "marketplace.order", "res_id": self.order_id.id,
                "view_mode": "form"}
