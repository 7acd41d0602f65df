# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: shape [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""broadcast_to, reshape, transpose, slice, concat, pad, gather and scatter_add vs NumPy."""

import numpy as np

from harness import Suite, random, ttype

suite = Suite("shape")


def one_op(text, arg_types, result_type):
    return f"  %0 = {text}\n  return %0 : {ttype(*result_type)}"


BROADCASTS = [((3,), (2, 3)), ((1, 3), (4, 3)), ((4, 1), (4, 5)), ((1,), (2, 3, 4)),
              ((2, 1, 3), (5, 2, 4, 3)), ((), (3, 2)), ((2, 3), (2, 3))]
for i, (src, dst) in enumerate(BROADCASTS):
    for element in ("f32", "i64"):
        suite.add(f"broadcast_to_{i}_{element}",
                  one_op(f"dlc.broadcast_to %arg0 : {ttype(src, element)} -> {ttype(dst, element)}",
                         [(src, element)], (dst, element)),
                  [(src, element)], [(dst, element)], [random(src, element)],
                  lambda x, dst=dst: np.broadcast_to(x, dst))

RESHAPES = [((2, 3), (6,)), ((6,), (3, 2)), ((2, 3, 4), (4, 6)), ((1,), ()), ((), (1, 1)),
            ((4, 6), (2, 2, 3, 2))]
for i, (src, dst) in enumerate(RESHAPES):
    suite.add(f"reshape_{i}",
              one_op(f"dlc.reshape %arg0 : {ttype(src, 'f32')} -> {ttype(dst, 'f32')}",
                     [(src, "f32")], (dst, "f32")),
              [(src, "f32")], [(dst, "f32")], [random(src)],
              lambda x, dst=dst: x.reshape(dst))

TRANSPOSES = [((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4, 5), (0, 2, 3, 1)), ((5,), (0,)),
              # On the GPU through shared-memory tiles (dlc-tile-for-gpu):
              # NCHW -> NHWC as [N, C, HW] -> [N, HW, C] in 16 x 32 tiles,
              # 28 x 32 tiles of 196 rows, and [2, 48, 40] -> [40, 2, 48]
              # as [96, 40] -> [40, 96] (8 x 32).
              ((2, 32, 28, 28), (0, 2, 3, 1)), ((64, 196), (1, 0)), ((2, 48, 40), (2, 0, 1))]
for i, (src, perm) in enumerate(TRANSPOSES):
    dst = tuple(src[p] for p in perm)
    perm_text = ", ".join(map(str, perm))
    # (Booleans and f16 through the tiles too: an i1 takes a byte of shared
    # memory, 1 / 8 of one until the session of 2026-12-03, seventh.)
    for element in ("f32", "i32") + (("i1", "f16") if i == 6 else ()):
        suite.add(f"transpose_{i}_{element}",
                  one_op(f"dlc.transpose %arg0 permutation = [{perm_text}] : "
                         f"{ttype(src, element)} -> {ttype(dst, element)}",
                         [(src, element)], (dst, element)),
                  [(src, element)], [(dst, element)], [random(src, element)],
                  lambda x, perm=perm: np.transpose(x, perm))

SLICES = [((7, 9), (0, 1), (7, 9), (1, 1)), ((7, 9), (1, 2), (6, 9), (2, 3)),
          ((4, 5, 6), (3, 0, 5), (4, 5, 6), (1, 4, 1)), ((10,), (2,), (2,), (1,)),
          # Empty slices at the end of a dimension (start = limit = size).
          ((4,), (4,), (4,), (1,)), ((3, 5), (3, 0), (3, 5), (1, 1)),
          ((4, 5, 6), (0, 5, 2), (4, 5, 6), (1, 1, 2))]
for i, (src, start, limit, strides) in enumerate(SLICES):
    index = tuple(slice(a, b, s) for a, b, s in zip(start, limit, strides))
    dst = np.empty(src)[index].shape
    fmt = lambda v: "[" + ", ".join(map(str, v)) + "]"
    suite.add(f"slice_{i}",
              one_op(f"dlc.slice %arg0 start = {fmt(start)} limit = {fmt(limit)} "
                     f"strides = {fmt(strides)} : {ttype(src, 'f32')} -> {ttype(dst, 'f32')}",
                     [(src, "f32")], (dst, "f32")),
              [(src, "f32")], [(dst, "f32")], [random(src)],
              lambda x, index=index: x[index])

CONCATS = [([(2, 3), (1, 3), (4, 3)], 0), ([(2, 3), (2, 5)], 1), ([(2, 1, 3), (2, 4, 3)], 1),
           ([(2, 0), (2, 3), (2, 0)], 1), ([(0, 3), (0, 3)], 0)]
for i, (shapes, axis) in enumerate(CONCATS):
    dst = list(shapes[0])
    dst[axis] = sum(s[axis] for s in shapes)
    args = ", ".join(f"%arg{j}" for j in range(len(shapes)))
    types = ", ".join(ttype(s, "f32") for s in shapes)
    suite.add(f"concat_{i}",
              one_op(f"dlc.concat {args} axis = {axis} : ({types}) -> {ttype(dst, 'f32')}",
                     None, (dst, "f32")),
              [(s, "f32") for s in shapes], [(dst, "f32")], [random(s) for s in shapes],
              lambda *xs, axis=axis: np.concatenate(xs, axis))

