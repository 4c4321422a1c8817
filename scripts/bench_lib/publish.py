"""Publishing listings: the connector's publish_listings job against a naive publisher, on new products.

Connector: the seller selects the listings and presses Publish (the check runs), then the publish lane's job
uploads the photos, makes the inventory location and sends bulkCreateOrReplaceInventoryItem, bulkCreateOffer
and bulkPublishOffer 25 listings a call (item groups for templates with variants).
Naive: per listing createOrReplaceInventoryItem + createOffer + publishOffer (a template: per variant the item
and the offer, the group, publishOfferByInventoryItemGroup) and one upload per photo of each item, one ORM
write per listing. Both publish the same kind of listings (the same bodies, from the listings' drafts) under
different SKUs.
"""
import base64
import io

from .measure import Measure, Result
from .setup import ScenarioError, import_pure

SIZES = ("S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL")


def _png(seed):
    """A small, distinct PNG per photo (a real image: Odoo and the Media API both check it)."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


def _category_leaf():
    """A leaf of the simulator's demo tree accepting every condition (the simulator's own deterministic rules)."""
    import_pure("ebay_connector")
    from marketplace_simulators.ebay_sim.publishing import condition_ids_for
    from marketplace_simulators.ebay_sim.taxonomy import build_tree
    return next(leaf for leaf in build_tree("demo").leaves if len(condition_ids_for(leaf)) > 5)


def prepare(bench, prefix, singles, templates, variants, photos):
    """``singles`` products and ``templates`` products with ``variants`` variants, each with a complete eBay
    listing in draft (category, condition, item specifics, ``photos`` photos); returns the listing ids."""
    from odoo import Command
    with bench.env() as env:
        account = env["marketplace.account"].browse(bench.account_id)
        account.ebay_category_tree_id = "0"
        shop = env["marketplace.shop"].browse(bench.shop_id)
        warehouse = shop.warehouse_id
        warehouse.partner_id.write({"street": "1 Main St", "city": "San Jose", "zip": "95125",
                                    "country_id": env.ref("base.us").id})
        if not shop.ebay_fulfillment_policy_id:
            shop.action_ebay_fetch_policies()
        leaf = _category_leaf()
        category = env["ebay.category"].search([("tree_id", "=", "0"), ("category_id", "=", leaf)]) or \
            env["ebay.category"].create({"name": "Bench leaf", "tree_id": "0", "category_id": leaf, "leaf": True,
                                         "level": 3, "full_path": "Bench > Leaf"})
        category._ebay_condition_policy()
        size = env["product.attribute"].search([("name", "=", "Bench size")]) or env["product.attribute"].create(
            {"name": "Bench size", "value_ids": [Command.create({"name": name}) for name in SIZES[:variants]]})
    ids = []
    for start in range(0, singles, 200):
        ids += _make_singles(bench, prefix, range(start, min(singles, start + 200)), category.id, photos)
    for start in range(0, templates, 50):
        ids += _make_templates(bench, prefix, range(start, min(templates, start + 50)), category.id, size.id, photos)
    return ids


def _listing_values(env, shop_id, category_id, sku, title, photos, seed):
    from odoo import Command
    return {"shop_id": shop_id, "sku": sku, "title": title, "description": "<p>%s, as new.</p>" % title,
            "ebay_category_id": category_id, "ebay_condition_id": env.ref("ebay_connector.ebay_condition_new").id, "ebay_brand": "Acme",
            "image_ids": [Command.create({"name": "p%s.png" % n, "image": _png(seed * 7 + n), "sequence": n})
                          for n in range(photos)]}


def _fill(listings):
    """Required item specifics: eBay's first value (SELECTION_ONLY) or a typed one."""
    Value = listings.env["ebay.aspect.value"]
    for aspect in listings.ebay_aspect_ids.filtered(lambda a: a.required and not a._values()):
        choice = Value.search([("aspect_key", "=", aspect.aspect_key)], limit=1)
        if aspect.selection_only:
            aspect.value_ids = choice
        else:
            aspect.value_text = choice.name or "Lamp"


def _make_singles(bench, prefix, numbers, category_id, photos):
    with bench.env() as env:
        products = env["product.product"].create([{
            "name": "%s lamp %05d" % (prefix, n), "default_code": "%s-L%05d" % (prefix, n), "type": "consu",
            "is_storable": True, "list_price": 19.0 + n % 40} for n in numbers])
        location = env.ref("stock.warehouse0").lot_stock_id
        for product in products:
            env["stock.quant"]._update_available_quantity(product, location, 4)
        listings = env["marketplace.listing"].create([dict(
            _listing_values(env, bench.shop_id, category_id, product.default_code, product.name, photos, product.id),
            product_tmpl_id=product.product_tmpl_id.id, product_id=product.id) for product in products])
        _fill(listings)
        return listings.ids


