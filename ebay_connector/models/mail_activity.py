from odoo import fields, models


class MailActivity(models.Model):
    """A "no order in Odoo" to-do names the eBay claim it is about: its shop and key (``case_key``), so the claim
    pulls find it again by them (to re-read that claim, to close the to-do), not by its translated summary."""

    _inherit = "mail.activity"

    ebay_claim_shop_id = fields.Many2one("marketplace.shop", string="eBay Claim Shop", index="btree_not_null",
                                         ondelete="cascade", readonly=True, copy=False)
    ebay_claim_key = fields.Char(string="eBay Claim", readonly=True, copy=False,
                                 help="The eBay inquiry or case this to-do asks about, matching no order in Odoo.")
