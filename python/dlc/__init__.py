"""dlc: trace, differentiate, compile and run models with the dlc compiler.

    import dlc, numpy as np
    f = dlc.jit(lambda x, w: dlc.nn.relu(x @ w).sum())
    g = dlc.grad(f, argnums=1)
"""

from . import _dlc
from ._core import Tracer, tree_flatten, tree_unflatten
from ._dlc import CompileError, DlcRuntimeError
from ._jit import (Compiled, Lowered, config, disable_jit, grad, jit,
                   value_and_grad)
from ._ops import *  # noqa: F401,F403  (NumPy-named ops)
from ._ops import __all__ as _ops_all

__all__ = ["jit", "grad", "value_and_grad", "disable_jit", "config",
           "Lowered", "Compiled", "Tracer", "CompileError", "DlcRuntimeError",
           "tree_flatten", "tree_unflatten", *_ops_all]
