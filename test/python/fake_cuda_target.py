"""target="cuda:1" on a (stand-in) machine of two GPUs, through the fake
driver (DLC_FAKE_CUDA_DEVICES=2, no DLC_CUDA_DEVICE), run by test_cuda.py.
Prints "done" when every step passed."""
import os

import numpy as np

import dlc
import dlc.nn.functional as F

assert "DLC_CUDA_DEVICE" not in os.environ
rng = np.random.default_rng(0)
x = rng.standard_normal((8, 16)).astype(np.float32)
w = rng.standard_normal((16, 4)).astype(np.float32)
f = dlc.jit(lambda x, w: dlc.nn.softmax(x @ w, axis=-1))
compiled = f.lower(x, w).compile(target="cuda:1")
assert compiled.module.device == "cuda" and compiled.module.device_id == 1
# (gpu_arch "native" asked GPU 1, chosen before compiling.)
assert dlc.runtime.cuda_device().ordinal == 1
assert compiled(x, w).shape == (8, 4)
# A training step on the same GPU keeps its state there.
model = dlc.nn.Linear(16, 4)
step = dlc.compile_train_step(model, F.cross_entropy, dlc.optim.SGD(0.1), target="cuda:1")
step(x, rng.integers(0, 4, 8))
step.sync()
# The process computes on GPU 1 now: GPU 0 is refused by name.
try:
    f.lower(x, w).compile(target="cuda:0")
except ValueError as e:
    assert "target 'cuda:0': this process's dlc runtime computes on CUDA device 1" in str(e), e
else:
    raise AssertionError("cuda:0 accepted in a process on GPU 1")
for bad in ("cuda:x", "gpu", "cuda:-1"):
    try:
        f.lower(x, w).compile(target=bad)
    except ValueError as e:
        assert "expected 'cpu', 'cuda' or 'cuda:N'" in str(e), e
    else:
        raise AssertionError(f"target {bad!r} accepted")
print("done")
