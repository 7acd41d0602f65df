"""dlc CPU benchmarks, each measured side by side with its peers in one run.

    .venv/bin/python benchmarks/run.py [--quick] [--isa LEVELS] [--markdown FILE]

One set of tables per ISA level (--isa, default: native and, on an AVX-512
host, x86-64-v3 as well), so that AVX2 code is measured on AVX-512 machines:
dlc compiles with --cpu=LEVEL and every peer is held to the same level
(x86-64-v3: OPENBLAS_CORETYPE=Haswell, ATEN_CPU_CAPABILITY=avx2,
ONEDNN_MAX_CPU_ISA=AVX2, XLA_FLAGS=--xla_cpu_max_isa=AVX2; native on an
AVX-512 host: OPENBLAS_CORETYPE=SkylakeX, since OpenBLAS 0.3.30 does not
recognize Zen 5 and falls back to its Haswell kernels there). Each table set
starts with the CPU model, the ISA level, the core OpenBLAS used and the FMA
peak of that ISA (benchmarks/fma_peak.c, zmm or ymm, best of 3).

dlc: timed by `dlc-run --bench` (median of N calls after three warm-up calls,
timed in C around dlc_call). NumPy: the pip wheel (OpenBLAS), timed in a
subprocess with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS set to the same thread
count, median of N calls after one warm-up, with preallocated outputs where
NumPy allows it. PyTorch and JAX (XLA:CPU), when installed
(`tools/setup.sh --benchmarks`), are timed the same way (JAX on jit-compiled
functions, waiting for the result); otherwise their cells say so. Every peer
process is pinned to as many cores as the thread count.

Every time is the best of 3 medians, each from its own process, taken in
3 rounds over the whole run (1 with --quick). OpenMP threads are bound to cores (OMP_PROC_BIND=true) for dlc and
the peers alike. Ratio columns read "speedup = peer ms / dlc ms": above 1, dlc is
faster. A
row that fails (a compile error, a crash) prints as failed with the reason,
and the other rows still run.
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("DLC_BUILD", ROOT / "build")) / "bin"


def sh(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr}")
    return proc.stdout


def dlc_median_ms(source, inputs, threads, reps, work, isa):
    """Compiles `source` (one entry point) for `isa` and returns dlc-run's
    median ms."""
    mlir, artifact = work / "m.mlir", work / "m.dlc"
    mlir.write_text(source)
    sh([BIN / "dlc-compile", mlir, "-o", artifact, f"--cpu={isa}"])
    args = []
    for i, array in enumerate(inputs):
        path = work / f"in{i}.npy"
        np.save(path, array)
        args += ["--input", str(path)]
    out = sh([BIN / "dlc-run", artifact, *args, "--output-dir", str(work),
              f"--bench={reps}", f"--threads={threads}"], env=dict(os.environ, **BIND))
    return best(("dlc", source, threads, isa),
                float(re.search(r"median ([0-9.]+) ms", out).group(1)))


PEER = r"""
import json, os, sys, time
spec = json.loads(sys.argv[1])
os.sched_setaffinity(0, set(range(spec["threads"])))
import numpy as np
rng = np.random.default_rng(0)
inputs = [rng.standard_normal(s).astype(np.float32) for s in spec["shapes"]]
ns = {"np": np, "inputs": inputs}
if spec["kind"] == "jax":
    import jax, jax.numpy as jnp
    ns.update(jax=jax, jnp=jnp, inputs=[jax.device_put(a) for a in inputs])
if spec["kind"] == "torch":
    import torch
    torch.set_num_threads(spec["threads"])
    ns["torch"] = torch
    ns["inputs"] = [torch.from_numpy(a) for a in inputs]
exec(spec["setup"], ns)
fn = ns["fn"]
fn()
times = []
for _ in range(spec["reps"]):
    t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
