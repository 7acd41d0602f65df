"""target="cuda" from Python through the stand-in driver (test/fake-cuda),
run by test_cuda.py in a process whose LD_LIBRARY_PATH finds it. The fake
runs no kernel and fills fresh device memory with 0xA5 bytes; copies are
real. Prints "done" when every step passed."""
import sys
from pathlib import Path

import numpy as np

import dlc
import dlc.nn.functional as F

work = Path(sys.argv[1])
rng = np.random.default_rng(0)

# The GPU, as the driver describes it (the fake: compute capability 9.0 by
# default), and what gpu_arch="native", the default, compiles for.
assert dlc.config.gpu_arch == "native"
device = dlc.runtime.cuda_device()
assert device == dlc.runtime.CudaDevice(0, (9, 0), "dlc stand-in GPU 0"), device
assert dlc.runtime.native_gpu_arch() == "sm_90a"

# Device arrays: copies in and out are exact, and DLPack says CUDA.
path = dlc.export(lambda x: x * 2, (np.ones((3, 4), np.float32),), work / "m.dlc",
                  target="cuda")
module = dlc.runtime.load(path)
assert module.device == "cuda"
assert module.manifest["device"] == {"kind": "cuda", "arch": "sm_90a"}, module.manifest
a = rng.standard_normal((3, 4)).astype(np.float32)
d = module.to_device(a)
assert d.__dlpack_device__() == (2, 0)
np.testing.assert_array_equal(d.numpy(), a)
d.copy_from(a + 1)
np.testing.assert_array_equal(d.numpy(), a + 1)
# A call on a device array: the result is copied back from the device buffer
# the kernel would have written; the input is left as it was.
out = module["predict"](d)
assert out.shape == (3, 4) and (out.view(np.uint8) == 0xA5).all(), out
np.testing.assert_array_equal(d.numpy(), a + 1)

# jit on host arrays, staged by the runtime.
dlc.config.target = "cuda"
y = dlc.jit(lambda x, w: dlc.nn.softmax(x @ w, axis=-1))(
    rng.standard_normal((8, 16)).astype(np.float32),
    rng.standard_normal((16, 4)).astype(np.float32))
assert y.shape == (8, 4) and (y.view(np.uint8) == 0xA5).all()

# A training step with its state on the device: uploaded once, kept there
# through the steps (no kernel changes it here), downloaded by sync().
dlc.random.seed(1)
model = dlc.nn.Sequential(dlc.nn.Conv2d(1, 4, 3, padding=1), dlc.nn.ReLU(),
                          dlc.nn.MaxPool2d(2), dlc.nn.Flatten(), dlc.nn.Linear(64, 3))
before = {k: v.copy() for k, v in model.parameters().items()}
step = dlc.compile_train_step(model, F.cross_entropy, dlc.optim.Adam(0.01), target="cuda")
x = rng.standard_normal((16, 1, 8, 8)).astype(np.float32)
labels = rng.integers(0, 3, 16)
for _ in range(3):
    loss = step(x, labels)
    assert (np.frombuffer(np.asarray(loss).tobytes(), np.uint8) == 0xA5).all(), loss
step.sync()
for k, v in model.parameters().items():
    np.testing.assert_array_equal(v, before[k], err_msg=k)
print("done")
