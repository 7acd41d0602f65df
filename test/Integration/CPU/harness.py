"""Shared driver of the CPU integration tests (not a test itself).

Each test file registers cases: one dlc function each, its inputs and a NumPy
reference computed in float64. All functions of a file are compiled into one
module with `dlc-cpu-pipeline`, run, and compared. The file prints one line
per case and a summary, and exits non-zero if any case failed.
"""

import argparse
import math
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np

from dlc.execution import Module, check_ptx, compile_artifact

# NumPy dtypes of the dlc element types (bf16 travels as raw uint16 bits).
DTYPES = {"f16": np.float16, "bf16": np.uint16, "f32": np.float32, "f64": np.float64,
          "i1": np.bool_, "i32": np.int32, "i64": np.int64}

RNG = np.random.default_rng(0)
# References deliberately produce inf/NaN (log(-1), exp(1e4)); no warnings.
np.seterr(all="ignore")

# Default tolerances per element type for results compared with a float64
# reference: a few ulps for f32/f64, the half types' precision for f16/bf16.
TOLERANCES = {
    "f64": (1e-12, 1e-12),
    "f32": (2e-5, 1e-6),
    "f16": (2e-3, 1e-3),
    "bf16": (1.6e-2, 1e-2),
    "i1": (0, 0),
    "i32": (0, 0),
    "i64": (0, 0),
}


