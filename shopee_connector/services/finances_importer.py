from datetime import timedelta

from odoo import _, fields
from odoo.exceptions import UserError

from ..shopee_api.batching import MAX_ORDER_SNS, chunked, windows
from ..shopee_api.errors import MappingError
from ..shopee_api.mappers import from_epoch, to_epoch
from ..shopee_api.money import escrow_id, map_escrow, map_wallet
from ..shopee_api.payments import PaymentAdapter
from .base import ShopeeJobService

FIRST_LOOK_BACK = timedelta(days=30)
OVERLAP = timedelta(days=2)   # escrows released late in a window are read again (known ones cost no detail call)


class FinancesImporter(ShopeeJobService):
    """``pull_finances`` (a shop): Shopee's released escrows and the shop wallet's withdrawals since the last
    pull, stored once per id (``marketplace.money.transaction``, ``marketplace.payout``), each withdrawal
    checked against the wallet movements it pays out, then the reconciled payouts booked.

    Two stages, each committed window by window (under Shopee's 15 days) with the shop's watermark moved, so a
    slice that is up pauses and the next one starts from the watermark: the escrows released in the window
    (get_escrow_list; get_escrow_detail for those not stored yet: one call per order), then the wallet
    (get_wallet_transaction_list): a withdrawal pays the movements since the previous one, so the wallet's
    watermark is the last withdrawal's time and what follows it is read again until the next withdrawal."""

    def execute(self):
        self.payments = PaymentAdapter(self.session)
        self.currency = self.shop.currency_id.name
        if not self.currency:
            raise UserError(_("Shop %s has no currency: set it before pulling its money.", self.shop.name))
        now = fields.Datetime.now()
        if self.run.continuation.get("stage") != "wallet":
            mark = self.shop.shopee_escrows_synced_until
            self._pull_escrows(mark - OVERLAP if mark else now - FIRST_LOOK_BACK, now)
        self._pull_wallet(self.shop.shopee_wallet_synced_until or now - FIRST_LOOK_BACK, now)
        self._log_checks()
        for message, level in self.env["marketplace.payout"]._book_after_pull(self.account):
            self.run.log(message, level=level)

    def _pull_escrows(self, since, until):
        spans = windows(since, until)
        for number, (start, end) in enumerate(spans, start=1):
            page_no = 1
            while page_no:
                self.run.check_cancelled()
                page = self.payments.escrow_page(to_epoch(start), to_epoch(end), page_no)
                self._store_escrows({row["order_sn"]: row.get("escrow_release_time") for row in page.rows})
                page_no = page.next_page
            self.shop.shopee_escrows_synced_until = end
            self._slice_done({"stage": "escrows"}, number < len(spans))

    def _store_escrows(self, released):
        """Store the sales of the escrows not stored yet (``released``: order number -> release time)."""
        known = set(self.env["marketplace.money.transaction"].search([
            ("account_id", "=", self.account.id),
            ("external_id", "in", [escrow_id(self.shop_ref, sn) for sn in released])]).mapped("external_id"))
        mapped = []
        for batch in chunked([sn for sn in released if escrow_id(self.shop_ref, sn) not in known], MAX_ORDER_SNS):
            details = self.payments.escrow_details(batch)   # 50 escrows a call
            for order_sn in batch:
                try:
                    if order_sn not in details:
                        raise MappingError(f"Shopee gave no escrow of order {order_sn}")
                    mapped.append(map_escrow(self.shop_ref, details[order_sn], self.currency, released[order_sn]))
                except MappingError as exc:
                    self.run.progress(failed=1)
                    self.run.log(_("Left out: %s", exc), level="warning")
        self.env["marketplace.money.transaction"]._store_mapped(self.account, mapped)
        self.run.progress(fetched=len(released), stored=len(mapped))

    def _pull_wallet(self, since, until):
        # the last withdrawal's second is read again even when it is now's: what followed it in that second too
        rows, spans = [], windows(since, max(until, since + timedelta(seconds=1)))
        for number, (start, end) in enumerate(spans, start=1):
            page_no = 1
            while page_no:
                self.run.check_cancelled()
                page = self.payments.wallet_page(to_epoch(start), to_epoch(end), page_no)
                rows += page.rows
                page_no = page.next_page
            wallet = map_wallet(self.shop_ref, rows, self.currency)
            self._store_escrows({item.order_ref: to_epoch(item.date) for item in wallet.transactions
                                 if item.external_id == escrow_id(self.shop_ref, item.order_ref)})
            self.env["marketplace.payout"]._store_mapped(self.account, wallet.payouts)
            self.env["marketplace.money.transaction"]._store_mapped(self.account, wallet.transactions)
            if wallet.paid_until:   # what follows the last withdrawal is read again, until the next one
                self.shop.shopee_wallet_synced_until = from_epoch(wallet.paid_until)
                rows = [row for row in rows if int(row.get("create_time") or 0) >= wallet.paid_until]
            self._slice_done({"stage": "wallet"}, number < len(spans))

    @property
    def shop_ref(self):
        return self.shop.external_shop_id

    def _slice_done(self, continuation, more):
        """Commit a window; pause (resuming at ``continuation``'s stage from the watermark) when the slice is up."""
        self.run.checkpoint(continuation)
        if more and self.run.time_is_up():
            self.run.pause(0, continuation)

    def _log_checks(self):
        self.run.log(*self.env["marketplace.payout"]._check_log([
            ("account_id", "=", self.account.id), ("external_id", "=like", "%s-%%" % self.shop_ref)]))
