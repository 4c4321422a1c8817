import base64

from odoo import _, fields
from odoo.exceptions import UserError

from ..ebay_api.errors import EbayRequestError, EbayUncertainError, MappingError
from ..ebay_api.payment_dispute import (
    ACTION_NEEDED,
    MAX_PAGE_SIZE,
    PaymentDisputeAdapter,
    check_evidence_file,
    evidence_type_for,
    map_payment_dispute,
)
from ..sync_core.cancellations import cancellation_window, next_cancellation_watermark
from ..sync_core.disputes import dispute_values
from ..sync_core.times import to_naive_utc
from .base import EbayJobService

# open disputes re-read one by one per pull (the summaries filter by opening date only)
MAX_REFRESH = 50


class DisputeService(EbayJobService):
    """What the dispute flows share: the adapter, the account's orders and storing what eBay says."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.disputes = PaymentDisputeAdapter(self.client)

    def _orders(self, external_ids):
        return self.env["marketplace.order"].sudo().search(
            [("shop_id.account_id", "=", self.account.id), ("external_order_id", "in", list(external_ids))])

    def _sync(self, raw_disputes, detail):
        """Store eBay's disputes in the shops of their orders; returns the counts of ``_sync_from_account``."""
        records = []
        for raw in raw_disputes:
            try:
                records.append(dispute_values(map_payment_dispute(raw), detail))
            except MappingError as exc:
                self.run.log(_("Payment dispute not imported: %s", exc), "warning")
        orders = self._orders({record["external_order_id"] for record in records})
        return self.env["marketplace.dispute"]._sync_from_account(orders, records)

    def _read_back(self, dispute):
        """eBay's dispute now, stored; returns its PaymentDispute."""
        raw = self.disputes.get(dispute.external_dispute_id)
        self._sync([raw], detail=True)
        return map_payment_dispute(raw)


class DisputeImporter(DisputeService):
    """``pull_disputes`` (an account): eBay's payment disputes opened since the account's watermark (summaries by
    opening date, pages of 200, the shops' order overlap), each new or changed one then read in full
    (getPaymentDispute: the evidence eBay asks for, the outcome), then the open ones opened earlier re-read by id.
    Replays change nothing.
    A dispute of an order Odoo does not know yet is found again once the order is imported (the watermark waits)."""

    def execute(self):
        if self.shop:
            raise UserError(_("Job %s: payment disputes are pulled per eBay account, not per shop.", self.job.name))
        now = fields.Datetime.now()
        mark = self.account.ebay_disputes_synced_until
        # the account's shops' order overlap: a dispute indexed late is not missed either
        overlap = max(self.account.sudo().shop_ids.mapped("ebay_order_overlap_minutes") or [0])
        since = cancellation_window(mark, now, overlap)
        seen, unknown, waiting_since, offset = set(), set(), None, 0
        while True:
            self.run.check_cancelled()
            raw, total = self.disputes.summaries_page(since, offset=offset, limit=MAX_PAGE_SIZE)
            self.run.progress(total=total)
            counts = self._sync(raw, detail=False)
            for item in raw:
                seen.add(str(item.get("paymentDisputeId")))
                if str(item.get("orderId")) in counts["unknown_order"]:
                    opened = to_naive_utc(map_payment_dispute(item).opened_at)
                    waiting_since = min(filter(None, (waiting_since, opened)), default=None)
            unknown.update(counts["unknown_order"])
            changed = [item for item in raw if str(item.get("paymentDisputeId")) in counts["changed"]]
            for item in changed:
                self._sync([self.disputes.get(item["paymentDisputeId"])], detail=True)
            self.run.log(_("Payment disputes opened from %(since)s: %(count)s read; %(new)s new, %(updated)s "
                           "updated, %(unchanged)s unchanged, %(unknown)s of orders not imported yet.", since=since,
                           count=len(raw), new=counts["new"], updated=counts["updated"],
                           unchanged=counts["unchanged"], unknown=len(counts["unknown_order"])))
            offset += len(raw)
            if not raw or offset >= total:
                break
        if unknown:
            self.run.log(_("Payment disputes of orders not imported yet (found again once they are): %s",
                           ", ".join(sorted(unknown))), "warning")
        self._refresh_open(seen)
        new_mark = next_cancellation_watermark(mark, now, waiting_since)
        if new_mark != mark:
            self.account.ebay_disputes_synced_until = new_mark

    def _refresh_open(self, seen):
        """Re-read the account's open disputes that the summaries did not return (opened before the window)."""
        stale = self.env["marketplace.dispute"].search(
            [("shop_id.account_id", "=", self.account.id), ("state", "!=", "closed"),
             ("external_dispute_id", "not in", list(seen))], order="write_date asc", limit=MAX_REFRESH)
        for dispute in stale:
            self.run.check_cancelled()
            self._read_back(dispute)


