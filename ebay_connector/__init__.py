from . import models
from . import controllers
