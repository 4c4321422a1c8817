from .base import EbayJobService


class CategoryImporter(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
