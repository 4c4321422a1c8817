"""Drafting a listing from its barcode (eBay's catalog) or from its photos (a vision model).

Not a job: a person presses Draft on a draft listing and waits for a few calls. Both ways end alike: the
category is suggested from the title when the listing has none (Taxonomy getCategorySuggestions), the
proposal is checked against the category (``sync_core.draft.check_proposal``), what passes is written on the
form, what was dropped is listed on the listing (``_draft_finish``), and the listing stays a draft until the
person presses Publish.
"""
import base64

import requests

from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import BudgetExhausted
from odoo.addons.marketplace_base.marketplace_core.vision import VisionError

from ..ebay_api import EbayError
from ..ebay_api.catalog import CatalogAdapter
from ..ebay_api.taxonomy import TaxonomyAdapter
from ..models.ebay_listing_aspect import MULTI_SEPARATOR
from ..sync_core import draft, publish


class ListingDrafter:
    """Fills one draft listing; ``from_barcode`` and ``from_photos`` return ``(source, dropped)``."""

    def __init__(self, listing):
        listing.ensure_one()
        if listing.platform != "ebay":
            raise UserError(_("Drafting from a barcode or photos is for eBay listings."))
        if listing.state != "draft":
            raise UserError(_("Only draft listings are drafted: %s is already past its draft.", listing.display_name))
        self.listing = listing
        self.env = listing.env
        self.account = listing.account_id
        self.dropped = []

    # -- sources --------------------------------------------------------------------
    def from_barcode(self):
        """eBay's catalog product of the product's barcode: title, item specifics, ePID, stock photo."""
        listing = self.listing
        barcode = (listing.ebay_barcode or "").strip()
        if listing.is_group or not barcode:
            raise UserError(_("Type or scan the product's barcode (UPC, EAN or ISBN) in the Barcode field of the "
                              "product variant first; a listing with variations is drafted from its photos."))
        with self.account._ebay_client(site=self.listing.shop_id._ebay_site()) as client:
            catalog = CatalogAdapter(client)
            summaries = self._call(catalog.search_by_gtin, barcode)
            if not summaries:
                raise UserError(_("eBay's catalog has no product with barcode %s: draft from the photos, or fill "
                                  "the listing in yourself.", barcode))
            product = self._call(catalog.get_product, summaries[0]["epid"])
            proposal = draft.proposal_from_catalog(product)
            self._apply(client, proposal, description=proposal.description)
            listing.ebay_epid = proposal.epid
            self._add_stock_photo(catalog, proposal)
        return _("eBay's catalog (barcode %(barcode)s, ePID %(epid)s)", barcode=barcode, epid=proposal.epid), \
            self.dropped

    def from_photos(self):
        """What the company's vision model sees in the listing's photos (or the product's picture)."""
        listing = self.listing
        vision = self.env["marketplace.vision.provider"]._for_company(listing.company_id)
        images = [base64.b64decode(image.image) for image in listing.image_ids.filtered(
            lambda image: not image.product_id)]
        if not images and (listing.product_id or listing.product_tmpl_id).image_1920:
            images = [base64.b64decode((listing.product_id or listing.product_tmpl_id).image_1920)]
        if not images:
            raise UserError(_("Add photos to the listing (tab Photos) first: the vision model drafts from them."))
        category = listing.ebay_category_id
        specs = publish.aspect_specs(category._ebay_aspects()) if category.leaf else ()
        instructions = draft.vision_instructions(specs, self._conditions(category), category.display_name or None)
        try:
            answer = vision._provider().describe(images, instructions)
            proposal = draft.proposal_from_answer(answer)
        except (VisionError, draft.AnswerError) as exc:
            raise UserError(_("%(model)s could not draft this listing: %(error)s", model=vision.display_name,
                              error=exc)) from exc
        with self.account._ebay_client(site=self.listing.shop_id._ebay_site()) as client:
            self._apply(client, proposal,
                        description=draft.description_html(proposal.description) if proposal.description else None)
        return _("the photos (%(model)s, %(count)s photo(s))", model=vision.display_name,
                 count=min(len(images), vision.max_images)), self.dropped

    # -- the common part ----------------------------------------------------------------
    def _call(self, method, *args):
        try:
            return method(*args)
        except (EbayError, BudgetExhausted) as exc:
            raise UserError(_("eBay did not answer the draft's question: %s", exc)) from exc

    def _apply(self, client, proposal, description):
        """Category (suggested from the title when missing), then the checked values on the form."""
        listing = self.listing
        if not listing.ebay_category_id and proposal.title:
            self._suggest_category(client, proposal.title)
        category = listing.ebay_category_id
        specs = tuple(publish.aspect_specs(category._ebay_aspects())) if category.leaf else None
        checked = draft.check_proposal(proposal, specs, self._conditions(category))
        self.dropped.extend(checked.dropped)
        values = {"title": checked.title, "ebay_brand": checked.brand, "ebay_mpn": checked.mpn,
                  "ebay_condition_notes": checked.condition_notes,
                  "description": description if checked.description else None}
        if checked.condition:
            values["ebay_condition_id"] = self.env["ebay.condition"].search(
                [("code", "=", checked.condition)], limit=1).id
        listing.write({name: value for name, value in values.items() if value})
        self._write_aspects(checked.aspects)

    def _suggest_category(self, client, title):
        """The first leaf eBay suggests for ``title`` that is imported here; none: said in the notes."""
        tree_id = self.account.ebay_category_tree_id
        suggestions = self._call(TaxonomyAdapter(client).get_category_suggestions, tree_id, title) if tree_id else []
        ids = [suggestion["category"]["categoryId"] for suggestion in suggestions]
        leaves = self.env["ebay.category"].search([("tree_id", "=", tree_id), ("category_id", "in", ids),
                                                   ("leaf", "=", True)])
        by_id = {leaf.category_id: leaf for leaf in leaves}
        leaf = next((by_id[category_id] for category_id in ids if category_id in by_id), None)
        if leaf:
            self.listing.ebay_category_id = leaf
        elif not tree_id:
            self.dropped.append(draft.Dropped("categories_not_imported", "category", title))
        elif not ids:
            self.dropped.append(draft.Dropped("category_not_suggested", "category", title))
        else:
            self.dropped.append(draft.Dropped("category_not_found", "category", ", ".join(ids)))

    def _conditions(self, category):
        """The conditions the category accepts (None: unknown or any)."""
        try:
            policy = category._ebay_condition_policy() if category.leaf else None
        except UserError:
            return None
        return policy.allowed if policy and policy.allowed else None

    def _write_aspects(self, aspects):
        """Checked values onto the item specifics form (chosen from eBay's list, or typed)."""
        Value = self.env["ebay.aspect.value"]
        for line in self.listing.ebay_aspect_ids.filtered(lambda line: line.name in aspects):
            values = aspects[line.name]
            if line.selection_only:
                line.value_ids = Value.search([("aspect_key", "=", line.aspect_key), ("name", "in", list(values))])
            else:
                line.value_text = (MULTI_SEPARATOR + " ").join(values)

    def _add_stock_photo(self, catalog, proposal):
        """The catalog's stock photo as one more photo of the listing (once per ePID)."""
        if not proposal.image_urls:
            return
        name = "stock-%s.jpg" % proposal.epid
        if self.listing.image_ids.filtered(lambda image: image.name == name):
            return
        try:
            content = catalog.fetch_image(proposal.image_urls[0])
        except requests.RequestException:
            content = None
        if not content:
            self.dropped.append(draft.Dropped("stock_photo_unavailable", "photo", proposal.image_urls[0]))
            return
        sequence = max(self.listing.image_ids.mapped("sequence") or [0]) + 1
        self.env["marketplace.listing.image"].create({"listing_id": self.listing.id, "name": name,
                                                      "image": base64.b64encode(content), "sequence": sequence})
