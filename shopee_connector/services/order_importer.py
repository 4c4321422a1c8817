from collections import Counter
from datetime import timedelta

from odoo import _, fields
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError

from ..shopee_api.batching import MAX_ORDER_SNS, MAX_PAGE_SIZE, windows
from ..shopee_api.errors import MappingError
from ..shopee_api.mappers import map_order, parse_moment, to_epoch
from ..shopee_api.orders import OrderAdapter
from .base import ShopeeJobService

STORED = ("new", "updated", "unchanged", "cancelled")


class OrderImporter(ShopeeJobService):
    """``pull_orders``: Shopee orders become marketplace orders and sale orders, exactly once.

    By update-time windows of at most 15 days, cursor pages of up to 100 order numbers, details 50 a
    call. Idempotence rests on marketplace_base (``_import_order`` finds an order by its order number
    and lines by item and model; ``_create_sale_order`` makes at most one sale order). Each page is
    committed; when a slice's time is up the job pauses with its window and cursor.
    """

    def __init__(self, job, run):
        super().__init__(job, run)
        self.orders = OrderAdapter(self.session)
        self.counts = Counter()
        self._currencies = {}

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
            since, until = _moment(state["since"]), _moment(state["until"])
        else:
            since, until = self._window()
            self.run.log(_("Pulling Shopee orders updated from %(since)s to %(until)s (UTC).", since=since,
                           until=until))
        for start, end in windows(_moment(state.get("start")) or since, until):
            cursor = state.get("cursor", "") if _moment(state.get("start")) == start else ""
            while True:
                self.run.check_cancelled()
                page = self.orders.order_page(to_epoch(start), to_epoch(end), cursor, self._page_size())
                self._import_sns(page.order_sns)
                cursor = page.next_cursor if page.more else ""
                continuation = {"since": since, "until": until, "start": start if cursor else end,
                                "cursor": cursor, "counts": dict(self.counts)}
                self.run.checkpoint(continuation)
                if not cursor:
                    break
                if self.run.time_is_up():
                    self.run.pause(0, continuation)
        if not self.run.payload.get("until"):
            self.shop.shopee_orders_synced_until = until

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
        """Import the named orders; returns those Shopee did not return."""
        if not isinstance(order_sns, list) or not all(isinstance(sn, str) and sn.strip() for sn in order_sns):
            raise JobPayloadError(_('Payload: "order_sns" must be a list of Shopee order numbers, e.g. '
                                    '["2611010ABCDEF"].'))
        wanted = list(dict.fromkeys(sn.strip() for sn in order_sns))
        self.run.progress(total=len(wanted))
        found = self._import_sns(wanted)
        missing = [sn for sn in wanted if sn not in found]
        if missing:
            self.run.log(_("Shopee returned no order for: %s", ", ".join(missing)), "warning")
        return missing

    def _import_sns(self, order_sns):
        """Details of ``order_sns``, 50 a call, imported one by one; returns the order numbers found."""
        found = set()
        for batch in chunked(order_sns, MAX_ORDER_SNS):
            for detail in self.orders.order_details(batch):
                found.add(str(detail.get("order_sn")))
                self._import_one(detail)
        return found

    def _import_one(self, detail):
        """One order, in a savepoint: a refused order is logged and the run goes on."""
        order_sn = detail.get("order_sn") or "?"
        try:
            with self.env.cr.savepoint():
                outcome = self._store(map_order(detail))
        except (UserError, MappingError) as exc:
            self.counts["failed"] += 1
            self.run.progress(fetched=1, failed=1)
            self.run.log(_('Order %(order)s not imported: %(error)s. Once fixed, import it again with the payload '
                           '{"order_sns": ["%(order)s"]}.', order=order_sn, error=exc), "error")
            return
        self.counts[outcome] += 1
        self.run.progress(fetched=1, stored=int(outcome in STORED), failed=int(outcome == "error"))

    def _store(self, mapped):
        Order = self.env["marketplace.order"]
        order_sn = mapped.values["external_order_id"]
        if mapped.unpaid and not Order.search_count([("shop_id", "=", self.shop.id),
                                                     ("external_order_id", "=", order_sn)]):
            return "unpaid"  # imported with its next update, once paid
        if mapped.currency not in self._currencies:
            self._currencies[mapped.currency] = Order._currency_by_code(mapped.currency or self.shop.currency_id.name)
        values = dict(mapped.values, currency_id=self._currencies[mapped.currency].id)
        order, outcome = Order._import_and_convert(self.shop, values, mapped.lines, cancelled=mapped.cancelled)
        if outcome == "error":
            self.run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
        return outcome

    def _log_summary(self):
        c = self.counts
        self.run.log(_("%(total)s Shopee order(s): %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                       "%(cancelled)s cancelled, %(unpaid)s not paid yet, %(errors)s in error, %(failed)s not "
                       "imported.", total=sum(c.values()), new=c["new"], updated=c["updated"],
                       unchanged=c["unchanged"], cancelled=c["cancelled"], unpaid=c["unpaid"], errors=c["error"],
                       failed=c["failed"]), "warning" if c["error"] or c["failed"] else "info")


def _moment(value):
    """A continuation's moment (canonical JSON keeps datetimes as text) back as a naive UTC datetime."""
    return fields.Datetime.to_datetime(value) if value else None
