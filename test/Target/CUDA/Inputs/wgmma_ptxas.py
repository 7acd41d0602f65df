"""The sm_90a wgmma GEMMs of each tile width (128 x 64, 128 x 128, 128 x 256)
with K loops long enough not to be unrolled, plain and with fused epilogues
(a rounding to f16; bias, relu and a rounding to bf16; TF32 with B^T from W
and a bias), f16 x^T dy and bf16 dy W^T (A^T and B^T read in place), the
MLP training step of benchmarks/train.py with TF32 and an f16 one,
assembled by ptxas -v: each kernel must come without spilled
registers and without a "Potential Performance Loss" (wgmmas serialized,
setmaxnreg ignored), which a GPU would show only as lost speed. Prints the
wgmma shape of each module's GEMM kernel."""

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT / "test" / "Integration" / "CPU"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import train  # noqa: E402
from harness import ttype  # noqa: E402
from dlc.execution import CompileError, check_ptx  # noqa: E402


def matmul(m, k, n, element):
    a, b, c = ttype((m, k), element), ttype((k, n), element), ttype((m, n), element)
    return (f"func.func @f(%a: {a}, %b: {b}) -> {c} {{\n"
            f"  %0 = dlc.matmul %a, %b : ({a}, {b}) -> {c}\n  return %0 : {c}\n}}\n")


def dense(m, k, n, element, transposed=False):
    x, w, c, bias = (ttype(s, element) for s in ((m, k), (n, k) if transposed else (k, n),
                                                 (m, n), (n,)))
    wt = ttype((k, n), element)
    body = (f"  %t = dlc.transpose %w permutation = [1, 0] : {w} -> {wt}\n"
            f"  %0 = dlc.matmul %x, %t : ({x}, {wt}) -> {c}\n" if transposed else
            f"  %0 = dlc.matmul %x, %w : ({x}, {w}) -> {c}\n")
    return (f"func.func @f(%x: {x}, %w: {w}, %b: {bias}) -> {c} {{\n{body}"
            f"  %1 = dlc.broadcast_to %b : {bias} -> {c}\n"
            f"  %2 = dlc.add %0, %1 : {c}\n"
            f"  %3 = dlc.relu %2 : {c}\n  return %3 : {c}\n}}\n")


def xt_dy(m, k, n, element):
    """x^T dy (a weight gradient): A^T [K, M] read in place, MN-major."""
    x, xt, dy, c = (ttype(s, element) for s in ((k, m), (m, k), (k, n), (m, n)))
    return (f"func.func @f(%x: {x}, %dy: {dy}) -> {c} {{\n"
            f"  %t = dlc.transpose %x permutation = [1, 0] : {x} -> {xt}\n"
            f"  %0 = dlc.matmul %t, %dy : ({xt}, {dy}) -> {c}\n  return %0 : {c}\n}}\n")


def f16_mlp(batch, sizes):
    """The MLP of benchmarks/train.py in f16 (its loss too)."""
    source = train.mlp_source(batch, sizes)[0]
    return source.replace("xf32>", "xf16>").replace("tensor<f32>", "tensor<f16>")


CASES = []
for m, n, width in [(1024, 1024, 64), (1152, 1024, 128), (4096, 4096, 256)]:
    CASES += [
        (f"matmul_{m}x512x{n}_f16", "sm_90a", matmul(m, 512, n, "f16"), width),
        (f"dense_relu_{m}x512x{n}_bf16", "sm_90a", dense(m, 512, n, "bf16"), width),
        (f"xt_dy_{m}x512x{n}_f16", "sm_90a", xt_dy(m, 512, n, "f16"), width),
        (f"dense_transposed_relu_{m}x512x{n}_bf16", "sm_90a",
         dense(m, 512, n, "bf16", transposed=True), width),
        (f"matmul_{m}x512x{n}_f32", "sm_90a-tf32", matmul(m, 512, n, "f32"), width),
        (f"dense_transposed_relu_{m}x512x{n}_f32", "sm_90a-tf32",
         dense(m, 512, n, "f32", transposed=True), width),
    ]


# The MLP training step of benchmarks/train.py with TF32: dy W^T on wgmma.
CASES.append(("mlp_train_step", "sm_90a-tf32", train.mlp_source()[0], None))
# An f16 one of wide layers: every product on wgmma (tiles of 64, 128 and
# 256 columns among them), the weight gradients' momentum and weight updates
# their epilogues.
CASES.append(("mlp_f16_train_step", "sm_90a", f16_mlp(512, (4096, 4096, 256)), None))


def check(case):
    name, arch, source, width = case
    kernels = {}
    try:
        check_ptx(source, arch, ptx=kernels,
                  train_step=None if width else "optimizer=sgd lr=0.01 momentum=0.9")
    except CompileError as error:
        return f"FAIL {name}: {error}"
    shapes = sorted({shape for text in kernels.values()
                     for shape in re.findall(r"wgmma\.mma_async\.sync\.aligned\.(m64n\d+k\d+)",
                                             text)})
    if not shapes or (width and any(not s.startswith(f"m64n{width}k") for s in shapes)):
        return f"FAIL {name}: wgmmas {shapes}, expected tiles of 128 x {width or 'any'}"
    return f"{name} [{arch}]: {', '.join(shapes)}"


with ThreadPoolExecutor(max_workers=2) as pool:
    lines = list(pool.map(check, CASES))
print("\n".join(lines))
failed = sum(line.startswith("FAIL") for line in lines)
print(f"wgmma_ptxas: {len(lines)} modules, {failed} failed")
sys.exit(1 if failed else 0)
