import base64
from datetime import timedelta

from odoo import _, fields
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.marketplace_base.marketplace_core.batching import chunked
from odoo.addons.marketplace_base.marketplace_core.errors import (
    BudgetExhausted,
    JobPayloadError,
    RetryableJobError,
    is_retryable,
)

from ..ebay_api import EbayError, EbayRequestError
from ..ebay_api.inventory import InventoryAdapter
from ..ebay_api.mappers import map_image
from ..ebay_api.media import MediaAdapter
from ..ebay_api.publishing import OFFERS, PUBLISH, GroupUnit, Outcome, Publisher, PublishUnit
from ..sync_core.publish import PublishedState, plan_revisions
from ..sync_core.times import to_naive_utc
from .base import EbayJobService

# listings handled per unit of work: a multiple of eBay's 25, committed together, then Stop and the
# slice's time are checked
LISTINGS_PER_UNIT = 100
IMAGE_MARGIN = timedelta(days=1)   # an eBay copy expiring sooner is uploaded again


class ListingJobService(EbayJobService):
    """What publish, revise and end share: the payload's listings, eBay's adapters and the outcome per listing."""

    def __init__(self, job, run):
        super().__init__(job, run)
        self.sent = {}  # listing id -> (item fingerprint, offer fingerprint) of what is being sent
        self.inventory = InventoryAdapter(self.client)
        self.publisher = Publisher(self.inventory, self.client.config.marketplace_id)

    def _listings(self, states):
        ids = self.run.payload.get("listing_ids")
        if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
            raise JobPayloadError(_('The payload must name the listings: {"listing_ids": [1, 2, 3]}.'))
        listings = self.env["marketplace.listing"].browse(ids).exists().filtered(
            lambda listing: listing.shop_id == self.shop)
        return listings.filtered(lambda listing: listing.state in states)

    def _units(self, listings, image_urls=None):
        """(single PublishUnits, GroupUnits) of the listings, with what each listing will send."""
        singles, groups = [], []
        for listing in listings:
            items, offers, group = listing._ebay_bodies(listing._ebay_draft(image_urls))
            self.sent[listing.id] = (listing._ebay_fingerprint(items + [group]), listing._ebay_fingerprint(offers))
            offer_ids = {binding.external_sku: binding.external_offer_id or None for binding in listing.binding_ids}
            units = tuple(PublishUnit(item["sku"], item, offer, offer_id=offer_ids.get(item["sku"]),
                                      look_up=listing.ebay_look_up)
                          for item, offer in zip(items, offers, strict=True))
            if group is None:
                singles.append((listing, units[0]))
            else:
                groups.append((listing, GroupUnit(listing.sku, group, units)))
        return singles, groups

    def _store_bindings(self, listing, outcome, quantities=None, prices=None):
        """The shared bindings learn the offers and the listing (what backfill and stock push read)."""
        offer_ids = outcome.offer_ids or {listing.sku: outcome.offer_id}
        now = fields.Datetime.now()
        for binding in listing.binding_ids:
            values = {"external_offer_id": offer_ids.get(binding.external_sku) or binding.external_offer_id}
            if outcome.ok and outcome.listing_id:
                values.update(external_listing_id=outcome.listing_id, status="active", title=listing.title,
                              condition=listing.ebay_condition_code, photo_count=listing.photo_count,
                              ebay_listing_source="inventory_api", last_sync_at=now, status_message=False)
                if quantities is not None:
                    values["last_pushed_qty"] = quantities.get(binding.product_id.id, 0)
                if prices is not None and prices.get(binding.product_id.id) is not None:
                    values["last_pushed_price"] = float(prices[binding.product_id.id])
            binding.sudo().write(values)  # online values: the engine's to write (the breaker's inputs)

    def _upload_photos(self, listings):
        """Photo id -> eBay URL: uploaded through the Media API (Odoo sends the file: no public URL needed),
        reused while eBay's copy has not expired."""
        media = MediaAdapter(self.client)
        valid_at = fields.Datetime.now() + IMAGE_MARGIN
        urls = {}
        for image in listings.image_ids:
            if not image._ebay_url_valid(valid_at):
                content = base64.b64decode(image.image)
                uploaded = map_image(media.create_image_from_file(image.name or "photo.jpg", content,
                                                                  guess_mimetype(content)))
                image.write({"ebay_image_url": uploaded.url,
                             "ebay_image_expires_at": to_naive_utc(uploaded.expires_at)})
            urls[image.id] = image.ebay_image_url
        return urls

    def _fail_listing(self, listing, outcome):
        listing.write({"state": "error", "last_error": outcome.error,
                       "ebay_look_up": outcome.stage in (OFFERS, PUBLISH) or listing.ebay_look_up})
        self.run.log(_("%(sku)s: eBay refused it: %(error)s", sku=listing.sku, error=outcome.error), "warning")


