# RUN: %PYTHON %s --cpu=%cpu %compile_only | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: training [{{.+}}]: {{([0-9]+ passed, 0 failed|compiled [0-9]+ cases, not run)}}
"""Compiled training steps (dlc-compile --train-step) against NumPy.

An MLP (32x6 -> 16 -> relu -> 3, softmax cross-entropy) is trained on a
fixed data set by the artifact's `train_step` for SGD (plain, momentum with
weight decay, Nesterov), Adam and AdamW. For each, the first steps equal a
float64 NumPy implementation of the same forward, backward and optimizer
update (PyTorch's rules) to 1e-5 relative (per element, or to the tensor's
largest element), and a longer run reaches a loss
threshold. The same artifact holds `predict`. In-out arguments: given
distinct output buffers the inputs stay unchanged; given the input arrays
themselves they are updated in place with the same values.
"""

import tempfile
from pathlib import Path

import numpy as np

from dlc.execution import Module, check_ptx, compile_artifact
from harness import mlp_loss_and_grads, run_checks, target_options

N, D, H, C = 32, 6, 16, 3
rng = np.random.default_rng(11)
X = rng.standard_normal((N, D))
teacher = rng.standard_normal((D, C))
LABELS = np.argmax(X @ teacher + 0.3 * rng.standard_normal((N, C)), axis=1)
PARAMS = [rng.uniform(-0.5, 0.5, (D, H)), rng.uniform(-0.1, 0.1, (H,)),
          rng.uniform(-0.5, 0.5, (H, C)), rng.uniform(-0.1, 0.1, (C,))]
NAMES = ["w1", "b1", "w2", "b2"]


