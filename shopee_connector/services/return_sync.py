from datetime import timedelta

from odoo import _, fields

from odoo.addons.marketplace_base.marketplace_core.refunds import Refund, to_decimal

from ..shopee_api.batching import windows
from ..shopee_api.errors import ShopeeRequestError, ShopeeUncertainError
from ..shopee_api.mappers import to_epoch
from ..shopee_api.returns import SHIPPED_BACK, WAITING, ReturnAdapter, UnknownReturnStatus, return_record
from .base import ShopeeJobService

FIRST_LOOK_BACK = timedelta(days=30)
# open returns re-read one by one per pull (the list filters by creation time only)
MAX_REFRESH = 50


class ReturnService(ShopeeJobService):
    """What the Shopee return flows share: the adapter and storing what Shopee says of returns."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.returns = ReturnAdapter(self.session)

    def _store(self, returns):
        records = []
        for data in returns:
            try:
                records.append(return_record(data))
            except UnknownReturnStatus as exc:
                self.run.log(_("Return %(sn)s not imported: %(error)s", sn=data.get("return_sn"), error=exc),
                             "warning")
        counts = self.env["marketplace.return"]._sync_from_marketplace(self.shop, records)
        self._book_refunds([record["external_return_id"] for record in records if record["state"] == "refunded"])
        return counts

    def _book_refunds(self, return_ids):
        """Shopee reports a return's refund only with the return (its orders and escrows do not): each refunded
        return's ``refund_amount`` is booked once as a credit note of its order, under ``<return_sn>:return``."""
        for record in self.env["marketplace.return"].search([("shop_id", "=", self.shop.id),
                                                             ("external_return_id", "in", return_ids),
                                                             ("refund_amount", ">", 0)]):
            refund = Refund(to_decimal(record.refund_amount), ref="%s:return" % record.external_return_id)
            for refund_id, reason in record.order_id._book_marketplace_refunds([refund], "return").items():
                self.run.log(_("Refund %(refund)s not booked: %(reason)s", refund=refund_id, reason=reason),
                             "warning")

    def _read_back(self, record):
        """Shopee's return now, stored; returns Shopee's data."""
        data = self.returns.detail(record.external_return_id)
        self._store([data])
        return data


class ReturnImporter(ReturnService):
    """``pull_returns``: Shopee returns created since the shop's watermark (get_return_list by creation-time
    windows under 15 days, pages of 100), then the shop's open returns created earlier re-read
    (get_return_detail). Replays change nothing. A return of an order Odoo does not know yet queues the order's
    import and is found again next time (the watermark waits)."""

    def execute(self):
        now = fields.Datetime.now()
        mark = self.shop.shopee_returns_synced_until
        since = mark - timedelta(minutes=max(0, self.shop.shopee_order_overlap_minutes)) if mark \
            else now - FIRST_LOOK_BACK
        seen, unknown = set(), []
        for start, end in windows(since, now):
            page_no, more = 0, True
            while more:
                self.run.check_cancelled()
                returns, more = self.returns.return_page(to_epoch(start), to_epoch(end), page_no)
                counts = self._store(returns)
                seen.update(str(data["return_sn"]) for data in returns)
                unknown += counts["unknown_order"]
                self.run.log(_("Shopee returns: %(count)s read; %(new)s new, %(updated)s updated, %(unchanged)s "
                               "unchanged, %(unknown)s of orders not imported yet.", count=len(returns),
                               new=counts["new"], updated=counts["updated"], unchanged=counts["unchanged"],
                               unknown=len(counts["unknown_order"])))
                page_no += 1
        self._refresh_open(seen)
        if unknown:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                                 payload={"order_sns": sorted(set(unknown))}, priority=5)
        elif mark != now:
            self.shop.shopee_returns_synced_until = now

    def _refresh_open(self, seen):
        stale = self.env["marketplace.return"].search(
            [("shop_id", "=", self.shop.id), ("closed_at", "=", False), ("external_return_id", "not in", list(seen))],
            order="write_date asc", limit=MAX_REFRESH)
        for record in stale:
            self.run.check_cancelled()
            self._read_back(record)


