import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..ebay_api import EbayError
from ..ebay_api.metadata import MetadataAdapter
from ..ebay_api.taxonomy import TaxonomyAdapter
from ..sync_core.categories import aspect_summary
from ..sync_core.publish import condition_policy


class EbayCategory(models.Model):
    """A node of an eBay category tree, kept in step with eBay by the ``import_categories`` job."""

    _name = "ebay.category"
    _description = "eBay Category"
    _order = "full_path"
    _rec_names_search = ["full_path", "category_id"]

    # eBay tree
    name = fields.Char(required=True)
    tree_id = fields.Char(string="Category Tree", required=True, index=True)
    category_id = fields.Char(string="eBay Category ID", required=True, index=True)
    parent_id = fields.Many2one("ebay.category", string="Parent Category", index=True, ondelete="cascade")
    child_ids = fields.One2many("ebay.category", "parent_id", string="Subcategories")
    level = fields.Integer(index=True, help="1 for a top-level category.")
    leaf = fields.Boolean(index=True, help="Only leaf categories can hold listings.")
    full_path = fields.Char(index=True)
    active = fields.Boolean(default=True, help="Archived when eBay removed the category from the tree.")

    # Item aspects (fetched on demand, per leaf)
    aspects_json = fields.Text(string="Item Aspects (JSON)", readonly=True,
                               help="eBay's getItemAspectsForCategory answer, kept until refreshed.")
    aspects_fetched_at = fields.Datetime(string="Aspects Fetched", readonly=True)
    aspects_required = fields.Text(string="Required Item Specifics", compute="_compute_aspect_lists")
    aspects_recommended = fields.Text(string="Recommended Item Specifics", compute="_compute_aspect_lists")
    conditions_json = fields.Text(string="Item Conditions (JSON)", readonly=True,
                                  help="eBay's getItemConditionPolicies answer for this leaf, kept until refreshed.")
    condition_ids = fields.Many2many(
        "ebay.condition", string="Accepted Conditions", compute="_compute_condition_ids", store=True,
        help="The conditions eBay accepts in this leaf; empty while unknown or when eBay accepts any.")

    # Odoo mirror
    product_category_id = fields.Many2one(
        "product.category", ondelete="set null",
        help="Kept in step when the account's option Create Product Categories is on.",
    )

    _sql_constraints = [
        ("tree_category_uniq", "UNIQUE(tree_id, category_id)", "This eBay category is already in this tree."),
    ]

    @api.depends("aspects_json")
    def _compute_aspect_lists(self):
        for category in self:
            category.aspects_required, category.aspects_recommended = aspect_summary(category.aspects_json)

    @api.depends("conditions_json")
    def _compute_condition_ids(self):
        conditions = self.env["ebay.condition"].search([])  # eBay's 14 conditions  # pylint: disable=no-search-all
        for category in self:
            policy = category._ebay_condition_policy(fetch=False)
            allowed = set(policy.allowed) if policy else ()
            category.condition_ids = [condition.id for condition in conditions if condition.code in allowed]

    @api.depends("full_path")
    def _compute_display_name(self):
        for category in self:
            category.display_name = category.full_path or category.name

    # -- item aspects ----------------------------------------------------------
    def _ebay_account(self):
        """A connected eBay account using this category tree: aspects are read with its keys."""
        self.ensure_one()
        account = self.env["marketplace.account"].search(
            [("platform", "=", "ebay"), ("state", "=", "connected"), ("ebay_category_tree_id", "=", self.tree_id)],
            limit=1)
        if not account:
            raise UserError(_("No connected eBay account uses category tree %s: import the categories of a "
                              "connected account first.", self.tree_id))
        return account

    def _ebay_aspects(self, refresh=False):
        """The category's item aspects (parsed), fetched from eBay the first time only, then cached."""
        self.ensure_one()
        if not self.leaf:
            raise UserError(_("%s is not a leaf category: eBay lists item specifics for leaf categories only.",
                              self.display_name))
        if refresh or not self.aspects_json:
            try:
                with self._ebay_account()._ebay_client() as client:
                    answer = TaxonomyAdapter(client).get_item_aspects(self.tree_id, self.category_id)
            except EbayError as exc:
                raise UserError(_("eBay did not give the item specifics of %(category)s: %(error)s",
                                  category=self.display_name, error=exc)) from exc
            self.sudo().write({"aspects_json": json.dumps(answer, sort_keys=True),
                               "aspects_fetched_at": fields.Datetime.now()})
        return json.loads(self.aspects_json).get("aspects") or []

    def _ebay_condition_policy(self, fetch=True):
        """The conditions this leaf accepts (``publish.ConditionPolicy``), asked of eBay's Metadata API the first
        time only; None when unknown (not fetched and ``fetch`` is False, or not a leaf)."""
        if len(self) != 1 or not self.leaf:
            return None
        if not self.conditions_json and fetch:
            account = self._ebay_account()
            try:
                with account._ebay_client() as client:
                    answer = MetadataAdapter(client).get_item_condition_policies(
                        account.ebay_marketplace_id or "EBAY_US", [self.category_id])
            except EbayError as exc:
                raise UserError(_("eBay did not give the item conditions of %(category)s: %(error)s",
                                  category=self.display_name, error=exc)) from exc
            self.sudo().conditions_json = json.dumps(answer, sort_keys=True)
        if not self.conditions_json:
            return None
        return condition_policy(json.loads(self.conditions_json), self.category_id)

    def action_fetch_aspects(self):
        """Form button: read the item specifics of this leaf (eBay is asked once, then the cache answers)."""
        for category in self:
            category._ebay_aspects()
        return True

    def action_refresh_aspects(self):
        """Form button: ask eBay again, e.g. after eBay changed the category's requirements."""
        for category in self:
            category._ebay_aspects(refresh=True)
        return True
