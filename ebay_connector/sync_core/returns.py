"""eBay returns (``ebay_api.post_order_returns.EbayReturn``) -> marketplace.return values. Pure: no Odoo, no
HTTP. A return pull's window and watermark are the cancellations' (``sync_core.cancellations``): both searches
filter by creation date only."""
from .times import to_naive_utc


def external_state(status, state):
    """What Odoo shows (and compares) as eBay's status of a return: ``STATUS/STATE``."""
    return "/".join(filter(None, (status, state))) or False


def return_values(ebay_return):
    """The values ``marketplace.return._sync_from_marketplace`` takes for one eBay return; the shipment's
    tracking only when eBay's detail was read (a search's summary has none: it leaves what Odoo has). eBay's
    photos are files of the return (GET /return/{id}/files), not addresses: not read here."""
    values = {
        "external_return_id": ebay_return.return_id,
        "external_order_id": ebay_return.order_id,
        "reason": ebay_return.reason or False,
        "buyer_comments": ebay_return.comments or False,
        "state": ebay_return.state,
        "external_state": external_state(ebay_return.ebay_status, ebay_return.ebay_state),
        "requested_at": to_naive_utc(ebay_return.requested_at),
        "response_due_at": to_naive_utc(ebay_return.respond_by),
        "refund_amount": float(ebay_return.refund_amount) if ebay_return.refund_amount is not None else 0.0,
        "lines": [{"external_item_id": item.item_id, "external_line_id": item.transaction_id,
                   "quantity": item.quantity} for item in ebay_return.items],
    }
    if ebay_return.has_detail:
        values.update(return_tracking_number=ebay_return.tracking_number or False,
                      return_carrier=ebay_return.carrier or False)
    return values
