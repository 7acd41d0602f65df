#!/usr/bin/env bash
# The GPU checks of issue 10 as one prepared run, for a machine with an
# NVIDIA GPU but without LLVM/MLIR (the lent H100/H200 machines: Python with
# NumPy and PyTorch, no dlc toolchain).
#
#   tools/gpu-check.sh prepare [ARCH]   here, after the build: fills .gpu-bundle/
#                                       (runtime, dlc-run, libomp, every
#                                       integration suite's CUDA artifacts, the
#                                       benchmark artifacts); default ARCH sm_90
#   tools/gpu-check.sh run [OUT]        there, from the repository root with
#                                       .gpu-bundle carried: runs the GPU tests
#                                       and the benchmarks, logs into OUT
#                                       (default $OUT or /tmp/gpu-check)
#
# What `run` does, in this order (not yet timed on a GPU; a suite is stopped
# after 300 s, the benchmarks after 400 s):
#   1. nvidia-smi; the device the runtime sees (dlc_cuda_device);
#   2. dlc-run on the dense model (checked against NumPy), 40 training
#      steps with the state on the GPU (--device=cuda; checked against NumPy)
#      and an f32 GEMM compiled with --allow-tf32 (TF32 error bounds);
#   3. every integration suite (test/Integration/CPU/*.py --cuda-run=ARCH),
#      from the artifacts compiled by `prepare` (DLC_ARTIFACT_CACHE);
#   4. sm_90a: the hand-written Hopper kernels of
#      test/Target/CUDA/hopper-kernels-on-cpu.mlir (a TMA + wgmma GEMM checked
#      against NumPy, the three swizzled layouts against what the SIMT
#      emulator models), the contraction suite (wgmma kernels among its
#      products), the wgmma tiles and an f16 MLP training step on wgmma;
#   5. benchmarks/gpu.py run: dlc against cuBLAS/PyTorch on the same GPU
#      (the f16/bf16 GEMMs on mma.sync and on wgmma), and the training
#      steps' kernels each timed (kernels.profile).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$root/.gpu-bundle
mode=${1:-}

prepare() {
  local arch=${1:-sm_90} build=${DLC_BUILD:-$root/build}
  rm -rf "$bundle" && mkdir -p "$bundle"/{lib,bin,py/dlc,cache,bench,inputs}
  cp "$build/lib/libdlc_runtime.so" "$bundle/lib/"
  cp "$build/bin/dlc-run" "$bundle/bin/"
  cp -L /usr/lib/llvm-22/lib/libomp.so.5 "$bundle/lib/"  # the artifacts' one dependency
  # dlc.execution alone (the ctypes runtime binding): the package's
  # extension needs LLVM/MLIR, which the GPU machine lacks.
  cp "$root/python/dlc/execution.py" "$bundle/py/dlc/"
  : > "$bundle/py/dlc/__init__.py"
  echo "$arch" > "$bundle/arch"
  local inputs=$root/test/tools/dlc-run/Inputs
  "$build/bin/dlc-compile" "$inputs/dense.mlir" --target=cuda --gpu-arch="$arch" \
    -o "$bundle/inputs/dense.dlc" || return 1
  "$build/bin/dlc-compile" "$inputs/regression.mlir" --target=cuda --gpu-arch="$arch" \
    -o "$bundle/inputs/train.dlc" --train-step="optimizer=sgd lr=0.1 momentum=0.9" || return 1
  "$build/bin/dlc-compile" "$inputs/tf32.mlir" --target=cuda --gpu-arch="$arch" \
    --allow-tf32 -o "$bundle/inputs/tf32.dlc" || return 1
  local suite
  for suite in "$root"/test/Integration/CPU/[a-z]*.py; do
    [ "$(basename "$suite")" = harness.py ] && continue
    DLC_ARTIFACT_CACHE=$bundle/cache "$root/.venv/bin/python" "$suite" \
      --cuda-run="$arch" --compile-only || return 1
  done
  # sm_90a (wgmma, TMA): the contraction suite, and the hand-written Hopper
  # kernels whose swizzles and GEMM the SIMT emulator models.
  local chip
  for suite in "$root/test/Integration/CPU/matmul_conv.py" \
               "$root/test/Target/CUDA/Inputs/wgmma_tiles.py"; do
    for chip in sm_90a sm_90a-tf32; do
      DLC_ARTIFACT_CACHE=$bundle/cache "$root/.venv/bin/python" "$suite" \
        --cuda-run=$chip --compile-only || return 1
    done
  done
  DLC_ARTIFACT_CACHE=$bundle/cache "$root/.venv/bin/python" \
    "$root/test/Target/CUDA/Inputs/wgmma_train_step.py" --cuda-run=sm_90a --compile-only \
    || return 1
  "$build/bin/dlc-opt" "$root/test/Target/CUDA/hopper-kernels-on-cpu.mlir" \
    -gpu-kernel-outlining -o "$bundle/inputs/hopper.mlir" || return 1
  "$build/bin/dlc-compile" "$bundle/inputs/hopper.mlir" --target=cuda --gpu-arch=sm_90a \
    -o "$bundle/inputs/hopper.dlc" || return 1
  rm "$bundle/inputs/hopper.mlir"
  "$root/.venv/bin/python" "$root/benchmarks/gpu.py" prepare "$bundle/bench" --arch="$arch" \
    || return 1
  du -sh "$bundle"
}

