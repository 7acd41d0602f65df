#!/usr/bin/env bash
# Sets up everything dlc needs on Debian 12 and builds it: the apt packages
# (LLVM/MLIR 22 and friends), a Python virtual environment with the pinned
# packages, and the CMake/Ninja build in build/. Safe to run again: it only
# installs what is missing and rebuilds incrementally.
#
#   tools/setup.sh [--benchmarks]
#
# --benchmarks also installs the benchmark peers (benchmarks/requirements.txt:
# JAX and PyTorch) into the virtual environment.
set -euo pipefail

benchmarks=0
for arg in "$@"; do
  case $arg in
    --benchmarks) benchmarks=1 ;;
    *) echo "setup: unknown argument '$arg' (expected --benchmarks)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DLC_BUILD_DIR:-$root/build}
venv=$root/.venv

packages=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools lld-22
          libomp-22-dev libclang-rt-22-dev clang-22 cmake ninja-build ccache g++ python3-venv
          libdlpack-dev nlohmann-json3-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "$python" -m venv "$venv"
fi
stamp=$venv/.requirements
if ! cmp -s "$root/python/requirements.txt" "$stamp" 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/python/requirements.txt"
  cp "$root/python/requirements.txt" "$stamp"
fi
# `import dlc` in the venv: the package's sources in python/, next to the
# extension the build writes there.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$root/python" > "$site/dlc-source.pth"
if [ "$benchmarks" -eq 1 ]; then
  stamp=$venv/.benchmark-requirements
  if ! cmp -s "$root/benchmarks/requirements.txt" "$stamp" 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/benchmarks/requirements.txt"
    cp "$root/benchmarks/requirements.txt" "$stamp"
  fi
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DPython3_EXECUTABLE="$venv/bin/python"
fi
# ccache hashes paths under the checkout relative to it, so that another
# clone of it (CI's) compiles from this machine's cache.
export CCACHE_BASEDIR="$root"
cmake --build "$build"
