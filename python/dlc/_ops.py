"""Array operations with NumPy's names and semantics.

Inside a trace each call creates dlc ops (implicit broadcasting becomes
`dlc.broadcast_to`, mixed dtypes a `dlc.cast` to NumPy's promoted type);
outside one it runs eagerly on NumPy arrays (see `eager`).
"""

from __future__ import annotations

import builtins
import functools
import numbers

import numpy as np

from ._core import (STATE, Tracer, element_type, emit, emit1, is_float, tensor_type,
                    tree_flatten, tree_unflatten, source_line)

__all__ = [
    "add", "subtract", "multiply", "divide", "negative", "power", "exp", "log",
    "sqrt", "tanh", "abs", "sin", "cos", "maximum", "minimum", "where",
    "matmul", "transpose", "reshape", "broadcast_to", "concatenate", "sum",
    "mean", "max", "min", "argmax", "zeros_like", "ones_like", "astype",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
]

# ---------------------------------------------------------------------------
# Eager execution: one compiled function per op and signature
# ---------------------------------------------------------------------------

_EAGER: dict = {}


def _dynamic(leaf) -> bool:
    return isinstance(leaf, np.ndarray) or (
        hasattr(leaf, "__dlpack__") and not isinstance(leaf, Tracer))


def _static_key(leaf):
    try:
        hash(leaf)
        return (type(leaf), leaf)
    except TypeError:
        return (type(leaf), repr(leaf))


def eager(fn, args, kwargs):
    """Runs `fn` (a public op) on concrete arrays: its arrays become the
    inputs of a jitted function of the op alone (cached by signature), every
    other argument a constant of it. EagerArray inputs give EagerArray
    outputs (recorded on the active gradient tape)."""
    from ._eager import EagerArray, result
    from ._jit import config, jit, signature

    leaves, treedef = tree_flatten((args, kwargs))
    dynamic, arrays, inputs = [], [], []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, EagerArray):
            dynamic.append(i), arrays.append(leaf.value), inputs.append(leaf)
        elif isinstance(leaf, np.ndarray):
            dynamic.append(i), arrays.append(leaf), inputs.append(None)
        elif hasattr(leaf, "__dlpack__") and not isinstance(leaf, Tracer):
            dynamic.append(i), arrays.append(np.from_dlpack(leaf)), inputs.append(None)
    key = (fn, treedef,
           tuple(_static_key(leaf) if i not in dynamic else None
                 for i, leaf in enumerate(leaves)),
           tuple(signature(a) for a in arrays))
    compiled = _EAGER.get(key)
    if compiled is None:
        def body(*values):
            full = list(leaves)
            for i, value in zip(dynamic, values):
                full[i] = value
            a, k = tree_unflatten(treedef, full)
            return fn(*a, **k)
        body.__name__ = fn.__name__
        compiled = _EAGER[key] = jit(body)
    out = compiled.call_compiled(*arrays)
    if config.debug_nans:
        _check_nan(fn.__name__, arrays, out)
    if any(x is not None for x in inputs):
        return result(key, fn, leaves, treedef, dynamic, arrays, inputs, out)
    return out


def _check_nan(name, inputs, out):
    """FloatingPointError if `out` has a NaN that no input had (the op at
    the user's line produced it)."""
    def has_nan(values):
        return any(np.issubdtype(np.asarray(v).dtype, np.floating) and
                   np.isnan(v).any() for v in tree_flatten(values)[0])
    if has_nan(out) and not has_nan(list(inputs)):
        raise FloatingPointError(f"{source_line()}: {name} produced a NaN")


