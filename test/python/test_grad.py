"""Gradients (dlc.grad ops, expanded by dlc-autodiff) against central finite
differences in float64."""

import numpy as np
import pytest

import dlc
from dlc.nn import functional as F
from conftest import assert_grad_close

FUNCTIONS = {
    "elementwise": lambda x: (dlc.exp(x) * dlc.sin(x) + dlc.tanh(x) ** 2 - dlc.sqrt(x + 3)).sum(),
    "division_log": lambda x: (dlc.log(x * x + 1) / (dlc.cos(x) + 2)).mean(),
    "max_min": lambda x: dlc.maximum(x, 0.1).sum() + dlc.minimum(x, -0.2).sum() + x.max(),
    "matmul_broadcast": lambda x: ((x @ x.T + x[:, :1]) ** 2).sum(),
    "slicing": lambda x: (x[1:, ::2] * x[:-1, 1::2]).sum() + x[0, 0],
    "where": lambda x: dlc.where(x > 0, x * x, -x).sum(),
    "softmax": lambda x: (F.softmax(x) ** 2).sum(),
    "log_softmax": lambda x: F.log_softmax(x, axis=0)[1].sum(),
    "layer_norm": lambda x: (F.layer_norm(x) * x).sum(),
    "gelu_sigmoid": lambda x: (F.gelu(x) + F.gelu(x, "tanh") * F.sigmoid(x)).sum(),
    "reshape_concat": lambda x: (dlc.concatenate([x, x.reshape(4, 3).T * 2], 0) ** 3).sum(),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_against_finite_differences(name, rng):
    f = FUNCTIONS[name]
    x = rng.uniform(-1.5, 1.5, (3, 4))
    g = dlc.grad(f)(x)
    value = dlc.jit(f)
    assert_grad_close(g, lambda v: float(value(v)), x)


def test_argnums_and_pytrees(rng):
    params = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x = rng.standard_normal((5, 3))
    labels = rng.integers(0, 2, 5)

    def loss(params, x, labels):
        return F.cross_entropy(x @ params["w"] + params["b"], labels)

    value, (gp, gx) = dlc.value_and_grad(loss, argnums=(0, 1))(params, x, labels)
    assert set(gp) == {"w", "b"} and gx.shape == x.shape
    f = dlc.jit(loss)
    np.testing.assert_allclose(value, f(params, x, labels))
    for key in ("w", "b"):
        def part(v, key=key):
            return float(f({**params, key: v}, x, labels))
        assert_grad_close(gp[key], part, params[key])
    assert_grad_close(gx, lambda v: float(f(params, v, labels)), x)


def test_grad_inside_jit_with_closure(rng):
    x = rng.standard_normal((4, 3))
    w = rng.standard_normal((3,))

    @dlc.jit
    def step(w, x):
        # The loss closes over x, a value of the enclosing trace.
        g = dlc.grad(lambda w: ((x @ w) ** 2).sum())(w)
        return w - 0.1 * g

    expected = w - 0.1 * 2 * x.T @ (x @ w)
    np.testing.assert_allclose(step(w, x), expected, rtol=1e-10)


def test_integer_argmax_path_gives_no_gradient(rng):
    table = rng.standard_normal((5, 3))
    x = rng.standard_normal(5)
    g = dlc.grad(lambda t, x: F.embedding(dlc.argmax(x), t).sum() * x.sum(), argnums=(0, 1))(
        table, x)
    expected_t = np.zeros_like(table)
    expected_t[x.argmax()] = x.sum()
    np.testing.assert_allclose(g[0], expected_t)
    np.testing.assert_allclose(g[1], np.full(5, table[x.argmax()].sum()))


def test_non_scalar_loss_is_an_error(rng):
    with pytest.raises(ValueError, match=r"test_grad.py:\d+.*scalar float.*shape \(3,\)"):
        dlc.grad(lambda x: x * 2)(rng.standard_normal(3))


def test_integer_argument_is_an_error():
    with pytest.raises(TypeError, match="dtype int64"):
        dlc.grad(lambda x: (x * 2).sum())(np.arange(3))


def test_grad_under_disable_jit_prints_values(rng, capsys):
    x = rng.standard_normal(4)

    def f(x):
        y = dlc.exp(x)
        print("y =", y)
        return y.sum()

    with dlc.disable_jit():
        g = dlc.grad(f)(x)
    assert "y = [" in capsys.readouterr().out
    np.testing.assert_allclose(g, np.exp(x), rtol=1e-12)


NN_CASES = {
    "conv2d": ((2, 3, 6, 5), lambda x, p, c: (F.conv2d(x, p["w"], p["b"], stride=2, padding=1) ** 2).sum()),
    "conv2d_groups_dilation": ((1, 4, 7, 7), lambda x, p, c: (F.conv2d(x, p["wg"], dilation=2, groups=2) ** 2).sum()),
    "max_pool2d": ((2, 3, 6, 6), lambda x, p, c: (F.max_pool2d(x, 3, stride=2, padding=1) ** 2).sum()),
    "avg_pool2d": ((2, 3, 6, 6), lambda x, p, c: (F.avg_pool2d(x, 2) ** 2).sum()),
    "layer_norm_affine": ((4, 6), lambda x, p, c: (F.layer_norm(x, p["g"], p["bb"]) ** 3).sum()),
    "cross_entropy": ((5, 6), lambda x, p, c: F.cross_entropy(x, c["labels"])),
    "mse_loss": ((4, 6), lambda x, p, c: F.mse_loss(x * 2, p["t"])),
    "embedding": ((10, 3), lambda x, p, c: (F.embedding(c["ids"], x) ** 2).sum()),
}


@pytest.mark.parametrize("name", sorted(NN_CASES))
def test_nn_functions_against_finite_differences(name, rng):
    """Gradients of the nn functions (their input and, where they have them,
    their parameters); integer operands are not differentiated."""
    shape, f = NN_CASES[name]
    p = {"w": rng.standard_normal((4, 3, 3, 3)), "b": rng.standard_normal(4),
         "wg": rng.standard_normal((2, 2, 3, 3)), "g": rng.standard_normal(6),
         "bb": rng.standard_normal(6), "t": rng.standard_normal((4, 6))}
    c = {"labels": rng.integers(0, 6, 5), "ids": np.array([[1, 3, 3], [9, 0, 1]])}
    x = rng.standard_normal(shape)
    gx, gp = dlc.grad(f, argnums=(0, 1))(x, p, c)
    value = dlc.jit(f)
    assert_grad_close(gx, lambda v: float(value(v, p, c)), x)
    used = {"conv2d": ("w", "b"), "conv2d_groups_dilation": ("wg",),
            "layer_norm_affine": ("g", "bb"), "mse_loss": ("t",)}.get(name, ())
    for key in p:
        if key not in used:
            np.testing.assert_array_equal(gp[key], 0)
            continue
        def part(v, key=key):
            return float(value(x, {**p, key: v}, c))
        assert_grad_close(gp[key], part, p[key])
