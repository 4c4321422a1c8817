from odoo import _, fields
from odoo.exceptions import UserError

from ..ebay_api.errors import EbayRequestError, EbayUncertainError, MappingError
from ..sync_core.cancellations import cancellation_window, next_cancellation_watermark
from ..sync_core.times import to_naive_utc
from .base import EbayJobService

# open records re-read one by one per pull (eBay's Post-Order searches filter by creation date only)
MAX_REFRESH = 50


class AfterSaleService(EbayJobService):
    """What the Post-Order flows (cancellations, returns) share: the record an answer job names, and eBay's
    records stored in the shop through the model's ``_sync_from_marketplace``.

    A flow names its ``model`` (a marketplace.after.sale) and maps eBay's raw records (``_map``, ``_values``)."""

    model = None

    def _record(self):
        return self.env[self.model]._of_job_payload(self.run.payload)

    def _map(self, raw):
        raise NotImplementedError

    def _values(self, mapped):
        raise NotImplementedError

    def _sync(self, raws):
        """Store eBay's records in the shop; returns the counts of ``_sync_from_marketplace``."""
        records = []
        for raw in raws:
            try:
                records.append(self._values(self._map(raw)))
            except MappingError as exc:
                self.run.log(_("%(what)s not imported: %(error)s", what=self.env[self.model]._description,
                               error=exc), "warning")
        return self.env[self.model]._sync_from_marketplace(self.shop, records)

    def _read_back(self, record):
        """eBay's record now, stored; returns it mapped."""
        raise NotImplementedError

    def _send_once(self, record, send, waiting, what, refused=None):
        """Send ``what`` (the call ``send()``) for ``record`` once, while eBay's record is in one of the neutral
        states ``waiting``. eBay is read first: a record no longer waiting (answered in Seller Hub, or by an
        earlier attempt whose answer was lost) is only stored; a call that may have reached eBay unanswered is
        read back, and raised again (the job retries) only when eBay did not take it; a refusal is given to
        ``refused(message)`` (default: ``record._answer_refused``, the seller may answer again) and logged.
        Returns eBay's record after the call, or None when nothing was sent."""
        if self._read_back(record).state not in waiting:
            self.run.log(_("%(name)s is %(state)s on eBay already: %(what)s not sent again.", name=record.name,
                           state=record.state, what=what), "warning")
            return None
        try:
            send()
        except EbayUncertainError:
            if self._read_back(record).state in waiting:
                raise  # eBay did not take it: the retried job sends it then
        except EbayRequestError as exc:
            (refused or record._answer_refused)(exc.message)
            self._read_back(record)
            self.run.log(_("eBay refused %(what)s for %(name)s: %(error)s", what=what, name=record.name,
                           error=exc.message), "error")
            return None
        return self._read_back(record)


class AfterSaleImporter(AfterSaleService):
    """A pull of the shop's Post-Order records created since its watermark (``synced_until_field``), page by
    page with an overlap, in slices; then the open ones created earlier re-read by id (the searches cannot
    filter by modification date). Replays change nothing: ``_sync_from_marketplace`` writes differences only.
    A record of an order Odoo does not know yet queues that order's import and is found again next time (the
    watermark waits for it).

    A pull names ``synced_until_field``, ``first_position`` and reads pages with ``_search_page``."""

    synced_until_field = None
    first_position = 0

    def _search_page(self, since, position):
        """``(raw records, position of the next page or None, total or None)``."""
        raise NotImplementedError

    def _raw_id(self, raw):
        raise NotImplementedError

    def execute(self):
        if not self.shop:
            raise UserError(_("Job %(job)s: pulling %(what)s needs a shop.", job=self.job.name,
                              what=self.env[self.model]._description))
        now = fields.Datetime.now()
        synced_until = self.shop[self.synced_until_field]
        state = self.run.continuation
        since = fields.Datetime.to_datetime(state["since"]) if state else cancellation_window(
            synced_until, now, self.shop.ebay_order_overlap_minutes)
        # not named "cursor": odoo's _() takes a local of that name for a database cursor
        position, seen = state.get("position", self.first_position), set(state.get("seen", []))
        waiting_since, unknown = state.get("waiting_since"), list(state.get("unknown", []))
        while position is not None:
            self.run.check_cancelled()
            raw, position, total = self._search_page(since, position)
            self.run.progress(total=total)
            counts = self._sync(raw)
            seen.update(self._raw_id(item) for item in raw)
            unknown += counts["unknown_order"]
            waiting_since = self._earliest_unknown(raw, counts["unknown_order"], waiting_since)
            self.run.log(_("%(what)s from %(since)s: %(count)s read; %(new)s new, %(updated)s updated, "
                           "%(unchanged)s unchanged, %(unknown)s of orders not imported yet.",
                           what=self.env[self.model]._description, since=since, count=len(raw),
                           new=counts["new"], updated=counts["updated"], unchanged=counts["unchanged"],
                           unknown=len(counts["unknown_order"])))
            if position is not None and self.run.time_is_up():
                self.run.pause(0, {"since": fields.Datetime.to_string(since), "position": position,
                                   "seen": sorted(seen), "waiting_since": waiting_since, "unknown": unknown})
        if unknown:
            self.env["marketplace.job"]._enqueue("pull_orders", shop=self.shop,
                                                 payload={"order_ids": sorted(set(unknown))}, priority=5)
        self._refresh_open(seen)
        mark = next_cancellation_watermark(synced_until, now,
                                           fields.Datetime.to_datetime(waiting_since) if waiting_since else None)
        if mark != synced_until:
            self.shop._move_watermark(self.synced_until_field, mark)

    def _refresh_open(self, seen):
        """Re-read the shop's open records that the search did not return (older than its window)."""
        Model = self.env[self.model]
        id_field = Model._external_id_field
        stale = Model.search(
            [("shop_id", "=", self.shop.id), ("closed_at", "=", False), (id_field, "!=", False),
             (id_field, "not in", list(seen))] + self._open_domain(), order="write_date asc", limit=MAX_REFRESH)
        for record in stale:
            self.run.check_cancelled()
            self._read_back(record)

    def _open_domain(self):
        """More conditions on the open records this pull re-reads (a model holding several kinds: its own)."""
        return []

    def _earliest_unknown(self, raw, unknown_orders, waiting_since):
        """The earliest request date among records whose order is not imported yet (ISO string)."""
        dates = [waiting_since] if waiting_since else []
        for item in raw:
            try:
                mapped = self._map(item)
            except MappingError:
                continue    # logged by _sync
            if mapped.order_id in unknown_orders and mapped.requested_at:
                dates.append(fields.Datetime.to_string(to_naive_utc(mapped.requested_at)))
        return min(dates) if dates else None
