# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: gradients [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""Every VJP rule checked against central finite differences in float64.

Each case is a scalar loss @f_<case> written with dlc ops; the module also
holds @g_<case>, which returns dlc.value_and_grad of it. The gradient of each
differentiated argument is compared with central differences of the compiled
f64 forward: element by element for small arguments, and for larger ones by
the dot-product test <grad, t> = (f(x + eps t) - f(x - eps t)) / (2 eps) along
random directions t (as JAX's check_vjp). Per-op cases use the loss
sum(op(x) * c) with a random constant c, so the cotangent reaching the op is
not uniform. f32 and f16 variants are checked against the f64 differences
with their own tolerance. Inputs avoid kinks (relu at 0, ties in max).
"""

import tempfile
from pathlib import Path

import numpy as np

from dlc.execution import Module, check_ptx, compile_artifact
from harness import run_checks, target_options, ttype

RNG = np.random.default_rng(7)
NP = {"f64": np.float64, "f32": np.float32, "f16": np.float16, "i64": np.int64,
      "i32": np.int32, "i1": np.bool_}
# Relative/absolute tolerance of a gradient against f64 differences.
TOL = {"f64": (1e-6, 1e-8), "f32": (2e-4, 2e-5), "f16": (3e-2, 3e-2)}


class Case:
    def __init__(self, name, body, args, wrt, inputs, eps=1e-6, tol=None,
                 elements=("f64",)):
        """body(T) -> dlc ops over %arg0..., ending in `return %l : tensor<T>`;
        args(T) -> [(shape, element)]; inputs: float64/int arrays."""
        self.name, self.body, self.args, self.wrt = name, body, args, wrt
        self.inputs, self.eps, self.tol, self.elements = inputs, eps, tol, elements


CASES = []


def add(*a, **k):
    CASES.append(Case(*a, **k))


def reduce_all(value, shape, T):
    """Ops summing %value of `shape` into %l, a rank-0 tensor."""
    if not shape:
        return f"  return {value} : tensor<{T}>"
    axes = ", ".join(str(i) for i in range(len(shape)))
    return (f"  %l = dlc.reduce_sum {value} axes = [{axes}] : {ttype(shape, T)} -> tensor<{T}>\n"
            f"  return %l : tensor<{T}>")


def vjp_case(name, op, in_shapes, out_shape, wrt=None, low=-2.0, high=2.0, inputs=None,
             elements=("f64",), **k):
    """Loss sum(op(args) * c): `op(T)` is the op text using %arg<i> and
    defining %y; c is the last argument."""
    n = len(in_shapes)
    wrt = list(range(n)) if wrt is None else wrt

    def body(T):
        return (f"{op(T)}\n  %p = dlc.mul %y, %arg{n} : {ttype(out_shape, T)}\n"
                + reduce_all("%p", out_shape, T))

    def args(T):
        return [(s, T) for s in in_shapes] + [(out_shape, T)]

    if inputs is None:
        inputs = [RNG.uniform(low, high, s) for s in in_shapes]
    add(name, body, args, wrt, list(inputs) + [RNG.uniform(-1, 1, out_shape)],
        elements=elements, **k)


S = (3, 5)


def away_from(values, points, gap=0.05):
    """Moves values within `gap` of any of `points` away (kinks)."""
    for p in points:
        close = np.abs(values - p) < gap
        values[close] = p + np.where(values[close] >= p, gap, -gap)
    return values


# Elementwise unary.
unary = {"neg": (-2, 2), "abs": (-2, 2), "exp": (-2, 2), "log": (0.2, 3), "sqrt": (0.2, 3),
         "rsqrt": (0.2, 3), "tanh": (-2, 2), "sigmoid": (-4, 4), "relu": (-2, 2),
         "sin": (-3, 3), "cos": (-3, 3), "erf": (-2, 2)}
for op, (low, high) in unary.items():
    x = away_from(RNG.uniform(low, high, S), [0]) if op in ("abs", "relu") else None
    vjp_case(op, lambda T, op=op: f"  %y = dlc.{op} %arg0 : {ttype(S, T)}", [S], S,
             low=low, high=high, inputs=None if x is None else [x],
             elements=("f64", "f32") if op in ("exp", "tanh", "relu") else ("f64",))
for approx in ("", " approximate = <tanh>"):
    vjp_case("gelu" + approx.split("<")[-1].rstrip(">").replace(" ", ""),
             lambda T, a=approx: f"  %y = dlc.gelu %arg0{a} : {ttype(S, T)}", [S], S,
             low=-3, high=3)

# Elementwise binary: both operands differentiated.
binary = {"add": None, "sub": None, "mul": None, "div": (0.5, 2), "pow": (0.3, 2),
          "max": None, "min": None}
for op, rng in binary.items():
    if op in ("max", "min"):
        a = RNG.uniform(-2, 2, S)
        b = a + RNG.choice([-1, 1], S) * RNG.uniform(0.1, 1, S)  # no ties
        ins = [a, b]
    elif rng:
        ins = [RNG.uniform(*rng, S), RNG.uniform(*rng, S)]
    else:
        ins = None
    vjp_case(op, lambda T, op=op: f"  %y = dlc.{op} %arg0, %arg1 : {ttype(S, T)}", [S, S], S,
             inputs=ins, elements=("f64", "f32") if op in ("mul", "div") else ("f64",))

# Fan-out: x used three times, adjoints summed.
vjp_case("fanout", lambda T: f"""  %a = dlc.mul %arg0, %arg0 : {ttype(S, T)}
  %b = dlc.exp %arg0 : {ttype(S, T)}
  %c = dlc.add %a, %b : {ttype(S, T)}
  %y = dlc.mul %c, %arg0 : {ttype(S, T)}""", [S], S)

# select: the condition is i1 and never differentiated.
cond = RNG.random(S) < 0.5
add("select",
    lambda T: f"""  %y = dlc.select %arg0, %arg1, %arg2 : {ttype(S, 'i1')}, {ttype(S, T)}
  %p = dlc.mul %y, %arg3 : {ttype(S, T)}
""" + reduce_all("%p", S, T),
    lambda T: [(S, "i1"), (S, T), (S, T), (S, T)], [1, 2],
    [cond, RNG.uniform(-1, 1, S), RNG.uniform(-1, 1, S), RNG.uniform(-1, 1, S)])

# Casts between float types. The f32 part is quadratic, for which central
# differences are exact at any step, so a wide step keeps f32 rounding small.
add("cast_f32",
    lambda T: f"""  %a = dlc.cast %arg0 : {ttype(S, T)} -> {ttype(S, 'f32')}
  %b = dlc.mul %a, %a : {ttype(S, 'f32')}
  %y = dlc.cast %b : {ttype(S, 'f32')} -> {ttype(S, T)}
  %p = dlc.mul %y, %arg1 : {ttype(S, T)}
""" + reduce_all("%p", S, T),
    lambda T: [(S, T), (S, T)], [0], [RNG.uniform(-1, 1, S), RNG.uniform(-1, 1, S)],
    eps=1e-2, tol=(5e-5, 5e-5))

# Shape ops.
vjp_case("broadcast_to",
         lambda T: f"  %y = dlc.broadcast_to %arg0 : {ttype((3, 1), T)} -> {ttype((2, 3, 4), T)}",
         [(3, 1)], (2, 3, 4))
vjp_case("reshape",
         lambda T: f"  %y = dlc.reshape %arg0 : {ttype((3, 4), T)} -> {ttype((2, 6), T)}",
         [(3, 4)], (2, 6))
vjp_case("transpose",
         lambda T: f"  %y = dlc.transpose %arg0 permutation = [2, 0, 1] : "
                   f"{ttype((2, 3, 4), T)} -> {ttype((4, 2, 3), T)}",
         [(2, 3, 4)], (4, 2, 3))
vjp_case("slice_strided",
         lambda T: f"  %y = dlc.slice %arg0 start = [1, 0] limit = [6, 7] strides = [2, 3] : "
                   f"{ttype((6, 7), T)} -> {ttype((3, 3), T)}",
         [(6, 7)], (3, 3))
vjp_case("slice_offset",
         lambda T: f"  %y = dlc.slice %arg0 start = [0, 2, 1] limit = [2, 5, 4] strides = [1, 1, 2] : "
                   f"{ttype((3, 5, 4), T)} -> {ttype((2, 3, 2), T)}",
         [(3, 5, 4)], (2, 3, 2))
vjp_case("concat",
         lambda T: f"  %y = dlc.concat %arg0, %arg1, %arg2 axis = 1 : ({ttype((2, 3), T)}, "
                   f"{ttype((2, 1), T)}, {ttype((2, 4), T)}) -> {ttype((2, 8), T)}",
         [(2, 3), (2, 1), (2, 4)], (2, 8))
vjp_case("pad",
         lambda T: f"  %y = dlc.pad %arg0 low = [1, 0] high = [2, 3] value = 1.5 : {T} : "
                   f"{ttype((3, 4), T)} -> {ttype((6, 7), T)}",
         [(3, 4)], (6, 7))

# gather: the table's gradient accumulates repeated rows; indices never active.
ids = np.array([[1, 4, 1, 6], [0, 4, 4, 2]])
add("gather",
    lambda T: f"""  %y = dlc.gather %arg0, %arg1 : ({ttype((7, 3), T)}, {ttype((2, 4), 'i64')}) -> {ttype((2, 4, 3), T)}
  %p = dlc.mul %y, %arg2 : {ttype((2, 4, 3), T)}
""" + reduce_all("%p", (2, 4, 3), T),
    lambda T: [((7, 3), T), ((2, 4), "i64"), ((2, 4, 3), T)], [0],
    [RNG.uniform(-1, 1, (7, 3)), ids, RNG.uniform(-1, 1, (2, 4, 3))], elements=("f64", "f32"))
# gather(table, argmax(x)): x's only path to the loss is through an integer,
# so its gradient is zero; the table's is not.
add("gather_argmax",
    lambda T: f"""  %i = dlc.argmax %arg1 axis = 1 : {ttype((4, 5), T)} -> {ttype((4,), 'i64')}
  %y = dlc.gather %arg0, %i : ({ttype((5, 3), T)}, {ttype((4,), 'i64')}) -> {ttype((4, 3), T)}
""" + reduce_all("%y", (4, 3), T),
    lambda T: [((5, 3), T), ((4, 5), T)], [0, 1],
    [RNG.uniform(-1, 1, (5, 3)), RNG.uniform(-1, 1, (4, 5))])

# Contractions.
vjp_case("matmul",
         lambda T: f"  %y = dlc.matmul %arg0, %arg1 : ({ttype((5, 4), T)}, {ttype((4, 3), T)}) -> {ttype((5, 3), T)}",
         [(5, 4), (4, 3)], (5, 3), elements=("f64", "f32"))
vjp_case("matmul_batched",
         lambda T: f"  %y = dlc.matmul %arg0, %arg1 : ({ttype((2, 3, 4), T)}, {ttype((2, 4, 5), T)}) -> {ttype((2, 3, 5), T)}",
         [(2, 3, 4), (2, 4, 5)], (2, 3, 5))
vjp_case("matmul_large",  # dot-product test (more than 64 elements)
         lambda T: f"  %y = dlc.matmul %arg0, %arg1 : ({ttype((33, 20), T)}, {ttype((20, 17), T)}) -> {ttype((33, 17), T)}",
         [(33, 20), (20, 17)], (33, 17), elements=("f64", "f32"))

# Reductions.
R = (3, 4, 5)
for op, axes, keep, out in (("reduce_sum", [0, 2], "", (4,)), ("reduce_mean", [1], " keepdims", (3, 1, 5)),
                            ("reduce_max", [1], "", (3, 5)), ("reduce_min", [0, 2], " keepdims", (1, 4, 1)),
                            ("reduce_max", [0, 1, 2], "", ())):
    axes_text = ", ".join(map(str, axes))
    vjp_case(f"{op}_{''.join(map(str, axes))}{keep.strip()}",
             lambda T, op=op, a=axes_text, k=keep, o=out: f"  %y = dlc.{op} %arg0 axes = [{a}]{k} : "
                                                          f"{ttype(R, T)} -> {ttype(o, T)}",
             [R], out, inputs=[RNG.permutation(60).reshape(R) / 10.0])  # distinct values

# Composites.
for op in ("softmax", "log_softmax"):
    for shape, axis in (((4, 7), 1), ((5, 3), 0)):
        vjp_case(f"{op}_axis{axis}",
                 lambda T, op=op, s=shape, a=axis: f"  %y = dlc.{op} %arg0 axis = {a} : {ttype(s, T)}",
                 [shape], shape, low=-3, high=3, elements=("f64", "f32", "f16") if axis == 1 else ("f64",))
vjp_case("layer_norm",
         lambda T: f"  %y = dlc.layer_norm %arg0 scale %arg1 bias %arg2 epsilon = 1.0e-05 : "
                   f"({ttype((3, 8), T)}, {ttype((8,), T)}, {ttype((8,), T)}) -> {ttype((3, 8), T)}",
         [(3, 8), (8,), (8,)], (3, 8), elements=("f64", "f32"))
vjp_case("layer_norm_plain",
         lambda T: f"  %y = dlc.layer_norm %arg0 epsilon = 1.0e-05 : ({ttype((2, 3, 6), T)}) -> {ttype((2, 3, 6), T)}",
         [(2, 3, 6)], (2, 3, 6))
labels = np.array([0, 6, 3, 3, 1])
add("softmax_cross_entropy",
    lambda T: f"""  %l = dlc.softmax_cross_entropy %arg0, %arg1 : ({ttype((5, 7), T)}, {ttype((5,), 'i64')}) -> tensor<{T}>
  return %l : tensor<{T}>""",
    lambda T: [((5, 7), T), ((5,), "i64")], [0], [RNG.uniform(-3, 3, (5, 7)), labels],
    elements=("f64", "f32", "f16"))
# Rows of 64 classes: the GPU schedule's row nests (a warp per row) meet
# the one-hot of the labels (a body reading its column index).
wide_labels = np.array([0, 63, 17, 17, 40, 1, 32, 9])
add("softmax_cross_entropy_64",
    lambda T: f"""  %l = dlc.softmax_cross_entropy %arg0, %arg1 : ({ttype((8, 64), T)}, {ttype((8,), 'i64')}) -> tensor<{T}>
  return %l : tensor<{T}>""",
    lambda T: [((8, 64), T), ((8,), "i64")], [0], [RNG.uniform(-3, 3, (8, 64)), wide_labels],
    elements=("f64", "f32"))
vjp_case("layer_norm_rows_64",
         lambda T: f"  %y = dlc.layer_norm %arg0 scale %arg1 bias %arg2 epsilon = 1.0e-05 : "
                   f"({ttype((2, 4, 64), T)}, {ttype((64,), T)}, {ttype((64,), T)}) -> {ttype((2, 4, 64), T)}",
         [(2, 4, 64), (64,), (64,)], (2, 4, 64), elements=("f64", "f32"))
add("mse_loss",
    lambda T: f"""  %l = dlc.mse_loss %arg0, %arg1 : ({ttype((4, 3), T)}, {ttype((4, 3), T)}) -> tensor<{T}>
  return %l : tensor<{T}>""",
    lambda T: [((4, 3), T), ((4, 3), T)], [0, 1], [RNG.uniform(-1, 1, (4, 3)), RNG.uniform(-1, 1, (4, 3))])


# Convolution: input and filter gradients for strides, padding (asymmetric,
# and larger than the kernel's reach), dilation, groups (and depthwise).
def conv_out(size, k, stride, pad, dil):
    return (size + pad[0] + pad[1] - dil * (k - 1) - 1) // stride + 1


for name, (n, c, h, w), (o, kh, kw), stride, pad, dil, groups, element_sets in (
        ("conv_small", (1, 2, 5, 4), (2, 2, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, ("f64", "f32")),
        ("conv_pad1", (2, 3, 7, 6), (4, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, ("f64", "f32")),
        ("conv_stride2", (2, 3, 8, 9), (4, 3, 3), (2, 2), (1, 0, 2, 1), (1, 1), 1, ("f64",)),
        ("conv_stride_drops_rows", (1, 2, 8, 7), (3, 3, 2), (2, 3), (0, 0, 0, 0), (1, 1), 1, ("f64",)),
        ("conv_dilation", (1, 2, 9, 8), (3, 3, 3), (1, 2), (2, 1, 0, 3), (2, 2), 1, ("f64",)),
        ("conv_groups", (2, 4, 6, 5), (6, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2, ("f64", "f32")),
        ("conv_depthwise", (1, 3, 6, 6), (3, 3, 3), (2, 1), (1, 1, 1, 1), (1, 1), 3, ("f64",)),
        ("conv_wide_pad", (1, 1, 4, 4), (2, 2, 2), (1, 1), (3, 3, 0, 1), (1, 1), 1, ("f64",))):
    oh = conv_out(h, kh, stride[0], pad[0:2], dil[0])
    ow = conv_out(w, kw, stride[1], pad[2:4], dil[1])
    x_shape, f_shape, y_shape = (n, c, h, w), (o, c // groups, kh, kw), (n, o, oh, ow)
    vjp_case(name,
             lambda T, xs=x_shape, fs=f_shape, ys=y_shape, st=stride, pd=pad, dl=dil, g=groups:
             f"  %y = dlc.conv2d %arg0, %arg1 strides = {list(st)} padding = {list(pd)} "
             f"dilation = {list(dl)} groups = {g} : ({ttype(xs, T)}, {ttype(fs, T)}) -> {ttype(ys, T)}",
             [x_shape, f_shape], y_shape, elements=element_sets)

# Pooling: inputs are distinct (no ties) so that the max is differentiable.
for name, op, kernel, stride, pad, (h, w) in (
        ("max_pool_2x2", "max_pool2d", (2, 2), (2, 2), (0, 0, 0, 0), (6, 8)),
        ("max_pool_overlap", "max_pool2d", (3, 3), (2, 1), (1, 1, 1, 0), (7, 6)),
        ("avg_pool_3x3", "avg_pool2d", (3, 3), (1, 1), (1, 1, 1, 1), (5, 6)),
        ("avg_pool_2x2", "avg_pool2d", (2, 2), (2, 2), (0, 0, 0, 0), (6, 5))):
    in_shape = (2, 3, h, w)
    out_shape = (2, 3, conv_out(h, kernel[0], stride[0], pad[0:2], 1),
                 conv_out(w, kernel[1], stride[1], pad[2:4], 1))
    vjp_case(name,
             lambda T, op=op, k=kernel, st=stride, pd=pad, i=in_shape, o=out_shape:
             f"  %y = dlc.{op} %arg0 kernel = {list(k)} strides = {list(st)} padding = {list(pd)} "
             f": {ttype(i, T)} -> {ttype(o, T)}",
             [in_shape], out_shape,
             inputs=[RNG.permutation(int(np.prod(in_shape))).reshape(in_shape) / 7.0 - 5],
             elements=("f64", "f32"))


# Composite models.
def mlp(T):
    return f"""  %h = dlc.matmul %arg0, %arg1 : ({ttype((6, 5), T)}, {ttype((5, 8), T)}) -> {ttype((6, 8), T)}
  %b1 = dlc.broadcast_to %arg2 : {ttype((8,), T)} -> {ttype((6, 8), T)}
  %h1 = dlc.add %h, %b1 : {ttype((6, 8), T)}
  %r = dlc.relu %h1 : {ttype((6, 8), T)}
  %o = dlc.matmul %r, %arg3 : ({ttype((6, 8), T)}, {ttype((8, 3), T)}) -> {ttype((6, 3), T)}
  %b2 = dlc.broadcast_to %arg4 : {ttype((3,), T)} -> {ttype((6, 3), T)}
  %o1 = dlc.add %o, %b2 : {ttype((6, 3), T)}
  %l = dlc.softmax_cross_entropy %o1, %arg5 : ({ttype((6, 3), T)}, {ttype((6,), 'i64')}) -> tensor<{T}>
  return %l : tensor<{T}>"""


add("mlp", mlp,
    lambda T: [((6, 5), T), ((5, 8), T), ((8,), T), ((8, 3), T), ((3,), T), ((6,), "i64")],
    [1, 2, 3, 4],
    [RNG.uniform(-1, 1, (6, 5)), RNG.uniform(-1, 1, (5, 8)), RNG.uniform(-0.5, 0.5, (8,)),
     RNG.uniform(-1, 1, (8, 3)), RNG.uniform(-0.5, 0.5, (3,)), np.array([0, 2, 1, 1, 0, 2])],
    elements=("f64", "f32"))


# A small CNN: conv, relu, max-pool, flatten, linear, cross-entropy.
def cnn(T):
    return f"""  %c = dlc.conv2d %arg0, %arg1 strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1 : ({ttype((3, 1, 6, 6), T)}, {ttype((4, 1, 3, 3), T)}) -> {ttype((3, 4, 6, 6), T)}
  %cb = dlc.broadcast_to %arg2 : {ttype((4, 1, 1), T)} -> {ttype((3, 4, 6, 6), T)}
  %c1 = dlc.add %c, %cb : {ttype((3, 4, 6, 6), T)}
  %r = dlc.relu %c1 : {ttype((3, 4, 6, 6), T)}
  %p = dlc.max_pool2d %r kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : {ttype((3, 4, 6, 6), T)} -> {ttype((3, 4, 3, 3), T)}
  %f = dlc.reshape %p : {ttype((3, 4, 3, 3), T)} -> {ttype((3, 36), T)}
  %o = dlc.matmul %f, %arg3 : ({ttype((3, 36), T)}, {ttype((36, 5), T)}) -> {ttype((3, 5), T)}
  %l = dlc.softmax_cross_entropy %o, %arg4 : ({ttype((3, 5), T)}, {ttype((3,), 'i64')}) -> tensor<{T}>
  return %l : tensor<{T}>"""


add("cnn", cnn,
    lambda T: [((3, 1, 6, 6), T), ((4, 1, 3, 3), T), ((4, 1, 1), T), ((36, 5), T), ((3,), "i64")],
    [0, 1, 2, 3],
    [RNG.uniform(-1, 1, (3, 1, 6, 6)), RNG.uniform(-1, 1, (4, 1, 3, 3)), RNG.uniform(-0.2, 0.2, (4, 1, 1)),
     RNG.uniform(-1, 1, (36, 5)), np.array([4, 0, 2])], elements=("f64", "f32"))


# Attention block: layer_norm, q k^T / sqrt(d), softmax, @ v, through a call.
def attention(T):
    x, d = (5, 4), (4, 4)
    return f"""  %n = dlc.layer_norm %arg0 scale %arg1 bias %arg2 epsilon = 1.0e-05 : ({ttype(x, T)}, {ttype((4,), T)}, {ttype((4,), T)}) -> {ttype(x, T)}
  %q = dlc.matmul %n, %arg3 : ({ttype(x, T)}, {ttype(d, T)}) -> {ttype(x, T)}
  %k = dlc.matmul %n, %arg4 : ({ttype(x, T)}, {ttype(d, T)}) -> {ttype(x, T)}
  %v = dlc.matmul %n, %arg5 : ({ttype(x, T)}, {ttype(d, T)}) -> {ttype(x, T)}
  %kt = dlc.transpose %k permutation = [1, 0] : {ttype(x, T)} -> {ttype((4, 5), T)}
  %s = dlc.matmul %q, %kt : ({ttype(x, T)}, {ttype((4, 5), T)}) -> {ttype((5, 5), T)}
  %c = dlc.constant dense<0.5> : {ttype((5, 5), T)}
  %s1 = dlc.mul %s, %c : {ttype((5, 5), T)}
  %p = dlc.softmax %s1 axis = 1 : {ttype((5, 5), T)}
  %o = dlc.matmul %p, %v : ({ttype((5, 5), T)}, {ttype(x, T)}) -> {ttype(x, T)}
  %r = call @residual_{T}(%o, %arg0) : ({ttype(x, T)}, {ttype(x, T)}) -> {ttype(x, T)}
  %l = dlc.mse_loss %r, %arg6 : ({ttype(x, T)}, {ttype(x, T)}) -> tensor<{T}>
  return %l : tensor<{T}>"""


add("attention", attention,
    lambda T: [((5, 4), T), ((4,), T), ((4,), T), ((4, 4), T), ((4, 4), T), ((4, 4), T), ((5, 4), T)],
    [0, 1, 2, 3, 4, 5],
    [RNG.uniform(-1, 1, (5, 4)), RNG.uniform(0.5, 1.5, (4,)), RNG.uniform(-0.5, 0.5, (4,))]
    + [RNG.uniform(-1, 1, (4, 4)) for _ in range(3)] + [RNG.uniform(-1, 1, (5, 4))])

# An argument that does not reach the loss gets a zero gradient.
add("unused_argument",
    lambda T: f"""  %e = dlc.exp %arg1 : {ttype(S, T)}
""" + reduce_all("%arg0", S, T),
    lambda T: [(S, T), (S, T)], [0, 1], [RNG.uniform(-1, 1, S), RNG.uniform(-1, 1, S)])

HELPERS = "".join(
    f"func.func private @residual_{T}(%a: {ttype((5, 4), T)}, %b: {ttype((5, 4), T)}) -> {ttype((5, 4), T)} {{\n"
    f"  %s = dlc.add %a, %b : {ttype((5, 4), T)}\n  return %s : {ttype((5, 4), T)}\n}}\n"
    for T in ("f64", "f32", "f16"))


def signature(args):
    return ", ".join(f"%arg{i}: {ttype(*a)}" for i, a in enumerate(args))


def module_source():
    functions = [HELPERS]
    for case in CASES:
        for T in case.elements:
            args = case.args(T)
            types = ", ".join(ttype(*a) for a in args)
            grads = ", ".join(ttype(*args[i]) for i in case.wrt)
            wrt = ", ".join(map(str, case.wrt))
            operands = ", ".join(f"%arg{i}" for i in range(len(args)))
            functions.append(f"func.func @f_{case.name}_{T}({signature(args)}) -> tensor<{T}> {{\n"
                             f"{case.body(T)}\n}}\n")
            functions.append(
                f"func.func @g_{case.name}_{T}({signature(args)}) -> (tensor<{T}>, {grads}) {{\n"
                f"  %v, %g:{len(case.wrt)} = dlc.value_and_grad @f_{case.name}_{T}({operands}) "
                f"wrt = [{wrt}] : ({types}) -> (tensor<{T}>, {grads})\n"
                f"  return %v, " + ", ".join(f"%g#{i}" for i in range(len(case.wrt)))
                + f" : tensor<{T}>, {grads}\n}}\n")
    return "\n".join(functions)


def check(module, case, T):
    args64 = case.args("f64")
    inputs64 = [np.asarray(x).astype(NP[a[1]]) for x, a in zip(case.inputs, args64)]
    args = case.args(T)
    inputs = [x.astype(NP[a[1]]) for x, a in zip(inputs64, args)]

    def f(values):
        return float(module(f"f_{case.name}_f64", *values)[0])

    outputs = module(f"g_{case.name}_{T}", *inputs)
    rtol, atol = case.tol or TOL[T]
    # The value is the forward's.
    np.testing.assert_allclose(float(outputs[0]), f([x.astype(NP[a[1]]) for x, a in zip(inputs, args64)]),
                               rtol=max(rtol, 1e-12), atol=atol, err_msg="value")
    # Differences are taken at the inputs the f32/f16 gradient saw.
    base = [x.astype(np.float64) if a[1] in TOL else x for x, a in zip(inputs, args64)]
    eps = case.eps
    for grad, i in zip(outputs[1:], case.wrt):
        grad = grad.astype(np.float64)
        assert grad.shape == base[i].shape, f"gradient {i}: shape {grad.shape}"
        if base[i].size <= 64:
            fd = np.zeros_like(base[i])
            for j in np.ndindex(base[i].shape):
                plus = [x.copy() for x in base]
                minus = [x.copy() for x in base]
                plus[i][j] += eps
                minus[i][j] -= eps
                fd[j] = (f(plus) - f(minus)) / (2 * eps)
            np.testing.assert_allclose(grad, fd, rtol=rtol, atol=atol,
                                       err_msg=f"gradient {i} vs finite differences")
        else:
            for _ in range(3):
                t = RNG.standard_normal(base[i].shape)
                plus = [x.copy() for x in base]
                minus = [x.copy() for x in base]
                plus[i] += eps * t
                minus[i] -= eps * t
                directional = (f(plus) - f(minus)) / (2 * eps)
                np.testing.assert_allclose(np.sum(grad * t), directional,
                                           rtol=rtol, atol=atol * np.sqrt(t.size),
                                           err_msg=f"gradient {i}: dot-product test")


def main():
    options = target_options()
    source = module_source()
    count = sum(len(c.elements) for c in CASES)
    if options.cuda_arch:
        kernels = check_ptx(source, options.cuda_arch)
        print(f"gradients [cuda {options.cuda_arch}]: {count} cases, {kernels} kernels "
              f"accepted by ptxas")
        return
    if options.compile_only:
        with tempfile.TemporaryDirectory(prefix="dlc-") as work:
            compile_artifact(source, Path(work) / "module.dlc", options.cpu)
        print(f"gradients [{options.cpu}]: compiled {count} cases, not run")
        return
    module = Module(source, options.cpu)
    run_checks("gradients", options.cpu,
               [(f"{case.name}_{T}", lambda case=case, T=T: check(module, case, T))
                for case in CASES for T in case.elements])


main()
