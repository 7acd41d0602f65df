"""Compiles examples/mlp/mlp.mlir for this CPU, runs it and prints the result.

The weights are random (seeded); the script checks every output against the
same model written in NumPy and exits non-zero on a mismatch.

    run.py [--cpu=native|x86-64-v3|x86-64|...]
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from dlc.execution import Module  # noqa: E402

rng = np.random.default_rng(42)
f32 = np.float32
x = rng.standard_normal((8, 16)).astype(f32)
params = [
    (rng.standard_normal((16, 32)) / 4).astype(f32),  # w1
    (rng.standard_normal(32) / 10).astype(f32),  # b1
    (1 + rng.standard_normal(32) / 10).astype(f32),  # gamma
    (rng.standard_normal(32) / 10).astype(f32),  # beta
    (rng.standard_normal((32, 10)) / 4).astype(f32),  # w2
    (rng.standard_normal(10) / 10).astype(f32),  # b2
]
labels = rng.integers(0, 10, size=8).astype(np.int64)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cpu", default="native", help="CPU or ISA level to compile for")
args = parser.parse_args()

source = (Path(__file__).parent / "mlp.mlir").read_text()
model = Module(source, args.cpu)
probs, classes = model("predict", x, *params)
(loss,) = model("loss", x, *params, labels)


def reference(x, w1, b1, gamma, beta, w2, b2):
    x, w1, b1, gamma, beta, w2, b2 = (a.astype(np.float64) for a in (x, w1, b1, gamma, beta, w2, b2))
    h = x @ w1 + b1
    h = (h - h.mean(1, keepdims=True)) / np.sqrt(h.var(1, keepdims=True) + 1e-5) * gamma + beta
    h = h * 0.5 * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))
    return h @ w2 + b2


logits = reference(x, *params)
e = np.exp(logits - logits.max(1, keepdims=True))
ref_probs = e / e.sum(1, keepdims=True)
lse = np.log(e.sum(1)) + logits.max(1)
ref_loss = (lse - logits[np.arange(8), labels]).mean()

np.set_printoptions(precision=4, suppress=True)
print("predicted classes:", classes)
print("max probability:  ", probs.max(1))
print(f"cross-entropy loss: {float(loss):.6f} (labels {labels})")
err = max(np.abs(probs - ref_probs).max(), abs(float(loss) - ref_loss))
ok = err < 1e-5 and np.array_equal(classes, logits.argmax(1))
print(f"matches NumPy float64: {'yes' if ok else 'NO'} (max abs error {err:.2e})")
sys.exit(0 if ok else 1)
