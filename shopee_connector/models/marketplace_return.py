from odoo import _, fields, models

from odoo.addons.marketplace_base.models.marketplace_return import USER_FIELDS

PROOF_MIMETYPES = ("image/jpeg", "image/png")


class MarketplaceReturn(models.Model):
    """Shopee's part of a return: the reason the seller disputes it with, chosen among Shopee's own for it."""

    _inherit = "marketplace.return"
    _user_fields = USER_FIELDS | {"shopee_dispute_reason_id"}

    shopee_dispute_reason_ids = fields.One2many("shopee.return.dispute.reason", "return_id",
                                                string="Shopee's Dispute Reasons", readonly=True)
    shopee_dispute_reason_id = fields.Many2one(
        "shopee.return.dispute.reason", string="Shopee's Reason", domain="[('return_id', '=', id)]",
        ondelete="set null", copy=False,
        help="Shopee disputes a return with one of its reasons for it (listed after a first Decline); the photos "
             "it asks for are the images attached to the return.")

    def _store_shopee_dispute_reasons(self, reasons):
        """Keep Shopee's reasons for this return (``shopee_api.returns.dispute_reasons``), by their id: the one
        chosen stays chosen while Shopee still offers it."""
        self.ensure_one()
        Reason = self.env["shopee.return.dispute.reason"].sudo()
        stored = {reason.code: reason for reason in self.sudo().shopee_dispute_reason_ids}
        for reason in reasons:
            values = {"name": reason["requirement"] or _("Shopee reason %s", reason["code"]),
                      "proof": "; ".join(module["requirement"] for module in reason["evidence"]
                                         if module["is_required"]) or False}
            if reason["code"] in stored:
                stored.pop(reason["code"]).write(values)
            else:
                Reason.create(dict(values, return_id=self.id, code=reason["code"]))
        for gone in stored.values():
            gone.unlink()

    def _shopee_proof_images(self):
        """The photos attached to the return that Shopee takes as proof (jpg, png)."""
        self.ensure_one()
        return self.env["ir.attachment"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "=", self.id), ("mimetype", "in", PROOF_MIMETYPES)],
            order="id")
