# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: attention [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""A one-block attention language model in f64, its loss against NumPy and
its training step's gradient against central finite differences of the
NumPy loss.

The model: token embeddings (gather), Q, K and V projections, batched
Q K^T (through a transpose) and softmax over keys, P V, a residual, layer
norm, gelu, and logits over 100 classes (no GPU block fits N = 100: the
GPU schedule pads the product) with softmax cross-entropy. Its gradient
holds a scatter_add into the embedding table (repeated tokens
accumulate), transposed products (dy W^T) and the layer norm's and
softmax's backward rows. `train_step` with plain SGD at lr = 1 returns
p - g, so g is read off the updated parameters; each parameter's g is
checked along random directions against (L(p + eps v) - L(p - eps v)) /
(2 eps) of the float64 NumPy loss.
"""

import tempfile
from math import erf
from pathlib import Path

import numpy as np

from dlc.execution import Module, check_ptx, compile_artifact
from harness import run_checks, target_options

B, T, D, V = 2, 24, 32, 100
rng = np.random.default_rng(5)
IDS = rng.integers(0, V, (B, T)).astype(np.int64)
IDS[0, :4] = 7  # a repeated token: its embedding gradient accumulates
LABELS = rng.integers(0, V, (B * T,)).astype(np.int64)
SHAPES = {"emb": (V, D), "wq": (D, D), "wk": (D, D), "wv": (D, D),
          "g": (D,), "b": (D,), "wo": (D, V)}
PARAMS = {name: rng.uniform(-0.3, 0.3, shape) for name, shape in SHAPES.items()}
PARAMS["g"] += 1.0
TRAIN_STEP = "optimizer=sgd lr=1.0"


def t(shape, element="f64"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


X3, X2, S3 = t((B, T, D)), t((B * T, D)), t((B, T, T))
ARGS = ", ".join(f'%{n}: {t(s)} {{dlc.param, dlc.name = "{n}"}}' for n, s in SHAPES.items())
SOURCE = f"""
func.func @loss({ARGS}, %ids: {t((B, T), 'i64')}, %y: {t((B * T,), 'i64')}) -> tensor<f64> {{
  %x = dlc.gather %emb, %ids : ({t((V, D))}, {t((B, T), 'i64')}) -> {X3}
  %x2 = dlc.reshape %x : {X3} -> {X2}
  %q2 = dlc.matmul %x2, %wq : ({X2}, {t((D, D))}) -> {X2}
  %k2 = dlc.matmul %x2, %wk : ({X2}, {t((D, D))}) -> {X2}
  %v2 = dlc.matmul %x2, %wv : ({X2}, {t((D, D))}) -> {X2}
  %q = dlc.reshape %q2 : {X2} -> {X3}
  %k = dlc.reshape %k2 : {X2} -> {X3}
  %v = dlc.reshape %v2 : {X2} -> {X3}
  %kt = dlc.transpose %k permutation = [0, 2, 1] : {X3} -> {t((B, D, T))}
  %s = dlc.matmul %q, %kt : ({X3}, {t((B, D, T))}) -> {S3}
  %p = dlc.softmax %s axis = 2 : {S3}
  %o = dlc.matmul %p, %v : ({S3}, {X3}) -> {X3}
  %r = dlc.add %o, %x : {X3}
  %n = dlc.layer_norm %r scale %g bias %b epsilon = 1.0e-05 : ({X3}, {t((D,))}, {t((D,))}) -> {X3}
  %a = dlc.gelu %n : {X3}
  %a2 = dlc.reshape %a : {X3} -> {X2}
  %logits = dlc.matmul %a2, %wo : ({X2}, {t((D, V))}) -> {t((B * T, V))}
  %l = dlc.softmax_cross_entropy %logits, %y : ({t((B * T, V))}, {t((B * T,), 'i64')}) -> tensor<f64>
  return %l : tensor<f64>
}}
"""

gelu = np.vectorize(lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))))


def ref_loss(p):
    x = p["emb"][IDS]
    q, k, v = x @ p["wq"], x @ p["wk"], x @ p["wv"]
    s = q @ k.transpose(0, 2, 1)
    e = np.exp(s - s.max(axis=2, keepdims=True))
    r = (e / e.sum(axis=2, keepdims=True)) @ v + x
    mean = r.mean(axis=2, keepdims=True)
    var = ((r - mean) ** 2).mean(axis=2, keepdims=True)
    n = (r - mean) / np.sqrt(var + 1e-5) * p["g"] + p["b"]
    logits = gelu(n).reshape(B * T, D) @ p["wo"]
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(logp[np.arange(B * T), LABELS])


def check_loss(module):
    got = float(module("loss", *PARAMS.values(), IDS, LABELS)[0])
    np.testing.assert_allclose(got, ref_loss(PARAMS), rtol=1e-10)
    return f"loss {got:.6f}"


def check_gradients(module):
    fn, inputs, outputs = module.signatures["train_step"]
    assert [s.name for s in inputs[:len(SHAPES)]] == list(SHAPES), [s.name for s in inputs]
    out = module("train_step", *PARAMS.values(), IDS, LABELS)
    np.testing.assert_allclose(float(out[0]), ref_loss(PARAMS), rtol=1e-10)
    grads = {n: PARAMS[n] - updated for n, updated in zip(SHAPES, out[1:])}
    # The embedding rows no token uses get no gradient.
    unused = np.setdiff1d(np.arange(V), IDS)
    np.testing.assert_array_equal(grads["emb"][unused], 0.0)
    eps, worst = 1e-5, 0.0
    for name in SHAPES:
        for _ in range(3):
            direction = rng.standard_normal(SHAPES[name])
            plus = dict(PARAMS, **{name: PARAMS[name] + eps * direction})
            minus = dict(PARAMS, **{name: PARAMS[name] - eps * direction})
            numeric = (ref_loss(plus) - ref_loss(minus)) / (2 * eps)
            analytic = float(np.sum(grads[name] * direction))
            error = abs(analytic - numeric) / max(abs(numeric), 1e-3)
            worst = max(worst, error)
            assert error < 1e-6, f"d loss / d {name}: {analytic} vs {numeric} (finite differences)"
    return f"worst relative error {worst:.1e}"


def main():
    options = target_options()
    if options.cuda_arch:
        kernels = check_ptx(SOURCE, options.cuda_arch, TRAIN_STEP)
        print(f"attention [cuda {options.cuda_arch}]: 1 cases, {kernels} kernels accepted by ptxas")
        return
    if options.compile_only:
        with tempfile.TemporaryDirectory(prefix="dlc-") as work:
            compile_artifact(SOURCE, Path(work) / "attention.dlc", options.cpu, TRAIN_STEP)
        print(f"attention [{options.cpu}]: compiled 1 cases, not run")
        return
    module = Module(SOURCE, options.cpu, train_step=TRAIN_STEP)
    run_checks("attention", options.cpu, [("loss", lambda: check_loss(module)),
                                          ("gradients", lambda: check_gradients(module))])


main()
