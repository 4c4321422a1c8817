"""A generated month of an eBay seller, through the simulator's controls (``post(path, body) -> answer``): orders
in ``payouts`` rounds, each round booked (the SALE of each order with its final value fee, the round's partial
refunds and ad fees) and paid out. For the Odoo tests and ``scripts/bench``: every payout must book to its amount
and every order's sale order to eBay's total."""


def make_month(post, orders=500, refunds=10, ad_fees=8, payouts=4):
    """Returns ``{"order_ids": [...], "payouts": [payout JSON, ...], "transactions": n}`` (n: the transactions
    booked, sales of orders made before the month included)."""
    order_ids, made, transactions = [], [], 0
    for number in range(payouts):
        count = _count(orders, payouts, number)
        ids = post("/_sim/orders", {"count": count})["orderIds"] if count else []
        refunds_now = min(len(ids), _count(refunds, payouts, number))
        refunded = [ids[index * len(ids) // refunds_now] for index in range(refunds_now)]
        booked = post("/_sim/finances/book", {
            "refunds": [{"orderId": order_id, "amount": f"{1 + index % 5}.{index % 100:02d}"}
                        for index, order_id in enumerate(refunded)],
            "charges": [{"feeType": "AD_FEE", "amount": f"{2 + index}.49"}
                        for index in range(_count(ad_fees, payouts, number))]})
        made.append(post("/_sim/finances/payout", {}))
        order_ids += ids
        transactions += len(booked["transactions"])
    return {"order_ids": order_ids, "payouts": made, "transactions": transactions}


def _count(total, rounds, number):
    """Round ``number``'s share of ``total`` spread over ``rounds``."""
    return (number + 1) * total // rounds - number * total // rounds
