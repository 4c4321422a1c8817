from odoo import api, fields, models


class MarketplaceReturnLine(models.Model):
    """An item of a return and its quantity, matched to the order's line (and so to its product)."""

    _name = "marketplace.return.line"
    _description = "Marketplace Return Item"

    return_id = fields.Many2one("marketplace.return", required=True, ondelete="cascade", index=True)
    order_line_id = fields.Many2one("marketplace.order.line", readonly=True)
    product_id = fields.Many2one(related="order_line_id.product_id")
    title = fields.Char(related="order_line_id.title")
    external_item_id = fields.Char(string="Marketplace Item ID", readonly=True)
    external_line_id = fields.Char(string="Marketplace Line ID", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")

    @api.model
    def _values_for(self, order, line):
        """The values of a returned item ``{"external_item_id", "external_line_id", "quantity"}`` of ``order``:
        its order line is the one of that line id, else of that item id."""
        order_lines = order.line_ids
        order_line = order_lines.filtered(
            lambda ol: line.get("external_line_id") and ol.external_line_id == line["external_line_id"])[:1] or \
            order_lines.filtered(
                lambda ol: line.get("external_item_id") and ol.external_item_id == line["external_item_id"])[:1]
        return {"order_line_id": order_line.id, "external_item_id": line.get("external_item_id") or False,
                "external_line_id": line.get("external_line_id") or False, "quantity": line.get("quantity") or 0.0}
