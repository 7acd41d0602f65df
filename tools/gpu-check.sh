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
# What `run` does, within DLC_GPU_CHECK_SECONDS (default 420; a lease is
# short, so each stage gets at most what is left):
#   1. nvidia-smi; the device the runtime sees (dlc_cuda_device);
#   2. the correctness checks, all at once (each its own process, bounded by
#      150 s; one log, checks.log): dlc-run on the dense model (checked
#      against NumPy), 40 training steps with the state on the GPU
#      (--device=cuda) and an f32 GEMM compiled with --allow-tf32 (TF32 error
#      bounds); every integration suite (test/Integration/CPU/*.py
#      --cuda-run=ARCH) from the artifacts compiled by `prepare`
#      (DLC_ARTIFACT_CACHE); at sm_90a, the hand-written Hopper kernels of
#      test/Target/CUDA/hopper-kernels-on-cpu.mlir (a TMA + wgmma GEMM checked
#      against NumPy, the three swizzled layouts against what the SIMT
#      emulator models), the contraction suite and the wgmma tiles (plain and
#      TF32), and an f16 MLP training step on wgmma;
#   3. alone on the GPU, benchmarks/gpu.py run: dlc against cuBLAS/PyTorch
#      (the f16/bf16/TF32 GEMMs on mma.sync and on wgmma, each result's error
#      against float64), and the training steps' kernels each timed
#      (kernels.profile);
#   4. where ncu is there and time is left, Nsight Compute's report of the
#      f32 GEMM at 4096 and of softmax (ncu.txt; DLC_GPU_NCU_CASES).
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

dlc_run_checks() {  # WORK: the dense model, 40 training steps, TF32; each checked
  local w=$1 python=${PYTHON:-python3} inputs=$root/test/tools/dlc-run/Inputs failed=0
  mkdir -p "$w/out" && cp "$bundle/inputs/dense.dlc" "$w/dense.dlc"
  { $python "$inputs/make_inputs.py" "$w" &&
      "$bundle/bin/dlc-run" "$w/dense.dlc" --entry=dense --input "$w/x.npy" \
        --input "$w/w.npy" --input "$w/b.npy" --output-dir "$w/out" &&
      $python "$inputs/check_outputs.py" "$w" && echo "dense: matches NumPy"; } || failed=1
  { $python "$inputs/regression.py" make "$w" &&
      "$bundle/bin/dlc-run" "$bundle/inputs/train.dlc" --device=cuda --entry=train_step \
        --steps=40 --input "$w/w.npy" --input "$w/b.npy" --input "$w/vw.npy" \
        --input "$w/vb.npy" --input "$w/x.npy" --input "$w/target.npy" \
        --output-dir "$w/out" | tee "$w/log" | tail -2 &&
      $python "$inputs/regression.py" check "$w" 40; } || failed=1
  { $python "$inputs/tf32.py" make "$w" &&
      "$bundle/bin/dlc-run" "$bundle/inputs/tf32.dlc" --device=cuda --entry=gemm \
        --input "$w/a.npy" --input "$w/b.npy" --output-dir "$w/out" &&
      $python "$inputs/tf32.py" check "$w"; } || failed=1
  return $failed
}
hopper_kernels() {  # WORK: the hand-written TMA + wgmma kernels
  local w=$1 k python=${PYTHON:-python3} cuda=$root/test/Target/CUDA
  mkdir -p "$w/out"
  $python "$cuda/Inputs/hopper_inputs.py" "$w" &&
    "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda --entry=gemm \
      --input "$w/a.npy" --input "$w/b.npy" --output-dir "$w/out" &&
    $python "$cuda/Inputs/hopper_inputs.py" "$w" --check "$w/out/gemm_0.npy" || return 1
  for k in 128b 64b 32b; do
    "$bundle/bin/dlc-run" "$bundle/inputs/hopper.dlc" --device=cuda \
      --entry=swizzle_$k --input "$w/x.npy" --output-dir "$w/out" || return 1
  done
  $python "$cuda/Inputs/hopper_inputs.py" "$w" --check-swizzles "$w/out" &&
    echo "hopper kernels: GEMM exact, swizzles as modelled"
}