print(sorted(times)[len(times) // 2] * 1e3)
"""


def host_flags():
    text = Path("/proc/cpuinfo").read_text()
    match = re.search(r"^flags\s*:(.*)$", text, re.M)
    return set(match.group(1).split()) if match else set()


AVX512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl"}


def has_avx512(isa):
    """Whether code for `isa` uses AVX-512 (native: whether this host has it)."""
    return isa == "x86-64-v4" or (isa == "native" and AVX512 <= host_flags())


def isa_env(isa):
    """Environment that holds the peers to the ISA level of the artifact."""
    if isa == "x86-64-v3":
        return {"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2",
                "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
                "XLA_FLAGS": "--xla_cpu_max_isa=AVX2"}
    if has_avx512(isa):
        return {"OPENBLAS_CORETYPE": "SkylakeX"}
    return {}


ISA = "native"  # the level of the tables being measured (set in main)
# The whole run is repeated ROUNDS times and each cell keeps its best median
# (each from its own process): on this shared 2-vCPU VM the second CPU is
# sometimes busy for seconds, so that a 2-thread measurement reads like a
# 1-thread one; rounds minutes apart do not all hit such a stretch.
ROUNDS = 3
BEST = {}


def best(key, value, better=min):
    """The best value measured for `key` so far in this run, `value` included."""
    BEST[key] = better(BEST.get(key, value), value)
    return BEST[key]

# OpenMP threads (dlc's, PyTorch's) bound to cores, one each: unbound, this
# VM's scheduler often leaves both threads of a short run on one CPU (a 2-thread
# batched matmul then takes 0.65 ms instead of 0.29, run after run).
BIND = {"OMP_PROC_BIND": "true"}


def peer_median_ms(kind, shapes, setup, threads, reps):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), **isa_env(ISA), **BIND)
    spec = json.dumps({"kind": kind, "shapes": shapes, "setup": setup, "threads": threads,
                       "reps": reps})
    return best(("peer", ISA, spec), float(sh([sys.executable, "-c", PEER, spec], env=env)))


def have(module):
    # Only look: importing JAX here would leave its thread pool in this
    # process, competing with the dlc-run processes for the two cores.
    return importlib.util.find_spec(module) is not None


def optional_peer(kind, shapes, setup, threads, reps):
    """The peer's median ms, or None when its library is not installed."""
    return peer_median_ms(kind, shapes, setup, threads, reps) if have(kind) else None


def cell(ms, digits=2):
    return f"{ms:.{digits}f}" if ms else "not installed"


def failed_row(label, columns, error):
    """A table row saying that `label` failed, and why, in the first cell."""
    reason = str(error).strip().splitlines()
    reason = next((line for line in reason if "error" in line.lower()), reason[0] if reason else "")
    return f"| {label} | failed: {reason[:160].replace('|', '/')} |" + " |" * (columns - 2)


def ratio(peer, dlc):
    return f"{peer / dlc:.2f}" if peer else "-"


def tensor(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def matmul_source(m, n, k):
    return (f"func.func @matmul(%a: {tensor((m, k))}, %b: {tensor((k, n))}) -> {tensor((m, n))} {{\n"
            f"  %0 = dlc.matmul %a, %b : ({tensor((m, k))}, {tensor((k, n))}) -> {tensor((m, n))}\n"
            f"  return %0 : {tensor((m, n))}\n}}\n")


def openblas_core(env):
    """The kernel set OpenBLAS picks under `env` (its OPENBLAS_VERBOSE line)."""
    proc = subprocess.run([sys.executable, "-c", "import numpy"], capture_output=True, text=True,
                          env=dict(os.environ, OPENBLAS_VERBOSE="2", **env))
    match = re.search(r"Core: (\S+)", proc.stdout + proc.stderr)
    return match.group(1) if match else "unknown"


def fma_peak(isa, work):
    """GFLOP/s of one core on the vectors of `isa` (zmm or ymm FMAs)."""
    flags = ["-mavx512f"] if has_avx512(isa) else ["-mavx2", "-mfma"]
    binary = work / f"fma_peak_{isa}"
    sh(["cc", "-O2", *flags, str(ROOT / "benchmarks" / "fma_peak.c"), "-o", binary])
    peak = best(("peak", isa), max(float(sh([binary])) for _ in range(3)), better=max)
    return peak, 512 if has_avx512(isa) else 256


def version(module):
    if not have(module):
        return "not installed"
    out = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def thread_table(emit, dlc, title, source, shapes, arrays, reps, peers, flops=None, digits=2):
    """One row per thread count (1, 2): dlc and each peer, ms, GFLOP/s when
    `flops` is given, and speedups. `peers`: (label, kind, setup) triples."""
    labels = ["dlc"] + [label for label, _, _ in peers]
    columns = [f"{label} ms" for label in labels]
    if flops:
        columns += [f"{label} GFLOP/s" for label in labels]
    columns += [f"speedup vs {label}" for label in labels[1:]]
    emit(f"| {title} | threads | " + " | ".join(columns) + " |")
    emit("|---" * (len(columns) + 2) + "|")
    for threads in (1, 2):
        try:
            d = dlc(source, arrays, threads, reps)
            times = [d] + [optional_peer(kind, shapes, setup, threads, reps)
                           for _, kind, setup in peers]
            cells = [cell(t, digits) for t in times]
            if flops:
                cells += [f"{flops / t / 1e6:.1f}" if t else "-" for t in times]
            cells += [ratio(t, d) for t in times[1:]]
            emit(f"| | {threads} | " + " | ".join(cells) + " |")
        except Exception as error:  # report the row, run the others
            emit(failed_row(f"{threads} thread(s)", len(columns) + 2, error))
    emit()


def run_tables(args, isa, work, emit):
    global ISA
    ISA = isa
    rng = np.random.default_rng(0)
    peak, bits = fma_peak(isa, work)
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    emit(f"## ISA level {isa} ({bits}-bit vectors)")
    emit()
    emit(f"Machine: {cpu.group(1) if cpu else platform.processor()}, {os.cpu_count()} cores. "
         f"dlc artifacts compiled with `--cpu={isa}`. FMA peak of this ISA: {peak:.1f} GFLOP/s "
         f"per core (fp32). Peers: NumPy {np.__version__} (OpenBLAS core "
         f"{openblas_core(isa_env(isa))}), PyTorch {version('torch')}, JAX {version('jax')}"
         + (f"; peer environment {' '.join(f'{k}={v}' for k, v in isa_env(isa).items())}"
            if isa_env(isa) else "") + ".")
    emit()

    def dlc(source, inputs, threads, reps):
        return dlc_median_ms(source, inputs, threads, reps, work, isa)

    # fp32 matmul.
    sizes = [(256, 256, 256), (512, 512, 512), (1000, 1000, 1000), (1024, 1024, 1024),
             (2048, 2048, 2048), (4096, 4096, 1024)]
    if args.quick:
        sizes = [(256, 256, 256), (1000, 1000, 1000), (1024, 1024, 1024)]
    emit("| matmul fp32 (M, N, K) | threads | dlc ms | dlc GFLOP/s | NumPy ms | NumPy GFLOP/s "
         "| speedup vs NumPy (NumPy ms / dlc ms) | dlc % of FMA peak |")
    emit("|---|---|---|---|---|---|---|---|")
    for m, n, k in sizes:
        flops = 2.0 * m * n * k
        reps = max(3, min(50, int(2e10 / flops))) if not args.quick else 3
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        for threads in (1, 2):
            try:
                d = dlc(matmul_source(m, n, k), [a, b], threads, reps)
                p = peer_median_ms("numpy", [[m, k], [k, n]],
                                   f"out = np.empty(({m}, {n}), np.float32)\n"
                                   "fn = lambda: np.matmul(inputs[0], inputs[1], out=out)",
                                   threads, reps)
                emit(f"| {m}x{n}x{k} | {threads} | {d:.2f} | {flops / d / 1e6:.1f} | {p:.2f} | "
                     f"{flops / p / 1e6:.1f} | {p / d:.2f} | "
                     f"{100 * flops / d / 1e6 / (peak * threads):.0f}% |")
            except Exception as error:  # report the row, run the others
                emit(failed_row(f"{m}x{n}x{k}, {threads} thread(s)", 8, error))
    emit()

    # Bandwidth-bound: a fused elementwise chain and softmax.
    n_rows, n_cols = (2048, 4096) if not args.quick else (1024, 1024)
    shape = (n_rows, n_cols)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.standard_normal(shape).astype(np.float32)
    chain = (f"func.func @chain(%x: {tensor(shape)}, %y: {tensor(shape)}) -> {tensor(shape)} {{\n"
             f"  %0 = dlc.mul %x, %y : {tensor(shape)}\n"
             f"  %1 = dlc.add %0, %x : {tensor(shape)}\n"
             f"  %2 = dlc.relu %1 : {tensor(shape)}\n"
             f"  return %2 : {tensor(shape)}\n}}\n")
    softmax = (f"func.func @softmax(%x: {tensor(shape)}) -> {tensor(shape)} {{\n"
               f"  %0 = dlc.softmax %x axis = 1 : {tensor(shape)}\n"
               f"  return %0 : {tensor(shape)}\n}}\n")
    nbytes = x.nbytes
    reps = 10 if not args.quick else 3
    copy = peer_median_ms("numpy", [list(shape)],
                          "out = np.empty_like(inputs[0])\nfn = lambda: np.copyto(out, inputs[0])",
                          1, reps)
    copy_gbs = 2 * nbytes / copy / 1e6
    emit(f"| bandwidth-bound, {n_rows}x{n_cols} fp32, 1 thread | dlc ms | dlc GB/s | NumPy ms "
         f"| PyTorch ms | JAX ms | speedup vs NumPy | speedup vs PyTorch | speedup vs JAX "
         f"| dlc GB/s / NumPy copy GB/s ({copy_gbs:.1f}) |")
    emit("|---|---|---|---|---|---|---|---|---|---|")
    rows = [
        ("relu(x * y + x)", chain, [x, y], 3,
         "out = np.empty_like(inputs[0])\n"
         "def fn():\n np.multiply(inputs[0], inputs[1], out=out); np.add(out, inputs[0], out=out); "
         "np.maximum(out, 0, out=out)",
         "def fn():\n with torch.no_grad(): return torch.relu(inputs[0] * inputs[1] + inputs[0])",
         "f = jax.jit(lambda x, y: jnp.maximum(x * y + x, 0))\n"
         "fn = lambda: f(*inputs).block_until_ready()"),
        ("softmax (axis 1)", softmax, [x], 2,
         "def fn():\n x = inputs[0]; e = np.exp(x - x.max(1, keepdims=True)); "
         "return e / e.sum(1, keepdims=True)",
         "def fn():\n with torch.no_grad(): return torch.softmax(inputs[0], 1)",
         "f = jax.jit(lambda x: jax.nn.softmax(x, axis=1))\n"
         "fn = lambda: f(*inputs).block_until_ready()"),
    ]
    for label, source, arrays, passes, np_fn, torch_fn, jax_fn in rows:
        try:
            shapes = [list(shape)] * len(arrays)
            d = dlc(source, arrays, 1, reps)
            p = peer_median_ms("numpy", shapes, np_fn, 1, reps)
            t = optional_peer("torch", shapes, torch_fn, 1, reps)
            j = optional_peer("jax", shapes, jax_fn, 1, reps)
            gbs = passes * nbytes / d / 1e6
            emit(f"| {label} | {d:.2f} | {gbs:.1f} | {p:.2f} | {cell(t)} | {cell(j)} | "
                 f"{p / d:.2f} | {ratio(t, d)} | {ratio(j, d)} | {100 * gbs / copy_gbs:.0f}% |")
        except Exception as error:
            emit(failed_row(label, 10, error))
    emit()

    # MLP forward latency.
    mlp = ("func.func @mlp(%x: tensor<128x784xf32>, %w1: tensor<784x512xf32>, %b1: tensor<512xf32>,\n"
           "    %w2: tensor<512x512xf32>, %b2: tensor<512xf32>, %w3: tensor<512x10xf32>, %b3: tensor<10xf32>) -> tensor<128x10xf32> {\n"
           "  %0 = dlc.matmul %x, %w1 : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>\n"
           "  %1 = dlc.broadcast_to %b1 : tensor<512xf32> -> tensor<128x512xf32>\n"
           "  %2 = dlc.add %0, %1 : tensor<128x512xf32>\n  %3 = dlc.relu %2 : tensor<128x512xf32>\n"
           "  %4 = dlc.matmul %3, %w2 : (tensor<128x512xf32>, tensor<512x512xf32>) -> tensor<128x512xf32>\n"
           "  %5 = dlc.broadcast_to %b2 : tensor<512xf32> -> tensor<128x512xf32>\n"
           "  %6 = dlc.add %4, %5 : tensor<128x512xf32>\n  %7 = dlc.relu %6 : tensor<128x512xf32>\n"
           "  %8 = dlc.matmul %7, %w3 : (tensor<128x512xf32>, tensor<512x10xf32>) -> tensor<128x10xf32>\n"
           "  %9 = dlc.broadcast_to %b3 : tensor<10xf32> -> tensor<128x10xf32>\n"
           "  %10 = dlc.add %8, %9 : tensor<128x10xf32>\n  return %10 : tensor<128x10xf32>\n}\n")
    shapes = [[128, 784], [784, 512], [512], [512, 512], [512], [512, 10], [10]]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    np_mlp = ("def fn():\n x, w1, b1, w2, b2, w3, b3 = inputs\n"
              " h = np.maximum(x @ w1 + b1, 0); h = np.maximum(h @ w2 + b2, 0); return h @ w3 + b3")
    torch_mlp = ("def fn():\n x, w1, b1, w2, b2, w3, b3 = inputs\n"
                 " with torch.no_grad():\n  h = torch.relu(x @ w1 + b1); h = torch.relu(h @ w2 + b2); return h @ w3 + b3")
    jax_mlp = ("@jax.jit\ndef f(x, w1, b1, w2, b2, w3, b3):\n"
               " h = jax.nn.relu(x @ w1 + b1); h = jax.nn.relu(h @ w2 + b2); return h @ w3 + b3\n"
               "fn = lambda: f(*inputs).block_until_ready()")
    thread_table(emit, dlc, "MLP 784-512-512-10, batch 128, fp32 forward", mlp, shapes, arrays,
                 50 if not args.quick else 5,
                 [("NumPy", "numpy", np_mlp), ("PyTorch", "torch", torch_mlp),
                  ("JAX", "jax", jax_mlp)], digits=3)

    # conv2d against PyTorch (oneDNN) and JAX.
    conv = ("func.func @conv(%x: tensor<8x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<8x64x56x56xf32> {\n"
            "  %0 = dlc.conv2d %x, %w strides = [1, 1] padding = [1, 1, 1, 1] dilation = [1, 1] groups = 1\n"
            "      : (tensor<8x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<8x64x56x56xf32>\n"
            "  return %0 : tensor<8x64x56x56xf32>\n}\n")
    conv_shapes = [[8, 64, 56, 56], [64, 64, 3, 3]]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in conv_shapes]
    thread_table(emit, dlc, "conv2d 3x3, 64->64 ch, 56x56, batch 8, fp32", conv, conv_shapes,
                 arrays, 10 if not args.quick else 3,
                 [("PyTorch", "torch", "def fn():\n with torch.no_grad(): "
                   "return torch.nn.functional.conv2d(inputs[0], inputs[1], padding=1)"),
                  ("JAX", "jax", "f = jax.jit(lambda x, w: jax.lax.conv_general_dilated(\n"
                   "    x, w, (1, 1), ((1, 1), (1, 1)), dimension_numbers=('NCHW', 'OIHW', 'NCHW')))\n"
                   "fn = lambda: f(*inputs).block_until_ready()")],
                 flops=2.0 * 8 * 64 * 56 * 56 * 64 * 9, digits=1)

    # Batched matmul (attention-like: 16 heads, 256 x 64 x 256).
    bsrc = ("func.func @bmm(%a: tensor<16x256x64xf32>, %b: tensor<16x64x256xf32>) -> tensor<16x256x256xf32> {\n"
            "  %0 = dlc.matmul %a, %b : (tensor<16x256x64xf32>, tensor<16x64x256xf32>) -> tensor<16x256x256xf32>\n"
            "  return %0 : tensor<16x256x256xf32>\n}\n")
    bshapes = [[16, 256, 64], [16, 64, 256]]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in bshapes]
    thread_table(emit, dlc, "batched matmul 16 x (256x64 @ 64x256), fp32", bsrc, bshapes, arrays,
                 20 if not args.quick else 3,
                 [("NumPy", "numpy", "out = np.empty((16, 256, 256), np.float32)\n"
                   "fn = lambda: np.matmul(inputs[0], inputs[1], out=out)"),
                  ("JAX", "jax", "f = jax.jit(jnp.matmul)\nfn = lambda: f(*inputs).block_until_ready()")],
                 flops=2.0 * 16 * 256 * 256 * 64)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    parser.add_argument("--isa", help="comma-separated ISA levels to compile for (default: "
                        "native, plus x86-64-v3 on an AVX-512 host)")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()
    isas = args.isa.split(",") if args.isa else (
        ["native", "x86-64-v3"] if has_avx512("native") else ["native"])
    run_rounds(1 if args.quick else ROUNDS, isas, args.markdown,
               lambda isa, work, emit: run_tables(args, isa, work, emit))


def run_rounds(rounds, isas, markdown, tables):
    """Runs `tables(isa, work, emit)` for each ISA level, `rounds` times (each
    cell keeping its best value, see best()); prints, and writes to
    `markdown` if given, only the last round's tables."""
    lines = []

    def emit(text=""):
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp:
        for round in range(rounds):
            if round < rounds - 1:
                print(f"round {round + 1} of {rounds} (the tables print after the last)",
                      flush=True)
            for isa in isas:
                tables(isa.strip(), Path(tmp),
                       emit if round == rounds - 1 else lambda text="": None)
    if markdown:
        Path(markdown).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
