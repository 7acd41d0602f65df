import numpy as np
import pytest

import dlc


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


@pytest.fixture(autouse=True)
def fresh_config():
    saved = (dlc.config.disable_jit, dlc.config.debug_nans)
    yield
    dlc.config.disable_jit, dlc.config.debug_nans = saved
