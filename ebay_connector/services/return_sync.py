from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.refunds import RefundError, check_amount, to_decimal
from odoo.addons.marketplace_base.models.marketplace_order import check_may_refund

from ..ebay_api.post_order_returns import (
    APPROVED,
    DECISIONS,
    ITEM_RECEIVED,
    ITEM_SHIPPED,
    PAGE_SIZE,
    REQUESTED,
    ReturnAdapter,
    map_return,
    return_files,
)
from ..sync_core.returns import external_state, return_values
from .after_sale_sync import AfterSaleImporter, AfterSaleService


class ReturnService(AfterSaleService):
    """What the return flows share: the Post-Order return adapter, eBay's returns mapped. A raw return is eBay's
    GetDetailResponse shape ``{"summary", "detail"?}``."""

    model = "marketplace.return"

    def __init__(self, job, run):
        super().__init__(job, run)
        self.returns = ReturnAdapter(self.client)

    def _map(self, raw):
        return map_return(raw["summary"], raw.get("detail"))

    def _values(self, mapped):
        return return_values(mapped)

    def _read_back(self, record):
        """eBay's return now (summary and detail), stored; returns it mapped."""
        summary, detail = self.returns.get(record.external_return_id)
        raw = {"summary": summary, "detail": detail}
        self._sync([raw])
        return self._map(raw)


class ReturnImporter(AfterSaleImporter, ReturnService):
    """``pull_returns``: eBay's returns of the shop created since its watermark (search by creation date, pages
    of 200), then the open ones re-read (``AfterSaleImporter``). A return new to Odoo, or whose status moved
    since Odoo stored it, is read whole (its detail has the RMA and the buyer's tracking); a replay reads
    nothing more. With it come the return's files (GET /files: the buyer's photos), kept as the return's
    attachments once each."""

    synced_until_field = "ebay_returns_synced_until"
    first_position = 1

    def _search_page(self, since, position):
        members, pages, total = self.returns.search_page(since, page=position, limit=PAGE_SIZE)
        return self._with_details(members), position + 1 if position < pages else None, total

    def _raw_id(self, raw):
        return str(raw["summary"].get("returnId"))

    def _with_details(self, members):
        stored = {record.external_return_id: record.external_state for record in self.env[self.model].search(
            [("shop_id", "=", self.shop.id),
             ("external_return_id", "in", [str(member.get("returnId")) for member in members])])}
        raws = []
        for summary in members:
            return_id = str(summary.get("returnId"))
            if stored.get(return_id) == external_state(summary.get("status"), summary.get("state")):
                raws.append({"summary": summary})
            else:
                summary, detail = self.returns.get(return_id)
                raws.append({"summary": summary, "detail": detail, "files": self.returns.files(return_id)})
        return raws

    def _sync(self, raws):
        counts = super()._sync(raws)
        with_files = {str(raw["summary"].get("returnId")): raw["files"] for raw in raws if "files" in raw}
        for record in self.env[self.model].search([("shop_id", "=", self.shop.id),
                                                   ("external_return_id", "in", list(with_files))]):
            record._attach_marketplace_files(return_files(with_files[record.external_return_id]))
        return counts


class ReturnAnswerer(ReturnService):
    """``answer_return``: approve (with the RMA number), decline (with the seller's reason) or offer a partial
    refund on eBay, once (``_send_once``: read first, an uncertain call read back, a refusal recorded)."""

    def execute(self):
        record = self._record()
        if record.answer not in DECISIONS or record.state != "requested":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", record.name))
            return
        answer = record.answer
        ebay = self._send_once(record, lambda: self._send(record, answer), (REQUESTED,), answer)
        if ebay:
            record._answered(ebay.state, external_state(ebay.ebay_status, ebay.ebay_state))
            self.run.log(_("%(name)s: %(answer)s sent to eBay (now %(state)s).", name=record.name, answer=answer,
                           state=ebay.state))

    def _send(self, record, answer):
        comments = record.decline_reason if answer == "decline" else None
        self.returns.decide(record.external_return_id, answer, comments=comments,
                            rma_number=record.rma_number or None, amount=record.offer_amount,
                            currency=record.currency_id.name)


class ReturnLabelSender(ReturnService):
    """``send_return_label``: the seller's own return label (the attachment chosen on the return, its carrier and
    tracking number) goes to eBay once, while the return is approved and the buyer has not sent the item yet.
    eBay is read first; every step of the sending may be sent again (see ``ReturnAdapter.send_label``), so an
    uncertain call is retried by the job; a refusal is written on the return (the seller may send it again)."""

    def execute(self):
        record = self._record()
        label = record.sudo().label_attachment_id
        if record.label_sent_at or not label:
            self.run.log(_("%s has no return label waiting to be sent: nothing to do.", record.name))
            return
        ebay = self._send_once(
            record, lambda: self.returns.send_label(record.external_return_id, label.name, label.raw,
                                                    record.label_carrier, record.label_tracking),
            (APPROVED,), _("the return label"), refused=record._label_refused)
        if ebay:
            record._label_sent()
            self.run.log(_("%s: return label sent to eBay.", record.name))


class ReturnReceiver(ReturnService):
    """``mark_return_received``: the return picking is validated, eBay is told the item arrived, once."""

    def execute(self):
        record = self._record()
        picking = record.sudo().picking_id
        if picking.state != "done":
            self.run.log(_("%s: its return picking is not done, nothing received yet.", record.name))
            return
        ebay = self._send_once(
            record, lambda: self.returns.mark_as_received(record.external_return_id,
                                                          comments=_("Received in %s", picking.name)),
            (APPROVED, ITEM_SHIPPED), _("item received"), refused=record._received_refused)
        if ebay:
            record._received(ebay.state, external_state(ebay.ebay_status, ebay.ebay_state))
            self.run.log(_("%(name)s: item received, told to eBay (now %(state)s).", name=record.name,
                           state=ebay.state))
        if record.state == ITEM_RECEIVED:   # eBay refunds a return once it has the item back
            record._refund_on_receipt()


class ReturnRefunder(ReturnService):
    """``refund_return``: the refund of a return whose item is back (the shop's Refund Returns on Receipt), sent
    once through Post-Order's issue_refund, run as the Marketplace Manager who turned that on (anyone else is
    refused). eBay is read first (refunded already: only stored), an uncertain POST is read back before the job
    retries, a refusal is written on the return. The refund is the return's (eBay's estimated refund), within
    what the buyer paid less the credit notes booked. eBay then shows it among the order's refunds: the order is
    re-read (``pull_orders``), which books it once as the order's draft credit note."""

    def execute(self):
        record = self._record()
        check_may_refund(record)
        ebay = self._send_once(record, lambda: self._send(record), (ITEM_RECEIVED,), _("the refund"),
                               refused=record._refund_refused)
        if not ebay:
            return
        self.run.log(_("%(name)s: refund of %(amount)s sent to eBay (now %(state)s).", name=record.name,
                       amount=record.refund_amount, state=ebay.state))
        self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                             payload={"order_ids": [record.order_id.external_order_id]}, priority=5)

    def _send(self, record):
        order = record.order_id
        amount = to_decimal(record.refund_amount)
        try:
            check_amount(order._refund_figures(), order._booked_credit_lines(), amount)
        except RefundError as exc:
            raise UserError(_("%(name)s: refund not sent: %(reason)s.", name=record.name, reason=exc)) from None
        self.account._ebay_ensure_signing_key(self.client)
        self.returns.issue_refund(record.external_return_id, amount, record.currency_id.name,
                                  comments=_("Refund of return %s", record.external_return_id),
                                  decimals=record.currency_id.decimal_places)
