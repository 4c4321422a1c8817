"""A generated month of a Shopee shop, through the simulator's controls (``post(path, body) -> answer``): orders of
every scenario (plain, free shipping, vouchers and coins, bundle deals), released in ``payouts`` rounds, each round
with its return refunds and ads charges in the wallet, then withdrawn. For the Odoo tests and ``scripts/bench``:
every payout must book to its amount and every order's sale order to what the buyer paid."""
from .payments import SCENARIOS
from .seed import DEMO_MODELS, DEMO_SHOP_ID


def make_month(post, orders=500, refunds=10, ad_fees=8, payouts=4, shop_id=DEMO_SHOP_ID):
    """Returns ``{"order_sns": [...], "payouts": [{"withdrawal_id", "amount"}, ...], "transactions": n}`` (n: the
    escrows, refunds and charges the month made; withdrawals are its payouts)."""
    order_sns, made, transactions = [], [], 0
    for number in range(payouts):
        sns = [post("/_sim/orders", {"shop_id": shop_id, "lines": _lines(index),
                                     "scenario": SCENARIOS[index % len(SCENARIOS)]})["order_sn"]
               for index in range(number * orders // payouts, (number + 1) * orders // payouts)]
        post("/_sim/payments/release", {"shop_id": shop_id, "order_sns": sns})
        charges = [{"transaction_type": "ADJUSTMENT_MINUS", "amount": -25 - index, "order_sn": sn,
                    "reason": "Return refund"} for index, sn in enumerate(_share(sns, refunds, payouts, number))]
        charges += [{"transaction_type": "PAID_ADS_CHARGE", "amount": -(50 + 10 * index), "reason": "Ads top-up"}
                    for index in range(_count(ad_fees, payouts, number))]
        made.append(post("/_sim/payments/payout", {"shop_id": shop_id, "adjustments": charges}))
        order_sns += sns
        transactions += len(sns) + len(charges)
    return {"order_sns": order_sns, "payouts": made, "transactions": transactions}


def _lines(index):
    """One or two of the demo models, one or two of each."""
    first = DEMO_MODELS[index % len(DEMO_MODELS)]
    lines = [[first[0], first[1], 1 + index % 2]]
    if index % 3 == 0:
        second = DEMO_MODELS[(index + 1) % len(DEMO_MODELS)]
        lines.append([second[0], second[1], 1])
    return lines


def _count(total, rounds, number):
    """Round ``number``'s share of ``total`` spread over ``rounds``."""
    return (number + 1) * total // rounds - number * total // rounds


def _share(sns, total, rounds, number):
    """This round's refunded orders: evenly spread over its orders."""
    count = min(len(sns), _count(total, rounds, number))
    return [sns[index * len(sns) // count] for index in range(count)] if count else []
