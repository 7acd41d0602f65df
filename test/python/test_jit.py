"""dlc.jit: caching, lowering, errors at the user's line, eager mode."""

import re

import numpy as np
import pytest

import dlc


def test_cache_traces_once_per_signature(rng):
    f = dlc.jit(lambda x, y: x * y + 1)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for _ in range(3):
        np.testing.assert_allclose(f(x, y), x * y + 1)
    assert f.trace_count == 1
    f(x[:2], y[:2])                      # new shapes
    f(x.astype(np.float32), y.astype(np.float32))  # new dtypes
    f([x, y][0], y)
    assert f.trace_count == 3
    f(x.T.copy().T, y)                   # same signature, non-contiguous data
    assert f.trace_count == 3


def test_pytree_structure_is_part_of_the_signature(rng):
    f = dlc.jit(lambda t: sum(t) if isinstance(t, list) else t["a"] * 2)
    x = rng.standard_normal(3)
    np.testing.assert_allclose(f([x, x]), 2 * x)
    np.testing.assert_allclose(f({"a": x}), 2 * x)
    assert f.trace_count == 2


def test_lower_as_text_and_compile(rng):
    def mlp(x, w):
        return dlc.nn.relu(x @ w)

    x, w = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    lowered = dlc.jit(mlp).lower(x, w)
    text = lowered.as_text()
    assert "func.func @mlp(%arg0: tensor<2x3xf32>, %arg1: tensor<3x4xf32>) -> tensor<2x4xf32>" in text
    assert "dlc.matmul" in text and "dlc.relu" in text
    assert "test_jit.py" in lowered.as_text(debug_info=True)
    compiled = lowered.compile()
    np.testing.assert_allclose(compiled(x, w), np.maximum(x @ w, 0), rtol=1e-6)
    with pytest.raises(TypeError, match=r"compiled for arguments \(float32\[2, 3\], float32\[3, 4\]\)"):
        compiled(x, w.T.copy())


def test_shape_mismatch_names_the_line_and_both_shapes(rng):
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))

    def bad(x, w):
        return x @ w  # the line of the error

    line = bad.__code__.co_firstlineno + 1
    with pytest.raises(ValueError) as info:
        dlc.jit(bad)(x, w)
    message = str(info.value)
    assert re.search(rf"test_jit.py:{line}:\d+", message), message
    assert "(4, 3)" in message and "(4, 2)" in message


def test_verifier_errors_carry_the_users_line(rng):
    x = rng.standard_normal((2, 3, 4, 4))
    w = rng.standard_normal((5, 2, 3, 3))   # 2 input channels, x has 3

    def bad(x, w):
        return dlc.nn.conv2d(x, w)

    line = bad.__code__.co_firstlineno + 1
    with pytest.raises(ValueError, match=rf"test_jit.py:{line}:\d+: 'dlc.conv2d' op"):
        dlc.jit(bad)(x, w)


def test_broadcast_error():
    with pytest.raises(ValueError, match=r"test_jit.py:\d+:\d+: operands could not be broadcast together with shapes \(2, 3\) \(4,\)"):
        dlc.jit(lambda a, b: a + b)(np.ones((2, 3)), np.ones(4))


def test_wrong_argument_count(rng):
    f = dlc.jit(lambda x, y: x + y)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        f(np.ones(3))


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="unsupported dtype complex128"):
        dlc.jit(lambda x: x * 2)(np.ones(3, np.complex128))
    with pytest.raises(TypeError, match="unsupported dtype uint8"):
        dlc.jit(lambda x: x * 2)(np.ones(3, np.uint8))
    with pytest.raises(TypeError, match="expected an array, a number"):
        dlc.jit(lambda x: x)("text")


def test_tracer_has_no_values():
    with pytest.raises(TypeError, match="truth value of a traced array"):
        dlc.jit(lambda x: x if x.sum() > 0 else -x)(np.ones(3))
    with pytest.raises(TypeError, match="no values to convert to NumPy"):
        dlc.jit(lambda x: np.asarray(x))(np.ones(3))


def test_leaked_tracer():
    leaked = []
    dlc.jit(lambda x: leaked.append(x) or x)(np.ones(2))
    with pytest.raises(ValueError, match="outside the function that traced it"):
        dlc.jit(lambda y: y + leaked[0])(np.ones(2))


def test_disable_jit_runs_eagerly_and_matches(rng, capsys):
    seen = []

    @dlc.jit
    def f(x, w):
        h = dlc.tanh(x @ w)
        seen.append(type(h))
        print("h[0, 0] =", h[0, 0])
        return dlc.nn.softmax(h).sum(axis=0)

    x, w = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((3, 5)).astype(np.float32)
    compiled = f(x, w)
    with dlc.disable_jit():
        eager = f(x, w)
    assert seen == [dlc.Tracer, dlc.EagerArray]
    assert "h[0, 0] = " in capsys.readouterr().out
    np.testing.assert_allclose(eager, compiled, rtol=1e-5)


def test_debug_nans_names_the_op_and_line(rng):
    def f(x):
        y = x * 2
        return dlc.log(y - 10)  # NaN for x < 5

    line = f.__code__.co_firstlineno + 2
    dlc.config.debug_nans = True
    with pytest.raises(FloatingPointError, match=rf"test_jit.py:{line}:\d+: log produced a NaN"):
        dlc.jit(f)(np.ones(3))
    dlc.jit(f)(np.full(3, 6.0))  # no NaN: no error


def test_cached_call_counts_no_retrace(rng):
    f = dlc.jit(lambda a: a + 1.0)
    a = np.ones(4, np.float32)
    for _ in range(100):
        f(a)
    assert f.trace_count == 1


def test_disable_jit_environment_variable():
    import os
    import subprocess
    import sys
    code = ("import dlc, numpy as np\n"
            "f = dlc.jit(lambda x: type(x).__name__)\n"
            "print(f(np.ones(2)))\n")
    env = dict(os.environ, DLC_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "EagerArray"


def test_eager_grad_op_by_op_with_python_control_flow(rng):
    """Under disable_jit the function runs op by op (values are concrete, so
    Python branches on them) and its gradient is taken from a tape of the
    ops' compiled VJPs; it equals the compiled gradient where both apply."""
    w = rng.standard_normal((3, 2))
    x = rng.standard_normal((4, 3))
    branches = []

    def loss(w, x):
        h = dlc.tanh(x @ w)
        if h.sum() > 0:           # data-dependent: only possible eagerly
            branches.append("pos")
            h = h * 2
        else:
            branches.append("neg")
        return (dlc.nn.softmax(h) * h).sum() + (w ** 2).mean()

    with dlc.disable_jit():
        value, g = dlc.value_and_grad(loss)(w, x)
    assert len(branches) == 1
    scale = 2.0 if branches[0] == "pos" else 1.0

    def fixed(w, x):
        h = dlc.tanh(x @ w) * scale
        return (dlc.nn.softmax(h) * h).sum() + (w ** 2).mean()

    v2, g2 = dlc.value_and_grad(fixed)(w, x)
    np.testing.assert_allclose(value, v2, rtol=1e-12)
    np.testing.assert_allclose(g, g2, rtol=1e-10, atol=1e-12)


def test_eager_debug_nans_checks_operators(rng):
    def f(x):
        y = x - 10
        return y ** 0.5  # NaN: the power of a negative base

    line = f.__code__.co_firstlineno + 2
    dlc.config.debug_nans = True
    with pytest.raises(FloatingPointError, match=rf"test_jit.py:{line}:\d+: power produced a NaN"):
        dlc.jit(f)(np.ones(3))
