from . import test_account_oauth
