from odoo import fields, models


class AccountMove(models.Model):
    """A credit note that books a marketplace's refund carries the refund's id: the same refund is booked once per
    shop, whatever the number of pulls, replays or concurrent workers (a unique constraint, not a search)."""

    _inherit = "account.move"

    marketplace_order_id = fields.Many2one("marketplace.order", readonly=True, copy=False, index="btree_not_null",
                                           ondelete="restrict")
    marketplace_shop_id = fields.Many2one("marketplace.shop", readonly=True, copy=False,
                                          ondelete="restrict")
    marketplace_refund_ref = fields.Char(string="Marketplace Refund ID", readonly=True, copy=False,
                                         help="The marketplace's id of the refund this credit note books.")
    marketplace_refund_source = fields.Selection(
        [("order", "Order (marketplace)"), ("money", "Money transactions"), ("issued", "Issued from Odoo"),
         ("cancellation", "Cancellation"), ("return", "Return"), ("dispute", "Payment dispute")],
        string="Refund Reported By", readonly=True, copy=False,
        help="Where Odoo first learnt of the refund.")
    marketplace_cancellation_id = fields.Many2one("marketplace.cancellation", readonly=True, copy=False,
                                                  index="btree_not_null", ondelete="set null")

    _sql_constraints = [
        ("marketplace_refund_uniq", "UNIQUE(marketplace_shop_id, marketplace_refund_ref)",
         "This marketplace refund is already booked in this shop."),
    ]
