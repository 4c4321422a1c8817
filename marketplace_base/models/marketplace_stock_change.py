from odoo import api, fields, models
from odoo.tools import SQL

from ..marketplace_core.platform import STOCK_PUSH

# A stock push waits this long after the first change, so that the moves of the next seconds (the reservations
# of the orders an import confirms one batch after the other, a receipt of many lines) go in the same push: far
# fewer pushes and API calls (eBay allows 60 push calls per 10 minutes by default) for a few seconds more.
DEFAULT_PUSH_DELAY_SECONDS = 3


class MarketplaceStockChange(models.Model):
    """A product whose free quantity changed, noted for the next stock push of a shop listing it.

    Stock moves note their products here (``_note_moved_products``) and queue one ``push_stock`` per shop with
    the payload ``{"changed_products": true}`` (one pending per shop, however many moves meanwhile); that push
    reads only the noted products' listings, so its cost follows the changes, not the catalogue (a shop-wide
    push of 10,000 listings costs seconds of CPU each time). Insert-only for the writers (no row two stock moves both
    update), deleted by the push that sent them: a change noted while a push runs stays for the next one.
    """

    _name = "marketplace.stock.change"
    _description = "Marketplace Stock Change"
    _log_access = False

    shop_id = fields.Many2one("marketplace.shop", required=True, index=True, ondelete="cascade", readonly=True)
    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", readonly=True)

    @api.model
    def _note_moved_products(self, products):
        """Stock moved for ``products``: note them for every shop that pushes their stock, and queue each such
        shop's push of the changed products, first in its lane (what a buyer sees must not wait behind order
        pulls or sweeps), due ``stock_push_delay_seconds`` later (3 s) so that it gathers the next moves too.
        Called from stock moves, so it stays cheap: one grouped query for the platforms listing the products, one
        query for the listings per such platform (asking that platform only, ``marketplace.platform``), one insert,
        and a job of which at most one is pending per shop (identity dedup) however many moves meanwhile."""
        if not products:
            return
        bindings = self.env["marketplace.shop"]._pushed_bindings(products, STOCK_PUSH)
        self._note(sorted({(binding.shop_id.id, binding.product_id.id) for binding in bindings}))
        Job = self.env["marketplace.job"].sudo()
        delay = float(self.env["ir.config_parameter"].sudo().get_param(
            "marketplace_base.stock_push_delay_seconds", DEFAULT_PUSH_DELAY_SECONDS))
        for shop in bindings.shop_id:
            Job._enqueue("push_stock", shop=shop, priority=1, payload={"changed_products": True},
                         delay_seconds=delay)

    @api.model
    def _note(self, shop_products):
        """Note ``[(shop_id, product_id), ...]``, in one statement."""
        if not shop_products:
            return
        shop_ids, product_ids = zip(*shop_products, strict=True)
        self.env.cr.execute(SQL(
            "INSERT INTO marketplace_stock_change (shop_id, product_id) SELECT * FROM unnest(%s::int[], %s::int[])",
            list(shop_ids), list(product_ids)))

    @api.model
    def _noted(self, shops):
        """(the ids of the changes noted for ``shops``, their product ids) as this transaction sees them."""
        self.env.cr.execute(SQL("SELECT id, product_id FROM marketplace_stock_change WHERE shop_id = ANY(%s)",
                                shops.ids))
        rows = self.env.cr.fetchall()
        return [row[0] for row in rows], sorted({row[1] for row in rows})

    @api.model
    def _forget(self, change_ids):
        """The changes a push has sent (by id: one noted since it read them stays)."""
        if change_ids:
            self.env.cr.execute(SQL("DELETE FROM marketplace_stock_change WHERE id = ANY(%s)", list(change_ids)))