def to_bf16_bits(x):
    """Rounds float32 values to bf16 (nearest even) and returns the raw bits."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def from_bf16_bits(bits):
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)


def random(shape, element="f32", low=-2.0, high=2.0):
    """Random input of a dlc element type (bf16 as raw bits)."""
    if element in ("i32", "i64"):
        return RNG.integers(int(low), int(high) + 1, size=shape).astype(DTYPES[element])
    if element == "i1":
        return RNG.random(shape) < 0.5
    values = RNG.uniform(low, high, size=shape)
    if element == "bf16":
        return to_bf16_bits(values)
    return values.astype(DTYPES[element])


def as_float64(array, element):
    """The exact value of an input or output as float64 (bf16 decoded)."""
    if element == "bf16":
        return from_bf16_bits(array).astype(np.float64)
    return np.asarray(array).astype(np.float64) if element not in ("i1", "i32", "i64") else np.asarray(array)


def round_to(reference, element):
    """Rounds a float64 reference to the result type, so that overflow to inf
    and underflow to 0 happen as they do in that type, then back to float64."""
    if element == "bf16":
        return from_bf16_bits(to_bf16_bits(reference.astype(np.float32))).astype(np.float64)
    if element in ("f16", "f32"):
        with np.errstate(over="ignore"):
            return reference.astype(DTYPES[element]).astype(np.float64)
    return reference


def ttype(shape, element):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def mlp_loss_and_grads(params, x, labels):
    """float64 forward and backward of relu(x w1 + b1) w2 + b2 under the
    mean softmax cross-entropy: the loss, the gradients of (w1, b1, w2, b2)
    and the logits."""
    w1, b1, w2, b2 = params
    rows = np.arange(len(labels))
    h = x @ w1 + b1
    r = np.maximum(h, 0)
    o = r @ w2 + b2
    z = o - o.max(1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    loss = -np.mean(np.log(prob[rows, labels]))
    do = prob.copy()
    do[rows, labels] -= 1
    do /= len(labels)
    dr = do @ w2.T
    dh = dr * (h > 0)
    return loss, [x.T @ dh, dh.sum(0), r.T @ do, do.sum(0)], o


erf = np.vectorize(math.erf, otypes=[np.float64])


class Suite:
    def __init__(self, name):
        self.name = name
        self.functions = []
        self.cases = []

    def add(self, name, body, args, results, inputs, reference, tol=None):
        """Registers function @name.

        body: the dlc ops, using %arg0... and ending with `return`.
        args/results: lists of (shape, element).
        reference: callable on the float64 views of the inputs returning the
        expected result(s) (a list for several results).
        """
        arg_text = ", ".join(f"%arg{i}: {ttype(*a)}" for i, a in enumerate(args))
        res_text = ", ".join(ttype(*r) for r in results)
        self.functions.append(
            f"func.func @{name}({arg_text}) -> ({res_text}) {{\n{body}\n}}\n"
        )
        self.cases.append((name, args, results, inputs, reference, tol))

    def run(self):
        """Compiles every case into one artifact for the ISA level given as
        --cpu=LEVEL (default native) and checks each; with --compile-only
        (a level this host cannot execute) it only compiles."""
        options = target_options()
        source = "\n".join(self.functions)
        if options.cuda_arch:
            count = check_ptx(source, options.cuda_arch)
            print(f"{self.name} [cuda {options.cuda_arch}]: {len(self.cases)} cases, "
                  f"{count} kernels accepted by ptxas")
            return
        if options.compile_only:
            with tempfile.TemporaryDirectory(prefix="dlc-") as work:
                compile_artifact(source, Path(work) / "module.dlc", options.cpu)
            print(f"{self.name} [{options.cpu}]: compiled {len(self.cases)} cases, not run")
            return
        module = Module(source, options.cpu)

        def check(name, args, results, inputs, reference, tol):
            outputs = module(name, *inputs)
            expected = reference(*[as_float64(x, a[1]) for x, a in zip(inputs, args)])
            if not isinstance(expected, (list, tuple)):
                expected = [expected]
            for (shape, element), out, ref in zip(results, outputs, expected):
                rtol, atol = tol or TOLERANCES[element]
                if options.cpu.endswith("-tf32") and element == "f32":
                    # Tensor-core products of TF32 operands (10-bit
                    # mantissas, truncated): errors of ~1e-3 per product,
                    # summed over K; a wrong fragment is off by O(1).
                    rtol, atol = max(rtol, 1e-2), max(atol, 5e-2)
                ref = round_to(np.asarray(ref), element)
                assert out.shape == tuple(shape), f"shape {out.shape} != {tuple(shape)}"
                np.testing.assert_allclose(
                    as_float64(out, element), ref, rtol=rtol, atol=atol,
                    equal_nan=True, err_msg=name)

        run_checks(self.name, options.cpu,
                   [(case[0], lambda case=case: check(*case)) for case in self.cases])


def target_options():
    """--cpu=LEVEL (default native) and --compile-only (a level this host
    cannot execute), as lit's %cpu and %compile_only pass them; or
    --cuda-arch=sm_XX: compile for that GPU and assemble every kernel with
    ptxas instead; or --cuda-run=sm_XX: run every case on the GPU
    (test/Target/CUDA); or --cuda-fake=sm_XX: run every case through the
    stand-in driver of test/fake-cuda (LD_LIBRARY_PATH), which checks the
    driver calls but runs no kernel, so values are not compared."""
    global FAKE_DRIVER
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpu", default="native")
    parser.add_argument("--compile-only", action="store_true")
    parser.add_argument("--cuda-arch")
    parser.add_argument("--cuda-run", metavar="ARCH",
                        help="compile for the NVIDIA GPU ARCH and run every case there "
                             "(tensors staged by the runtime), checked as on the CPU")
    parser.add_argument("--cuda-fake", metavar="ARCH",
                        help="as --cuda-run, through test/fake-cuda's libcuda.so.1: "
                             "every call must succeed, results are not checked")
    options = parser.parse_args()
    if options.cuda_run:
        options.cpu = f"cuda:{options.cuda_run}"
    if options.cuda_fake:
        options.cpu = f"cuda:{options.cuda_fake}"
        FAKE_DRIVER = options.cuda_fake
    return options


# --cuda-fake's chip, or None.
FAKE_DRIVER = None


def run_checks(name, cpu, checks):
    """Runs (label, check) pairs: PASS (with what the check returns, if
    anything) or FAIL and the traceback per label, then a summary line; every
    check runs, and the exit status is non-zero if any failed."""
    failures = 0
    for label, check in checks:
        try:
            detail = check()
            print(f"PASS {label}" + (f": {detail}" if detail else ""))
        except Exception as error:  # report every failing check, not just the first
            if FAKE_DRIVER and isinstance(error, AssertionError):
                print(f"RAN {label}")  # every call returned; the values are the fake's
                continue
            failures += 1
            print(f"FAIL {label}")
            traceback.print_exc(file=sys.stdout)
    if FAKE_DRIVER:
        print(f"{name} [{cpu}, fake driver]: {len(checks) - failures} ran, {failures} failed")
    else:
        print(f"{name} [{cpu}]: {len(checks) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


def unary_body(op, shape, element, extra=""):
    t = ttype(shape, element)
    return f"  %0 = dlc.{op} %arg0{extra} : {t}\n  return %0 : {t}"