class ReturnAnswerer(ReturnService):
    """``answer_return``: confirm (Approve) or dispute (Decline, with the seller's reason and email) a return on
    Shopee, once: the return is read first (no longer REQUESTED: only stored); an answer Shopee refuses is
    recorded (the seller may answer again); one that may have reached Shopee unanswered is read back. Shopee's
    partial refund offer (``v2.returns.offer``) is not built: refused with that reason."""

    def execute(self):
        record = self.env["marketplace.return"]._of_job_payload(self.run.payload)
        if record.answer not in ("approve", "decline", "partial_refund") or record.state != "requested":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", record.name))
            return
        if record.answer == "partial_refund":
            return self._refused(record, _("offering a partial refund on Shopee is not available from Odoo yet: "
                                           "approve or decline, or make the offer in Seller Centre."))
        data = self._read_back(record)
        if data.get("status") != WAITING:
            self.run.log(_("%(name)s is no longer waiting on Shopee (%(status)s): not answered again.",
                           name=record.name, status=data.get("status")), "warning")
            return None
        try:
            self._send(record)
        except ValueError as exc:
            return self._refused(record, str(exc))
        except ShopeeUncertainError:
            if self._read_back(record).get("status") == WAITING:
                raise  # Shopee did not take it: the retried job sends it then
        except ShopeeRequestError as exc:
            return self._refused(record, str(exc))
        data = self._read_back(record)
        record._answered(return_record(data)["state"], data.get("status"))
        self.run.log(_("%(name)s: %(answer)s sent to Shopee (now %(status)s).", name=record.name,
                       answer=record.answer, status=data.get("status")))
        return None

    def _send(self, record):
        if record.answer == "approve":
            self.returns.confirm(record.external_return_id)
            return
        email = record.answered_by_id.email or record.shop_id.user_id.email or record.company_id.email
        self.returns.dispute(record.external_return_id, email, record.decline_reason)

    def _refused(self, record, message):
        record._answer_refused(message)
        self.run.log(_("Shopee refused the answer to %(name)s: %(error)s", name=record.name, error=message), "error")


class ReturnReceiver(ReturnService):
    """``mark_return_received``: Shopee takes no call for it (its returns API has confirm and dispute only; the
    return logistics tell Shopee the item arrived). The return is read and stored; nothing is sent. When the
    shop refunds returns on receipt, the refund is queued (``ReturnRefunder``)."""

    def execute(self):
        record = self.env["marketplace.return"]._of_job_payload(self.run.payload)
        data = self._read_back(record)
        self.run.log(_("%(name)s: received in Odoo; Shopee has no receipt call (the return is %(status)s there).",
                       name=record.name, status=data.get("status")))
        record._refund_on_receipt()


class ReturnRefunder(ReturnService):
    """``refund_return`` (the shop's Refund Returns on Receipt), run as the Marketplace Manager who turned it on
    (anyone else is refused): Shopee has no refund call; it refunds a return when the seller confirms it. A
    return on its way back (PROCESSING, the buyer shipped it) is confirmed once: Shopee refunds the buyer
    (REFUND_PAID), which the return's store books once as ``<return_sn>:return``. Shopee is read first (refunded
    already, or not confirmable: only stored and logged); an uncertain confirm is read back before the job
    retries; a refusal is written on the return."""

    def execute(self):
        record = self.env["marketplace.return"]._of_job_payload(self.run.payload)
        record._check_may_refund()
        status = self._read_back(record).get("status")
        if status != SHIPPED_BACK:
            self.run.log(_("%(name)s is %(status)s on Shopee: nothing to confirm (Shopee refunds a return the "
                           "seller confirmed once its logistics has the item back).", name=record.name,
                           status=status), "warning")
            return
        try:
            self.returns.confirm(record.external_return_id)
        except ShopeeUncertainError:
            if self._read_back(record).get("status") == SHIPPED_BACK:
                raise  # Shopee did not take it: the retried job confirms it then
        except ShopeeRequestError as exc:
            record._refund_refused(str(exc))
            self.run.log(_("Shopee refused to confirm %(name)s: %(error)s", name=record.name, error=exc), "error")
            return
        status = self._read_back(record).get("status")
        self.run.log(_("%(name)s: confirmed on Shopee for its refund (now %(status)s).", name=record.name,
                       status=status))
