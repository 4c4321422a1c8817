import hashlib
import re
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_round

from odoo.addons.marketplace_base.marketplace_core import pricing
from odoo.addons.marketplace_base.marketplace_core.errors import BudgetExhausted
from odoo.addons.marketplace_base.marketplace_core.payload import canonical_json

from ..ebay_api import EbayAuthError, EbayError, EbayRequestError, EbayRetryableError
from ..ebay_api.browse import BrowseAdapter
from ..ebay_api.catalog import CatalogAdapter
from ..ebay_api.locales import inventory_locale, site_language
from ..services.listing_drafter import ListingDrafter
from ..sync_core import publish


class MarketplaceListing(models.Model):
    """What eBay needs of a listing: category, condition, item specifics, identifiers, business policies,
    Best Offer and package; the check (``sync_core.publish.check_listing``) and eBay's request bodies."""

    _inherit = "marketplace.listing"

    # Category and condition
    ebay_category_id = fields.Many2one("ebay.category", string="eBay Category", domain="[('leaf', '=', True)]",
                                       help="A leaf of the imported category tree.")
    ebay_condition_id = fields.Many2one(
        "ebay.condition", string="Condition", ondelete="restrict", domain="[('id', 'in', ebay_condition_choice_ids)]",
        help="Only the conditions the category accepts are offered (eBay's getItemConditionPolicies).")
    ebay_condition_code = fields.Char(related="ebay_condition_id.code", string="Condition Code")
    ebay_condition_choice_ids = fields.Many2many("ebay.condition", compute="_compute_ebay_condition_choice_ids",
                                                 string="Accepted Conditions")
    ebay_condition_notes = fields.Text(string="Condition Notes", help="Not for new items (eBay ignores them).")
    ebay_aspect_ids = fields.One2many("ebay.listing.aspect", "listing_id", string="Item Specifics")

    # Identifiers
    ebay_brand = fields.Char(string="Brand")
    ebay_mpn = fields.Char(string="MPN", help="Manufacturer part number.")
    ebay_barcode = fields.Char(related="product_id.barcode", string="Barcode (UPC/EAN/ISBN)")

    # Terms
    ebay_fulfillment_policy_id = fields.Many2one(
        "ebay.business.policy", string="Shipping Policy", domain="[('kind', '=', 'fulfillment')]",
        help="Empty: the shop's.")
    ebay_payment_policy_id = fields.Many2one("ebay.business.policy", string="Payment Policy",
                                             domain="[('kind', '=', 'payment')]", help="Empty: the shop's.")
    ebay_return_policy_id = fields.Many2one("ebay.business.policy", string="Return Policy",
                                            domain="[('kind', '=', 'return')]", help="Empty: the shop's.")
    ebay_best_offer = fields.Boolean(string="Best Offer")
    ebay_auto_accept_price = fields.Float(string="Auto-accept Offers From", digits="Product Price")
    ebay_auto_decline_price = fields.Float(string="Auto-decline Offers Below", digits="Product Price")
    ebay_out_of_stock_ok = fields.Boolean(
        string="Publish Out of Stock",
        help="eBay publishes a listing with no quantity as an out-of-stock listing: live (and charged), hidden from "
             "search and not buyable until stock comes. Off (default): the check stops a listing with nothing to "
             "sell. On: publish it all the same.")
    ebay_package_weight = fields.Float(string="Package Weight (kg)", help="Empty: the product's weight.")
    ebay_package_length = fields.Float(string="Length (cm)")
    ebay_package_width = fields.Float(string="Width (cm)")
    ebay_package_height = fields.Float(string="Height (cm)")

    # -- draft from the barcode or the photos (issue 10) --------------------------------
    ebay_epid = fields.Char(string="eBay Product (ePID)", copy=False,
                            help="The eBay catalog product this listing was drafted from (sent with the item).")
    ebay_draft_notes = fields.Text(string="Draft Notes", copy=False, readonly=True,
                                   help="Where the last draft came from and the proposed values left out.")
    # -- end draft ----------------------------------------------------------------------

    # What was sent (revise sends only what changed)
    ebay_sent_item_hash = fields.Char(copy=False, readonly=True)
    ebay_sent_offer_hash = fields.Char(copy=False, readonly=True)
    ebay_revision_day = fields.Date(copy=False, readonly=True)
    ebay_revisions_today = fields.Integer(copy=False, readonly=True, string="Revisions Today")
    ebay_look_up = fields.Boolean(
        copy=False, readonly=True,
        help="An earlier attempt may have made this listing's offer without Odoo learning it: eBay is asked "
             "for the SKU's offers before creating one, so there is never a second offer.")

    @api.depends("ebay_category_id.condition_ids")
    def _compute_ebay_condition_choice_ids(self):
        """The category's accepted conditions; every condition while eBay's answer is unknown or says any."""
        every = self.env["ebay.condition"].search([])  # eBay's 14 conditions  # pylint: disable=no-search-all
        for listing in self:
            listing.ebay_condition_choice_ids = listing.ebay_category_id.condition_ids or every

    @api.onchange("ebay_category_id")
    def _onchange_ebay_category_id(self):
        """Ask eBay which conditions the chosen leaf accepts (once per category, then cached) and drop a
        condition it does not accept; without an answer every condition stays offered and the check asks again."""
        warning = None
        try:
            self.ebay_category_id._ebay_condition_policy()
        except UserError as exc:
            warning = {"title": _("Conditions not known yet"), "message": exc.args[0]}
        self._compute_ebay_condition_choice_ids()
        if self.ebay_condition_id and self.ebay_condition_id not in self.ebay_condition_choice_ids:
            self.ebay_condition_id = False
        return {"warning": warning} if warning else None

    # -- item specifics form --------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        listings = super().create(vals_list)
        listings.filtered("ebay_category_id")._ebay_load_aspects()
        return listings

    def write(self, vals):
        result = super().write(vals)
        if vals.get("ebay_category_id"):
            self._ebay_load_aspects()
        return result

    def action_ebay_load_aspects(self):
        """Build the item specifics form from the category (eBay is asked once per category)."""
        self._ebay_load_aspects()
        return True

    def _ebay_load_aspects(self):
        """One line per item specific of the category, keeping what was filled; lines of another category go."""
        Value = self.env["ebay.aspect.value"].sudo()
        for listing in self.filtered("ebay_category_id"):
            category = listing.ebay_category_id
            specs = publish.aspect_specs(category._ebay_aspects())
            existing = {aspect.name: aspect for aspect in listing.ebay_aspect_ids}
            names = {spec.name for spec in specs}
            listing.ebay_aspect_ids.filtered(lambda aspect, names=names: aspect.name not in names).unlink()
            for sequence, spec in enumerate(specs):
                key = "%s:%s:%s" % (category.tree_id, category.category_id, spec.name)
                known = set(Value.search([("aspect_key", "=", key)]).mapped("name"))
                Value.create([{"aspect_key": key, "name": value, "sequence": index}
                              for index, value in enumerate(spec.values) if value not in known])
                values = {"name": spec.name, "aspect_key": key, "required": spec.required,
                          "selection_only": spec.selection_only, "multi": spec.multi, "sequence": sequence}
                if spec.name in existing:
                    existing[spec.name].write(values)
                else:
                    values.update(listing_id=listing.id, value_text=listing._ebay_default_aspect(spec.name))
                    self.env["ebay.listing.aspect"].create(values)

    def _ebay_default_aspect(self, name):
        """Brand and MPN come from the identifiers already typed."""
        return {"Brand": self.ebay_brand, "MPN": self.ebay_mpn}.get(name) or False

    # -- draft from the barcode or the photos (issue 10) --------------------------------
    def action_draft_from_barcode(self):
        """Draft: eBay's catalog product of the barcode fills title, item specifics, ePID and a stock photo."""
        source, dropped = ListingDrafter(self).from_barcode()
        return self._draft_finish(source, dropped)

    def action_draft_from_photos(self):
        """Draft: the company's vision model describes the photos; its values are checked before the form."""
        source, dropped = ListingDrafter(self).from_photos()
        return self._draft_finish(source, dropped)

    def _draft_finish(self, source, dropped):
        """The end of every Draft: note where the values came from and what was left out, check the listing
        (it stays a draft: the person reviews it and presses Publish), and tell the person."""
        self.ensure_one()
        lines = [_("Drafted from %(origin)s on %(when)s.", origin=source,
                   when=fields.Datetime.to_string(fields.Datetime.now()))]
        if dropped:
            lines.append(_("Left out:"))
            lines += ["- " + self._draft_dropped_text(item) for item in dropped]
        price_problem = self._draft_suggest_price()
        if price_problem:
            lines.append(_("No price suggested: %s", price_problem))
        self.ebay_draft_notes = "\n".join(lines)
        self._run_check()
        message = _("Review the listing, then Publish.")
        if dropped:
            message = _("%s proposed value(s) left out (see Draft Notes). ", len(dropped)) + message
        return self._notify(_("Draft ready"), message, "warning" if dropped else "success")

    def _draft_suggest_price(self):
        """A draft also gets its price from comparables (``_suggest_price``); eBay refusing the search must not
        lose the drafted values, so its words are returned for the Draft Notes instead of raised."""
        try:
            with self.env.cr.savepoint():
                self._suggest_price()
        except UserError as exc:
            return str(exc)
        return None

    def _draft_dropped_text(self, item):
        """A ``sync_core.draft.Dropped`` in words."""
        params = dict(item.params, field=item.field, value=item.value)
        texts = {
            "too_long": _("%(field)s: %(length)s characters, eBay allows %(max)s (%(value)s)."),
            "condition_unknown": _("Condition %(value)s is not one of eBay's conditions."),
            "condition_not_allowed": _("Condition %(value)s is not accepted in this category (accepted: "
                                       "%(allowed)s)."),
            "condition_notes_for_new": _("Condition notes are not for new items: %(value)s"),
            "aspect_unknown": _("%(field)s is not an item specific of this category (%(value)s)."),
            "category_missing": _("%(field)s: choose a category for item specifics (%(value)s)."),
            "aspect_name_too_long": _("Item specific name %(field)s is longer than %(max)s characters."),
            "aspect_value_too_long": _("%(field)s: %(value)s is longer than %(max)s characters."),
            "aspect_value_not_allowed": _("%(field)s: %(value)s is not one of eBay's values."),
            "aspect_too_many_values": _("%(field)s takes at most %(max)s value(s): %(value)s left out."),
            "category_not_found": _("None of the suggested categories (%(value)s) is imported: import the "
                                    "categories, or choose one."),
            "categories_not_imported": _("No category suggested: the account's eBay categories are not "
                                         "imported yet. Import them, then choose one."),
            "category_not_suggested": _("eBay suggested no category for the title %(value)s: choose one."),
            "stock_photo_unavailable": _("The stock photo could not be downloaded (%(value)s)."),
        }
        return texts.get(item.code, "%(field)s: %(value)s (" + item.code + ")") % params
    # -- end draft ----------------------------------------------------------------------

    # -- the check ----------------------------------------------------------------------
    def _listing_problems(self):
        if self.platform != "ebay":
            return super()._listing_problems()
        problems = publish.check_listing(self._ebay_draft())
        return [{"code": problem.code, "params": {k: str(v) for k, v in problem.params.items()}}
                for problem in problems]

    def _problem_text(self, code, params):
        texts = {
            "sku_invalid": _("SKU %(sku)s: eBay takes 1 to 50 letters, digits, spaces and . _ - /"),
            "title_missing": _("Enter a title."),
            "title_too_long": _("The title has %(length)s characters: eBay allows %(max)s."),
            "description_missing": _("Write a description."),
            "description_too_long": _("The description has %(length)s characters: eBay allows %(max)s."),
            "category_missing": _("Choose an eBay category."),
            "category_not_leaf": _("Choose a leaf category: eBay lists items only in the last level of its tree."),
            "condition_missing": _("Choose the item's condition: this category requires one."),
            "condition_not_allowed": _("Condition %(condition)s is not accepted in this category (accepted: "
                                       "%(allowed)s)."),
            "condition_notes_for_new": _("Condition notes are for used or refurbished items: clear them for a new "
                                         "item."),
            "aspect_missing": _("Item specific %(name)s is required by the category."),
            "aspect_name_too_long": _("Item specific name %(name)s is longer than %(max)s characters."),
            "aspect_single_value": _("Item specific %(name)s takes one value (%(count)s given)."),
            "aspect_too_many_values": _("Item specific %(name)s has %(count)s values: at most %(max)s."),
            "aspect_value_too_long": _("Value %(value)s of %(name)s is longer than %(max)s characters."),
            "aspect_value_not_allowed": _("%(value)s is not one of eBay's values for %(name)s: choose from the list."),
            "photo_missing": _("Add at least one photo."),
            "photo_too_many": _("%(count)s photos: eBay takes at most %(max)s."),
            "policy_missing": _("Choose a %(kind)s policy (on the listing or as the shop's default)."),
            "location_missing": _("The shop has no eBay inventory location: set its Location Key."),
            "price_missing": _("The product has no sale price in this shop."),
            "package_missing": _("The shipping policy uses calculated shipping: enter the package weight."),
            "out_of_stock": _("Nothing to sell: no free stock in the shop's warehouse (after its sync rule). eBay "
                              "would publish it as an out-of-stock listing, live and charged but hidden from search "
                              "and not buyable until stock comes. Receive stock first, or tick Publish Out of Stock "
                              "(Terms tab)."),
            "best_offer_accept_too_high": _("The Best Offer auto-accept price (%(accept)s) must be below the price "
                                            "(%(price)s)."),
            "best_offer_decline_above_accept": _("The Best Offer auto-decline price (%(decline)s) must be below the "
                                                 "auto-accept price (%(accept)s)."),
            "variant_price_missing": _("Variant %(sku)s has no sale price."),
            "variant_aspect_missing": _("Variant %(sku)s has no value for %(name)s."),
            "variant_duplicate": _("Variants %(sku)s and %(other)s have the same values."),
        }
        if code in texts:
            return texts[code] % params
        return super()._problem_text(code, params)

    # -- the listing as eBay sees it ------------------------------------------------------
    def _ebay_policies(self):
        """Policy per kind: the listing's override, else the shop's default."""
        self.ensure_one()
        shop = self.shop_id
        return {"fulfillment": self.ebay_fulfillment_policy_id or shop.ebay_fulfillment_policy_id,
                "payment": self.ebay_payment_policy_id or shop.ebay_payment_policy_id,
                "return": self.ebay_return_policy_id or shop.ebay_return_policy_id}

    def _ebay_products(self):
        """The products listed: the variant, or every variant of a listing with variations."""
        self.ensure_one()
        return self.product_tmpl_id.product_variant_ids if self.is_group else (
            self.product_id or self.product_tmpl_id.product_variant_id)

    def _ebay_variant_sku(self, product):
        return product.default_code or "%s-%s" % (self.sku, product.id)

    def _ebay_prices(self, products):
        """Sale price per product in the shop (its pricelist and currency), or the listing's own price, as Decimal."""
        shop = self.shop_id
        currency = shop.currency_id
        prices = shop.pricelist_id._compute_price_rule(products, 1.0, currency=currency)
        if self.ebay_price and not self.is_group:
            prices[products.id] = (self.ebay_price, False)
        return {product.id: Decimal(str(float_round(prices[product.id][0], precision_digits=currency.decimal_places)))
                for product in products}

    def _ebay_quantities(self):
        """Online quantity per product after the shop's sync rule: its binding's, or for a product not bound
        yet (before the first publish: the check) what its binding will publish."""
        bindings = self.binding_ids.filtered("product_id")
        for product in self._ebay_products() - bindings.product_id:
            bindings |= self.env["marketplace.product.binding"].new({"shop_id": self.shop_id.id,
                                                                     "product_id": product.id})
        online = bindings._online_quantities() if bindings else {}
        return {binding.product_id.id: int(online[binding.id]) for binding in bindings}

    def _ebay_draft(self, image_urls=None):
        """A ``publish.ListingDraft`` of this listing; ``image_urls`` (photo id -> eBay URL) once uploaded."""
        self.ensure_one()
        image_urls = image_urls or {}
        category = self.ebay_category_id
        products = self._ebay_products()
        prices = self._ebay_prices(products)
        quantities = self._ebay_quantities()
        policies = self._ebay_policies()
        main_images = self.image_ids.filtered(lambda image: not image.product_id)
        variants = ()
        if self.is_group:
            variants = tuple(self._ebay_variant(product, prices, quantities, image_urls) for product in products)
        site = self.shop_id._ebay_site()
        return publish.ListingDraft(
            sku=self.sku, marketplace_id=site, locale=inventory_locale(site_language(site)),
            prefer_catalog=self.shop_id.ebay_prefer_catalog,
            currency=self.shop_id.currency_id.name, title=self.title, description=self.description or "",
            category_id=category.category_id or None, category_is_leaf=bool(category.leaf),
            condition=self.ebay_condition_code or None, condition_notes=self.ebay_condition_notes or None,
            aspects={aspect.name: aspect._values() for aspect in self.ebay_aspect_ids if aspect._values()},
            aspect_specs=tuple(publish.aspect_specs(category._ebay_aspects())) if category.leaf else (),
            condition_policy=category._ebay_condition_policy() if category.leaf else None,
            brand=self.ebay_brand or None, mpn=self.ebay_mpn or None,
            barcode=None if self.is_group else (products.barcode or None), epid=self.ebay_epid or None,
            image_urls=tuple(image_urls[image.id] for image in main_images if image.id in image_urls),
            photo_count=len(main_images),
            price=None if self.is_group else prices.get(products.id),
            quantity=0 if self.is_group else quantities.get(products.id, 0),
            policies={kind: policy.policy_id for kind, policy in policies.items() if policy},
            location_key=self.shop_id.ebay_location_key or None,
            best_offer=publish.BestOffer(_decimal(self.ebay_auto_accept_price), _decimal(self.ebay_auto_decline_price))
            if self.ebay_best_offer else None,
            package=self._ebay_package(products[:1]),
            package_required=bool(policies["fulfillment"].needs_package),
            variants=variants,
            # a live listing that sells out stays live out of stock (eBay's out-of-stock control): it revises
            out_of_stock_ok=self.ebay_out_of_stock_ok or self.state == "published",
        )

    def _ebay_variant(self, product, prices, quantities, image_urls):
        images = self.image_ids.filtered(lambda image: image.product_id == product)
        aspects = {value.attribute_id.name: [value.name] for value in product.product_template_attribute_value_ids}
        return publish.Variant(
            sku=self._ebay_variant_sku(product), price=prices.get(product.id), quantity=quantities.get(product.id, 0),
            aspects=aspects, image_urls=tuple(image_urls[image.id] for image in images if image.id in image_urls),
            photo_count=len(images), barcode=product.barcode or None)

    def _ebay_package(self, product):
        weight = self.ebay_package_weight or product.weight
        if not weight:
            return None
        return publish.Package(_decimal(weight), length=_decimal(self.ebay_package_length),
                               width=_decimal(self.ebay_package_width), height=_decimal(self.ebay_package_height))

    @staticmethod
    def _ebay_fingerprint(payloads):
        """What was sent, in 16 hex digits: equal bodies, equal fingerprints (the one JSON canonicaliser)."""
        return hashlib.sha1(canonical_json({"payloads": payloads}).encode()).hexdigest()[:16]

    def _ebay_bodies(self, draft):
        """(inventory item bodies, offer bodies, group body or None) of a draft."""
        if draft.variants:
            return ([publish.inventory_item_payload(draft, variant) for variant in draft.variants],
                    [publish.offer_payload(draft, variant) for variant in draft.variants],
                    publish.group_payload(draft))
        return [publish.inventory_item_payload(draft)], [publish.offer_payload(draft)], None

    # -- bindings -----------------------------------------------------------------------
    def _ebay_ensure_bindings(self):
        """The bindings (one per SKU) that backfill and stock push share; made before the first call."""
        Binding = self.env["marketplace.product.binding"]
        for listing in self:
            for product in listing._ebay_products():
                sku = listing._ebay_variant_sku(product) if listing.is_group else listing.sku
                binding = Binding.with_context(active_test=False).search(
                    [("shop_id", "=", listing.shop_id.id), ("external_sku", "=", sku)], limit=1)
                values = {"listing_id": listing.id, "product_id": product.id, "active": True}
                if binding:
                    binding.write(values)
                else:
                    Binding.create(dict(values, shop_id=listing.shop_id.id, external_sku=sku,
                                        ebay_listing_source="inventory_api"))

    # ==== Price from comparables (issue 10) =====================================================================
    # Browse's active listings of the product -> marketplace_core.pricing -> the listing's price. The Draft flow
    # calls ``_suggest_price()``; the price panel's Recalculate calls ``action_recalculate_price()``.
    ebay_price = fields.Float(
        string="Listing Price", digits="Product Price", compute="_compute_ebay_price", store=True, readonly=False,
        copy=False,
        help="The price this listing is published and pushed at; empty: the product's price in the shop. Follows "
             "the comparables' median, the discount and free shipping until you type another.")
    ebay_price_discount = fields.Float(
        string="Below Median (%)", compute="_compute_ebay_price_discount", store=True, readonly=False,
        help="How far below the comparables' median the suggested price is (the shop's default: 8 %).")
    ebay_free_shipping = fields.Boolean(
        string="Free Shipping", help="The buyer pays no shipping: your shipping cost is built into the price.")
    ebay_shipping_cost = fields.Float(string="Shipping Cost", digits="Product Price",
                                      help="What shipping this item costs you; added to the price when free.")
    ebay_price_search_id = fields.Many2one("ebay.price.search", string="Comparables Search", readonly=True,
                                           copy=False, ondelete="set null")
    ebay_price_status = fields.Selection(related="ebay_price_search_id.status", string="Comparables")
    ebay_price_query = fields.Char(related="ebay_price_search_id.query")
    ebay_price_way = fields.Selection(related="ebay_price_search_id.way")
    ebay_price_searched_at = fields.Datetime(related="ebay_price_search_id.searched_at", string="Searched At")
    ebay_price_found = fields.Integer(related="ebay_price_search_id.found")
    ebay_price_count = fields.Integer(related="ebay_price_search_id.kept", string="Number of Comparables")
    ebay_price_currency_id = fields.Many2one(related="ebay_price_search_id.currency_id")
    ebay_price_median = fields.Monetary(related="ebay_price_search_id.median", string="Median",
                                        currency_field="ebay_price_currency_id")
    ebay_price_p25 = fields.Monetary(related="ebay_price_search_id.p25", string="25th Percentile",
                                     currency_field="ebay_price_currency_id")
    ebay_price_p75 = fields.Monetary(related="ebay_price_search_id.p75", string="75th Percentile",
                                     currency_field="ebay_price_currency_id")
    ebay_comparable_ids = fields.One2many(related="ebay_price_search_id.comparable_ids", string="Comparable Items")

    @api.depends("shop_id")
    def _compute_ebay_price_discount(self):
        for listing in self:
            listing.ebay_price_discount = listing.shop_id.ebay_price_discount

    @api.depends("ebay_price_search_id", "ebay_price_discount", "ebay_free_shipping", "ebay_shipping_cost")
    def _compute_ebay_price(self):
        """The suggested price while the comparables are enough; otherwise the price stays as it is."""
        for listing in self:
            search = listing.ebay_price_search_id
            if search.status == pricing.OK and 0 <= listing.ebay_price_discount < 100:
                listing.ebay_price = float(pricing.listing_price(
                    Decimal(str(search.median)), listing.ebay_price_discount, listing.ebay_free_shipping,
                    listing.ebay_shipping_cost, search.currency_id.decimal_places))
            else:
                listing.ebay_price = listing.ebay_price

    @api.constrains("ebay_price_discount")
    def _check_ebay_price_discount(self):
        if any(not 0 <= listing.ebay_price_discount < 100 for listing in self):
            raise ValidationError(_("The discount below the median must be at least 0 % and below 100 %."))

    def action_recalculate_price(self):
        """Recalculate: search eBay for comparables again (one Browse call) and suggest the price from them."""
        for listing in self:
            if listing.platform != "ebay" or listing.is_group:
                raise UserError(_("%s: prices from comparables are for single eBay listings (not variations).",
                                  listing.display_name))
        self._suggest_price(force=True)
        too_few = self.filtered(lambda listing: listing.ebay_price_status == pricing.TOO_FEW)
        if not too_few:
            return self._notify(_("Price recalculated"), _("%s listing(s) priced from their comparables.",
                                                           len(self)), "success")
        if len(self) == 1:
            message = _("eBay has %(count)s comparable item(s) for %(query)s: at least %(min)s are needed to suggest "
                        "a price. The price stays as it is; widen the search (title, category, condition) or price "
                        "by hand.", count=self.ebay_price_count, query=self.ebay_price_query,
                        min=pricing.MIN_COMPARABLES)
        else:
            message = _("%(few)s of %(count)s listing(s) have fewer than %(min)s comparable items: their prices stay "
                        "as they are.", few=len(too_few), count=len(self), min=pricing.MIN_COMPARABLES)
        return self._notify(_("Too few comparables"), message, "warning")

    def _suggest_price(self, force=False):
        """Fill the comparables and the suggested price of single eBay listings (others are left alone): today's
        search of the same product and query when there is one (no call), else one Browse call; ``force`` always
        calls (Recalculate). Too few comparables leave the price as it is (``ebay_price_status``); eBay's
        refusals, throttling and a spent daily budget raise UserError in words for the seller."""
        for listing in self.filtered(lambda listing: listing.platform == "ebay" and not listing.is_group):
            product, query = listing._ebay_products(), listing._ebay_comparables_query()
            query_key = canonical_json(query)
            Search = self.env["ebay.price.search"].sudo()
            search = Search.browse() if force else Search._find_fresh(listing.company_id, product, query_key)
            if not search:
                way, asked, items = listing._ebay_search_comparables(query)
                search = Search._record({"company_id": listing.company_id.id, "product_id": product.id,
                                         "query_key": query_key, "way": way,
                                         "query": listing._ebay_query_label(way, query, asked)},
                                        items, listing.shop_id.currency_id)
            listing.ebay_price_search_id = search

    def _ebay_comparables_query(self):
        """What the comparables are searched for (the day's cache key): a UPC (``gtin``), an EAN or ISBN
        (``barcode``: Browse's gtin does not search them, see ``_ebay_browse_query``) or the title's words, the
        category, the condition, fixed price, items located in the shop's country, on the shop's eBay site."""
        product = self._ebay_products()
        country = (self.shop_id.warehouse_id.partner_id.country_id or self.company_id.country_id).code
        kind = next(iter(publish.gtin_fields(product.barcode)), None)   # upc, ean, isbn or None
        barcode = (product.barcode or "").replace("-", "").replace(" ", "") if kind else None
        return {
            "gtin": barcode if kind == "upc" else None,
            "barcode": barcode if kind in ("ean", "isbn") else None,
            "keywords": None if kind else " ".join(re.findall(r"\w+", self.title or "")) or None,
            "category_id": self.ebay_category_id.category_id or None,
            "condition_ids": [self.ebay_condition_id.condition_id] if self.ebay_condition_id else [],
            "buying_options": ["FIXED_PRICE"],
            "country": country or None,
            "marketplace_id": self.shop_id._ebay_site(),
        }

    def _ebay_browse_query(self, query):
        """(way, Browse's query) of a comparables query: a UPC as ``gtin``; an EAN or ISBN through its eBay
        catalog product (the listing's ePID, else one Catalog call) as ``epid``, else the barcode as keywords
        (browse.yml: "To search using another GTIN format, you must search by keyword"); else the title's words."""
        asked = {key: value for key, value in query.items() if key != "barcode"}
        if not query["barcode"]:
            return ("gtin" if query["gtin"] else "keywords"), asked
        epid = self.ebay_epid or self._ebay_catalog_epid(query["barcode"])
        if epid:
            return "epid", dict(asked, epid=epid)
        return "barcode", dict(asked, keywords=query["barcode"])

    def _ebay_catalog_epid(self, barcode):
        """The ePID of eBay's catalog product of an EAN or ISBN, or None when the catalog has none or cannot be
        asked: the Catalog API takes a seller's token only (catalog.yml: authorization code), so an account not
        connected, or one eBay refuses the catalog to, searches the barcode as keywords instead."""
        if self.account_id.state != "connected":
            return None
        try:
            with self.account_id._ebay_client(site=self.shop_id._ebay_site()) as client:
                summaries = CatalogAdapter(client).search_by_gtin(barcode, limit=1)
        except (EbayAuthError, EbayRequestError):
            return None
        return summaries[0].get("epid") if summaries else None

    def _ebay_query_label(self, way, query, asked):
        """What the panel says was searched for, in words."""
        if way == "gtin":
            label = _("GTIN %s", query["gtin"])
        elif way == "epid":
            label = _("eBay catalog product %(epid)s (barcode %(barcode)s)", epid=asked["epid"],
                      barcode=query["barcode"])
        elif way == "barcode":
            label = _('"%s" (barcode as keywords)', query["barcode"])
        else:
            label = '"%s"' % query["keywords"]
        if query["condition_ids"] and self.ebay_condition_id:
            label += ", %s" % self.ebay_condition_id.name
        return label

    def _ebay_comparables_source(self, client):
        """Where comparables come from (a ``marketplace_core.pricing.ComparablesSource``) through ``client``:
        eBay's Browse API, i.e. active listings. A source of sold items (Marketplace Insights, limited release)
        would go here."""
        return BrowseAdapter(client)

    def _ebay_search_comparables(self, query):
        """(way, what was asked, the source's comparables) of a comparables query (``_ebay_browse_query``),
        eBay's refusals and limits worded for the seller."""
        if not query["gtin"] and not query["barcode"] and not query["keywords"]:
            raise UserError(_("Give the listing a title (or the product a barcode) to search for comparables."))
        try:
            way, asked = self._ebay_browse_query(query)
            with self.account_id._ebay_client(site=self.shop_id._ebay_site()) as client:
                return way, asked, self._ebay_comparables_source(client).search(**asked)
        except BudgetExhausted as exc:
            raise UserError(_("Today's eBay Browse calls are used up (%(limit)s a day): comparables can be searched "
                              "again in %(hours)s hour(s).", limit=self.account_id._ebay_browse_calls_per_day(),
                              hours=max(1, round(exc.retry_after / 3600)))) from exc
        except EbayRetryableError as exc:
            raise UserError(_("eBay is busy and did not answer the search for comparables (%s). Press Recalculate "
                              "again in a few minutes.", exc.message)) from exc
        except EbayAuthError as exc:
            raise UserError(_("eBay refused the application token for %(account)s: %(error)s. Check the App ID and "
                              "Cert ID of the account.", account=self.account_id.name, error=exc.message)) from exc
        except EbayError as exc:
            raise UserError(_("eBay refused the search for comparables: %s", exc.message)) from exc
    # ==== end of price from comparables =========================================================================


def _decimal(value):
    return Decimal(str(value)) if value else None

