from odoo import fields, models


class EbayNotification(models.Model):
    """A notification eBay posted to the webhook (placeholder: grows with the webhook)."""

    _name = "ebay.notification"
    _description = "eBay Notification"
    _order = "id desc"

    notification_id = fields.Char(required=True, index=True)
    topic = fields.Char()
    payload = fields.Text()
