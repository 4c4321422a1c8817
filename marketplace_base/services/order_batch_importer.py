from collections import Counter

from odoo import _, fields
from odoo.exceptions import UserError

from ..marketplace_core.isolation import apply_isolating

STORED_OUTCOMES = ("new", "updated", "unchanged", "cancelled")
# Orders stored and turned into sale orders together: large enough that the per-batch queries (searches,
# one create each for orders, contacts and sale orders, one confirmation) cost little per order, small
# enough that a slice checks its time every few seconds and a batch with a bad order is halved quickly.
ORDERS_PER_BATCH = 50


class OrderBatchImporter:
    """The platform-neutral half of an order import: mapped orders stored and made into sale orders in
    batches, a refused order left out alone, a raced order retried alone, counts and progress.

    A connector's order importer mixes this in next to its job service (``self.env``, ``self.run``), calls
    ``_init_order_import()`` when it is made (``self.counts`` counts the outcomes), maps each marketplace order
    once into a ``marketplace_core.orders.MappedOrder``, routes it to its shop (``MappedOrder.routed``) and hands
    the routed orders to ``_import_mapped``; an order it leaves alone this run (another shop's, not paid yet)
    it reports with ``_left_alone``. From there the import goes down to the models without calling the
    connector back. It declares:

    - ``refused_errors``: the exceptions of an order's bad data (its ``MappingError`` besides ``UserError``);
    - ``payload_key``: the payload key that names orders to import (its refusals say how to retry them).

    Idempotence rests on ``marketplace.order``: ``_import_settled`` finds an order by its number and its lines
    by their ids, ``_convert_isolated`` makes at most one sale order.
    """

    refused_errors = (UserError,)
    payload_key = None

    def _init_order_import(self):
        self.counts = Counter()
        self._currency_ids = {}

    def _import_mapped(self, todo, may_pause=False):
        """Import ``todo`` (mapped orders) in batches; returns (the orders handled, stopped, raced keys).

        ``stopped`` is True when it stopped before the end: when ``may_pause`` and the slice's time is up
        (after one order at least), or after a batch whose orders kept losing races with other transactions
        (their keys in ``raced``, nothing of theirs kept); the caller then pauses or hands over with the keys
        of the orders handled, and its next run does the rest."""
        handled, position = [], 0
        while position < len(todo):
            size = ORDERS_PER_BATCH
            if may_pause and self.run.time_is_up():
                if position:
                    return handled, True, []
                size = 1  # a slice imports one order at least
            done, raced = self._import_batch(todo[position:position + size])
            handled += done
            position += size
            if raced:
                return handled, True, [mapped.key for mapped in raced]
        return handled, False, []

    def _import_batch(self, batch):
        """A batch of orders stored together, then their sale orders made together; returns (the orders
        handled, the orders that kept losing races).

        An order whose data is refused (``refused_errors`` while storing it) is left out and logged, one whose
        sale order is refused stays in error with the reason; the others of the batch go through
        (``apply_isolating``: the batch first, then halves around the bad one). An order that loses a race with
        another transaction (a stock adjustment or push on the rows its sale order reserves, another worker
        importing the same order) costs only itself: it is tried again in a fresh transaction
        (``JobRun.apply_isolating``), and returned when it keeps losing.
        """
        handled, _failed, raced = self.run.apply_isolating(batch, self._import_group)
        for mapped, (outcome, order) in handled:
            if outcome == "refused":  # the "order" is the reason here
                self._not_imported(mapped.key, order)
                continue
            if outcome == "error":
                self.run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
            self.counts[outcome] += 1
            self.run.progress(fetched=1, stored=int(outcome in STORED_OUTCOMES), failed=int(outcome == "error"))
        return [mapped for mapped, _outcome in handled], raced

    def _import_group(self, group):
        """Store a group of orders and make their sale orders, in one go; per order ``(outcome, order)``, or
        ``("refused", reason)`` for an order whose data is refused. Reported by the caller once the group is
        kept (a group that lost a race is undone and tried again)."""
        stored, refused = apply_isolating(group, self._store, self.env.cr.savepoint, self.refused_errors)
        to_convert = list(dict.fromkeys(order for _mapped, (outcome, order) in stored if outcome == "convert"))
        # the records keep the import's context (no chatter message on what an import creates)
        converted = (to_convert[0].browse([order.id for order in to_convert])._convert_isolated(importing=True)
                     if to_convert else {})
        outcomes = {id(mapped): ("refused", exc) for mapped, exc in refused}
        for mapped, (outcome, order) in stored:
            outcomes[id(mapped)] = (converted[order] if outcome == "convert" else outcome, order)
        self._book_refunds(stored)
        return [outcomes[id(mapped)] for mapped in group]

    def _book_refunds(self, stored):
        """Book the refunds the marketplace reports on the stored orders (``MappedOrder.refunds``), each once
        (``marketplace.order._book_marketplace_refunds``); one that cannot be booked yet is logged and found
        again at the next import or money pull."""
        for mapped, (_outcome, order) in stored:
            if not mapped.refunds or not order.sale_order_id:
                continue
            for refund_id, reason in order._book_marketplace_refunds(mapped.refunds, "order").items():
                self.run.log(_("Refund %(refund)s not booked: %(reason)s", refund=refund_id, reason=reason),
                             "warning")

    def _store(self, group):
        """Store a group of routed orders (``_import_settled`` per shop); per order ``(outcome, order)``, the
        outcome ``convert`` for an order that still needs its sale order."""
        by_shop = {}
        for index, mapped in enumerate(group):
            values = dict(mapped.values, currency_id=self._currency_id(mapped.currency))
            by_shop.setdefault(mapped.shop_id, []).append((index, (values, mapped.line_values(), mapped.cancelled)))
        outcomes = [None] * len(group)
        Order, Shop = self.env["marketplace.order"], self.env["marketplace.shop"]
        for shop_id, entries in by_shop.items():
            settled = Order._import_settled(Shop.browse(shop_id), [order for _index, order in entries])
            for (index, _order), (order, outcome) in zip(entries, settled, strict=True):
                outcomes[index] = (outcome, order)
        return outcomes

    def _left_alone(self, mapped, outcome):
        """An order this run does not import (``outcome``: e.g. ``other_shop``, ``unpaid``): counted."""
        self.counts[outcome] += 1
        self.run.progress(fetched=1)

    def _not_imported(self, key, exc):
        """An order refused before it was stored: counted, and logged with the payload that imports it again."""
        self.counts["failed"] += 1
        self.run.progress(fetched=1, failed=1)
        self.run.log(_('Order %(order)s not imported: %(error)s. Once fixed, import it again with the payload '
                       '{"%(key)s": ["%(order)s"]}.', order=key or "?", error=exc, key=self.payload_key), "error")

    def _currency_id(self, code):
        """The id of the currency of ISO code ``code``, looked up once per run (a UserError when unknown)."""
        if code not in self._currency_ids:
            self._currency_ids[code] = self.env["marketplace.order"]._currency_by_code(code).id
        return self._currency_ids[code]


def continuation_moment(value):
    """A continuation's moment (canonical JSON keeps datetimes as text) back as a naive UTC datetime."""
    return fields.Datetime.to_datetime(value) if value else None
