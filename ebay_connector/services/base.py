from odoo import _
from odoo.exceptions import UserError


class EbayJobService:
    """What every eBay importer/exporter starts from: the job, its run, its shop, account and client.

    ``self.run`` is the job's JobRun (payload, progress, log, Stop); ``execute()`` does the flow.
    """

    def __init__(self, job, run):
        self.job = job
        self.run = run
        self.env = job.env
        self.shop = job.shop_id
        self.account = job.shop_id.account_id or job.account_id
        if not self.account:
            raise UserError(_("Job %s names no eBay account or shop.", job.name))
        self.client = self.account._ebay_client(run)
