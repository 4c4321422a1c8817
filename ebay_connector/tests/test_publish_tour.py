import base64
import io
import json

from PIL import Image

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPublishTour(HttpCase):
    """The seller publishes from the product form (static/tests/tours/ebay_publish_tour.js): the demo draft
    listing lacks its category and condition; the category accepts New and Used only."""

    def test_seller_publishes_a_draft_listing_from_the_product(self):
        listing = self.env.ref("ebay_connector.demo_listing_bin")
        category = self.env["ebay.category"].create({
            "name": "Trash Cans", "tree_id": "0", "category_id": "990001", "leaf": True, "level": 3,
            "full_path": "Home > Kitchen > Trash Cans",
            # eBay's answers, cached as if asked before: the tour makes no call to eBay
            "aspects_json": json.dumps({"aspects": []}),
            "conditions_json": json.dumps([{"categoryId": "990001", "itemConditionRequired": True,
                                            "itemConditions": [{"conditionId": "1000"}, {"conditionId": "3000"}]}]),
        })
        photo = io.BytesIO()
        Image.new("RGB", (32, 32), "grey").save(photo, "PNG")
        listing.write({"ebay_condition_id": False,
                       "image_ids": [Command.create({"name": "bin.png", "image": base64.b64encode(photo.getvalue())})]})
        listing.action_check()
        self.assertEqual([problem["code"] for problem in json.loads(listing.problems)], ["category_missing"])

        self.start_tour("/odoo/action-product.product_template_action/%d" % listing.product_tmpl_id.id,
                        "ebay_publish_tour", login="admin")

        listing.invalidate_recordset()
        self.assertEqual((listing.ebay_category_id, listing.ebay_condition_id),
                         (category, self.env.ref("ebay_connector.ebay_condition_new")))
        self.assertEqual(listing.state, "queued")
        self.assertEqual((listing.job_id.job_type, listing.job_id.state), ("publish_listings", "pending"))
