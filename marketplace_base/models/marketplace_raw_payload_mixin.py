import json

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class MarketplaceRawPayloadMixin(models.AbstractModel):
    """What the marketplace sent, kept as JSON: support can read it, and values can be re-mapped
    from it without another API call."""

    _name = "marketplace.raw.payload.mixin"
    _description = "Marketplace Raw Payload"

    raw_payload = fields.Text(string="Raw Payload (JSON)")

    @api.constrains("raw_payload")
    def _check_raw_payload(self):
        for record in self.filtered("raw_payload"):
            try:
                json.loads(record.raw_payload)
            except ValueError as exc:
                raise ValidationError(_("The raw payload of %(record)s is not valid JSON: %(error)s",
                                        record=record.display_name, error=exc)) from exc
