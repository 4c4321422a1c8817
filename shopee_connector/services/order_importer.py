from datetime import timedelta

from odoo import _, fields
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.services.order_batch_importer import OrderBatchImporter, continuation_moment

from ..shopee_api.batching import MAX_ORDER_SNS, MAX_PAGE_SIZE, windows
from ..shopee_api.errors import MappingError
from ..shopee_api.mappers import CANCELLED, UNPAID, map_order, parse_moment, to_epoch
from ..shopee_api.orders import OrderAdapter
from ..shopee_api.payments import PaymentAdapter
from .base import ShopeeJobService


class OrderImporter(OrderBatchImporter, ShopeeJobService):
    """``pull_orders``: Shopee orders become marketplace orders and sale orders, exactly once.

    By update-time windows of at most 15 days, cursor pages of up to 100 order numbers, details 50 a
    call, stored and made into sale orders in batches (``OrderBatchImporter``). Idempotence rests on
    marketplace_base (``_import_settled`` finds an order by its order number and lines by item and model;
    ``_convert_isolated`` makes at most one sale order). Each page is committed; when a slice's time is up
    the job pauses with its window and cursor.
    """

    refused_errors = (UserError, MappingError)
    payload_key = "order_sns"

    def __init__(self, job, run):
        super().__init__(job, run)
        self.orders = OrderAdapter(self.session)
        self.payments = PaymentAdapter(self.session)
        self._init_order_import()

    def execute(self):
        order_sns = self.run.payload.get("order_sns")
        if order_sns is not None:
            self.import_order_sns(order_sns)
        else:
            self.pull_windows()
        self._log_summary()

    # -- by update-time windows (cron, button) ---------------------------------
    def pull_windows(self):
        state = dict(self.run.continuation)
        if state:
            self.counts.update(state["counts"])
            since, until = continuation_moment(state["since"]), continuation_moment(state["until"])
        else:
            since, until = self._window()
            self.run.log(_("Pulling Shopee orders updated from %(since)s to %(until)s (UTC).", since=since,
                           until=until))
        for start, end in windows(continuation_moment(state.get("start")) or since, until):
            cursor = state.get("cursor", "") if continuation_moment(state.get("start")) == start else ""
            while True:
                self.run.check_cancelled()
                page = self.orders.order_page(to_epoch(start), to_epoch(end), cursor, self._page_size())
                _found, done, raced = self._import_sns(page.order_sns, skip=set(state.pop("done_in_page", ())))
                if raced:  # this page again, the raced orders first
                    self.run.hand_over_raced(_("Orders %s", ", ".join(raced)), {
                        "since": since, "until": until, "start": start, "cursor": cursor,
                        "counts": dict(self.counts), "done_in_page": done})
                cursor = page.next_cursor if page.more else ""
                continuation = {"since": since, "until": until, "start": start if cursor else end,
                                "cursor": cursor, "counts": dict(self.counts)}
                self.run.checkpoint(continuation)
                if not cursor:
                    break
                if self.run.time_is_up():
                    self.run.pause(0, continuation)
        if not self.run.payload.get("until"):
            self.shop._move_watermark("shopee_orders_synced_until", until)

    def _window(self):
        """(since, until): the payload's, else from the shop's watermark minus the overlap until now."""
        payload, shop = self.run.payload, self.shop
        now = fields.Datetime.now()
        try:
            since = parse_moment(payload["since"]) if payload.get("since") else None
            until = parse_moment(payload["until"]) if payload.get("until") else now
        except (TypeError, ValueError) as exc:
            raise JobPayloadError(_('Payload: "since" and "until" are dates like "2024-11-01T00:00:00" (%s).',
                                    exc)) from exc
        if since is None:
            since = (shop.shopee_orders_synced_until - timedelta(minutes=shop.shopee_order_overlap_minutes)
                     if shop.shopee_orders_synced_until else now - timedelta(days=shop.shopee_order_initial_days))
        if since >= until:
            raise JobPayloadError(_("Payload: \"since\" must be before \"until\"."))
        return since, until

    def _page_size(self):
        size = self.env["ir.config_parameter"].sudo().get_param("shopee_connector.order_page_size", MAX_PAGE_SIZE)
        return max(1, min(MAX_PAGE_SIZE, int(size)))

    # -- by order number (a push, a payload) -----------------------------------
    def import_order_sns(self, order_sns):
        """Import the named orders; returns those Shopee did not return.

        Orders that keep losing races end this run with the others kept; the next run skips the orders
        done (``done`` in the continuation)."""
        if not isinstance(order_sns, list) or not all(isinstance(sn, str) and sn.strip() for sn in order_sns):
            raise JobPayloadError(_('Payload: "order_sns" must be a list of Shopee order numbers, e.g. '
                                    '["2611010ABCDEF"].'))
        wanted = list(dict.fromkeys(sn.strip() for sn in order_sns))
        state = self.run.continuation
        skip = set(state.get("done", ()))
        self.counts.update(state.get("counts", {}))
        if not skip:
            self.run.progress(total=len(wanted))
        found, done, raced = self._import_sns(wanted, skip)
        if raced:
            self.run.hand_over_raced(_("Orders %s", ", ".join(raced)), {"done": done, "counts": dict(self.counts)})
        missing = [sn for sn in wanted if sn not in found and sn not in skip]
        if missing:
            self.run.log(_("Shopee returned no order for: %s", ", ".join(missing)), "warning")
        return missing

    def _import_sns(self, order_sns, skip=()):
        """Details of ``order_sns`` but those of ``skip`` (done in an earlier run), 50 a call, imported in
        batches. Returns (the order numbers Shopee returned, the order numbers done with ``skip``'s, the
        order numbers that kept losing races: the import stopped after their batch)."""
        found, done = set(), list(skip)
        for batch in chunked([sn for sn in order_sns if sn not in skip], MAX_ORDER_SNS):
            mapped = []
            details = self.orders.order_details(batch)
            escrows, stored = self._escrows(details), self._stored_line_ids(details)
            for detail in details:
                order_sn = str(detail.get("order_sn") or "?")
                found.add(order_sn)
                try:
                    mapped.append(map_order(detail, escrows.get(order_sn), stored.get(order_sn, ())))
                except MappingError as exc:
                    self._not_imported(order_sn, exc)
                    done.append(order_sn)
            todo, unpaid = self._route(mapped)
            for order in unpaid:
                self._left_alone(order, "unpaid")
            done += [order.key for order in unpaid]
            handled, _stopped, raced = self._import_mapped(todo)
            done += [order.key for order in handled]
            if raced:
                return found, done, raced
        return found, done, []

    def _escrows(self, details):
        """{order_sn: escrow} of the paid orders of ``details`` (one get_escrow_detail_batch call): what the buyer
        paid for each line, for shipping, and in vouchers and coins, which the order detail does not say."""
        paid = [str(detail["order_sn"]) for detail in details
                if detail.get("order_sn") and detail.get("order_status") not in (UNPAID, CANCELLED)]
        return self.payments.escrow_details(paid) if paid else {}

    def _stored_line_ids(self, details):
        """{order_sn: keys of its lines already in Odoo} of the orders of ``details`` this shop has."""
        lines = self.env["marketplace.order.line"].search(
            [("order_id.shop_id", "=", self.shop.id),
             ("order_id.external_order_id", "in", [str(detail.get("order_sn")) for detail in details])])
        stored = {}
        for line in lines:
            stored.setdefault(line.order_id.external_order_id, set()).add(line.external_line_id)
        return stored

    def _route(self, orders):
        """(the orders to import, routed to this shop; the unpaid orders Odoo does not know yet: imported with
        their next update, once paid)."""
        unpaid = [order.key for order in orders if order.unpaid]
        known = set(self.env["marketplace.order"].search(
            [("shop_id", "=", self.shop.id), ("external_order_id", "in", unpaid)]).mapped("external_order_id")
        ) if unpaid else set()
        todo = [order.routed(self.shop.id, self.shop.currency_id.name) for order in orders
                if not order.unpaid or order.key in known]
        return todo, [order for order in orders if order.unpaid and order.key not in known]

    def _log_summary(self):
        c = self.counts
        self.run.log(_("%(total)s Shopee order(s): %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                       "%(cancelled)s cancelled, %(unpaid)s not paid yet, %(errors)s in error, %(failed)s not "
                       "imported.", total=sum(c.values()), new=c["new"], updated=c["updated"],
                       unchanged=c["unchanged"], cancelled=c["cancelled"], unpaid=c["unpaid"], errors=c["error"],
                       failed=c["failed"]), "warning" if c["error"] or c["failed"] else "info")

