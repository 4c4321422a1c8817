from decimal import Decimal

from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.marketplace_core.refunds import Refund, RefundError, check_amount
from odoo.addons.marketplace_base.models.marketplace_order import check_may_refund

from ..ebay_api.errors import EbayRequestError
from ..ebay_api.fulfillment import FulfillmentAdapter
from ..ebay_api.refunds import EBAY_REASONS, issue_refund_body, unbooked_refund
from .base import EbayJobService


class RefundIssuer(EbayJobService):
    """``issue_refund``: the refund a Marketplace Manager asked for in Odoo (``marketplace.order._request_refund``)
    goes to eBay's issueRefund once, then is booked as the order's draft credit note under eBay's refund id.

    Never twice: the job notes that it is sending (committed) before the POST; a run that finds the note, or a
    retried one, first reads getOrder's refunds and books the one an unanswered POST made (same amount, an id Odoo
    does not know) instead of sending again. Never more than the buyer paid: the amount is checked again against
    the credit notes booked by then; eBay refuses the rest itself (34915) and its refusal fails the job with
    eBay's words."""

    def execute(self):
        payload = self.run.payload
        order = self._order(payload)
        refund = self._refund(payload)
        fulfillment = FulfillmentAdapter(self.client)
        if self.run.continuation.get("sent") or self.job.attempts > 1:
            raw = fulfillment.get_order(order.external_order_id)
            made = unbooked_refund(raw, self._known_ids(order), refund.amount)
            if made:
                self.run.log(_("eBay made refund %s already (an earlier attempt's answer was lost): not sent "
                               "again.", made), "warning")
                return self._book(order, made, refund)
        try:
            check_amount(order._refund_figures(), order._booked_credit_lines(), refund.amount)
        except RefundError as exc:
            raise UserError(_("%(order)s: refund not sent: %(reason)s.", order=order.name, reason=exc)) from None
        body = issue_refund_body(refund, order.currency_id.name, EBAY_REASONS[payload["reason"]],
                                 payload.get("comment") or None, order.currency_id.decimal_places)
        self.account._ebay_ensure_signing_key(self.client)
        self.run.checkpoint({"sent": True})
        try:
            answer = fulfillment.issue_refund(order.external_order_id, body)
        except EbayRequestError as exc:
            raise UserError(_("eBay refused the refund of %(order)s: %(error)s", order=order.name,
                              error=exc.message)) from None
        self._book(order, answer["refundId"], refund)

    def _order(self, payload):
        order = self.env["marketplace.order"].browse(payload.get("order_id") if isinstance(
            payload.get("order_id"), int) else []).exists()
        if not order or order.shop_id != self.shop:
            raise JobPayloadError(_('The payload must name an order of shop %(shop)s: {"order_id": <id>, ...} (got '
                                    '%(order)s).', shop=self.shop.name, order=payload.get("order_id")))
        if payload.get("reason") not in EBAY_REASONS:
            raise JobPayloadError(_("The payload's reason %s is none of eBay's.", payload.get("reason")))
        check_may_refund(order)
        return order

    def _refund(self, payload):
        try:
            lines = [(str(ref), Decimal(str(amount))) for ref, amount in payload.get("lines") or ()]
            return Refund.of_lines(lines) if lines else Refund(Decimal(str(payload["amount"])))
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise JobPayloadError(_("The payload's amount or lines are not amounts: %s", exc)) from None

    def _known_ids(self, order):
        """The refund ids Odoo has booked for the order."""
        return set(self.env["account.move"].sudo().search([("marketplace_shop_id", "=", order.shop_id.id),
                                                           ("marketplace_order_id", "=", order.id)])
                   .mapped("marketplace_refund_ref"))

    def _book(self, order, refund_id, refund):
        credit_note = order._book_marketplace_refund(refund_id, refund.amount, lines=refund.lines, source="issued")
        self.run.log(_("eBay refund %(refund)s of %(order)s made; booked as %(move)s.", refund=refund_id,
                       order=order.name, move=credit_note.display_name))
