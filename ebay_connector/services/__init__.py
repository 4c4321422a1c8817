"""Importers and exporters: plain classes that orchestrate one eBay flow each.

They run inside a marketplace job: they take the job's ``JobRun`` (payload, progress,
log, Stop), talk to eBay through the ``ebay_api`` adapters, turn payloads into values
with ``ebay_api`` mappers and ``sync_core`` functions, and write Odoo records.
"""
