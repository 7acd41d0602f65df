# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: composite [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""softmax, log_softmax, layer_norm and the losses vs NumPy float64."""

import numpy as np

from harness import Suite, random, ttype

suite = Suite("composite")


def softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def log_softmax(x, axis):
    s = x - x.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


# Logits of +-1e4 overflow exp() unless the maximum is subtracted first.
large = np.array([[1e4, 1e4 - 1, -1e4, 0], [-1e4, -1e4 + 2, -1e4, -1e4 + 1],
                  [88, 89, 90, 91]], dtype=np.float32)
for op, ref in (("softmax", softmax), ("log_softmax", log_softmax)):
    suite.add(f"{op}_large_logits",
              f"  %0 = dlc.{op} %arg0 axis = 1 : {ttype((3, 4), 'f32')}\n"
              f"  return %0 : {ttype((3, 4), 'f32')}",
              [((3, 4), "f32")], [((3, 4), "f32")], [large], lambda x, ref=ref: ref(x, 1))
    for shape, axis, element in (((5, 10), 1, "f32"), ((4, 3, 6), 0, "f64"),
                                 ((2, 7, 3), 1, "f16"), ((8, 33), 1, "bf16"), ((1,), 0, "f32"),
                                 # Row nests: rows in parallel, reductions
                                 # over 32/64-wide partial vectors.
                                 ((6, 96), 1, "f32"), ((3, 5, 192), 2, "f32"),
                                 ((4, 128), 1, "f16"),
                                 # Long rows: several warps a row (2 at
                                 # 1024 columns, 4 at 2048, 8 at 4096),
                                 # their totals folded; a ragged one.
                                 ((3, 4096), 1, "f32"), ((5, 1100), 1, "f32"),
                                 ((4, 2048), 1, "f16")):
        suite.add(f"{op}_{'x'.join(map(str, shape))}_axis{axis}_{element}",
                  f"  %0 = dlc.{op} %arg0 axis = {axis} : {ttype(shape, element)}\n"
                  f"  return %0 : {ttype(shape, element)}",
                  [(shape, element)], [(shape, element)], [random(shape, element, -8, 8)],
                  lambda x, ref=ref, axis=axis: ref(x, axis))

# NaN and -inf inside long rows (vectorized max, exp and sums): a NaN row is
# all NaN, -inf entries get probability 0.
special = random((2, 128), "f32", -8, 8)
special[0, 77] = np.nan
special[1, 3] = -np.inf
special[1, 100] = -np.inf
for op, ref in (("softmax", softmax), ("log_softmax", log_softmax)):
    suite.add(f"{op}_nan_inf_rows",
              f"  %0 = dlc.{op} %arg0 axis = 1 : {ttype((2, 128), 'f32')}\n"
              f"  return %0 : {ttype((2, 128), 'f32')}",
              [((2, 128), "f32")], [((2, 128), "f32")], [special], lambda x, ref=ref: ref(x, 1))


