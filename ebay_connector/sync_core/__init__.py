"""Odoo-free decisions of the eBay sync: what to write, what to send, in which batches.

Like ``ebay_api`` it imports no Odoo, so plain pytest covers it; the Odoo services
call these functions with plain values and apply the results.
"""
