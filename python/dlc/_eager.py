"""Eager execution (`dlc.disable_jit()`): every op runs as soon as it is
called, on concrete values, through the same compiled kernels as jitted code.

Values are `EagerArray`s (a NumPy array inside): their operators and methods
are dlc's ops, so `print` and `pdb` show real values, Python control flow may
depend on them, and `dlc.config.debug_nans` checks every op. Gradients are
taken op by op from a tape: each op's vector-Jacobian product is the compiled
`dlc.grad` of that op alone (cached by signature), applied in reverse order.
"""

from __future__ import annotations

import threading

import numpy as np

from ._core import is_float, tree_flatten, tree_unflatten


class EagerArray:
    """A concrete array under `dlc.disable_jit()`."""

    __slots__ = ("value", "tape", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy's operators defer to ours

    def __init__(self, value, tape=None):
        self.value = np.asarray(value)
        self.tape = tape

    shape = property(lambda self: self.value.shape)
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)

    def __repr__(self):
        return repr(self.value)

    def __str__(self):
        return str(self.value)

    def __format__(self, spec):
        return format(self.value.item() if self.value.ndim == 0 else self.value, spec)

    def __array__(self, dtype=None, copy=None):
        return self.value if dtype is None else self.value.astype(dtype)

    def __bool__(self):
        return bool(self.value)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __index__(self):
        return self.value.__index__()

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def numpy(self):
        return self.value

    # Operators and methods are attached by dlc._ops (they are the public ops).


def wrap(tree, tape=None):
    """Arrays and numbers of `tree` as EagerArrays."""
    from ._jit import _leaf_array
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [
        leaf if isinstance(leaf, EagerArray) else EagerArray(_leaf_array(leaf, i), tape)
        for i, leaf in enumerate(leaves)])


def unwrap(tree):
    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [leaf.value if isinstance(leaf, EagerArray) else leaf
                                    for leaf in leaves])


# ---------------------------------------------------------------------------
# The tape
# ---------------------------------------------------------------------------

class _Active(threading.local):
    tape = None


ACTIVE = _Active()


class Node:
    """One recorded op: how to call it again, its inputs and its output."""

    __slots__ = ("key", "fn", "leaves", "treedef", "dynamic", "arrays", "inputs", "out")

    def __init__(self, key, fn, leaves, treedef, dynamic, arrays, inputs, out):
        self.key, self.fn, self.leaves, self.treedef = key, fn, leaves, treedef
        self.dynamic, self.arrays, self.inputs, self.out = dynamic, arrays, inputs, out


class Tape:
    def __init__(self):
        self.nodes: list = []


def result(key, fn, leaves, treedef, dynamic, arrays, inputs, out):
    """The EagerArray(s) of an op's output; recorded on the active tape when
    a float output depends on an array the tape differentiates."""
    tape = ACTIVE.tape
    if (tape is not None and isinstance(out, np.ndarray) and is_float(out.dtype)
            and any(x is not None and x.tape is tape for x in inputs)):
        array = EagerArray(out, tape)
        tape.nodes.append(Node(key, fn, leaves, treedef, dynamic, arrays, inputs, array))
        return array
    return wrap(out)


_VJP: dict = {}


def _vjp(node, positions):
    """The compiled vector-Jacobian product of `node`'s op with respect to
    its dynamic inputs at `positions`: (inputs..., cotangent) -> grads."""
    from ._jit import grad, jit
    key = (node.key, positions)
    compiled = _VJP.get(key)
    if compiled is None:
        def body(*values):
            *dynamic, cotangent = values

            def weighted(*floats):
                inputs = list(dynamic)
                for k, v in zip(positions, floats):
                    inputs[k] = v
                full = list(node.leaves)
                for i, v in zip(node.dynamic, inputs):
                    full[i] = v
                args, kwargs = tree_unflatten(node.treedef, full)
                return (node.fn(*args, **kwargs) * cotangent).sum()

            return grad(weighted, argnums=tuple(range(len(positions))))(
                *[dynamic[k] for k in positions])
        body.__name__ = f"vjp_{node.fn.__name__}"
        compiled = _VJP[key] = jit(body)
    return compiled


def backward(tape, loss, targets):
    """Gradients of `loss` (a rank-0 EagerArray) with respect to `targets`."""
    cotangents = {id(loss): np.ones((), loss.dtype)}
    for node in reversed(tape.nodes):
        g = cotangents.pop(id(node.out), None)
        if g is None:
            continue
        positions = tuple(k for k, (x, a) in enumerate(zip(node.inputs, node.arrays))
                          if x is not None and x.tape is tape and is_float(a.dtype))
        if not positions:
            continue
        grads = _vjp(node, positions).call_compiled(*node.arrays, np.asarray(g, node.out.dtype))
        for k, gk in zip(positions, grads):
            key = id(node.inputs[k])
            cotangents[key] = cotangents[key] + gk if key in cotangents else gk
    return [cotangents.get(id(t), np.zeros_like(t.value)) for t in targets]


def eager_grad(fn, argnums, with_value, args):
    """grad / value_and_grad under dlc.disable_jit(): `fn` runs op by op on
    concrete values (print and pdb see them), recorded on a tape; the
    gradient applies each op's compiled VJP in reverse."""
    from ._jit import _argnums
    name = getattr(fn, "__name__", "fn")
    nums = _argnums(argnums, len(args), name)
    tape = Tape()
    wrapped = [wrap(a, tape if i in nums else None) for i, a in enumerate(args)]
    targets = []
    for n in nums:
        for leaf in tree_flatten(wrapped[n])[0]:
            if not is_float(leaf.dtype):
                raise TypeError(f"grad of {name}: argument {n} has dtype {leaf.dtype.name}; "
                                f"gradients are taken with respect to float arrays only")
            targets.append(leaf)
    saved, ACTIVE.tape = ACTIVE.tape, tape
    try:
        out = fn(*wrapped)
    finally:
        ACTIVE.tape = saved
    value = out if isinstance(out, EagerArray) else EagerArray(out)
    if value.shape != () or not is_float(value.dtype):
        raise ValueError(f"grad of {name}: the function must return a scalar float "
                         f"(a rank-0 array), got shape {value.shape} of dtype "
                         f"{value.dtype.name}")
    flat = backward(tape, value, targets)
    per_arg, k = [], 0
    for n in nums:
        count = len(tree_flatten(args[n])[0])
        per_arg.append(tree_unflatten(tree_flatten(args[n])[1], flat[k:k + count]))
        k += count
    g = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
    return (value.value, g) if with_value else g
