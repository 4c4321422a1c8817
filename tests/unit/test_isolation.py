"""Plain-pytest tests of batch work with one bad item isolated (marketplace_core.isolation)."""
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace_core.isolation import apply_isolating


class BadItem(Exception):
    pass


class Store:
    """A list that rolls back what a failed group wrote, as a savepoint does; counts the attempts."""

    def __init__(self):
        self.rows = []
        self.attempts = []

    @contextmanager
    def savepoint(self):
        kept = list(self.rows)
        try:
            yield
        except Exception:
            self.rows[:] = kept
            raise

    def apply(self, group):
        self.attempts.append(list(group))
        outcomes = []
        for item in group:
            self.rows.append(item)           # written before the bad one is met: must be undone
            if item < 0:
                raise BadItem("item %s refused" % item)
            outcomes.append("stored %s" % item)
        return outcomes


def test_a_good_batch_is_one_attempt():
    store = Store()
    done, failed = apply_isolating(range(50), store.apply, store.savepoint, BadItem)
    assert store.rows == list(range(50))
    assert done == [(item, "stored %s" % item) for item in range(50)]
    assert failed == []
    assert len(store.attempts) == 1


def test_one_bad_item_fails_alone_and_the_others_are_stored_once():
    store = Store()
    items = list(range(1, 33))
    items[20] = -21
    done, failed = apply_isolating(items, store.apply, store.savepoint, BadItem)
    assert [item for item, _outcome in failed] == [-21]
    assert str(failed[0][1]) == "item -21 refused"
    assert store.rows == [item for item in items if item > 0], "in order, none twice, nothing of the bad one"
    assert [item for item, _outcome in done] == store.rows
    assert len(store.attempts) <= 1 + 2 * 5, "halving: a few attempts, not one per item"


def test_other_errors_are_not_an_items_fault_and_propagate():
    def apply(group):
        raise RuntimeError("the database went away")

    store = Store()
    with pytest.raises(RuntimeError):
        apply_isolating([1, 2, 3], apply, store.savepoint, BadItem)


def test_nothing_to_do():
    store = Store()
    assert apply_isolating([], store.apply, store.savepoint, BadItem) == ([], [])
    assert store.attempts == []


@given(st.lists(st.integers(-5, 50), max_size=60))
def test_every_good_item_is_stored_once_and_every_bad_one_reported(items):
    store = Store()
    done, failed = apply_isolating(items, store.apply, store.savepoint, BadItem)
    assert store.rows == [item for item in items if item >= 0]
    assert [item for item, _exc in failed] == [item for item in items if item < 0]
    assert len(done) + len(failed) == len(items)
