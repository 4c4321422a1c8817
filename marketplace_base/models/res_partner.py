from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    marketplace_buyer_key = fields.Char(
        string="Marketplace Buyer", index=True, copy=False,
        help="platform:username of the marketplace buyer, so a returning buyer finds the same contact (one per "
             "company: a buyer contact belongs to the company of the shop that sold to it).",
    )

    def _marketplace_anonymize(self, note=None):
        """Erase a buyer's personal data (marketplace account-deletion requests); ``note`` says why in the
        chatter of each contact erased."""
        for partner in self | self.child_ids:
            partner.write({
                "name": "Deleted marketplace buyer %s" % partner.id,
                "email": False, "phone": False, "street": False, "street2": False,
                "city": False, "zip": False, "marketplace_buyer_key": False,
            })
            if note:
                partner.message_post(body=note)
