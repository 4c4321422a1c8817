from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.marketplace_base.tests.test_tour import build_web_client_assets

from .test_returns import ReturnCase


@tagged("post_install", "-at_install")
class TestReturnTour(HttpCase, ReturnCase):
    """A Marketplace User (not an administrator) answers a buyer's eBay return from the seller's screen
    (static/tests/tours/ebay_return_tour.js), against a simulator of the test's own: Returns waiting for them,
    the return's items, reason and deadline, Approve with an RMA number; once eBay agreed, the return is approved
    and its return picking is on the form."""

    registry_test_mode = False   # MarketplaceCase puts the registry in test mode already (its job runners)

    def test_marketplace_user_approves_a_return_from_after_sale_returns(self):
        self.ebay_product_a.name = "Return tour lamp"
        mine = self.buyer_returns(self.shipped_order())
        others = self.shipped_order()
        others.sale_order_id.user_id = new_test_user(self.env, "return_someone_else", name="Someone Else",
                                                     groups="marketplace_base.group_marketplace_user")
        self.sim_post("/_sim/returns", {"orderId": others.external_order_id, "reason": "WRONG_SIZE"})
        self.pull_returns()
        self.assertEqual((mine.responsible_user_id, others.return_ids.responsible_user_id.name),
                         (self.mkt_user, "Someone Else"))
        self.assertTrue(others.return_ids.waiting_for_seller, "waiting, but not for the tour's user")

        build_web_client_assets(self)
        self.start_tour("/odoo", "ebay_return_tour", login=self.mkt_user.login)

        mine.invalidate_recordset()
        self.assertEqual((mine.answer, mine.rma_number, mine.answered_by_id), ("approve", "RMA-TOUR-1", self.mkt_user))
        self.assertEqual(mine.state, "requested", "eBay has not been told yet: the answer waits in its job")
        self.assertTrue(others.return_ids.waiting_for_seller, "the other return is untouched")
        self.reset_sim_calls()
        self.run_job(mine.answer_job_id)
        self.assertEqual(self.sim_calls().get("POST /post-order/v2/return/{id}/decide"), 1)
        self.assertEqual(self.ebay_return(mine)["status"], "READY_FOR_SHIPPING")
        self.assertEqual(mine.state, "approved")
        self.assertTrue(mine.picking_id)

        self.start_tour("/odoo/action-marketplace_base.action_marketplace_return/%d" % mine.id,
                        "ebay_return_approved_tour", login=self.mkt_user.login)
