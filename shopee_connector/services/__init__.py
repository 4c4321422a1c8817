"""Importers and exporters of the Shopee flows: plain classes run by marketplace jobs (see
models/marketplace_job.py), talking to Shopee through the ``shopee_api`` adapters."""
