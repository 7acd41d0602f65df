"""Neural-network functions (PyTorch's names and conventions: NCHW images,
OIHW filters), each one dlc op or a few."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import Tracer, element_type, emit1, is_float, tensor_type, source_line
from .._ops import _astype, _broadcast, _shape, add, asarray, public, reshape

__all__ = ["relu", "sigmoid", "gelu", "softmax", "log_softmax", "cross_entropy",
           "mse_loss", "conv2d", "max_pool2d", "avg_pool2d", "layer_norm",
           "embedding"]


def _float(x):
    x = asarray(x)
    if not is_float(x.dtype):
        raise TypeError(f"{source_line()}: expected a float array, got dtype "
                        f"{np.dtype(x.dtype).name}")
    return x


def _pair(value, name):
    if isinstance(value, numbers.Integral):
        return (int(value), int(value))
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{source_line()}: {name} must be an int or a pair, got {value}")
    return value


def _array_attr(values):
    return f"array<i64: {', '.join(map(str, values))}>"


@public
def relu(x):
    return emit1("dlc.relu", [_float(x)])


@public
def sigmoid(x):
    return emit1("dlc.sigmoid", [_float(x)])


@public
def gelu(x, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"{source_line()}: gelu: approximate must be 'none' or "
                         f"'tanh', got {approximate!r}")
    attrs = {} if approximate == "none" else {
        "approximate": "#dlc.gelu_approximation<tanh>"}
    return emit1("dlc.gelu", [_float(x)], attrs)


@public
def softmax(x, axis=-1):
    x = _float(x)
    return emit1("dlc.softmax", [x], {"axis": f"{axis % max(len(_shape(x)), 1)} : i64"})


@public
def log_softmax(x, axis=-1):
    x = _float(x)
    return emit1("dlc.log_softmax", [x],
                 {"axis": f"{axis % max(len(_shape(x)), 1)} : i64"})


@public
def cross_entropy(logits, labels):
    """Mean softmax cross-entropy of `logits` [N, C] against integer class
    `labels` [N] (PyTorch's `F.cross_entropy`)."""
    logits = _float(logits)
    labels = asarray(labels)
    if np.dtype(labels.dtype).kind not in "iu":
        raise TypeError(f"{source_line()}: cross_entropy: labels must be integers, got "
                        f"{np.dtype(labels.dtype).name}")
    if np.dtype(labels.dtype) != np.int32:
        labels = _astype(labels, np.int64)
    return emit1("dlc.softmax_cross_entropy", [logits, labels])


@public
def mse_loss(pred, target):
    """Mean of the squared differences."""
    pred, target = _float(pred), _float(target)
    if _shape(pred) != _shape(target):
        raise ValueError(f"{source_line()}: mse_loss: prediction of shape "
                         f"{_shape(pred)} and target of shape {_shape(target)}")
    if pred.dtype != target.dtype:
        target = _astype(target, pred.dtype)
    return emit1("dlc.mse_loss", [pred, target])


@public
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of NCHW `x` with OIHW `w` (+ bias `b` [O])."""
    x, w = _float(x), _float(w)
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    dh, dw = _pair(dilation, "dilation")
    y = emit1("dlc.conv2d", [x, w], {
        "strides": _array_attr((sh, sw)), "padding": _array_attr((ph, ph, pw, pw)),
        "dilation": _array_attr((dh, dw)), "groups": f"{int(groups)} : i64"})
    if b is not None:
        b = asarray(b, y.dtype if not isinstance(b, Tracer) else None)
        if _shape(b) != (_shape(y)[1],):
            raise ValueError(f"{source_line()}: conv2d: bias of shape {_shape(b)} for "
                             f"{_shape(y)[1]} output channels")
        y = add(y, _broadcast(reshape(b, (-1, 1, 1)), _shape(y)))
    return y


def _pool(name, x, kernel_size, stride, padding):
    x = _float(x)
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride if stride is not None else (kh, kw), "stride")
    ph, pw = _pair(padding, "padding")
    return emit1(name, [x], {"kernel": _array_attr((kh, kw)),
                             "strides": _array_attr((sh, sw)),
                             "padding": _array_attr((ph, ph, pw, pw))})


@public
def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool("dlc.max_pool2d", x, kernel_size, stride, padding)


@public
def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Average pooling; padded positions count in the divisor (PyTorch's
    count_include_pad=True)."""
    return _pool("dlc.avg_pool2d", x, kernel_size, stride, padding)


@public
def layer_norm(x, weight=None, bias=None, eps=1e-5):
    """Normalizes over the last axis (PyTorch's `layer_norm(x, [D])`)."""
    x = _float(x)
    operands = [x] + [asarray(v) for v in (weight, bias) if v is not None]
    segments = f"array<i32: 1, {int(weight is not None)}, {int(bias is not None)}>"
    return emit1("dlc.layer_norm", operands,
                 {"epsilon": f"{float(eps):.17e} : f64", "operandSegmentSizes": segments})


@public
def embedding(ids, table):
    """Rows of `table` at integer `ids` (`table[ids]`)."""
    ids = asarray(ids)
    if np.dtype(ids.dtype).kind not in "iu":
        raise TypeError(f"{source_line()}: embedding: ids must be integers, got "
                        f"{np.dtype(ids.dtype).name}")
    return emit1("dlc.gather", [asarray(table), ids])
