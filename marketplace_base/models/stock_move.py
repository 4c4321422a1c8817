from odoo import models


class StockMove(models.Model):
    """Stock leaving, arriving or being reserved changes the quantity free to sell online: the moved products
    are noted for the stock push of every shop listing them (``marketplace.stock.change``)."""

    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        (self | moves).exists()._marketplace_free_quantity_changed()
        return moves

    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        self._marketplace_free_quantity_changed()
        return result

    def _do_unreserve(self):
        result = super()._do_unreserve()
        self._marketplace_free_quantity_changed()
        return result

    def _marketplace_free_quantity_changed(self):
        self.env["marketplace.stock.change"]._note_moved_products(self.product_id.filtered("is_storable"))
