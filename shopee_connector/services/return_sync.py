from datetime import timedelta

from odoo import _, fields

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.marketplace_core.refunds import Refund, to_decimal
from odoo.addons.marketplace_base.models.marketplace_order import check_may_refund

from ..shopee_api.batching import windows
from ..shopee_api.errors import ShopeeRequestError, ShopeeUncertainError
from ..shopee_api.mappers import to_epoch
from ..shopee_api.returns import (
    SHIPPED_BACK,
    WAITING,
    ReturnAdapter,
    UnknownReturnStatus,
    dispute_body,
    evidence_refusal,
    image_list,
    offer_refusal,
    offer_standing,
    required_proofs,
    return_record,
)
from .base import ShopeeJobService

FIRST_LOOK_BACK = timedelta(days=30)


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
    """``pull_returns``: the Shopee returns changed since the shop's watermark, new or not (get_return_list by
    last-update-time windows under 15 days, pages of 100): one pass reads every return that moved, however many
    are open. Replays change nothing. A return of an order Odoo does not know yet queues the order's import and
    is found again next time (the watermark waits). With ``{"return_sns": [...]}`` (a push named them) only those
    returns are read, by id."""

    def execute(self):
        return_sns = self.run.payload.get("return_sns")
        if return_sns:
            self._read_named(return_sns)
            return
        now = fields.Datetime.now()
        mark = self.shop.shopee_returns_synced_until
        since = mark - timedelta(minutes=max(0, self.shop.shopee_order_overlap_minutes)) if mark \
            else now - FIRST_LOOK_BACK
        unknown = []
        for start, end in windows(since, now):
            page_no, more = 0, True
            while more:
                self.run.check_cancelled()
                returns, more = self.returns.return_page(to_epoch(start), to_epoch(end), page_no)
                counts = self._store(returns)
                unknown += counts["unknown_order"]
                self.run.log(_("Shopee returns: %(count)s read; %(new)s new, %(updated)s updated, %(unchanged)s "
                               "unchanged, %(unknown)s of orders not imported yet.", count=len(returns),
                               new=counts["new"], updated=counts["updated"], unchanged=counts["unchanged"],
                               unknown=len(counts["unknown_order"])))
                page_no += 1
        if unknown:
            self._queue_orders(unknown)
        elif mark != now:
            self.shop._move_watermark("shopee_returns_synced_until", now)

    def _read_named(self, return_sns):
        """Read and store the returns a push named (get_return_detail each); a return of an order Odoo does not know
        yet queues the order's import and is found again by the next pull (its last change is after the
        watermark, which waits for it) or push."""
        if not isinstance(return_sns, list) or not all(isinstance(sn, str) and sn for sn in return_sns):
            raise JobPayloadError(_('Payload: "return_sns" must be a list of Shopee return numbers.'))
        returns = [self.returns.detail(return_sn) for return_sn in return_sns]
        counts = self._store(returns)
        self.run.log(_("Shopee returns named by a push: %(count)s read; %(new)s new, %(updated)s updated, "
                       "%(unchanged)s unchanged, %(unknown)s of orders not imported yet.", count=len(returns),
                       new=counts["new"], updated=counts["updated"], unchanged=counts["unchanged"],
                       unknown=len(counts["unknown_order"])))
        self._queue_orders(counts["unknown_order"])

    def _queue_orders(self, order_sns):
        """Import the orders of returns Odoo does not know yet; their returns are found again next time."""
        if order_sns:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                                 payload={"order_sns": sorted(set(order_sns))}, priority=5)


