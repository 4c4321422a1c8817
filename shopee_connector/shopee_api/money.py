"""Shopee's money as ``marketplace_core.money`` records: a released escrow is a sale, a wallet's withdrawal is a
payout, and a withdrawal pays the wallet's movements since the previous one (pure, no Odoo).

Shopee's ids are a shop's (an order number is Shopee-wide, a wallet transaction or a withdrawal id is the shop
wallet's), so every external id carries the shop id: an account's several shops never collide. Amounts come as
JSON numbers (whole numbers in IDR and VND, decimals elsewhere, e.g. ``5.91``); they are read through ``str`` into
``Decimal`` and rounded half up to the cent, never summed as floats. See docs/shopee-api.md, "Money".
"""
from dataclasses import dataclass, replace

from .errors import MappingError
from .mappers import from_epoch, money

try:
    from ...marketplace_base.marketplace_core.money import ZERO, MoneyPayout, MoneyTransaction
except ImportError:  # a top-level package: plain pytest puts the addon folders on sys.path (tests/conftest.py)
    from marketplace_core.money import ZERO, MoneyPayout, MoneyTransaction

ESCROW_ADD, ESCROW_MINUS = "ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS"
WITHDRAWAL_CREATED, WITHDRAWAL_COMPLETED, WITHDRAWAL_CANCELLED = (
    "WITHDRAWAL_CREATED", "WITHDRAWAL_COMPLETED", "WITHDRAWAL_CANCELLED")
# the wallet's other movements -> marketplace_core.money kinds (anything else is "other", never left out)
WALLET_KINDS = {
    ESCROW_ADD: "sale", ESCROW_MINUS: "adjustment", WITHDRAWAL_CANCELLED: "transfer",
    "ADJUSTMENT_ADD": "adjustment", "ADJUSTMENT_MINUS": "adjustment", "ADJUSTMENT_CENTER_ADD": "adjustment",
    "ADJUSTMENT_CENTER_DEDUCT": "adjustment", "PAID_ADS_CHARGE": "non_sale_charge", "PAID_ADS_REFUND": "credit",
    "SPM_DEDUCT": "non_sale_charge", "AFFILIATE_FEE_DEDUCT": "non_sale_charge",
}
# what order_income adds to, and takes from, what the buyer paid to make the escrow (Shopee's formula of
# escrow_amount in get_escrow_detail's reference; final_shipping_fee is signed)
ESCROW_ADDS = ("buyer_total_amount", "shopee_discount", "voucher_from_shopee", "coins", "payment_promotion",
               "final_shipping_fee")
ESCROW_TAKES = ("buyer_transaction_fee", "cross_border_tax", "commission_fee", "service_fee",
                "seller_transaction_fee", "seller_coin_cash_back", "escrow_tax", "drc_adjustable_refund")
# what the buyer paid (Shopee's formula of buyer_total_amount)
BUYER_ADDS = ("original_price", "buyer_paid_shipping_fee", "buyer_transaction_fee", "cross_border_tax")
BUYER_TAKES = ("seller_discount", "shopee_discount", "voucher_from_seller", "voucher_from_shopee", "coins",
               "payment_promotion")
# the marketplace's fees of a sale, as the seller sees them
FEES = ("commission_fee", "service_fee", "seller_transaction_fee")
SUBSIDIES = ("shopee_discount", "voucher_from_shopee", "coins", "payment_promotion")


def _total(income, adds, takes):
    return sum((money(income.get(name)) for name in adds), ZERO) - sum((money(income.get(name)) for name in takes),
                                                                       ZERO)


def expected_escrow(income):
    """escrow_amount as Shopee's formula makes it from the other figures of ``order_income``."""
    return _total(income, ESCROW_ADDS, ESCROW_TAKES)


def expected_buyer_total(income):
    """buyer_total_amount as Shopee's formula makes it."""
    return _total(income, BUYER_ADDS, BUYER_TAKES)


def escrow_id(shop_id, order_sn):
    return f"{shop_id}-escrow-{order_sn}"


