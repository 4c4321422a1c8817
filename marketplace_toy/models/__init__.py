from . import marketplace_account
from . import marketplace_platform_toy