class ListingPublisher(ListingJobService):
    """Publish listings: photos to the Media API, the warehouse as an inventory location, then the bulk calls
    (``ebay_api.publishing.Publisher``) 25 listings a call, each listing's outcome written back.

    Never lost: a listing is *publishing* only while its unit of work runs (committed first); a transient
    failure puts it back to *queued* and the job retries with the queue's backoff (5, 10, 30, 60, 120 min,
    10 attempts), then the listing is in *error* with eBay's last words, and Publish retries it. Never twice:
    a listing that may have reached eBay is looked up before any offer is created (``ebay_look_up``)."""

    def execute(self):
        queued = self._listings(("queued", "publishing"))
        self.run.progress(total=len(queued))
        # a listing still "publishing" was interrupted (a killed worker): eBay may have its offer
        queued.filtered(lambda listing: listing.state == "publishing").write({"ebay_look_up": True})
        retry = self.env["marketplace.listing"]
        units = list(chunked(queued.ids, LISTINGS_PER_UNIT))
        for number, ids in enumerate(units, 1):
            retry |= self._publish_unit(queued.browse(ids))
            self.run.checkpoint()
            if number < len(units) and self.run.time_is_up():
                self.run.pause()  # the listings still queued are the next slice's
        self._finish(retry)

    def _publish_unit(self, listings):
        """Publish one unit of listings; returns those to try again later. A failure of the whole unit (eBay
        unreachable, a refused location, the API budget spent) puts its listings back in the queue, or in
        error, never left *publishing*; they may have reached eBay, so their offers are looked up next time."""
        listings.write({"state": "publishing"})
        self.run.checkpoint()
        try:
            return self._publish_ready(listings)
        except Exception as exc:
            self.env.cr.rollback()
            self.env.invalidate_all()
            listings.write({"ebay_look_up": True})
            if isinstance(exc, BudgetExhausted):
                self._wait_for_budget(listings, exc)
            else:
                self._give_back(listings, str(exc), is_retryable(exc))
            self.run.checkpoint()
            raise

    def _wait_for_budget(self, listings, exc):
        """eBay's push budget ran out in the middle of the unit: the job waits for the window to reopen (not a
        failed attempt), so its listings stay queued for that slice, whatever attempts the job has made."""
        listings.write({"state": "queued", "last_error": _("Waiting for eBay's API budget: %s", exc)})

    def _give_back(self, listings, error, retryable):
        """Listings eBay did not take now: back in the queue for the job's next attempt, or in error once the
        attempts are spent (or the error will not go away by itself)."""
        if retryable and self.job.attempts < self.job.max_attempts:
            listings.write({"state": "queued", "last_error": error})
            return
        if retryable:
            error = _("Not published after %(n)s attempts: %(error)s", n=self.job.attempts, error=error)
        listings.write({"state": "error", "last_error": error})

    def _publish_ready(self, listings):
        ready = listings._run_check()
        for listing in listings - ready:
            listing.write({"state": "error", "last_error": _("Fix the problems listed on the listing, then Publish.")})
        if not ready:
            return ready
        self._ensure_location()
        image_urls = self._upload_photos(ready)
        ready._ebay_ensure_bindings()
        singles, groups = self._units(ready, image_urls)
        outcomes = self.publisher.publish([unit for _listing, unit in singles])
        group_outcomes = self.publisher.publish_groups([unit for _listing, unit in groups])
        retry = self.env["marketplace.listing"]
        for listing, outcome in ([(listing, outcomes[unit.sku]) for listing, unit in singles]
                                 + [(listing, group_outcomes[unit.key]) for listing, unit in groups]):
            retry |= self._store(listing, outcome)
        return retry

    def _store(self, listing, outcome):
        """Write one listing's outcome; returns it when it must be tried again."""
        products = listing._ebay_products()
        self._store_bindings(listing, outcome, listing._ebay_quantities(), listing._ebay_prices(products))
        if outcome.ok:
            item_hash, offer_hash = self.sent[listing.id]
            listing.write({"state": "published", "external_listing_id": outcome.listing_id,
                           "published_at": fields.Datetime.now(), "last_error": False, "ebay_look_up": False,
                           "ebay_sent_item_hash": item_hash, "ebay_sent_offer_hash": offer_hash})
            self.run.progress(fetched=1, stored=1)
            return listing.browse()
        if outcome.retryable:
            listing.write({"state": "queued", "last_error": outcome.error,
                           "ebay_look_up": listing.ebay_look_up or outcome.stage in (OFFERS, PUBLISH)})
            return listing  # _finish decides: the job's next attempt, or error when they are spent
        self._fail_listing(listing, outcome)
        self.run.progress(fetched=1, failed=1)
        return listing.browse()

    def _finish(self, retry):
        """Listings eBay could not take now: the job is retried with backoff, or gives up after its attempts."""
        if not retry:
            return
        reasons = "; ".join("%s: %s" % (listing.sku, listing.last_error) for listing in retry[:5])
        if self.job.attempts < self.job.max_attempts:
            self.run.checkpoint()
            raise RetryableJobError(_("%(count)s listing(s) not published yet, retried later: %(reasons)s",
                                      count=len(retry), reasons=reasons))
        for listing in retry:
            self._give_back(listing, listing.last_error, True)
        self.run.progress(failed=len(retry))
        self.run.checkpoint()
        raise UserError(_("%(count)s listing(s) could not be published after %(n)s attempts (Publish on each "
                          "listing tries again): %(reasons)s", count=len(retry), n=self.job.attempts, reasons=reasons))

    # -- before the listings ---------------------------------------------------------
    def _ensure_location(self):
        """The shop's warehouse as an eBay inventory location, made once (an existing one is fine)."""
        shop = self.shop
        if shop.ebay_location_ready or not shop.ebay_location_key:
            return
        try:
            created = self.inventory.create_inventory_location(shop.ebay_location_key, shop._ebay_location_payload())
        except EbayRequestError as exc:  # a transient failure goes up as it is: the job retries
            raise UserError(_("eBay refused the inventory location %(key)s of warehouse %(warehouse)s: %(error)s. "
                              "Complete the warehouse address (country and postal code, or city and state).",
                              key=shop.ebay_location_key, warehouse=shop.warehouse_id.name, error=exc)) from exc
        shop.ebay_location_ready = True
        self.run.log(_("Inventory location %(key)s %(what)s on eBay.", key=shop.ebay_location_key,
                       what=_("created") if created else _("already there")))

