"""Layers with PyTorch's names, parameter layouts and default initialisation.

A `Module`'s parameters are the NumPy arrays assigned to its attributes (in
assignment order); modules assigned to attributes are its children. Compiled
training steps update the arrays in place, so `parameters()` always shows the
current values. Layers take PyTorch's `dtype` (float32 by default; float16,
bfloat16 (ml_dtypes') or float64), and `to(dtype)` / `half()` / `bfloat16()`
/ `float()` / `double()` convert a whole model: a float16 or bfloat16
model's products take the GPU's tensor cores (wgmma on an H100), sums in
float32.
"""

from __future__ import annotations

import contextlib
import math

import ml_dtypes
import numpy as np

from .. import random
from .._core import STATE, element_type, is_float
from . import functional as F

__all__ = ["Module", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU",
           "GELU", "Flatten", "Sequential", "LayerNorm", "Embedding"]


class Module:
    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call "
                                 f"super().__init__() before assigning attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, np.ndarray):
            self._parameters[name] = np.ascontiguousarray(value)
            value = self._parameters[name]
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}{name}.")

    def parameters(self) -> dict:
        """name -> array, for this module and its children ("fc1.weight")."""
        return {f"{prefix}{name}": value
                for prefix, module in self.named_modules()
                for name, value in module._parameters.items()}

    def to(self, dtype):
        """Converts every floating-point parameter of this module and its
        children to `dtype` (float16, bfloat16, float32 or float64), as new
        arrays;
        returns the module. (A training step compiled for the old dtype
        compiles again on its next call; the optimizer's state for the old
        dtype is dropped then.)"""
        dtype = _float_dtype(dtype)
        for _, module in self.named_modules():
            for name, value in list(module._parameters.items()):
                if is_float(value.dtype) and value.dtype != dtype:
                    setattr(module, name, value.astype(dtype))
        return self

    def half(self):
        return self.to(np.float16)

    def bfloat16(self):
        return self.to(ml_dtypes.bfloat16)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def state_dict(self) -> dict:
        return {name: value.copy() for name, value in self.parameters().items()}

    def load_state_dict(self, state: dict) -> None:
        """Copies `state`'s arrays into the parameters (same names, shapes)."""
        params = self.parameters()
        missing = sorted(set(params) - set(state))
        unexpected = sorted(set(state) - set(params))
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected "
                           f"keys {unexpected}")
        for name, value in state.items():
            value = np.asarray(value)
            if value.shape != params[name].shape:
                raise ValueError(f"load_state_dict: {name} has shape "
                                 f"{value.shape}, the parameter {params[name].shape}")
            np.copyto(params[name], value, casting="same_kind")

    @contextlib.contextmanager
    def bind(self, values: dict):
        """Within the block, the parameters read as `values` (traced values
        while a function of the model is traced)."""
        saved = []
        for prefix, module in self.named_modules():
            for name in module._parameters:
                saved.append((module, name, module.__dict__[name]))
                module.__dict__[name] = values[f"{prefix}{name}"]
        try:
            yield
        finally:
            for module, name, value in saved:
                module.__dict__[name] = value

    def __repr__(self):
        children = "".join(f"\n  ({n}): " + repr(m).replace("\n", "\n  ")
                           for n, m in self._modules.items())
        return f"{type(self).__name__}({self.extra_repr()}{children}{chr(10) if children else ''})"

    def extra_repr(self):
        return ""


def _float_dtype(dtype):
    """A layer's or `to`'s dtype: float32 for None; a dtype dlc computes
    in and that is floating-point, else TypeError."""
    if dtype is None:
        return np.dtype(np.float32)
    element_type(dtype)  # TypeError for dtypes dlc has no type for
    dtype = np.dtype(dtype)
    if not is_float(dtype):
        raise TypeError(f"parameters are floating-point: float16, bfloat16, "
                        f"float32 or float64, not {dtype.name}")
    return dtype


def _uniform(bound, shape, dtype):
    # (Drawn in float64 and rounded once, whatever the dtype.)
    return random.uniform(-bound, bound, shape, _float_dtype(dtype))


class Linear(Module):
    """y = x @ weight.T + bias; weight [out, in] as PyTorch's."""

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features) if in_features else 0
        self.weight = _uniform(bound, (out_features, in_features), dtype)
        self.bias = _uniform(bound, (out_features,), dtype) if bias else None

    def forward(self, x):
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True, dtype=None):
        super().__init__()
        kh, kw = F._pair(kernel_size, "kernel_size")
        self.stride, self.padding, self.dilation, self.groups = \
            stride, padding, dilation, groups
        fan_in = in_channels // groups * kh * kw
        bound = 1 / math.sqrt(fan_in) if fan_in else 0
        self.weight = _uniform(bound, (out_channels, in_channels // groups, kh, kw), dtype)
        self.bias = _uniform(bound, (out_channels,), dtype) if bias else None
        self._repr = (f"{in_channels}, {out_channels}, kernel_size=({kh}, {kw}), "
                      f"stride={stride}, padding={padding}")

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self):
        return self._repr


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(MaxPool2d):
    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)


class Flatten(Module):
    """Flattens dimensions start_dim.. (default: all but the batch)."""

    def __init__(self, start_dim=1):
        super().__init__()
        self.start_dim = start_dim

    def forward(self, x):
        shape = tuple(x.shape)
        return x.reshape(shape[:self.start_dim] + (-1,))


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), module)

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class LayerNorm(Module):
    """Normalizes over the last axis of size `normalized_shape`."""

    def __init__(self, normalized_shape, eps=1e-5, dtype=None):
        super().__init__()
        if not isinstance(normalized_shape, int):
            (normalized_shape,) = normalized_shape
        self.eps = eps
        self.weight = np.ones(normalized_shape, _float_dtype(dtype))
        self.bias = np.zeros(normalized_shape, _float_dtype(dtype))

    def forward(self, x):
        return F.layer_norm(x, self.weight, self.bias, self.eps)


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim, dtype=None):
        super().__init__()
        self.weight = random.normal((num_embeddings, embedding_dim),
                                    dtype=_float_dtype(dtype))

    def forward(self, ids):
        return F.embedding(ids, self.weight)
