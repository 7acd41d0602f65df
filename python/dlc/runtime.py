"""`dlc.runtime`: load an exported artifact and call its entry points.

Arrays cross as NumPy arrays (no copy: the runtime reads and writes their
memory) and any object with `__dlpack__` is accepted as an input."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from . import _dlc


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple
    dtype: str


class EntryPoint:
    """One function of an artifact: `.name`, `.inputs`, `.outputs` (specs),
    and a call `outputs = entry(*arrays)` (one array, or a tuple)."""

    def __init__(self, module, name):
        self._entry = module.function(name)
        self.name = name
        self.inputs = tuple(TensorSpec(n, tuple(s), d) for s, d, n in self._entry.inputs)
        self.outputs = tuple(TensorSpec(n, tuple(s), d)
                             for s, d, n, _ in self._entry.outputs)

    def __call__(self, *arrays, stream=None):
        """`stream` (CUDA artifacts): the CUstream to run on, as an int or
        an object with `cuda_stream` (PyTorch) or `ptr` (CuPy); by default
        a stream of the calling thread's own. The call returns when its
        work is done."""
        handle = 0
        if stream is not None:
            handle = getattr(stream, "cuda_stream", getattr(stream, "ptr", stream))
            if not isinstance(handle, int):
                raise TypeError(f"stream: expected an int or a CUDA stream object, "
                                f"got {type(stream).__name__}")
        results = self._entry(list(arrays), handle)
        return results[0] if len(results) == 1 else tuple(results)

    def __repr__(self):
        sig = ", ".join(f"{s.name or 'arg'}: {s.dtype}{list(s.shape)}" for s in self.inputs)
        return f"<dlc entry point {self.name}({sig})>"


class Module:
    """A loaded artifact."""

    def __init__(self, native):
        self._native = native
        self.entry_points = tuple(EntryPoint(native, n) for n in native.names)
        self._by_name = {e.name: e for e in self.entry_points}

    @property
    def manifest(self) -> dict:
        return json.loads(self._native.manifest)

    def __getitem__(self, name) -> EntryPoint:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no entry point {name!r}; the artifact has "
                           f"{sorted(self._by_name)}") from None

    def set_num_threads(self, threads: int) -> None:
        self._native.set_num_threads(threads)

    @property
    def device(self) -> str:
        """Where the entry points compute: "cpu" or "cuda"."""
        return self._native.device

    @property
    def device_id(self) -> int:
        """The GPU's ordinal for a CUDA artifact (0, or the environment's
        DLC_CUDA_DEVICE, read at the first CUDA module's load): the
        DLPack device_id its tensors must have. 0 on the CPU."""
        return self._native.device_id

    def to_device(self, array) -> "_dlc.DeviceArray":
        """A copy of NumPy `array` in the GPU's memory (a CUDA artifact's),
        to pass to entry points in place of the array: it stays there between
        calls (in-out arguments are updated there). `.numpy()` copies it
        back; `__dlpack__` lends it to other frameworks without a copy."""
        return self._native.to_device(np.ascontiguousarray(array))


@dataclass(frozen=True)
class CudaDevice:
    ordinal: int
    compute_capability: tuple  # (major, minor)
    name: str


def cuda_device() -> CudaDevice:
    """The GPU this process's CUDA artifacts run on: device 0, or the
    environment's DLC_CUDA_DEVICE (read once, when the driver is first
    opened). Raises DlcRuntimeError, saying what is missing, without an
    NVIDIA driver or GPU."""
    ordinal, major, minor, name = _dlc.cuda_device()
    return CudaDevice(ordinal, (major, minor), name)


def native_gpu_arch() -> str:
    """What gpu_arch="native" compiles for: the architecture of
    `cuda_device()` (sm_90a on an H100 or H200, sm_80 on an A100, sm_86 on
    an RTX 30x0)."""
    return _dlc.native_gpu_arch()


def load(path) -> Module:
    """Loads an artifact written by `dlc.export` or `dlc-compile`."""
    return Module(_dlc.LoadedModule.load(str(path)))


def from_bytes(artifact: bytes) -> Module:
    return Module(_dlc.LoadedModule(artifact))
