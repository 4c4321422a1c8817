from dataclasses import replace

from odoo import _, fields

from odoo.addons.marketplace_base.models.marketplace_order import check_may_refund

from ..ebay_api.errors import MappingError
from ..ebay_api.post_order_inquiries import (
    CASE,
    CLOSED,
    ESCALATED,
    INQUIRY,
    PAGE_SIZE,
    WAITING_SELLER,
    CaseAdapter,
    InquiryAdapter,
    map_case,
    map_inquiry,
)
from ..sync_core.cases import case_id_of_key, case_key, case_values, unmatched_waiting_since, waits_for_order
from ..sync_core.times import to_naive_utc
from .after_sale_sync import MAX_REFRESH, AfterSaleImporter, AfterSaleService
from .fulfillment_exporter import carrier_code


class CaseService(AfterSaleService):
    """What the inquiry and case flows share: eBay's records mapped, and matched to their order. eBay's
    summaries and details name the order line (``itemId``, ``transactionId``) and the buyer, never the order
    (docs/ebay-api.md: InquirySummaryType, InquiryDetailsResponse, CaseSummaryType, CaseDetailsResponse), so the
    order cannot be asked for by id: a record Odoo knows keeps its order; a new one is of the shop's order holding
    that item for that buyer. A record matching no imported order is not dropped: the seller gets a to-do naming
    it (``_tell_seller_unmatched``), and a pull waits for its order (``CasePull``); once the order pull imported
    that order, the record is created on it and the to-do is done."""

    model = "marketplace.case"
    kind = None
    adapter_class = None
    raw_key = None

    def __init__(self, job, run):
        super().__init__(job, run)
        self.adapter = self.adapter_class(self.client)
        self.unmatched = []     # the records of the last ``_sync`` that match no imported order

    def _parse(self, raw):
        raise NotImplementedError

    def _map(self, raw):
        mapped = self._parse(raw)
        return replace(mapped, order_id=self._order_of(mapped))

    def _values(self, mapped):
        return case_values(mapped)

    def _order_of(self, mapped):
        """The external id of the order the record is about, or None when Odoo cannot tell."""
        orders = self._orders_of(mapped)
        return orders.external_order_id if len(orders) == 1 else None

    def _orders_of(self, mapped):
        """The shop's orders the record may be about: the one it is stored on, else those holding its item for
        its buyer."""
        known = self.env[self.model].search([("shop_id", "=", self.shop.id),
                                             ("external_key", "=", case_key(mapped.kind, mapped.case_id))], limit=1)
        if known:
            return known.order_id
        if not mapped.item_id:
            return self.env["marketplace.order"]
        lines = self.env["marketplace.order.line"].search([("order_id.shop_id", "=", self.shop.id),
                                                           ("external_item_id", "=", mapped.item_id)])
        return lines.order_id.filtered(lambda order: not mapped.buyer or order.buyer_username == mapped.buyer)

    def _sync(self, raws):
        """Store the records matched to an order; the others are logged and told to the seller (an order not
        imported yet, sold before the connector, or several orders of that buyer for that item)."""
        matched, self.unmatched = [], []
        for raw in raws:
            try:
                mapped = self._map(raw)
            except MappingError:
                matched.append(raw)      # logged by the store step
                continue
            if mapped.order_id:
                matched.append(raw)
                continue
            self.unmatched.append(mapped)
            self.run.log(_("eBay %(kind)s %(id)s (item %(item)s, buyer %(buyer)s): no single order of this shop "
                           "matches it; not imported yet.", kind=mapped.kind, id=mapped.case_id,
                           item=mapped.item_id, buyer=mapped.buyer), "warning")
            self._tell_seller_unmatched(mapped)
        counts = super()._sync(matched)
        self._unmatched_done(raws)
        return counts

    def _unmatched_todos(self, kind, case_id):
        """The open "no order in Odoo" to-dos of this shop naming eBay's ``kind`` ``case_id``."""
        return self.env["mail.activity"].sudo().search([("ebay_claim_shop_id", "=", self.shop.id),
                                                        ("ebay_claim_key", "=", case_key(kind, case_id))])

    def _tell_seller_unmatched(self, mapped):
        """A to-do, once, for the shop's responsible on its account (shops carry no activities): the buyer's
        claim is open on eBay while Odoo holds no order for it. A closed one, or an inquiry escalated to a case
        (which is told of itself), asks nothing more: its to-do, if any, is done. The to-do carries the shop and
        the claim's key: it is found by them again (``CasePull._refresh_unmatched``)."""
        todos = self._unmatched_todos(mapped.kind, mapped.case_id)
        if mapped.state in (CLOSED, ESCALATED):
            reason = _("Escalated to a case on eBay.") if mapped.state == ESCALATED else _("Closed on eBay.")
            for todo in todos:
                todo.action_feedback(feedback=reason)
            return
        if todos:
            return
        account = self.shop.account_id
        user = self.shop.user_id or account.create_uid
        due = to_naive_utc(mapped.respond_by)
        account.sudo().activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=self.env[self.model]._user_date(due, user) if due else None,
            user_id=user.id, ebay_claim_shop_id=self.shop.id, ebay_claim_key=case_key(mapped.kind, mapped.case_id),
            summary=_("eBay %(kind)s %(id)s: no order in Odoo", kind=mapped.kind, id=mapped.case_id),
            note=_("%(shop)s: eBay %(kind)s %(id)s of the buyer %(buyer)s (item %(item)s, transaction "
                   "%(transaction)s) matches no single order imported in Odoo. Odoo lists it on its order if the "
                   "order pull brings that order; an order sold before the shop's first sync is not pulled: import "
                   "it by its number (Import Orders on the shop, the number is in eBay's Seller Hub), or answer "
                   "this one in Seller Hub before its deadline.", shop=self.shop.name, kind=mapped.kind,
                   id=mapped.case_id, buyer=mapped.buyer, item=mapped.item_id, transaction=mapped.transaction_id))

    def _unmatched_done(self, raws):
        """The to-dos of records now stored on their order are done."""
        stored = self.env[self.model].search([
            ("shop_id", "=", self.shop.id),
            ("external_key", "in", [case_key(self.kind, raw.get(self.raw_key)) for raw in raws])])
        for record in stored:
            for todo in self._unmatched_todos(record.kind, record.external_case_id):
                todo.action_feedback(feedback=_("Listed on %s.", record.order_id.name))

    def _read(self, case_id):
        """eBay's record ``case_id`` now (its detail, with its id), raw."""
        return dict(self.adapter.get(case_id), **{self.raw_key: case_id})

    def _read_back(self, record):
        raw = self._read(record.external_case_id)
        self._sync([raw])
        return self._map(raw)


