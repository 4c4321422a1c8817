import requests

from odoo.tests import HttpCase, tagged

from .common import start_simulator
from .test_price import ITEMS


@tagged("post_install", "-at_install")
class TestPriceTour(HttpCase):
    """The seller prices the demo draft listing from its comparables in the browser
    (static/tests/tours/ebay_price_tour.js), against a simulator of the test's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = start_simulator(cls, demo=True)
        # Odoo's test harness wraps requests and cannot compare a (connect, read) timeout pair
        cls.env["ir.config_parameter"].sudo().set_param("ebay_connector.timeout_seconds", "30")

    def test_seller_recalculates_the_price_and_adjusts_the_discount(self):
        listing = self.env.ref("ebay_connector.demo_listing_bin")
        listing.account_id.ebay_api_base_url = self.sim.base_url
        gtin = listing.product_id.barcode
        self.assertTrue(gtin, "the demo pedal bin has a barcode, an EAN eBay's catalog lacks: searched as keywords")
        requests.post(self.sim.base_url + "/_sim/comparables", json={"q": gtin, "items": ITEMS},
                      timeout=10).raise_for_status()

        self.start_tour("/odoo/action-marketplace_base.action_marketplace_listing/%d" % listing.id, "ebay_price_tour",
                        login="admin")

        listing.invalidate_recordset()
        self.assertEqual((listing.ebay_price_median, listing.ebay_price_discount, listing.ebay_price),
                         (46.0, 10.0, 41.4))