class DisputeAnswerer(DisputeService):
    """``answer_dispute``: accept, or contest with evidence, a dispute on eBay, once.

    eBay's dispute is read first: one no longer waiting for the seller (answered in Seller Hub, or by an earlier
    attempt whose answer was lost) is only stored. A contest uploads each chosen file once (its file id is kept at
    once), adds them as one evidence set unless eBay shows them already, reads the new revision and contests. A
    call eBay refuses is written on the dispute (the manager may answer again) and the job's log; one that may have
    reached eBay unanswered is read back before anything is sent again."""

    def execute(self):
        dispute = self.env["marketplace.dispute"]._of_job_payload(self.run.payload)
        answer = dispute.answer
        if answer not in ("accept", "contest") or dispute.state != "action_needed":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", dispute.name))
            return
        ebay = self._read_back(dispute)
        if ebay.state != ACTION_NEEDED or ebay.seller_response:
            self.run.log(_("%(name)s is %(state)s on eBay already: not answered again.", name=dispute.name,
                           state=ebay.ebay_status), "warning")
            return
        try:
            if answer == "contest":
                ebay = self._send_evidence(dispute, ebay)
                self._answer_once(dispute, lambda revision: self.disputes.contest(
                    dispute.external_dispute_id, revision, note=dispute.note or None,
                    return_address=self._return_address(dispute) if ebay.reason == "not_as_described" else None),
                    ebay)
            else:
                self._answer_once(dispute, lambda revision: self.disputes.accept(dispute.external_dispute_id,
                                                                                  revision), ebay)
        except (EbayRequestError, _Refused) as exc:
            dispute._answer_refused(exc.message)
            self._read_back(dispute)
            self.run.log(_("eBay refused to %(answer)s %(name)s: %(error)s", answer=answer, name=dispute.name,
                           error=exc.message), "error")
            return
        ebay = map_payment_dispute(self.disputes.get(dispute.external_dispute_id))
        dispute._answered(dispute_values(ebay))
        self.run.log(_("%(name)s: %(answer)s sent to eBay (now %(state)s).", name=dispute.name, answer=answer,
                       state=ebay.ebay_status))

    def _answer_once(self, dispute, send, ebay):
        """Send the answer at eBay's current revision; after an uncertain answer, eBay is read: answered, done;
        still waiting, the job fails and its retry sends it then."""
        try:
            send(ebay.revision)
        except EbayUncertainError:
            if self._read_back(dispute).seller_response is None:
                raise

    def _send_evidence(self, dispute, ebay):
        """Upload the chosen files not uploaded yet and add those eBay does not show yet as one evidence set;
        returns the dispute as eBay has it afterwards (a new revision)."""
        attachments = dispute.sudo().evidence_attachment_ids
        if not attachments:
            return ebay
        uploads = dict(dispute.evidence_uploads or {})
        for attachment in attachments:
            if str(attachment.id) not in uploads:
                problem = check_evidence_file(attachment.name, attachment.mimetype, attachment.file_size)
                if problem:
                    raise _Refused(problem)
                file_id = self.disputes.upload_evidence_file(dispute.external_dispute_id, attachment.name,
                                                             base64.b64decode(attachment.datas), attachment.mimetype)
                dispute._evidence_uploaded(attachment, file_id)
                uploads[str(attachment.id)] = file_id
        new = [uploads[str(attachment.id)] for attachment in attachments
               if uploads[str(attachment.id)] not in ebay.evidence_file_ids]
        if new:
            try:
                self.disputes.add_evidence(dispute.external_dispute_id, evidence_type_for(ebay), new, ebay.line_items)
            except EbayUncertainError:
                if not set(new) <= set(self._read_back(dispute).evidence_file_ids):
                    raise
            dispute._evidence_sent(attachments)
        return self._read_back(dispute)

    def _return_address(self, dispute):
        """Where the buyer returns the item (eBay wants one to contest a not-as-described dispute): the shop's
        warehouse address, else the company's."""
        partner = dispute.sudo().shop_id.warehouse_id.partner_id or dispute.sudo().company_id.partner_id
        address = {"fullName": partner.name, "addressLine1": partner.street, "addressLine2": partner.street2,
                   "city": partner.city, "stateOrProvince": partner.state_id.code, "postalCode": partner.zip,
                   "country": partner.country_id.code}
        if partner.phone:
            address["primaryPhone"] = {"number": "".join(char for char in partner.phone if char.isdigit())}
        return {key: value for key, value in address.items() if value}


class _Refused(Exception):
    """A refusal known before asking eBay (a file eBay does not take)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
