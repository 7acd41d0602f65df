"""Gradients under `dlc.disable_jit()`."""

from __future__ import annotations

from ._jit import _Grad


def eager_grad(fn, argnums, with_value, args):
    """Runs `fn` op by op on the concrete arguments (so `print` and `pdb`
    inside it see values), then takes the gradient from the compiled
    `dlc.grad` of the same function: the backward pass itself is not stepped
    through."""
    value = fn(*args)
    grads = _Grad(fn, argnums, with_value=False)._jitted.call_compiled(*args)
    return (value, grads) if with_value else grads
