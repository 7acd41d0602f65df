"""The Python front end: training the digits models per epoch against
PyTorch eager, and the jit overheads a user feels.

    .venv/bin/python benchmarks/python.py [--quick] [--isa LEVELS] [--markdown FILE]

Training: the MLP and CNN of examples/digits (batch 32, Adam, the same data
order for both tools), one epoch = 44 steps over 1437 training images; each
tool in its own process pinned to T cores with T OpenMP/PyTorch threads; the
median of the timed epochs after one warm-up epoch (dlc compiles its step in
the warm-up). dlc: `dlc.compile_train_step`; PyTorch: `nn.Sequential`,
`F.cross_entropy`, `optim.Adam` (`zero_grad(set_to_none=True)`, `backward`,
`step`). Best of ROUNDS runs, as benchmarks/run.py.

Overheads (one process, 1 thread): the first call of a jitted function
(trace + compile + load) and of a training step; a cached call of a jitted
function on a tiny input (4 floats) against calling its compiled entry point
directly through the extension (the floor of any call from Python).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, os, sys, time
spec = json.loads(sys.argv[1])
os.sched_setaffinity(0, set(range(spec["threads"])))
import numpy as np
from sklearn.datasets import load_digits
digits = load_digits()
x = (digits.images / 16.0).astype(np.float32)[:1437]
y = digits.target.astype(np.int64)[:1437]
if spec["model"] == "mlp":
    x = x.reshape(len(x), -1)
else:
    x = x[:, None]
batch, epochs = 32, spec["epochs"]
order = np.random.default_rng(0).permutation(len(x))
batches = [order[i * batch:(i + 1) * batch] for i in range(len(x) // batch)]


def build(nn):
    # The model, with either tool's layers (same names and layouts).
    if spec["model"] == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(128, 10))


if spec["tool"] == "dlc":
    import dlc
    from dlc import nn
    from dlc.nn import functional as F
    dlc.random.seed(0)
    model = build(nn)
    step = dlc.compile_train_step(model, F.cross_entropy, dlc.optim.Adam(1e-3))
    def epoch():
        for i in batches:
            step(x[i], y[i])
else:
    import torch
    from torch import nn
    import torch.nn.functional as F
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    model = build(nn)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    def epoch():
        for i in batches:
            i = torch.from_numpy(i)
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(xt[i]), yt[i]).backward()
            opt.step()
epoch()  # warm-up (dlc: compiles the step)
times = []
for _ in range(epochs):
    t = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t)
print(json.dumps({"ms": sorted(times)[len(times) // 2] * 1e3}))
"""

OVERHEAD = r"""
import json, os, time, timeit
os.sched_setaffinity(0, {0})
import numpy as np
import dlc
from dlc import nn
from dlc.nn import functional as F
out = {}
dlc.random.seed(0)
rng = np.random.default_rng(0)
mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                    nn.Linear(512, 10))
x = rng.standard_normal((128, 784)).astype(np.float32)
y = rng.integers(0, 10, 128)
f = dlc.jit(mlp)
t = time.perf_counter(); f(x); out["mlp_first_ms"] = (time.perf_counter() - t) * 1e3
t = time.perf_counter(); f.lower(x); out["mlp_trace_ms"] = (time.perf_counter() - t) * 1e3
step = dlc.compile_train_step(mlp, F.cross_entropy, dlc.optim.SGD(0.01, momentum=0.9))
t = time.perf_counter(); step(x, y); out["step_first_ms"] = (time.perf_counter() - t) * 1e3
tiny = dlc.jit(lambda a: a + 1.0)
a = np.ones(4, np.float32)
tiny(a)
entry = next(iter(tiny._cache.values())).entry
n = 20000
def med(fn):
    return sorted(timeit.repeat(fn, number=n, repeat=7))[3] / n * 1e6
out["jit_us"] = med(lambda: tiny(a))
out["entry_us"] = med(lambda: entry([a]))
print(json.dumps(out))
"""


def worker(tool, model, threads, epochs, isa):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               DLC_CPU=isa, **common.BIND, **common.isa_env(isa))
    spec = json.dumps({"tool": tool, "model": model, "threads": threads, "epochs": epochs})
    result = json.loads(common.sh([sys.executable, "-c", WORKER, spec], env=env)
                        .strip().splitlines()[-1])
    return common.best((tool, model, threads, isa), result["ms"])


def tables(args, isa, work, emit):
    epochs = 3 if args.quick else 7
    emit(f"### Python front end, ISA level {isa}\n")
    emit("Digits training (examples/digits models, batch 32, Adam), one epoch = 44 steps; "
         "median ms per epoch after a warm-up epoch; speedup = PyTorch ms / dlc ms.\n")
    emit("| model | threads | dlc ms/epoch | PyTorch eager ms/epoch | speedup | dlc ms/step |")
    emit("|---|---|---|---|---|---|")
    for model in ("mlp", "cnn"):
        for threads in (1, 2):
            try:
                d = worker("dlc", model, threads, epochs, isa)
                t = worker("torch", model, threads, epochs, isa)
                emit(f"| {model.upper()} | {threads} | {d:.1f} | {t:.1f} | {t / d:.2f} | "
                     f"{d / 44:.3f} |")
            except RuntimeError as error:
                emit(f"| {model.upper()} | {threads} | failed: {str(error).splitlines()[-1]} |")
    env = dict(os.environ, OMP_NUM_THREADS="1", DLC_CPU=isa, **common.BIND)
    o = json.loads(common.sh([sys.executable, "-c", OVERHEAD], env=env).strip().splitlines()[-1])
    for key in o:
        o[key] = common.best(("overhead", key, isa), o[key])
    emit("")
    emit("| jit overhead (1 thread) | value |")
    emit("|---|---|")
    emit(f"| first call of `dlc.jit(mlp)` (784-512-512-10, batch 128): trace + compile + load | "
         f"{o['mlp_first_ms']:.0f} ms (trace alone {o['mlp_trace_ms']:.1f} ms) |")
    emit(f"| first call of its training step (SGD momentum) | {o['step_first_ms']:.0f} ms |")
    emit(f"| cached call of a jitted `a + 1.0` on 4 floats | {o['jit_us']:.2f} µs |")
    emit(f"| the same compiled entry point called directly | {o['entry_us']:.2f} µs |")
    emit(f"| jit's own overhead (signature, cache, pytree) | "
         f"{o['jit_us'] - o['entry_us']:.2f} µs |")
    emit("")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--isa", default="native")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    common.run_rounds(1 if args.quick else common.ROUNDS, args.isa.split(","), args.markdown,
                      lambda isa, work, emit: tables(args, isa, work, emit))


if __name__ == "__main__":
    main()
