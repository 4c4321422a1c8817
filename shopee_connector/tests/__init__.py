from . import test_shopee_flow
from . import test_webhook
from . import test_demo_flow
from . import test_dashboard
from . import test_shopee_contracts
from . import test_token_refresh
