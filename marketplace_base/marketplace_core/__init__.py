"""Odoo-free core of marketplace_base: the arithmetic and rules the Odoo models call.

Nothing here imports Odoo, so plain ``pytest`` exercises it on any machine; the
package only uses relative imports because Odoo imports it as
``odoo.addons.marketplace_base.marketplace_core``.
"""