def map_escrow(shop_id, detail, currency, released=None):
    """get_escrow_detail's answer as the order's sale: ``amount`` the escrow (what the seller gets), ``gross``
    what the buyer paid, ``fee`` the commission, service and transaction fees. Shipping the seller bears
    (``-final_shipping_fee``: the courier's fee less what the buyer paid and Shopee's shipping rebate) and
    Shopee's subsidies (its discounts, vouchers and coins, paid to the seller) are neither: they are in
    ``gross - amount`` (what the booking expenses) and named in the memo. A negative escrow (a refund larger
    than the sale) is a debit adjustment of the order."""
    order_sn = detail.get("order_sn")
    income = detail.get("order_income")
    if not order_sn or not isinstance(income, dict) or income.get("escrow_amount") is None:
        raise MappingError(f"escrow of {order_sn or '?'} has no order_income.escrow_amount")
    escrow = money(income["escrow_amount"])
    fee = sum((money(income.get(name)) for name in FEES), ZERO)
    shipping = -money(income.get("final_shipping_fee"))
    subsidies = sum((money(income.get(name)) for name in SUBSIDIES), ZERO)
    memo = (f"Shopee order {order_sn}: fees {fee}, shipping borne {shipping}, Shopee subsidies {subsidies}")
    return MoneyTransaction(
        escrow_id(shop_id, order_sn), "sale" if escrow >= 0 else "adjustment", escrow >= 0, abs(escrow), currency,
        from_epoch(released), fee=fee, gross=money(income.get("buyer_total_amount")) if escrow >= 0 else None,
        order_ref=str(order_sn), memo=memo, status="RELEASED" if released else None)


@dataclass(frozen=True)
class WalletMoney:
    """What a run of wallet transactions holds: its movements (each naming the withdrawal that paid it out, if
    one came) and its withdrawals as payouts; ``paid_until`` is the create time (epoch) of its last withdrawal,
    where the next read of the wallet starts again (so a withdrawal is always read with the movements it pays
    of its second, and with its WITHDRAWAL_COMPLETED row)."""

    transactions: list
    payouts: list
    paid_until: int | None


def wallet_payout_id(shop_id, withdrawal_id):
    return f"{shop_id}-withdrawal-{withdrawal_id}"


def map_wallet(shop_id, rows, currency):
    """get_wallet_transaction_list rows (any order; ``status`` COMPLETED ones only count) as ``WalletMoney``.

    A withdrawal (WITHDRAWAL_CREATED, its amount negative) takes the balance to the seller's bank: it pays the
    movements before it (in create time, then transaction id order) since the previous withdrawal, which is
    the check ``marketplace.payout`` makes. Escrow rows naming an order are its escrow (the same ids as
    ``map_escrow``'s, so that a stored escrow only gets its payout); WITHDRAWAL_COMPLETED rows (amount 0) only
    say that the money reached the bank."""
    ordered = sorted((row for row in rows if str(row.get("status") or "COMPLETED").upper() == "COMPLETED"),
                     key=lambda row: (int(row.get("create_time") or 0), int(row.get("transaction_id") or 0)))
    transactions, payouts, statuses, pending, paid_until = [], [], {}, [], None
    for row in ordered:
        kind = row.get("transaction_type") or ""
        if kind == WITHDRAWAL_COMPLETED:
            statuses[wallet_payout_id(shop_id, _withdrawal_id(row))] = "COMPLETED"
        elif kind == WITHDRAWAL_CREATED:
            payout_id = wallet_payout_id(shop_id, _withdrawal_id(row))
            payouts.append(MoneyPayout(payout_id, abs(money(row.get("amount"))), currency,
                                       from_epoch(row.get("create_time")), "CREATED", len(pending), payout_id))
            transactions += [replace(item, payout_ref=payout_id) for item in pending]
            pending, paid_until = [], int(row.get("create_time") or 0)
        else:
            pending.append(_wallet_transaction(shop_id, row, currency))
    payouts = [replace(payout, status=statuses.get(payout.external_id, payout.status)) for payout in payouts]
    return WalletMoney(transactions + pending, payouts, paid_until)


def _withdrawal_id(row):
    withdrawal_id = row.get("withdrawal_id") or row.get("root_withdrawal_id")
    if not withdrawal_id:
        raise MappingError(f"wallet transaction {row.get('transaction_id')} is a withdrawal without withdrawal_id")
    return withdrawal_id


def _wallet_transaction(shop_id, row, currency):
    amount = money(row.get("amount"))
    kind = WALLET_KINDS.get(row.get("transaction_type"), "other")
    order_sn = str(row.get("order_sn") or "") or None
    if row.get("transaction_type") in (ESCROW_ADD, ESCROW_MINUS) and order_sn:   # the escrow map_escrow stores
        external_id = escrow_id(shop_id, order_sn)
    elif not row.get("transaction_id"):
        raise MappingError(f"wallet transaction without transaction_id ({row.get('transaction_type')})")
    else:   # an escrow row naming no order has no sale to pay: an adjustment of the balance
        kind = "adjustment" if kind == "sale" else kind
        external_id = f"{shop_id}-wallet-{row['transaction_id']}"
    return MoneyTransaction(external_id, kind, amount >= 0, abs(amount), currency, from_epoch(row.get("create_time")),
                            order_ref=order_sn, fee_type=row.get("transaction_type") or None,
                            memo=row.get("reason") or row.get("description") or None, status=row.get("status"))
