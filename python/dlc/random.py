"""Seedable random numbers for parameter initialisation (`dlc.random.seed`)."""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng(0)


def seed(n: int) -> None:
    """Restarts the generator that initialises `dlc.nn` modules."""
    global _rng
    _rng = np.random.default_rng(n)


def generator() -> np.random.Generator:
    return _rng


def uniform(low, high, shape, dtype=np.float32):
    return _rng.uniform(low, high, shape).astype(dtype)


def normal(shape, scale=1.0, dtype=np.float32):
    return (_rng.standard_normal(shape) * scale).astype(dtype)
