from . import models
from . import wizards
from . import controllers


def post_init_hook(env):
    """Installed again after an uninstall: the accounts the uninstall kept get their platform back."""
    env["marketplace.account"]._restore_after_reinstall("ebay")
