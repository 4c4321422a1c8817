"""Shops that existed before stock take-over was introduced were pushing stock and prices: they keep doing so.

The column is created here, filled with True, so the ORM does not fill it with the field's default
(False, for shops created from now on).
"""


def migrate(cr, version):
    cr.execute("ALTER TABLE marketplace_shop ADD COLUMN IF NOT EXISTS odoo_owns_stock boolean")
    cr.execute("UPDATE marketplace_shop SET odoo_owns_stock = TRUE WHERE odoo_owns_stock IS NULL")
