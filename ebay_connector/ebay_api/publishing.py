"""Publishing many listings with eBay's bulk calls, never making a second offer or listing.

createOrReplaceInventoryItem + createOffer + publishOffer for N listings cost 3 x N calls one by one; with
bulkCreateOrReplaceInventoryItem, bulkCreateOffer and bulkPublishOffer (25 each) they cost 3 x N / 25. A
multi-variation listing adds its inventory item group and publishOfferByInventoryItemGroup (no bulk form).

Never twice: an inventory item and a group are full replaces (sending them again is harmless); an offer is
created only for a SKU with no known offer, and a SKU an earlier attempt may have reached (``look_up``) is
looked up on eBay first (getOffers). A bulk create or publish that got no final answer
(EbayUncertainError) is settled the same way: the SKUs' offers are read back, and only what eBay surely does
not have is sent again, once. eBay itself refuses a second offer of a SKU on a site ("Offer entity already
exists", with its ``offerId``), which is taken as the answer. An offer has at most one listing, so
publishing it again never makes a second listing.
"""
from dataclasses import dataclass, field

from .batching import chunked
from .errors import EbayRequestError, EbayRetryableError, EbayUncertainError
from .inventory import MAX_BULK_ITEMS
from .mappers import error_text, map_bulk_results

PUBLISHED = "PUBLISHED"
ITEMS, GROUP, OFFERS, PUBLISH, WITHDRAW = "items", "group", "offers", "publish", "withdraw"


@dataclass(frozen=True)
class PublishUnit:
    """One SKU to put on eBay: its inventory item and offer bodies, the offer id when known, and whether an
    earlier attempt may have created its offer without us learning the id (then eBay is asked first)."""

    sku: str
    item: dict
    offer: dict
    offer_id: str | None = None
    look_up: bool = False


@dataclass(frozen=True)
class GroupUnit:
    """A multi-variation listing: the inventory item group body and one PublishUnit per variant."""

    key: str
    group: dict
    variants: tuple


@dataclass
class Outcome:
    """What happened to one listing (a SKU, or a group key): live with its listing id, or an error in
    eBay's words, ``retryable`` when trying again later may work, at the ``stage`` it stopped."""

    key: str
    offer_id: str | None = None
    listing_id: str | None = None
    offer_ids: dict = field(default_factory=dict)   # variant SKU -> offer id (groups)
    error: str | None = None
    error_ids: tuple = ()
    retryable: bool = False
    stage: str | None = None

    @property
    def ok(self):
        return self.error is None

    def fail(self, stage, message, error_ids=(), retryable=False):
        if self.error is None:
            self.error, self.error_ids, self.retryable, self.stage = message, tuple(error_ids), retryable, stage


def _error_of(exc):
    """(message, error ids, retryable) of a failed call."""
    message = "; ".join(error_text(error) for error in exc.errors) or exc.message
    return message, tuple(exc.error_ids), bool(getattr(exc, "retryable", False))


