"""Compile a dlc module ahead of time and call its entry points on NumPy arrays.

`Module(source)` runs `dlc-compile` (the one CPU pipeline) to produce an
artifact and loads it with the dlc runtime (`libdlc_runtime.so`) through
ctypes; calls pass DLPack `DLTensor`s that view the NumPy arrays, so nothing is
copied. Entry points are destination-passing: this wrapper allocates the
outputs described by the artifact's manifest.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parents[2]

# DLPack type codes (dlpack.h) and the dlc element types they carry. bf16 has
# no NumPy dtype: bf16 tensors travel as their raw uint16 bits.
_kDLInt, _kDLUInt, _kDLFloat, _kDLBfloat = 0, 1, 2, 4
_FROM_DL = {
    (_kDLFloat, 16): ("f16", np.float16),
    (_kDLBfloat, 16): ("bf16", np.uint16),
    (_kDLFloat, 32): ("f32", np.float32),
    (_kDLFloat, 64): ("f64", np.float64),
    (_kDLUInt, 8): ("i1", np.bool_),
    (_kDLInt, 32): ("i32", np.int32),
    (_kDLInt, 64): ("i64", np.int64),
}


class CompileError(RuntimeError):
    """dlc-compile failed; the message holds its diagnostics."""


class DlcRuntimeError(RuntimeError):
    """The runtime refused an artifact or a call; the message says why."""


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _TensorSpec(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", _DLDataType),
        ("ndim", ctypes.c_int32),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
    ]


def _build_dir() -> Path:
    return Path(os.environ.get("DLC_BUILD", _ROOT / "build"))


_lib = None


def _runtime():
    global _lib
    if _lib is None:
        lib = ctypes.CDLL(str(_build_dir() / "lib" / "libdlc_runtime.so"))
        lib.dlc_last_error.restype = ctypes.c_char_p
        lib.dlc_module_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.dlc_module_free.argtypes = [ctypes.c_void_p]
        lib.dlc_module_lookup.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                          ctypes.POINTER(ctypes.c_void_p)]
        lib.dlc_module_num_functions.argtypes = [ctypes.c_void_p]
        lib.dlc_module_num_functions.restype = ctypes.c_size_t
        lib.dlc_module_function.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.dlc_module_function.restype = ctypes.c_void_p
        lib.dlc_function_name.argtypes = [ctypes.c_void_p]
        lib.dlc_function_name.restype = ctypes.c_char_p
        for fn in ("dlc_function_num_inputs", "dlc_function_num_outputs"):
            getattr(lib, fn).argtypes = [ctypes.c_void_p]
            getattr(lib, fn).restype = ctypes.c_size_t
        for fn in ("dlc_function_input", "dlc_function_output"):
            getattr(lib, fn).argtypes = [ctypes.c_void_p, ctypes.c_size_t]
            getattr(lib, fn).restype = _TensorSpec
        lib.dlc_function_output_inout.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        lib.dlc_function_output_inout.restype = ctypes.c_int64
        lib.dlc_call.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DLTensor), ctypes.c_size_t,
                                 ctypes.POINTER(_DLTensor), ctypes.c_size_t]
        _lib = lib
    return _lib


def _check(status: int) -> None:
    if status != 0:
        raise DlcRuntimeError(_runtime().dlc_last_error().decode())


class Spec:
    """One input or output of an entry point, as the manifest describes it."""

    def __init__(self, spec: _TensorSpec):
        key = (spec.dtype.code, spec.dtype.bits)
        self.element, self.dtype = _FROM_DL[key]
        self.shape = tuple(spec.shape[i] for i in range(spec.ndim))
        self.name = spec.name.decode()

    def __str__(self):
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.element + ">"


def _dltensor(array: np.ndarray, element: str) -> _DLTensor:
    code, bits = next(k for k, v in _FROM_DL.items() if v[0] == element)
    shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
    t = _DLTensor()
    t.data = array.ctypes.data
    t.device = _DLDevice(1, 0)  # kDLCPU
    t.ndim = array.ndim
    t.dtype = _DLDataType(code, bits, 1)
    t.shape = shape
    t.strides = None
    t.byte_offset = 0
    t._keep = shape  # the shape array must outlive the call
    return t


def ptxas_path() -> str | None:
    """The CUDA toolkit's ptxas ($PTXAS, on PATH, or /usr/local/cuda), or None."""
    import shutil
    for candidate in (os.environ.get("PTXAS"), shutil.which("ptxas"),
                      "/usr/local/cuda/bin/ptxas"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def check_ptx(source: str, arch: str, train_step: str | None = None,
              performance: bool = True, ptx: dict | None = None,
              registers: dict | None = None) -> int:
    """Compiles dlc `source` for the NVIDIA architecture `arch` (sm_80, ...)
    with `dlc-compile --target=cuda --emit=ptx` (with --allow-tf32 where
    `arch` ends in "-tf32"), assembles every kernel with ptxas for that
    architecture and returns how many there are; raises CompileError naming
    the kernel ptxas refused or, with `performance`, the kernel for which
    ptxas reported spilled registers or a "Potential Performance Loss"
    (wgmmas serialized, setmaxnreg ignored: what no GPU-less test would
    otherwise see). Each kernel's PTX goes into `ptx` by name where given,
    the registers ptxas gave it into `registers`."""
    tf32 = arch.endswith("-tf32")
    arch = arch.removesuffix("-tf32")
    ptxas = ptxas_path()
    if ptxas is None:
        raise CompileError("ptxas not found (set PTXAS or install the CUDA toolkit)")
    with tempfile.TemporaryDirectory(prefix="dlc-") as work:
        src = Path(work) / "module.mlir"
        src.write_text(source)
        command = [str(_build_dir() / "bin" / "dlc-compile"), str(src), "--target=cuda",
                   f"--gpu-arch={arch}", "--emit=ptx"] + (["--allow-tf32"] if tf32 else [])
        if train_step is not None:
            command.append(f"--train-step={train_step}")
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CompileError(f"dlc-compile --target=cuda --gpu-arch={arch} failed:\n"
                               f"{proc.stderr}")
        kernels = proc.stdout.split("// dlc-kernel: ")[1:]
        for i, kernel in enumerate(kernels):
            name, text = kernel.split("\n", 1)
            if ptx is not None:
                ptx[name] = text
            path = Path(work) / f"kernel{i}.ptx"
            path.write_text(text)
            result = subprocess.run([ptxas, f"-arch={arch}", "-v", str(path), "-o",
                                     os.devnull], capture_output=True, text=True)
            if result.returncode != 0:
                raise CompileError(f"ptxas -arch={arch} refused kernel {name}:\n"
                                   f"{result.stderr}")
            if registers is not None:
                used = re.search(r"Used (\d+) registers", result.stdout + result.stderr)
                registers[name] = int(used.group(1)) if used else 0
            if performance:
                losses = [line.strip() for line in (result.stdout + result.stderr).splitlines()
                          if "Potential Performance Loss" in line
                          or re.search(r"\b[1-9][0-9]* bytes spill (stores|loads)", line)]
                if losses:
                    raise CompileError(f"ptxas -arch={arch} -v on kernel {name}:\n"
                                       + "\n".join(losses))
        return len(kernels)


def compile_artifact(source: str, artifact: Path, cpu: str = "native",
                     train_step: str | None = None) -> None:
    """Compiles dlc `source` into the artifact file `artifact` for `cpu` (an
    LLVM CPU name or ISA level such as x86-64-v3; native: this machine;
    cuda:sm_XX: an NVIDIA GPU, the host code for this machine).
    `train_step`: options of dlc-make-train-step (e.g. "optimizer=adam
    lr=0.001") to add a training step built from the loss function."""
    # DLC_ARTIFACT_CACHE=DIR: artifacts are kept in DIR by what they were
    # compiled from, and taken from there when present. tools/gpu-check.sh
    # fills one here and runs the suites from it on a GPU machine that has
    # no LLVM/MLIR (so no dlc-compile).
    cache = os.environ.get("DLC_ARTIFACT_CACHE")
    if cache:
        import hashlib
        import shutil
        key = hashlib.sha256("\0".join([source, cpu, train_step or ""]).encode())
        cached = Path(cache) / f"{key.hexdigest()[:32]}.dlc"
        if cached.exists():
            shutil.copyfile(cached, artifact)
            return
    with tempfile.TemporaryDirectory(prefix="dlc-") as work:
        src = Path(work) / "module.mlir"
        src.write_text(source)
        # "cuda:sm_XX[-tf32]": the kernels for that NVIDIA GPU, the host
        # code for this machine (the GPU execution tests, test/Target/CUDA).
        # "gpu-schedule": for this machine, contractions tiled as the GPU
        # kernels are (dlc-compile --emulate-gpu-schedule); "gpu-schedule-tf32":
        # as with --allow-tf32 (f32 matmuls on tensor-core plans), in f32.
        # "gpu-kernels:sm_XX[-tf32]": that GPU's kernels, after every GPU
        # pass, run on this CPU by the SIMT emulator (--emulate-gpu-kernels).
        tf32 = ["--allow-tf32"] if cpu.endswith("-tf32") else []
        target = ([f"--target=cuda", f"--gpu-arch={cpu[5:].removesuffix('-tf32')}"] + tf32
                  if cpu.startswith("cuda:")
                  else ["--cpu=native", "--emulate-gpu-kernels",
                        f"--gpu-arch={cpu[12:].removesuffix('-tf32')}"] + tf32
                  if cpu.startswith("gpu-kernels:")
                  else ["--cpu=native", "--emulate-gpu-schedule"] if cpu == "gpu-schedule"
                  else ["--cpu=native", "--emulate-gpu-schedule", "--allow-tf32"]
                  if cpu == "gpu-schedule-tf32"
                  else [f"--cpu={cpu}"])
        command = [str(_build_dir() / "bin" / "dlc-compile"), str(src), "-o",
                   str(artifact)] + target
        if train_step is not None:
            command.append(f"--train-step={train_step}")
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CompileError(f"dlc-compile {' '.join(target)} failed:\n{proc.stderr}")
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact, cached)


