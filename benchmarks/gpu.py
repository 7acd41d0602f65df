#!/usr/bin/env python3
"""GPU benchmarks of issue 10, in two halves so that the GPU machine needs
neither LLVM nor MLIR (tools/gpu-check.sh runs both):

  benchmarks/gpu.py prepare DIR [--arch=sm_90]   here: compile the CUDA artifacts
  benchmarks/gpu.py run DIR [--reps=N]           on the GPU machine: time them
  benchmarks/gpu.py ncu DIR [--cases=A,B]        there: Nsight Compute reports
                                                 (ncu-CASE.txt) of some cases

`run` makes the inputs with NumPy, times dlc with `dlc-run --device=cuda
--bench=N` (tensors resident on the GPU, median of N synchronized calls), and
times the peers in the same process run with PyTorch on the same GPU (CUDA
events, median of N): cuBLAS GEMM in fp32 (allow_tf32=False), TF32, f16 and bf16;
device-to-device copy bandwidth (bytes read + written), softmax and an
elementwise chain in TB/s; the MLP and CNN training steps of benchmarks/train.py
(SGD with momentum) in eager mode and under torch.compile. Prints a Markdown
table and writes DIR/results.json, and the training steps' kernels each timed
by the runtime (DLC_CUDA_PROFILE, a second run) to DIR/kernels.profile.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEMM_SIZES = (1024, 2048, 4096, 8192)
ROWS, COLS = 16384, 4096  # softmax and elementwise chain: 64M f32 elements
LR, MOMENTUM = 0.01, 0.9
CASE_SECONDS = 90


def t(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def cases():
    """name -> (dlc source, entry, train-step options or None, inputs as
    (shape, dtype), flops, bytes moved)."""
    sys.path.insert(0, str(HERE))
    import train  # noqa: E402  (the MLP and CNN of the CPU benchmarks)
    result = {}
    for n in GEMM_SIZES:
        # tf32: the f32 GEMM compiled with --allow-tf32; f16 and bf16:
        # f32 sums; all three on tensor cores (mma.sync; wgmma for the
        # -wgmma cases, compiled for sm_90a).
        for name, element, dtype in (("f32", "f32", "float32"), ("tf32", "f32", "float32"),
                                     ("f16", "f16", "float16"), ("bf16", "bf16", "bfloat16")):
            source = (f"func.func @gemm(%a: {t((n, n), element)}, %b: {t((n, n), element)}) "
                      f"-> {t((n, n), element)} {{\n  %0 = dlc.matmul %a, %b : "
                      f"({t((n, n), element)}, {t((n, n), element)}) -> {t((n, n), element)}\n"
                      f"  return %0 : {t((n, n), element)}\n}}\n")
            result[f"gemm_{name}_{n}"] = (source, "gemm", None, [((n, n), dtype)] * 2,
                                          2.0 * n ** 3, 0)
            # f16, bf16 and TF32 again for sm_90a: TMA-fed wgmma kernels
            # (dlc-lower-to-wgmma) instead of mma.sync.
            if name in ("f16", "bf16", "tf32"):
                result[f"gemm_{name}-wgmma_{n}"] = result[f"gemm_{name}_{n}"]
    shape = t((ROWS, COLS))
    result["softmax"] = (
        f"func.func @softmax(%x: {shape}) -> {shape} {{\n"
        f"  %0 = dlc.softmax %x axis = 1 : {shape}\n  return %0 : {shape}\n}}\n",
        "softmax", None, [((ROWS, COLS), "float32")], 0, 2 * 4 * ROWS * COLS)
    result["chain"] = (
        f"func.func @chain(%x: {shape}, %y: {shape}) -> {shape} {{\n"
        f"  %0 = dlc.mul %x, %y : {shape}\n  %1 = dlc.add %0, %x : {shape}\n"
        f"  %2 = dlc.relu %1 : {shape}\n  return %2 : {shape}\n}}\n",
        "chain", None, [((ROWS, COLS), "float32")] * 2, 0, 3 * 4 * ROWS * COLS)
    for model, (_, make, batch, classes) in train.MODELS.items():
        source, params, inputs = make()
        state = [(s, "float32") for s in params] * 2  # parameters, momentum
        result[f"train_{model}"] = (
            source, "train_step", f"optimizer=sgd lr={LR} momentum={MOMENTUM}",
            state + [(inputs[0], "float32"), ((batch,), f"labels{classes}")], 0, 0)
    return result


def prepare(work: Path, arch: str, build: Path):
    work.mkdir(parents=True, exist_ok=True)
    specs = {}
    for name, (source, entry, train_step, inputs, flops, moved) in cases().items():
        src = work / f"{name}.mlir"
        src.write_text(source)
        # (The wgmma cases need the "a" features of sm_90a.)
        chip = "sm_90a" if "-wgmma_" in name else arch
        command = [str(build / "bin" / "dlc-compile"), str(src), "--target=cuda",
                   f"--gpu-arch={chip}", "-o", str(work / f"{name}.dlc")]
        if train_step:
            command.append(f"--train-step={train_step}")
        if name.startswith("gemm_tf32"):
            command.append("--allow-tf32")
        proc = subprocess.run(command, capture_output=True, text=True)
        src.unlink()
        if proc.returncode != 0:
            print(f"{name}: not compiled: {proc.stderr.strip().splitlines()[-1]}")
            specs[name] = {"error": proc.stderr.strip()[-2000:]}
            continue
        specs[name] = {"entry": entry, "inputs": inputs, "flops": flops, "bytes": moved}
        print(f"{name}: {(work / f'{name}.dlc').stat().st_size // 1024} KiB")
    (work / "specs.json").write_text(json.dumps(specs, indent=1))


def make_input(shape, dtype, rng):
    import numpy as np
    if dtype.startswith("labels"):
        return rng.integers(0, int(dtype[6:]), shape).astype(np.int64)
    x = (rng.standard_normal(shape) * 0.1).astype(np.float32)
    if dtype == "float16":
        return x.astype(np.float16)
    if dtype == "bfloat16":  # bf16 travels as its upper 16 bits
        return (x.view(np.uint32) >> 16).astype(np.uint16)
    return x


def dlc_run_command(work: Path, name, spec, reps, dlc_run):
    """Inputs written for case `name` (random, seed 0), its output folder
    and the dlc-run command that times it."""
    import numpy as np
    rng = np.random.default_rng(0)
    paths = []
    for i, (shape, dtype) in enumerate(spec["inputs"]):
        path = Path("/tmp") / f"dlc-gpu-{name}-{i}.npy"
        np.save(path, make_input(tuple(shape), dtype, rng))
        paths.append(path)
    out = Path("/tmp") / f"dlc-gpu-{name}-out"
    out.mkdir(exist_ok=True)
    command = [dlc_run, str(work / f"{name}.dlc"), f"--entry={spec['entry']}",
               "--device=cuda", f"--bench={reps}", "--output-dir", str(out)]
    for p in paths:
        command += ["--input", str(p)]
    return paths, out, command


# Nsight Compute's sections for `ncu`: throughputs against the chip's peaks,
# why warps stalled, issue slots, shared-memory bank conflicts, occupancy.
NCU_SECTIONS = ["SpeedOfLight", "WarpStateStats", "SchedulerStats", "ComputeWorkloadAnalysis",
                "MemoryWorkloadAnalysis_Tables", "LaunchStats", "Occupancy"]


def ncu(work: Path, cases, dlc_run: str):
    """Each case's kernels once more under Nsight Compute (clocks left as
    they are), its report in ncu-CASE.txt."""
    specs = json.loads((work / "specs.json").read_text())
    for name in cases:
        if name not in specs or "error" in specs[name]:
            print(f"ncu {name}: no such compiled case")
            continue
        paths, _, command = dlc_run_command(work, name, specs[name], 1, dlc_run)
        sections = [arg for section in NCU_SECTIONS for arg in ("--section", section)]
        # (dlc-run calls once to warm up, then the timed call: its launches.)
        ncu_command = [os.environ.get("NCU", "ncu"), "--clock-control", "none",
                       "--launch-count", "4"]
        proc = subprocess.run(ncu_command + sections + command, capture_output=True, text=True,
                              timeout=CASE_SECONDS)
        if proc.returncode != 0:  # (a section this ncu lacks: its default set)
            proc = subprocess.run(ncu_command + command, capture_output=True, text=True,
                                  timeout=CASE_SECONDS)
        for p in paths:
            p.unlink()
        (work / f"ncu-{name}.txt").write_text(proc.stdout + proc.stderr)
        print(f"ncu {name}: exit {proc.returncode}, {len(proc.stdout.splitlines())} lines", flush=True)


def dlc_median_ms(work: Path, name, spec, reps, dlc_run, profile=None):
    """Median ms of `reps` calls; with `profile` (a path), timed again per
    kernel by the runtime (DLC_CUDA_PROFILE) in a second run, so that the
    events around each launch do not count in the median."""
    paths, out, command = dlc_run_command(work, name, spec, reps, dlc_run)
    try:
        # A bound per case: a kernel that hangs (a lost mbarrier phase, say)
        # costs this case, not the lease.
        proc = subprocess.run(command, capture_output=True, text=True, timeout=CASE_SECONDS)
        if proc.returncode == 0 and profile:
            subprocess.run(command, capture_output=True, text=True, timeout=CASE_SECONDS,
                           env=dict(os.environ, DLC_CUDA_PROFILE=str(profile)))
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip())
        ms = float(re.search(r"median ([0-9.]+) ms", proc.stdout).group(1))
        error = (case_error(name, paths, out / f"{spec['entry']}_0.npy")
                 if not name.startswith("train_") else None)
        return ms, error
    finally:
        for p in paths:
            p.unlink()


def as_float(x):
    """An array as dlc-run wrote it, as float32 (bf16 travels as uint16)."""
    import numpy as np
    if x.dtype == np.uint16:
        return (x.astype(np.uint32) << 16).view(np.float32)
    return x.astype(np.float32)


def case_error(name, inputs, output):
    """||dlc - ref|| / ||ref|| of the last timed call against float64 of the
    same inputs (GEMM, softmax, chain; through PyTorch on the GPU, the GEMMs
    through NumPy without it): a fast kernel is only worth its time if its
    values are right."""
    import numpy as np
    x = [as_float(np.load(p)).astype(np.float64) for p in inputs]
    out = as_float(np.load(output)).astype(np.float64)
    try:
        import torch
        t = [torch.from_numpy(v).cuda() for v in x]
        ref = (t[0] @ t[1] if name.startswith("gemm_") else
               torch.softmax(t[0], 1) if name.startswith("softmax") else torch.relu(t[0] * t[1] + t[0]))
        ref = ref.cpu().numpy()
    except ImportError:
        ref = x[0] @ x[1]
    return float(np.linalg.norm(out - ref) / np.linalg.norm(ref))


def torch_peers(reps, results, save):
    """PyTorch on the same GPU: fills results (name -> median ms), calling
    save() after each; returns the device's name and PyTorch's version."""
    import torch

    def median_ms(fn):
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(reps):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop))
        return sorted(times)[len(times) // 2]

    dev = "cuda"
    for n in GEMM_SIZES:
        a = torch.randn(n, n, device=dev) * 0.1
        b = torch.randn(n, n, device=dev) * 0.1
        torch.backends.cuda.matmul.allow_tf32 = False
        results[f"gemm_f32_{n}"] = median_ms(lambda: a @ b)
        torch.backends.cuda.matmul.allow_tf32 = True
        results[f"gemm_tf32_{n}"] = median_ms(lambda: a @ b)
        torch.backends.cuda.matmul.allow_tf32 = False
        ab, bb = a.bfloat16(), b.bfloat16()
        results[f"gemm_bf16_{n}"] = median_ms(lambda: ab @ bb)
        ah, bh = a.half(), b.half()
        results[f"gemm_f16_{n}"] = median_ms(lambda: ah @ bh)
        del a, b, ab, bb, ah, bh
        save()
    x = torch.randn(ROWS, COLS, device=dev)
    y = torch.randn(ROWS, COLS, device=dev)
    big = torch.empty(256 * 1024 * 1024, device=dev)  # 1 GiB
    dst = torch.empty_like(big)
    results["copy_1GiB"] = median_ms(lambda: dst.copy_(big))
    del big, dst
    results["softmax"] = median_ms(lambda: torch.softmax(x, 1))
    results["chain"] = median_ms(lambda: torch.relu(x * y + x))
    chain = torch.compile(lambda x, y: torch.relu(x * y + x))
    results["chain_compiled"] = median_ms(lambda: chain(x, y))
    del x, y

    nn = torch.nn
    for model in ("mlp", "cnn"):
        for compiled in (False, True):
            torch.manual_seed(0)
            if model == "mlp":
                net, shape, batch = nn.Sequential(
                    nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                    nn.Linear(512, 10)), (128, 784), 128
            else:
                net, shape, batch = nn.Sequential(
                    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(3136, 10)), (64, 1, 28, 28), 64
            net = net.to(dev)
            opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
            forward = torch.compile(net) if compiled else net
            xt = torch.randn(*shape, device=dev)
            yt = torch.randint(0, 10, (batch,), device=dev)

            def step():
                opt.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(forward(xt), yt).backward()
                opt.step()
            key = f"train_{model}" + ("_compiled" if compiled else "")
            results[key] = median_ms(step)
            save()
    return torch.cuda.get_device_name(), torch.__version__


def run(work: Path, reps: int, dlc_run: str):
    specs = json.loads((work / "specs.json").read_text())
    (work / "kernels.profile").unlink(missing_ok=True)
    dlc, errors, peers = {}, {}, {}
    results = {"device": "-", "torch": "-", "reps": reps, "dlc": dlc, "errors": errors,
               "peers": peers, "specs": specs}

    def save():  # after each case: a run stopped at its time limit keeps what it measured
        (work / "results.json").write_text(json.dumps(results, indent=1))
    for name, spec in specs.items():
        if "error" in spec:
            dlc[name] = f"not compiled: {spec['error'].splitlines()[-1]}"
            continue
        # The training steps' kernels, each timed (kernels.profile).
        profile = work / f"{name}.profile" if name.startswith("train_") else None
        try:
            dlc[name], error = dlc_median_ms(work, name, spec, reps, dlc_run, profile)
            if error is not None:
                errors[name] = error
            if profile and profile.exists():
                with open(work / "kernels.profile", "a") as out:
                    out.write(f"# {name}\n" + profile.read_text())
        except Exception as e:  # keep going: report every case
            dlc[name] = f"failed: {str(e)[-300:]}"
        print(f"dlc {name}: {dlc[name]}" +
              (f", relative error {errors[name]:.2e}" if name in errors else ""), flush=True)
        save()
    try:
        results["device"], results["torch"] = torch_peers(reps, peers, save)
    except Exception as e:
        results["device"] = f"(PyTorch failed: {e})"
    save()
    print(table(results))


def table(r):
    dlc, peers, specs = r["dlc"], r["peers"], r["specs"]

    def ms(v):  # errors in full are in results.json
        return f"{v:.3f}" if isinstance(v, float) else "-" if v is None else str(v).split(":")[0]

    lines = [f"Device: {r['device']}, PyTorch {r['torch']}, median of {r['reps']} calls.", "",
             "| case | dlc ms | peer | peer ms | dlc / peer throughput | dlc error |",
             "|---|---|---|---|---|---|"]
    for n in GEMM_SIZES:
        for element, peer in (("f32", "f32"), ("tf32", "tf32"), ("f16", "f16"),
                              ("bf16", "bf16"), ("tf32-wgmma", "tf32"),
                              ("f16-wgmma", "f16"), ("bf16-wgmma", "bf16")):
            key, pkey = f"gemm_{element}_{n}", f"gemm_{peer}_{n}"
            d, p = dlc.get(key), peers.get(pkey)
            tflops = lambda v: f" ({2 * n ** 3 / v / 1e9:.1f} TFLOP/s)" if isinstance(v, float) else ""
            rel = f"{p / d:.0%}" if isinstance(d, float) and isinstance(p, float) else "-"
            error = r.get("errors", {}).get(key)
            lines.append(f"| GEMM {n} {element} | {ms(d)}{tflops(d)} | cuBLAS {peer} | "
                         f"{ms(p)}{tflops(p)} | {rel} | "
                         f"{'-' if error is None else f'{error:.1e}'} |")
    copy = peers.get("copy_1GiB")
    copy_tbs = 2 * 2 ** 30 / copy / 1e9 if isinstance(copy, float) else None
    for key in ("softmax", "chain"):
        d, p = dlc.get(key), peers.get(key)
        moved = specs.get(key, {}).get("bytes", 0)
        tbs = lambda v: f" ({moved / v / 1e9:.2f} TB/s)" if isinstance(v, float) and moved else ""
        of_copy = (f", {moved / d / 1e9 / copy_tbs:.0%} of copy"
                   if isinstance(d, float) and copy_tbs else "")
        rel = f"{p / d:.0%}" if isinstance(d, float) and isinstance(p, float) else "-"
        error = r.get("errors", {}).get(key)
        lines.append(f"| {key} {ROWS}x{COLS} f32 | {ms(d)}{tbs(d)}{of_copy} | PyTorch | "
                     f"{ms(p)}{tbs(p)} | {rel} | {'-' if error is None else f'{error:.1e}'} |")
    if copy_tbs:
        lines.append(f"| device-to-device copy 1 GiB | - | PyTorch | {copy:.3f} "
                     f"({copy_tbs:.2f} TB/s) | - | - |")
    for model in ("mlp", "cnn"):
        d = dlc.get(f"train_{model}")
        for suffix, label in (("", "PyTorch eager"), ("_compiled", "torch.compile")):
            p = peers.get(f"train_{model}{suffix}")
            rel = f"{p / d:.2f}x" if isinstance(d, float) and isinstance(p, float) else "-"
            lines.append(f"| {model.upper()} training step | {ms(d)} | {label} | {ms(p)} | {rel} "
                         "| - |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["prepare", "run", "ncu"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--build", type=Path, default=Path(os.environ.get(
        "DLC_BUILD", HERE.parent / "build")))
    parser.add_argument("--cases", default="gemm_f32_4096,softmax",
                        help="ncu: the cases to profile, comma-separated")
    args = parser.parse_args()
    if args.mode == "prepare":
        prepare(args.dir, args.arch, args.build)
    elif args.mode == "ncu":
        ncu(args.dir, args.cases.split(","), str(args.build / "bin" / "dlc-run"))
    else:
        run(args.dir, args.reps, str(args.build / "bin" / "dlc-run"))


if __name__ == "__main__":
    main()
