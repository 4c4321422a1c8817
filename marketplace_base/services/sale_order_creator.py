from collections import Counter

from odoo import _

# orders converted together between two looks at the clock: the import's batch, whose queries its orders share
from .order_batch_importer import ORDERS_PER_BATCH


class SaleOrderCreator:
    """Handler of ``create_sale_orders``: the shop's new marketplace orders (or ``order_ids``) -> sale orders.

    Long work runs in slices: orders are taken in id order, a batch at a time, and after each batch the
    continuation (the last id done, counts) is saved, so a later slice goes on after it and converts
    nothing twice. A batch's orders that keep losing races with other transactions are handed to the
    engine's lost-race retry with the continuation naming them first; the rest of the batch is kept.
    """

    def __init__(self, job, run):
        self.job = job
        self.run = run
        self.env = job.env
        state = run.continuation
        self.after_id = state.get("after_id", 0)
        self.raced_ids = state.get("raced_ids", [])
        self.counts = Counter(state.get("counts", {}))

    def run_job(self):
        Order = self.env["marketplace.order"]
        if not self.run.continuation:
            self.run.progress(total=Order.search_count(self._domain()))
        while True:
            self.run.check_cancelled()
            orders = self._next_batch()
            if not orders:
                break
            self._convert(orders)
            if self.run.time_is_up():
                self.run.pause(0, self._continuation())
            self.run.checkpoint(self._continuation())
        self.run.log(_("%(total)s order(s) processed: %(imported)s with a sale order, %(error)s in error.",
                       total=sum(self.counts.values()), imported=self.counts["imported"],
                       error=self.counts["error"]))

    def _domain(self):
        domain = [("state", "=", "new")]
        if self.run.payload.get("order_ids"):
            domain = [("id", "in", self.run.payload["order_ids"])]
        if self.job.shop_id:
            domain.append(("shop_id", "=", self.job.shop_id.id))
        return domain

    def _next_batch(self):
        """The orders handed back by a lost race first, then the next orders after the last one done."""
        Order = self.env["marketplace.order"]
        if self.raced_ids:
            orders, self.raced_ids = Order.browse(self.raced_ids).exists(), []
            return orders
        orders = Order.search(self._domain() + [("id", ">", self.after_id)], order="id", limit=ORDERS_PER_BATCH)
        if orders:
            self.after_id = orders[-1].id
        return orders

    def _convert(self, orders):
        """Make the sale orders of ``orders`` together (an order Odoo refuses is put in error alone, one that
        loses a race is retried alone in a fresh transaction); report each."""
        done, _failed, raced = self.run.apply_isolating(list(orders), self._convert_group)
        for order, state in done:
            self.counts[state] += 1
            self.run.progress(fetched=1, stored=int(state == "imported"), failed=int(state == "error"))
            if state == "error":
                self.run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
        if raced:
            self.raced_ids = [order.id for order in raced]
            self.run.hand_over_raced(", ".join(order.name for order in raced), self._continuation())

    @staticmethod
    def _convert_group(orders):
        """Sale orders of a group of orders; the state each ends in."""
        group = orders[0].browse([order.id for order in orders])
        group._convert_isolated()
        return [order.state for order in orders]

    def _continuation(self):
        return {"after_id": self.after_id, "raced_ids": self.raced_ids, "counts": dict(self.counts)}
