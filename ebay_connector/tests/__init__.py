from . import test_account_oauth
from . import test_push_stock
from . import test_fulfillment
from . import test_categories
from . import test_listings
from . import test_orders
from . import test_webhook
from . import test_reliability
