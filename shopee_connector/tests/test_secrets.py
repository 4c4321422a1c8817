"""The shop's access token travels in Shopee's query strings: a network error must not carry it anywhere a
person reads (the job's error, traceback and log lines, the failure to-do) nor into the server log."""
import logging
import socket
from datetime import timedelta

from odoo import fields

from odoo.addons.marketplace_simulators.shopee_sim.seed import DEMO_PARTNER_KEY

from .common import ShopeeCase


class CollectLogs(logging.Handler):
    """Every record of every logger, formatted as the server log would write it."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


class TestSecretsStayInTheirFields(ShopeeCase):

    def capture_logs(self):
        """The server log at its most talkative: the libraries' and the addons' loggers at DEBUG."""
        handler, root = CollectLogs(), logging.getLogger()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        for logger in (root, logging.getLogger("odoo.addons")):
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.DEBUG)
        return handler

    def test_a_connection_error_leaves_no_token_anywhere(self):
        shop = self.shopee_shop
        shop.user_id = self.env.ref("base.user_admin")  # the to-do's addressee
        secrets = [shop._get_secret("access_token"), shop._get_secret("refresh_token"), DEMO_PARTNER_KEY]
        self.assertTrue(all(secrets))
        with socket.socket() as probe:  # Shopee unreachable: a local port nothing listens on
            probe.bind(("127.0.0.1", 0))
            self.shopee_account.shopee_api_base_url = "http://127.0.0.1:%s" % probe.getsockname()[1]
        logs = self.capture_logs()

        job = self.env["marketplace.job"]._enqueue("pull_orders", shop=shop)
        job.max_attempts = 2
        self.run_jobs()
        self.assertEqual(job.state, "pending", "a network error is retried")
        retried = (job.last_error, job.error_traceback)
        job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.run_jobs()
        self.assertEqual(job.state, "failed")

        texts = {"error on retry": retried[0], "traceback on retry": retried[1], "error": job.last_error,
                 "traceback": job.error_traceback, "log lines": "\n".join(job.log_ids.mapped("message")),
                 "to-do": "\n".join(str(note) for note in job.activity_ids.mapped("note")),
                 "server log": "\n".join(logs.lines)}
        self.assertTrue(job.activity_ids, "the failure made a to-do")
        self.assertIn("Max retries exceeded", job.last_error, "the error still says what failed")
        self.assertIn("access_token=***", job.error_traceback)
        failure = "Job %s failed" % job.id
        self.assertTrue([line for line in logs.lines if failure in line and "access_token=***" in line],
                        "the failure was logged, masked")
        for where, text in texts.items():
            for secret in secrets:
                self.assertNotIn(secret, text, "a secret reached the %s" % where)
