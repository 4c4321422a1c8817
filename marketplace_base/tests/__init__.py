from . import common  # first: the tests bring their own secret key (common.bring_a_secret_key)
from . import test_constraints
from . import test_sync_rule
from . import test_job_queue
from . import test_job_concurrency
from . import test_sale_order
from . import test_security
from . import test_bulk_binding
from . import test_tour
from . import test_job_engine
from . import test_dashboard
from . import test_oauth_state
from . import test_companies
from . import test_cancellation
from . import test_return
from . import test_order_import
