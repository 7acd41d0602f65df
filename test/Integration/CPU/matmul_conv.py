# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: matmul_conv [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""matmul (2-D and batched), conv2d and pooling vs NumPy float64 references."""

import numpy as np

from harness import Suite, random, ttype

suite = Suite("matmul_conv")


def fn(text, result):
    return f"  %0 = {text}\n  return %0 : {ttype(*result)}"


MATMULS = [((1, 1), (1, 1)), ((7, 13), (13, 5)), ((16, 33), (33, 10)),
           ((3, 4, 5), (3, 5, 6)), ((2, 3, 4, 5), (2, 3, 5, 2)),
           # Tiled and vectorized: N split into 32 + 5 columns, M into 8 + 1.
           ((3, 9, 37), (3, 37, 37)), ((4, 64, 48), (4, 48, 40))]
for i, (a, b) in enumerate(MATMULS):
    out = a[:-1] + b[-1:]
    for element in ("f32", "f64", "f16", "bf16", "i32"):
        if element in ("f16", "bf16", "i32") and i not in (1, 3, 5):
            continue
        # f16/bf16 round the inputs only; accumulation is f32.
        # f32 sums of K products of |x| <= 3 lose up to ~K * 9 * 2^-24 near
        # cancellation; the default atol (1e-6) is for K below ~10.
        tol = {"f16": (5e-3, 5e-3), "bf16": (2e-2, 2e-2),
               "f32": (2e-5, 2e-5) if i >= 5 else None}.get(element)
        suite.add(f"matmul_{i}_{element}",
                  fn(f"dlc.matmul %arg0, %arg1 : ({ttype(a, element)}, {ttype(b, element)}) "
                     f"-> {ttype(out, element)}", (out, element)),
                  [(a, element), (b, element)], [(out, element)],
                  [random(a, element, -3, 3), random(b, element, -3, 3)], np.matmul, tol)


# Nests with a fused consumer (bias + relu) at shapes that leave M and N
# remainders at every vector width (4, 8 and 16 f32 lanes) and every register
# tile height: each split piece must still fuse its contraction. (M, K, N.)
# The last one is tiled by the GPU schedule, its consumer fused into the
# blocks.
DENSE = [(1, 1, 1), (8, 32, 10), (6, 7, 10), (13, 5, 24), (7, 9, 33), (24, 16, 50),
         (69, 12, 100), (10, 40, 3), (5, 64, 17), (128, 20, 72), (64, 40, 128)]
for m, k, n in DENSE:
    ta, tb, tc, tbias = (ttype(s, "f32") for s in ((m, k), (k, n), (m, n), (n,)))
    suite.add(f"dense_relu_{m}x{k}x{n}",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
              f"  %1 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
              f"  %2 = dlc.add %0, %1 : {tc}\n"
              f"  %3 = dlc.relu %2 : {tc}\n"
              f"  return %3 : {tc}",
              [((m, k), "f32"), ((k, n), "f32"), ((n,), "f32")], [((m, n), "f32")],
              [random((m, k)), random((k, n)), random((n,))],
              lambda a, b, bias: np.maximum(a @ b + bias, 0), (2e-5, 2e-5))
# Panels of B larger than L2 take the packed path (B in register-width
# strips, row sub-blocks, N-outer register loops), with a fused consumer, an
# M remainder and f64. Inputs in [-1, 1]: f32 sums of 512 products round to
# about 1e-5.
for m, k, n, element in [(300, 512, 1024, "f32"), (30, 256, 1024, "f64")]:
    ta, tb, tc, tbias = (ttype(s, element) for s in ((m, k), (k, n), (m, n), (n,)))
    suite.add(f"packed_dense_relu_{m}x{k}x{n}_{element}",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
              f"  %1 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
              f"  %2 = dlc.add %0, %1 : {tc}\n"
              f"  %3 = dlc.relu %2 : {tc}\n"
              f"  return %3 : {tc}",
              [((m, k), element), ((k, n), element), ((n,), element)], [((m, n), element)],
              [random((m, k), element, -1, 1), random((k, n), element, -1, 1),
               random((n,), element, -1, 1)],
              lambda a, b, bias: np.maximum(a @ b + bias, 0),
              (1e-4, 1e-4) if element == "f32" else None)
