"""What a simulated call answers when Shopee would refuse it (its envelope's ``error`` and ``message``)."""


class ApiError(Exception):
    def __init__(self, error, message, status=400):
        super().__init__(message)
        self.error, self.message, self.status = error, message, status
