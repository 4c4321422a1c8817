from datetime import timedelta

from odoo import Command, api, fields, models

from odoo.addons.marketplace_base.marketplace_core import pricing

CACHE_HOURS = 24
KEEP_DAYS = 7
# How Browse was asked for a product (browse.yml: its gtin filter searches UPC only)
WAYS = [("gtin", "UPC (Browse gtin)"), ("epid", "eBay Catalog Product (ePID of the EAN/ISBN)"),
        ("barcode", "EAN/ISBN as Keywords"), ("keywords", "Title Keywords")]


class EbayPriceSearch(models.Model):
    """One search for comparables of a product (one Browse call) and what its totals say.

    Kept for a day per product and query (``CACHE_HOURS``): a listing asking again within the day gets this
    answer without a call; **Recalculate** always makes a new search. Unreferenced searches go after
    ``KEEP_DAYS``."""

    _name = "ebay.price.search"
    _description = "eBay Comparables Search"
    _order = "searched_at desc, id desc"
    _rec_name = "query"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", required=True, index=True, ondelete="cascade")
    query_key = fields.Char(required=True, index=True, help="What was asked, canonical: the cache key.")
    query = fields.Char(string="Searched For", required=True)
    way = fields.Selection(WAYS, string="Searched By",
                           help="A UPC is searched as Browse's gtin; an EAN or ISBN (which Browse's gtin does not "
                                "search) through eBay's catalog product of it, else as keywords; no barcode: the "
                                "title's words.")
    source = fields.Char(required=True, default="ebay_browse",
                         help="Where the comparables came from (eBay Browse: active listings).")
    searched_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    comparable_ids = fields.One2many("ebay.price.comparable", "search_id", string="Comparable Items")

    # What the totals say (marketplace_core.pricing)
    status = fields.Selection([(pricing.OK, "Enough Comparables"), (pricing.TOO_FEW, "Too Few Comparables")],
                              required=True)
    found = fields.Integer()
    kept = fields.Integer(string="Number of Comparables", help="Found, less the outliers Tukey's fences left out.")
    median = fields.Monetary(currency_field="currency_id")
    p25 = fields.Monetary(string="25th Percentile", currency_field="currency_id")
    p75 = fields.Monetary(string="75th Percentile", currency_field="currency_id")

    @api.model
    def _find_fresh(self, company, product, query_key):
        """Today's answer for this product and query, or an empty recordset."""
        since = fields.Datetime.now() - timedelta(hours=CACHE_HOURS)
        return self.search([("company_id", "=", company.id), ("product_id", "=", product.id),
                            ("query_key", "=", query_key), ("searched_at", ">", since)], limit=1)

    @api.model
    def _record(self, values, items, currency):
        """Store one search: its comparables (outliers flagged) and their statistics."""
        stats = pricing.comparable_stats([item.total for item in items])
        digits = currency.decimal_places

        def money(amount):
            return float(pricing.round_money(amount, digits)) if amount is not None else 0.0

        def outlier(item):
            return stats.low_fence is not None and not stats.low_fence <= item.total <= stats.high_fence

        items = sorted(items, key=lambda item: (outlier(item), item.total))  # as the panel lists them
        comparables = [{
            "item_id": item.item_id, "title": item.title, "price": money(item.price),
            "shipping": money(item.shipping), "shipping_known": item.shipping is not None,
            "total": money(item.total), "condition": item.condition, "url": item.url, "outlier": outlier(item),
        } for item in items]
        return self.create(dict(values, currency_id=currency.id, status=stats.code, found=stats.found,
                                kept=stats.kept, median=money(stats.median), p25=money(stats.p25),
                                p75=money(stats.p75),
                                comparable_ids=[Command.create(line) for line in comparables]))

    @api.autovacuum
    def _gc_old_searches(self):
        """Drop searches older than a week that no listing shows any more."""
        shown = self.env["marketplace.listing"].with_context(active_test=False).search(
            [("ebay_price_search_id", "!=", False)]).ebay_price_search_id
        old = self.search([("searched_at", "<", fields.Datetime.now() - timedelta(days=KEEP_DAYS))])
        (old - shown).unlink()