# Shapes the GPU schedule tiles (dlc-tile-for-gpu: M and N multiples of 16,
# or small and even):
# 64 x 64 blocks with K steps of 16, 64 x 32 blocks, K steps of 8, 2 and 1,
# f64, f16 and bf16 through the staged tiles; checked on every CPU, and
# with that schedule run on the CPU (test/Target/CUDA/schedule-on-cpu.test).
GPU_TILED = [((64, 16), (16, 64), "f32"), ((128, 48), (48, 96), "f32"),
             ((32, 24), (24, 16), "f32"), ((32, 10), (10, 16), "f32"),
             ((16, 7), (7, 48), "f32"), ((64, 32), (32, 32), "f64"),
             ((32, 32), (32, 64), "f16"), ((48, 16), (16, 32), "bf16"),
             # small even dims: one block across, 2-wide thread tiles
             ((64, 20), (20, 10), "f32"), ((10, 24), (24, 32), "f32"),
             # f16 on tensor cores (mma.sync m16n8k16): 2 x 2 warps of
             # 32 x 32 and a K loop of 32-steps; one 16 x 16 warp; 2 warps
             # of 32 x 16; K in one 16-step
             ((64, 64), (64, 64), "f16"), ((16, 16), (16, 16), "f16"),
             ((64, 32), (32, 16), "f16"), ((48, 16), (16, 80), "f16"),
             # bf16 on tensor cores too (staged as f16 bits on the GPU)
             ((64, 64), (64, 32), "bf16"),
             # 576 blocks of 64 x 64: 8 x 8 outputs per thread (K steps of
             # 8); f64 keeps 4 x 4; 144 blocks keep 4 x 4 in f32 too
             ((1536, 40), (40, 1536), "f32"), ((1536, 16), (16, 1536), "f64"),
             ((768, 40), (40, 768), "f32"),
             # 144 blocks of 128 x 64: 2 x 2 warps of 64 x 32 (f16, bf16,
             # and f32 with allow-tf32: --cpu=gpu-schedule-tf32)
             ((1024, 32), (32, 1152), "f16"), ((1024, 64), (64, 1152), "bf16"),
             ((1024, 32), (32, 1152), "f32"),
             # 288 blocks of 128 x 128 (2 an SM of an H100): 2 x 2 warps of
             # 64 x 64 (f16; bf16 in 3 K steps; f32 with allow-tf32)
             ((2304, 32), (32, 2048), "f16"), ((2304, 96), (96, 2048), "bf16"),
             ((2304, 16), (16, 2048), "f32"),
             # ... in 3 cp.async stages (their bytes the f32 tile's): 5 K
             # steps (the stages wrap around)
             ((2304, 160), (160, 2048), "f16"),
             # K loops in stages (dlc-pipeline-staging-copies): 4 steps in 3
             # stages of 128 x 64 blocks (68 KiB: dynamic shared memory on
             # the GPU), 3 steps of 8 x 8 thread tiles, 5 steps of 64 x 64
             # tensor-core blocks (the stages wrap around), and f32 in 4
             # 128 x 64 TF32 steps with --cpu=gpu-schedule-tf32
             ((1024, 128), (128, 1152), "f16"), ((1536, 24), (24, 1536), "f32"),
             ((64, 160), (160, 64), "bf16"), ((1024, 64), (64, 1152), "f32"),
             # Few 64 x 64 blocks (8) on FMAs: 32 x 32 blocks of 2 x 2
             # thread tiles
             ((128, 48), (48, 256), "f32"),
             # sm_90 and sm_90a (gpu-kernels:sm_90a): 256 blocks of 128 x 128
             # on FMAs, 256 threads of 8 x 8 outputs, two blocks an SM; K in
             # 9 steps of 8 through 3 stages
             ((2048, 72), (72, 2048), "f32"),
             # sm_90a (gpu-kernels:sm_90a): warp-specialized TMA-fed wgmma
             # kernels of 128 x 128 blocks, K in 7 steps of 64 through 6
             # stages (one refilled), and K in one step; 132 blocks of
             # 128 x 256, K in 6 steps through 4 stages of 48 KiB; edges
             # (M, N, K not multiples of the tiles: TMA's zeros past them,
             # the stores guarded), in 128 x 128 and 128 x 256 tiles; more
             # tiles than the 132 persistent blocks (144 of each size: the
             # stages' ring runs on into a block's second tile)
             ((128, 448), (448, 256), "bf16"), ((256, 64), (64, 128), "f16"),
             ((1536, 384), (384, 2816), "bf16"), ((200, 72), (72, 136), "bf16"),
             ((1500, 200), (200, 2800), "f16"), ((2048, 320), (320, 2304), "bf16"),
             ((1152, 448), (448, 2048), "f16")]
