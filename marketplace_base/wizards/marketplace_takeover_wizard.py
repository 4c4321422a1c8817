from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

LARGEST_DROPS = 10


class MarketplaceTakeoverWizard(models.TransientModel):
    """Take Over Stock and Prices: what the first push would change online, before turning pushes on.

    The marketplace is the truth for listings that exist when a shop is connected; the seller
    looks at what Odoo's stock would do to them, fixes it (e.g. initial stock from the
    marketplace), and only then lets Odoo push.
    """

    _name = "marketplace.takeover.wizard"
    _description = "Take Over Stock and Prices"

    shop_id = fields.Many2one("marketplace.shop", required=True, readonly=True, ondelete="cascade")
    binding_ids = fields.Many2many(
        "marketplace.product.binding", string="Listings Taken Over", readonly=True,
        help="Listings that appeared after the shop's take-over and await their own: the preview and the take-over "
             "are about just these. Empty: the whole shop.")
    listing_count = fields.Integer(compute="_compute_preview", string="Listings")
    change_count = fields.Integer(compute="_compute_preview", string="Listings That Would Change")
    zero_count = fields.Integer(compute="_compute_preview", string="Listings That Would Go to 0")
    total_before = fields.Integer(compute="_compute_preview", string="Total Online Now")
    total_after = fields.Integer(compute="_compute_preview", string="Total Online After")
    adjustable_count = fields.Integer(compute="_compute_preview", string="Products Without Stock in Odoo")
    largest_drops = fields.Html(compute="_compute_preview", sanitize=False)

    @api.depends("shop_id", "binding_ids")
    def _compute_preview(self):
        for wizard in self:
            impact = wizard.shop_id._stock_push_impact(wizard._listings())
            wizard.listing_count = impact.listings
            wizard.change_count = len(impact.changes)
            wizard.zero_count = impact.zeroed
            wizard.total_before = impact.total_before
            wizard.total_after = impact.total_after
            wizard.adjustable_count = len(wizard.shop_id._stock_to_adjust(wizard._listings()))
            wizard.largest_drops = self._drops_table(impact.largest_drops(LARGEST_DROPS))

    def _drops_table(self, drops):
        """The largest drops as an HTML table; ``self.env._``: a static method had no language to translate
        its headers into (Odoo logged "no translation language detected" on every preview)."""
        if not drops:
            return False
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
            % (change.key, change.before, change.after) for change in drops)
        return Markup("<table class='table table-sm'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
                      "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>") % (
            escape(self.env._("SKU")), escape(self.env._("Online Now")), escape(self.env._("After Take-Over")), rows)

    def _listings(self):
        """The listings this take-over is about: those chosen, or None for every pushed listing of the shop."""
        return self.binding_ids or None

    def _reopen(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("Take Over Stock and Prices")}

    def action_stock_from_marketplace(self):
        """Initial stock from the marketplace's quantities, then the preview again (with 0 changes left for them)."""
        self.shop_id._stock_from_marketplace(self._listings())
        return self._reopen()

    def action_confirm(self):
        if self.binding_ids:
            self.binding_ids._take_over()
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        if self.shop_id.odoo_owns_stock:
            raise UserError(_("Odoo already pushes the stock and prices of %s.", self.shop_id.name))
        self.shop_id._take_over_stock()
        return {"type": "ir.actions.client", "tag": "soft_reload"}
