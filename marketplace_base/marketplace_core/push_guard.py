"""What a stock or price push would do to a shop's listings, and when it must wait for a person.

A first sync, a lost stock count or a wrong pricelist can turn one push into a shop-wide
disaster (24 of 30 listings at 0 after the first backfill, issue 12). Before anything is
sent, the exporter and the take-over preview compare what the marketplace shows with what
the push would set, with these functions; the Odoo layer turns their codes into messages.
"""
from dataclasses import dataclass

# breaker verdicts
PASS = "pass"
TOO_MANY_ZEROS = "too_many_zeros"
TOTAL_DROP = "total_drop"


@dataclass(frozen=True)
class Change:
    """One listing whose value the push would change."""

    key: str  # the SKU
    before: object  # what the marketplace shows
    after: object  # what the push would set


@dataclass(frozen=True)
class PushImpact:
    """A push seen over the whole shop: every listing, not only those the run sends."""

    listings: int
    changes: tuple  # Change per listing whose value changes, largest drop first
    total_before: object
    total_after: object

    @property
    def zeroed(self):
        """Listings the push would take from a positive value to 0."""
        return sum(1 for change in self.changes if change.before > 0 and change.after <= 0)

    @property
    def lowered(self):
        return sum(1 for change in self.changes if change.after < change.before)

    def largest_drops(self, limit=10):
        return [change for change in self.changes if change.after < change.before][:limit]


def push_impact(current, wanted):
    """Compare ``current`` (key -> value the marketplace shows, for all the shop's listings)
    with ``wanted`` (key -> value the push would set, for the listings it covers).

    Listings the push does not cover keep their value: a push of three SKUs is judged
    against the whole shop, as a buyer sees the shop.
    """
    after = dict(current, **wanted)
    changes = [Change(key, current.get(key, 0), value) for key, value in after.items()
               if value != current.get(key, 0)]
    changes.sort(key=lambda change: (change.after - change.before, change.key))
    return PushImpact(len(after), tuple(changes), sum(current.values(), 0), sum(after.values(), 0))


def breaker_verdict(impact, max_zero_percent, max_drop_percent):
    """Whether the push may go: PASS, TOO_MANY_ZEROS or TOTAL_DROP.

    It stops a push that takes more than ``max_zero_percent`` of the shop's listings to 0,
    or lowers the shop's total by more than ``max_drop_percent``. A push lowering a single
    listing always goes: a sell-out is the everyday case and must never wait for a person.
    """
    if impact.lowered <= 1:
        return PASS
    if impact.listings and 100.0 * impact.zeroed / impact.listings > max_zero_percent:
        return TOO_MANY_ZEROS
    if impact.total_before > 0 and 100.0 * float(impact.total_before - impact.total_after) / float(
            impact.total_before) > max_drop_percent:
        return TOTAL_DROP
    return PASS