for a, b, element in GPU_TILED:
    out = (a[0], b[1])
    name = "x".join(map(str, (a[0], a[1], b[1])))
    suite.add(f"gpu_tiled_matmul_{name}_{element}",
              fn(f"dlc.matmul %arg0, %arg1 : ({ttype(a, element)}, {ttype(b, element)}) "
                 f"-> {ttype(out, element)}", (out, element)),
              [(a, element), (b, element)], [(out, element)],
              [random(a, element, -1, 1), random(b, element, -1, 1)], np.matmul,
              {"f16": (5e-3, 5e-3), "bf16": (2e-2, 2e-2), "f32": (2e-5, 2e-5)}.get(element))
# Products no block fits (a batch of 100, layers of 100 or 1000 units, odd
# sizes; K that no tensor-core step fits): on the GPU schedule, operands
# zero-padded to the block grid (M, N to multiples of 64, K of 16 or 32)
# and the [M, N] part of the product taken.
for a, b, element in [((100, 784), (784, 100), "f32"), ((200, 33), (33, 1000), "f32"),
                      ((130, 70), (70, 90), "bf16"), ((100, 40), (40, 200), "f16"),
                      ((3, 100, 24), (3, 24, 70), "f32")]:
    out = a[:-1] + b[-1:]
    name = "x".join(map(str, a + b[-1:]))
    suite.add(f"gpu_padded_matmul_{name}_{element}",
              fn(f"dlc.matmul %arg0, %arg1 : ({ttype(a, element)}, {ttype(b, element)}) "
                 f"-> {ttype(out, element)}", (out, element)),
              [(a, element), (b, element)], [(out, element)],
              [random(a, element, -1, 1), random(b, element, -1, 1)], np.matmul,
              {"f16": (5e-3, 5e-3), "bf16": (2e-2, 2e-2), "f32": (1e-4, 1e-4)}[element])


def dense_relu(m, k, n, element):
    """relu(A B + bias): the body, its input specs and random inputs."""
    ta, tb, tc, tbias = (ttype(s, element) for s in ((m, k), (k, n), (m, n), (n,)))
    body = (f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
            f"  %1 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
            f"  %2 = dlc.add %0, %1 : {tc}\n"
            f"  %3 = dlc.relu %2 : {tc}\n"
            f"  return %3 : {tc}")
    shapes = ((m, k), (k, n), (n,))
    return (body, [(s, element) for s in shapes], [((m, n), element)],
            [random(s, element, -1, 1) for s in shapes])


