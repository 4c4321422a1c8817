from .base import EbayJobService


class NotificationProcessor(EbayJobService):
    """Placeholder until its flow lands."""

    def run(self):
        raise NotImplementedError
