"""Writes the inputs of dense.mlir, a float64 variant, and a corrupted artifact."""
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
rng = np.random.default_rng(1)
np.save(out / "x.npy", rng.standard_normal((7, 13)).astype(np.float32))
np.save(out / "x64.npy", rng.standard_normal((7, 13)))
np.save(out / "w.npy", rng.standard_normal((13, 10)).astype(np.float32))
np.save(out / "b.npy", rng.standard_normal(10).astype(np.float32))
data = bytearray((out / "dense.dlc").read_bytes())
data[len(data) // 2] ^= 0x10
(out / "corrupt.dlc").write_bytes(bytes(data))