def layer_norm(x, scale=None, bias=None, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if scale is not None:
        y = y * scale
    if bias is not None:
        y = y + bias
    return y


for shape, element, parts in (((4, 16), "f32", "sb"), ((2, 3, 8), "f64", ""), ((6, 5), "f32", "s"),
                              ((6, 5), "f32", "b"), ((3, 32), "f16", "sb"), ((3, 32), "bf16", "sb"),
                              ((4, 256), "f32", "sb"), ((3, 2, 96), "f32", ""),
                              # several warps a row
                              ((6, 1024), "f32", "sb"), ((2, 2, 2048), "f32", "")):
    d = shape[-1]
    args = [(shape, element)]
    operands = ""
    if "s" in parts:
        args.append(((d,), element))
        operands += f" scale %arg{len(args) - 1}"
    if "b" in parts:
        args.append(((d,), element))
        operands += f" bias %arg{len(args) - 1}"
    types = ", ".join(ttype(*a) for a in args)

    def ref(x, *rest, parts=parts):
        rest = list(rest)
        scale = rest.pop(0) if "s" in parts else None
        bias = rest.pop(0) if "b" in parts else None
        return layer_norm(x, scale, bias)
    suite.add(f"layer_norm_{'x'.join(map(str, shape))}_{element}_{parts or 'plain'}",
              f"  %0 = dlc.layer_norm %arg0{operands} epsilon = 1.0e-05 : ({types}) -> "
              f"{ttype(shape, element)}\n  return %0 : {ttype(shape, element)}",
              args, [(shape, element)], [random(a[0], element, -3, 3) for a in args], ref)

# A large common offset: a one-pass E[x^2] - E[x]^2 variance would lose the
# whole variance (~0.33) to cancellation at 1e8; f32 rounding of a mean near
# 1e4 costs ~1e-4, well inside the tolerance.
offset = (random((4, 64), "f32", -1, 1) + np.float32(1e4)).astype(np.float32)
suite.add("layer_norm_large_mean",
          f"  %0 = dlc.layer_norm %arg0 epsilon = 1.0e-05 : ({ttype((4, 64), 'f32')}) -> "
          f"{ttype((4, 64), 'f32')}\n  return %0 : {ttype((4, 64), 'f32')}",
          [((4, 64), "f32")], [((4, 64), "f32")], [offset], layer_norm, (1e-2, 1e-2))


# A causal mask (column j of row i kept while j <= 4 i + 3) read from the
# loop's position, then a softmax: on the GPU one row nest whose threads
# each see row i and columns l, l + 32, ... of their block.
CAUSAL = """  %neg = arith.constant 0xFF800000 : f32
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %e = tensor.empty() : tensor<16x64xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%arg0 : tensor<16x64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %i1 = arith.addi %i, %c1 : index
    %limit = arith.muli %i1, %c4 : index
    %keep = arith.cmpi ult, %j, %limit : index
    %v = arith.select %keep, %in, %neg : f32
    linalg.yield %v : f32
  } -> tensor<16x64xf32>
  %0 = dlc.softmax %m axis = 1 : tensor<16x64xf32>
  return %0 : tensor<16x64xf32>"""


def causal_softmax(x):
    rows, cols = np.indices(x.shape)
    return softmax(np.where(cols < 4 * (rows + 1), x, -np.inf), 1)


suite.add("causal_softmax_16x64", CAUSAL, [((16, 64), "f32")], [((16, 64), "f32")],
          [random((16, 64), "f32", -3, 3)], causal_softmax)


def cross_entropy(logits, labels):
    labels = labels.astype(np.int64)
    valid = (labels >= 0) & (labels < logits.shape[1])
    lse = logits.max(1) + np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1))
    picked = logits[np.arange(len(labels)), np.where(valid, labels, 0)]
    losses = np.where(valid, lse - picked, np.nan)
    return np.array(losses.mean())


for n, c, label_type, element, low, high in ((8, 10, "i64", "f32", -5, 5), (5, 3, "i32", "f64", -5, 5),
                                             (4, 7, "i64", "f32", -1e4, 1e4),
                                             (16, 10, "i32", "f16", -4, 4),
                                             # Rows of a multiple of 32: a row nest on
                                             # the GPU (its per-row loss gathers).
                                             (24, 64, "i64", "f32", -5, 5),
                                             (16, 96, "i32", "f16", -4, 4),
                                             (12, 128, "i64", "f64", -5, 5),
                                             # two warps a row
                                             (6, 1024, "i64", "f32", -5, 5)):
    labels = random((n,), label_type, 0, c - 1)
    suite.add(f"softmax_cross_entropy_{n}x{c}_{element}_{label_type}",
              f"  %0 = dlc.softmax_cross_entropy %arg0, %arg1 : ({ttype((n, c), element)}, "
              f"{ttype((n,), label_type)}) -> {ttype((), element)}\n  return %0 : {ttype((), element)}",
              [((n, c), element), ((n,), label_type)], [((), element)],
              [random((n, c), element, low, high), labels], cross_entropy)
# A label outside [0, C) makes the loss NaN instead of reading out of bounds.
suite.add("softmax_cross_entropy_bad_label",
          f"  %0 = dlc.softmax_cross_entropy %arg0, %arg1 : ({ttype((3, 4), 'f32')}, "
          f"{ttype((3,), 'i64')}) -> {ttype((), 'f32')}\n  return %0 : {ttype((), 'f32')}",
          [((3, 4), "f32"), ((3,), "i64")], [((), "f32")],
          [random((3, 4)), np.array([0, 4, 1], np.int64)], cross_entropy)
suite.add("softmax_cross_entropy_bad_label_64",
          f"  %0 = dlc.softmax_cross_entropy %arg0, %arg1 : ({ttype((16, 64), 'f32')}, "
          f"{ttype((16,), 'i64')}) -> {ttype((), 'f32')}\n  return %0 : {ttype((), 'f32')}",
          [((16, 64), "f32"), ((16,), "i64")], [((), "f32")],
          [random((16, 64)), np.array([3] * 9 + [-1] + [63] * 6, np.int64)], cross_entropy)

for shape, element in (((32, 1), "f32"), ((3, 4, 5), "f64"), ((7,), "f16"), ((), "f32")):
    suite.add(f"mse_loss_{len(shape)}d_{element}",
              f"  %0 = dlc.mse_loss %arg0, %arg1 : ({ttype(shape, element)}, {ttype(shape, element)})"
              f" -> {ttype((), element)}\n  return %0 : {ttype((), element)}",
              [(shape, element)] * 2, [((), element)],
              [random(shape, element), random(shape, element)],
              lambda x, t: np.array(((x - t) ** 2).mean()))

suite.run()
