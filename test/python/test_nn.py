"""dlc.nn functions and modules, optimizers and compiled training steps."""

import ml_dtypes
import numpy as np
import pytest

import dlc
from dlc.nn import functional as F


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_conv2d(x, w, stride, padding, dilation):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (x.shape[2] - dilation * (kh - 1) - 1) // stride + 1
    ow = (x.shape[3] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i * dilation:i * dilation + stride * oh:stride,
                      j * dilation:j * dilation + stride * ow:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def test_activations_and_losses(rng):
    x = rng.standard_normal((4, 6))
    labels = rng.integers(0, 6, 4)
    t = rng.standard_normal((4, 6))
    from math import erf
    gelu = x * 0.5 * (1 + np.vectorize(erf)(x / np.sqrt(2)))
    gelu_tanh = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    out = dlc.jit(lambda x, l, t: (F.relu(x), F.sigmoid(x), F.gelu(x), F.gelu(x, "tanh"),
                                   F.softmax(x), F.log_softmax(x, axis=0),
                                   F.cross_entropy(x, l), F.mse_loss(x, t)))(x, labels, t)
    ref = (np.maximum(x, 0), 1 / (1 + np.exp(-x)), gelu, gelu_tanh, np_softmax(x),
           np.log(np_softmax(x, 0)),
           -np.log(np_softmax(x)[np.arange(4), labels]).mean(), ((x - t) ** 2).mean())
    for o, r in zip(out, ref):
        np.testing.assert_allclose(o, r, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2)])
def test_conv2d(stride, padding, dilation, rng):
    x, w, b = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    out = dlc.jit(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation))(x, w, b)
    np.testing.assert_allclose(out, np_conv2d(x, w, stride, padding, dilation) + b[:, None, None],
                               rtol=1e-10, atol=1e-10)


