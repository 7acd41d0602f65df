"""An f16 MLP's training step (SGD with momentum) at sm_90a: all five of
its products are wgmma kernels, the backward's reading their transposed
operands in place (x^T dy: A^T, MN-major; dy W^T: B^T, K-major), the
weight gradients' momentum and weight updates their epilogues (two outputs
written in place). Two steps, each checked against a float64 NumPy step
from the same f16 parameters (--cpu=gpu-kernels:sm_90a: the kernels in the
SIMT emulator, or with --cuda-run=sm_90a on the GPU); with --cuda-fake,
through the stand-in driver."""

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Integration" / "CPU"))
import harness  # noqa: E402
from dlc.execution import Module, compile_artifact  # noqa: E402

B, D, H, C = 128, 256, 128, 128
LR, MU = 0.1, 0.9


def t(shape, element="f16"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


SOURCE = f"""
func.func @loss(%w0: {t((D, H))} {{dlc.param, dlc.name = "w0"}}, %b0: {t((H,))} {{dlc.param, dlc.name = "b0"}}, %w1: {t((H, C))} {{dlc.param, dlc.name = "w1"}}, %b1: {t((C,))} {{dlc.param, dlc.name = "b1"}}, %x: {t((B, D))}, %y: {t((B,), 'i64')}) -> tensor<f16> {{
  %h = dlc.matmul %x, %w0 : ({t((B, D))}, {t((D, H))}) -> {t((B, H))}
  %bb0 = dlc.broadcast_to %b0 : {t((H,))} -> {t((B, H))}
  %h1 = dlc.add %h, %bb0 : {t((B, H))}
  %r = dlc.relu %h1 : {t((B, H))}
  %o = dlc.matmul %r, %w1 : ({t((B, H))}, {t((H, C))}) -> {t((B, C))}
  %bb1 = dlc.broadcast_to %b1 : {t((C,))} -> {t((B, C))}
  %o1 = dlc.add %o, %bb1 : {t((B, C))}
  %l = dlc.softmax_cross_entropy %o1, %y : ({t((B, C))}, {t((B,), 'i64')}) -> tensor<f16>
  return %l : tensor<f16>
}}
"""

rng = np.random.default_rng(5)
X = rng.standard_normal((B, D)).astype(np.float16)
LABELS = rng.integers(0, C, B).astype(np.int64)
PARAMS = [rng.uniform(-0.1, 0.1, (D, H)), rng.uniform(-0.1, 0.1, (H,)),
          rng.uniform(-0.1, 0.1, (H, C)), rng.uniform(-0.1, 0.1, (C,))]


def reference_step(params, velocity, x, labels):
    """float64 forward, backward and SGD momentum step (PyTorch's rule)."""
    loss, grads, _ = harness.mlp_loss_and_grads(params, x, labels)
    velocity = [MU * v + g for v, g in zip(velocity, grads)]
    return loss, [p - LR * v for p, v in zip(params, velocity)], velocity


TRAIN_STEP = f"optimizer=sgd lr={LR} momentum={MU}"


def check(cpu):
    module = Module(SOURCE, cpu, train_step=TRAIN_STEP)
    params = [p.astype(np.float16) for p in PARAMS]
    velocity = [np.zeros_like(p) for p in params]
    worst = 0.0
    for step in range(2):
        out = module("train_step", *params, *velocity, X, LABELS)
        if harness.FAKE_DRIVER:  # the stand-in driver: nothing computed
            return "ran"
        f64 = [a.astype(np.float64) for a in params + velocity]
        loss, ref_params, ref_velocity = reference_step(
            f64[:4], f64[4:], X.astype(np.float64), LABELS)
        np.testing.assert_allclose(float(out[0]), loss, rtol=2e-3, err_msg=f"loss, step {step}")
        got_params, got_velocity = out[1:5], out[5:]
        # The velocities (f16 gradients, f32 sums) to 3% of their largest
        # element; the weights to that times lr and one f16 rounding.
        for i, (got, want, old) in enumerate(zip(got_params, ref_params, f64[:4])):
            tol = 3e-2 * LR * np.abs(want - old).max() / LR + 2.0 ** -11 * np.abs(want)
            error = np.abs(got.astype(np.float64) - want)
            assert (error <= tol).all(), \
                f"parameter {i}, step {step}: error {error.max():.3g} > tolerance"
        for i, (got, want) in enumerate(zip(got_velocity, ref_velocity)):
            error = np.abs(got.astype(np.float64) - want).max() / np.abs(want).max()
            worst = max(worst, error)
            assert error <= 3e-2, f"velocity {i}, step {step}: {error:.3g} of its largest"
        params, velocity = got_params, got_velocity
    return f"velocities within {worst:.1e} of their largest element"


options = harness.target_options()
if options.compile_only:  # (tools/gpu-check.sh prepare: DLC_ARTIFACT_CACHE)
    with tempfile.TemporaryDirectory(prefix="dlc-") as work:
        compile_artifact(SOURCE, Path(work) / "step.dlc", options.cpu, TRAIN_STEP)
    print(f"wgmma_train_step [{options.cpu}]: compiled, not run")
else:
    harness.run_checks("wgmma_train_step", options.cpu,
                       [("mlp_f16_sgd_momentum", lambda: check(options.cpu))])
