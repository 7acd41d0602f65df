"""An f16 or bf16 (argv[1]: float16, bfloat16) MLP's training step from
Python with target="cuda" through the stand-in driver (test/fake-cuda; compute capability 9.0, so gpu_arch
"native" is sm_90a): run by test_cuda.py with DLC_FAKE_CUDA_TRACE=1, which
counts the step's wgmma kernels (384 threads) in the trace. The fake runs
no kernel: values are not checked here (test_nn.py checks them in the SIMT
emulator). Prints "done" when both steps' calls succeeded."""
import sys

import ml_dtypes  # noqa: F401  (np.dtype("bfloat16"))
import numpy as np

import dlc
import dlc.nn.functional as F

dlc.random.seed(3)
dtype = np.dtype(sys.argv[1])
model = dlc.nn.Sequential(dlc.nn.Linear(128, 128), dlc.nn.ReLU(), dlc.nn.Linear(128, 128)).to(dtype)
step = dlc.compile_train_step(model, F.cross_entropy, dlc.optim.SGD(0.5, momentum=0.9),
                              target="cuda")
rng = np.random.default_rng(0)
x = rng.standard_normal((128, 128)).astype(dtype)
for _ in range(2):
    step(x, rng.integers(0, 128, 128))
step.sync()
assert {v.dtype for v in model.parameters().values()} == {dtype}
print("done")
