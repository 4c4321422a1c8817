"""Local eBay sandbox simulator: a stdlib HTTP server that speaks the eBay REST contracts the connector uses.

It imports no Odoo and nothing from ``ebay_api`` on purpose: it is an independent implementation of the
contract, so a client bug cannot hide behind a shared helper. Only its serving over HTTP (start, stop)
is shared with the Shopee simulator (``marketplace_simulators/sim_server.py``). See ``docs/ebay-simulator.md``.
"""
from .server import SimulatorServer

__all__ = ["SimulatorServer"]
