from . import controllers
from . import models
from . import wizards
from .marketplace_core.redaction import install_log_filter

# Libraries that write URLs into the server log: urllib3 (every request line at DEBUG, retries at WARNING:
# Shopee's query strings carry the shop's token and the signature) and werkzeug (the OAuth callbacks' code).
install_log_filter(("urllib3.connectionpool", "urllib3.util.retry", "werkzeug"))
