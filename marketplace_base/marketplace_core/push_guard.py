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
        return sum(1 for change in self.changes if zeroes(change.before, change.after))

    @property
    def lowered(self):
        return sum(1 for change in self.changes if change.after < change.before)

    def largest_drops(self, limit=10):
        return [change for change in self.changes if change.after < change.before][:limit]


def zeroes(before, after):
    """Whether a push from ``before`` to ``after`` takes a listing that has units to 0 (which ends it)."""
    return before > 0 and after <= 0


def new_listing_waits(online, wanted):
    """Whether a listing that appeared on the marketplace after Odoo took its shop over waits for the seller's
    take-over: Odoo never owned it, so it becomes Odoo's at once only when the push would leave it as the
    marketplace shows it (``online``); any other ``wanted`` value - above all Odoo's 0 for a product Odoo has
    no stock of - is the seller's decision, made in the take-over preview of just those listings (issue 19)."""
    return wanted != online


def push_impact(current, wanted, shop_totals=None):
    """Compare ``current`` (key -> value the marketplace shows) with ``wanted`` (key -> value the push would
    set, for the listings it covers).

    Listings the push does not cover keep their value: a push of three SKUs is judged against the whole
    shop, as a buyer sees the shop. ``current`` holds every listing of the shop, or, with ``shop_totals``
    (the shop's listing count and total value, summed by the database), at least those ``wanted`` covers:
    a push of three SKUs then never reads the whole catalogue.
    """
    listings, total_before = shop_totals or (len(current), sum(current.values(), 0))
    before = {key: current.get(key, 0) for key in wanted}
    changes = [Change(key, before[key], value) for key, value in wanted.items() if value != before[key]]
    changes.sort(key=lambda change: (change.after - change.before, change.key))
    new_listings = sum(1 for key in wanted if key not in current)
    total_after = total_before - sum(before.values(), 0) + sum(wanted.values(), 0)
    return PushImpact(listings + new_listings, tuple(changes), total_before, total_after)


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