def public(fn):
    """An op usable in a trace (creates dlc ops) and eagerly (runs them)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if STATE.trace is not None:
            return fn(*args, **kwargs)
        return eager(fn, args, kwargs)
    return wrapper


# ---------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------

def _is_array(x) -> bool:
    return isinstance(x, (Tracer, np.ndarray, np.generic))


def _dtype(x):
    if isinstance(x, (Tracer, np.ndarray, np.generic)):
        return np.dtype(x.dtype)
    if isinstance(x, bool):
        return np.dtype(np.bool_)
    if isinstance(x, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(x, numbers.Real):
        return np.dtype(np.float32)
    raise TypeError(f"{source_line()}: expected an array or a number, got {type(x).__name__}")


def _shape(x):
    return tuple(np.shape(x)) if not isinstance(x, Tracer) else x.shape


def _const(value, dtype, shape=()):
    """A constant of `shape` filled with `value` (a splat: no data stored)."""
    element = element_type(dtype)
    if element == "i1":
        text = "true" if value else "false"
    elif element.startswith("i"):
        text = str(int(value))
    else:
        text = f"{float(value):.17e}"
    return emit1("dlc.constant", [],
                 {"value": f"dense<{text}> : {tensor_type(shape, element)}"},
                 tensor_type(shape, element))


def asarray(x, dtype=None):
    """`x` as a traced value of `dtype` (casting if needed)."""
    if not isinstance(x, Tracer):
        return np.asarray(x, dtype=dtype if dtype is not None else _dtype(x))
    if dtype is not None and np.dtype(dtype) != x.dtype:
        return astype(x, dtype)
    return x


@public
def astype(x, dtype):
    """`x` converted to `dtype` (NumPy's `x.astype(dtype)`)."""
    return _astype(x, np.dtype(dtype))


def _astype(x, dtype):
    element = element_type(dtype)
    if not isinstance(x, Tracer):
        return np.asarray(x).astype(dtype)
    if x.dtype == dtype:
        return x
    return emit1("dlc.cast", [x], result_type=tensor_type(x.shape, element))


def _broadcast(x, shape):
    if _shape(x) == tuple(shape):
        return x
    if not isinstance(x, Tracer):
        return np.broadcast_to(np.asarray(x), shape).copy()
    return emit1("dlc.broadcast_to", [x],
                 result_type=tensor_type(shape, element_type(x.dtype)))


def _operands(*xs):
    """Promotes `xs` to one dtype (Python numbers take the arrays' dtype, as
    NumPy 2 does) and broadcasts them to one shape."""
    arrays = [x for x in xs if _is_array(x)]
    if arrays:
        dtype = np.result_type(*[np.dtype(a.dtype) for a in arrays])
        # A Python float next to integer arrays makes the result float.
        if dtype.kind in "iub" and any(
                isinstance(x, float) for x in xs if not _is_array(x)):
            dtype = np.dtype(np.float32) if dtype.kind == "b" else np.dtype(np.float64)
    else:
        dtype = np.result_type(*[_dtype(x) for x in xs])
    shapes = [_shape(x) for x in xs]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            f"{source_line()}: operands could not be broadcast together with shapes "
            + " ".join(str(s) for s in shapes)) from None
    out = []
    for x in xs:
        if isinstance(x, Tracer):
            x = _astype(x, dtype)
        else:
            x = np.asarray(x, dtype=dtype)
        out.append(_broadcast(x, shape))
    return out, dtype, shape


def _binary(name, x, y, float_only=False):
    (a, b), dtype, shape = _operands(x, y)
    if float_only and not is_float(dtype):
        dtype = np.dtype(np.float64)
        a, b = _astype(a, dtype), _astype(b, dtype)
    return emit1(name, [a, b])


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

@public
def add(x, y):
    return _binary("dlc.add", x, y)


@public
def subtract(x, y):
    return _binary("dlc.sub", x, y)


@public
def multiply(x, y):
    return _binary("dlc.mul", x, y)


@public
def divide(x, y):
    """True division (integers divide as float64, as in NumPy)."""
    return _binary("dlc.div", x, y, float_only=True)


@public
def power(x, y):
    return _binary("dlc.pow", x, y, float_only=True)


@public
def maximum(x, y):
    return _binary("dlc.max", x, y)


@public
def minimum(x, y):
    return _binary("dlc.min", x, y)


def _compare(direction, x, y):
    (a, b), _, _ = _operands(x, y)
    return emit1("dlc.compare", [a, b],
                 {"direction": f"#dlc.compare_direction<{direction}>"})


@public
def equal(x, y):
    return _compare("eq", x, y)


@public
def not_equal(x, y):
    return _compare("ne", x, y)


@public
def less(x, y):
    return _compare("lt", x, y)


@public
def less_equal(x, y):
    return _compare("le", x, y)


