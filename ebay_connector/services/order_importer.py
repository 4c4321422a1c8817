from .base import EbayJobService


class OrderImporter(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
