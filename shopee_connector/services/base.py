from contextlib import contextmanager

from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import MarketplaceWait

from ..shopee_api import ShopeeAuthError, ShopeeSetupError, ShopeeWaitError


class ShopeeJobService:
    """What every Shopee importer/exporter starts from: the job, its run, its shop and a signed session.

    Shopee authorizes each shop, so every flow needs one (``self.session`` calls as that shop).
    ``execute()`` does the flow; ``run_job()`` logs what it cost in Shopee calls either way, and turns what
    Shopee answers into the queue's outcomes: a refused token asks for a new authorization of the shop, a
    wait Shopee asks for (its rate limit, its daily quota, a busy moment) makes the job wait without failing,
    and a setup problem (partner key, IP whitelist, permissions, a shop no longer linked) is said on the
    account or the shop, with what to do, and fails the job with the same words.
    """

    def __init__(self, job, run):
        self.job = job
        self.run = run
        self.env = job.env
        self.shop = job.shop_id
        if not self.shop:
            raise UserError(_("Job %s names no Shopee shop.", job.name))
        self.account = self.shop.account_id
        self.client, self.session = self.shop._shopee_session(on_call=self._on_call)

    def run_job(self):
        with self.calls():
            self.execute()

    @contextmanager
    def calls(self):
        """The context a flow's Shopee calls run in: Shopee's refusals become the queue's outcomes (above), and
        what the calls cost is logged and the client's connections closed either way."""
        try:
            yield
        except ShopeeAuthError as exc:
            self._needs_reauth(exc)
            raise
        except ShopeeWaitError as exc:
            raise MarketplaceWait(_("Shopee asked to wait (%s)", exc), exc.retry_after) from exc
        except ShopeeSetupError as exc:
            advice = self.shop.sudo()._shopee_setup_problem(exc)
            self.run.checkpoint()
            raise UserError(advice) from exc
        finally:
            self._log_api_usage()
            self.client.close()

    def _needs_reauth(self, exc):
        """Shopee refused the shop's token even after a refresh: say so on the shop, committed before the job
        fails (its failure rolls back what is not), so that someone authorizes the shop again."""
        self.shop.sudo()._mark_needs_reauth(str(exc))
        self.run.checkpoint()

    def _on_call(self, record):
        self.run.count_call()

    def _log_api_usage(self):
        stats = self.client.stats
        calls = sum(counter["calls"] for counter in stats.values())
        if calls:
            self.run.log(_("Shopee API: %(calls)s call(s) (%(families)s), %(throttled)s throttled (429), "
                           "%(server)s server errors (5xx), %(network)s without answer.",
                           calls=calls, families=", ".join("%s %s" % (name, counter["calls"])
                                                            for name, counter in sorted(stats.items())),
                           throttled=sum(c["throttled"] for c in stats.values()),
                           server=sum(c["server_error"] for c in stats.values()),
                           network=sum(c["connection_error"] for c in stats.values())))
