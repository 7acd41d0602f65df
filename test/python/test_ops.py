"""Every NumPy-named op, jitted, against NumPy (float64 inputs where the
tolerance matters)."""

import ml_dtypes
import numpy as np
import pytest

import dlc

UNARY = [
    ("negative", np.negative), ("exp", np.exp), ("log", np.log), ("sqrt", np.sqrt),
    ("tanh", np.tanh), ("abs", np.abs), ("sin", np.sin), ("cos", np.cos),
]
BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("power", np.power), ("maximum", np.maximum),
    ("minimum", np.minimum),
]


@pytest.mark.parametrize("name,ref", UNARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary(name, ref, dtype, rng):
    x = rng.uniform(0.1, 2.0, (3, 5)).astype(dtype)
    out = dlc.jit(getattr(dlc, name))(x)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, ref(x), rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("name,ref", BINARY)
def test_binary_broadcasting(name, ref, rng):
    x = rng.uniform(0.5, 2.0, (4, 1, 3))
    y = rng.uniform(0.5, 2.0, (5, 1))
    out = dlc.jit(getattr(dlc, name))(x, y)
    assert out.shape == (4, 5, 3)
    np.testing.assert_allclose(out, ref(x, y), rtol=1e-12)


def test_operators_and_scalars(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 2)).astype(np.float32)
    f = dlc.jit(lambda x, w: (2 * x - 1.5) / 3 @ w + x.sum() ** 2 - (-x).T.T[0, 0])
    ref = (2 * x - 1.5) / 3 @ w + x.sum() ** 2 - (-x)[0, 0]
    np.testing.assert_allclose(f(x, w), ref, rtol=1e-4)


def test_comparisons_and_where(rng):
    x, y = rng.standard_normal(6), rng.standard_normal(6)
    f = dlc.jit(lambda x, y: (x < y, x >= y, x == x, x != y, dlc.where(x > y, x, y * 2)))
    lt, ge, eq, ne, w = f(x, y)
    np.testing.assert_array_equal(lt, x < y)
    np.testing.assert_array_equal(ge, x >= y)
    assert eq.all() and ne.all()
    np.testing.assert_allclose(w, np.where(x > y, x, y * 2))


def test_promotion(rng):
    x = rng.standard_normal(4).astype(np.float32)
    y = rng.standard_normal(4)
    i = np.arange(4)
    out = dlc.jit(lambda x, y, i: (x + y, x + i, i / 2, i * 3))(x, y, i)
    ref = (x + y, x + i, i / 2, i * 3)
    for o, r in zip(out, ref):
        assert o.dtype == r.dtype, (o.dtype, r.dtype)
        np.testing.assert_allclose(o, r, rtol=1e-6)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((4,), (4,))])
def test_matmul(shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    np.testing.assert_allclose(dlc.jit(dlc.matmul)(a, b), a @ b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True),
                                           ((0, 2), False), (-1, True)])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions(name, axis, keepdims, rng):
    x = rng.standard_normal((3, 4, 5))
    out = dlc.jit(lambda x: getattr(dlc, name)(x, axis=axis, keepdims=keepdims))(x)
    np.testing.assert_allclose(out, getattr(np, name)(x, axis=axis, keepdims=keepdims),
                               rtol=1e-12)
    method = dlc.jit(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims))(x)
    np.testing.assert_allclose(method, out)


def test_argmax(rng):
    x = rng.standard_normal((4, 6))
    np.testing.assert_array_equal(dlc.jit(lambda x: dlc.argmax(x, axis=1))(x), x.argmax(1))
    assert dlc.jit(dlc.argmax)(x) == x.argmax()


def test_shape_ops(rng):
    x = rng.standard_normal((2, 3, 4))
    f = dlc.jit(lambda x: (dlc.reshape(x, (6, -1)), x.reshape(4, 6), dlc.transpose(x),
                           dlc.transpose(x, (1, 0, 2)), dlc.broadcast_to(x[:, :1], (2, 5, 4)),
                           dlc.concatenate([x, x * 2], axis=1), x.astype(np.float32),
                           dlc.zeros_like(x), dlc.ones_like(x), x.T, x.shape, x.ndim))
    out = f(x)
    ref = (x.reshape(6, -1), x.reshape(4, 6), x.transpose(), x.transpose(1, 0, 2),
           np.broadcast_to(x[:, :1], (2, 5, 4)), np.concatenate([x, x * 2], 1),
           x.astype(np.float32), np.zeros_like(x), np.ones_like(x), x.T)
    for o, r in zip(out, ref):
        assert o.shape == r.shape and o.dtype == r.dtype
        np.testing.assert_allclose(o, r, rtol=1e-7)
    assert out[-2] == (2, 3, 4) and out[-1] == 3


@pytest.mark.parametrize("index", [
    (slice(1, 3), slice(None), slice(None, None, 2)), 1, -1, (0, 2), (Ellipsis, 1),
    (slice(None), None, 3), slice(5, 9), (slice(None, None, 3), slice(1, None))])
