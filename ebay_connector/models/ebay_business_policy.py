from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..ebay_api import EbayError
from ..ebay_api.account import POLICY_KINDS, AccountAdapter


class EbayBusinessPolicy(models.Model):
    """A business policy of the seller (shipping, payment, return) on one eBay site, read from the Account API.

    Shops choose one of each as their default; a listing may choose another."""

    _name = "ebay.business.policy"
    _description = "eBay Business Policy"
    _order = "kind, name"

    account_id = fields.Many2one("marketplace.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Char(string="eBay Site", required=True, index=True)
    kind = fields.Selection([("fulfillment", "Shipping"), ("payment", "Payment"), ("return", "Return")],
                            required=True, index=True)
    policy_id = fields.Char(string="eBay Policy ID", required=True)
    name = fields.Char(required=True)
    needs_package = fields.Boolean(
        string="Needs Package Size", readonly=True,
        help="Calculated shipping: eBay needs each listing's package weight and dimensions.")
    active = fields.Boolean(default=True, help="Archived when eBay no longer has it.")

    _sql_constraints = [
        ("account_policy_uniq", "UNIQUE(account_id, policy_id)", "This eBay policy is already known."),
    ]

    @api.model
    def _ebay_fetch(self, account, marketplace_id):
        """Read the seller's three kinds of policies for one site; archive those eBay no longer has."""
        known = self.with_context(active_test=False).search([("account_id", "=", account.id),
                                                             ("marketplace_id", "=", marketplace_id)])
        seen = self.browse()
        with account._ebay_client(site=marketplace_id) as client:
            adapter = AccountAdapter(client)
            for kind in POLICY_KINDS:
                seen |= self._ebay_store_policies(account, marketplace_id, kind, known,
                                                  self._ebay_policies_of(adapter, kind, marketplace_id))
        (known - seen).write({"active": False})
        return seen

    @api.model
    def _ebay_policies_of(self, adapter, kind, marketplace_id):
        """[(policy id, name, eBay's policy)] of one kind on one site, eBay's refusal worded for the seller."""
        try:
            return adapter.get_policies(kind, marketplace_id)
        except EbayError as exc:
            raise UserError(_("eBay did not give the %(kind)s policies of %(site)s: %(error)s. The account must "
                              "be opted in to business policies (Seller Hub > Account > Business policies).",
                              kind=kind, site=marketplace_id, error=exc)) from exc

    @api.model
    def _ebay_store_policies(self, account, marketplace_id, kind, known, policies):
        """The records of ``policies`` (of one kind and site), updated among ``known`` or created."""
        stored = self.browse()
        for policy_id, name, raw in policies:
            values = {"account_id": account.id, "marketplace_id": marketplace_id, "kind": kind,
                      "policy_id": policy_id, "name": name, "active": True,
                      "needs_package": any(option.get("costType") == "CALCULATED"
                                           for option in raw.get("shippingOptions") or ())}
            record = known.filtered(lambda p, policy_id=policy_id: p.policy_id == policy_id)
            if record:
                record.write(values)
            else:
                record = self.create(values)
            stored |= record
        return stored
