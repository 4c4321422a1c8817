from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..marketplace_core.vision import OpenAICompatibleProvider, VisionSettings
from .marketplace_secret_mixin import MANAGER_GROUP


class MarketplaceVisionProvider(models.Model):
    """A vision model that drafts listings from their photos, behind an OpenAI-compatible chat-completions
    API: a hosted service or a model server of one's own (only the base URL, the model and the key differ).
    Its API key is stored encrypted like the marketplaces' secrets."""

    _name = "marketplace.vision.provider"
    _description = "Vision Model for Listing Drafts"
    _inherit = ["marketplace.secret.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10, help="The first active provider of the company drafts.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)

    # Where and which model
    base_url = fields.Char(string="Base URL", required=True, default="https://api.openai.com/v1",
                           help="The API's root, before /chat/completions: e.g. https://api.openai.com/v1, or "
                                "http://localhost:8000/v1 for a model server of your own (vLLM, llama.cpp, Ollama).")
    model = fields.Char(required=True, help="A model that reads images and answers JSON, as the server names it.")
    api_key = fields.Char(string="API Key", compute="_compute_secrets", inverse="_inverse_secrets",
                          groups=MANAGER_GROUP, help="Stored encrypted; leave empty for a server that wants none.")
    api_key_encrypted = fields.Char(groups=MANAGER_GROUP, copy=False)
    timeout_seconds = fields.Integer(string="Timeout (s)", default=60,
                                     help="How long a draft waits for the model: keep it below Odoo's request time "
                                          "limit (limit_time_real, 120 s by default).")
    max_images = fields.Integer(string="Photos per Draft", default=4,
                                help="At most this many photos (the main one first) are sent.")

    def _compute_secrets(self):
        for provider in self:
            provider.api_key = provider._get_secret("api_key", missing_ok=True)

    def _inverse_secrets(self):
        for provider in self:
            provider._set_secret("api_key", provider.api_key)

    @api.model
    def _for_company(self, company):
        """The company's provider; a UserError that says where to configure one when there is none."""
        provider = self.search([("company_id", "=", company.id)], limit=1)
        if not provider:
            raise UserError(_("No vision model is configured for %s. A Marketplace Manager adds one in Marketplace "
                              "> Configuration > Vision Models (base URL, model and API key of an OpenAI-compatible "
                              "service or of your own model server); then Draft from Photos works.", company.name))
        return provider

    def _provider(self):
        """The pure provider (``marketplace_core.vision``) speaking to this model."""
        self.ensure_one()
        settings = VisionSettings(base_url=self.base_url.rstrip("/"), model=self.model,
                                  api_key=self.sudo()._get_secret("api_key") or "",
                                  timeout=float(self.timeout_seconds or 60), max_images=max(1, self.max_images))
        return OpenAICompatibleProvider(settings)