def test_pooling_layer_norm_embedding(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    out = dlc.jit(lambda x: (F.max_pool2d(x, 2), F.avg_pool2d(x, 3, stride=3)))(x)
    np.testing.assert_allclose(out[0], x.reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5)))
    np.testing.assert_allclose(out[1], x.reshape(2, 3, 2, 3, 2, 3).mean(axis=(3, 5)), rtol=1e-12)
    y, g, b = rng.standard_normal((4, 8)), rng.standard_normal(8), rng.standard_normal(8)
    ref = (y - y.mean(-1, keepdims=True)) / np.sqrt(y.var(-1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(dlc.jit(F.layer_norm)(y, g, b), ref, rtol=1e-9)
    table, ids = rng.standard_normal((10, 3)), np.array([[1, 9], [0, 1]])
    np.testing.assert_array_equal(dlc.jit(F.embedding)(ids, table), table[ids])


def test_module_parameters_and_state_dict():
    dlc.random.seed(3)
    model = dlc.nn.Sequential(dlc.nn.Conv2d(1, 4, 3, padding=1), dlc.nn.ReLU(),
                              dlc.nn.MaxPool2d(2), dlc.nn.Flatten(), dlc.nn.Linear(64, 10),
                              dlc.nn.LayerNorm(10))
    params = model.parameters()
    assert list(params) == ["0.weight", "0.bias", "4.weight", "4.bias", "5.weight", "5.bias"]
    assert params["0.weight"].shape == (4, 1, 3, 3) and params["4.weight"].shape == (10, 64)
    # PyTorch's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    assert np.abs(params["4.weight"]).max() <= 1 / 8 and np.abs(params["0.weight"]).max() <= 1 / 3
    dlc.random.seed(3)
    again = dlc.nn.Sequential(dlc.nn.Conv2d(1, 4, 3, padding=1), dlc.nn.ReLU(),
                              dlc.nn.MaxPool2d(2), dlc.nn.Flatten(), dlc.nn.Linear(64, 10),
                              dlc.nn.LayerNorm(10))
    for k in params:
        np.testing.assert_array_equal(params[k], again.parameters()[k])
    state = model.state_dict()
    state["4.bias"][:] = 7
    again.load_state_dict(state)
    assert (again.parameters()["4.bias"] == 7).all()
    with pytest.raises(KeyError, match="missing keys"):
        again.load_state_dict({"0.weight": state["0.weight"]})
    with pytest.raises(ValueError, match="has shape"):
        again.load_state_dict({**state, "4.bias": np.zeros(3)})
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(dlc.jit(model)(x), _numpy_forward(model, x), rtol=1e-4, atol=1e-5)


def _numpy_forward(model, x):
    p = model.parameters()
    h = np_conv2d(x.astype(np.float64), p["0.weight"], 1, 1, 1) + p["0.bias"][:, None, None]
    h = np.maximum(h, 0).reshape(2, 4, 4, 2, 4, 2).max(axis=(3, 5)).reshape(2, -1)
    h = h @ p["4.weight"].T + p["4.bias"]
    return (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5) \
        * p["5.weight"] + p["5.bias"]


class _NumpyMLP:
    """The same MLP, its loss gradient and optimizers in NumPy (float64)."""

    def __init__(self, params):
        self.p = {k: v.astype(np.float64) for k, v in params.items()}

    def grads(self, x, y):
        p = self.p
        h = x @ p["0.weight"].T + p["0.bias"]
        a = np.maximum(h, 0)
        z = a @ p["2.weight"].T + p["2.bias"]
        s = np_softmax(z)
        loss = -np.log(s[np.arange(len(y)), y]).mean()
        dz = s.copy()
        dz[np.arange(len(y)), y] -= 1
        dz /= len(y)
        da = dz @ p["2.weight"] * (h > 0)
        return loss, {"0.weight": da.T @ x, "0.bias": da.sum(0), "2.weight": dz.T @ a,
                      "2.bias": dz.sum(0)}


def _model():
    dlc.random.seed(1)
    return dlc.nn.Sequential(dlc.nn.Linear(8, 16), dlc.nn.ReLU(), dlc.nn.Linear(16, 3))


@pytest.mark.parametrize("kind", ["sgd", "nesterov", "adam", "adamw"])
def test_train_step_matches_numpy(kind, rng):
    model = _model()
    ref = _NumpyMLP(model.parameters())
    x = rng.standard_normal((32, 8)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    lr, mu, wd = 0.05, 0.9, 0.01
    opt = {"sgd": lambda: dlc.optim.SGD(lr, momentum=mu, weight_decay=wd),
           "nesterov": lambda: dlc.optim.SGD(lr, momentum=mu, nesterov=True),
           "adam": lambda: dlc.optim.Adam(lr, weight_decay=wd),
           "adamw": lambda: dlc.optim.AdamW(lr, weight_decay=wd)}[kind]()
    step = dlc.compile_train_step(model, F.cross_entropy, opt)
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in ref.p.items()}
    for t in range(1, 6):
        loss = step(x, y)
        ref_loss, g = ref.grads(x.astype(np.float64), y)
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
        for k, p in ref.p.items():
            m, v = state[k]
            if kind in ("sgd", "nesterov"):
                grad = g[k] + (wd * p if kind == "sgd" else 0)
                m[:] = mu * m + grad
                p -= lr * (grad + mu * m if kind == "nesterov" else m)
            else:
                grad = g[k] + (wd * p if kind == "adam" else 0)
                if kind == "adamw":
                    p *= 1 - lr * wd
                m[:] = 0.9 * m + 0.1 * grad
                v[:] = 0.999 * v + 0.001 * grad ** 2
                p -= lr / (1 - 0.9 ** t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t) + 1e-8)
        for k, p in model.parameters().items():
            # float32 steps against float64 ones: Adam's steps of lr = 0.05
            # leave ~2e-6 of rounding on parameters of magnitude ~0.5.
            np.testing.assert_allclose(p, ref.p[k], rtol=1e-5, atol=5e-6)


def test_training_converges_and_lr_schedule(rng):
    model = _model()
    x = rng.standard_normal((64, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1)
    opt = dlc.optim.Adam(0.02)
    step = dlc.compile_train_step(model, F.cross_entropy, opt)
    first = step(x, y)
    for i in range(200):
        if i == 150:
            opt.lr = 0.005  # a schedule: the step takes lr as an input
        loss = step(x, y)
    assert loss < 0.1 * first, (first, loss)
    step(x[:10], y[:10])  # another batch size: compiled once more, state shared
    assert len(step.artifacts) == 2


# --- float16 and bfloat16 models ---------------------------------------------

def test_layer_dtypes_and_to():
    model = dlc.nn.Sequential(dlc.nn.Linear(4, 3, dtype=np.float16), dlc.nn.LayerNorm(3),
                              dlc.nn.Conv2d(1, 2, 3, dtype="float64"),
                              dlc.nn.Embedding(5, 2, dtype=np.float16))
    dtypes = {k: v.dtype for k, v in model.parameters().items()}
    assert dtypes == {"0.weight": np.float16, "0.bias": np.float16, "1.weight": np.float32,
                      "1.bias": np.float32, "2.weight": np.float64, "2.bias": np.float64,
                      "3.weight": np.float16}, dtypes
    before = {k: v.copy() for k, v in model.parameters().items()}
    assert model.half() is model
    for k, v in model.parameters().items():
        assert v.dtype == np.float16, k
        np.testing.assert_array_equal(v, before[k].astype(np.float16), err_msg=k)
    model.double()
    assert {v.dtype for v in model.parameters().values()} == {np.dtype(np.float64)}
    model.bfloat16()
    assert {v.dtype for v in model.parameters().values()} == {np.dtype(ml_dtypes.bfloat16)}
    assert dlc.nn.Linear(2, 2, dtype="bfloat16").weight.dtype == ml_dtypes.bfloat16
    with pytest.raises(TypeError, match="floating-point.*not int32"):
        model.to(np.int32)
    with pytest.raises(TypeError, match="unsupported dtype"):
        dlc.nn.Linear(2, 2, dtype="complex64")


# Each op's result rounded to the dtype: ~5e-4 relative in float16, ~4e-3 in
# bfloat16 (8-bit mantissas); (loss rtol, parameter atol) for parameters of
# magnitude up to ~0.7, far below one update (lr * grad ~ 1e-2 and more).
_HALF = {np.float16: (1e-2, 4e-3), ml_dtypes.bfloat16: (3e-2, 1e-2)}


def _half_mlp(d, h, c, dtype):
    dlc.random.seed(3)
    return dlc.nn.Sequential(dlc.nn.Linear(d, h, dtype=dtype), dlc.nn.ReLU(),
                             dlc.nn.Linear(h, c, dtype=dtype))


def _check_half_steps(step, model, opt, x, y, lr, mu, steps):
    """`steps` SGD-with-momentum steps of an f16 or bf16 MLP against float64
    steps from the same parameters."""
    dtype = x.dtype
    loss_rtol, atol = _HALF[dtype.type]
    ref = _NumpyMLP(model.parameters())
    velocity = {k: np.zeros_like(v) for k, v in ref.p.items()}
    for _ in range(steps):
        loss = step(x, y)
        ref_loss, grads = ref.grads(x.astype(np.float64), y)
        assert np.asarray(loss).dtype == dtype
        np.testing.assert_allclose(float(loss), ref_loss, rtol=loss_rtol)
        for k, p in ref.p.items():
            velocity[k] = mu * velocity[k] + grads[k]
            p -= lr * velocity[k]
        for k, p in model.parameters().items():
            assert p.dtype == dtype, k
            np.testing.assert_allclose(p.astype(np.float64), ref.p[k], rtol=0, atol=atol,
                                       err_msg=k)
    assert {v.dtype for v in opt.state.values()} == {dtype}


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16], ids=["f16", "bf16"])
def test_half_precision_train_step_matches_numpy(dtype, rng):
    model = _half_mlp(8, 16, 3, dtype)
    x = rng.standard_normal((32, 8)).astype(dtype)
    y = rng.integers(0, 3, 32)
    opt = dlc.optim.SGD(0.5, momentum=0.9)
    step = dlc.compile_train_step(model, F.cross_entropy, opt)
    _check_half_steps(step, model, opt, x, y, 0.5, 0.9, 3)
    # Back to float32: the step compiles again, and the state starts again
    # in float32.
    model.float()
    step(x.astype(np.float32), y)
    assert len(step.artifacts) == 2
    assert {v.dtype for v in opt.state.values()} == {np.dtype(np.float32)}


