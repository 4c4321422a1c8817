from odoo import fields, models


class StockPicking(models.Model):
    """A marketplace return's picking: validating it (a warehouse clerk does) tells the marketplace the item
    is back."""

    _inherit = "stock.picking"

    marketplace_return_id = fields.Many2one("marketplace.return", readonly=True,
                                            copy=False, index="btree_not_null")

    def _action_done(self):
        result = super()._action_done()
        self.sudo().filtered(lambda picking: picking.state == "done").marketplace_return_id._picking_done()
        return result
