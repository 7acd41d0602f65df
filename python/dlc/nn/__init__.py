"""`dlc.nn`: neural-network functions and modules."""

from . import functional
from .functional import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
