"""`dlc.jit`, `dlc.grad`, `dlc.value_and_grad` and eager debugging."""

from __future__ import annotations

import functools
import numbers
import os

import numpy as np

from . import _dlc
from ._core import (STATE, Trace, Tracer, element_type, emit, is_float, tensor_type,
                    tracing, tree_flatten, tree_unflatten, user_location, source_line)


class _Config:
    """Process-wide switches (`dlc.config`)."""

    def __init__(self):
        # DLC_DISABLE_JIT=1: every jitted function, grad and module runs op
        # by op on concrete arrays.
        self.disable_jit = os.environ.get("DLC_DISABLE_JIT", "") not in ("", "0")
        # Raise FloatingPointError at the first op that produces a NaN.
        self.debug_nans = os.environ.get("DLC_DEBUG_NANS", "") not in ("", "0")
        # LLVM CPU of compiled code ("native": this machine; "x86-64-v3",
        # ...), or "gpu-kernels:sm_XX": on this CPU, the kernels target="cuda"
        # would compile for that GPU, run by the SIMT emulator of dlc's build
        # tree (slow: to check GPU kernels without a GPU; allow_tf32 too).
        self.cpu = os.environ.get("DLC_CPU", "native")
        # Where jitted functions and training steps compute: "cpu", or "cuda"
        # / "cuda:N" (an NVIDIA GPU, device 0 or N).
        self.target = os.environ.get("DLC_TARGET", "cpu")
        # The GPU architecture kernels are compiled for: "native" (the GPU
        # they will run on: sm_90a on an H100, sm_80 on an A100; an error
        # without one), or a name (sm_80, sm_90a, ...: to export for another
        # machine; the driver compiles sm_XX's PTX for newer GPUs).
        self.gpu_arch = os.environ.get("DLC_GPU_ARCH", "native")
        # On the GPU, f32 matmuls on tensor cores in TF32 (10-bit mantissa
        # products, f32 sums), as PyTorch's allow_tf32; off: exact f32.
        self.allow_tf32 = os.environ.get("DLC_ALLOW_TF32", "") not in ("", "0")


config = _Config()


class disable_jit:
    """`with dlc.disable_jit():` runs jitted functions, grad and modules op by
    op on concrete arrays, so `print` and `pdb` show values."""

    def __enter__(self):
        self.saved, config.disable_jit = config.disable_jit, True

    def __exit__(self, *exc):
        config.disable_jit = self.saved


# ---------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------

def _leaf_array(leaf, position):
    """A call argument as the array it stands for (Python numbers: 0-d
    arrays of float32, int64 or bool; DLPack tensors: kept as they are)."""
    if isinstance(leaf, np.ndarray):
        return leaf
    if isinstance(leaf, bool):
        return np.asarray(leaf)
    if isinstance(leaf, numbers.Integral):
        return np.asarray(leaf, np.int64)
    if isinstance(leaf, numbers.Real):
        return np.asarray(leaf, np.float32)
    if isinstance(leaf, np.generic):
        return np.asarray(leaf)
    if isinstance(leaf, _dlc.DeviceArray):  # GPU memory: passed as it is
        return leaf
    if hasattr(leaf, "__dlpack__"):
        return np.from_dlpack(leaf)
    raise TypeError(f"argument {position}: expected an array, a number or a "
                    f"list/tuple/dict of them, got {type(leaf).__name__}")


def signature(array) -> tuple:
    return (array.shape, array.dtype.str)


# ---------------------------------------------------------------------------
# jit
# ---------------------------------------------------------------------------

class Lowered:
    """A traced function: its dlc-dialect module, ready to compile."""

    def __init__(self, trace, name, out_tree, in_tree, in_specs):
        self._trace, self._name = trace, name
        self.out_tree, self.in_tree, self.in_specs = out_tree, in_tree, in_specs

    def as_text(self, debug_info: bool = False) -> str:
        """The module in the dlc dialect (with source locations if asked)."""
        return self._trace.builder.text(debug_info)

    def compile(self, cpu: str | None = None, target: str | None = None,
                gpu_arch: str | None = None) -> "Compiled":
        target = check_target(target or config.target)
        artifact = self._trace.builder.compile(
            cpu or config.cpu, target=target_kind(target),
            gpu_arch=resolve_gpu_arch(target, gpu_arch or config.gpu_arch),
            allow_tf32=config.allow_tf32)
        return Compiled(artifact, self._name, self.in_tree, self.in_specs,
                        self.out_tree, target)