# sm_90 and sm_90a: 128 x 128 f32 blocks on FMAs with a fused bias + relu
# (the block's f32 tile in 64 KiB of dynamic shared memory).
suite.add("gpu_wide_dense_relu_2048x64x2048", *dense_relu(2048, 64, 2048, "f32"),
          lambda a, b, bias: np.maximum(a @ b + bias, 0), (1e-4, 1e-4))
# The same with a consumer (bias, relu on the part kept) and with A stored
# transposed (a batch-100 weight gradient, x^T dy: [300, 100] x [100, 130]).
suite.add("gpu_padded_dense_relu", *dense_relu(100, 784, 100, "f32"),
          lambda a, b, bias: np.maximum(a @ b + bias, 0), (1e-4, 1e-4))
ta, tb = ttype((100, 300), "f32"), ttype((100, 130), "f32")
tm, tc = ttype((300, 100), "f32"), ttype((300, 130), "f32")
suite.add("gpu_padded_transposed_lhs",
          f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ta} -> {tm}\n"
          f"  %1 = dlc.matmul %0, %arg1 : ({tm}, {tb}) -> {tc}\n"
          f"  return %1 : {tc}",
          [((100, 300), "f32"), ((100, 130), "f32")], [((300, 130), "f32")],
          [random((100, 300), "f32", -1, 1), random((100, 130), "f32", -1, 1)],
          lambda a, b: a.T @ b, (1e-4, 1e-4))
# Skinny products with a long K that no tile plan takes (odd M) or that
# would be fewer than 8 blocks (classifiers: 64 x 3136 x 10, 128 x 512 x
# 10): on the GPU schedule, K in parallel chunks summed afterwards (3 x
# 4096 x 5: 32 chunks of 128; the 1-channel conv weight gradient's 9 x 6272
# x 8: 49 chunks; the classifiers 16 chunks of 196 and 4 of 128).
for (m, k, n) in ((3, 4096, 5), (9, 6272, 8), (64, 3136, 10), (128, 512, 10)):
    a, b, out = (m, k), (k, n), (m, n)
    suite.add(f"split_k_matmul_{m}x{k}x{n}",
              fn(f"dlc.matmul %arg0, %arg1 : ({ttype(a, 'f32')}, {ttype(b, 'f32')}) "
                 f"-> {ttype(out, 'f32')}", (out, 'f32')),
              [(a, 'f32'), (b, 'f32')], [(out, 'f32')],
              [random(a, 'f32', -1, 1), random(b, 'f32', -1, 1)], np.matmul, (1e-5, 1e-4))
# Products of few blocks with a long K (a conv weight gradient's): on the
# GPU a batch of K chunks (8 of 256 here), A with K last copied so that the
# batch comes first, the partials summed, then the consumer (bias, relu);
# f16 on tensor cores (f32 partials, rounded once summed); A stored
# transposed (x^T dy: no copy).
suite.add("gpu_split_k_dense_relu", *dense_relu(128, 2048, 64, "f32"),
          lambda a, b, bias: np.maximum(a @ b + bias, 0), (1e-4, 1e-4))
suite.add("gpu_split_k_dense_relu_f16", *dense_relu(128, 2048, 64, "f16"),
          lambda a, b, bias: np.maximum(
              (a @ b).astype(np.float16).astype(np.float64) + bias, 0),
          (5e-3, 5e-3))
ta, tm = ttype((2048, 128), "f32"), ttype((128, 2048), "f32")
tb, tc = ttype((2048, 64), "f32"), ttype((128, 64), "f32")
suite.add("gpu_split_k_transposed_lhs",
          f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ta} -> {tm}\n"
          f"  %1 = dlc.matmul %0, %arg1 : ({tm}, {tb}) -> {tc}\n"
          f"  return %1 : {tc}",
          [((2048, 128), "f32"), ((2048, 64), "f32")], [((128, 64), "f32")],
          [random((2048, 128), "f32", -1, 1), random((2048, 64), "f32", -1, 1)],
          lambda a, b: a.T @ b, (1e-4, 1e-4))
