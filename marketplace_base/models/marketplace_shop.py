import json
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import format_amount, format_date

from ..marketplace_core import push_guard, sync_health
from ..marketplace_core.orders import order_numbers


class MarketplaceShop(models.Model):
    """One storefront of an account (an eBay site, a Shopee shop): where orders come from and stock goes."""

    _name = "marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = ["mail.thread", "marketplace.secret.mixin"]
    _order = "sequence, name"

    # Identity
    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade", index=True, tracking=True)
    platform = fields.Selection(related="account_id.platform", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    external_shop_id = fields.Char(string="External Shop ID", help="The marketplace's own id of this shop, if any.")
    marketplace_site = fields.Char(string="Marketplace / Site ID", help="e.g. EBAY_US, EBAY_DE", tracking=True)
    active = fields.Boolean(default=True)

    # Where orders land
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, check_company=True,
        default=lambda self: self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1),
        help="Stock published online is taken from this warehouse, and orders ship from it.",
    )
    return_location_id = fields.Many2one(
        "stock.location", string="Returns Location", check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Where returned items go (the return picking's destination); empty: the warehouse's own.",
    )
    refund_returns_on_receipt = fields.Boolean(
        string="Refund Returns on Receipt", default=False, copy=False, tracking=True,
        help="When a return's picking is validated and the marketplace has the item back, the return's refund is "
             "sent to the marketplace once, with the rights of the Marketplace Manager who turned this on (Return "
             "Refunds Run As). Off: a Marketplace Manager refunds by hand.")
    return_refund_user_id = fields.Many2one(
        "res.users", string="Return Refunds Run As", readonly=True, copy=False,
        help="The Marketplace Manager who turned on Refund Returns on Receipt: the automatic refunds run as him, "
             "and are refused if he is no Marketplace Manager of the shop's company any more.")
    pricelist_id = fields.Many2one(
        "product.pricelist", check_company=True,
        help="Prices pushed online and the sale orders of the shop; in the shop's currency (a site selling in GBP "
             "needs a GBP pricelist). Empty: the products' sale price converted to the shop's currency.")
    fiscal_position_id = fields.Many2one(
        "account.fiscal.position", check_company=True,
        help="Set on the shop's sale orders (e.g. the VAT regime of the marketplace's country).")
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    auto_confirm = fields.Boolean(
        string="Auto-confirm Orders", default=True,
        help="Confirm the sale order as soon as it is imported, which reserves the stock.",
    )
    # Who is in charge, and who runs the shop's background jobs
    user_id = fields.Many2one("res.users", string="Responsible", tracking=True,
                              help="The salesperson of the shop's imported orders: gets their after-sale to-dos, "
                                   "and a to-do when one of the shop's jobs fails (else the marketplace managers).")
    job_user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.ref(
            "marketplace_base.user_marketplace_bot", raise_if_not_found=False),
        help="Jobs started by schedulers and webhooks run with this user's rights, in the shop's company.",
    )
    sync_rule_ids = fields.One2many("marketplace.sync.rule", "shop_id", string="Sync Rules")

    # Authorization of the shop itself, for platforms that authorize each shop (Shopee: a token pair per
    # shop id, in the encrypted token fields of marketplace.secret.mixin); eBay authorizes the account instead.
    authorization_state = fields.Selection(
        [("none", "Not Authorized"), ("authorized", "Authorized"), ("needs_reauth", "Needs Re-authorization")],
        default="none", required=True, copy=False, tracking=True,
        help="Only for platforms whose sellers authorize each shop; the others authorize the account.",
    )
    authorized_at = fields.Datetime(readonly=True, copy=False)

    # Who owns stock and prices: the marketplace until someone takes over (issue 12)
    # False for new shops; the 18.0.1.1.0 migration sets True on shops that existed, which were pushing already.
    odoo_owns_stock = fields.Boolean(
        string="Odoo Pushes Stock and Prices", default=False, copy=False, tracking=True,
        help="Off, the marketplace's quantities and prices stay as they are: nothing is pushed for this shop. "
             "Take Over Stock and Prices shows what the first push would change before turning it on.",
    )
    push_max_zero_percent = fields.Float(
        string="Hold a Push Zeroing More Than (%)", default=20.0,
        help="A stock push that would take more than this share of the shop's listings to 0 waits for a "
             "manager's confirmation on its job. A single sell-out always goes through.",
    )
    push_max_drop_percent = fields.Float(
        string="Hold a Push Lowering the Total by More Than (%)", default=50.0,
        help="A push that would lower the shop's total online quantity (or total price) by more than this share "
             "waits for a manager's confirmation on its job.",
    )
    binding_ids = fields.One2many("marketplace.product.binding", "shop_id", string="Product Bindings")
    awaiting_takeover_count = fields.Integer(compute="_compute_awaiting_takeover_count",
                                             string="Listings Awaiting Take-Over")

    # Dashboard
    order_pending_count = fields.Integer(compute="_compute_dashboard", string="Pending Orders")
    order_error_count = fields.Integer(compute="_compute_dashboard", string="Orders in Error")
    job_failed_count = fields.Integer(compute="_compute_dashboard", string="Failed Jobs")
    job_pending_count = fields.Integer(compute="_compute_dashboard", string="Pending Jobs")
    binding_count = fields.Integer(compute="_compute_dashboard", string="Bindings")
    binding_zero_count = fields.Integer(compute="_compute_dashboard", string="Bindings at 0 Online")
    sync_status_html = fields.Html(compute="_compute_sync_status_html", string="Last Successful Sync",
                                   sanitize=False)
    listing_queued_count = fields.Integer(compute="_compute_listing_queue", string="Listings Queued")
    listing_publishing_count = fields.Integer(compute="_compute_listing_queue", string="Listings Publishing")
    listing_published_today_count = fields.Integer(compute="_compute_listing_queue", string="Published Today")
    listing_error_count = fields.Integer(compute="_compute_listing_queue", string="Listings in Error")
    sales_graph_data = fields.Text(compute="_compute_sales_graph_data")
    cancellation_waiting_count = fields.Integer(compute="_compute_cancellation_counts",
                                                string="Cancellations Waiting")
    cancellation_due_count = fields.Integer(compute="_compute_cancellation_counts",
                                            string="Cancellations Due within 48 h")
    cancellation_overdue_count = fields.Integer(compute="_compute_cancellation_counts",
                                                string="Cancellations Overdue")
    dispute_waiting_count = fields.Integer(compute="_compute_dispute_counts", string="Disputes Waiting")
    dispute_due_count = fields.Integer(compute="_compute_dispute_counts", string="Disputes Due within 48 h")
    dispute_overdue_count = fields.Integer(compute="_compute_dispute_counts", string="Disputes Overdue")
    return_waiting_count = fields.Integer(compute="_compute_return_counts", string="Returns Waiting")
    return_due_count = fields.Integer(compute="_compute_return_counts", string="Returns Due within 48 h")
    return_overdue_count = fields.Integer(compute="_compute_return_counts", string="Returns Overdue")
    case_waiting_count = fields.Integer(compute="_compute_case_counts", string="Inquiries and Cases Waiting")
    case_due_count = fields.Integer(compute="_compute_case_counts", string="Inquiries and Cases Due within 48 h")
    case_overdue_count = fields.Integer(compute="_compute_case_counts", string="Inquiries and Cases Overdue")
    money_fees_month = fields.Char(compute="_compute_money_summary", string="Fees This Month",
                                   help="The marketplace's fees and charges on this shop's orders since the 1st.")
    money_last_payout = fields.Char(compute="_compute_money_summary", string="Last Payout",
                                    help="The account's last payout, and whether its transactions add up to it.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._set_return_refund_user(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._set_return_refund_user(vals)
        return super().write(vals)

    def _set_return_refund_user(self, vals):
        """Refunds are Marketplace Managers' work: only a manager turns automatic return refunds on or off, and
        the refunds then run with his rights (``return_refund_user_id``), not with the rights of whoever
        validates the return picking."""
        if "refund_returns_on_receipt" not in vals:
            return
        if not self.env.user.has_group("marketplace_base.group_marketplace_manager"):
            raise AccessError(_("Only a Marketplace Manager decides whether returns are refunded on receipt."))
        vals["return_refund_user_id"] = self.env.uid if vals["refund_returns_on_receipt"] else False

    def _count_by_shop(self, model, domain):
        rows = self.env[model]._read_group(domain + [("shop_id", "in", self.ids)], ["shop_id"], ["__count"])
        return {shop.id: count for shop, count in rows}

    def _compute_dashboard(self):
        pending_orders = self._count_by_shop("marketplace.order", [("state", "=", "new")])
        error_orders = self._count_by_shop("marketplace.order", [("state", "=", "error")])
        failed_jobs = self._count_by_shop("marketplace.job", [("state", "=", "failed")])
        pending_jobs = self._count_by_shop("marketplace.job", [("state", "=", "pending")])
        bindings = self._count_by_shop("marketplace.product.binding", [])
        zero = self._count_by_shop("marketplace.product.binding", [("last_pushed_qty", "=", 0)])
        for shop in self:
            shop.order_pending_count = pending_orders.get(shop.id, 0)
            shop.order_error_count = error_orders.get(shop.id, 0)
            shop.job_failed_count = failed_jobs.get(shop.id, 0)
            shop.job_pending_count = pending_jobs.get(shop.id, 0)
            shop.binding_count = bindings.get(shop.id, 0)
            shop.binding_zero_count = zero.get(shop.id, 0)

    def _after_sale_counts(self, model):
        """Of ``model`` (a marketplace.after.sale), per shop: (waiting for the seller, due within 48 h, overdue)."""
        waiting = self._count_by_shop(model, [("waiting_for_seller", "=", True)])
        due = self._count_by_shop(model, self.env[model]._deadline_domain("due_soon"))
        overdue = self._count_by_shop(model, self.env[model]._deadline_domain("overdue"))
        return {shop.id: (waiting.get(shop.id, 0), due.get(shop.id, 0), overdue.get(shop.id, 0)) for shop in self}

    def _compute_cancellation_counts(self):
        """Buyers' cancellation requests waiting for the seller: all, due within 48 h, overdue."""
        counts = self._after_sale_counts("marketplace.cancellation")
        for shop in self:
            (shop.cancellation_waiting_count, shop.cancellation_due_count,
             shop.cancellation_overdue_count) = counts[shop.id]

    def _compute_return_counts(self):
        """Buyers' return requests waiting for the seller: all, due within 48 h, overdue."""
        counts = self._after_sale_counts("marketplace.return")
        for shop in self:
            shop.return_waiting_count, shop.return_due_count, shop.return_overdue_count = counts[shop.id]

    def _compute_case_counts(self):
        """Item-not-received inquiries and cases waiting for the seller: all, due within 48 h, overdue."""
        counts = self._after_sale_counts("marketplace.case")
        for shop in self:
            shop.case_waiting_count, shop.case_due_count, shop.case_overdue_count = counts[shop.id]

    def _compute_dispute_counts(self):
        """Payment disputes waiting for the seller's answer: all, due within 48 h, overdue."""
        counts = self._after_sale_counts("marketplace.dispute")
        for shop in self:
            shop.dispute_waiting_count, shop.dispute_due_count, shop.dispute_overdue_count = counts[shop.id]

    def _compute_money_summary(self):
        """Dashboard: fees and charges of the month per currency (several sites may sell in several), and the
        account's last payout with its check."""
        since = fields.Datetime.to_datetime(fields.Date.today().replace(day=1))
        domain = [("shop_id", "in", self.ids), ("date", ">=", since)]
        Transaction = self.env["marketplace.money.transaction"]
        fees = Transaction._read_group(domain, ["shop_id", "currency_id"], ["fee_amount:sum"])
        charges = Transaction._read_group(domain + [("kind", "in", ("non_sale_charge", "shipping_label"))],
                                          ["shop_id", "currency_id"], ["amount:sum"])
        totals = {}
        for shop, currency, amount in fees + charges:
            totals.setdefault(shop.id, {}).setdefault(currency, 0.0)
            totals[shop.id][currency] += amount
        check_labels = dict(self.env["marketplace.payout"]._fields["check_state"]._description_selection(self.env))
        for shop in self:
            shop.money_fees_month = ", ".join(
                format_amount(self.env, amount, currency) for currency, amount in sorted(
                    totals.get(shop.id, {}).items(), key=lambda item: item[0].name)) or False
            payout = self.env["marketplace.payout"].search([("account_id", "=", shop.account_id.id)],
                                                           order="payout_date desc, id desc", limit=1)
            shop.money_last_payout = _(
                "%(amount)s on %(date)s, %(check)s", amount=format_amount(self.env, payout.amount, payout.currency_id),
                date=format_date(self.env, payout.payout_date) or "?", check=check_labels[payout.check_state],
            ) if payout else False

    def _compute_sync_status_html(self):
        """One line per flow: its last success as "3 min ago" (exact time on hover), in a warning colour
        when the flow is overdue for its schedule (the rule: ``marketplace_core.sync_health``).

        The flows are those with a successful job (of the shop, or of its account without a shop: a
        category import, a webhook notification) and those a connector schedules (``_sync_schedules``),
        so a scheduled flow that never succeeded shows too."""
        last_success = self._last_sync_successes()
        labels = dict(self.env["marketplace.job"]._fields["job_type"]._description_selection(self.env))
        now = fields.Datetime.now()
        for shop in self:
            successes = last_success.get(shop.id, {})
            schedules = shop._sync_schedules() if shop.id else {}
            flows = sorted(set(successes) | set(schedules), key=lambda job_type: labels.get(job_type, job_type))
            lines = [shop._sync_status_line(labels.get(job_type, job_type), successes.get(job_type),
                                            schedules.get(job_type), now) for job_type in flows]
            shop.sync_status_html = Markup("").join(lines) or Markup("<div>%s</div>") % _("Never")

    def _last_sync_successes(self):
        """{shop id: {job type: end of its last done job}}, account-wide jobs counted in each of its shops."""
        groups = self.env["marketplace.job"].sudo()._read_group(
            [("account_id", "in", self.account_id.ids), ("state", "=", "done"),
             "|", ("shop_id", "=", False), ("shop_id", "in", self.ids)],
            ["account_id", "shop_id", "job_type"], ["ended_at:max"],
        )
        result = {shop.id: {} for shop in self}
        shops_of_account = self.grouped("account_id")
        for account, job_shop, job_type, ended_at in groups:
            for shop in job_shop or shops_of_account.get(account, self.browse()):
                flows = result[shop.id]
                flows[job_type] = max(filter(None, (flows.get(job_type), ended_at)), default=None)
        return result

    def _sync_status_line(self, label, last_success, interval, now):
        status = sync_health.flow_status(last_success, interval, now, scheduled_since=self.create_date)
        when = self._sync_age_text(last_success, now) if last_success else _("never")
        if status == sync_health.OVERDUE:
            when = _("%s - overdue", when)
        exact = fields.Datetime.to_string(fields.Datetime.context_timestamp(self, last_success)) \
            if last_success else ""
        return Markup('<div class="%s" title="%s" data-flow-status="%s">%s%s: %s</div>') % (
            "text-warning fw-bold" if status == sync_health.OVERDUE else "",
            exact, status,
            Markup('<i class="fa fa-exclamation-triangle me-1" role="img"/>') if status == sync_health.OVERDUE
            else "",
            label, when)

    def _sync_age_text(self, moment, now):
        unit, count = sync_health.age(moment, now)
        if unit == "now":
            return _("just now")
        if unit == "minutes":
            return _("%s min ago", count)
        if unit == "hours":
            return _("%s h ago", count)
        return _("%s days ago", count)

    def _sync_schedules(self):
        """{job type: minutes between two scheduled runs} of the flows a cron runs for this shop now: the
        cron's interval, or the shop's own when longer (a cron that checks every minute which shops are due);
        a switched-off cron schedules nothing."""
        schedules = {}
        for job_type, (cron_xml_id, shop_minutes) in self._sync_crons().items():
            interval = self._cron_interval(cron_xml_id)
            if interval:
                schedules[job_type] = max(interval, shop_minutes or 0)
        return schedules

    def _pricelist_in_currency(self, currency):
        """The pricelist an order in ``currency`` is sold at: the shop's own when it is in that currency, else the
        company's first active one in it, else a new one (the currency activated). A sale order's currency is its
        pricelist's: without one in the marketplace's currency, a GBP order would become a USD sale order."""
        self.ensure_one()
        if self.pricelist_id.currency_id == currency:
            return self.pricelist_id
        Pricelist = self.env["product.pricelist"].sudo()
        pricelist = Pricelist.search([("currency_id", "=", currency.id),
                                      ("company_id", "in", (self.company_id.id, False))], limit=1)
        if pricelist:
            return pricelist
        currency.sudo().active = True
        return Pricelist.create({"name": _("%(company)s %(currency)s", company=self.company_id.name,
                                           currency=currency.name),
                                 "currency_id": currency.id, "company_id": self.company_id.id})

    def _sync_crons(self):
        """{job type: (xml id of the cron that runs it, the shop's own interval in minutes or 0)} of the flows
        a cron runs for this shop. Connectors add theirs, leaving out what their crons skip for this shop
        (e.g. stock pushes before a take-over); a flow missing here has no schedule and is never overdue."""
        self.ensure_one()
        return {}

    def _cron_interval(self, cron_xml_id):
        """Minutes between two runs of an active cron, None when it is missing or switched off."""
        cron = self.env.ref(cron_xml_id, raise_if_not_found=False)
        cron = cron and cron.sudo()
        if not cron or not cron.active:
            return None
        return sync_health.interval_minutes(cron.interval_number, cron.interval_type)

    def _local_tz(self):
        """The timezone the user's days are counted in: the context's (the web client's), else his own."""
        return self.env.context.get("tz") or self.env.user.tz or "UTC"

    def _local_day_start(self, days_ago=0):
        """The start of the user's today (or of the day ``days_ago`` before) as Odoo stores datetimes (naive UTC):
        near midnight UTC the user's day (his timezone) is not UTC's, and a day across a change of summer time
        is not 24 hours."""
        tz = pytz.timezone(self._local_tz())
        day = fields.Date.context_today(self) - timedelta(days=days_ago)
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def _compute_listing_queue(self):
        """The upload queue at a glance (seller runbook: queue statistics visible)."""
        today = self._local_day_start()
        queued = self._count_by_shop("marketplace.listing", [("state", "=", "queued")])
        publishing = self._count_by_shop("marketplace.listing", [("state", "=", "publishing")])
        published = self._count_by_shop("marketplace.listing", [("state", "=", "published"),
                                                                 ("published_at", ">=", today)])
        errors = self._count_by_shop("marketplace.listing", [("state", "=", "error")])
        for shop in self:
            shop.listing_queued_count = queued.get(shop.id, 0)
            shop.listing_publishing_count = publishing.get(shop.id, 0)
            shop.listing_published_today_count = published.get(shop.id, 0)
            shop.listing_error_count = errors.get(shop.id, 0)

    def action_open_listings(self):
        return self._open_related("marketplace_base.action_marketplace_listing",
                                  [("state", "in", ("queued", "publishing", "error"))])

    def _compute_sales_graph_data(self):
        """Sales of the last 14 days, in the format of the web client's ``dashboard_graph`` widget."""
        today = fields.Date.context_today(self)
        start = today - timedelta(days=13)
        rows = self.env["marketplace.order"].with_context(tz=self._local_tz())._read_group(   # days grouped there too
            [("shop_id", "in", self.ids), ("state", "!=", "cancelled"),
             ("order_date", ">=", self._local_day_start(days_ago=13))],
            ["shop_id", "order_date:day"], ["amount_total:sum"],
        )
        totals = {(shop.id, day.date() if hasattr(day, "date") else day): amount for shop, day, amount in rows}
        for shop in self:
            values = []
            for offset in range(14):
                day = start + timedelta(days=offset)
                values.append({
                    "label": day.strftime("%d %b"),
                    "value": totals.get((shop.id, day), 0.0),
                    "type": "past" if offset < 13 else "future",
                })
            shop.sales_graph_data = json.dumps([{"values": values, "key": _("Sales"), "title": "", "area": True}])

    # -- shop authorization ----------------------------------------------------
    def _mark_authorized(self, access_token, access_expires_at, refresh_token, refresh_expires_at=None):
        """The marketplace granted this shop a token pair: store it encrypted and say so in the chatter."""
        self.ensure_one()
        self._store_tokens(access_token, access_expires_at, refresh_token, refresh_expires_at)
        self.sudo().write({"authorization_state": "authorized", "authorized_at": fields.Datetime.now()})
        self.message_post(body=_("Shop authorized by %s.", self.env.user.name))

    def _mark_needs_reauth(self, reason):
        """The marketplace refused the shop's refresh token: someone must authorize the shop again."""
        for shop in self:
            shop.sudo().authorization_state = "needs_reauth"
            shop.message_post(body=_("Re-authorization needed: %s", reason))
            # the to-do goes on the account (shops carry no activities), for the shop's responsible
            shop.account_id.activity_schedule(
                "mail.mail_activity_data_todo", user_id=(shop.user_id or shop.account_id.create_uid).id,
                summary=_("Authorize %s again", shop.name),
                note=_("The marketplace refused to refresh this shop's access token (%s). Open the shop and "
                       "authorize it again.", reason))

    # -- stock rules ---------------------------------------------------------
    def _active_sync_rule(self):
        self.ensure_one()
        return self.sync_rule_ids.filtered("active")[:1]

    def _platform(self):
        """This shop's platform interface (``marketplace.platform``): its connector's answers, no other's."""
        self.ensure_one()
        return self.env["marketplace.platform"]._get(self.platform)

    @api.model
    def _push_listing_domain(self):
        """The listings that take stock and price pushes, in any shop, as far as the base can tell (each platform
        narrows it with its ``_push_listing_domain``). A listing awaiting its take-over (new since the shop's)
        takes none."""
        return [("product_id", "!=", False), ("awaiting_takeover", "=", False)]

    @api.model
    def _pushed_bindings(self, products, capability):
        """The listings of ``products`` that a push reaches, for the platforms with ``capability``
        (``marketplace_core.platform``): pushed listings in active shops of active accounts (an account whose
        connector is uninstalled is archived) whose stock Odoo took over, narrowed by their own platform only
        (``_push_listing_domain``, ``_push_ready_domain``): a platform listing none of them is not asked."""
        Binding = self.env["marketplace.product.binding"].sudo()
        domain = expression.AND([[("product_id", "in", products.ids), ("shop_id.active", "=", True),
                                  ("shop_id.account_id.active", "=", True), ("shop_id.odoo_owns_stock", "=", True)],
                                 self._push_listing_domain()])
        bindings = Binding.browse()
        for (code,) in Binding._read_group(domain, ["platform"]):
            platform = self.env["marketplace.platform"]._get(code)
            if platform._platform_code and platform._can(capability):
                bindings |= Binding.search_fetch(expression.AND([
                    domain, [("platform", "=", code)], platform._push_listing_domain(), platform._push_ready_domain()]),
                    ["shop_id", "product_id"])
        return bindings

    def _push_binding_domain(self):
        """This shop's listings that receive stock and price pushes."""
        self.ensure_one()
        return expression.AND([[("shop_id", "=", self.id)], self._push_listing_domain(),
                               self._platform()._push_listing_domain()])

    def _push_bindings(self):
        """This shop's listings that receive stock and price pushes."""
        return self.env["marketplace.product.binding"].search(self._push_binding_domain())

    def _stock_push_impact(self, bindings=None):
        """What a stock push of every listing (or of ``bindings``) would do now: the marketplace's quantities next
        to the quantities the sync rule publishes."""
        bindings = self._push_bindings() if bindings is None else bindings
        online = bindings._online_quantities()
        return push_guard.push_impact({binding.external_sku: binding.last_pushed_qty for binding in bindings},
                                      {binding.external_sku: int(online[binding.id]) for binding in bindings})

    # -- orders by number ----------------------------------------------------
    def action_open_import_orders(self):
        """Import Orders: the wizard where a seller types the numbers of orders to import into this shop."""
        self.ensure_one()
        self._check_may_import_orders()
        action = self.env["ir.actions.act_window"]._for_xml_id("marketplace_base.action_marketplace_order_import")
        action["context"] = {"default_shop_id": self.id}
        return action

    def _check_may_import_orders(self):
        """Importing orders by number is the Marketplace Users' and Managers' of the shop's company: the job runs
        with the rights of the person who asked, in the shop's company."""
        if not (self.env.user.has_group("marketplace_base.group_marketplace_user") and self.has_access("read")):
            raise AccessError(_("Only the Marketplace Users and Managers of the shop's company import its orders "
                                "(%s is not one of them).", self.env.user.name))

    def _import_orders_by_number(self, text):
        """Queue one ``pull_orders`` job of this shop for the order numbers typed in ``text`` (one a line or
        comma separated), e.g. an order sold before the shop's first sync that a buyer's claim is about; returns
        the job. The import is idempotent: an order already imported is only refreshed."""
        self.ensure_one()
        self._check_may_import_orders()
        numbers = order_numbers(text)
        if not numbers:
            raise UserError(_("Type the numbers of the orders to import, one a line or separated by commas."))
        key = self._platform()._order_ids_payload_key()
        if not key:
            raise UserError(_("The marketplace of %s does not import orders by their number.", self.name))
        return self.env["marketplace.job"]._enqueue("pull_orders", shop=self, payload={key: numbers}, priority=5,
                                                    user=self.env.user)

    # -- take-over of stock and prices ---------------------------------------
    def action_open_takeover(self):
        """Take Over Stock and Prices: first the preview of what the first push would change."""
        self.ensure_one()
        wizard = self.env["marketplace.takeover.wizard"].create({"shop_id": self.id})
        return wizard._reopen()

    def _take_over_stock(self):
        """Turn pushes on, and say in the chatter who did it and what the preview showed."""
        self.ensure_one()
        impact = self._stock_push_impact()
        self.odoo_owns_stock = True
        self.message_post(body=_(
            "%(user)s took over stock and prices: Odoo now pushes them to the marketplace. At take-over, "
            "%(changed)s of %(listings)s listing(s) were to change, %(zeroed)s of them to 0 (total online quantity "
            "%(before)s → %(after)s).", user=self.env.user.name, changed=len(impact.changes),
            listings=impact.listings, zeroed=impact.zeroed, before=impact.total_before, after=impact.total_after))

    def action_stock_from_marketplace(self):
        """Initial stock: products bound here with no stock in Odoo get the marketplace's quantity, by an
        inventory adjustment in the shop's warehouse, so that taking over changes nothing online.

        Products the backfill created start at 0 in Odoo while the listing shows real units; pushing
        that 0 would end the listing (issue 12).
        """
        return self._stock_from_marketplace()

    def _move_watermark(self, field_name, value):
        """Move one of the shop's pull watermarks (``*_synced_until``): the engine's bookkeeping, written whoever
        runs the pull. A Marketplace User's **Pull Orders** runs with his rights, which change no shop: the pull
        stored every order, then failed on its watermark."""
        self.ensure_one()
        self.sudo().write({field_name: value})

    def _stock_from_marketplace(self, bindings=None):
        """Set Initial Stock from Marketplace for the shop's listings, or for ``bindings`` (a take-over of just
        the listings awaiting theirs). It is an inventory adjustment: Inventory users' only, as in Odoo's own
        Inventory (the button raised Odoo's raw access error on stock.quant for anyone else)."""
        self.ensure_one()
        if not self.env.user.has_group("stock.group_stock_user"):
            raise UserError(_("Setting the initial stock adjusts the inventory of %(warehouse)s: it needs Inventory "
                              "rights (Inventory: User or Administrator), which %(user)s does not have. Ask a "
                              "colleague with Inventory rights to press Set Initial Stock from Marketplace.",
                              warehouse=self.warehouse_id.display_name, user=self.env.user.name))
        quantities = self._stock_to_adjust(bindings)
        if not quantities:
            raise UserError(_("No bound product without stock in %(warehouse)s has a quantity online.",
                              warehouse=self.warehouse_id.display_name))
        self._set_initial_stock(quantities)
        self.message_post(body=_(
            "%(user)s set the initial stock of %(count)s product(s) in %(location)s from the marketplace's "
            "quantities (%(units)s unit(s)).", user=self.env.user.name, count=len(quantities),
            location=self.warehouse_id.lot_stock_id.display_name, units=sum(quantities.values())))
        return True

    def _set_initial_stock(self, quantities):
        """{product: quantity} as the products' stock in the shop's warehouse, by one inventory adjustment."""
        location = self.warehouse_id.lot_stock_id
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        quants = Quant.create([{"product_id": product.id, "location_id": location.id, "inventory_quantity": quantity}
                               for product, quantity in quantities.items()])
        quants.with_context(inventory_name=_("Initial stock from %s", self.name)).action_apply_inventory()

    def _stock_to_adjust(self, bindings=None):
        """Storable products bound to a listing with units online and with no stock in the shop's warehouse,
        with the marketplace's quantity (the largest, when one product has several listings); of the shop's
        pushed listings, or of ``bindings``."""
        bindings = (self._push_bindings() if bindings is None else bindings).filtered(
            lambda binding: binding.product_id.is_storable and binding.last_pushed_qty > 0)
        on_hand = bindings.product_id.with_context(warehouse_id=self.warehouse_id.id)
        empty = on_hand.filtered(lambda product: product.qty_available <= 0)
        quantities = {}
        for binding in bindings.filtered(lambda b: b.product_id in empty):
            quantities[binding.product_id] = max(quantities.get(binding.product_id, 0), binding.last_pushed_qty)
        return quantities

    def _start_new_listings(self, bindings, created_products):
        """Listings that appeared on the marketplace after Odoo took this shop over, or got their product only then
        (a backfill found them): Odoo never owned them, so Odoo's 0 must not end them (issue 19). A product the
        backfill has just created takes the marketplace's quantity as its initial stock (Set Initial Stock from
        Marketplace); then a listing is Odoo's when the push would leave it as it is, else it waits for a
        manager's take-over of just those listings (``awaiting_takeover``). Returns (products given initial
        stock, listings waiting)."""
        self.ensure_one()
        bindings = bindings.filtered("product_id")  # a listing without a product takes no push
        if not self.odoo_owns_stock or not bindings:
            return {}, bindings.browse()
        adjusted = {}
        if self.env.user.has_group("stock.group_stock_user"):  # else they wait, for a person who may adjust stock
            adjusted = self._stock_to_adjust(bindings.filtered(lambda binding: binding.product_id in created_products))
            if adjusted:
                self._set_initial_stock(adjusted)
        online = bindings._online_quantities()
        waiting = bindings.filtered(lambda binding: push_guard.new_listing_waits(binding.last_pushed_qty,
                                                                                 int(online[binding.id])))
        waiting.sudo().awaiting_takeover = True
        return adjusted, waiting

    def _compute_awaiting_takeover_count(self):
        counts = self._count_by_shop("marketplace.product.binding", [("awaiting_takeover", "=", True)])
        for shop in self:
            shop.awaiting_takeover_count = counts.get(shop.id, 0)

    def action_open_awaiting_takeover(self):
        """Take Over Listings: the preview of the listings awaiting their take-over, with their initial stock."""
        self.ensure_one()
        return self.binding_ids.filtered("awaiting_takeover").action_open_takeover()

    # -- dashboard actions ---------------------------------------------------
    def _open_related(self, xml_id, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("shop_id", "=", self.id)] + domain
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_open_pending_orders(self):
        return self._open_related("marketplace_base.action_marketplace_order", [("state", "in", ("new", "error"))])

    def action_open_failed_jobs(self):
        return self._open_related("marketplace_base.action_marketplace_job", [("state", "=", "failed")])

    def action_open_pending_jobs(self):
        return self._open_related("marketplace_base.action_marketplace_job", [("state", "=", "pending")])

    def action_open_zero_bindings(self):
        return self._open_related("marketplace_base.action_marketplace_product_binding", [("last_pushed_qty", "=", 0)])

    def action_open_waiting_cancellations(self):
        return self._open_related("marketplace_base.action_marketplace_cancellation",
                                  [("waiting_for_seller", "=", True)])

    def action_open_waiting_disputes(self):
        return self._open_related("marketplace_base.action_marketplace_dispute", [("waiting_for_seller", "=", True)])
    def action_open_waiting_returns(self):
        return self._open_related("marketplace_base.action_marketplace_return", [("waiting_for_seller", "=", True)])

    def action_open_waiting_cases(self):
        return self._open_related("marketplace_base.action_marketplace_case", [("waiting_for_seller", "=", True)])

    def action_open_bindings(self):
        return self._open_related("marketplace_base.action_marketplace_product_binding", [])


    def _pending_order_quantities(self, products):
        """Units of ``products`` that imported marketplace orders will take but do not reserve yet.

        An order reserves stock once its sale order is confirmed; before that (new,
        in error, or a quotation) its quantities are still free in stock but sold.
        """
        self.ensure_one()
        rows = self.env["marketplace.order.line"]._read_group(
            [
                ("order_id.shop_id", "=", self.id),
                ("product_id", "in", products.ids),
                ("order_id.state", "in", ("new", "error", "imported")),
                "|", ("order_id.sale_order_id", "=", False),
                ("order_id.sale_order_id.state", "in", ("draft", "sent")),
            ],
            ["product_id"], ["quantity:sum"],
        )
        return {product.id: quantity for product, quantity in rows}
