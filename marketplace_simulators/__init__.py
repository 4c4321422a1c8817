"""The local marketplace simulators: test and demo equipment, not part of any addon.

eBay and Shopee are not reachable from a developer's machine or CI, so ``ebay_sim`` and ``shopee_sim`` speak
their documented contracts over real HTTP (state in SQLite) for the tests, the demo (``scripts/run``, ``docker
compose up``) and the benchmarks. They live here, beside the addons rather than inside them, because:

- a production install deploys ``ebay_connector`` and ``shopee_connector`` without 4,000 lines of fake
  marketplace (and their "accept anything signed with the demo key" seeds);
- they must stay an independent reading of the platforms' documents: nothing here imports the connectors'
  clients (``ebay_api``, ``shopee_api``), so a client mistake is refused instead of agreeing with itself;
- they import no Odoo: ``python -m marketplace_simulators.ebay_sim`` runs with the standard library plus
  ``requests`` and ``cryptography``.

The folder has no ``__manifest__.py``: Odoo never installs it. The addons' Odoo tests import it as
``odoo.addons.marketplace_simulators`` (the repository is on the addons path), the plain-pytest suite and the
scripts as ``marketplace_simulators`` (the repository on ``sys.path``). ``sim_server`` is the one piece both
simulators share: serving over HTTP. See docs/ebay-simulator.md and docs/shopee-simulator.md.
"""