class ListingReviser(ListingJobService):
    """Revise published listings: only what changed since last sent (inventory item and/or offer), never past
    eBay's 250 revisions a listing a day."""

    def execute(self):
        listings = self._listings(("published",))
        today = fields.Date.context_today(listings)
        singles, groups = self._units(listings, self._upload_photos(listings))
        states = [PublishedState(listing.id, listing.ebay_sent_item_hash, listing.ebay_sent_offer_hash,
                                 *self.sent[listing.id],
                                 revisions_today=listing.ebay_revisions_today if listing.ebay_revision_day == today
                                 else 0) for listing in listings]
        plan = plan_revisions(states)
        self.run.log(_("Revise: %(items)s inventory item(s) and %(offers)s offer(s) to send, %(same)s unchanged, "
                       "%(limit)s over eBay's daily revision limit.", items=len(plan.items), offers=len(plan.offers),
                       same=len(plan.unchanged), limit=len(plan.over_limit)))
        changed = set(plan.items) | set(plan.offers)
        for listing in listings.browse(list(plan.over_limit)):
            listing.last_error = _("eBay's 250 revisions of the day are spent: revise again tomorrow.")
        results = []
        for items, offers in ((True, True), (True, False), (False, True)):
            batch = [(listing, unit) for listing, unit in singles if listing.id in changed
                     and (listing.id in plan.items) == items and (listing.id in plan.offers) == offers]
            if batch:
                outcomes = self.publisher.revise([unit for _listing, unit in batch], items=items, offers=offers)
                results += [(listing, outcomes[unit.sku]) for listing, unit in batch]
        batch = [(listing, unit) for listing, unit in groups if listing.id in changed]
        outcomes = self.publisher.publish_groups([unit for _listing, unit in batch]) if batch else {}
        results += [(listing, outcomes[unit.key]) for listing, unit in batch]
        for listing, outcome in results:
            self._store_revision(listing, outcome, today)

    def _store_revision(self, listing, outcome, today):
        self._store_bindings(listing, outcome)
        if not outcome.ok:
            listing.last_error = outcome.error
            self.run.log(_("%(sku)s: eBay refused the revision: %(error)s", sku=listing.sku, error=outcome.error),
                         "warning")
            return
        item_hash, offer_hash = self.sent[listing.id]
        count = listing.ebay_revisions_today if listing.ebay_revision_day == today else 0
        listing.write({"ebay_sent_item_hash": item_hash, "ebay_sent_offer_hash": offer_hash, "last_error": False,
                       "ebay_revision_day": today, "ebay_revisions_today": count + 1})


class ListingEnder(ListingJobService):
    """End listings (withdrawOffer, or withdrawOfferByInventoryItemGroup): the offers stay for a relist."""

    def execute(self):
        for listing in self._listings(("published",)):
            outcome = Outcome(listing.sku)
            try:
                if listing.is_group:
                    self.inventory.withdraw_offer_by_inventory_item_group(listing.sku, self.publisher.marketplace_id)
                else:
                    offer_id = listing.binding_ids[:1].external_offer_id
                    units = [PublishUnit(listing.sku, {}, {}, offer_id=offer_id)]
                    outcome = self.publisher.withdraw(units)[listing.sku]
            except EbayError as exc:
                outcome.fail("withdraw", str(exc), exc.error_ids, exc.retryable)
            if outcome.ok:
                listing.write({"state": "ended", "ended_at": fields.Datetime.now(), "last_error": False})
                listing.binding_ids.write({"status": "ended"})
            else:
                listing.last_error = outcome.error
                self.run.log(_("%(sku)s: not ended: %(error)s", sku=listing.sku, error=outcome.error), "warning")
