#!/usr/bin/env python3
"""One training step (forward, backward, SGD-momentum update) of an MLP and a
small CNN: dlc's compiled `train_step` against PyTorch eager, torch.compile
and JAX (jit of value_and_grad plus the update, parameters donated), at 1 and
2 threads, same run.

  benchmarks/train.py [--quick] [--isa=native] [--markdown FILE]

Each tool runs in its own process pinned to the first `threads` cores; the
cell is the median step time (best of ROUNDS runs, as benchmarks/run.py).
Memory: the peak resident memory of the steps above the resident model,
optimizer state and batch (measured before dlc's and JAX's first call, which
keep their intermediates' memory for the next call, and after PyTorch's first
step, which creates its momentum buffers), with glibc returning freed blocks
above 64 KiB to the system (MALLOC_MMAP_THRESHOLD_): the intermediates a step
needs (activations, gradients, workspace), for every tool alike.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as common  # noqa: E402  (shared helpers of benchmarks/run.py)

MEMORY_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", **common.BIND}
LR, MOMENTUM = 0.01, 0.9


def t(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def mlp_source(batch=128, sizes=(784, 512, 512, 10)):
    args, body, params = [], [], []
    h, hshape = "%x", (batch, sizes[0])
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        w, b = f"%w{i}", f"%b{i}"
        args += [f'{w}: {t((fan_in, fan_out))} {{dlc.param, dlc.name = "w{i}"}}',
                 f'{b}: {t((fan_out,))} {{dlc.param, dlc.name = "b{i}"}}']
        params += [(fan_in, fan_out), (fan_out,)]
        o = (batch, fan_out)
        body += [f"  %m{i} = dlc.matmul {h}, {w} : ({t(hshape)}, {t((fan_in, fan_out))}) -> {t(o)}",
                 f"  %bb{i} = dlc.broadcast_to {b} : {t((fan_out,))} -> {t(o)}",
                 f"  %a{i} = dlc.add %m{i}, %bb{i} : {t(o)}"]
        h, hshape = f"%a{i}", o
        if i < len(sizes) - 2:
            body.append(f"  %r{i} = dlc.relu %a{i} : {t(o)}")
            h = f"%r{i}"
    source = (f"func.func @loss({', '.join(args)}, %x: {t((batch, sizes[0]))}, "
              f"%y: {t((batch,), 'i64')}) -> tensor<f32> {{\n" + "\n".join(body) +
              f"\n  %l = dlc.softmax_cross_entropy {h}, %y : ({t(hshape)}, {t((batch,), 'i64')}) "
              f"-> tensor<f32>\n  return %l : tensor<f32>\n}}\n")
    return source, params, [(batch, sizes[0])]


def cnn_source(batch=64):
    def conv(i, x, xs, w, ws, out):
        return [f"  %c{i} = dlc.conv2d {x}, {w} strides = [1, 1] padding = [1, 1, 1, 1] "
                f"dilation = [1, 1] groups = 1 : ({t(xs)}, {t(ws)}) -> {t(out)}",
                f"  %cb{i} = dlc.broadcast_to %cbias{i} : {t((ws[0], 1, 1))} -> {t(out)}",
                f"  %ca{i} = dlc.add %c{i}, %cb{i} : {t(out)}",
                f"  %cr{i} = dlc.relu %ca{i} : {t(out)}"]

    s1, p1 = (batch, 32, 28, 28), (batch, 32, 14, 14)
    s2, p2 = (batch, 64, 14, 14), (batch, 64, 7, 7)
    body = conv(0, "%x", (batch, 1, 28, 28), "%cw0", (32, 1, 3, 3), s1)
    body.append(f"  %p0 = dlc.max_pool2d %cr0 kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]"
                f" : {t(s1)} -> {t(p1)}")
    body += conv(1, "%p0", p1, "%cw1", (64, 32, 3, 3), s2)
    body.append(f"  %p1 = dlc.max_pool2d %cr1 kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]"
                f" : {t(s2)} -> {t(p2)}")
    body += [f"  %f = dlc.reshape %p1 : {t(p2)} -> {t((batch, 3136))}",
             f"  %o = dlc.matmul %f, %lw : ({t((batch, 3136))}, {t((3136, 10))}) -> {t((batch, 10))}",
             f"  %ob = dlc.broadcast_to %lb : {t((10,))} -> {t((batch, 10))}",
             f"  %o1 = dlc.add %o, %ob : {t((batch, 10))}",
             f"  %l = dlc.softmax_cross_entropy %o1, %y : ({t((batch, 10))}, {t((batch,), 'i64')}) "
             f"-> tensor<f32>", "  return %l : tensor<f32>"]
    params = [(32, 1, 3, 3), (32, 1, 1), (64, 32, 3, 3), (64, 1, 1), (3136, 10), (10,)]
    names = ["cw0", "cbias0", "cw1", "cbias1", "lw", "lb"]
    args = [f'%{n}: {t(s)} {{dlc.param, dlc.name = "{n}"}}' for n, s in zip(names, params)]
    source = (f"func.func @loss({', '.join(args)}, %x: {t((batch, 1, 28, 28))}, "
              f"%y: {t((batch,), 'i64')}) -> tensor<f32> {{\n" + "\n".join(body) + "\n}\n")
    return source, params, [(batch, 1, 28, 28)]


MODELS = {
    "mlp": ("MLP 784-512-512-10, batch 128", mlp_source, 128, 10),
    "cnn": ("CNN 28x28x1 (conv 32, pool, conv 64, pool, linear 3136-10), batch 64",
            cnn_source, 64, 10),
}

PEER = r"""
import json, os, sys, time
spec = json.loads(sys.argv[1])
os.sched_setaffinity(0, set(range(spec["threads"])))
import numpy as np
rng = np.random.default_rng(0)
model, batch, classes = spec["model"], spec["batch"], spec["classes"]
x = rng.standard_normal(spec["input"]).astype(np.float32)
y = rng.integers(0, classes, batch).astype(np.int64)
lr, mu = spec["lr"], spec["momentum"]

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])

