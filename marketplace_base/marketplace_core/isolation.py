"""Work done in batches, where one bad item must not stop the others.

Creating a page of orders together costs a fraction of the queries of one at a time, but a batch
fails as a whole: one order with a refused value rolls back its 49 good neighbours. ``apply_isolating``
tries the whole batch first, and only when it fails with an item's error halves it, and again, until
the bad items stand alone: with ``k`` bad items among ``n``, about ``2 k log2(n)`` extra attempts, and
none at all on the usual good page.

A lost race with another transaction (a stock adjustment or a stock push updating a row an order's
sale order touches) is isolated the same way by ``apply_isolating_races``: under PostgreSQL's
REPEATABLE READ the raced items lose again in the same snapshot while their neighbours go through, and
only the raced items are tried again, in a fresh transaction.
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


def apply_isolating_races(items, apply, scope, isolate_on, race_on, fresh_snapshot, rounds):
    """``apply_isolating`` where a lost race costs only the raced items; return ``(done, failed, raced)``.

    ``race_on``: the exception class(es) of a lost race. Raced items are isolated like bad ones (their
    group's work is undone), then applied again after ``fresh_snapshot()`` (a commit of the work done,
    so that the next snapshot sees the other transaction's; it returns False when there is no time for
    another round), up to ``rounds`` times. ``raced``: the items still losing after the last round, for
    the caller to hand over (nothing of theirs is kept).
    """
    isolate_on, race_on = _classes(isolate_on), _classes(race_on)
    done, failed, todo = [], [], list(items)
    for round_number in range(rounds + 1):
        if not todo:
            break
        if round_number and not fresh_snapshot():
            break
        applied, refused = apply_isolating(todo, apply, scope, isolate_on + race_on)
        done.extend(applied)
        failed.extend((item, exc) for item, exc in refused if not isinstance(exc, race_on))
        todo = [item for item, exc in refused if isinstance(exc, race_on)]
    return done, failed, todo


def _classes(exceptions):
    """An exception class or a tuple of them, as a tuple."""
    return exceptions if isinstance(exceptions, tuple) else (exceptions,)