def check_target(target: str) -> str:
    """`target` checked: "cpu", "cuda" or "cuda:N" (GPU N)."""
    if not isinstance(target, str) or not (
            target in ("cpu", "cuda")
            or (target.startswith("cuda:") and target[5:].isdigit())):
        raise ValueError(f"unknown target {target!r} (expected 'cpu', 'cuda' "
                         "or 'cuda:N')")
    return target


def target_kind(target: str) -> str:
    """What the compiler is told: "cpu" or "cuda" (an artifact runs on any
    GPU of its architecture; the device is chosen where it is loaded)."""
    return "cuda" if target.startswith("cuda") else "cpu"


def select_device(target: str) -> str:
    """For target "cuda:N", makes GPU N the runtime's, unless it has chosen
    already: it computes on one GPU a process, chosen when the driver is
    first opened (by DLC_CUDA_DEVICE, which this sets from N if unset).
    Before compiling too: gpu_arch "native" asks that GPU. Returns
    `target`."""
    if target.startswith("cuda:"):
        os.environ.setdefault("DLC_CUDA_DEVICE", target[5:])
    return target


def resolve_gpu_arch(target: str, gpu_arch: str) -> str:
    """The architecture to compile `target`'s kernels for: `gpu_arch`, or
    for "native" that of the GPU the target names (dlc.runtime.native_gpu_arch;
    DlcRuntimeError without one)."""
    select_device(target)
    if target == "cpu" or gpu_arch != "native":
        return gpu_arch
    return _dlc.native_gpu_arch()


def load_module(artifact: bytes, target: str) -> "_dlc.LoadedModule":
    """Loads `artifact`; for target "cuda:N", on GPU N (select_device); a
    later "cuda:M" on another GPU is an error."""
    ordinal = int(select_device(target)[5:]) if target.startswith("cuda:") else None
    module = _dlc.LoadedModule(artifact)
    if ordinal is not None and module.device_id != ordinal:
        raise ValueError(
            f"target {target!r}: this process's dlc runtime computes on CUDA "
            f"device {module.device_id} (one GPU a process, chosen by "
            "DLC_CUDA_DEVICE or the first CUDA target loaded)")
    return module


class Compiled:
    """A compiled function: call it on arrays of the traced signature."""

    def __init__(self, artifact: bytes, name, in_tree, in_specs, out_tree,
                 target: str = "cpu"):
        self.artifact = artifact
        self.module = load_module(artifact, target)
        self.entry = self.module.function(name)
        self.in_tree, self.in_specs, self.out_tree = in_tree, in_specs, out_tree

    def call_flat(self, arrays):
        return tree_unflatten(self.out_tree, self.entry(arrays))

    def __call__(self, *args, **kwargs):
        leaves, tree = tree_flatten((args, kwargs))
        arrays = [_leaf_array(l, i) for i, l in enumerate(leaves)]
        specs = tuple(signature(a) for a in arrays)
        if tree != self.in_tree or specs != self.in_specs:
            raise TypeError(
                f"compiled for arguments {_describe(self.in_specs)}, called "
                f"with {_describe(specs)}")
        return self.call_flat([a if isinstance(a, _dlc.DeviceArray) else
                               np.ascontiguousarray(a) for a in arrays])


def _describe(specs):
    return "(" + ", ".join(f"{np.dtype(d).name}{list(s)}" for s, d in specs) + ")"


def _trace_function(fn, args, kwargs, name=None):
    """Traces `fn(*args, **kwargs)` into a public function of a new module."""
    leaves, in_tree = tree_flatten((args, kwargs))
    arrays = [_leaf_array(l, i) for i, l in enumerate(leaves)]
    types = [tensor_type(a.shape, element_type(a.dtype)) for a in arrays]
    trace = Trace()
    name = name or "main"
    with tracing(trace):
        func, tracers = trace.begin(name, types, public=True)
        targs, tkwargs = tree_unflatten(in_tree, tracers)
        out = fn(*targs, **tkwargs)
        out_leaves, out_tree = tree_flatten(out)
        for i, leaf in enumerate(out_leaves):
            if not isinstance(leaf, (Tracer, np.ndarray, np.generic, numbers.Number)):
                raise TypeError(f"{getattr(fn, '__name__', 'function')} returned a "
                                f"{type(leaf).__name__} (output {i}); jitted "
                                f"functions return arrays")
        trace.end(out_leaves)
    return Lowered(trace, name, out_tree, in_tree,
                   tuple(signature(a) for a in arrays)), arrays


