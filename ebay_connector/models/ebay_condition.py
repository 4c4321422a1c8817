from odoo import fields, models


class EbayCondition(models.Model):
    """One value of eBay's item ConditionEnum with the Metadata API's numeric id: the choices of a listing's
    condition, narrowed per category to what getItemConditionPolicies says it accepts (``ebay.category``)."""

    _name = "ebay.condition"
    _description = "eBay Item Condition"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True, help="eBay's ConditionEnum value, e.g. USED_EXCELLENT.")
    condition_id = fields.Char(string="eBay Condition ID", required=True, readonly=True,
                               help="The Metadata API's numeric id, e.g. 3000.")
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_uniq", "UNIQUE(code)", "This eBay condition already exists."),
    ]
