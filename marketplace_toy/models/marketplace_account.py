from odoo import fields, models


class MarketplaceAccount(models.Model):
    """The toy platform's value; its API key is the account's Client Secret (encrypted by the base)."""

    _inherit = "marketplace.account"

    platform = fields.Selection(
        selection_add=[("toy", "Toy")], ondelete={"toy": lambda accounts: accounts._park_for_uninstall()})
