from datetime import timedelta

from odoo import _, fields

from odoo.addons.marketplace_base.services.order_batch_importer import continuation_moment

from ..ebay_api.errors import MappingError
from ..ebay_api.finances import FinancesAdapter
from ..ebay_api.mappers import map_money_payout, map_money_transaction
from .base import EbayJobService

FIRST_PULL_DAYS = 89      # a date range without an end covers 90 days from its start (or up to now)
OVERLAP = timedelta(days=2)


class FinancesImporter(EbayJobService):
    """``pull_finances`` (an account): eBay's money transactions and payouts since the last pull, stored once per
    eBay id (``marketplace.money.transaction``, ``marketplace.payout``), each payout checked against the
    transactions it pays.

    Three stages, each page committed and the job paused when its slice is up: the transactions dated in the
    window (oldest first), the payouts dated in it, then, for each payout that does not add up yet, its
    transactions by payout id (a payout pays transactions older than the window, whose payout id was set after
    they were first stored): one call more per such payout and pull. The account's watermark moves once all
    three are done. Calls are signed for EU/UK sellers."""

    def execute(self):
        self.account._ebay_ensure_signing_key(self.client)
        finances = FinancesAdapter(self.client)
        state = dict(self.run.continuation)
        if not state:
            until = fields.Datetime.now()
            since = (self.account.ebay_finances_synced_until - OVERLAP if self.account.ebay_finances_synced_until
                     else until - timedelta(days=FIRST_PULL_DAYS))
            state = {"stage": "transactions", "since": since, "until": until}
            self.run.log(_("Pulling eBay money transactions and payouts from %(since)s to %(until)s (UTC).",
                           since=since, until=until))
        since, until = continuation_moment(state["since"]), continuation_moment(state["until"])
        if state["stage"] == "transactions":
            # open-ended: eBay answers up to now (a transaction of the current second is no later than the window)
            self._store_pages(finances.iter_transaction_pages(since, resume=state.get("next")), state,
                              self._store_transactions)
            state = dict(state, stage="payouts", next=None)
        if state["stage"] == "payouts":
            self._store_pages(finances.iter_payout_pages(since, resume=state.get("next")), state,
                              self._store_payouts)
            state = dict(state, stage="payout_transactions", next=None)
        for payout in self._unreconciled_payouts(state):
            resume = state.get("next") if state.get("payout") == payout.external_id else None
            pages = finances.iter_transaction_pages(payout_id=payout.external_id, resume=resume)
            self._store_pages(pages, dict(state, payout=payout.external_id), self._store_transactions)
            state = dict(state, next=None, done_payouts=state.get("done_payouts", []) + [payout.external_id])
            self.run.checkpoint(state)
        self.account.ebay_finances_synced_until = until
        self._log_checks()
        for message, level in self.env["marketplace.payout"]._book_after_pull(self.account):
            self.run.log(message, level=level)

    def _store_pages(self, pages, state, store):
        """Store page after page; pause with the next page's query when the slice is up."""
        for page in pages:
            self.run.check_cancelled()
            store(page.items)
            continuation = dict(state, next=page.next_params)
            self.run.checkpoint(continuation)
            if page.next_params and self.run.time_is_up():
                self.run.pause(0, continuation)

    def _store_transactions(self, raw_transactions):
        mapped = self._mapped(raw_transactions, map_money_transaction)
        self.env["marketplace.money.transaction"]._store_mapped(self.account, mapped)
        self.run.progress(fetched=len(raw_transactions), stored=len(mapped))

    def _store_payouts(self, raw_payouts):
        self.env["marketplace.payout"]._store_mapped(self.account, self._mapped(raw_payouts, map_money_payout))

    def _mapped(self, raw_records, mapper):
        """Mapped records; one eBay cannot be booked from is logged and left out, never guessed."""
        mapped = []
        for raw in raw_records:
            try:
                mapped.append(mapper(raw))
            except MappingError as exc:
                self.run.progress(failed=1)
                self.run.log(_("Left out: %s", exc), level="warning")
        return mapped

    def _unreconciled_payouts(self, state):
        done = set(state.get("done_payouts", []))
        payouts = self.env["marketplace.payout"].search([("account_id", "=", self.account.id),
                                                         ("check_state", "!=", "reconciled")], order="id")
        return payouts.filtered(lambda payout: payout.external_id not in done)

    def _log_checks(self):
        self.run.log(*self.env["marketplace.payout"]._check_log([("account_id", "=", self.account.id)]))
