"""Plain-pytest configuration for the Odoo-free core of both addons.

The pure packages (``marketplace_core``, ``ebay_api``, ``shopee_api``...) live inside the
addon folders so that Odoo ships them with the addons, and they only use relative
imports. Putting the addon folders on ``sys.path`` lets pytest import them as
top-level packages without importing Odoo; the repository itself is on it for
``marketplace_simulators`` (test and demo equipment, not part of any addon).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for addon in ("marketplace_base", "ebay_connector", "shopee_connector", "marketplace_toy"):
    path = os.path.join(ROOT, addon)
    if path not in sys.path:
        sys.path.insert(0, path)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
