"""How much stock a shop shows online.

Sellers keep a buffer back from the marketplace (so a sale in the shop does not
oversell online), round the published quantity down to packs, and prefer showing
0 over a tiny quantity that invites cancellations. See docs/sync-rules.md.
"""


def online_quantity(available, buffer=0, minimum=0, rounding=0):
    """Return the quantity to publish for ``available`` units free to sell.

    ``max(0, available - buffer)``, rounded down to a multiple of ``rounding``
    when ``rounding > 0``, and 0 when the result is below ``minimum``.
    Fractions are truncated: a marketplace only sells whole units.
    """
    if buffer < 0 or minimum < 0 or rounding < 0:
        raise ValueError("buffer, minimum and rounding must not be negative")
    quantity = max(0, int(available) - int(buffer))
    if rounding > 0:
        quantity -= quantity % int(rounding)
    if quantity < minimum:
        return 0
    return quantity
