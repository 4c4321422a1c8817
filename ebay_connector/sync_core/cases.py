"""eBay inquiries and cases (``ebay_api.post_order_inquiries.EbayCase``) -> marketplace.case values. Pure: no
Odoo, no HTTP. A pull's window and watermark are the cancellations' (``sync_core.cancellations``): the searches
filter by creation date only."""
from .times import to_naive_utc


def case_key(kind, case_id):
    """The record's key in its shop: an inquiry and a case are numbered apart by eBay, so the kind is part of it."""
    return "%s:%s" % (kind, case_id)


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
