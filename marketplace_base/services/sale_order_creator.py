from odoo import _


class SaleOrderCreator:
    """Handler of ``create_sale_orders``: the shop's new marketplace orders (or ``order_ids``) -> sale orders."""

    def __init__(self, job, run):
        self.job = job
        self.run = run
        self.env = job.env

    def run_job(self):
        domain = [("state", "=", "new")]
        if self.run.payload.get("order_ids"):
            domain = [("id", "in", self.run.payload["order_ids"])]
        if self.job.shop_id:
            domain.append(("shop_id", "=", self.job.shop_id.id))
        orders = self.env["marketplace.order"].search(domain)
        self.run.progress(total=len(orders))
        for order in orders:
            self.run.check_cancelled()
            order._create_sale_order()
            self.run.progress(fetched=1, stored=int(order.state == "imported"), failed=int(order.state == "error"))
            if order.state == "error":
                self.run.log(_("%(order)s: %(error)s", order=order.name, error=order.error_message), "warning")
        self.run.log(_("%s order(s) processed.", len(orders)))