@pytest.mark.parametrize("dtype", [np.float16, ml_dtypes.bfloat16], ids=["f16", "bf16"])
def test_half_precision_train_step_on_emulated_hopper_kernels(dtype, rng, monkeypatch):
    """The same step with cpu="gpu-kernels:sm_90a": the kernels an H100 runs
    (its five products wgmma kernels, reading x^T and W^T in place), run on
    this CPU by the SIMT emulator (3 multiprocessors)."""
    monkeypatch.setenv("DLC_SIMT_MULTIPROCESSORS", "3")
    model = _half_mlp(128, 128, 128, dtype)
    x = rng.standard_normal((128, 128)).astype(dtype)
    y = rng.integers(0, 128, 128)
    opt = dlc.optim.SGD(0.5, momentum=0.9)
    step = dlc.compile_train_step(model, F.cross_entropy, opt, cpu="gpu-kernels:sm_90a")
    _check_half_steps(step, model, opt, x, y, 0.5, 0.9, 2)


def test_emulated_gpu_kernels_only_on_the_cpu_target():
    f = dlc.jit(lambda x: x * 2)
    dlc.config.target = "cuda"
    dlc.config.gpu_arch = "sm_90a"
    saved, dlc.config.cpu = dlc.config.cpu, "gpu-kernels:sm_90a"
    try:
        with pytest.raises(Exception, match="emulates GPU kernels on the CPU target"):
            f(np.ones(4, np.float32))
    finally:
        dlc.config.cpu = saved
