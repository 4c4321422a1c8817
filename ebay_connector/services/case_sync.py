from dataclasses import replace

from odoo import _

from odoo.addons.marketplace_base.models.marketplace_order import check_may_refund

from ..ebay_api.errors import MappingError
from ..ebay_api.post_order_inquiries import (
    CASE,
    INQUIRY,
    PAGE_SIZE,
    WAITING_SELLER,
    CaseAdapter,
    InquiryAdapter,
    map_case,
    map_inquiry,
)
from ..sync_core.cases import case_key, case_values
from .after_sale_sync import AfterSaleImporter, AfterSaleService
from .fulfillment_exporter import carrier_code


class CaseService(AfterSaleService):
    """What the inquiry and case flows share: eBay's records mapped, and matched to their order. eBay's
    summaries name the order line (``itemId``, ``transactionId``) and the buyer, not the order: a record Odoo
    knows keeps its order; a new one is of the shop's order holding that item for that buyer (the one order, or
    none: then it is logged and left out)."""

    model = "marketplace.case"
    kind = None
    adapter_class = None
    raw_key = None

    def __init__(self, job, run):
        super().__init__(job, run)
        self.adapter = self.adapter_class(self.client)

    def _parse(self, raw):
        raise NotImplementedError

    def _map(self, raw):
        mapped = self._parse(raw)
        return replace(mapped, order_id=self._order_of(mapped))

    def _values(self, mapped):
        return case_values(mapped)

    def _order_of(self, mapped):
        """The external id of the order the record is about, or None when Odoo cannot tell."""
        known = self.env[self.model].search([("shop_id", "=", self.shop.id),
                                             ("external_key", "=", case_key(mapped.kind, mapped.case_id))], limit=1)
        if known:
            return known.order_id.external_order_id
        if not mapped.item_id:
            return None
        lines = self.env["marketplace.order.line"].search([("order_id.shop_id", "=", self.shop.id),
                                                           ("external_item_id", "=", mapped.item_id)])
        orders = lines.order_id.filtered(lambda order: not mapped.buyer or order.buyer_username == mapped.buyer)
        return orders.external_order_id if len(orders) == 1 else None

    def _sync(self, raws):
        """Store the records matched to an order; the others are logged (an order sold before the connector, or
        several orders of that buyer for that item)."""
        matched = []
        for raw in raws:
            try:
                mapped = self._map(raw)
            except MappingError:
                matched.append(raw)      # logged by the store step
                continue
            if mapped.order_id:
                matched.append(raw)
            else:
                self.run.log(_("eBay %(kind)s %(id)s (item %(item)s, buyer %(buyer)s): no single order of this shop "
                               "matches it; not imported.", kind=mapped.kind, id=mapped.case_id,
                               item=mapped.item_id, buyer=mapped.buyer), "warning")
        return super()._sync(matched)


class InquiryService(CaseService):
    """Item-not-received inquiries: a raw inquiry is eBay's InquirySummaryType or InquiryDetailsResponse."""

    kind = INQUIRY
    adapter_class = InquiryAdapter
    raw_key = "inquiryId"

    def _parse(self, raw):
        return map_inquiry(raw)

    def _read_back(self, record):
        raw = dict(self.adapter.get(record.external_case_id), inquiryId=record.external_case_id)
        self._sync([raw])
        return self._map(raw)


class EbayCaseService(CaseService):
    """eBay cases (escalated inquiries and returns): a raw case is eBay's CaseSummaryType, merged with its
    CaseDetailsResponse when read (its type and eBay's link are in the detail only)."""

    kind = CASE
    adapter_class = CaseAdapter
    raw_key = "caseId"

    def _parse(self, raw):
        return map_case(raw)

    def _read_back(self, record):
        raw = dict(self.adapter.get(record.external_case_id), caseId=record.external_case_id)
        self._sync([raw])
        return self._map(raw)


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


class InquiryImporter(CasePull, InquiryService):
    """``pull_inquiries``: eBay's item-not-received inquiries of the shop created since its watermark."""

    synced_until_field = "ebay_inquiries_synced_until"


class CaseImporter(CasePull, EbayCaseService):
    """``pull_cases``: eBay's cases of the shop created since its watermark; a case new to Odoo, or whose status
    moved, is read whole (its type, eBay's link); a replay reads nothing more."""

    synced_until_field = "ebay_cases_synced_until"

    def _with_details(self, members):
        stored = {record.external_key: record.external_state for record in self.env[self.model].search(
            [("shop_id", "=", self.shop.id),
             ("external_key", "in", [case_key(CASE, member.get("caseId")) for member in members])])}
        raws = []
        for summary in members:
            if stored.get(case_key(CASE, summary.get("caseId"))) == summary.get("caseStatusEnum"):
                raws.append(summary)
            else:
                raws.append(dict(summary, **self.adapter.get(summary.get("caseId"))))
        return raws


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
