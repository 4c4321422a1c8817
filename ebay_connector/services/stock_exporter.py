from .base import EbayJobService


class StockExporter(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError


class PriceExporter(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
