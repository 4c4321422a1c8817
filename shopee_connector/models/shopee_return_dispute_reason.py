from odoo import fields, models


class ShopeeReturnDisputeReason(models.Model):
    """One of the reasons Shopee lets the seller dispute a given return with (``get_return_dispute_reason``):
    Shopee's dispute call takes its id only, and which reasons apply differs per return, so they are read for
    the return when the seller first declines it and kept here for him to choose from."""

    _name = "shopee.return.dispute.reason"
    _description = "Shopee Return Dispute Reason"
    _order = "return_id, code"
    _rec_name = "name"

    return_id = fields.Many2one("marketplace.return", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    code = fields.Integer(string="Shopee Reason ID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    proof = fields.Char(string="Proof Asked", readonly=True,
                        help="The photos Shopee requires with this reason (from the return's photos attached in "
                             "Odoo); empty when none are.")

    _sql_constraints = [
        ("return_code_uniq", "UNIQUE(return_id, code)", "This Shopee reason is already listed for the return."),
    ]
