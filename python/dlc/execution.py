"""Compile a dlc module for the host CPU and call its functions on NumPy arrays.

This is the execution path the integration tests and the example use until the
artifact format and runtime exist: it runs the one `dlc-cpu-pipeline` through
`dlc-opt`, translates to LLVM IR, compiles with `llc`, links a shared object
and calls each function's `_mlir_ciface_` wrapper through ctypes.

The pipeline gives every public function a destination-passing signature:
inputs first, then one caller-allocated out-param per tensor result, each a
pointer to a memref descriptor.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# bf16 has no NumPy dtype: bf16 tensors travel as their raw uint16 bits.
_DTYPES = {
    "f16": np.float16,
    "bf16": np.uint16,
    "f32": np.float32,
    "f64": np.float64,
    "i1": np.bool_,
    "i32": np.int32,
    "i64": np.int64,
}


class CompileError(RuntimeError):
    """A compilation step failed; the message holds the tool's diagnostics."""


@dataclass(frozen=True)
class TensorType:
    shape: tuple[int, ...]
    element: str

    @property
    def dtype(self):
        return _DTYPES[self.element]

    @staticmethod
    def parse(text: str) -> "TensorType":
        m = re.fullmatch(r"tensor<((?:\d+x)*)(\w+)>", text.strip())
        if not m or m.group(2) not in _DTYPES:
            raise ValueError(f"unsupported argument type '{text}'")
        dims = tuple(int(d) for d in m.group(1).split("x") if d)
        return TensorType(dims, m.group(2))

    def __str__(self):
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.element + ">"


@dataclass(frozen=True)
class Signature:
    inputs: tuple[TensorType, ...]
    results: tuple[TensorType, ...]


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts]


def parse_signatures(source: str) -> dict[str, Signature]:
    """Signatures of the public func.func ops in `source` (dlc-level types)."""
    sigs = {}
    pattern = re.compile(
        r"func\.func\s+@(\w+)\s*\((.*?)\)\s*(?:->\s*(\([^{]*?\)|tensor<[^>]*>))?\s*(?:attributes\s*\{[^}]*\}\s*)?\{",
        re.S,
    )
    for m in pattern.finditer(source):
        name, args, results = m.group(1), m.group(2), m.group(3) or ""
        inputs = tuple(
            TensorType.parse(a.split(":", 1)[1]) for a in _split_top_level(args)
        )
        results = results.strip()
        if results.startswith("("):
            results = results[1:-1]
        outs = tuple(TensorType.parse(r) for r in _split_top_level(results))
        sigs[name] = Signature(inputs, outs)
    return sigs


def _memref_descriptor(rank: int):
    fields = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
    ]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


def _descriptor_for(array: np.ndarray):
    desc = _memref_descriptor(array.ndim)()
    desc.allocated = desc.aligned = array.ctypes.data
    desc.offset = 0
    for i, (size, stride) in enumerate(zip(array.shape, array.strides)):
        desc.sizes[i] = size
        desc.strides[i] = stride // array.itemsize
    return desc


def tool(name: str) -> str:
    """Path of dlc-opt (in the build) or an LLVM tool."""
    if name.startswith("dlc-"):
        build = os.environ.get("DLC_BUILD", str(Path(__file__).resolve().parents[2] / "build"))
        return str(Path(build) / "bin" / name)
    llvm = os.environ.get("DLC_LLVM_TOOLS", "/usr/lib/llvm-22/bin")
    return str(Path(llvm) / name)


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CompileError(f"{' '.join(cmd)} failed:\n{proc.stderr}")


class Module:
    """A compiled dlc module loaded into this process."""

    def __init__(self, source: str, workdir: str | None = None):
        self.signatures = parse_signatures(source)
        self._tmp = tempfile.TemporaryDirectory(prefix="dlc-") if workdir is None else None
        work = Path(workdir or self._tmp.name)
        work.mkdir(parents=True, exist_ok=True)
        src, llvm_mlir = work / "module.mlir", work / "module.llvm.mlir"
        ll, obj, so = work / "module.ll", work / "module.o", work / "module.so"
        src.write_text(source)
        _run([tool("dlc-opt"), str(src), "--dlc-cpu-pipeline", "-o", str(llvm_mlir)])
        _run([tool("mlir-translate"), "--mlir-to-llvmir", str(llvm_mlir), "-o", str(ll)])
        _run([tool("llc"), "-O2", "-relocation-model=pic", "-filetype=obj", str(ll), "-o", str(obj)])
        _run(["cc", "-shared", str(obj), "-o", str(so), "-lm"])
        self._lib = ctypes.CDLL(str(so))

    def __call__(self, name: str, *args) -> list[np.ndarray]:
        if name not in self.signatures:
            raise KeyError(f"no function @{name} in the module")
        sig = self.signatures[name]
        if len(args) != len(sig.inputs):
            raise TypeError(f"@{name} takes {len(sig.inputs)} arguments, got {len(args)}")
        inputs = []
        for i, (arg, expected) in enumerate(zip(args, sig.inputs)):
            array = np.require(arg, requirements="C")
            if array.shape != expected.shape or array.dtype != expected.dtype:
                raise TypeError(
                    f"@{name} argument {i}: expected {expected} "
                    f"({np.dtype(expected.dtype).name}{list(expected.shape)}), "
                    f"got {array.dtype.name}{list(array.shape)}"
                )
            inputs.append(array)
        outputs = [np.empty(r.shape, dtype=r.dtype) for r in sig.results]
        descriptors = [_descriptor_for(a) for a in inputs + outputs]
        fn = getattr(self._lib, f"_mlir_ciface_{name}")
        fn.restype = None
        fn(*[ctypes.byref(d) for d in descriptors])
        return outputs
