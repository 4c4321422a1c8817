from odoo import http


class EbayWebhookController(http.Controller):
    """Placeholder until the webhook lands."""
