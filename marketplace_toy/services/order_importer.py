from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError
from odoo.addons.marketplace_base.services.order_batch_importer import OrderBatchImporter

from ..toy_api import MAX_IDS, MAX_PAGE_SIZE, MappingError, map_order
from .base import ToyJobService

PAGE_SIZE_PARAMETER = "marketplace_toy.order_page_size"


class ToyOrderImporter(OrderBatchImporter, ToyJobService):
    """``pull_orders``: the toy's orders become marketplace orders and sale orders, exactly once.

    Page by page from the platform's first order (the toy keeps no watermark: the base's idempotence makes a page
    read again cost no record), or the orders of the payload ``{"order_ids": [...]}``. Each page is committed;
    when the slice's time is up the job pauses with the next page's position.
    """

    refused_errors = (UserError, MappingError)
    payload_key = "order_ids"

    def __init__(self, job, run):
        super().__init__(job, run)
        self._init_order_import()

    def execute(self):
        state = self.run.continuation
        self.counts.update(state.get("counts", {}))
        order_ids = self.run.payload.get("order_ids")
        if order_ids is not None:
            self.import_ids(order_ids)
        else:
            self.pull_pages(state.get("after", 0))
        self.run.log(_("%(total)s toy order(s): %(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
                       "%(cancelled)s cancelled, %(errors)s in error, %(failed)s not imported.",
                       total=sum(self.counts.values()), new=self.counts["new"], updated=self.counts["updated"],
                       unchanged=self.counts["unchanged"], cancelled=self.counts["cancelled"],
                       errors=self.counts["error"], failed=self.counts["failed"]))

    def pull_pages(self, after):
        size = int(self.env["ir.config_parameter"].sudo().get_param(PAGE_SIZE_PARAMETER, MAX_PAGE_SIZE))
        while after is not None:
            self.run.check_cancelled()
            raw_orders, next_after = self.client.order_page(after, max(1, min(MAX_PAGE_SIZE, size)))
            self._import_raw(raw_orders, {"after": after})
            after = next_after
            continuation = {"after": after, "counts": dict(self.counts)}
            self.run.checkpoint(continuation)
            if after is not None and self.run.time_is_up():
                self.run.pause(0, continuation)

    def import_ids(self, order_ids):
        if not isinstance(order_ids, list) or not all(isinstance(order_id, str) and order_id for order_id in order_ids):
            raise JobPayloadError(_('Payload: "order_ids" must be a list of toy order ids, e.g. ["T1001"].'))
        for batch in chunked(list(dict.fromkeys(order_ids)), MAX_IDS):
            self._import_raw(self.client.orders_by_id(batch), {})

    def _import_raw(self, raw_orders, resume):
        """Map a page, route it to this shop (the toy has one shop an account) and import it; orders that keep
        losing races hand the page over to a fresh run (``resume``: where that run starts)."""
        routed = []
        for raw in raw_orders:
            try:
                routed.append(map_order(raw).routed(self.shop.id, self.shop.currency_id.name))
            except MappingError as exc:
                self._not_imported(raw.get("id"), exc)
        _handled, _stopped, raced = self._import_mapped(routed)
        if raced:
            self.run.hand_over_raced(_("Orders %s", ", ".join(raced)), dict(resume, counts=dict(self.counts)))
