"""Plain-pytest tests of batch work with one bad item isolated (marketplace_core.isolation)."""
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace_core.isolation import apply_isolating, apply_isolating_races


class BadItem(Exception):
    pass


class LostRace(Exception):
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


class RacingStore(Store):
    """A store where some items lose a race until the ``snapshot`` (the transactions begun since) reaches
    their value in ``wins_at``, as rows another transaction updated refuse a write in the same snapshot."""

    def __init__(self, wins_at):
        super().__init__()
        self.wins_at = wins_at
        self.snapshot = 0
        self.committed = []

    def fresh_snapshot(self):
        self.committed.append(list(self.rows))
        self.snapshot += 1
        return self.snapshot <= self.time_for_rounds

    time_for_rounds = 99

    def apply(self, group):
        for item in group:
            if self.snapshot < self.wins_at.get(item, 0):
                self.rows.append(item)
                raise LostRace("item %s: could not serialize access due to concurrent update" % item)
        return super().apply(group)


def isolate_races(store, items, rounds=2):
    return apply_isolating_races(items, store.apply, store.savepoint, BadItem, LostRace, store.fresh_snapshot, rounds)


def test_a_lost_race_costs_only_the_raced_item_which_is_stored_in_a_fresh_transaction():
    store = RacingStore({7: 1})
    done, failed, raced = isolate_races(store, range(20))
    assert (failed, raced) == ([], [])
    assert store.committed == [[item for item in range(20) if item != 7]], "the others kept before the retry"
    assert store.rows == [item for item in range(20) if item != 7] + [7], "each item once"
    assert sorted(item for item, _outcome in done) == list(range(20))
    assert store.attempts[-1] == [7], "the fresh transaction retries the raced item alone"


def test_items_still_losing_after_the_last_round_are_handed_back_and_nothing_of_theirs_kept():
    store = RacingStore({3: 99, 11: 99})
    done, failed, raced = isolate_races(store, range(16), rounds=2)
    assert raced == [3, 11]
    assert failed == []
    assert len(store.committed) == 2, "two fresh transactions, then handed over"
    assert store.rows == [item for item in range(16) if item not in (3, 11)]
    assert [item for item, _outcome in done] == store.rows


def test_bad_items_and_raced_items_in_one_batch():
    store = RacingStore({4: 1})
    items = [1, 2, 3, 4, -5, 6]
    done, failed, raced = isolate_races(store, items)
    assert [item for item, _exc in failed] == [-5]
    assert raced == []
    assert sorted(item for item, _outcome in done) == [1, 2, 3, 4, 6]


def test_no_retry_in_the_slice_once_its_time_is_up():
    store = RacingStore({5: 1})
    store.time_for_rounds = 0
    done, failed, raced = isolate_races(store, range(8))
    assert (raced, failed) == ([5], [])
    assert store.committed == [[0, 1, 2, 3, 4, 6, 7]], "the others are committed, the raced one handed over"
    assert len(done) == 7


def test_without_a_race_there_is_no_fresh_transaction():
    store = RacingStore({})
    done, failed, raced = isolate_races(store, range(10))
    assert (len(done), failed, raced, store.committed) == (10, [], [], [])