# f16 on tensor cores with a fused consumer (bias, relu, the rounding to
# f16 in the same kernel), and A or B stored transposed (the backward's
# x^T dy, dy W^T: fragments read transposed from shared memory).
suite.add("gpu_tiled_dense_relu_f16", *dense_relu(128, 64, 96, "f16"),
          # (the bias is added to the sum rounded to f16, as dlc.add does)
          lambda a, b, bias: np.maximum(
              (a @ b).astype(np.float16).astype(np.float64) + bias, 0),
          (5e-3, 5e-3))
for name, a_shape, b_shape, ref in (
        ("gpu_tiled_transposed_lhs_f16", (64, 32), (64, 48), lambda a, b: a.T @ b),
        ("gpu_tiled_transposed_rhs_f16", (32, 64), (48, 64), lambda a, b: a @ b.T)):
    lhs_t = "transposed_lhs" in name
    ta, tb = ttype(a_shape, "f16"), ttype(b_shape, "f16")
    m_shape = a_shape[::-1] if lhs_t else a_shape
    n_shape = b_shape if lhs_t else b_shape[::-1]
    tm, tn = ttype(m_shape, "f16"), ttype(n_shape, "f16")
    tc = ttype((m_shape[0], n_shape[1]), "f16")
    body = (f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ta} -> {tm}\n"
            f"  %1 = dlc.reshape %arg1 : {tb} -> {tn}\n" if lhs_t else
            f"  %0 = dlc.reshape %arg0 : {ta} -> {tm}\n"
            f"  %1 = dlc.transpose %arg1 permutation = [1, 0] : {tb} -> {tn}\n")
    body += f"  %2 = dlc.matmul %0, %1 : ({tm}, {tn}) -> {tc}\n  return %2 : {tc}"
    suite.add(name, body, [(a_shape, "f16"), (b_shape, "f16")],
              [((m_shape[0], n_shape[1]), "f16")],
              [random(a_shape, "f16", -1, 1), random(b_shape, "f16", -1, 1)], ref,
              (5e-3, 5e-3))
# A result with two users (the contraction stays its own nest); batched
# with tanh.
m, k, n = 64, 40, 128
ta, tb, tc = (ttype(s, "f32") for s in ((m, k), (k, n), (m, n)))
suite.add("gpu_tiled_two_users",
          f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
          f"  %1 = dlc.tanh %0 : {tc}\n"
          f"  return %0, %1 : {tc}, {tc}",
          [((m, k), "f32"), ((k, n), "f32")], [((m, n), "f32"), ((m, n), "f32")],
          [random((m, k)), random((k, n))],
          lambda a, b: [a @ b, np.tanh(a @ b)], (2e-5, 2e-5))
# A and B stored transposed (the backward's x^T dy, dy W^T): a matmul with
# transposed maps, staged as stored.
for name, a_shape, b_shape, ref in (
        ("gpu_tiled_transposed_lhs", (40, 64), (40, 32), lambda a, b: a.T @ b),
        ("gpu_tiled_transposed_rhs", (32, 24), (48, 24), lambda a, b: a @ b.T)):
    lhs_t, rhs_t = "transposed_lhs" in name, "transposed_rhs" in name
    ta, tb = ttype(a_shape, "f32"), ttype(b_shape, "f32")
    m_shape = a_shape[::-1] if lhs_t else a_shape
    n_shape = b_shape[::-1] if rhs_t else b_shape
    tm, tn = ttype(m_shape, "f32"), ttype(n_shape, "f32")
    tc = ttype((m_shape[0], n_shape[1]), "f32")
    body = (f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ta} -> {tm}\n" if lhs_t
            else f"  %0 = dlc.reshape %arg0 : {ta} -> {tm}\n")
    body += (f"  %1 = dlc.transpose %arg1 permutation = [1, 0] : {tb} -> {tn}\n" if rhs_t
             else f"  %1 = dlc.reshape %arg1 : {tb} -> {tn}\n")
    body += f"  %2 = dlc.matmul %0, %1 : ({tm}, {tn}) -> {tc}\n  return %2 : {tc}"
    suite.add(name, body, [(a_shape, "f32"), (b_shape, "f32")],
              [((m_shape[0], n_shape[1]), "f32")],
              [random(a_shape, "f32", -1, 1), random(b_shape, "f32", -1, 1)], ref, (2e-5, 2e-5))