if spec["kind"] in ("torch", "torch.compile"):
    import torch
    torch.set_num_threads(spec["threads"])
    nn = torch.nn
    torch.manual_seed(0)
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                            nn.Linear(512, 10))
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(3136, 10))
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=mu)
    forward = torch.compile(net) if spec["kind"] == "torch.compile" else net
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(forward(xt), yt)
        loss.backward()
        opt.step()
        return loss
else:
    import jax, jax.numpy as jnp
    def init(shape):
        return jnp.asarray(rng.uniform(-0.05, 0.05, shape).astype(np.float32))
    if model == "mlp":
        params = [init(s) for s in [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]]
        def apply(p, x):
            h = jax.nn.relu(x @ p[0] + p[1]); h = jax.nn.relu(h @ p[2] + p[3])
            return h @ p[4] + p[5]
    else:
        params = [init(s) for s in [(32, 1, 3, 3), (32, 1, 1), (64, 32, 3, 3), (64, 1, 1),
                                    (3136, 10), (10,)]]
        def conv(x, w):
            return jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                                dimension_numbers=("NCHW", "OIHW", "NCHW"))
        def pool(x):
            return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        def apply(p, x):
            h = pool(jax.nn.relu(conv(x, p[0]) + p[1]))
            h = pool(jax.nn.relu(conv(h, p[2]) + p[3]))
            return h.reshape(h.shape[0], -1) @ p[4] + p[5]
    def loss_fn(p, x, y):
        logits = apply(p, x)
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(y.shape[0]), y])
    def train(p, v, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        v = [mu * vi + gi for vi, gi in zip(v, g)]
        return loss, [pi - lr * vi for pi, vi in zip(p, v)], v
    state = {"p": params, "v": [jnp.zeros_like(q) for q in params]}
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    # Compiled ahead, so that the memory measured below is the step's.
    train = jax.jit(train, donate_argnums=(0, 1)).lower(state["p"], state["v"], xj, yj).compile()
    def step():
        loss, state["p"], state["v"] = train(state["p"], state["v"], xj, yj)
        return loss.block_until_ready()

if spec["kind"] != "jax":
    # PyTorch creates its momentum buffers in the first step and keeps the
    # last step's gradients until the next zero_grad: one step first, then
    # the gradients dropped, so that the resident set is model, optimizer
    # state and batch, as for dlc (whose gradients live only during a step).
    # Its CPU tensors are plain malloc/free (no cache), so the following
    # steps allocate their intermediates anew.
    step()
    opt.zero_grad(set_to_none=True)
resident = status("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")
for _ in range(2):
    step()
times = []
for _ in range(spec["reps"]):
    t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
peak = status("VmHWM:")
print(json.dumps({"ms": sorted(times)[len(times) // 2] * 1e3, "mib": (peak - resident) / 1024}))
"""


def peer(kind, model, threads, reps, isa):
    _, _, batch, classes = MODELS[model]
    _, _, inputs = MODELS[model][1]()
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               **common.isa_env(isa), **MEMORY_ENV)
    spec = json.dumps({"kind": kind, "model": model, "batch": batch, "classes": classes,
                       "input": inputs[0], "threads": threads, "reps": reps, "lr": LR,
                       "momentum": MOMENTUM})
    result = json.loads(common.sh([sys.executable, "-c", PEER, spec], env=env).strip().splitlines()[-1])
    return (common.best(("ms", kind, model, threads, isa), result["ms"]),
            common.best(("mib", kind, model, threads, isa), result["mib"]))


def dlc(model, threads, reps, isa, work):
    """Compiles the loss with --train-step and times `train_step` with dlc-run."""
    source, params, inputs = MODELS[model][1]()
    _, _, batch, classes = MODELS[model]
    mlir, artifact = work / f"{model}.mlir", work / f"{model}.dlc"
    mlir.write_text(source)
    common.sh([common.BIN / "dlc-compile", mlir, "-o", artifact, f"--cpu={isa}",
               f"--train-step=optimizer=sgd lr={LR} momentum={MOMENTUM}"])
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(-0.05, 0.05, s).astype(np.float32) for s in params]
    arrays += [np.zeros(s, np.float32) for s in params]  # momentum
    arrays += [rng.standard_normal(inputs[0]).astype(np.float32),
               rng.integers(0, classes, batch).astype(np.int64)]
    args = []
    for i, a in enumerate(arrays):
        path = work / f"{model}_in{i}.npy"
        np.save(path, a)
        args += ["--input", str(path)]
    out = common.sh([common.BIN / "dlc-run", artifact, "--entry=train_step", *args,
                     "--output-dir", str(work), f"--bench={reps}", f"--threads={threads}"],
                    env=dict(os.environ, **MEMORY_ENV))
    ms = float(re.search(r"median ([0-9.]+) ms", out).group(1))
    mib = float(re.search(r"peak memory ([0-9.]+) MiB", out).group(1))
    return (common.best(("ms", "dlc", model, threads, isa), ms),
            common.best(("mib", "dlc", model, threads, isa), mib))


PEERS = [("PyTorch eager", "torch"), ("torch.compile", "torch.compile"), ("JAX jit", "jax")]


def tables(args, isa, work, emit):
    emit(f"### Training step, ISA level {isa}")
    emit()
    emit(f"SGD with momentum {MOMENTUM}, lr {LR}; dlc: `dlc-compile --train-step` (one compiled "
         f"function, parameters and momentum updated in place), timed with `dlc-run --bench`. "
         f"Median ms per step; memory: peak MiB above the resident model, state and batch.")
    emit()
    for model in args.models:
        title = MODELS[model][0]
        labels = ["dlc"] + [label for label, _ in PEERS]
        emit(f"| {title} | threads | " + " | ".join(f"{l} ms" for l in labels) + " | "
             + " | ".join(f"speedup vs {l}" for l in labels[1:]) + " | "
             + " | ".join(f"{l} MiB" for l in labels) + " |")
        emit("|---" * (2 + 2 * len(labels) + len(labels) - 1) + "|")
        for threads in (1, 2):
            cells = []
            try:
                results = [dlc(model, threads, args.reps, isa, work)]
            except Exception as error:
                emit(common.failed_row(f"dlc, {threads} thread(s)", 2 + 3 * len(labels) - 1, error))
                continue
            for _, kind in PEERS:
                module = "torch" if kind.startswith("torch") else kind
                try:
                    results.append(peer(kind, model, threads, args.reps, isa)
                                   if common.have(module) else None)
                except Exception as error:  # e.g. torch.compile without a compiler
                    print(f"{kind} failed: {str(error)[-300:]}", file=sys.stderr)
                    results.append(None)
            d = results[0][0]
            cells += [f"{r[0]:.2f}" if r else "n/a" for r in results]
            cells += [f"{r[0] / d:.2f}" if r else "-" for r in results[1:]]
            cells += [f"{r[1]:.1f}" if r else "n/a" for r in results]
            emit(f"| | {threads} | " + " | ".join(cells) + " |")
        emit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one round, fewer steps")
    parser.add_argument("--isa", default="native", help="comma-separated ISA levels")
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()
    args.models = args.models.split(",")
    args.reps = 10 if args.quick else 30
    common.run_rounds(1 if args.quick else common.ROUNDS, args.isa.split(","), args.markdown,
                      lambda isa, work, emit: tables(args, isa, work, emit))


if __name__ == "__main__":
    main()
