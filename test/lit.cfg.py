# -*- Python -*-
import os
import sys

from lit.llvm import llvm_config

config.name = "dlc"
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "lit.local.cfg", "Inputs",
                   "cpu_matrix.py", "python"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "test")

# ---------------------------------------------------------------------------
# The target matrix. Compiled code is tested at every x86-64 ISA level, not
# only at the one of the machine the suite runs on: a test whose RUN lines use
# %cpu runs once per level this host can execute, so an AVX-512 machine also
# runs the AVX2 and SSE2 code that users on other machines get. Levels the
# host cannot execute are checked compile-only by tests that also use
# %compile_only (it expands to --compile-only for them, to nothing otherwise).

# The CPU flags (/proc/cpuinfo names) each level requires (x86-64 psABI).
V3_FLAGS = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}
ISA_LEVELS = {
    "x86-64": set(),
    "x86-64-v3": V3_FLAGS,
    "x86-64-v4": V3_FLAGS | {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"},
}


def host_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


flags = host_flags()
all_cpus = ["x86-64", "x86-64-v3", "native", "x86-64-v4"]
runnable = [c for c in all_cpus if c == "native" or ISA_LEVELS[c] <= flags]
# `lit --param dlc_run_cpus=native,x86-64` runs fewer levels (the others are
# then compile-only); naming a level this host cannot run is an error.
requested = lit_config.params.get("dlc_run_cpus")
if requested:
    names = [c.strip() for c in requested.split(",") if c.strip()]
    for name in names:
        if name not in runnable:
            lit_config.fatal(f"dlc_run_cpus: this host cannot run '{name}' "
                             f"(it runs: {', '.join(runnable)})")
    runnable = [c for c in all_cpus if c in names]
compile_only = [c for c in all_cpus if c not in runnable]
lit_config.note(f"ISA levels run: {', '.join(runnable)}; compile-only: "
                f"{', '.join(compile_only) or 'none'}")
for cpu in all_cpus:
    if cpu == "native" or ISA_LEVELS[cpu] <= flags:
        config.available_features.add(f"host-runs-{cpu}")
# Each host CPU flag as a feature (host-avx512_fp16), for tests that need a
# CPU to lack something.
for flag in flags:
    config.available_features.add(f"host-{flag}")


# The CUDA toolkit's ptxas checks the PTX of the GPU path (test/Target/CUDA);
# without it those tests are reported unsupported, with this note.
import shutil  # noqa: E402
ptxas = next((p for p in (os.environ.get("PTXAS"), shutil.which("ptxas"),
                          "/usr/local/cuda/bin/ptxas") if p and os.path.isfile(p)), None)
if ptxas:
    config.available_features.add("ptxas")
    config.environment["PTXAS"] = ptxas
else:
    lit_config.note("ptxas not found (no CUDA toolkit, PTXAS unset): the tests "
                    "that assemble PTX are unsupported")

# An NVIDIA driver (libcuda.so.1) and a GPU behind it gate the tests that run
# CUDA artifacts; without a driver, the test of the runtime's error runs.
import ctypes  # noqa: E402
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
    count = ctypes.c_int(0)
    if cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
            and count.value > 0:
        config.available_features.add("cuda-gpu")
        # Hopper (compute capability 9.x): the sm_90a kernels (wgmma, TMA).
        device, major = ctypes.c_int(0), ctypes.c_int(0)
        if cuda.cuDeviceGet(ctypes.byref(device), 0) == 0 and \
                cuda.cuDeviceGetAttribute(ctypes.byref(major), 75, device) == 0 \
                and major.value == 9:
            config.available_features.add("cuda-sm90")
except OSError:
    lit_config.note("no NVIDIA driver (libcuda.so.1): the tests that run CUDA "
                    "artifacts are unsupported")

# The stand-in driver (test/fake-cuda): LD_LIBRARY_PATH=%fake_cuda/pools (or
# /no-pools) runs CUDA artifacts' host side on any machine.
config.substitutions.append(("%fake_cuda", os.path.join(config.dlc_obj_root, "test", "fake-cuda")))

# The format lives in a module of its own: lit pickles it for its workers.
sys.path.insert(0, os.path.dirname(__file__))
from cpu_matrix import CPUMatrixTest  # noqa: E402

config.test_format = CPUMatrixTest(not llvm_config.use_lit_shell, runnable, compile_only)

# Named captures must not leak between CHECK-LABEL blocks.
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["dlc-opt", "dlc-compile", "dlc-run", "run_model", "train_model", "mlir-translate", "llc", "llvm-nm"],
    [config.dlc_tools_dir, config.llvm_tools_dir],
)

# Python tests import the in-tree package and find the build through DLC_BUILD.
config.substitutions.append(("%PYTHON", sys.executable))
config.environment["PYTHONPATH"] = os.path.join(config.dlc_src_root, "python")
config.environment["DLC_BUILD"] = config.dlc_obj_root
config.environment["DLC_LLVM_TOOLS"] = config.llvm_tools_dir
config.substitutions.append(("%dlc_src_root", config.dlc_src_root))
