"""The training steps of benchmarks/train.py (the MLP and the CNN, SGD with
momentum) compiled for the CPU and for the GPU, the GPU kernels run by the
SIMT emulator (--emulate-gpu-kernels): three steps from the same parameters
and batch must give the same losses, parameters and momenta (to f32
rounding: the kernels sum in other orders). These are the steps whose GPU
kernels the benchmarks time.

  benchmark_steps.py --gpu-arch=sm_80 mlp cnn

(Exact f32 only: with TF32 products three steps drift apart in the
parameters' smallest elements beyond any tolerance that would still catch
a wrong kernel.)
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "benchmarks"))
import train  # noqa: E402
from dlc.execution import Module  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--gpu-arch", default="sm_80")
parser.add_argument("models", nargs="+")
options = parser.parse_args()
emulated = f"gpu-kernels:{options.gpu_arch}"
rtol, atol = 1e-5, 1e-6
failures = 0
for name in options.models:
    source, params, inputs = {"mlp": train.mlp_source, "cnn": train.cnn_source}[name]()
    rng = np.random.default_rng(0)
    start = [rng.uniform(-0.1, 0.1, shape).astype(np.float32) for shape in params]
    x = rng.standard_normal(inputs[0]).astype(np.float32)
    y = rng.integers(0, 10, (inputs[0][0],)).astype(np.int64)
    runs = {}
    for cpu in ("native", emulated):
        module = Module(source, cpu, train_step=f"optimizer=sgd lr={train.LR} momentum={train.MOMENTUM}")
        _, args, _ = module.signatures["train_step"]
        state = [np.zeros(a.shape, np.float32) for a in args[len(params):-2]]
        values, losses = [p.copy() for p in start] + state, []
        for _ in range(3):
            out = module("train_step", *values, x, y)
            losses.append(float(out[0]))
            values = [np.asarray(a) for a in out[1:]]
        runs[cpu] = (losses, values)
    (cpu_losses, cpu_values), (gpu_losses, gpu_values) = runs["native"], runs[emulated]
    try:
        np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=rtol, err_msg="losses")
        for i, (a, b) in enumerate(zip(gpu_values, cpu_values)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"updated input {i}")
        print(f"PASS {name} [{emulated}]: losses {', '.join(f'{l:.6f}' for l in gpu_losses)}")
    except AssertionError as error:
        failures += 1
        print(f"FAIL {name} [{emulated}]: {error}")
sys.exit(1 if failures else 0)
