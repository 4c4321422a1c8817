import re
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

SCREENSHOT_REQUEST = re.compile(r"^marketplace_screenshot:(\w+)$")
ASSET_LINK = re.compile(r'(?:src|href)="(/web/assets/[^"]+)"')


def build_web_client_assets(case, url="/odoo"):
    """Have the server build the web client's asset bundles before a tour starts: on a loaded machine their first
    build can outlast the minute a tour's browser waits for the page to be ready."""
    case.authenticate("admin", "admin")
    page = case.url_open(url, timeout=600)
    for link in sorted(set(ASSET_LINK.findall(page.text))):
        case.url_open(link, timeout=600)


@tagged("post_install", "-at_install")
class TestMarketplaceTour(HttpCase):
    """A person's walk through Marketplace: Dashboard, Jobs (a job, Run Now), Orders, Bindings, Sync Rules.

    Screenshots of each screen are kept as test artifacts (Odoo's ``screenshots`` directory).
    """

    def test_backend_tour(self):
        self.env["marketplace.job"].search([("state", "=", "pending")]).write({"state": "cancelled"})
        job = self.env["marketplace.job"].create({
            "job_type": "create_sale_orders",
            "shop_id": self.env.ref("marketplace_base.demo_shop_manual").id,
            "payload": '{"order_ids": [%d]}' % self.env.ref("marketplace_base.demo_order_1").id,
        })
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, **kw):  # noqa: A002 - Chrome's parameter name
            message = str(browser._from_remoteobject(args[0])) if args else ""
            match = SCREENSHOT_REQUEST.match(message)
            if match:
                browser.take_screenshot(prefix="marketplace_%s_" % match.group(1))
            return original(browser, type, args=args, **kw)

        build_web_client_assets(self)
        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            self.start_tour("/odoo", "marketplace_backend_tour", login="admin")
        job.invalidate_recordset()
        self.assertEqual((job.state, job.run_now), ("pending", True), "Run Now queued it without running it")
        self.env["marketplace.job"]._cron_run_lane(job.channel_id.id)  # what the woken lane runner does
        self.env.invalidate_all()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.env.ref("marketplace_base.demo_order_1").state, "imported")