def test_indexing(index, rng):
    x = rng.standard_normal((4, 5, 6))
    np.testing.assert_array_equal(dlc.jit(lambda x: x[index])(x), x[index])


def test_indexing_errors(rng):
    x = rng.standard_normal((4, 5))
    with pytest.raises(IndexError, match="out of bounds"):
        dlc.jit(lambda x: x[4])(x)
    with pytest.raises(IndexError, match="too many indices"):
        dlc.jit(lambda x: x[0, 0, 0])(x)


def test_pytrees(rng):
    params = {"w": rng.standard_normal((3, 2)), "b": [rng.standard_normal(2), 1.5]}
    x = rng.standard_normal((4, 3))
    out = dlc.jit(lambda p, x: {"y": x @ p["w"] + p["b"][0] * p["b"][1], "n": (x.sum(),)})(
        params, x)
    assert set(out) == {"y", "n"} and isinstance(out["n"], tuple)
    np.testing.assert_allclose(out["y"], x @ params["w"] + params["b"][0] * 1.5, rtol=1e-6)
    np.testing.assert_allclose(out["n"][0], x.sum())


def test_eager_ops_outside_jit(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(dlc.exp(x), np.exp(x), rtol=1e-12)
    np.testing.assert_allclose(dlc.sum(x, axis=0), x.sum(0), rtol=1e-12)
    np.testing.assert_allclose(dlc.nn.relu(x), np.maximum(x, 0))


def test_integer_and_half_dtypes(rng):
    a, b = rng.integers(-5, 5, (3, 4)), rng.integers(-5, 5, (3, 4))
    out = dlc.jit(lambda a, b: (a + b, a * b, dlc.maximum(a, b), -a, abs(a), a.sum(),
                                a.max(axis=0), dlc.argmax(a, axis=1), a.mean(), a / 2,
                                a.astype(np.int32) * 3))(a, b)
    ref = (a + b, a * b, np.maximum(a, b), -a, abs(a), a.sum(), a.max(0), a.argmax(1),
           a.mean(), a / 2, a.astype(np.int32) * 3)
    for o, r in zip(out, ref):
        assert o.dtype == r.dtype, (o.dtype, r.dtype)
        np.testing.assert_allclose(o, r)
    x = rng.standard_normal((3, 4)).astype(np.float16)
    out = dlc.jit(lambda x: (x * 2 + 1, dlc.exp(x), x.sum(), x @ x.T))(x)
    ref = (x * 2 + 1, np.exp(x), x.sum(), x @ x.T)
    for o, r in zip(out, ref):
        assert o.dtype == np.float16
        np.testing.assert_allclose(o.astype(np.float32), r.astype(np.float32), rtol=2e-2, atol=2e-2)


def test_bfloat16(rng):
    # ml_dtypes' bfloat16 in and out (DLPack's kDLBfloat), against float64
    # rounded once to bfloat16: 8-bit mantissas, about 4e-3 relative per
    # rounding; NumPy's promotion with float32 (float32) and Python numbers
    # (bfloat16); eager ops and their gradients too.
    bf16 = ml_dtypes.bfloat16
    x = rng.uniform(-1, 1, (16, 32)).astype(bf16)
    w = rng.uniform(-1, 1, (32, 8)).astype(bf16)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    out = dlc.jit(lambda x, w: (x @ w, dlc.nn.softmax(x * 2.0, axis=-1), dlc.exp(x).sum(),
                                x + w.T[0], x.astype(np.float32) * 3))(x, w)
    e = np.exp(2 * x64)
    ref = (x64 @ w64, e / e.sum(-1, keepdims=True), np.exp(x64).sum(), x64 + w64.T[0], x64 * 3)
    for o, r, dtype in zip(out, ref, [bf16] * 4 + [np.float32]):
        assert o.dtype == dtype, (o.dtype, dtype)
        np.testing.assert_allclose(o.astype(np.float64), r, rtol=1e-2, atol=1e-2)
    assert dlc.jit(lambda x: x.astype(np.float32) + x)(x).dtype == np.float32
    g = dlc.jit(dlc.grad(lambda x: (dlc.tanh(x) * x).sum()))(x)
    t = np.tanh(x64)
    assert g.dtype == bf16
    np.testing.assert_allclose(g.astype(np.float64), t + x64 * (1 - t * t), rtol=2e-2, atol=2e-2)
    with dlc.disable_jit():
        assert dlc.grad(lambda x: (x * x).sum())(x).dtype == bf16


def test_python_numbers_and_zero_size(rng):
    assert dlc.jit(lambda a, b: a * b + 1)(2.5, 3) == 8.5
    np.testing.assert_array_equal(dlc.jit(lambda a: a.sum(axis=0))(np.ones((0, 3))), np.zeros(3))
    assert dlc.jit(lambda a: a[2:2])(np.ones((4, 3))).shape == (0, 3)
