"""tf32.mlir on the GPU: `make DIR` writes its inputs, `check DIR` compares
dlc-run's output with NumPy in float64. f32 sums of 256 products in [-1, 1]
are off by ~1e-5; TF32 products (10-bit mantissas) by ~1e-3: the error must
be above the first (TF32 is on) and within a TF32 bound."""
import sys
from pathlib import Path

import numpy as np

mode, d = sys.argv[1], Path(sys.argv[2])
if mode == "make":
    rng = np.random.default_rng(3)
    np.save(d / "a.npy", rng.uniform(-1, 1, (64, 256)).astype(np.float32))
    np.save(d / "b.npy", rng.uniform(-1, 1, (256, 64)).astype(np.float32))
    sys.exit(0)
a, b = (np.load(d / f"{n}.npy").astype(np.float64) for n in "ab")
got = np.load(d / "out" / "gemm_0.npy").astype(np.float64)
error = np.abs(got - a @ b).max()
assert 2e-4 < error < 256 * 2e-3, f"TF32 GEMM error {error:.2e} (expected 2e-4 .. 0.5)"
print(f"TF32 GEMM matches NumPy within TF32 rounding (max error {error:.2e})")