@public
def greater(x, y):
    return _compare("gt", x, y)


@public
def greater_equal(x, y):
    return _compare("ge", x, y)


def _unary(name, x, float_only=True):
    x = asarray(x)
    if float_only and not is_float(x.dtype):
        x = _astype(x, np.float64)
    return emit1(name, [x])


@public
def negative(x):
    return _unary("dlc.neg", x, float_only=False)


@public
def exp(x):
    return _unary("dlc.exp", x)


@public
def log(x):
    return _unary("dlc.log", x)


@public
def sqrt(x):
    return _unary("dlc.sqrt", x)


@public
def tanh(x):
    return _unary("dlc.tanh", x)


@public
def sin(x):
    return _unary("dlc.sin", x)


@public
def cos(x):
    return _unary("dlc.cos", x)


@public
def abs(x):
    return _unary("dlc.abs", x, float_only=False)


@public
def where(condition, x, y):
    """`x` where `condition` holds, else `y` (broadcast together)."""
    (x, y), dtype, shape = _operands(x, y)
    condition = asarray(condition, np.bool_) if not isinstance(condition, Tracer) \
        else condition
    if np.dtype(condition.dtype) != np.bool_:
        condition = _astype(condition, np.bool_)
    shape = np.broadcast_shapes(shape, _shape(condition))
    return emit1("dlc.select", [_broadcast(condition, shape), _broadcast(x, shape),
                                _broadcast(y, shape)])


@public
def zeros_like(x, dtype=None):
    return _const(0, dtype or _dtype(x), _shape(x))


@public
def ones_like(x, dtype=None):
    return _const(1, dtype or _dtype(x), _shape(x))


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def _axis(axis, ndim):
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"{source_line()}: axis {axis} is out of bounds for an array "
                         f"of dimension {ndim}")
    return axis % builtins.max(ndim, 1)


