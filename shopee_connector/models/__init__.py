from . import marketplace_account
from . import marketplace_shop
from . import marketplace_job
from . import marketplace_platform_shopee
from . import marketplace_return
from . import shopee_push
from . import shopee_return_dispute_reason
from . import stock_picking
