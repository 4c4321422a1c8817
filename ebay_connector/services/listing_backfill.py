from .base import EbayJobService


class ListingBackfill(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError


class ListingMigrator(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
