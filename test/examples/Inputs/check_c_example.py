"""Recomputes run_model's output for mlp_f32.mlir with NumPy (float64)."""
import re
import sys

import numpy as np


def pattern(*shape):  # what run_model feeds: x[i] = sin(0.1 i), rounded to f32
    n = int(np.prod(shape))
    return np.sin(0.1 * np.arange(n)).astype(np.float32).astype(np.float64).reshape(shape)


h = np.tanh(pattern(4, 24) @ pattern(24, 16)) @ pattern(16, 3)
e = np.exp(h - h.max(1, keepdims=True))
y = e / e.sum(1, keepdims=True)
text = open(sys.argv[1]).read()
m = re.fullmatch(r"output 0: first ((?:-?[0-9.]+ ?){3}-?[0-9.]+), sum (-?[0-9.]+)\n", text)
assert m, text
first = np.array([float(v) for v in m.group(1).split()])
np.testing.assert_allclose(first, y.ravel()[:4], rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(float(m.group(2)), y.sum(), rtol=1e-5)
print("C example matches NumPy")
