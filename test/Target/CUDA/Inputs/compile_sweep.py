"""Single-op modules of every op family at assorted shapes (1, odd, 100, 1000,
multiples of 128; NCHW convs and pools with their gradients; rows of layer
norm) compiled with dlc-compile --target=cuda. The GPU plans depend on the
shape (tiled or not, padded, split K, vector pieces, row nests, ordered
loops), and the suites' small shapes do not reach all of them: scatter_add
with rows of 128 and a product reading B^T once failed to compile. Prints
FAIL and the error per module that does not compile, then a summary."""

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

COMPILE = str(Path(os.environ["DLC_BUILD"]) / "bin" / "dlc-compile")
ARCH = sys.argv[1] if len(sys.argv) > 1 else "sm_90"


def t(shape, e="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + e + ">"


def fn(args, result, body):
    return (f"func.func @f({', '.join(f'%{n}: {ty}' for n, ty in args)}) -> {result} {{\n"
            f"{body}\n  return %0 : {result}\n}}\n")


def cases():
    out = {}
    for m, n in [(3, 5), (7, 129), (100, 100), (64, 128), (33, 1000), (256, 1)]:
        x, row, col = t((m, n)), t((m,)), t((n,))
        i17 = t((17,), "i64")
        add = lambda name, args, result, body: out.__setitem__(f"{name}_{m}x{n}", fn(args, result, body))
        add("chain", [("a", x), ("b", x)], x,
            f"  %1 = dlc.mul %a, %b : {x}\n  %0 = dlc.tanh %1 : {x}")
        add("softmax", [("a", x)], x, f"  %0 = dlc.softmax %a axis = 1 : {x}")
        add("log_softmax0", [("a", x)], x, f"  %0 = dlc.log_softmax %a axis = 0 : {x}")
        add("reduce_sum0", [("a", x)], col, f"  %0 = dlc.reduce_sum %a axes = [0] : {x} -> {col}")
        add("reduce_max1", [("a", x)], row, f"  %0 = dlc.reduce_max %a axes = [1] : {x} -> {row}")
        add("reduce_mean", [("a", x)], "tensor<f32>",
            f"  %0 = dlc.reduce_mean %a axes = [0, 1] : {x} -> tensor<f32>")
        add("transpose", [("a", x)], t((n, m)),
            f"  %0 = dlc.transpose %a permutation = [1, 0] : {x} -> {t((n, m))}")
        add("argmax", [("a", x)], t((m,), "i64"),
            f"  %0 = dlc.argmax %a axis = 1 : {x} -> {t((m,), 'i64')}")
        add("gather", [("a", x), ("i", i17)], t((17, n)),
            f"  %0 = dlc.gather %a, %i : ({x}, {i17}) -> {t((17, n))}")
        add("scatter_add", [("u", t((17, n))), ("i", i17)], x,
            f"  %0 = dlc.scatter_add %u, %i : ({t((17, n))}, {i17}) -> {x}")
        add("pad", [("a", x)], t((m + 3, n + 1)),
            f"  %0 = dlc.pad %a low = [1, 0] high = [2, 1] value = 0.0 : f32 : {x} -> {t((m + 3, n + 1))}")
        add("cross_entropy", [("a", x), ("l", t((m,), "i64"))], "tensor<f32>",
            f"  %0 = dlc.softmax_cross_entropy %a, %l : ({x}, {t((m,), 'i64')}) -> tensor<f32>")
        for k in (1, 100, 512):
            for e in ("f32", "bf16"):
                a, b, c = t((m, k), e), t((k, n), e), t((m, n), e)
                out[f"matmul_{m}x{k}x{n}_{e}"] = fn(
                    [("a", a), ("b", b)], c, f"  %0 = dlc.matmul %a, %b : ({a}, {b}) -> {c}")
    for n, c, h, w in [(1, 1, 7, 7), (8, 16, 28, 28), (3, 5, 9, 11)]:
        x = t((n, c, h, w))
        for f, k, s, p in [(8, 3, 1, 1), (16, 3, 2, 1)]:
            oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            wt, y = t((f, c, k, k)), t((n, f, oh, ow))
            attrs = f"strides = [{s}, {s}] padding = [{p}, {p}, {p}, {p}] dilation = [1, 1] groups = 1"
            name = f"{n}x{c}x{h}x{w}_f{f}k{k}s{s}"
            out[f"conv_{name}"] = fn([("a", x), ("w", wt)], y,
                                     f"  %0 = dlc.conv2d %a, %w {attrs} : ({x}, {wt}) -> {y}")
            out[f"conv_filter_grad_{name}"] = fn(
                [("a", x), ("g", y)], wt,
                f"  %0 = dlc.conv2d_filter_grad %a, %g {attrs} : ({x}, {y}) -> {wt}")
            out[f"conv_input_grad_{name}"] = fn(
                [("g", y), ("w", wt)], x,
                f"  %0 = dlc.conv2d_input_grad %g, %w {attrs} : ({y}, {wt}) -> {x}")
        p = t((n, c, h // 2, w // 2))
        pool = "kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]"
        out[f"max_pool_{n}x{c}x{h}x{w}"] = fn(
            [("a", x)], p, f"  %0 = dlc.max_pool2d %a {pool} : {x} -> {p}")
        out[f"max_pool_grad_{n}x{c}x{h}x{w}"] = fn(
            [("y", x), ("g", p)], x, f"  %0 = dlc.max_pool2d_grad %y, %g {pool} : ({x}, {p}) -> {x}")
        out[f"avg_pool_grad_{n}x{c}x{h}x{w}"] = fn(
            [("g", p)], x, f"  %0 = dlc.avg_pool2d_grad %g {pool} : {p} -> {x}")
        out[f"bias_grad_{n}x{c}x{h}x{w}"] = fn(
            [("a", x)], t((c,)), f"  %0 = dlc.reduce_sum %a axes = [0, 2, 3] : {x} -> {t((c,))}")
    for shape in [(4, 16, 256), (64, 1000), (3, 7)]:
        x, d = t(shape), t((shape[-1],))
        out[f"layer_norm_{'x'.join(map(str, shape))}"] = fn(
            [("x", x), ("s", d), ("b", d)], x,
            f"  %0 = dlc.layer_norm %x scale %s bias %b epsilon = 1.0e-05 : ({x}, {d}, {d}) -> {x}")
    return out


def compile_one(item, work):
    name, source = item
    path = Path(work) / f"{name}.mlir"
    path.write_text(source)
    proc = subprocess.run([COMPILE, str(path), "--target=cuda", f"--gpu-arch={ARCH}",
                           "-o", str(path.with_suffix(".dlc"))], capture_output=True, text=True)
    return name, proc.returncode, proc.stderr


def main():
    all_cases = cases()
    with tempfile.TemporaryDirectory(prefix="dlc-sweep-") as work, \
            ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda item: compile_one(item, work), all_cases.items()))
    failed = [(name, err) for name, code, err in results if code]
    for name, err in failed:
        print(f"FAIL {name}: {err.strip()[:400]}")
    print(f"compile_sweep [{ARCH}]: {len(results)} modules, {len(failed)} failed")
    sys.exit(1 if failed else 0)


main()