run() {
  local out=${1:-${OUT:-/tmp/gpu-check}} arch
  arch=$(cat "$bundle/arch")
  mkdir -p "$out"
  export DLC_BUILD=$bundle LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export PYTHONPATH=$bundle/py:$root/test/Integration/CPU PYTHONUNBUFFERED=1
  local python=${PYTHON:-python3} failed=0 work
  work=$(mktemp -d)
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$out/device.txt"
  # The runtime's view of it (what --gpu-arch=native compiles for: 9.0, sm_90a).
  $python -c "import ctypes, sys
r = ctypes.CDLL(sys.argv[1]); o, c, n = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_char_p()
s = r.dlc_cuda_device(ctypes.byref(o), ctypes.byref(c), ctypes.byref(n))
print('dlc_cuda_device: status', s, 'device', o.value, 'compute capability', c.value, n.value)" \
    "$bundle/lib/libdlc_runtime.so" 2>&1 | tee -a "$out/device.txt"

  echo "== dlc-run on the GPU" | tee "$out/dlc-run.log"
  local inputs=$root/test/tools/dlc-run/Inputs
  cp "$bundle/inputs/dense.dlc" "$work/dense.dlc" && mkdir -p "$work/out"
  $python "$inputs/make_inputs.py" "$work" >> "$out/dlc-run.log" 2>&1
  { "$bundle/bin/dlc-run" "$work/dense.dlc" --entry=dense --input "$work/x.npy" \
      --input "$work/w.npy" --input "$work/b.npy" --output-dir "$work/out" &&
    $python "$inputs/check_outputs.py" "$work"; } >> "$out/dlc-run.log" 2>&1 || failed=1
  $python "$inputs/regression.py" make "$work" >> "$out/dlc-run.log" 2>&1
  { "$bundle/bin/dlc-run" "$bundle/inputs/train.dlc" --device=cuda --entry=train_step \
      --steps=40 --input "$work/w.npy" --input "$work/b.npy" --input "$work/vw.npy" \
      --input "$work/vb.npy" --input "$work/x.npy" --input "$work/target.npy" \
      --output-dir "$work/out" | tail -2 &&
    $python "$inputs/regression.py" check "$work" 40; } >> "$out/dlc-run.log" 2>&1 || failed=1
  $python "$inputs/tf32.py" make "$work" >> "$out/dlc-run.log" 2>&1
  { "$bundle/bin/dlc-run" "$bundle/inputs/tf32.dlc" --device=cuda --entry=gemm \
      --input "$work/a.npy" --input "$work/b.npy" --output-dir "$work/out" &&
    $python "$inputs/tf32.py" check "$work"; } >> "$out/dlc-run.log" 2>&1 || failed=1
  tail -5 "$out/dlc-run.log"

  echo "== integration suites on the GPU ($arch)"
  local suite name
  for suite in "$root"/test/Integration/CPU/[a-z]*.py; do
    name=$(basename "$suite" .py)
    [ "$name" = harness ] && continue
    # One log for all suites: at most 8 files come back from the machine.
    echo "== $name" >> "$out/suites.log"
    DLC_ARTIFACT_CACHE=$bundle/cache timeout 300 $python "$suite" --cuda-run="$arch" \
      > "$work/suite.log" 2>&1 || failed=1
    cat "$work/suite.log" >> "$out/suites.log"
    grep -E "^FAIL|passed, [0-9]+ failed|Error" "$work/suite.log" | head -5
  done

  echo "== sm_90a: hand-written Hopper kernels, the contraction suite" | tee "$out/hopper.log"
  local cuda=$root/test/Target/CUDA
  $python "$cuda/Inputs/hopper_inputs.py" "$work" >> "$out/hopper.log" 2>&1
  { "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda --entry=gemm \
      --input "$work/a.npy" --input "$work/b.npy" --output-dir "$work/out" &&
    $python "$cuda/Inputs/hopper_inputs.py" "$work" --check "$work/out/gemm_0.npy" &&
    "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda \
      --entry=swizzle_128b --input "$work/x.npy" --output-dir "$work/out" &&
    "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda \
      --entry=swizzle_64b --input "$work/x.npy" --output-dir "$work/out" &&
    "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda \
      --entry=swizzle_32b --input "$work/x.npy" --output-dir "$work/out" &&
    $python "$cuda/Inputs/hopper_inputs.py" "$work" --check-swizzles "$work/out" &&
    echo "hopper kernels: GEMM exact, swizzles as modelled"; } >> "$out/hopper.log" 2>&1 \
    || failed=1
  local chip
  for chip in sm_90a sm_90a-tf32; do
    DLC_ARTIFACT_CACHE=$bundle/cache timeout 300 $python \
      "$root/test/Integration/CPU/matmul_conv.py" --cuda-run=$chip >> "$out/hopper.log" 2>&1 \
      || failed=1
    DLC_ARTIFACT_CACHE=$bundle/cache timeout 120 $python "$cuda/Inputs/wgmma_tiles.py" \
      --cuda-run=$chip >> "$out/hopper.log" 2>&1 || failed=1
  done
  DLC_ARTIFACT_CACHE=$bundle/cache timeout 120 $python "$cuda/Inputs/wgmma_train_step.py" \
    --cuda-run=sm_90a >> "$out/hopper.log" 2>&1 || failed=1
  tail -3 "$out/hopper.log"

  echo "== benchmarks"
  timeout 400 $python "$root/benchmarks/gpu.py" run "$bundle/bench" --build="$bundle" \
    > "$out/bench.log" 2>&1 || failed=1
  cp "$bundle/bench/results.json" "$bundle/bench/kernels.profile" "$out/" 2>/dev/null
  tail -30 "$out/bench.log"
  rm -rf "$work"
  return $failed
}

case $mode in
  prepare) shift; prepare "$@" ;;
  run) shift; run "$@" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
