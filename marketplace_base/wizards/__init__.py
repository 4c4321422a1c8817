from . import marketplace_bulk_binding
from . import marketplace_takeover_wizard
from . import marketplace_refund_wizard
from . import marketplace_order_import