class ReturnAnswerer(ReturnService):
    """``answer_return``: confirm (Approve), dispute (Decline), offer a partial refund or accept the buyer's offer
    (``accept_offer``) on a Shopee return, once.

    The return is read first (no longer REQUESTED: only stored). What Shopee would refuse is refused before
    anything is sent, with what to do: a dispute needs one of Shopee's reasons for this return (read and listed
    on the return at the first Decline, for the seller to choose) and the photos that reason asks for (the
    images attached to the return, uploaded with ``convert_image``); an offer stays within what
    ``get_available_solutions`` allows. An answer Shopee refuses is recorded (the seller may answer again); one
    that may have reached Shopee unanswered is read back (an offer stands when the negotiation's latest offer
    is the seller's, of that amount; an accepted buyer's offer when the return no longer waits for the seller).
    Accepting the buyer's offer, or approving a return whose item does not come back (Shopee's ``confirm``
    refunds at once), is a refund: run as a Marketplace Manager only (``check_may_refund``); whether
    the buyer's offer is still the negotiation's latest is Shopee's to judge (its refusal is written on the
    return), the refund booked as every Shopee return's, from the refunded return read back."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.reason = None   # the dispute reason the answer goes with, as Shopee gave it

    def execute(self):
        record = self.env["marketplace.return"]._of_job_payload(self.run.payload)
        if record.answer not in ("approve", "decline", "partial_refund", "accept_offer") or \
                record.state != "requested":
            self.run.log(_("%s has no answer waiting to be sent: nothing to do.", record.name))
            return
        if record._answer_refunds():
            check_may_refund(record)
        data = self._read_back(record)
        if record.answer == "partial_refund" and offer_standing(data, record.offer_amount):
            return self._done(record, data)   # sent by an earlier run whose answer was lost
        if data.get("status") != WAITING:
            self.run.log(_("%(name)s is no longer waiting on Shopee (%(status)s): not answered again.",
                           name=record.name, status=data.get("status")), "warning")
            return None
        try:
            refusal = self._refusal(record)
            if refusal:
                return self._refused(record, refusal)
            self._send(record)
        except ShopeeUncertainError:
            if not self._took(record, self._read_back(record)):
                raise  # Shopee did not take it: the retried job sends it then
        except ShopeeRequestError as exc:
            return self._refused(record, str(exc))
        return self._done(record, self._read_back(record))

    def _done(self, record, data):
        record._answered(return_record(data)["state"], data.get("status"))
        self.run.log(_("%(name)s: %(answer)s sent to Shopee (now %(status)s).", name=record.name,
                       answer=record.answer, status=data.get("status")))

    @staticmethod
    def _took(record, data):
        """Whether Shopee has the answer (the read-back of an uncertain call)."""
        if record.answer == "partial_refund":
            return offer_standing(data, record.offer_amount)
        return data.get("status") != WAITING

    def _refusal(self, record):
        """Why Shopee would refuse the answer, said to the seller; None to send it."""
        if record.answer == "partial_refund":
            return self._offer_refusal(record)
        if record.answer == "decline":
            return self._dispute_refusal(record)
        return None

    def _offer_refusal(self, record):
        solutions = self.returns.available_solutions(record.external_return_id)
        code = offer_refusal(solutions, record.offer_amount)
        bounds = solutions.get("offer_refund") or {}
        return {
            None: None,
            "not_eligible": _("Shopee takes no partial refund offer for %s now (no refund-only solution, or no "
                              "counter-offer left): approve or decline it.", record.name),
            "not_adjustable": _("Shopee does not let the refund of %s be adjusted: approve or decline it.",
                                record.name),
            "below_minimum": _("Shopee takes an offer of at least %(amount)s for %(name)s.",
                               amount=bounds.get("min_refund_amount"), name=record.name),
            "above_maximum": _("Shopee takes an offer of at most %(amount)s for %(name)s.",
                               amount=bounds.get("max_refund_amount"), name=record.name),
        }[code]

    def _dispute_refusal(self, record):
        reasons = {reason["code"]: reason for reason in self.returns.dispute_reasons(record.external_return_id)}
        record._store_shopee_dispute_reasons(list(reasons.values()))
        chosen = record.shopee_dispute_reason_id
        self.reason = reasons.get(chosen.code)
        if not chosen or not self.reason:
            return _("Shopee disputes a return with one of its own reasons for it: choose one in Shopee's Reason "
                     "on %s (now listed), then decline again.", record.name)
        code = evidence_refusal(self.reason["evidence"], len(record._shopee_proof_images()))
        return {
            None: None,
            "photos_required": _("Shopee asks for photos with the reason \"%(reason)s\" (%(proof)s): attach them "
                                 "to %(name)s (jpg or png), then decline again.", reason=chosen.name,
                                 proof=chosen.proof, name=record.name),
            "several_proofs": _("Shopee asks for several proofs with the reason \"%(reason)s\" (%(proof)s): "
                                "dispute %(name)s in Seller Centre, or choose another reason.", reason=chosen.name,
                                proof=chosen.proof, name=record.name),
        }[code]

    def _send(self, record):
        if record.answer == "approve":
            self.returns.confirm(record.external_return_id)
        elif record.answer == "accept_offer":
            self.returns.accept_offer(record.external_return_id)
        elif record.answer == "partial_refund":
            self.returns.offer(record.external_return_id, record.offer_amount)
        else:
            self.returns.dispute(self._dispute_body(record))

    def _dispute_body(self, record):
        """The dispute with the reason chosen (as ``_dispute_refusal`` read it), the seller's words and, when the
        reason asks for proof, the photos uploaded to Shopee."""
        sn, evidence = record.external_return_id, self.reason["evidence"]
        urls = [self.returns.convert_image(sn, image.name, image.raw, image.mimetype)
                for image in record._shopee_proof_images()] if required_proofs(evidence) else []
        email = record.answered_by_id.email or record.shop_id.user_id.email or record.company_id.email
        try:
            return dispute_body(sn, email, self.reason["code"], record.decline_reason, image_list(evidence, urls))
        except ValueError as exc:
            raise ShopeeRequestError(str(exc)) from exc

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
        check_may_refund(record)
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