run() {
  local out=${1:-${OUT:-/tmp/gpu-check}} arch
  arch=$(cat "$bundle/arch")
  mkdir -p "$out"
  export DLC_BUILD=$bundle LD_LIBRARY_PATH=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export PYTHONPATH=$bundle/py:$root/test/Integration/CPU PYTHONUNBUFFERED=1
  local python=${PYTHON:-python3} failed=0 work
  work=$(mktemp -d)
  # The whole run fits DLC_GPU_CHECK_SECONDS (a lease is short): each stage
  # gets at most what is left of it.
  local budget=${DLC_GPU_CHECK_SECONDS:-420} begin=$SECONDS
  cap() { local left=$((budget - (SECONDS - begin))); echo $((left < $1 ? (left > 1 ? left : 1) : $1)); }
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm \
    --format=csv 2>&1 | tee "$out/device.txt"
  # The runtime's view of it (what --gpu-arch=native compiles for: 9.0, sm_90a).
  $python -c "import ctypes, sys
r = ctypes.CDLL(sys.argv[1]); o, c, n = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_char_p()
s = r.dlc_cuda_device(ctypes.byref(o), ctypes.byref(c), ctypes.byref(n))
print('dlc_cuda_device: status', s, 'device', o.value, 'compute capability', c.value, n.value)" \
    "$bundle/lib/libdlc_runtime.so" 2>&1 | tee -a "$out/device.txt"

  # Correctness first, every check at once (each its own process and log):
  # the GPU runs them side by side, and nothing is timed here.
  local cuda=$root/test/Target/CUDA
  mkdir -p "$work/run" "$work/hopper" "$work/logs"
  local limit
  limit=$(cap 150)
  local -a checks=()
  check() {  # check NAME COMMAND...: in the background, bounded, logged
    local name=$1; shift
    checks+=("$name")
    ( DLC_ARTIFACT_CACHE=$bundle/cache timeout "$limit" "$@" > "$work/logs/$name.log" 2>&1
      echo $? > "$work/logs/$name.rc" ) &
  }
  check dlc-run "$root/tools/gpu-check.sh" dlc-run-checks "$work/run"
  check hopper-kernels "$root/tools/gpu-check.sh" hopper-kernels "$work/hopper"
  local suite name chip
  for suite in "$root"/test/Integration/CPU/[a-z]*.py; do
    name=$(basename "$suite" .py)
    [ "$name" = harness ] || check "$name" $python "$suite" --cuda-run="$arch"
  done
  for chip in sm_90a sm_90a-tf32; do
    check "matmul_conv-$chip" $python "$root/test/Integration/CPU/matmul_conv.py" \
      --cuda-run=$chip
    check "wgmma_tiles-$chip" $python "$cuda/Inputs/wgmma_tiles.py" --cuda-run=$chip
  done
  check wgmma_train_step-sm_90a $python "$cuda/Inputs/wgmma_train_step.py" --cuda-run=sm_90a
  wait
  # One log for all (at most 8 files come back from the machine), each
  # check's status in the summary.
  echo "== checks on the GPU ($arch unless named; each bounded by $limit s)" | tee "$out/checks.log"
  for name in "${checks[@]}"; do
    local rc
    rc=$(cat "$work/logs/$name.rc" 2>/dev/null || echo "?")
    { echo "== $name: exit $rc"; cat "$work/logs/$name.log"; } >> "$out/checks.log"
    [ "$rc" = 0 ] || failed=1
    printf '%-28s exit %-4s %s\n' "$name" "$rc" \
      "$(grep -E 'passed, [0-9]+ failed|^hopper kernels|^PASS: |regression|error' \
           "$work/logs/$name.log" | tail -1 | cut -c1-90)"
  done
  grep -E '^FAIL|Error' "$out/checks.log" | head -20
  echo "checks took $((SECONDS - begin)) s"

  echo "== benchmarks"
  timeout "$(cap 600)" $python "$root/benchmarks/gpu.py" run "$bundle/bench" \
    --build="$bundle" > "$out/bench.log" 2>&1 || failed=1
  cp "$bundle/bench/results.json" "$bundle/bench/kernels.profile" "$out/" 2>/dev/null
  tail -40 "$out/bench.log"
  # Where the time of the exact-f32 GEMM and of softmax goes (Nsight
  # Compute: stall reasons, bank conflicts), within what is left.
  local ncu
  ncu=$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2> /dev/null | head -1)
  if [ -n "$ncu" ] && [ "$(cap 120)" -gt 30 ]; then
    echo "== ncu ($ncu)"
    NCU=$ncu timeout "$(cap 120)" $python "$root/benchmarks/gpu.py" ncu "$bundle/bench" \
      --build="$bundle" --cases="${DLC_GPU_NCU_CASES:-gemm_f32_4096,softmax}" 2>&1 | tail -5
    cat "$bundle"/bench/ncu-*.txt > "$out/ncu.txt" 2>/dev/null
  fi
  echo "run took $((SECONDS - begin)) s"
  rm -rf "$work"
  return $failed
}

case $mode in
  prepare) shift; prepare "$@" ;;
  run) shift; run "$@" ;;
  dlc-run-checks) shift; dlc_run_checks "$@" ;;
  hopper-kernels) shift; hopper_kernels "$@" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
