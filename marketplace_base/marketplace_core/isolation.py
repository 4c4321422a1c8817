"""Work done in batches, where one bad item must not stop the others.

Creating a page of orders together costs a fraction of the queries of one at a time, but a batch
fails as a whole: one order with a refused value rolls back its 49 good neighbours. ``apply_isolating``
tries the whole batch first, and only when it fails with an item's error halves it, and again, until
the bad items stand alone: with ``k`` bad items among ``n``, about ``2 k log2(n)`` extra attempts, and
none at all on the usual good page.
"""


def apply_isolating(items, apply, scope, isolate_on):
    """Apply ``apply`` to ``items`` in as few groups as possible; return ``(done, failed)``.

    ``apply(group)`` handles a list of items and returns one outcome per item, in order.
    ``scope()`` is a context manager that undoes a group's work when it raises (a savepoint).
    ``isolate_on``: the exception class(es) an item's bad data raises; any other exception is not
    an item's fault (a lost race, a bug) and propagates.
    ``done``: ``[(item, outcome)]`` of the groups that went through; ``failed``: ``[(item, exception)]``
    of the items that failed alone.
    """
    done, failed = [], []

    def attempt(group):
        try:
            with scope():
                outcomes = apply(group)
        except isolate_on as exc:
            if len(group) == 1:
                failed.append((group[0], exc))
                return
            middle = len(group) // 2
            attempt(group[:middle])
            attempt(group[middle:])
            return
        done.extend(zip(group, outcomes, strict=False))

    items = list(items)
    if items:
        attempt(items)
    return done, failed