class Module:
    """A dlc module compiled to an artifact and loaded into this process."""

    def __init__(self, source: str, cpu: str = "native", train_step: str | None = None):
        lib = _runtime()
        with tempfile.TemporaryDirectory(prefix="dlc-") as work:
            artifact = Path(work) / "module.dlc"
            compile_artifact(source, artifact, cpu, train_step)
            handle = ctypes.c_void_p()
            _check(lib.dlc_module_load(str(artifact).encode(), ctypes.byref(handle)))
        self._handle = handle
        self.signatures = {}
        for i in range(lib.dlc_module_num_functions(handle)):
            fn = lib.dlc_module_function(handle, i)
            name = lib.dlc_function_name(fn).decode()
            inputs = [Spec(lib.dlc_function_input(fn, k))
                      for k in range(lib.dlc_function_num_inputs(fn))]
            outputs = [Spec(lib.dlc_function_output(fn, k))
                       for k in range(lib.dlc_function_num_outputs(fn))]
            for k, out in enumerate(outputs):
                out.inout = lib.dlc_function_output_inout(fn, k)
            self.signatures[name] = (fn, inputs, outputs)

    def __del__(self):
        if getattr(self, "_handle", None) and _lib is not None:
            _lib.dlc_module_free(self._handle)

    def __call__(self, name: str, *args, outputs=None) -> list[np.ndarray]:
        """Runs @name on NumPy arrays and returns its results. `outputs`
        optionally gives the arrays to write (None entries are allocated);
        passing an in-out output its own input array updates it in place."""
        out_arrays = outputs
        if name not in self.signatures:
            raise KeyError(f"no function @{name} in the module")
        fn, inputs, outputs = self.signatures[name]
        if len(args) != len(inputs):
            raise TypeError(f"@{name} takes {len(inputs)} arguments, got {len(args)}")
        arrays = []
        for i, (arg, spec) in enumerate(zip(args, inputs)):
            array = np.require(arg, requirements="C")
            if array.shape != spec.shape or array.dtype != spec.dtype:
                raise TypeError(
                    f"@{name} argument {i}: expected {spec} "
                    f"({np.dtype(spec.dtype).name}{list(spec.shape)}), "
                    f"got {array.dtype.name}{list(array.shape)}")
            arrays.append(array)
        if out_arrays is None:
            out_arrays = [None] * len(outputs)
        if len(out_arrays) != len(outputs):
            raise TypeError(f"@{name} has {len(outputs)} outputs, got {len(out_arrays)}")
        results = []
        for i, (given, spec) in enumerate(zip(out_arrays, outputs)):
            if given is None:
                results.append(np.empty(spec.shape, dtype=spec.dtype))
                continue
            if (not isinstance(given, np.ndarray) or given.shape != spec.shape
                    or given.dtype != spec.dtype or not given.flags.c_contiguous
                    or not given.flags.writeable):
                raise TypeError(f"@{name} output {i}: expected a writable C-contiguous "
                                f"{np.dtype(spec.dtype).name}{list(spec.shape)} array")
            results.append(given)
        ins = (_DLTensor * max(len(arrays), 1))(*[_dltensor(a, s.element) for a, s in zip(arrays, inputs)])
        outs = (_DLTensor * max(len(results), 1))(*[_dltensor(r, s.element) for r, s in zip(results, outputs)])
        _check(_runtime().dlc_call(fn, ins, len(arrays), outs, len(results)))
        return results
