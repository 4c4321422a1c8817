from .base import EbayJobService


class FulfillmentExporter(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