@public
def reshape(x, shape):
    x = asarray(x)
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
    size = int(np.prod(_shape(x), dtype=np.int64))
    if shape.count(-1) > 1:
        raise ValueError(f"{source_line()}: can only specify one unknown dimension")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        shape = tuple(size // known if known and d == -1 else d for d in shape)
    if int(np.prod(shape, dtype=np.int64)) != size:
        raise ValueError(f"{source_line()}: cannot reshape array of shape {_shape(x)} "
                         f"into shape {shape}")
    if shape == _shape(x):
        return x
    return emit1("dlc.reshape", [x],
                 result_type=tensor_type(shape, element_type(x.dtype)))


@public
def transpose(x, axes=None):
    x = asarray(x)
    ndim = len(_shape(x))
    axes = tuple(reversed(range(ndim))) if axes is None else tuple(
        _axis(a, ndim) for a in axes)
    if sorted(axes) != list(range(ndim)):
        raise ValueError(f"{source_line()}: axes {axes} are not a permutation of "
                         f"{ndim} dimensions")
    if axes == tuple(range(ndim)):
        return x
    return emit1("dlc.transpose", [x],
                 {"permutation": f"array<i64: {', '.join(map(str, axes))}>"})


@public
def broadcast_to(x, shape):
    x = asarray(x)
    shape = tuple(shape)
    try:
        np.broadcast_shapes(_shape(x), shape)
        if np.broadcast_shapes(_shape(x), shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{source_line()}: cannot broadcast an array of shape "
                         f"{_shape(x)} to shape {shape}") from None
    return _broadcast(x, shape)


@public
def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if not arrays:
        raise ValueError(f"{source_line()}: need at least one array to concatenate")
    dtype = np.result_type(*[_dtype(a) for a in arrays])
    arrays = [asarray(a, dtype) for a in arrays]
    ndim = len(_shape(arrays[0]))
    axis = _axis(axis, ndim)
    if len(arrays) == 1:
        return arrays[0]
    return _concat(arrays, axis, dtype)


def _concat(arrays, axis, dtype):
    shape = list(_shape(arrays[0]))
    for a in arrays[1:]:
        s = _shape(a)
        if len(s) != len(shape) or any(
                d != e for i, (d, e) in enumerate(zip(s, shape)) if i != axis):
            raise ValueError(
                f"{source_line()}: all the input array dimensions except for the "
                f"concatenation axis must match: " +
                ", ".join(str(_shape(b)) for b in arrays))
    shape[axis] = builtins.sum(_shape(a)[axis] for a in arrays)
    return emit1("dlc.concat", arrays, {"axis": f"{axis} : i64"},
                 tensor_type(shape, element_type(dtype)))


def _reduce(name, x, axis, keepdims, float_result=False):
    x = asarray(x)
    ndim = len(_shape(x))
    if axis is None:
        axes = tuple(range(ndim))
    elif isinstance(axis, numbers.Integral):
        axes = (_axis(axis, ndim),)
    else:
        axes = tuple(sorted(_axis(a, ndim) for a in axis))
    if float_result and not is_float(x.dtype):
        x = _astype(x, np.float64)
    if not axes:
        return x
    attrs = {"axes": f"array<i64: {', '.join(map(str, axes))}>"}
    if keepdims:
        attrs["keepdims"] = "unit"
    return emit1(name, [x], attrs)


@public
def sum(x, axis=None, keepdims=False):
    return _reduce("dlc.reduce_sum", x, axis, keepdims)


@public
def mean(x, axis=None, keepdims=False):
    return _reduce("dlc.reduce_mean", x, axis, keepdims, float_result=True)


@public
def max(x, axis=None, keepdims=False):
    return _reduce("dlc.reduce_max", x, axis, keepdims)


@public
def min(x, axis=None, keepdims=False):
    return _reduce("dlc.reduce_min", x, axis, keepdims)


@public
def argmax(x, axis=None, keepdims=False):
    x = asarray(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
        if keepdims:
            raise ValueError(f"{source_line()}: keepdims needs an axis")
    axis = _axis(axis, len(_shape(x)))
    attrs = {"axis": f"{axis} : i64"}
    if keepdims:
        attrs["keepdims"] = "unit"
    return emit1("dlc.argmax", [x], attrs)


@public
def matmul(x, y):
    """NumPy's matmul: 1-D operands are promoted and the added dimension
    removed; batch dimensions broadcast."""
    x, y = asarray(x), asarray(y)
    dtype = np.result_type(np.dtype(x.dtype), np.dtype(y.dtype))
    x, y = _astype(x, dtype) if isinstance(x, Tracer) else np.asarray(x, dtype), \
        _astype(y, dtype) if isinstance(y, Tracer) else np.asarray(y, dtype)
    sx, sy = _shape(x), _shape(y)
    if not sx or not sy:
        raise ValueError(f"{source_line()}: matmul: operands must have at least one "
                         f"dimension, got shapes {sx} and {sy}")
    if len(sx) == 1:
        x = reshape(x, (1,) + sx)
    if len(sy) == 1:
        y = reshape(y, sy + (1,))
    ax, ay = _shape(x), _shape(y)
    if ax[-1] != ay[-2]:
        raise ValueError(
            f"{source_line()}: matmul: shapes {sx} and {sy} are not aligned: "
            f"{ax[-1]} (dim {len(sx) - 1} of the first) != {ay[-2]} "
            f"(dim {builtins.max(len(sy) - 2, 0)} of the second)")
    try:
        batch = np.broadcast_shapes(ax[:-2], ay[:-2])
    except ValueError:
        raise ValueError(f"{source_line()}: matmul: batch dimensions of shapes {sx} "
                         f"and {sy} do not broadcast") from None
    m, k, n = ax[-2], ax[-1], ay[-1]
    if batch:
        x = _broadcast(x, batch + (m, k))
        y = _broadcast(y, batch + (k, n))
        b = int(np.prod(batch, dtype=np.int64))
        out = emit1("dlc.matmul", [reshape(x, (b, m, k)), reshape(y, (b, k, n))])
        out = reshape(out, batch + (m, n))
    else:
        out = emit1("dlc.matmul", [x, y])
    final = tuple(batch) + ((m,) if len(sx) > 1 else ()) + ((n,) if len(sy) > 1 else ())
    return reshape(out, final)


# ---------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------

@public
def getitem(x, index):
    """Basic indexing: integers, slices (positive steps), `...`, None."""
    x = asarray(x)
    shape = _shape(x)
    index = index if isinstance(index, tuple) else (index,)
    if builtins.sum(1 for i in index if i is Ellipsis) > 1:
        raise IndexError(f"{source_line()}: an index can only have a single ellipsis")
    explicit = builtins.sum(1 for i in index if i is not None and i is not Ellipsis)
    if explicit > len(shape):
        raise IndexError(f"{source_line()}: too many indices for an array of "
                         f"dimension {len(shape)}")
    expanded = []
    for i in index:
        if i is Ellipsis:
            expanded += [slice(None)] * (len(shape) - explicit)
        else:
            expanded.append(i)
    expanded += [slice(None)] * (len(shape) - builtins.sum(
        1 for i in expanded if i is not None))
    start, limit, strides, final = [], [], [], []
    dim = 0
    for i in expanded:
        if i is None:
            final.append(1)
            continue
        size = shape[dim]
        if isinstance(i, slice):
            b, e, s = i.indices(size)
            if s <= 0:
                raise IndexError(f"{source_line()}: slices with a negative step are "
                                 f"not supported")
            count = builtins.max(0, (e - b + s - 1) // s)
            start.append(b), limit.append(b + builtins.max(count - 1, 0) * s + 1
                                          if count else b)
            strides.append(s), final.append(count)
        elif isinstance(i, (numbers.Integral, np.integer)) and not isinstance(i, bool):
            j = int(i)
            if not -size <= j < size:
                raise IndexError(f"{source_line()}: index {j} is out of bounds for "
                                 f"axis {dim} with size {size}")
            j %= size
            start.append(j), limit.append(j + 1), strides.append(1)
        else:
            raise IndexError(f"{source_line()}: only integers, slices, ... and None "
                             f"are valid indices (got {type(i).__name__})")
        dim += 1
    sliced = x
    if (start, limit, strides) != ([0] * len(shape), list(shape), [1] * len(shape)):
        sliced = emit1("dlc.slice", [x], {
            "start": f"array<i64: {', '.join(map(str, start))}>",
            "limit": f"array<i64: {', '.join(map(str, limit))}>",
            "strides": f"array<i64: {', '.join(map(str, strides))}>"})
    return reshape(sliced, tuple(final))


# ---------------------------------------------------------------------------
# Tracer operators and methods
# ---------------------------------------------------------------------------

def _swap(fn):
    return lambda self, other: fn(other, self)


def _attach(cls):
    cls.__add__, cls.__radd__ = add, _swap(add)
    cls.__sub__, cls.__rsub__ = subtract, _swap(subtract)
    cls.__mul__, cls.__rmul__ = multiply, _swap(multiply)
    cls.__truediv__, cls.__rtruediv__ = divide, _swap(divide)
    cls.__pow__, cls.__rpow__ = power, _swap(power)
    cls.__matmul__, cls.__rmatmul__ = matmul, _swap(matmul)
    cls.__neg__ = negative
    cls.__pos__ = lambda self: self
    cls.__abs__ = abs
    cls.__eq__, cls.__ne__ = equal, not_equal
    cls.__lt__, cls.__le__ = less, less_equal
    cls.__gt__, cls.__ge__ = greater, greater_equal
    cls.__hash__ = object.__hash__
    cls.__getitem__ = getitem
    cls.T = property(lambda self: transpose(self))
    cls.reshape = lambda self, *shape: reshape(
        self, shape[0] if len(shape) == 1 and not isinstance(shape[0], numbers.Integral)
        else shape)
    cls.transpose = lambda self, *axes: transpose(self, axes or None)
    cls.astype = astype
    cls.sum = lambda self, axis=None, keepdims=False: sum(self, axis, keepdims)
    cls.mean = lambda self, axis=None, keepdims=False: mean(self, axis, keepdims)
    cls.max = lambda self, axis=None, keepdims=False: max(self, axis, keepdims)
    cls.min = lambda self, axis=None, keepdims=False: min(self, axis, keepdims)
    cls.argmax = lambda self, axis=None, keepdims=False: argmax(self, axis, keepdims)


def _attach_all():
    from ._eager import EagerArray
    _attach(Tracer)
    _attach(EagerArray)


_attach_all()
