"""Inputs and checks of cuda-fake-driver.test. The stand-in driver runs no
kernel and fills fresh device memory with 0xA5 bytes, so after a call:
  - an in-out tensor (training state) comes back exactly as it went in
    (uploaded, kept on the device, copied back);
  - every other output holds 0xA5 bytes: it was copied back from the device
    buffer the kernels write (the host buffer dlc-run gives starts as zeros).
  fake_driver.py make DIR             w, b, vw, vb, x, target (random, f32)
  fake_driver.py check DIR PREFIX N   outputs PREFIX_0..N-1 of DIR/out
                                      (PREFIX train_step: against the state)
"""
import sys
from pathlib import Path

import numpy as np

mode, work = sys.argv[1], Path(sys.argv[2])
STATE = ("w", "b", "vw", "vb")
if mode == "make":
    rng = np.random.default_rng(7)
    shapes = {"w": (3, 1), "b": (1,), "vw": (3, 1), "vb": (1,), "x": (16, 3), "target": (16, 1)}
    for name, shape in shapes.items():
        np.save(work / f"{name}.npy", rng.standard_normal(shape).astype(np.float32))
    sys.exit(0)

prefix, count = sys.argv[3], int(sys.argv[4])
unchanged = filled = 0
for i in range(count):
    got = np.load(work / "out" / f"{prefix}_{i}.npy")
    if prefix == "train_step" and i >= 1:  # outputs 1-4: the state, in-out
        want = np.load(work / f"{STATE[i - 1]}.npy")
        assert got.tobytes() == want.tobytes(), f"state {STATE[i - 1]} changed: {got} != {want}"
        unchanged += 1
    else:
        raw = np.frombuffer(got.tobytes(), np.uint8)
        assert raw.size and (raw == 0xA5).all(), f"output {i} was not read from device memory: {got}"
        filled += 1
print(f"{prefix}: {unchanged} in-out tensors unchanged, {filled} outputs read from device memory")
