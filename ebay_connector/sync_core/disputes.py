"""eBay payment disputes (``ebay_api.payment_dispute.PaymentDispute``) -> marketplace.dispute values. Pure."""
from .times import to_naive_utc

# what only getPaymentDispute answers (a summary leaves these out: they are not written from one)
DETAIL_KEYS = ("evidence_requested", "outcome", "lost_amount")
LOSSES = ("lost", "accepted")


def dispute_values(dispute, detail=True):
    """The values ``marketplace.dispute._sync_from_account`` takes for one eBay dispute; ``detail``: read by
    getPaymentDispute (else a summary, whose missing fields must not clear what a detail stored)."""
    values = {
        "external_dispute_id": dispute.dispute_id,
        "external_order_id": dispute.order_id,
        "reason": dispute.reason,
        "external_reason": dispute.ebay_reason or False,
        "currency": dispute.currency,
        "amount": float(dispute.amount) if dispute.amount is not None else 0.0,
        "state": dispute.state,
        "external_state": dispute.ebay_status,
        "opened_at": to_naive_utc(dispute.opened_at),
        "response_due_at": to_naive_utc(dispute.respond_by),
        "closed_at": to_naive_utc(dispute.closed_at),
        "evidence_requested": ", ".join(filter(None, dispute.evidence_types)) or False,
        "outcome": dispute.outcome or False,
        "lost_amount": float(dispute.recoup_amount if dispute.recoup_amount is not None else dispute.amount or 0)
        if dispute.outcome in LOSSES else 0.0,
    }
    if not detail:
        for key in DETAIL_KEYS:
            values.pop(key)
    return values
