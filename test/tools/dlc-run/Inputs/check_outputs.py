"""Compares dlc-run's outputs for dense.mlir with NumPy in float64."""
import sys
from pathlib import Path

import numpy as np

d = Path(sys.argv[1])
x, w, b = (np.load(d / f"{n}.npy").astype(np.float64) for n in "xwb")
y = np.maximum(x @ w + b, 0)
out0, out1 = np.load(d / "out" / "dense_0.npy"), np.load(d / "out" / "dense_1.npy")
assert out0.dtype == np.float32 and out1.dtype == np.int64, (out0.dtype, out1.dtype)
np.testing.assert_allclose(out0, y, rtol=1e-5, atol=1e-5)
np.testing.assert_array_equal(out1, y.argmax(1))
print("outputs match NumPy")
