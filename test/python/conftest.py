import ctypes

import numpy as np
import pytest

import dlc


def _cuda_devices():
    """(driver present, number of CUDA devices) through libcuda.so.1."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False, 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return True, 0
    return True, count.value


HAS_CUDA_DRIVER, _CUDA_DEVICES = _cuda_devices()


def pytest_configure(config):
    config.addinivalue_line("markers", "cuda: needs an NVIDIA GPU and driver "
                            "(skipped, with the reason, without one)")


def pytest_collection_modifyitems(config, items):
    if _CUDA_DEVICES:
        return
    reason = ("no NVIDIA GPU: " + ("the driver sees no CUDA device" if HAS_CUDA_DRIVER
                                   else "libcuda.so.1 not found"))
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of scalar f at float64 x."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        g[i] = (plus - minus) / (2 * eps)
    return g


def assert_grad_close(grad, f, x, rtol=1e-6):
    """`grad` equals the central differences of scalar f at float64 x. Their
    rounding error is about eps_machine * |f| / eps = 2e-10 |f| (f computed
    in another summation order, e.g. without FMA at x86-64), so the absolute
    tolerance grows with |f|."""
    atol = 1e-8 + 1e-9 * abs(f(x))
    np.testing.assert_allclose(grad, numeric_grad(f, x.copy()), rtol=rtol, atol=atol)


@pytest.fixture(autouse=True)
def fresh_config():
    saved = (dlc.config.disable_jit, dlc.config.debug_nans, dlc.config.target,
             dlc.config.gpu_arch, dlc.config.allow_tf32)
    yield
    (dlc.config.disable_jit, dlc.config.debug_nans, dlc.config.target,
     dlc.config.gpu_arch, dlc.config.allow_tf32) = saved
