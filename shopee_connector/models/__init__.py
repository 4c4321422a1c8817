from . import marketplace_account
from . import marketplace_shop
from . import marketplace_job
from . import marketplace_platform_shopee
from . import shopee_push
from . import stock_picking