class InquiryService(CaseService):
    """Item-not-received inquiries: a raw inquiry is eBay's InquirySummaryType or InquiryDetailsResponse."""

    kind = INQUIRY
    adapter_class = InquiryAdapter
    raw_key = "inquiryId"

    def _parse(self, raw):
        return map_inquiry(raw)


class EbayCaseService(CaseService):
    """eBay cases (escalated inquiries and returns): a raw case is eBay's CaseSummaryType, merged with its
    CaseDetailsResponse when read (its type and eBay's link are in the detail only)."""

    kind = CASE
    adapter_class = CaseAdapter
    raw_key = "caseId"

    def _parse(self, raw):
        return map_case(raw)


class CasePull(AfterSaleImporter):
    """A pull of one kind: the searches filter by creation date (pages from 1, 200 a page, in slices); the open
    records of that kind the search did not return are re-read."""

    first_position = 1

    def _search_page(self, since, position):
        members, pages, total = self.adapter.search_page(since, page=position, limit=PAGE_SIZE)
        return self._with_details(members), position + 1 if position < pages else None, total

    def _with_details(self, members):
        return members

    def _raw_id(self, raw):
        return case_key(self.kind, raw.get(self.raw_key))

    def _open_domain(self):
        return [("kind", "=", self.kind)]

    def _refresh_open(self, seen):
        result = super()._refresh_open(seen)
        self._refresh_unmatched(seen)
        return result

    def _refresh_unmatched(self, seen):
        """Re-read by id the records of this kind whose "no order in Odoo" to-do is open and that the search did
        not return (its watermark went past them): one whose order the seller imported since (by its number) is
        created on it and its to-do done; one closed or escalated on eBay has its to-do done."""
        todos = self.env["mail.activity"].sudo().search(
            [("ebay_claim_shop_id", "=", self.shop.id), ("ebay_claim_key", "=like", case_key(self.kind, "%")),
             ("ebay_claim_key", "not in", list(seen))], order="id", limit=MAX_REFRESH)
        for key in todos.mapped("ebay_claim_key"):
            self.run.check_cancelled()
            self._sync([self._read(case_id_of_key(key))])

    def _earliest_unknown(self, raw, unknown_orders, waiting_since):
        """The watermark waits for the records of this page matching no order of the shop while the order pull
        may still bring it (``waits_for_order``: it has not read eBay's orders up to the record's request); then
        they are found again and created on it. Records matching several orders are not waited for: a later pull
        would not tell either (the seller has a to-do for them)."""
        now, orders_until = fields.Datetime.now(), self.shop.ebay_orders_synced_until
        dates = [to_naive_utc(mapped.requested_at) for mapped in self.unmatched if not self._orders_of(mapped)]
        waiting = unmatched_waiting_since(
            [date for date in dates if waits_for_order(date, orders_until, now)],
            fields.Datetime.to_datetime(waiting_since) if waiting_since else None)
        return fields.Datetime.to_string(waiting) if waiting else None