# Zero-size values flowing through ops: an empty slice at the end, its exp,
# concatenated back onto a non-empty tensor.
t4, t0 = ttype((4,), "f32"), ttype((0,), "f32")
suite.add("empty_slice_chain",
          f"  %0 = dlc.slice %arg0 start = [4] limit = [4] strides = [1] : {t4} -> {t0}\n"
          f"  %1 = dlc.exp %0 : {t0}\n"
          f"  %2 = dlc.concat %arg0, %1 axis = 0 : ({t4}, {t0}) -> {t4}\n"
          f"  return %2, %1 : {t4}, {t0}",
          [((4,), "f32")], [((4,), "f32"), ((0,), "f32")], [random((4,))],
          lambda x: [x, x[4:]])

PADS = [((2, 3), (0, 1), (0, 2), "1.5 : f32", "f32", 1.5),
        ((3,), (2,), (0,), "-7 : i32", "i32", -7),
        ((2, 2, 2), (1, 0, 1), (1, 1, 0), "0.0 : f64", "f64", 0.0)]
for i, (src, low, high, value, element, pad_value) in enumerate(PADS):
    dst = tuple(s + a + b for s, a, b in zip(src, low, high))
    fmt = lambda v: "[" + ", ".join(map(str, v)) + "]"
    suite.add(f"pad_{i}",
              one_op(f"dlc.pad %arg0 low = {fmt(low)} high = {fmt(high)} value = {value} "
                     f": {ttype(src, element)} -> {ttype(dst, element)}",
                     None, (dst, element)),
              [(src, element)], [(dst, element)], [random(src, element, -9, 9)],
              lambda x, low=low, high=high, v=pad_value: np.pad(
                  x, list(zip(low, high)), constant_values=v))

# gather: an index outside [0, rows) gives a NaN row (float) or zeros (int).
table = random((10, 4))
indices = np.array([[0, 9, 3], [12, -1, 5]], dtype=np.int64)


def gather_ref(t, ids, fill=np.nan):
    ids = ids.astype(np.int64)
    valid = (ids >= 0) & (ids < t.shape[0])
    out = t[np.where(valid, ids, 0)].astype(np.float64)
    out[~valid] = fill
    return out


suite.add("gather_f32_out_of_range",
          one_op(f"dlc.gather %arg0, %arg1 : ({ttype((10, 4), 'f32')}, {ttype((2, 3), 'i64')}) "
                 f"-> {ttype((2, 3, 4), 'f32')}", None, ((2, 3, 4), "f32")),
          [((10, 4), "f32"), ((2, 3), "i64")], [((2, 3, 4), "f32")], [table, indices],
          gather_ref)
suite.add("gather_i32_rank1",
          one_op(f"dlc.gather %arg0, %arg1 : ({ttype((6,), 'i32')}, {ttype((4,), 'i32')}) "
                 f"-> {ttype((4,), 'i32')}", None, ((4,), "i32")),
          [((6,), "i32"), ((4,), "i32")], [((4,), "i32")],
          [random((6,), "i32", -9, 9), np.array([5, 0, 6, 2], np.int32)],
          lambda t, ids: gather_ref(t, ids, fill=0))


# scatter_add: repeated indices accumulate, out-of-range ones are skipped.
def scatter_add_ref(updates, ids, rows):
    ids = ids.astype(np.int64)
    out = np.zeros((rows,) + updates.shape[ids.ndim:])
    for index in np.ndindex(ids.shape):
        if 0 <= ids[index] < rows:
            out[ids[index]] += updates[index]
    return out


for element in ("f32", "f64", "i32"):
    suite.add(f"scatter_add_{element}",
              one_op(f"dlc.scatter_add %arg0, %arg1 : ({ttype((2, 3, 4), element)}, "
                     f"{ttype((2, 3), 'i64')}) -> {ttype((6, 4), element)}", None, ((6, 4), element)),
              [((2, 3, 4), element), ((2, 3), "i64")], [((6, 4), element)],
              [random((2, 3, 4), element, -9, 9), np.array([[0, 5, 3], [3, -1, 6]], np.int64)],
              lambda u, ids: scatter_add_ref(u, ids, 6))
# Rows of 128 and of [4, 32] (an embedding's gradient): on the GPU, each
# element of the row runs the index loop in its own thread.
for element, rows, row in (("f32", 7, (128,)), ("f64", 5, (4, 32))):
    suite.add(f"scatter_add_rows_{element}",
              one_op(f"dlc.scatter_add %arg0, %arg1 : ({ttype((9,) + row, element)}, "
                     f"{ttype((9,), 'i64')}) -> {ttype((rows,) + row, element)}", None,
                     ((rows,) + row, element)),
              [((9,) + row, element), ((9,), "i64")], [((rows,) + row, element)],
              [random((9,) + row, element, -9, 9),
               np.array([3, 0, rows - 1, 3, -2, rows, 1, 3, 0], np.int64)],
              lambda u, ids, rows=rows: scatter_add_ref(u, ids, rows))
suite.add("scatter_add_rank1",
          one_op(f"dlc.scatter_add %arg0, %arg1 : ({ttype((5,), 'f32')}, {ttype((5,), 'i32')}) "
                 f"-> {ttype((3,), 'f32')}", None, ((3,), "f32")),
          [((5,), "f32"), ((5,), "i32")], [((3,), "f32")],
          [random((5,)), np.array([2, 2, 0, 2, 7], np.int32)],
          lambda u, ids: scatter_add_ref(u, ids, 3))

suite.run()