class jit:
    """`dlc.jit(fn)`: the first call for a signature (shapes, dtypes and the
    structure of lists/tuples/dicts of arrays and numbers) traces `fn` to the
    dlc dialect and compiles it; later calls with that signature run the
    compiled code without tracing again. Inside another trace, `fn` is
    traced inline."""

    def __init__(self, fn):
        from .nn.modules import Module

        self.module = fn if isinstance(fn, Module) else None
        if self.module is not None:
            # A model's parameters are inputs of the compiled function (not
            # constants), read from the model at each call.
            model = fn

            def apply(params, *args, **kwargs):
                with model.bind(params):
                    return model(*args, **kwargs)
            apply.__name__ = type(model).__name__
            self.__name__ = apply.__name__
            fn = apply
        else:
            functools.update_wrapper(self, fn)
        self.fn = fn
        self._cache: dict = {}
        self.trace_count = 0  # how many times fn was traced (tests, tuning)

    def __get__(self, obj, objtype=None):  # as a method decorator
        return self if obj is None else functools.partial(self, obj)

    def _args(self, args):
        return args if self.module is None else (self.module.parameters(),) + args

    def lower(self, *args, **kwargs) -> Lowered:
        return self._lower(*self._args(args), **kwargs)

    def _lower(self, *args, **kwargs) -> Lowered:
        self.trace_count += 1
        return _trace_function(self.fn, args, kwargs,
                               _symbol(getattr(self.fn, "__name__", "main")))[0]

    def __call__(self, *args, **kwargs):
        if STATE.trace is not None:
            if self.module is not None:
                return self.module(*args, **kwargs)
            return self.fn(*args, **kwargs)
        if config.disable_jit:
            from ._eager import unwrap, wrap
            args, kwargs = wrap((args, kwargs))
            fn = self.module if self.module is not None else self.fn
            return unwrap(fn(*args, **kwargs))
        out = self.call_compiled(*args, **kwargs)
        if config.debug_nans:
            _check_nans(self.fn, self._args(args), kwargs, out)
        return out

    def call_compiled(self, *args, **kwargs):
        """Runs the compiled function (compiling it first for a new
        signature), whatever dlc.disable_jit says."""
        args = self._args(args)
        leaves, tree = tree_flatten((args, kwargs))
        arrays = []
        for i, leaf in enumerate(leaves):
            if type(leaf) is not np.ndarray:
                leaf = _leaf_array(leaf, i)
            elif not leaf.flags.c_contiguous:
                leaf = np.ascontiguousarray(leaf)
            arrays.append(leaf)
        # (Compiled again when what it is compiled for changes.)
        key = (tree, tuple([(a.shape, a.dtype.str) for a in arrays]), config.target,
               config.cpu, config.gpu_arch, config.allow_tf32)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._cache[key] = self._lower(*args, **kwargs).compile()
        return compiled.call_flat(arrays)


def _symbol(name: str) -> str:
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return name if name and not name[0].isdigit() else "fn_" + name


def _check_nans(fn, args, kwargs, out):
    leaves, _ = tree_flatten(out)
    if not any(np.issubdtype(np.asarray(l).dtype, np.floating) and
               np.isnan(l).any() for l in leaves):
        return
    # Find the op: run the function again op by op (each op checks and
    # raises at the first NaN it produces).
    from ._eager import wrap
    with disable_jit():
        args, kwargs = wrap((args, kwargs))
        fn(*args, **kwargs)
    raise FloatingPointError(
        f"{getattr(fn, '__name__', 'function')} produced a NaN, but no dlc op "
        f"did when run op by op (NumPy functions applied to values are not "
        f"checked)")


