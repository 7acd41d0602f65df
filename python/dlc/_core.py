"""Tracing: Python functions become dlc-dialect functions, op by op.

While a function is traced, its array arguments are `Tracer`s: each operation
on them creates one dlc op through the extension's builder, at the Python
source line that called it (its MLIR location), and the op's verifier checks
it at once, so a shape or dtype error is a `ValueError` naming that line.
Outside a trace, the same operations run eagerly on NumPy arrays (each op
compiled once per signature and cached).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading

import ml_dtypes
import numpy as np

from . import _dlc

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

# NumPy dtypes and the dlc element types that carry them.
_ELEMENT = {
    np.dtype(np.float16): "f16",
    np.dtype(ml_dtypes.bfloat16): "bf16",
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.bool_): "i1",
}
_NUMPY = {v: k for k, v in _ELEMENT.items()}


def element_type(dtype) -> str:
    """The dlc element type of a NumPy dtype (TypeError if dlc has none)."""
    try:
        return _ELEMENT[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"unsupported dtype {dtype}: dlc computes in float16, bfloat16, "
            f"float32, float64, int32, int64 and bool") from None


def is_float(dtype) -> bool:
    """Whether dlc computes `dtype` as floating point (NumPy's kind "f", and
    bfloat16, whose kind is "V": ml_dtypes' NumPy type)."""
    dtype = np.dtype(dtype)
    return dtype.kind == "f" or dtype == ml_dtypes.bfloat16


def tensor_type(shape, element: str) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


# ---------------------------------------------------------------------------
# Source locations
# ---------------------------------------------------------------------------

_POSITIONS: dict = {}


def user_frame():
    """The innermost frame outside the dlc package (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return frame


def user_location() -> tuple:
    """(file, line, column) of the user's code that is running now."""
    frame = user_frame()
    if frame is None:
        return ("<unknown>", 0, 0)
    code = frame.f_code
    positions = _POSITIONS.get(code)
    if positions is None:
        positions = _POSITIONS[code] = list(code.co_positions())
    index = frame.f_lasti // 2
    line, col = frame.f_lineno, 0
    if 0 <= index < len(positions):
        line = positions[index][0] or line
        col = positions[index][2] or 0
    return (code.co_filename, line, col + 1)


def source_line() -> str:
    file, line, col = user_location()
    return f"{file}:{line}:{col}"


# ---------------------------------------------------------------------------
# Pytrees: lists, tuples, dicts and None around array leaves
# ---------------------------------------------------------------------------

def tree_flatten(tree):
    """(leaves, treedef); treedef is hashable and rebuilds the structure."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(node, leaves):
    if isinstance(node, (list, tuple)):
        return (type(node), tuple(_flatten(child, leaves) for child in node))
    if isinstance(node, dict):
        keys = tuple(sorted(node))
        return (dict, keys, tuple(_flatten(node[k], leaves) for k in keys))
    if node is None:
        return None
    leaves.append(node)
    return 0


def tree_unflatten(treedef, leaves):
    iterator = iter(leaves)
    return _unflatten(treedef, iterator)


def _unflatten(treedef, leaves):
    if treedef == 0:
        return next(leaves)
    if treedef is None:
        return None
    if treedef[0] is dict:
        return {k: _unflatten(child, leaves) for k, child in zip(treedef[1], treedef[2])}
    kind, children = treedef
    items = [_unflatten(child, leaves) for child in children]
    if kind is list:
        return items
    if kind is tuple:
        return tuple(items)
    return kind(*items)  # a namedtuple


# ---------------------------------------------------------------------------
# Traces
# ---------------------------------------------------------------------------

class _State(threading.local):
    trace = None  # the Trace being built, or None (eager)


STATE = _State()


class Function:
    """One function under construction."""

    def __init__(self, trace, name, parent):
        self.trace, self.name, self.parent = trace, name, parent
        self.captures: dict = {}       # outer Tracer -> this function's argument
        self.captured: list = []       # outer Tracers, in argument order


class Trace:
    """One module under construction: a public function and those it calls."""

    def __init__(self):
        self.builder = _dlc.ModuleBuilder()
        self.stack: list = []
        self._counter = itertools.count()

    def unique(self, stem: str) -> str:
        stem = "".join(c if c.isalnum() or c == "_" else "_" for c in stem) or "fn"
        return f"{stem}_{next(self._counter)}"

    def begin(self, name, types, public):
        ids = self.builder.begin_function(name, types, public, user_location())
        func = Function(self, name, self.stack[-1] if self.stack else None)
        self.stack.append(func)
        return func, [Tracer(func, i) for i in ids]

    def end(self, results):
        func = self.stack[-1]
        ids = [value_of(func, r) for r in results]
        self.builder.end_function(ids, user_location())
        self.stack.pop()
        return func

    @property
    def current(self) -> Function:
        return self.stack[-1]


class tracing:
    """Context: build into `trace` (None: eager)."""

    def __init__(self, trace):
        self.trace = trace

    def __enter__(self):
        self.saved, STATE.trace = STATE.trace, self.trace
        return self.trace

    def __exit__(self, *exc):
        STATE.trace = self.saved


def value_of(func: Function, value) -> int:
    """The id of `value` in `func`: a Tracer of it, a Tracer of an enclosing
    function (captured as a new argument), or a concrete array (a constant)."""
    if isinstance(value, Tracer):
        if value.func is func:
            return value.id
        captured = func.captures.get(value)
        if captured is not None:
            return captured
        if func.parent is None or value.func.trace is not func.trace:
            raise ValueError(
                f"{source_line()}: a traced value is used outside the function that "
                f"traced it (it escaped its jit or grad, e.g. through a global "
                f"or a closure kept after the call)")
        value_of(func.parent, value)  # make it reachable from the parent
        arg = func.trace.builder.add_argument(
            tensor_type(value.shape, element_type(value.dtype)), user_location())
        func.captures[value] = arg
        func.captured.append(value)
        return arg
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, np.ndarray):
        array = array.astype(np.float32)  # Python floats are f32, as in JAX
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    return func.trace.builder.constant(array,
                                       element_type(array.dtype), user_location())


def emit(name, operands, attrs=None, result_types=None, num_results=1):
    """Creates op `name` in the current function; returns its Tracers."""
    func = STATE.trace.current
    ids = [value_of(func, o) for o in operands]
    results = func.trace.builder.op(name, ids, attrs or {}, result_types,
                                    num_results, user_location())
    return [Tracer(func, r) for r in results]


def emit1(name, operands, attrs=None, result_type=None):
    return emit(name, operands, attrs, None if result_type is None else [result_type])[0]


# ---------------------------------------------------------------------------
# Tracer
# ---------------------------------------------------------------------------

class Tracer:
    """An array inside a function being traced: its shape and dtype are known,
    its values are not (use `dlc.disable_jit()` to run with values)."""

    __slots__ = ("func", "id", "shape", "dtype", "__weakref__")
    __array_priority__ = 1000  # NumPy defers its operators to ours

    def __init__(self, func, id):
        self.func, self.id = func, id
        shape, element = func.trace.builder.type(id)
        self.shape = tuple(shape)
        self.dtype = _NUMPY.get(element, element)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __repr__(self):
        return f"Tracer(shape={self.shape}, dtype={self.dtype})"

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __bool__(self):
        raise TypeError(
            f"{source_line()}: the truth value of a traced array is not known while "
            f"tracing; use dlc.where for data-dependent choices, or run under "
            f"dlc.disable_jit() to see values")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"{source_line()}: a traced array has no values to convert to NumPy; "
            f"return it from the jitted function instead, or run under "
            f"dlc.disable_jit()")

    def __index__(self):
        raise TypeError(f"{source_line()}: a traced array cannot be used as an index")

    def __float__(self):
        self.__array__()

    __int__ = __float__

    # Operators and methods are attached by dlc._ops (they are the public ops).
