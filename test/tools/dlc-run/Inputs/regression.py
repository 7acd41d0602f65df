"""Inputs for train-steps.test, and the check of its results against NumPy:
  regression.py make DIR    writes w, b, v_w, v_b, x, target .npy files
  regression.py check DIR N checks DIR/out after N SGD-momentum steps
"""
import sys
from pathlib import Path

import numpy as np

rng = np.random.default_rng(5)
X = rng.standard_normal((16, 3)).astype(np.float32)
TARGET = (X @ np.array([[1.5], [-2.0], [0.5]]) + 0.25).astype(np.float32)
W = np.zeros((3, 1), np.float32)
B = np.zeros((1,), np.float32)
LR, MU = 0.1, 0.9

mode, work = sys.argv[1], Path(sys.argv[2])
if mode == "make":
    for name, a in (("w", W), ("b", B), ("vw", W), ("vb", B), ("x", X), ("target", TARGET)):
        np.save(work / f"{name}.npy", a)
    sys.exit(0)

steps = int(sys.argv[3])
w, b = W.astype(np.float64), B.astype(np.float64)
vw, vb = np.zeros_like(w), np.zeros_like(b)
x, t = X.astype(np.float64), TARGET.astype(np.float64)
losses = []
for _ in range(steps):
    err = x @ w + b - t
    losses.append(np.mean(err ** 2))
    gw, gb = 2 * x.T @ err / err.size, 2 * err.sum(0) / err.size
    vw, vb = MU * vw + gw, MU * vb + gb
    w, b = w - LR * vw, b - LR * vb
out = work / "out"
for i, want in enumerate([losses[-1], w, b, vw, vb]):
    got = np.load(out / f"train_step_{i}.npy")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=f"output {i}")
printed = [float(line.split("=")[1]) for line in open(work / "log") if line.startswith("step")]
np.testing.assert_allclose(printed, losses, rtol=1e-4, atol=1e-6, err_msg="printed losses")
assert losses[-1] < 0.05 * losses[0], losses
# The input files are left as they were.
np.testing.assert_array_equal(np.load(work / "w.npy"), W)
print(f"regression: {steps} steps match NumPy, loss {losses[0]:.4f} -> {losses[-1]:.6f}")