def t(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


SOURCE = f"""
func.func private @forward(%w1: {t((D, H))}, %b1: {t((H,))}, %w2: {t((H, C))}, %b2: {t((C,))}, %x: {t((N, D))}) -> {t((N, C))} {{
  %h = dlc.matmul %x, %w1 : ({t((N, D))}, {t((D, H))}) -> {t((N, H))}
  %bb1 = dlc.broadcast_to %b1 : {t((H,))} -> {t((N, H))}
  %h1 = dlc.add %h, %bb1 : {t((N, H))}
  %r = dlc.relu %h1 : {t((N, H))}
  %o = dlc.matmul %r, %w2 : ({t((N, H))}, {t((H, C))}) -> {t((N, C))}
  %bb2 = dlc.broadcast_to %b2 : {t((C,))} -> {t((N, C))}
  %o1 = dlc.add %o, %bb2 : {t((N, C))}
  return %o1 : {t((N, C))}
}}
func.func @predict(%w1: {t((D, H))} {{dlc.name = "w1"}}, %b1: {t((H,))} {{dlc.name = "b1"}}, %w2: {t((H, C))} {{dlc.name = "w2"}}, %b2: {t((C,))} {{dlc.name = "b2"}}, %x: {t((N, D))} {{dlc.name = "x"}}) -> {t((N, C))} {{
  %o = call @forward(%w1, %b1, %w2, %b2, %x) : ({t((D, H))}, {t((H,))}, {t((H, C))}, {t((C,))}, {t((N, D))}) -> {t((N, C))}
  return %o : {t((N, C))}
}}
func.func @loss(%w1: {t((D, H))} {{dlc.name = "w1", dlc.param}}, %b1: {t((H,))} {{dlc.name = "b1", dlc.param}}, %w2: {t((H, C))} {{dlc.name = "w2", dlc.param}}, %b2: {t((C,))} {{dlc.name = "b2", dlc.param}}, %x: {t((N, D))} {{dlc.name = "x"}}, %y: {t((N,), 'i64')} {{dlc.name = "labels"}}) -> tensor<f32> {{
  %o = call @forward(%w1, %b1, %w2, %b2, %x) : ({t((D, H))}, {t((H,))}, {t((H, C))}, {t((C,))}, {t((N, D))}) -> {t((N, C))}
  %l = dlc.softmax_cross_entropy %o, %y : ({t((N, C))}, {t((N,), 'i64')}) -> tensor<f32>
  return %l : tensor<f32>
}}
"""


class Reference:
    """PyTorch's optimizer rules in float64 (zero-initialized state)."""

    def __init__(self, kind, lr, momentum=0.0, nesterov=False, weight_decay=0.0,
                 betas=(0.9, 0.999), eps=1e-8):
        self.kind, self.lr, self.mu, self.nesterov = kind, lr, momentum, nesterov
        self.wd, self.betas, self.eps = weight_decay, betas, eps

    def initial_state(self, params):
        zeros = [np.zeros_like(p) for p in params]
        if self.kind == "sgd":
            return [np.zeros_like(p) for p in params] if self.mu > 0 else []
        return zeros + [np.zeros_like(p) for p in params] + [np.zeros(())]

    def step(self, params, state, grads):
        k = len(params)
        new_params, new_state = [], [s.copy() for s in state]
        if self.kind == "sgd":
            for i, (p, g) in enumerate(zip(params, grads)):
                g = g + self.wd * p
                if self.mu > 0:
                    new_state[i] = self.mu * state[i] + g
                    g = g + self.mu * new_state[i] if self.nesterov else new_state[i]
                new_params.append(p - self.lr * g)
            return new_params, new_state
        b1, b2 = self.betas
        step = state[-1] + 1
        new_state[-1] = step
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.kind == "adamw":
                p = p * (1 - self.lr * self.wd)
            else:
                g = g + self.wd * p
            m = b1 * state[i] + (1 - b1) * g
            v = b2 * state[k + i] + (1 - b2) * g * g
            new_state[i], new_state[k + i] = m, v
            denom = np.sqrt(v) / np.sqrt(1 - b2 ** step) + self.eps
            new_params.append(p - self.lr / (1 - b1 ** step) * m / denom)
        return new_params, new_state


CASES = [
    ("sgd", "optimizer=sgd lr=0.5", Reference("sgd", 0.5), 60, 0.12),
    ("sgd_momentum_decay", "optimizer=sgd lr=0.1 momentum=0.9 weight-decay=0.001",
     Reference("sgd", 0.1, momentum=0.9, weight_decay=0.001), 60, 0.12),
    ("sgd_nesterov", "optimizer=sgd lr=0.1 momentum=0.9 nesterov=true",
     Reference("sgd", 0.1, momentum=0.9, nesterov=True), 60, 0.12),
    ("adam", "optimizer=adam lr=0.02", Reference("adam", 0.02), 60, 0.12),
    ("adamw", "optimizer=adamw lr=0.02 weight-decay=0.01 beta2=0.99",
     Reference("adamw", 0.02, weight_decay=0.01, betas=(0.9, 0.99)), 60, 0.12),
    # The learning rate as an input, decayed step by step (a schedule).
    ("sgd_lr_schedule", "optimizer=sgd momentum=0.9 lr-input=true",
     Reference("sgd", 0.1, momentum=0.9), 60, 0.12),
    ("adamw_lr_schedule", "optimizer=adamw weight-decay=0.01 lr-input=true",
     Reference("adamw", 0.02, weight_decay=0.01), 150, 0.12),
]
DECAY = 0.8  # lr of step s: lr * DECAY^s, where the step takes lr as input
EXACT_STEPS = 5


def check(name, options, ref, steps, threshold, cpu):
    module = Module(SOURCE, cpu, train_step=options)
    fn, inputs, outputs = module.signatures["train_step"]
    k = len(PARAMS)
    state = ref.initial_state(PARAMS)
    n_updated = k + len(state)
    assert [s.name for s in inputs[:k]] == NAMES, [s.name for s in inputs]
    assert [o.inout for o in outputs] == [-1] + list(range(n_updated)), \
        [o.inout for o in outputs]
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    x, labels = f32(X), LABELS.astype(np.int64)
    # With lr-input, the schedule's rate goes between the state and the batch.
    schedule = len(inputs) > n_updated + 2 and inputs[n_updated].name == "lr"
    base_lr = ref.lr

    def batch(step):
        if not schedule:
            return [x, labels]
        ref.lr = base_lr * DECAY ** step
        return [np.array(ref.lr, dtype=np.float32), x, labels]

    # Out of place: the inputs stay unchanged; first steps vs NumPy.
    params, st = [f32(p) for p in PARAMS], [f32(s) for s in state]
    ref_params, ref_state = [p.astype(np.float64) for p in params], [s.copy() for s in state]
    for step in range(EXACT_STEPS):
        before = [a.copy() for a in params + st]
        out = module("train_step", *params, *st, *batch(step))
        for a, b in zip(params + st, before):
            np.testing.assert_array_equal(a, b, err_msg="an input changed")
        ref_loss, grads, _ = mlp_loss_and_grads(ref_params, X.astype(np.float32).astype(np.float64), labels)
        ref_params, ref_state = ref.step(ref_params, ref_state, grads)
        np.testing.assert_allclose(float(out[0]), ref_loss, rtol=1e-5, err_msg=f"loss, step {step}")
        # 1e-5 relative to each element or to the tensor's largest element:
        # f32 against float64, where Adam's m / sqrt(v) magnifies rounding in
        # near-zero gradients of small weights.
        for i, (got, want) in enumerate(zip(out[1:], ref_params + ref_state)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max(),
                                       err_msg=f"updated input {i}, step {step}")
        params, st = out[1:1 + k], out[1 + k:]

    # In place: the same arrays as inputs and outputs, no copies.
    inplace = [p.copy() for p in params] + [s.copy() for s in st]
    expected = module("train_step", *params, *st, *batch(EXACT_STEPS))
    got = module("train_step", *inplace, *batch(EXACT_STEPS),
                 outputs=[None] + inplace)
    np.testing.assert_array_equal(got[0], expected[0])
    for a, b in zip(inplace, expected[1:]):
        np.testing.assert_array_equal(a, b, err_msg="in-place update differs")

    # Training: the loss falls below the threshold; predict agrees.
    losses = []
    for _ in range(steps):
        # (A schedule keeps its last rate: DECAY^5 of the first.)
        out = module("train_step", *inplace, *batch(EXACT_STEPS), outputs=[None] + inplace)
        losses.append(float(out[0]))
    assert losses[-1] < threshold, f"loss after {steps + EXACT_STEPS + 1} steps: {losses[-1]}"
    logits = module("predict", *inplace[:k], x)[0]
    _, _, ref_logits = mlp_loss_and_grads([p.astype(np.float64) for p in inplace[:k]],
                                          x.astype(np.float64), labels)
    np.testing.assert_allclose(logits, ref_logits, rtol=1e-5, atol=1e-5)
    accuracy = np.mean(np.argmax(logits, 1) == labels)
    return f"loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.2f}"


def main():
    options = target_options()
    if options.cuda_arch:
        kernels = sum(check_ptx(SOURCE, options.cuda_arch, opts) for _, opts, *_ in CASES)
        print(f"training [cuda {options.cuda_arch}]: {len(CASES)} cases, {kernels} kernels "
              f"accepted by ptxas")
        return
    if options.compile_only:
        with tempfile.TemporaryDirectory(prefix="dlc-") as work:
            for name, opts, *_ in CASES:
                compile_artifact(SOURCE, Path(work) / f"{name}.dlc", options.cpu, opts)
        print(f"training [{options.cpu}]: compiled {len(CASES)} cases, not run")
        return
    run_checks("training", options.cpu,
               [(name, lambda case=case: check(*case, options.cpu))
                for case in CASES for name in [case[0]]])


main()
