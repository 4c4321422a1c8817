from . import oauth_callback
