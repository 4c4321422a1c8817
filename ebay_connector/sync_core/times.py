"""Odoo stores naive UTC datetimes; eBay and the client speak aware UTC and epoch seconds."""
from datetime import datetime, timezone


def to_epoch(naive_utc):
    """Epoch seconds of an Odoo datetime, or None."""
    return naive_utc.replace(tzinfo=timezone.utc).timestamp() if naive_utc else None


def from_epoch(epoch):
    """Odoo datetime (naive UTC) of epoch seconds, or False (Odoo's empty value)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None) if epoch else False


def to_naive_utc(aware):
    """Odoo datetime of an aware datetime (from python-dateutil), or False."""
    if not aware:
        return False
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def to_ebay(naive_utc):
    """eBay's timestamp format: ISO 8601 in UTC with milliseconds and a Z."""
    return naive_utc.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (naive_utc.microsecond // 1000)
