from odoo import fields, models

from ..models.marketplace_account import EBAY_MARKETPLACES


class EbaySiteShopWizard(models.TransientModel):
    """Add Marketplace Shop: one eBay account sells on several sites (EBAY_US, EBAY_GB, EBAY_DE); each site gets
    its own shop, so its orders, prices and refunds stay in the site's currency."""

    _name = "ebay.site.shop.wizard"
    _description = "Add eBay Marketplace Shop"

    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade",
                                 domain="[('platform', '=', 'ebay')]")
    company_id = fields.Many2one(related="account_id.company_id")
    marketplace_site = fields.Selection(EBAY_MARKETPLACES, string="eBay Marketplace", required=True)
    fiscal_position_id = fields.Many2one(
        "account.fiscal.position", check_company=True,
        help="Set on the shop's sale orders (e.g. the VAT regime of sales to the site's country).")

    def action_add(self):
        """Make the site's shop (or find it) and open it."""
        self.ensure_one()
        shop = self.account_id._ebay_add_site_shop(self.marketplace_site, self.fiscal_position_id)
        return {"type": "ir.actions.act_window", "res_model": "marketplace.shop", "view_mode": "form",
                "res_id": shop.id}
