import json

from markupsafe import Markup, escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

PUBLISHABLE_STATES = ("draft", "error", "ended")


class MarketplaceListing(models.Model):
    """A product (or a product template with its variants) made into a listing of one shop.

    Platform-neutral: the life of a listing (draft → queued → publishing → published, or error; ended and
    relisted), its problems, photos and jobs. Connectors add their platform's fields, say what a listing
    lacks (``_listing_problems``) and word it (``_problem_text``); the publishing itself is a job of the
    shop's platform (``publish_listings``, ``revise_listings``, ``end_listings``) in the *publish* lane.
    """

    _name = "marketplace.listing"
    _description = "Marketplace Listing"
    _inherit = ["mail.thread"]
    _order = "write_date desc, id desc"
    _rec_name = "title"

    # What is listed, where
    shop_id = fields.Many2one("marketplace.shop", required=True, ondelete="cascade", index=True, tracking=True)
    account_id = fields.Many2one(related="shop_id.account_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product", required=True, ondelete="cascade",
                                      index=True, check_company=True)
    product_id = fields.Many2one(
        "product.product", string="Variant", ondelete="cascade", index=True, check_company=True,
        domain="[('product_tmpl_id', '=', product_tmpl_id)]",
        help="Empty for a product with several variants: they are listed together, one listing with variations.")
    variant_count = fields.Integer(compute="_compute_is_group")
    is_group = fields.Boolean(string="Listing with Variations", compute="_compute_is_group")
    sku = fields.Char(string="SKU", required=True, copy=False,
                      help="The marketplace's key of this listing (the variants' own SKUs are their internal "
                           "references).")
    binding_ids = fields.One2many("marketplace.product.binding", "listing_id", string="Bindings", readonly=True)

    # What buyers see
    title = fields.Char(required=True, tracking=True)
    title_length = fields.Integer(compute="_compute_title_length", string="Characters")
    description = fields.Html(sanitize_style=True)
    image_ids = fields.One2many("marketplace.listing.image", "listing_id", string="Photos", copy=True)
    photo_count = fields.Integer(compute="_compute_photo_count", string="Number of Photos")

    # Publishing
    state = fields.Selection(
        [("draft", "Draft"), ("queued", "Queued"), ("publishing", "Publishing"), ("published", "Published"),
         ("ended", "Ended"), ("error", "Error")],
        default="draft", required=True, index=True, copy=False, tracking=True)
    problems = fields.Text(string="Problem Codes", copy=False, readonly=True,
                           help="What the marketplace would refuse, as found by the last check (JSON codes).")
    problems_html = fields.Html(compute="_compute_problems_html", string="Problems", sanitize=False)
    problem_count = fields.Integer(copy=False, readonly=True, index=True)
    checked_at = fields.Datetime(copy=False, readonly=True, string="Last Check")
    ready = fields.Boolean(compute="_compute_ready", search="_search_ready",
                           help="A draft whose last check found nothing to fix.")
    job_id = fields.Many2one("marketplace.job", string="Last Job", copy=False, readonly=True, ondelete="set null")
    job_state = fields.Selection(related="job_id.state", string="Job State")
    next_attempt_at = fields.Datetime(related="job_id.next_attempt_at", string="Next Attempt")
    attempts = fields.Integer(related="job_id.attempts", string="Attempts")
    last_error = fields.Text(copy=False, readonly=True, string="Marketplace Says")
    external_listing_id = fields.Char(string="Listing ID", copy=False, readonly=True, index=True)
    published_at = fields.Datetime(copy=False, readonly=True, index=True)
    ended_at = fields.Datetime(copy=False, readonly=True)

    _sql_constraints = [
        ("shop_sku_uniq", "UNIQUE(shop_id, sku)", "This SKU already has a listing in this shop."),
    ]

    @api.depends("product_tmpl_id.product_variant_ids", "product_id")
    def _compute_is_group(self):
        for listing in self:
            listing.variant_count = len(listing.product_tmpl_id.product_variant_ids)
            listing.is_group = not listing.product_id and listing.variant_count > 1

    @api.depends("title")
    def _compute_title_length(self):
        for listing in self:
            listing.title_length = len((listing.title or "").strip())

    @api.depends("image_ids")
    def _compute_photo_count(self):
        for listing in self:
            listing.photo_count = len(listing.image_ids)

    @api.depends("problems")
    def _compute_problems_html(self):
        for listing in self:
            problems = json.loads(listing.problems or "[]")
            items = Markup("").join(Markup("<li>%s</li>") % escape(listing._problem_text(problem["code"],
                                                                                           problem["params"]))
                                    for problem in problems)
            listing.problems_html = Markup("<ul class='mb-0'>%s</ul>") % items if problems else False

    @api.depends("state", "problem_count", "checked_at")
    def _compute_ready(self):
        for listing in self:
            listing.ready = bool(listing.state == "draft" and listing.checked_at and not listing.problem_count)

    def _search_ready(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search ready listings with = True or = False."))
        if (operator == "=") == value:
            return [("state", "=", "draft"), ("checked_at", "!=", False), ("problem_count", "=", 0)]
        return ["|", "|", ("state", "!=", "draft"), ("checked_at", "=", False), ("problem_count", "!=", 0)]

    @api.model_create_multi
    def create(self, vals_list):
        """A listing without photos starts with the product's own picture as its main photo."""
        listings = super().create(vals_list)
        for listing in listings.filtered(lambda listing: not listing.image_ids):
            picture = (listing.product_id or listing.product_tmpl_id).image_1920
            if picture:
                listing.image_ids = [Command.create({"name": "main.jpg", "image": picture, "sequence": 1})]
        return listings

    @api.onchange("product_tmpl_id")
    def _onchange_product_tmpl_id(self):
        template = self.product_tmpl_id
        if template:
            self.title = self.title or (template.name or "")[:80]
            self.sku = self.sku or template.default_code or (
                template.product_variant_ids[:1].default_code if template.product_variant_count == 1 else False)
            if template.product_variant_count == 1:
                self.product_id = template.product_variant_id

    # -- what the connector says ----------------------------------------------
    def _listing_problems(self):
        """``[{"code", "params"}]`` the shop's marketplace would refuse; connectors extend by platform."""
        self.ensure_one()
        problems = []
        if not self.image_ids:
            problems.append({"code": "photo_missing", "params": {}})
        return problems

    def _problem_text(self, code, params):
        """A problem in words; connectors word their own codes and fall back here."""
        texts = {"photo_missing": _("Add at least one photo.")}
        return texts.get(code) or "%s %s" % (code, json.dumps(params, sort_keys=True) if params else "")

    # -- check ------------------------------------------------------------------
    def _run_check(self):
        """Store every problem of each listing at once; returns the listings without any."""
        now = fields.Datetime.now()
        for listing in self:
            problems = listing._listing_problems()
            listing.write({"problems": json.dumps(problems) if problems else False, "problem_count": len(problems),
                           "checked_at": now})
        return self.filtered(lambda listing: not listing.problem_count)

    def action_check(self):
        """Check: list what the marketplace would refuse, before any call to it."""
        ok = self._run_check()
        return self._notify(_("Check done"), _("%(ok)s of %(count)s listing(s) ready to publish.", ok=len(ok),
                                                count=len(self)), "success" if ok == self else "warning")

    # -- publishing ---------------------------------------------------------------
    def action_publish(self):
        """Publish (or Retry, Relist): check every listing, queue those without problems in one job per shop."""
        candidates = self.filtered(lambda listing: listing.state in PUBLISHABLE_STATES)
        if not candidates:
            raise UserError(_("Select draft, ended or failed listings: the others are queued or published already."))
        ready = candidates._run_check()
        jobs = (ready)._enqueue_listing_job("publish_listings", "queued")
        blocked = candidates - ready
        message = _("%(count)s listing(s) queued for publishing (%(jobs)s).", count=len(ready),
                    jobs=", ".join(jobs.mapped("name")) or "-")
        if blocked:
            message += " " + _("%s listing(s) have problems to fix first: they are listed on each listing.",
                               len(blocked))
        return self._notify(_("Publish"), message, "warning" if blocked else "success")

    def action_revise(self):
        """Revise: send again what changed on published listings (unchanged ones cost no call)."""
        published = self._only("published", _("Only published listings can be revised."))
        ready = published._run_check()
        jobs = ready._enqueue_listing_job("revise_listings")
        return self._notify(_("Revise"), _("%(count)s listing(s) queued for revision (%(jobs)s).", count=len(ready),
                                           jobs=", ".join(jobs.mapped("name")) or "-"),
                            "success" if ready == published else "warning")

    def action_end(self):
        """End the listing on the marketplace; it can be relisted with Publish."""
        published = self._only("published", _("Only published listings can be ended."))
        jobs = published._enqueue_listing_job("end_listings")
        return self._notify(_("End"), _("%(count)s listing(s) will be ended (%(jobs)s).", count=len(published),
                                        jobs=", ".join(jobs.mapped("name"))), "success")

    def _only(self, state, message):
        listings = self.filtered(lambda listing: listing.state == state)
        if not listings:
            raise UserError(message)
        return listings

    def _enqueue_listing_job(self, job_type, state=None):
        """One job per shop for these listings; they remember it (and take ``state``)."""
        jobs = self.env["marketplace.job"]
        for shop, listings in self.grouped("shop_id").items():
            job = jobs._enqueue(job_type, shop=shop, payload={"listing_ids": sorted(listings.ids)}, priority=5,
                                user=self.env.user)
            values = {"job_id": job.id, "last_error": False}
            if state:
                values["state"] = state
            listings.write(values)
            jobs |= job
        return jobs

    def _notify(self, title, message, kind):
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": title, "message": message, "type": kind, "sticky": kind != "success",
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}