def _make_templates(bench, prefix, numbers, category_id, attribute_id, photos):
    from odoo import Command
    with bench.env() as env:
        attribute = env["product.attribute"].browse(attribute_id)
        codes = ["%s-T%04d" % (prefix, n) for n in numbers]   # a template's own reference goes with variants
        templates = env["product.template"].create([{
            "name": "%s tee" % code, "type": "consu", "is_storable": True, "list_price": 15.0,
            "attribute_line_ids": [Command.create({"attribute_id": attribute.id,
                                                   "value_ids": [Command.set(attribute.value_ids.ids)]})]}
            for code in codes])
        location = env.ref("stock.warehouse0").lot_stock_id
        for code, template in zip(codes, templates, strict=True):
            for variant in template.product_variant_ids:
                variant.default_code = "%s-%s" % (code, variant.product_template_attribute_value_ids.name)
                env["stock.quant"]._update_available_quantity(variant, location, 3)
        listings = env["marketplace.listing"].create([dict(
            _listing_values(env, bench.shop_id, category_id, code, template.name, photos, template.id + 100000),
            product_tmpl_id=template.id) for code, template in zip(codes, templates, strict=True)])
        for listing in listings:
            listing.image_ids = [Command.create({"name": "v.png", "image": _png(variant.id + 500000),
                                                 "product_id": variant.id, "sequence": 50})
                                 for variant in listing.product_tmpl_id.product_variant_ids]
        _fill(listings)
        return listings.ids


def publish_connector(bench, label, listing_ids):
    """Publish pressed on every listing (the check included), then the publish lane's job(s) to the end."""
    result = Result(label, "connector: Publish + publish_listings job (bulk 25/call)")
    with Measure(bench, result):
        with bench.env() as env:
            listings = env["marketplace.listing"].browse(listing_ids)
            listings.action_publish()
            job_ids = listings.job_id.ids
        with bench.env() as env:
            env["marketplace.job"]._run_pending(job_ids=job_ids)
    with bench.env() as env:
        listings = env["marketplace.listing"].browse(listing_ids)
        published = listings.filtered(lambda listing: listing.state == "published")
        if len(published) != len(listings):
            failed = (listings - published)[:3]
            raise ScenarioError("%s of %s listings published; e.g. %s" % (
                len(published), len(listings), ["%s %s: %s" % (l.sku, l.state, l.last_error) for l in failed]))
        result.units = len(published)
        result.extra = {"jobs": env["marketplace.job"].browse(job_ids).mapped("name")}
    return result


def publish_naive(bench, label, listing_ids):
    """One call per item, offer, publish and photo; one write per listing."""
    result = Result(label, "naive: 3 calls a listing + 1 upload per photo")
    with Measure(bench, result):
        with bench.env() as env:
            from odoo.addons.ebay_connector.ebay_api.inventory import InventoryAdapter
            from odoo.addons.ebay_connector.ebay_api.media import MediaAdapter
            client = env["marketplace.account"].browse(bench.account_id)._ebay_client()
            inventory, media = InventoryAdapter(client), MediaAdapter(client)
            listings = env["marketplace.listing"].browse(listing_ids)
            listings[:1].shop_id.ebay_location_ready = True    # the connector made the same location already
            listings._ebay_ensure_bindings()
            for count, listing in enumerate(listings, 1):
                _naive_publish(listing, inventory, media)
                if count % 25 == 0:
                    env.cr.commit()
            result.units = len(listings.filtered(lambda listing: listing.state == "published"))
    return result


def _naive_publish(listing, inventory, media):
    urls = {}
    draft = listing._ebay_draft({image.id: "https://pending" for image in listing.image_ids})
    items, offers, group = listing._ebay_bodies(draft)
    for item, offer in zip(items, offers):
        own = listing.image_ids.filtered(lambda image, sku=item["sku"]: not image.product_id or
                                         listing._ebay_variant_sku(image.product_id) == sku)
        for image in own:   # naive: every item uploads its photos again
            urls[image.id] = media.create_image_from_file(image.name, base64.b64decode(image.image),
                                                          "image/png")["imageUrl"]
        item["product"]["imageUrls"] = [urls[image.id] for image in own]
        inventory.create_or_replace_inventory_item(item["sku"], item)
        offer_id = inventory.create_offer(offer)
        if group is None:
            listing_id = inventory.publish_offer(offer_id)
    if group is not None:
        group["imageUrls"] = [urls[image.id] for image in listing.image_ids if not image.product_id]
        inventory.create_or_replace_inventory_item_group(group["inventoryItemGroupKey"], group)
        listing_id = inventory.publish_offer_by_inventory_item_group(group["inventoryItemGroupKey"], "EBAY_US")
    listing.write({"state": "published", "external_listing_id": listing_id})
