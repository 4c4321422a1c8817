"""eBay inquiries and cases (``ebay_api.post_order_inquiries.EbayCase``) -> marketplace.case values. Pure: no
Odoo, no HTTP. A pull's window and watermark are the cancellations' (``sync_core.cancellations``): the searches
filter by creation date only."""
from datetime import timedelta

from .times import to_naive_utc

# The longest a pull waits (its watermark held) for the order of a record matching no imported order, whatever
# the order pull does: an order pull stopped for a while (an expired authorization) has caught up by then; eBay's
# searches without an end cover 90 days from their start, so a watermark held that long would miss new records.
MAX_UNMATCHED_WAIT = timedelta(days=7)


def case_key(kind, case_id):
    """The record's key in its shop: an inquiry and a case are numbered apart by eBay, so the kind is part of it."""
    return "%s:%s" % (kind, case_id)


def case_id_of_key(key):
    """eBay's id of the record of ``key`` (``case_key``)."""
    return key.partition(":")[2]


def case_values(ebay_case):
    """The values ``marketplace.case._sync_from_marketplace`` takes for one eBay inquiry or case (its
    ``order_id``: the order the connector matched its line to). What a read leaves out (a summary has no case
    type, no link; a detail may have no deadline) is not written, so it never clears what Odoo has."""
    values = {
        "external_key": case_key(ebay_case.kind, ebay_case.case_id),
        "external_case_id": ebay_case.case_id,
        "external_order_id": ebay_case.order_id,
        "kind": ebay_case.kind,
        "state": ebay_case.state,
        "external_state": ebay_case.ebay_status or False,
        "external_item_id": ebay_case.item_id or False,
        "external_line_id": ebay_case.transaction_id or False,
    }
    optional = {
        "requested_at": to_naive_utc(ebay_case.requested_at),
        "response_due_at": to_naive_utc(ebay_case.respond_by),
        "claim_amount": float(ebay_case.claim_amount) if ebay_case.claim_amount is not None else None,
        "case_type": ebay_case.case_type,
        "marketplace_url": ebay_case.url,
    }
    values.update({name: value for name, value in optional.items() if value})
    return values


def waits_for_order(requested_at, orders_synced_until, now):
    """Whether a pull waits for the order of a record (requested at ``requested_at``, naive UTC) that matches no
    imported order: while the shop's order watermark (the latest order modification the order pull read) has
    not passed the request, the order pull may still bring that order (an order is sold before its buyer's
    claim); then the record matches. Once it has passed, an order still missing is one the pull does not bring
    (sold before the shop's first sync): the seller is told, no wait. Never longer than ``MAX_UNMATCHED_WAIT``
    (a quiet shop's order watermark stays at its last order)."""
    if not requested_at or requested_at < now - MAX_UNMATCHED_WAIT:
        return False
    return not orders_synced_until or orders_synced_until <= requested_at


def unmatched_waiting_since(requested_dates, waiting_since=None):
    """The creation date a case pull's watermark waits at (``next_cancellation_watermark``): the earliest of
    ``requested_dates`` (the records waiting for their order, ``waits_for_order``) and the ``waiting_since``
    already held; None when nothing waits."""
    dates = [date for date in requested_dates if date]
    if waiting_since:
        dates.append(waiting_since)
    return min(dates) if dates else None
