# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: adjoints [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""The adjoint ops (conv2d_input_grad, conv2d_filter_grad, max_pool2d_grad,
avg_pool2d_grad) against direct NumPy float64 implementations, and the
tie conventions of the gradients, which finite differences cannot see (a
tie is a kink): max_pool2d and reduce_max send the cotangent to the first
maximum, NaN counting as the maximum; elementwise max/min split it evenly.
"""

import numpy as np

from harness import Suite, random, ttype

suite = Suite("adjoints")


def conv_out(size, k, stride, pad, dil):
    return (size + pad[0] + pad[1] - dil * (k - 1) - 1) // stride + 1


def pad_nchw(x, pad, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (pad[0], pad[1]), (pad[2], pad[3])), constant_values=value)


def windows(shape_out, stride, dil, k):
    """Slices of the padded input read at kernel offset k, per spatial dim."""
    return [slice(k[i] * dil[i], k[i] * dil[i] + (shape_out[i] - 1) * stride[i] + 1, stride[i])
            for i in range(2)]


def conv_input_grad_ref(g, w, x_shape, stride, pad, dil, groups):
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    og = o // groups
    dxp = np.zeros((n, c, h + pad[0] + pad[1], wd + pad[2] + pad[3]))
    for y in range(kh):
        for x in range(kw):
            rows, cols = windows(g.shape[2:], stride, dil, (y, x))
            for j in range(groups):
                contrib = np.einsum("nohw,oc->nchw", g[:, j * og:(j + 1) * og],
                                    w[j * og:(j + 1) * og, :, y, x])
                dxp[:, j * cg:(j + 1) * cg, rows, cols] += contrib
    return dxp[:, :, pad[0]:pad[0] + h, pad[2]:pad[2] + wd]


def conv_filter_grad_ref(x, g, w_shape, stride, pad, dil, groups):
    o, cg, kh, kw = w_shape
    og = o // groups
    xp = pad_nchw(x, pad)
    dw = np.zeros(w_shape)
    for y in range(kh):
        for xx in range(kw):
            rows, cols = windows(g.shape[2:], stride, dil, (y, xx))
            patch = xp[:, :, rows, cols]
            for j in range(groups):
                dw[j * og:(j + 1) * og, :, y, xx] = np.einsum(
                    "nohw,nchw->oc", g[:, j * og:(j + 1) * og], patch[:, j * cg:(j + 1) * cg])
    return dw


for name, (n, c, h, w), (o, kh, kw), stride, pad, dil, groups, element in (
        ("s1", (2, 3, 7, 6), (4, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, "f32"),
        ("s2_asym", (2, 3, 9, 8), (5, 3, 2), (2, 3), (2, 0, 1, 1), (1, 1), 1, "f64"),
        ("dilated_groups", (1, 4, 10, 9), (6, 3, 3), (1, 2), (0, 2, 1, 0), (2, 1), 2, "f64"),
        ("wide_pad", (1, 2, 4, 5), (3, 2, 2), (1, 1), (3, 0, 0, 3), (1, 1), 1, "f32"),
        ("f16", (2, 4, 6, 6), (8, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, "f16"),
        # im2col in chunks of images (576 x 8 * 14 * 14 floats exceed one);
        # the input gradient's conv also takes the im2col path (rows of 14).
        ("chunked", (8, 64, 14, 14), (12, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, "f32"),
        # On the GPU the filter gradient ([144, 12544] x [12544, 64], 9
        # blocks) is split into 16 K chunks and its im2col writes them
        # chunk-major (4 images each).
        ("split_k", (64, 16, 14, 14), (64, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, "f32")):
    oh = conv_out(h, kh, stride[0], pad[0:2], dil[0])
    ow = conv_out(w, kw, stride[1], pad[2:4], dil[1])
    xs, fs, ys = (n, c, h, w), (o, c // groups, kh, kw), (n, o, oh, ow)
    attrs = f"strides = {list(stride)} padding = {list(pad)} dilation = {list(dil)} groups = {groups}"
    # split_k's sums of 12544 products of about 100 in magnitude: 1e-3 is
    # 1e-5 of that (f32 round-off in another summation order).
    tol = ((2e-2, 2e-2) if element == "f16" else (1e-4, 1e-4) if name == "chunked"
           else (1e-4, 1e-3) if name == "split_k" else None)
    suite.add(f"conv2d_input_grad_{name}",
              f"  %0 = dlc.conv2d_input_grad %arg0, %arg1 {attrs} : ({ttype(ys, element)}, "
              f"{ttype(fs, element)}) -> {ttype(xs, element)}\n  return %0 : {ttype(xs, element)}",
              [(ys, element), (fs, element)], [(xs, element)],
              [random(ys, element), random(fs, element)],
              lambda g, f, xs=xs, st=stride, pd=pad, dl=dil, gr=groups:
              conv_input_grad_ref(g, f, xs, st, pd, dl, gr), tol=tol)
    suite.add(f"conv2d_filter_grad_{name}",
              f"  %0 = dlc.conv2d_filter_grad %arg0, %arg1 {attrs} : ({ttype(xs, element)}, "
              f"{ttype(ys, element)}) -> {ttype(fs, element)}\n  return %0 : {ttype(fs, element)}",
              [(xs, element), (ys, element)], [(fs, element)],
              [random(xs, element), random(ys, element)],
              lambda x, g, fs=fs, st=stride, pd=pad, dl=dil, gr=groups:
              conv_filter_grad_ref(x, g, fs, st, pd, dl, gr), tol=tol)


def max_pool_grad_ref(x, g, kernel, stride, pad):
    n, c, h, w = x.shape
    dx = np.zeros(x.shape)
    for b, ch, r, q in np.ndindex(g.shape):
        best, at = None, None
        for y in range(kernel[0]):
            for xx in range(kernel[1]):
                i, j = r * stride[0] + y - pad[0], q * stride[1] + xx - pad[2]
                if not (0 <= i < h and 0 <= j < w):
                    continue  # padding never wins
                v = x[b, ch, i, j]
                # first maximum; NaN beats everything (and the first NaN wins)
                if best is None or (not np.isnan(best) and (np.isnan(v) or v > best)):
                    best, at = v, (i, j)
        dx[b, ch, at[0], at[1]] += g[b, ch, r, q]
    return dx


def avg_pool_grad_ref(g, x_shape, kernel, stride, pad):
    n, c, h, w = x_shape
    dxp = np.zeros((n, c, h + pad[0] + pad[1], w + pad[2] + pad[3]))
    for y in range(kernel[0]):
        for xx in range(kernel[1]):
            rows, cols = windows(g.shape[2:], stride, (1, 1), (y, xx))
            dxp[:, :, rows, cols] += g / (kernel[0] * kernel[1])
    return dxp[:, :, pad[0]:pad[0] + h, pad[2]:pad[2] + w]


# Small integers give many ties; one input holds NaN and a window of -inf.
ties = np.random.default_rng(3).integers(0, 3, (2, 3, 7, 6)).astype(np.float64)
special = ties.copy()
special[0, 0, 1, 1] = np.nan
special[0, 1, 0:3, 0:3] = -np.inf
for name, x, kernel, stride, pad, element in (
        ("ties_2x2", ties[:, :, :6, :], (2, 2), (2, 2), (0, 0, 0, 0), "f32"),
        # windows that tile the input, but for a last row no window covers
        ("ties_2x2_leftover", ties[:, :, :, :], (2, 3), (2, 3), (0, 0, 0, 0), "f64"),
        ("ties_overlap_pad", ties, (3, 3), (2, 1), (1, 1, 1, 0), "f64"),
        ("nan_and_neg_inf", special, (3, 3), (1, 2), (1, 0, 1, 1), "f64"),
        ("f16", ties, (2, 3), (1, 2), (0, 1, 2, 0), "f16")):
    xs = x.shape
    ys = (xs[0], xs[1], conv_out(xs[2], kernel[0], stride[0], pad[0:2], 1),
          conv_out(xs[3], kernel[1], stride[1], pad[2:4], 1))
    attrs = f"kernel = {list(kernel)} strides = {list(stride)} padding = {list(pad)}"
    g = random(ys, element)
    suite.add(f"max_pool2d_grad_{name}",
              f"  %0 = dlc.max_pool2d_grad %arg0, %arg1 {attrs} : ({ttype(xs, element)}, "
              f"{ttype(ys, element)}) -> {ttype(xs, element)}\n  return %0 : {ttype(xs, element)}",
              [(xs, element), (ys, element)], [(xs, element)],
              [x.astype(np.float32 if element == "f32" else np.float16 if element == "f16" else np.float64), g],
              lambda x, g, k=kernel, st=stride, pd=pad: max_pool_grad_ref(x, g, k, st, pd))
    suite.add(f"avg_pool2d_grad_{name}",
              f"  %0 = dlc.avg_pool2d_grad %arg0 {attrs} : {ttype(ys, element)} -> {ttype(xs, element)}\n"
              f"  return %0 : {ttype(xs, element)}",
              [(ys, element)], [(xs, element)], [g],
              lambda g, xs=xs, k=kernel, st=stride, pd=pad: avg_pool_grad_ref(g, xs, k, st, pd))

# Tie conventions through dlc.grad.
S = (3, 4)
suite.functions.append(f"""func.func private @sum_of_max(%a: {ttype(S, 'f64')}) -> tensor<f64> {{
  %m = dlc.reduce_max %a axes = [1] : {ttype(S, 'f64')} -> {ttype((3,), 'f64')}
  %s = dlc.reduce_sum %m axes = [0] : {ttype((3,), 'f64')} -> tensor<f64>
  return %s : tensor<f64>
}}
func.func private @sum_of_min(%a: {ttype(S, 'f64')}) -> tensor<f64> {{
  %m = dlc.reduce_min %a axes = [0, 1] : {ttype(S, 'f64')} -> tensor<f64>
  return %m : tensor<f64>
}}
func.func private @sum_of_maximum(%a: {ttype(S, 'f64')}, %b: {ttype(S, 'f64')}) -> tensor<f64> {{
  %m = dlc.max %a, %b : {ttype(S, 'f64')}
  %n = dlc.min %a, %b : {ttype(S, 'f64')}
  %t = dlc.mul %m, %n : {ttype(S, 'f64')}
  %s = dlc.reduce_sum %t axes = [0, 1] : {ttype(S, 'f64')} -> tensor<f64>
  return %s : tensor<f64>
}}
""")
tied = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [np.nan, 5.0, np.nan, 1.0]])


def first_hot(x, axis_all=False, smallest=False):
    out = np.zeros(x.shape)
    rows = [x.reshape(-1)] if axis_all else list(x)
    for r, row in enumerate(rows):
        key = -row if smallest else row
        at = int(np.argmax(key))  # NumPy: first maximum, NaN first
        if axis_all:
            out.reshape(-1)[at] = 1
        else:
            out[r, at] = 1
    return out


suite.add("reduce_max_grad_first_max",
          f"  %g = dlc.grad @sum_of_max(%arg0) wrt = [0] : ({ttype(S, 'f64')}) -> {ttype(S, 'f64')}\n"
          f"  return %g : {ttype(S, 'f64')}",
          [(S, "f64")], [(S, "f64")], [tied], lambda x: first_hot(x))
ties_min = np.array([[4.0, 1.0, 3.0, 1.0], [2.0, 1.0, 2.0, 9.0], [1.0, 5.0, 7.0, 1.0]])
suite.add("reduce_min_grad_first_min",
          f"  %g = dlc.grad @sum_of_min(%arg0) wrt = [0] : ({ttype(S, 'f64')}) -> {ttype(S, 'f64')}\n"
          f"  return %g : {ttype(S, 'f64')}",
          [(S, "f64")], [(S, "f64")], [ties_min], lambda x: first_hot(x, True, True))
a = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 5.0, -1.0, 0.0], [2.5, 7.0, 7.0, -3.0]])
b = np.array([[1.0, 0.0, 4.0, 4.0], [5.0, 6.0, -1.0, 1.0], [2.0, 7.0, 8.0, -3.0]])


def maximum_minimum_grads(a, b):
    # d/da of max(a,b)*min(a,b) = a*b: b where a != b; at a tie each of max
    # and min sends half to a, so d/da = (b + a)/2 = a.
    tie = a == b
    return [np.where(tie, a, b), np.where(tie, b, a)]


suite.add("max_min_grad_ties_split",
          f"  %g:2 = dlc.grad @sum_of_maximum(%arg0, %arg1) wrt = [0, 1] : ({ttype(S, 'f64')}, "
          f"{ttype(S, 'f64')}) -> ({ttype(S, 'f64')}, {ttype(S, 'f64')})\n"
          f"  return %g#0, %g#1 : {ttype(S, 'f64')}, {ttype(S, 'f64')}",
          [(S, "f64"), (S, "f64")], [(S, "f64"), (S, "f64")], [a, b], maximum_minimum_grads)

# relu then max-pool (the relu mask moves to the pooled grid): ties among
# positive values and windows whose maximum is 0 (all inputs <= 0).
P = (2, 3, 6, 6)
suite.functions.append(f"""func.func private @relu_pool(%x: {ttype(P, 'f64')}, %c: {ttype((2, 3, 3, 3), 'f64')}) -> tensor<f64> {{
  %r = dlc.relu %x : {ttype(P, 'f64')}
  %p = dlc.max_pool2d %r kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : {ttype(P, 'f64')} -> {ttype((2, 3, 3, 3), 'f64')}
  %m = dlc.mul %p, %c : {ttype((2, 3, 3, 3), 'f64')}
  %s = dlc.reduce_sum %m axes = [0, 1, 2, 3] : {ttype((2, 3, 3, 3), 'f64')} -> tensor<f64>
  return %s : tensor<f64>
}}
""")
relu_in = np.random.default_rng(4).integers(-2, 3, P).astype(np.float64)
relu_in[0, 0, 0:2, 0:2] = [[-1.0, 0.0], [0.0, -2.0]]  # a window whose maximum is 0


def relu_pool_grad(x, c):
    y = np.maximum(x, 0)
    return max_pool_grad_ref(y, c, (2, 2), (2, 2), (0, 0, 0, 0)) * (x > 0)


suite.add("relu_max_pool_grad_ties",
          f"  %g = dlc.grad @relu_pool(%arg0, %arg1) wrt = [0] : ({ttype(P, 'f64')}, "
          f"{ttype((2, 3, 3, 3), 'f64')}) -> {ttype(P, 'f64')}\n  return %g : {ttype(P, 'f64')}",
          [(P, "f64"), ((2, 3, 3, 3), "f64")], [(P, "f64")],
          [relu_in, random((2, 3, 3, 3), "f64")], relu_pool_grad)

suite.run()
