from . import auth
from . import webhook
