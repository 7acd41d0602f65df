"""dlc: trace, differentiate, compile and run models with the dlc compiler.

    import dlc, numpy as np
    f = dlc.jit(lambda x, w: dlc.nn.relu(x @ w).sum())
    g = dlc.grad(f, argnums=1)
"""

from . import _dlc
from ._core import Tracer, tree_flatten, tree_unflatten
from ._eager import EagerArray
from ._dlc import CompileError, DeviceArray, DlcRuntimeError
from ._jit import (Compiled, Lowered, config, disable_jit, grad, jit,
                   value_and_grad)
from ._ops import *  # noqa: F401,F403  (NumPy-named ops)
from ._ops import __all__ as _ops_all
from . import nn, optim, random, runtime  # noqa: E402
from ._train import compile_train_step, TrainStep  # noqa: E402
from ._export import export  # noqa: E402

__all__ = ["jit", "grad", "value_and_grad", "disable_jit", "config",
           "Lowered", "Compiled", "Tracer", "EagerArray", "CompileError", "DeviceArray",
           "DlcRuntimeError",
           "tree_flatten", "tree_unflatten", "nn", "optim", "random", "runtime",
           "compile_train_step", "TrainStep", "export", *_ops_all]
