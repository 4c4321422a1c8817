from odoo import fields, models


class MarketplaceOrderLine(models.Model):
    """One line item of a marketplace order, idempotent on the marketplace's line id."""

    _name = "marketplace.order.line"
    _description = "Marketplace Order Line"
    _order = "order_id, id"

    order_id = fields.Many2one("marketplace.order", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    external_line_id = fields.Char(string="External Line ID", required=True)
    external_sku = fields.Char(string="External SKU")
    external_item_id = fields.Char(string="External Item ID")
    title = fields.Char()
    product_id = fields.Many2one("product.product", help="Resolved from the SKU when the sale order is created.")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Monetary()
    amount_shipping = fields.Monetary(string="Shipping")
    amount_tax = fields.Monetary(string="Tax (seller)")
    amount_marketplace_tax = fields.Monetary(string="Tax (collected by marketplace)")
    sale_line_id = fields.Many2one("sale.order.line", readonly=True, copy=False)
    qty_fulfilled = fields.Float(
        string="Quantity Reported Shipped", digits="Product Unit of Measure", copy=False,
        help="Quantity already reported to the marketplace as shipped (partial shipments).",
    )

    _sql_constraints = [
        ("order_line_uniq", "UNIQUE(order_id, external_line_id)", "This line is already imported on this order."),
    ]
