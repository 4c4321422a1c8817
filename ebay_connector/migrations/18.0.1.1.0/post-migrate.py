"""18.0.1.1.0: a listing's condition became a Many2one to ``ebay.condition`` (was a selection of ConditionEnum
codes in ``marketplace_listing.ebay_condition``): each listing keeps its condition, the old column goes, and the
categories whose condition policy was already cached learn their accepted conditions (now that the condition
records exist)."""
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if column_exists(cr, "marketplace_listing", "ebay_condition"):
        cr.execute(SQL("""
            UPDATE marketplace_listing listing
               SET ebay_condition_id = condition.id
              FROM ebay_condition condition
             WHERE condition.code = listing.ebay_condition
               AND listing.ebay_condition_id IS NULL
        """))
        cr.execute(SQL("ALTER TABLE marketplace_listing DROP COLUMN ebay_condition"))
    env = api.Environment(cr, SUPERUSER_ID, {})
    categories = env["ebay.category"].search([("conditions_json", "!=", False)])
    env.add_to_compute(categories._fields["condition_ids"], categories)
    categories._recompute_recordset(["condition_ids"])
    env.flush_all()
