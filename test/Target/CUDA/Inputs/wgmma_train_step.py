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

# (batch, inputs, hidden, classes): tiles filled, and with edges (136 and
# 200: tiles past M, N and K).
SIZES = [(128, 256, 128, 128), (136, 200, 136, 128)]
LR, MU = 0.1, 0.9


def t(shape, element="f16"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def source(B, D, H, C):
    return f"""
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


def reference_step(params, velocity, x, labels):
    """float64 forward, backward and SGD momentum step (PyTorch's rule)."""
    loss, grads, _ = harness.mlp_loss_and_grads(params, x, labels)
    velocity = [MU * v + g for v, g in zip(velocity, grads)]
    return loss, [p - LR * v for p, v in zip(params, velocity)], velocity


TRAIN_STEP = f"optimizer=sgd lr={LR} momentum={MU}"


def check(cpu, sizes):
    B, D, H, C = sizes
    rng = np.random.default_rng(5)
    x = rng.standard_normal((B, D)).astype(np.float16)
    labels = rng.integers(0, C, B).astype(np.int64)
    params = [rng.uniform(-0.1, 0.1, shape).astype(np.float16)
              for shape in ((D, H), (H,), (H, C), (C,))]
    velocity = [np.zeros_like(p) for p in params]
    module = Module(source(*sizes), cpu, train_step=TRAIN_STEP)
    worst = 0.0
    for step in range(2):
        out = module("train_step", *params, *velocity, x, labels)
        if harness.FAKE_DRIVER:  # the stand-in driver: nothing computed
            return "ran"
        f64 = [a.astype(np.float64) for a in params + velocity]
        loss, ref_params, ref_velocity = reference_step(
            f64[:4], f64[4:], x.astype(np.float64), labels)
        np.testing.assert_allclose(float(out[0]), loss, rtol=2e-3, err_msg=f"loss, step {step}")
        got_params, got_velocity = out[1:5], out[5:]
        # The velocities (f16 gradients, f32 sums) to 3% of their largest
        # element; the weights to 3% of their largest update and one f16
        # rounding.
        for i, (got, want, old) in enumerate(zip(got_params, ref_params, f64[:4])):
            tol = 3e-2 * np.abs(want - old).max() + 2.0 ** -11 * np.abs(want)
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
        for sizes in SIZES:
            compile_artifact(source(*sizes), Path(work) / "step.dlc", options.cpu, TRAIN_STEP)
    print(f"wgmma_train_step [{options.cpu}]: compiled {len(SIZES)} cases, not run")
else:
    harness.run_checks("wgmma_train_step", options.cpu,
                       [(f"mlp_f16_sgd_momentum_{'x'.join(map(str, sizes))}",
                         lambda sizes=sizes: check(options.cpu, sizes)) for sizes in SIZES])
