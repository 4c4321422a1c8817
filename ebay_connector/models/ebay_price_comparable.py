from odoo import fields, models


class EbayPriceComparable(models.Model):
    """One comparable item of a search, shown in the listing's price panel so the seller sees why."""

    _name = "ebay.price.comparable"
    _description = "eBay Comparable Item"
    _order = "outlier, total, id"

    search_id = fields.Many2one("ebay.price.search", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="search_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="search_id.currency_id")
    item_id = fields.Char(string="eBay Item ID")
    title = fields.Char()
    price = fields.Monetary(currency_field="currency_id")
    shipping = fields.Monetary(currency_field="currency_id")
    shipping_known = fields.Boolean(help="False: calculated shipping without an estimate (counted as 0).")
    total = fields.Monetary(currency_field="currency_id", help="Price + shipping: what the statistics use.")
    condition = fields.Char()
    url = fields.Char(string="Link")
    outlier = fields.Boolean(help="Left out of the statistics by Tukey's fences (1.5 x IQR beyond the quartiles).")
