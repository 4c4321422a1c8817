"""Value formats eBay uses on the wire: ISO-8601 UTC timestamps with milliseconds and string money amounts."""
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation


def iso(ts=None):
    """Format an epoch timestamp the way eBay does (``2023-08-02T08:26:18.000Z``); string order = time order."""
    ts = time.time() if ts is None else ts
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text):
    """Parse an ISO-8601 timestamp (``Z`` or offset) to epoch seconds; ``ValueError`` when malformed."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def money(cents, currency):
    """eBay Amount object; values are strings with two decimals so totals reconcile exactly."""
    return {"value": f"{Decimal(cents) / 100:.2f}", "currency": currency}


def to_cents(value):
    """Parse an eBay money string to integer cents; ``ValueError`` when it is not a non-negative amount."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(value)
    return int((amount * 100).to_integral_value())


def cents_of(amount):
    """Integer cents of an eBay Amount object (used when re-totalling stored orders)."""
    return to_cents(amount["value"])
