# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: nest_sweep [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""Contraction nests at shapes drawn at random (fixed seed): matmul + bias +
tanh, batched matmul + relu and conv2d + relu, with every kind of remainder
in M, N, OW and F at each vector width and register-tile height. Any shape
that compiles on one ISA level must compile, and agree with NumPy, on all."""

import random as pyrandom

import numpy as np

from harness import Suite, random, ttype

suite = Suite("nest_sweep")
draw = pyrandom.Random(7)


def conv_ref(x, w):
    kh, kw = w.shape[2:]
    oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,oc->nohw", x[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    return out


for i in range(36):
    kind = ("matmul", "batched", "conv")[i % 3]
    if kind == "matmul":
        m, k, n = draw.randint(1, 140), draw.randint(1, 70), draw.randint(1, 140)
        a, b, c, bias = (m, k), (k, n), (m, n), (n,)
        body = (f"  %0 = dlc.matmul %arg0, %arg1 : ({ttype(a, 'f32')}, {ttype(b, 'f32')}) -> {ttype(c, 'f32')}\n"
                f"  %1 = dlc.broadcast_to %arg2 : {ttype(bias, 'f32')} -> {ttype(c, 'f32')}\n"
                f"  %2 = dlc.add %0, %1 : {ttype(c, 'f32')}\n"
                f"  %3 = dlc.tanh %2 : {ttype(c, 'f32')}\n"
                f"  return %3 : {ttype(c, 'f32')}")
        args = [a, b, bias]
        ref = lambda x, y, z: np.tanh(x @ y + z)
        name = f"matmul_tanh_{m}x{k}x{n}"
    elif kind == "batched":
        bs, m, k, n = draw.randint(1, 4), draw.randint(1, 40), draw.randint(1, 30), draw.randint(1, 70)
        a, b, c = (bs, m, k), (bs, k, n), (bs, m, n)
        body = (f"  %0 = dlc.matmul %arg0, %arg1 : ({ttype(a, 'f32')}, {ttype(b, 'f32')}) -> {ttype(c, 'f32')}\n"
                f"  %1 = dlc.relu %0 : {ttype(c, 'f32')}\n"
                f"  return %1 : {ttype(c, 'f32')}")
        args = [a, b]
        ref = lambda x, y: np.maximum(x @ y, 0)
        name = f"batched_relu_{bs}x{m}x{k}x{n}"
    else:
        nb, ci, h, w, f = (draw.randint(1, 2), draw.randint(1, 6), draw.randint(3, 12),
                           draw.randint(3, 40), draw.randint(1, 20))
        kh, kw = draw.randint(1, 3), draw.randint(1, 3)
        a, b, c = (nb, ci, h, w), (f, ci, kh, kw), (nb, f, h - kh + 1, w - kw + 1)
        body = (f"  %0 = dlc.conv2d %arg0, %arg1 strides = [1, 1] padding = [0, 0, 0, 0] "
                f"dilation = [1, 1] groups = 1 : ({ttype(a, 'f32')}, {ttype(b, 'f32')}) -> {ttype(c, 'f32')}\n"
                f"  %1 = dlc.relu %0 : {ttype(c, 'f32')}\n"
                f"  return %1 : {ttype(c, 'f32')}")
        args = [a, b]
        ref = lambda x, y: np.maximum(conv_ref(x, y), 0)
        name = f"conv_relu_{nb}x{ci}x{h}x{w}_f{f}_k{kh}x{kw}"
    # Inputs in [-1, 1]: f32 sums of at most 70 products stay within 2e-5.
    suite.add(f"{name}_{i}", body, [(s, "f32") for s in args], [(c, "f32")],
              [random(s, "f32", -1, 1) for s in args], ref, (2e-5, 2e-5))

suite.run()