ta, tb, tc = (ttype(s, "f32") for s in ((3, 32, 24), (3, 24, 48), (3, 32, 48)))
suite.add("gpu_tiled_batched_tanh",
          f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
          f"  %1 = dlc.tanh %0 : {tc}\n"
          f"  return %1 : {tc}",
          [((3, 32, 24), "f32"), ((3, 24, 48), "f32")], [((3, 32, 48), "f32")],
          [random((3, 32, 24)), random((3, 24, 48))],
          lambda a, b: np.tanh(a @ b), (2e-5, 2e-5))
# Batched on tensor cores: f16 with B stored transposed (attention's
# q k^T), bf16 plain; the batch on block z.
for name, element, b_shape, ref in (
        ("gpu_tiled_batched_qkt_f16", "f16", (3, 48, 32), lambda a, b: a @ b.transpose(0, 2, 1)),
        ("gpu_tiled_batched_bf16", "bf16", (3, 32, 48), lambda a, b: a @ b)):
    ta, tb = ttype((3, 32, 32), element), ttype(b_shape, element)
    tn, tc = ttype((3, 32, 48), element), ttype((3, 32, 48), element)
    body = (f"  %0 = dlc.transpose %arg1 permutation = [0, 2, 1] : {tb} -> {tn}\n"
            if b_shape[1] == 48 else f"  %0 = dlc.reshape %arg1 : {tb} -> {tn}\n")
    body += f"  %1 = dlc.matmul %arg0, %0 : ({ta}, {tn}) -> {tc}\n  return %1 : {tc}"
    suite.add(name, body, [((3, 32, 32), element), (b_shape, element)], [((3, 32, 48), element)],
              [random((3, 32, 32), element, -1, 1), random(b_shape, element, -1, 1)], ref,
              {"f16": (5e-3, 5e-3), "bf16": (2e-2, 2e-2)}[element])
for bsz, m, k, n in [(2, 7, 9, 10), (3, 13, 4, 20)]:
    ta, tb, tc = (ttype(s, "f32") for s in ((bsz, m, k), (bsz, k, n), (bsz, m, n)))
    suite.add(f"batched_tanh_{bsz}x{m}x{k}x{n}",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
              f"  %1 = dlc.tanh %0 : {tc}\n"
              f"  return %1 : {tc}",
              [((bsz, m, k), "f32"), ((bsz, k, n), "f32")], [((bsz, m, n), "f32")],
              [random((bsz, m, k)), random((bsz, k, n))],
              lambda a, b: np.tanh(a @ b), (2e-5, 2e-5))


