"""sm_90a wgmma GEMMs (dlc-lower-to-wgmma) whose persistent blocks each take
several tiles: run with few SMs (DLC_SIMT_MULTIPROCESSORS for the SIMT
emulator, DLC_FAKE_CUDA_SMS for the stand-in driver), the stage ring runs on
from a block's tile into its next, across edges and fused epilogues; checked
against NumPy float64."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Integration" / "CPU"))
from harness import Suite, random, ttype  # noqa: E402

suite = Suite("wgmma_tiles")
# (f32: sums of 72 to 100 products in another order than NumPy's, some
# cancelling to near zero.)
TOL = {"f16": (5e-3, 5e-3), "bf16": (2e-2, 2e-2), "f32": (1e-4, 1e-5)}

# Plain products (tiles chosen for an H100's 132 SMs): 12 tiles of 128 x 64
# in 7 K steps each (through 7 stages); 72 tiles of 128 x 128 (144 of
# 128 x 64 would be two waves) in one K step; 132 tiles of 128 x 256 (12
# rows of them: a group of 8 and one of 4 in the blocks' order) in 5 K
# steps each through 4 stages (the ring wraps inside a tile).
for a, b, element in [((256, 448), (448, 384), "bf16"),
                      ((1152, 64), (64, 1024), "f16"),
                      ((1536, 320), (320, 2816), "f16")]:
    out = (a[0], b[1])
    suite.add(f"matmul_{a[0]}x{a[1]}x{b[1]}_{element}",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ttype(a, element)}, {ttype(b, element)}) "
              f"-> {ttype(out, element)}\n  return %0 : {ttype(out, element)}",
              [(a, element), (b, element)], [(out, element)],
              [random(a, element, -1, 1), random(b, element, -1, 1)], np.matmul,
              TOL[element])

# relu(A B + bias) with edge tiles (M, N, K not multiples of the tiles).
for m, k, n, element in [(200, 72, 136, "bf16"), (384, 200, 264, "f16")]:
    ta, tb, tc, tbias = (ttype(s, element) for s in ((m, k), (k, n), (m, n), (n,)))
    shapes = ((m, k), (k, n), (n,))
    suite.add(f"dense_relu_{m}x{k}x{n}_{element}",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ta}, {tb}) -> {tc}\n"
              f"  %1 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
              f"  %2 = dlc.add %0, %1 : {tc}\n"
              f"  %3 = dlc.relu %2 : {tc}\n"
              f"  return %3 : {tc}",
              [(s, element) for s in shapes], [((m, n), element)],
              [random(s, element, -1, 1) for s in shapes],
              lambda x, w, bias: np.maximum(x @ w + bias, 0), TOL[element])

# Transposed operands read where they are (no transpose kernels): x^T dy
# (A^T [K, M], MN-major for the wgmma; edges in M, N and K: 200 x 264 x
# 136), relu(dy W^T + bias) (B^T [N, K], K-major; N and K edges), and
# a^T b^T (both).
m, k, n = 200, 264, 136
suite.add(f"xt_dy_{m}x{k}x{n}_f16",
          f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ttype((k, m), 'f16')} -> {ttype((m, k), 'f16')}\n"
          f"  %1 = dlc.matmul %0, %arg1 : ({ttype((m, k), 'f16')}, {ttype((k, n), 'f16')}) -> {ttype((m, n), 'f16')}\n"
          f"  return %1 : {ttype((m, n), 'f16')}",
          [((k, m), "f16"), ((k, n), "f16")], [((m, n), "f16")],
          [random((k, m), "f16", -1, 1), random((k, n), "f16", -1, 1)],
          lambda x, dy: x.T @ dy, TOL["f16"])
m, k, n = 384, 200, 264
tdy, tw, twt, tc, tbias = (ttype(s, "bf16") for s in ((m, k), (n, k), (k, n), (m, n), (n,)))
suite.add(f"dy_wt_relu_{m}x{k}x{n}_bf16",
          f"  %0 = dlc.transpose %arg1 permutation = [1, 0] : {tw} -> {twt}\n"
          f"  %1 = dlc.matmul %arg0, %0 : ({tdy}, {twt}) -> {tc}\n"
          f"  %2 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
          f"  %3 = dlc.add %1, %2 : {tc}\n"
          f"  %4 = dlc.relu %3 : {tc}\n"
          f"  return %4 : {tc}",
          [((m, k), "bf16"), ((n, k), "bf16"), ((n,), "bf16")], [((m, n), "bf16")],
          [random(s, "bf16", -1, 1) for s in ((m, k), (n, k), (n,))],
          lambda dy, w, bias: np.maximum(dy @ w.T + bias, 0), TOL["bf16"])
m, k, n = 256, 136, 392
suite.add(f"at_bt_{m}x{k}x{n}_f16",
          f"  %0 = dlc.transpose %arg0 permutation = [1, 0] : {ttype((k, m), 'f16')} -> {ttype((m, k), 'f16')}\n"
          f"  %1 = dlc.transpose %arg1 permutation = [1, 0] : {ttype((n, k), 'f16')} -> {ttype((k, n), 'f16')}\n"
          f"  %2 = dlc.matmul %0, %1 : ({ttype((m, k), 'f16')}, {ttype((k, n), 'f16')}) -> {ttype((m, n), 'f16')}\n"
          f"  return %2 : {ttype((m, n), 'f16')}",
          [((k, m), "f16"), ((n, k), "f16")], [((m, n), "f16")],
          [random((k, m), "f16", -1, 1), random((n, k), "f16", -1, 1)],
          lambda a, b: a.T @ b.T, TOL["f16"])

# f32 (TF32 with --cpu=gpu-kernels:sm_90a-tf32; exact f32 FMAs without):
# B read as B^T [N, K] (TF32 wgmma reads both operands K-major), from a
# transpose kernel made for it where M is 1024 or more (256 x 96 x 384 is
# left to mma.sync's TF32), or W itself where the product reads W^T (the
# backward's dy W^T); K steps of 32, with K edges (72, 100, 40), M and N
# edges (1048 x 136), tiles of 128 x 64 and (1152 x 1024) 128 x 128, 3 to
# 24 tiles a block.
for m, k, n in [(256, 96, 384), (1048, 100, 136), (1152, 40, 1024)]:
    a, b, out = (m, k), (k, n), (m, n)
    suite.add(f"matmul_{m}x{k}x{n}_f32",
              f"  %0 = dlc.matmul %arg0, %arg1 : ({ttype(a, 'f32')}, {ttype(b, 'f32')}) "
              f"-> {ttype(out, 'f32')}\n  return %0 : {ttype(out, 'f32')}",
              [(a, "f32"), (b, "f32")], [(out, "f32")],
              [random(a, "f32", -1, 1), random(b, "f32", -1, 1)], np.matmul,
              TOL["f32"])
m, k, n = 384, 72, 1032
ta, tw, twt, tc, tbias = (ttype(s, "f32") for s in ((m, k), (n, k), (k, n), (m, n), (n,)))
suite.add(f"dense_transposed_relu_{m}x{k}x{n}_f32",
          f"  %0 = dlc.transpose %arg1 permutation = [1, 0] : {tw} -> {twt}\n"
          f"  %1 = dlc.matmul %arg0, %0 : ({ta}, {twt}) -> {tc}\n"
          f"  %2 = dlc.broadcast_to %arg2 : {tbias} -> {tc}\n"
          f"  %3 = dlc.add %1, %2 : {tc}\n"
          f"  %4 = dlc.relu %3 : {tc}\n"
          f"  return %4 : {tc}",
          [((m, k), "f32"), ((n, k), "f32"), ((n,), "f32")], [((m, n), "f32")],
          [random(s, "f32", -1, 1) for s in ((m, k), (n, k), (n,))],
          lambda x, w, bias: np.maximum(x @ w.T + bias, 0), TOL["f32"])

suite.run()