class InquiryImporter(CasePull, InquiryService):
    """``pull_inquiries``: eBay's item-not-received inquiries of the shop created since its watermark."""

    synced_until_field = "ebay_inquiries_synced_until"


class CaseImporter(CasePull, EbayCaseService):
    """``pull_cases``: eBay's cases of the shop created since its watermark; a case new to Odoo, or whose status
    moved, is read whole (its type, eBay's link); a replay reads nothing more, nor does a case matching no order
    yet."""

    synced_until_field = "ebay_cases_synced_until"

    def _with_details(self, members):
        stored = {record.external_key: record.external_state for record in self.env[self.model].search(
            [("shop_id", "=", self.shop.id),
             ("external_key", "in", [case_key(CASE, member.get("caseId")) for member in members])])}
        raws = []
        for summary in members:
            key = case_key(CASE, summary.get("caseId"))
            if stored.get(key) == summary.get("caseStatusEnum") or (key not in stored and not self._matched(summary)):
                raws.append(summary)
            else:
                raws.append(dict(summary, **self.adapter.get(summary.get("caseId"))))
        return raws

    def _matched(self, summary):
        """Whether a new case's summary matches an order (else it is not stored: its detail is not read while
        the pull waits for its order); one eBay cannot map is read (its error is logged by the store step)."""
        try:
            return bool(self._map(summary).order_id)
        except MappingError:
            return True


class InquiryAnswerer(InquiryService):
    """``answer_case``: the seller's answer to an inquiry, once (``_send_once``: read first, an uncertain call read
    back, a refusal recorded): the shipment info of the order's delivery, or a full refund (whose credit note the
    order's import books: the order is read again at once)."""

    def execute(self):
        record = self._record()
        if record.kind != INQUIRY or record.answer not in ("shipment_info", "refund") \
                or record.state != WAITING_SELLER:
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", record.name))
            return
        answer = record.answer
        if answer == "refund":
            check_may_refund(record)
        ebay = self._send_once(record, lambda: self._send(record, answer), (WAITING_SELLER,), answer)
        if not ebay:
            return
        record._answered(ebay.state, ebay.ebay_status)
        self.run.log(_("%(name)s: %(answer)s sent to eBay (now %(state)s).", name=record.name, answer=answer,
                       state=ebay.state))
        if answer == "refund":
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop, priority=5,
                                                 payload={"order_ids": [record.order_id.external_order_id]})

    def _send(self, record, answer):
        comment = record.seller_comment or None
        if answer == "refund":
            self.adapter.issue_refund(record.external_case_id, comments=comment)
            return
        picking = record.sudo().shipment_picking_id
        self.adapter.provide_shipment_info(record.external_case_id, carrier_code(picking),
                                           picking.carrier_tracking_ref, picking.date_done, comments=comment)
