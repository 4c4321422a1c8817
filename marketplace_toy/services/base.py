from contextlib import contextmanager

from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import RetryableJobError

from ..toy_api import ToyAuthError, ToyClient, ToyError

API_URL_PARAMETER = "marketplace_toy.api_url"


class ToyJobService:
    """What the toy's job services start from: the job, its run, its shop, and a client with the account's API key
    (its Client Secret, decrypted in memory only). ``run_job()`` turns the platform's refusals into the queue's
    outcomes in one place (``calls()``)."""

    def __init__(self, job, run):
        self.job, self.run, self.env = job, run, job.env
        self.shop = job.shop_id
        if not self.shop:
            raise UserError(_("Job %s names no shop of the toy platform.", job.name))
        self.account = self.shop.account_id
        base_url = self.env["ir.config_parameter"].sudo().get_param(API_URL_PARAMETER)
        if not base_url:
            raise UserError(_("Set the toy platform's address (system parameter %s).", API_URL_PARAMETER))
        self.client = ToyClient(base_url, self.account.sudo()._get_secret("client_secret") or "",
                                on_call=run.count_call)

    def run_job(self):
        with self.calls():
            self.execute()

    @contextmanager
    def calls(self):
        """A refused key asks for the right one (said on the account, committed before the job fails); a transient
        refusal is retried; any other fails the job with the platform's words."""
        try:
            yield
        except ToyAuthError as exc:
            self.account.sudo()._mark_needs_reauth(str(exc))
            self.run.checkpoint()
            raise UserError(_("The toy platform refused the API key of %s: enter the right one as its Client "
                              "Secret.", self.account.name)) from exc
        except ToyError as exc:
            if exc.retryable:
                raise RetryableJobError(str(exc)) from exc
            raise UserError(_("The toy platform refused the call: %s", exc)) from exc
