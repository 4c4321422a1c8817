from contextlib import contextmanager

from odoo import _
from odoo.exceptions import UserError

# request ids of failed calls kept for the job log (eBay support asks for them)
MAX_REQUEST_IDS = 5


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
        self.failed_request_ids = []
        # a shop's job speaks its site's language (and marketplace header); an account's, the account default's
        self.client = self.account._ebay_client(on_call=self._on_call,
                                                site=self.shop._ebay_site() if self.shop else None)

    def run_job(self):
        with self.calls():
            self.execute()

    @contextmanager
    def calls(self):
        """The context a flow's eBay calls run in: afterwards, whether it succeeded or not, what they cost is logged
        and the client's connections are closed."""
        try:
            yield
        finally:
            self._log_api_usage()
            self.client.close()

    def _on_call(self, record):
        self.run.count_call()
        status = record["status"]
        if (status is None or status >= 400) and record["request_id"]:
            self.failed_request_ids = (self.failed_request_ids + [record["request_id"]])[-MAX_REQUEST_IDS:]

    def _log_api_usage(self):
        """The sellers' per-run record: requests, 429s, 5xx, response time, request ids of failures."""
        stats = self.client.stats
        calls = sum(counter["calls"] for counter in stats.values())
        if not calls:
            return
        latency = sum(counter["latency_ms"] for counter in stats.values()) / calls
        message = _("eBay API: %(calls)s call(s) (%(families)s), %(throttled)s throttled (429), %(server)s server "
                    "errors (5xx), %(network)s without answer, %(latency)s ms on average.",
                    calls=calls, families=", ".join("%s %s" % (name, counter["calls"])
                                                     for name, counter in sorted(stats.items())),
                    throttled=sum(c["throttled"] for c in stats.values()),
                    server=sum(c["server_error"] for c in stats.values()),
                    network=sum(c["connection_error"] for c in stats.values()), latency=round(latency))
        if self.failed_request_ids:
            message += " " + _("Request ids of failed calls: %s.", ", ".join(self.failed_request_ids))
        self.run.log(message)