# ---------------------------------------------------------------------------
# grad / value_and_grad
# ---------------------------------------------------------------------------

def grad(fn, argnums=0):
    """The gradient of scalar-valued `fn` with respect to argument(s)
    `argnums` (an int or a tuple), with those arguments' structure; computed
    by the dlc-autodiff pass (the `dlc.grad` op)."""
    return _Grad(fn, argnums, with_value=False)


def value_and_grad(fn, argnums=0):
    """`(fn(*args), grad(fn, argnums)(*args))` in one call."""
    return _Grad(fn, argnums, with_value=True)


class _Grad:
    def __init__(self, fn, argnums, with_value):
        functools.update_wrapper(self, fn)
        self.fn, self.argnums, self.with_value = fn, argnums, with_value
        self._jitted = jit(self._traced)
        self._jitted.__name__ = ("value_and_grad_" if with_value else "grad_") + \
            getattr(fn, "__name__", "fn")

    def __call__(self, *args):
        if STATE.trace is not None:
            return self._traced(*args)
        if config.disable_jit:
            from ._eager import eager_grad
            return eager_grad(self.fn, self.argnums, self.with_value, args)
        return self._jitted(*args)

    def _traced(self, *args):
        return emit_grad(self.fn, self.argnums, self.with_value, args)


def _argnums(argnums, count, name):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise ValueError(f"{source_line()}: grad of {name}: argnums is empty")
    for n in nums:
        if not isinstance(n, int) or not -count <= n < count:
            raise ValueError(f"{source_line()}: grad of {name}: argnums {argnums} out "
                             f"of range for {count} positional arguments")
    return tuple(n % count for n in nums)


def emit_grad(fn, argnums, with_value, args):
    """Traces `fn` into a private function of the current module and returns
    the results of a `dlc.grad` (or `dlc.value_and_grad`) of it."""
    trace = STATE.trace
    name = getattr(fn, "__name__", "fn")
    nums = _argnums(argnums, len(args), name)
    leaves, tree = tree_flatten(tuple(args))
    # Leaf ranges of each positional argument.
    ranges, start = [], 0
    for a in args:
        n = len(tree_flatten(a)[0])
        ranges.append((start, start + n))
        start += n
    arrays = [l if isinstance(l, Tracer) else _leaf_array(l, i)
              for i, l in enumerate(leaves)]
    types = [tensor_type(a.shape, element_type(a.dtype)) for a in arrays]
    wrt = [i for n in nums for i in range(*ranges[n])]
    for i in wrt:
        if not is_float(arrays[i].dtype):
            raise TypeError(
                f"{source_line()}: grad of {name}: argument {i} has dtype "
                f"{np.dtype(arrays[i].dtype).name}; gradients are taken with "
                f"respect to float arrays only")
    callee = trace.unique(_symbol(name))
    func, tracers = trace.begin(callee, types, public=False)
    out = fn(*tree_unflatten(tree, tracers))
    if isinstance(out, Tracer):
        shape, dtype = out.shape, np.dtype(out.dtype)
    else:
        array = np.asarray(out)
        shape, dtype = array.shape, array.dtype
    if shape != () or not is_float(dtype):
        trace.end([out] if isinstance(out, Tracer) else [])
        raise ValueError(
            f"{source_line()}: grad of {name}: the function must return a scalar "
            f"float (a rank-0 array), got {'an array of shape ' + str(shape) if shape else 'a value'} "
            f"of dtype {dtype.name}")
    trace.end([out])
    operands = arrays + func.captured
    result_types = ([tensor_type((), element_type(dtype))] if with_value else []) + \
        [types[i] for i in wrt]
    results = emit("dlc.value_and_grad" if with_value else "dlc.grad", operands,
                   {"callee": f"@{callee}",
                    "wrt": f"array<i64: {', '.join(map(str, wrt))}>"},
                   result_types)
    value, grads = (results[0], results[1:]) if with_value else (None, results)
    # Gradients in the structure of the differentiated arguments.
    per_arg, k = [], 0
    for n in nums:
        count = ranges[n][1] - ranges[n][0]
        per_arg.append(tree_unflatten(tree_flatten(args[n])[1], grads[k:k + count]))
        k += count
    g = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
    return (value, g) if with_value else g
