# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: reduction [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""reduce_sum/mean/max/min and argmax vs NumPy, including NaN, ties, keepdims."""

import numpy as np

from harness import Suite, random, ttype

suite = Suite("reduction")

REDUCE = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
          "reduce_min": np.min}
CASES = [((4, 7), (1,), False), ((4, 7), (0,), True), ((3, 5, 6), (0, 2), False),
         ((3, 5, 6), (2, 0, 1), True), ((13,), (0,), False), ((2, 3, 4, 5), (1, 3), True),
         ((8, 16, 12, 12), (0, 2, 3), False), ((8192,), (0,), False),
         # (Bias gradients: on the GPU the partials per image and channel
         # are rows of a row nest, 144 and 63 columns.)
         ((3, 5, 7, 9), (0, 2, 3), True),
         # (Everything into a scalar: on the GPU rows of partials (80 of
         # 1200; 3 of 7919, a prime) and then a row of them.)
         ((96, 1000), (0, 1), False), ((3, 7919), (1, 0), True)]


def reduced_shape(shape, axes, keepdims):
    return tuple(1 if i in axes else d for i, d in enumerate(shape)
                 if keepdims or i not in axes)


for op, ref in REDUCE.items():
    for i, (shape, axes, keepdims) in enumerate(CASES):
        elements = ["f32"]
        if i == 2:
            elements += ["f64", "f16", "bf16"] + (["i32", "i64"] if op != "reduce_mean" else [])
        if i == 6:
            elements += ["f16", "bf16"] + (["i64"] if op != "reduce_mean" else [])
        if i == 8:
            elements += ["f64"] + (["i32"] if op != "reduce_mean" else [])
        if i == 9:
            elements += ["f16"] + (["i64"] if op != "reduce_mean" else [])
        for element in elements:
            out = reduced_shape(shape, axes, keepdims)
            kd = " keepdims" if keepdims else ""
            axes_text = "[" + ", ".join(map(str, axes)) + "]"
            # A sequential f32 sum of n values of size <= 50 may be off by
            # about n * 50 * eps absolutely when it cancels; half types
            # accumulate in f32, so only their final rounding matters.
            count = int(np.prod([shape[a] for a in axes]))
            tol = (2e-5, count * 50 * 2.4e-7) if element == "f32" and op == "reduce_sum" else None
            suite.add(f"{op}_{i}_{element}",
                      f"  %0 = dlc.{op} %arg0 axes = {axes_text}{kd} : {ttype(shape, element)}"
                      f" -> {ttype(out, element)}\n  return %0 : {ttype(out, element)}",
                      [(shape, element)], [(out, element)], [random(shape, element, -50, 50)],
                      lambda x, ref=ref, axes=axes, kd=keepdims: ref(x, axis=axes, keepdims=kd), tol)

# Three reductions of one input into scalars, returned together (on the GPU
# each a row nest ending in its own scalar buffer).
suite.add("sum_max_mean_all",
          f"  %0 = dlc.reduce_sum %arg0 axes = [0, 1] : {ttype((64, 100), 'f32')} -> {ttype((), 'f32')}\n"
          f"  %1 = dlc.reduce_max %arg0 axes = [0, 1] : {ttype((64, 100), 'f32')} -> {ttype((), 'f32')}\n"
          f"  %2 = dlc.reduce_mean %arg0 axes = [0, 1] : {ttype((64, 100), 'f32')} -> {ttype((), 'f32')}\n"
          f"  return %0, %1, %2 : {ttype((), 'f32')}, {ttype((), 'f32')}, {ttype((), 'f32')}",
          [((64, 100), "f32")], [((), "f32")] * 3, [random((64, 100), "f32", -1, 1)],
          lambda x: [x.sum(), x.max(), x.mean()], (1e-5, 1e-4))

# NaN propagates through max/min/sum like NumPy (not fmax/nanmax).
with_nan = random((3, 4))
with_nan[1, 2] = np.nan
for op, ref in REDUCE.items():
    suite.add(f"{op}_nan",
              f"  %0 = dlc.{op} %arg0 axes = [1] : {ttype((3, 4), 'f32')} -> {ttype((3,), 'f32')}\n"
              f"  return %0 : {ttype((3,), 'f32')}",
              [((3, 4), "f32")], [((3,), "f32")], [with_nan],
              lambda x, ref=ref: ref(x, axis=1))

# argmax: the first maximum wins ties; a NaN is the maximum (first NaN wins).
ties = np.array([[1, 5, 5, 2], [7, 7, 7, 7], [-np.inf, -np.inf, -np.inf, -np.inf],
                 [0, np.nan, 3, np.nan]], dtype=np.float32)
suite.add("argmax_ties_nan",
          f"  %0 = dlc.argmax %arg0 axis = 1 : {ttype((4, 4), 'f32')} -> {ttype((4,), 'i64')}\n"
          f"  return %0 : {ttype((4,), 'i64')}",
          [((4, 4), "f32")], [((4,), "i64")], [ties], lambda x: np.argmax(x, axis=1))
for i, (shape, axis, keepdims, element) in enumerate(
        [((5, 9), 0, False, "f32"), ((3, 4, 6), 2, True, "f64"), ((3, 4, 6), 1, False, "i32"),
         ((10,), 0, False, "f16")]):
    out = tuple(1 if d == axis else s for d, s in enumerate(shape) if keepdims or d != axis)
    kd = " keepdims" if keepdims else ""
    suite.add(f"argmax_{i}_{element}",
              f"  %0 = dlc.argmax %arg0 axis = {axis}{kd} : {ttype(shape, element)} -> "
              f"{ttype(out, 'i64')}\n  return %0 : {ttype(out, 'i64')}",
              [(shape, element)], [(out, "i64")], [random(shape, element, -20, 20)],
              lambda x, axis=axis, kd=keepdims: np.argmax(x, axis=axis, keepdims=kd))

suite.run()