class Publisher:
    """Runs the publish calls of a set of listings in batches of 25 and says per listing how it went.

    ``between_batches()`` is called after every call (the job checks Stop and commits there)."""

    def __init__(self, inventory, marketplace_id, between_batches=None):
        self.inventory = inventory
        self.marketplace_id = marketplace_id
        self.between_batches = between_batches or (lambda: None)

    # -- single listings -------------------------------------------------------
    def publish(self, units):
        """Put, offer and publish single listings; ``{sku: Outcome}``."""
        units = list(units)
        outcomes = {unit.sku: Outcome(unit.sku, offer_id=unit.offer_id) for unit in units}
        self._put_items(units, outcomes)
        self._offer(self._alive(units, outcomes), outcomes)
        ready = [unit for unit in self._alive(units, outcomes) if not outcomes[unit.sku].listing_id]
        self._publish_offers(ready, outcomes)
        return outcomes

    def revise(self, units, items=True, offers=True):
        """Send again what changed of published listings (inventory items in bulk, offers one by one: eBay
        has no bulk update of offers); live listings follow. ``{sku: Outcome}``."""
        units = list(units)
        outcomes = {unit.sku: Outcome(unit.sku, offer_id=unit.offer_id) for unit in units}
        if items:
            self._put_items(units, outcomes)
        if offers:
            for unit in self._alive(units, outcomes):
                self._update_offer(unit, outcomes[unit.sku])
        return outcomes

    def withdraw(self, units):
        """End the listings of published offers (the offers stay, for a relist); ``{sku: Outcome}``."""
        outcomes = {}
        for unit in units:
            outcome = outcomes[unit.sku] = Outcome(unit.sku, offer_id=unit.offer_id)
            try:
                self.inventory.withdraw_offer(unit.offer_id)
            except EbayUncertainError as exc:
                if self._published_offer(unit.sku, default=True) is not None:
                    outcome.fail(WITHDRAW, *_error_of(exc))
            except (EbayRequestError, EbayRetryableError) as exc:
                outcome.fail(WITHDRAW, *_error_of(exc))
            self.between_batches()
        return outcomes

    # -- multi-variation listings --------------------------------------------
    def publish_groups(self, groups):
        """Put every variant, the groups, the variants' offers, then publish each group; ``{key: Outcome}``."""
        groups = list(groups)
        outcomes = {group.key: Outcome(group.key) for group in groups}
        variant_outcomes = {unit.sku: Outcome(unit.sku, offer_id=unit.offer_id)
                            for group in groups for unit in group.variants}
        all_variants = [unit for group in groups for unit in group.variants]
        self._put_items(all_variants, variant_outcomes)
        for group in groups:
            self._spread(group, variant_outcomes, outcomes[group.key])
            if outcomes[group.key].ok:
                self._put_group(group, outcomes[group.key])
        alive = [unit for group in groups if outcomes[group.key].ok for unit in group.variants]
        self._offer(alive, variant_outcomes)
        for group in groups:
            outcome = outcomes[group.key]
            self._spread(group, variant_outcomes, outcome)
            outcome.offer_ids = {unit.sku: variant_outcomes[unit.sku].offer_id for unit in group.variants}
            if outcome.ok:
                self._publish_group(group, outcome)
        return outcomes

    def _spread(self, group, variant_outcomes, outcome):
        """A group fails with its first failed variant."""
        for unit in group.variants:
            failed = variant_outcomes[unit.sku]
            if not failed.ok:
                outcome.fail(failed.stage, f"{unit.sku}: {failed.error}", failed.error_ids, failed.retryable)
                return

    def _put_group(self, group, outcome):
        try:
            self.inventory.create_or_replace_inventory_item_group(group.key, group.group)
        except (EbayRequestError, EbayRetryableError) as exc:
            outcome.fail(GROUP, *_error_of(exc))
        self.between_batches()

    def _publish_group(self, group, outcome):
        try:
            outcome.listing_id = self.inventory.publish_offer_by_inventory_item_group(group.key, self.marketplace_id)
        except EbayUncertainError as exc:
            self._settle_uncertain_publish(group.variants[0].sku, outcome, exc)
        except (EbayRequestError, EbayRetryableError) as exc:
            outcome.fail(PUBLISH, *_error_of(exc))
        self.between_batches()

    # -- steps -----------------------------------------------------------------
    @staticmethod
    def _alive(units, outcomes):
        return [unit for unit in units if outcomes[unit.sku].ok]

    def _put_items(self, units, outcomes):
        """bulkCreateOrReplaceInventoryItem, 25 a call (a full replace: retried by the transport)."""
        for batch in chunked(units, MAX_BULK_ITEMS):
            try:
                results = map_bulk_results(self.inventory.bulk_create_or_replace_inventory_items(
                    [unit.item for unit in batch]))
            except (EbayRequestError, EbayRetryableError) as exc:
                for unit in batch:
                    outcomes[unit.sku].fail(ITEMS, *_error_of(exc))
            else:
                for unit in batch:
                    self._take(results.get(unit.sku), outcomes[unit.sku], ITEMS)
            self.between_batches()

    def _offer(self, units, outcomes):
        """Give every unit an offer id: known, found on eBay (``look_up``), or created in bulk."""
        to_create = []
        for unit in units:
            outcome = outcomes[unit.sku]
            if not outcome.offer_id and unit.look_up:
                self._find_offer(unit, outcome)
            if outcome.offer_id:
                self._update_offer(unit, outcome)
            elif outcome.ok:
                to_create.append(unit)
        for batch in chunked(to_create, MAX_BULK_ITEMS):
            self._create_offers(batch, outcomes, second_try=False)

    def _create_offers(self, batch, outcomes, second_try):
        try:
            results = map_bulk_results(self.inventory.bulk_create_offers([unit.offer for unit in batch]))
        except EbayUncertainError as exc:
            self.between_batches()
            self._settle_uncertain_create(batch, outcomes, exc, second_try)
            return
        except (EbayRequestError, EbayRetryableError) as exc:
            for unit in batch:
                outcomes[unit.sku].fail(OFFERS, *_error_of(exc))
        else:
            for unit in batch:
                result = results.get(unit.sku)
                existing = result.parameter("offerId") if result is not None and not result.ok else None
                if existing:  # "Offer entity already exists": eBay names the SKU's offer
                    outcomes[unit.sku].offer_id = existing
                    self._update_offer(unit, outcomes[unit.sku])
                elif self._take(result, outcomes[unit.sku], OFFERS):
                    outcomes[unit.sku].offer_id = result.offer_id
        self.between_batches()

    def _settle_uncertain_create(self, batch, outcomes, exc, second_try):
        """The bulk create may or may not have happened: take the offers eBay has, create the rest once more."""
        missing = []
        for unit in batch:
            self._find_offer(unit, outcomes[unit.sku])
            if not outcomes[unit.sku].offer_id and outcomes[unit.sku].ok:
                missing.append(unit)
        if not missing:
            return
        if second_try:
            for unit in missing:
                outcomes[unit.sku].fail(OFFERS, *_error_of(exc))
            return
        self._create_offers(missing, outcomes, second_try=True)

    def _publish_offers(self, units, outcomes):
        """bulkPublishOffer, 25 a call; an unanswered call is settled by reading the offers back."""
        for batch in chunked(units, MAX_BULK_ITEMS):
            by_offer = {outcomes[unit.sku].offer_id: unit for unit in batch}
            try:
                results = map_bulk_results(self.inventory.bulk_publish_offers(list(by_offer)), key="offerId")
            except EbayUncertainError as exc:
                for unit in batch:
                    self._settle_uncertain_publish(unit.sku, outcomes[unit.sku], exc)
            except (EbayRequestError, EbayRetryableError) as exc:
                for unit in batch:
                    outcomes[unit.sku].fail(PUBLISH, *_error_of(exc))
            else:
                for offer_id, unit in by_offer.items():
                    result = results.get(offer_id)
                    if self._take(result, outcomes[unit.sku], PUBLISH):
                        outcomes[unit.sku].listing_id = result.listing_id
            self.between_batches()

    def _update_offer(self, unit, outcome):
        """updateOffer (a full replace, so a PUT eBay may receive twice); a live listing is revised."""
        try:
            self.inventory.update_offer(outcome.offer_id, dict(unit.offer))
        except (EbayRequestError, EbayRetryableError) as exc:
            outcome.fail(OFFERS, *_error_of(exc))
        self.between_batches()

    def _find_offer(self, unit, outcome):
        """Take the SKU's offer on this site from eBay (and its listing when published)."""
        try:
            offer = self._site_offer(unit.sku)
        except (EbayRequestError, EbayRetryableError) as exc:
            outcome.fail(OFFERS, *_error_of(exc))
            return
        if offer is not None:
            outcome.offer_id = str(offer["offerId"])
            if offer.get("status") == PUBLISHED:
                outcome.listing_id = (offer.get("listing") or {}).get("listingId")

    def _site_offer(self, sku):
        offers = self.inventory.find_offers(sku, self.marketplace_id)
        self.between_batches()
        return next((offer for offer in offers if offer.get("marketplaceId") in (None, self.marketplace_id)
                     and offer.get("format", "FIXED_PRICE") == "FIXED_PRICE"), None)

    def _settle_uncertain_publish(self, sku, outcome, exc):
        """A publish without a final answer: live when eBay shows the offer published, else retried later."""
        offer = self._published_offer(sku)
        if offer is None:
            outcome.fail(PUBLISH, *_error_of(exc))
        else:
            outcome.listing_id = offer["listing"]["listingId"]

    def _published_offer(self, sku, default=None):
        """The SKU's offer when eBay shows it published (with its listing), else None; ``default`` when
        eBay cannot be asked now."""
        try:
            offer = self._site_offer(sku)
        except (EbayRequestError, EbayRetryableError):
            return default
        if offer is not None and offer.get("status") == PUBLISHED and (offer.get("listing") or {}).get("listingId"):
            return offer
        return None

    @staticmethod
    def _take(result, outcome, stage):
        """Record a bulk entry's failure on the outcome; True when the entry succeeded."""
        if result is None:
            outcome.fail(stage, "eBay's answer has no entry for this listing", retryable=True)
            return False
        if not result.ok:
            outcome.fail(stage, result.message, result.error_ids, result.retryable)
            return False
        return True