def conv2d_ref(x, w, strides, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    x = np.pad(x, [(0, 0), (0, 0), (padding[0], padding[1]), (padding[2], padding[3])])
    oh = (x.shape[2] - dilation[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (x.shape[3] - dilation[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        xg = x[:, g * cg:(g + 1) * cg]
        wg = w[g * og:(g + 1) * og]
        for i in range(kh):
            for j in range(kw):
                patch = xg[:, :, i * dilation[0]: i * dilation[0] + strides[0] * (oh - 1) + 1: strides[0],
                           j * dilation[1]: j * dilation[1] + strides[1] * (ow - 1) + 1: strides[1]]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, wg[:, :, i, j])
    return out


def fmt(values):
    return "[" + ", ".join(map(str, values)) + "]"


CONVS = [  # input, filter, strides, padding [t, b, l, r], dilation, groups
    ((1, 1, 5, 5), (1, 1, 3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    ((2, 3, 9, 7), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    ((1, 4, 10, 11), (6, 2, 3, 2), (2, 3), (1, 0, 2, 1), (1, 1), 2),
    ((2, 4, 8, 8), (4, 1, 3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 4),  # depthwise, dilated
    ((1, 2, 7, 7), (3, 2, 1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1),
    # Tiled and vectorized (W stride 1): OW 20 = 16 + 4 and F 12 = 8 + 4
    # split into static pieces; H stride and dilation 2.
    ((2, 5, 12, 20), (12, 5, 3, 3), (2, 1), (1, 1, 1, 1), (2, 1), 1),
    ((1, 16, 6, 37), (16, 16, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    # Rows narrower than 16: im2col + matmul; the last in chunks of images
    # (its column matrix, 576 x 8 * 14 * 14 floats, exceeds one chunk), with
    # a W stride of 2.
    ((3, 6, 9, 11), (5, 6, 3, 3), (1, 2), (1, 0, 1, 1), (1, 1), 1),
    ((8, 64, 14, 14), (12, 64, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
]
for i, (xs, ws, strides, padding, dilation, groups) in enumerate(CONVS):
    ref = lambda x, w, s=strides, p=padding, d=dilation, g=groups: conv2d_ref(x, w, s, p, d, g)
    out = ref(np.zeros(xs), np.zeros(ws)).shape
    for element in ("f32", "f64", "f16") if i in (1, 6) else ("f32",):
        # (f32: see the matmul tolerance; K = C * KH * KW reaches 144.)
        # (K = 576 for the last: f32 sums of 576 products.)
        tol = {"f16": (5e-3, 1e-2),
               "f32": (1e-4, 1e-4) if i == 8 else (2e-5, 2e-5) if i >= 5 else None}.get(element)
        suite.add(f"conv2d_{i}_{element}",
                  fn(f"dlc.conv2d %arg0, %arg1 strides = {fmt(strides)} padding = {fmt(padding)} "
                     f"dilation = {fmt(dilation)} groups = {groups} : "
                     f"({ttype(xs, element)}, {ttype(ws, element)}) -> {ttype(out, element)}",
                     (out, element)),
                  [(xs, element), (ws, element)], [(out, element)],
                  [random(xs, element), random(ws, element)], ref, tol)


# conv + per-channel bias + relu: the consumer is fused into the conv's nest.
xs, ws, out = (2, 8, 9, 24), (16, 8, 3, 3), (2, 16, 9, 24)
tx, tw, to = ttype(xs, "f32"), ttype(ws, "f32"), ttype(out, "f32")
tb, tb3 = ttype((16,), "f32"), ttype((16, 1, 1), "f32")
suite.add("conv2d_bias_relu_f32",
          f"  %0 = dlc.conv2d %arg0, %arg1 strides = [1, 1] padding = [1, 1, 1, 1] "
          f"dilation = [1, 1] groups = 1 : ({tx}, {tw}) -> {to}\n"
          f"  %1 = dlc.reshape %arg2 : {tb} -> {tb3}\n"
          f"  %2 = dlc.broadcast_to %1 : {tb3} -> {to}\n"
          f"  %3 = dlc.add %0, %2 : {to}\n"
          f"  %4 = dlc.relu %3 : {to}\n"
          f"  return %4 : {to}",
          [(xs, "f32"), (ws, "f32"), ((16,), "f32")], [(out, "f32")],
          [random(xs, "f32"), random(ws, "f32"), random((16,), "f32")],
          lambda x, w, b: np.maximum(conv2d_ref(x, w, (1, 1), (1, 1, 1, 1), (1, 1), 1)
                                     + b[:, None, None], 0), (2e-5, 2e-5))
# F = 10 and OW = 13: remainders in both split dims of a fused conv nest.
xs, ws, out = (1, 3, 5, 13), (10, 3, 3, 3), (1, 10, 5, 13)
tx, tw, to = ttype(xs, "f32"), ttype(ws, "f32"), ttype(out, "f32")
suite.add("conv2d_relu_f10_ow13_f32",
          f"  %0 = dlc.conv2d %arg0, %arg1 strides = [1, 1] padding = [1, 1, 1, 1] "
          f"dilation = [1, 1] groups = 1 : ({tx}, {tw}) -> {to}\n"
          f"  %1 = dlc.relu %0 : {to}\n"
          f"  return %1 : {to}",
          [(xs, "f32"), (ws, "f32")], [(out, "f32")], [random(xs), random(ws)],
          lambda x, w: np.maximum(conv2d_ref(x, w, (1, 1), (1, 1, 1, 1), (1, 1), 1), 0),
          (2e-5, 2e-5))


def pool_ref(x, kernel, strides, padding, kind):
    value = -np.inf if kind == "max" else 0.0
    x = np.pad(x, [(0, 0), (0, 0), (padding[0], padding[1]), (padding[2], padding[3])],
               constant_values=value)
    oh = (x.shape[2] - kernel[0]) // strides[0] + 1
    ow = (x.shape[3] - kernel[1]) // strides[1] + 1
    windows = np.stack([x[:, :, i:i + strides[0] * (oh - 1) + 1:strides[0],
                          j:j + strides[1] * (ow - 1) + 1:strides[1]]
                        for i in range(kernel[0]) for j in range(kernel[1])])
    return windows.max(0) if kind == "max" else windows.mean(0)


POOLS = [((1, 2, 8, 8), (2, 2), (2, 2), (0, 0, 0, 0)),
         ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1, 1, 1)),
         ((1, 1, 5, 6), (3, 2), (1, 2), (1, 0, 0, 1)),
         # Padding past half the kernel (ONNX exports), up to kernel - 1.
         ((1, 2, 28, 28), (3, 3), (1, 1), (2, 2, 2, 2)),
         ((2, 1, 6, 7), (3, 3), (2, 2), (2, 1, 0, 2))]
for i, (xs, kernel, strides, padding) in enumerate(POOLS):
    for kind in ("max", "avg"):
        ref = lambda x, k=kernel, s=strides, p=padding, kind=kind: pool_ref(x, k, s, p, kind)
        out = ref(np.zeros(xs)).shape
        for element in ("f32", "f16") if i == 1 else ("f32",):
            suite.add(f"{kind}_pool2d_{i}_{element}",
                      fn(f"dlc.{kind}_pool2d %arg0 kernel = {fmt(kernel)} strides = {fmt(strides)} "
                         f"padding = {fmt(padding)} : {ttype(xs, element)} -> {ttype(out, element)}",
                         (out, element)),
                      [(xs, element)], [(out, element)], [random(xs, element)], ref)

# A^T x B with A^T a transpose: the matmul reads A through transposed
# indexing (matmul's gradient with respect to its rhs).
for element in ("f64", "f32", "f16"):
    ta, tt, tb, tc = (ttype((37, 20), element), ttype((20, 37), element),
                      ttype((37, 33), element), ttype((20, 33), element))
    suite.add(f"matmul_transposed_lhs_{element}",
              f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ta} -> {tt}\n"
              f"  %1 = dlc.matmul %0, %arg1 : ({tt}, {tb}) -> {tc}\n"
              f"  return %1 : {tc}",
              [((37, 20), element), ((37, 33), element)], [((20, 33), element)],
              [random((37, 20), element), random((37, 33), element)],
              lambda a, b: a.T @ b,
              {"f16": (5e-3, 1e-2), "f32": (2e-5, 2e-5)}.get(element))

suite.run()
