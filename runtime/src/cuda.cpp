//===- cuda.cpp - the CUDA part of the runtime on the driver API ----------===//
//
// Implements the GPU runtime calls that dlc's host code makes (the mgpu*
// functions of MLIR's GPU lowering, research/gpu-path.md) on the CUDA
// driver API, opened at run time. Host code reaches them through the hooks
// each CUDA artifact exports (dlc_gpu_hook_<name>); errors cannot return
// through generated code, so the first one of a call is kept and reported
// by dlc_call.
//
//===----------------------------------------------------------------------===//

#include "cuda.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using Handle = void *; // CUcontext, CUmodule, CUfunction, CUstream, CUevent

/// The driver entry points used, by their versioned names in libcuda.so.1.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDevicePrimaryCtxRetain)(Handle *, CUdevice);
  CUresult (*cuCtxPushCurrent)(Handle);
  CUresult (*cuCtxPopCurrent)(Handle *);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuDeviceGetAttribute)(int *, int, int);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuModuleLoadData)(Handle *, const void *);
  CUresult (*cuModuleLoadDataEx)(Handle *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(Handle);
  CUresult (*cuModuleGetFunction)(Handle *, Handle, const char *);
  CUresult (*cuFuncSetAttribute)(Handle, int, int);
  CUresult (*cuLaunchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, Handle, void **,
                             void **);
  CUresult (*cuStreamCreate)(Handle *, unsigned);
  CUresult (*cuStreamDestroy)(Handle);
  CUresult (*cuStreamSynchronize)(Handle);
  CUresult (*cuStreamWaitEvent)(Handle, Handle, unsigned);
  CUresult (*cuEventCreate)(Handle *, unsigned);
  CUresult (*cuEventDestroy)(Handle);
  CUresult (*cuEventSynchronize)(Handle);
  CUresult (*cuEventRecord)(Handle, Handle);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, Handle);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, Handle);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, Handle);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, Handle);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, Handle);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  // Stream-ordered allocation (CUDA 11.2+; optional): freed blocks go back
  // to the device's pool instead of cuMemFree synchronizing the device for
  // every intermediate of every call.
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, Handle) = nullptr;
  CUresult (*cuMemFreeAsync)(CUdeviceptr, Handle) = nullptr;
  CUresult (*cuDeviceGetDefaultMemPool)(Handle *, CUdevice) = nullptr;
  CUresult (*cuMemPoolSetAttribute)(Handle, int, void *) = nullptr;
  // TMA tensor maps (CUDA 12+; optional: only sm_90 kernels need them).
  CUresult (*cuTensorMapEncodeTiled)(void *, int, unsigned, void *,
                                     const unsigned long long *,
                                     const unsigned long long *,
                                     const unsigned *, const unsigned *, int,
                                     int, int, int) = nullptr;
  // The device's name (optional: messages only).
  CUresult (*cuDeviceGetName)(char *, int, CUdevice) = nullptr;
  Handle context = nullptr;
  int ordinal = 0; // the device (DLC_CUDA_DEVICE)
  int multiprocessors = 0;
  int computeCapability = 0; // 10 * major + minor
  char name[256] = "";
};

Driver driver;
std::string initError;
std::once_flag initOnce;
thread_local std::string callError;
// The stream of the call in progress on this thread: the caller's
// (dlc_call_on_stream) or the thread's own, created once and reused, so
// that a call does not create and destroy a stream (the host code asks for
// one per call).
thread_local Handle callStream = nullptr;
thread_local Handle threadStream = nullptr;
// The device copies of the call's TMA tensor maps that its module does
// not keep, freed when it ends.
thread_local std::vector<CUdeviceptr> callTensorMaps;
// The call's module's kept maps.
thread_local dlc_cuda::TensorMaps *callKeptMaps = nullptr;
std::mutex kernelsMutex;
// What launches need to know of a function: its name (for errors), its
// module (forgotten when that is unloaded: the driver may hand out the same
// handle again) and the dynamic shared memory its limit was raised to.
struct Kernel {
  std::string name;
  Handle module = nullptr;
  int32_t sharedLimit = 0;
};
std::unordered_map<Handle, Kernel> kernels;

/// DLC_CUDA_PROFILE=FILE: every kernel launch of a call timed by a pair of
/// events recorded around it on the call's stream, collected when the call
/// ends (after its stream's work) and written at exit per entry and launch:
/// the kernel, its grid and block, and the times' median, minimum and sum
/// over the calls. What a first GPU session needs to see which kernels of a
/// training step take its time, without Nsight on the machine.
struct Profile {
  std::string path; // empty: off
  CUresult (*elapsed)(float *, Handle, Handle) = nullptr;
  struct Kernel {
    unsigned grid[3], block[3];
    int sharedBytes;
    std::vector<float> us;
  };
  std::mutex mutex;
  // By entry, launch index in the call and kernel.
  std::map<std::tuple<std::string, size_t, std::string>, Kernel> kernels;

  void write();
  ~Profile() { write(); }
} profile;

/// A launch of the call in progress, timed.
struct TimedLaunch {
  std::string kernel;
  unsigned grid[3], block[3];
  int sharedBytes;
  Handle start, end;
};
thread_local std::string callEntry;
thread_local std::vector<TimedLaunch> timedLaunches;
thread_local std::vector<Handle> spareEvents;

void Profile::write() {
  if (path.empty() || kernels.empty())
    return;
  FILE *out = std::fopen(path.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "dlc runtime: cannot write DLC_CUDA_PROFILE=%s\n",
                 path.c_str());
    return;
  }
  std::fprintf(out, "# dlc CUDA profile: each kernel launch of a call, timed "
                    "by events around it on the call's stream\n"
                    "# entry launch kernel grid block shared-bytes calls "
                    "median-us min-us total-us\n");
  std::map<std::string, std::pair<size_t, double>> entries;
  for (auto &[key, k] : kernels) {
    auto &[entry, index, name] = key;
    std::vector<float> sorted = k.us;
    std::sort(sorted.begin(), sorted.end());
    double median = sorted.size() % 2
                        ? sorted[sorted.size() / 2]
                        : (sorted[sorted.size() / 2 - 1] +
                           sorted[sorted.size() / 2]) /
                              2.0;
    double total = 0;
    for (float t : sorted)
      total += t;
    std::fprintf(out, "%s %zu %s %ux%ux%u %ux%ux%u %d %zu %.1f %.1f %.1f\n",
                 entry.c_str(), index, name.c_str(), k.grid[0], k.grid[1],
                 k.grid[2], k.block[0], k.block[1], k.block[2], k.sharedBytes,
                 sorted.size(), median, sorted.front(), total);
    entries[entry].first += 1;
    entries[entry].second += median;
  }
  for (auto &[entry, summary] : entries)
    std::fprintf(out, "# %s: %zu kernel launches a call, medians summing to "
                      "%.1f us\n",
                 entry.c_str(), summary.first, summary.second);
  std::fclose(out);
}

/// An event with timing (CU_EVENT_DEFAULT), reused across calls.
Handle timingEvent() {
  Handle event = nullptr;
  if (!spareEvents.empty()) {
    event = spareEvents.back();
    spareEvents.pop_back();
  } else if (driver.cuEventCreate(&event, /*CU_EVENT_DEFAULT=*/0) != 0) {
    event = nullptr;
  }
  return event;
}

/// The times of the call's launches, into the profile (the call's work
/// done or failed: a failure leaves its launches untimed).
void collectTimes() {
  if (timedLaunches.empty())
    return;
  bool done = driver.cuEventSynchronize(timedLaunches.back().end) == 0;
  std::lock_guard<std::mutex> lock(profile.mutex);
  for (size_t i = 0; i < timedLaunches.size(); ++i) {
    TimedLaunch &t = timedLaunches[i];
    float ms = 0;
    if (done && profile.elapsed(&ms, t.start, t.end) == 0) {
      auto [it, fresh] = profile.kernels.try_emplace({callEntry, i, t.kernel});
      Profile::Kernel &k = it->second;
      if (fresh) {
        std::copy(t.grid, t.grid + 3, k.grid);
        std::copy(t.block, t.block + 3, k.block);
        k.sharedBytes = t.sharedBytes;
      }
      k.us.push_back(ms * 1000.0f);
    }
    spareEvents.push_back(t.start);
    spareEvents.push_back(t.end);
  }
  timedLaunches.clear();
}

std::string describe(CUresult result) {
  const char *name = "?", *text = "?";
  if (driver.cuGetErrorName)
    driver.cuGetErrorName(result, &name);
  if (driver.cuGetErrorString)
    driver.cuGetErrorString(result, &text);
  return std::string(name) + ": " + text;
}

/// Keeps the first error of the call: `what` failed with `result`.
bool check(CUresult result, const std::string &what) {
  if (result == 0)
    return true;
  if (callError.empty())
    callError = what + " failed (" + describe(result) + ")";
  return false;
}

template <typename T> bool resolve(void *lib, T &slot, const char *name) {
  slot = reinterpret_cast<T>(dlsym(lib, name));
  return slot != nullptr;
}

void load() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    initError = std::string("the NVIDIA driver library libcuda.so.1 could not "
                            "be loaded (") +
                (why ? why : "unknown reason") + ")";
    return;
  }
  const char *missing = nullptr;
#define DLC_RESOLVE(field, symbol)                                             \
  if (!missing && !resolve(lib, driver.field, symbol))                         \
    missing = symbol;
  DLC_RESOLVE(cuInit, "cuInit")
  DLC_RESOLVE(cuDeviceGet, "cuDeviceGet")
  DLC_RESOLVE(cuDeviceGetAttribute, "cuDeviceGetAttribute")
  DLC_RESOLVE(cuDeviceGetCount, "cuDeviceGetCount")
  DLC_RESOLVE(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain")
  DLC_RESOLVE(cuCtxPushCurrent, "cuCtxPushCurrent_v2")
  DLC_RESOLVE(cuCtxPopCurrent, "cuCtxPopCurrent_v2")
  DLC_RESOLVE(cuCtxSynchronize, "cuCtxSynchronize")
  DLC_RESOLVE(cuGetErrorName, "cuGetErrorName")
  DLC_RESOLVE(cuGetErrorString, "cuGetErrorString")
  DLC_RESOLVE(cuModuleLoadData, "cuModuleLoadData")
  DLC_RESOLVE(cuModuleLoadDataEx, "cuModuleLoadDataEx")
  DLC_RESOLVE(cuModuleUnload, "cuModuleUnload")
  DLC_RESOLVE(cuModuleGetFunction, "cuModuleGetFunction")
  DLC_RESOLVE(cuFuncSetAttribute, "cuFuncSetAttribute")
  DLC_RESOLVE(cuLaunchKernel, "cuLaunchKernel")
  DLC_RESOLVE(cuStreamCreate, "cuStreamCreate")
  DLC_RESOLVE(cuStreamDestroy, "cuStreamDestroy_v2")
  DLC_RESOLVE(cuStreamSynchronize, "cuStreamSynchronize")
  DLC_RESOLVE(cuStreamWaitEvent, "cuStreamWaitEvent")
  DLC_RESOLVE(cuEventCreate, "cuEventCreate")
  DLC_RESOLVE(cuEventDestroy, "cuEventDestroy_v2")
  DLC_RESOLVE(cuEventSynchronize, "cuEventSynchronize")
  DLC_RESOLVE(cuEventRecord, "cuEventRecord")
  DLC_RESOLVE(cuMemAlloc, "cuMemAlloc_v2")
  DLC_RESOLVE(cuMemAllocManaged, "cuMemAllocManaged")
  DLC_RESOLVE(cuMemFree, "cuMemFree_v2")
  DLC_RESOLVE(cuMemcpyAsync, "cuMemcpyAsync")
  DLC_RESOLVE(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2")
  DLC_RESOLVE(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2")
  DLC_RESOLVE(cuMemsetD32Async, "cuMemsetD32Async")
  DLC_RESOLVE(cuMemsetD16Async, "cuMemsetD16Async")
  DLC_RESOLVE(cuMemcpy, "cuMemcpy")
#undef DLC_RESOLVE
  if (missing) {
    initError = std::string("libcuda.so.1 lacks ") + missing +
                " (a driver older than CUDA 11?)";
    return;
  }
  CUdevice device;
  CUresult result = driver.cuInit(0);
  // One device a process, as CUDA_VISIBLE_DEVICES numbers them: 0 unless
  // DLC_CUDA_DEVICE says otherwise.
  int count = 0;
  if (result == 0)
    result = driver.cuDeviceGetCount(&count);
  if (result == 0) {
    if (const char *chosen = getenv("DLC_CUDA_DEVICE"); chosen && *chosen) {
      char *end = nullptr;
      long ordinal = std::strtol(chosen, &end, 10);
      if (*end || ordinal < 0 || ordinal >= count) {
        initError = std::string("DLC_CUDA_DEVICE=") + chosen +
                    " is not a device of this machine (" +
                    std::to_string(count) + " CUDA device" +
                    (count == 1 ? "" : "s") +
                    (count ? ", 0 to " + std::to_string(count - 1) : "") +
                    ")";
        return;
      }
      driver.ordinal = static_cast<int>(ordinal);
    }
    result = driver.cuDeviceGet(&device, driver.ordinal);
  }
  if (result == 0)
    result = driver.cuDevicePrimaryCtxRetain(&driver.context, device);
  if (result == 0)
    result = driver.cuDeviceGetAttribute(
        &driver.multiprocessors,
        /*CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT=*/16, device);
  int major = 0, minor = 0;
  if (result == 0)
    result = driver.cuDeviceGetAttribute(
        &major, /*CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR=*/75, device);
  if (result == 0)
    result = driver.cuDeviceGetAttribute(
        &minor, /*CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR=*/76, device);
  driver.computeCapability = 10 * major + minor;
  if (result != 0) {
    initError = "no usable CUDA device" +
                (driver.ordinal ? " " + std::to_string(driver.ordinal) : "") +
                " (" + describe(result) + ")";
    return;
  }
  resolve(lib, driver.cuTensorMapEncodeTiled, "cuTensorMapEncodeTiled");
  if (!resolve(lib, driver.cuDeviceGetName, "cuDeviceGetName") ||
      driver.cuDeviceGetName(driver.name, sizeof(driver.name) - 1, device))
    driver.name[0] = 0;
  if (const char *path = getenv("DLC_CUDA_PROFILE"); path && *path) {
    if (resolve(lib, profile.elapsed, "cuEventElapsedTime"))
      profile.path = path;
    else
      std::fprintf(stderr, "dlc runtime: DLC_CUDA_PROFILE ignored: the driver "
                           "lacks cuEventElapsedTime\n");
  }
  // The pool keeps what calls free (a training step's intermediates are the
  // next step's), like PyTorch's caching allocator; without this threshold
  // it returns memory to the system at every stream synchronization.
  Handle pool = nullptr;
  if (resolve(lib, driver.cuMemAllocAsync, "cuMemAllocAsync") &&
      resolve(lib, driver.cuMemFreeAsync, "cuMemFreeAsync") &&
      resolve(lib, driver.cuDeviceGetDefaultMemPool,
              "cuDeviceGetDefaultMemPool") &&
      resolve(lib, driver.cuMemPoolSetAttribute, "cuMemPoolSetAttribute") &&
      driver.cuDeviceGetDefaultMemPool(&pool, device) == 0) {
    unsigned long long keep = ~0ull;
    driver.cuMemPoolSetAttribute(pool, /*RELEASE_THRESHOLD=*/4, &keep);
  } else {
    driver.cuMemAllocAsync = nullptr;
    driver.cuMemFreeAsync = nullptr;
  }
}

/// Device memory from the pool, ordered on `stream` (0: the legacy stream,
/// for staging), or plain cuMemAlloc where the driver has no pools.
CUresult allocateOn(CUdeviceptr *pointer, size_t bytes, Handle stream) {
  return driver.cuMemAllocAsync ? driver.cuMemAllocAsync(pointer, bytes, stream)
                                : driver.cuMemAlloc(pointer, bytes);
}
CUresult releaseOn(CUdeviceptr pointer, Handle stream) {
  return driver.cuMemFreeAsync ? driver.cuMemFreeAsync(pointer, stream)
                               : driver.cuMemFree(pointer);
}

} // namespace

/// A module's TMA tensor maps in device memory by their 128 bytes (the
/// same bytes: the same tensor, shape and box), each copied on the stream
/// of the call that first made it, behind an event that later calls' streams
/// wait for. At most kMaxKept; past that (tensors that move from call to
/// call), maps are copied per call as before.
struct dlc_cuda::TensorMaps {
  static constexpr size_t kMaxKept = 256;
  struct Kept {
    CUdeviceptr device;
    Handle copied; // recorded after the copy
  };
  std::mutex mutex;
  std::map<std::array<unsigned char, 128>, Kept> kept;

  /// The kept copy of `bytes` for the call's stream in `device` (made now
  /// if there is room; 0 if not); false on a driver error (callError).
  bool find(const unsigned char *bytes, CUdeviceptr &device) {
    std::array<unsigned char, 128> key;
    std::memcpy(key.data(), bytes, key.size());
    std::lock_guard<std::mutex> lock(mutex);
    device = 0;
    if (auto it = kept.find(key); it != kept.end()) {
      // (On the stream that copied it too: that stream may be gone and its
      // handle another's.)
      if (!check(driver.cuStreamWaitEvent(callStream, it->second.copied, 0),
                 "waiting for a TMA tensor map's copy"))
        return false;
      device = it->second.device;
      return true;
    }
    if (kept.size() == kMaxKept)
      return true;
    Kept k{0, nullptr};
    if (!check(driver.cuMemAlloc(&k.device, key.size()),
               "allocating a TMA tensor map"))
      return false;
    if (!check(driver.cuMemcpyHtoDAsync(k.device, key.data(), key.size(),
                                        callStream),
               "copying a TMA tensor map to the device") ||
        !check(driver.cuEventCreate(&k.copied, /*DISABLE_TIMING=*/2),
               "creating an event") ||
        !check(driver.cuEventRecord(k.copied, callStream),
               "recording an event")) {
      if (k.copied)
        driver.cuEventDestroy(k.copied);
      driver.cuMemFree(k.device);
      return false;
    }
    kept.emplace(key, k);
    device = k.device;
    return true;
  }
};

dlc_cuda::TensorMaps *dlc_cuda::newTensorMaps() { return new TensorMaps; }

void dlc_cuda::freeTensorMaps(TensorMaps *maps) {
  // (Kernels of its calls may still be reading them: the device finishes
  // first.)
  if (!maps->kept.empty())
    driver.cuCtxSynchronize();
  for (auto &[_, k] : maps->kept) {
    driver.cuEventDestroy(k.copied);
    driver.cuMemFree(k.device);
  }
  delete maps;
}

namespace {

// The GPU runtime calls of the host code (MLIR 22's signatures).
extern "C" {
Handle mgpuModuleLoad(void *data, size_t) {
  Handle module = nullptr;
  check(driver.cuModuleLoadData(&module, data), "loading a kernel module");
  return module;
}
Handle mgpuModuleLoadJIT(void *data, int optLevel) {
  Handle module = nullptr;
  int option = 7; // CU_JIT_OPTIMIZATION_LEVEL
  void *value = reinterpret_cast<void *>(static_cast<intptr_t>(optLevel));
  check(driver.cuModuleLoadDataEx(&module, data, 1, &option, &value),
        "compiling a kernel module from PTX");
  return module;
}
void mgpuModuleUnload(Handle module) {
  {
    std::lock_guard<std::mutex> lock(kernelsMutex);
    for (auto it = kernels.begin(); it != kernels.end();)
      it = it->second.module == module ? kernels.erase(it) : std::next(it);
  }
  driver.cuModuleUnload(module);
}
Handle mgpuModuleGetFunction(Handle module, const char *name) {
  Handle function = nullptr;
  if (check(driver.cuModuleGetFunction(&function, module, name),
            std::string("finding kernel ") + name)) {
    std::lock_guard<std::mutex> lock(kernelsMutex);
    kernels.try_emplace(function, Kernel{name, module});
  }
  return function;
}
void mgpuLaunchKernel(Handle function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, Handle stream,
                      void **params, void **extra, size_t) {
  // After a failure (an allocation, an earlier launch) the call's remaining
  // kernels would run on missing memory and could leave the context
  // unusable (an illegal address is sticky): the call reports the failure.
  if (!callError.empty())
    return;
  // Without a raised limit, a block's static and dynamic shared memory
  // together stay within 48 KiB: a GEMM's 48 KiB of stages next to its
  // mbarriers fail to launch (seen on an H200). The limit is raised once
  // per function and size, whatever the static part.
  if (sharedBytes > 0) {
    std::unique_lock<std::mutex> lock(kernelsMutex);
    int32_t &limit = kernels[function].sharedLimit;
    if (sharedBytes > limit) {
      CUresult raised = driver.cuFuncSetAttribute(
          function, /*CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES=*/8,
          sharedBytes);
      if (raised != 0) {
        check(raised, "giving kernel " + kernels[function].name + " " +
                          std::to_string(sharedBytes) +
                          " bytes of shared memory");
        return;
      }
      limit = sharedBytes;
    }
  }
  // (Profiling: events recorded around the launch on its stream.)
  Handle start = profile.path.empty() ? nullptr : timingEvent();
  Handle end = start ? timingEvent() : nullptr;
  if (end && driver.cuEventRecord(start, stream) != 0)
    end = nullptr;
  CUresult result = driver.cuLaunchKernel(
      function, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes,
      stream, params, extra);
  std::string name;
  if (result != 0 || end) {
    std::lock_guard<std::mutex> lock(kernelsMutex);
    name = kernels[function].name;
  }
  if (result != 0)
    check(result, "launching kernel " + name);
  if (end && result == 0 && driver.cuEventRecord(end, stream) == 0) {
    auto u = [](intptr_t v) { return static_cast<unsigned>(v); };
    timedLaunches.push_back({name,
                             {u(gridX), u(gridY), u(gridZ)},
                             {u(blockX), u(blockY), u(blockZ)},
                             sharedBytes,
                             start,
                             end});
  } else {
    for (Handle event : {start, end})
      if (event)
        spareEvents.push_back(event);
  }
}
Handle mgpuStreamCreate() {
  if (callStream)
    return callStream;
  Handle stream = nullptr;
  check(driver.cuStreamCreate(&stream, /*CU_STREAM_NON_BLOCKING=*/1),
        "creating a stream");
  return stream;
}
void mgpuStreamDestroy(Handle stream) {
  if (stream != callStream)
    driver.cuStreamDestroy(stream);
}
void mgpuStreamSynchronize(Handle stream) {
  check(driver.cuStreamSynchronize(stream),
        "running the call's kernels (stream synchronization)");
}
void mgpuStreamWaitEvent(Handle stream, Handle event) {
  check(driver.cuStreamWaitEvent(stream, event, 0), "waiting for an event");
}
Handle mgpuEventCreate() {
  Handle event = nullptr;
  check(driver.cuEventCreate(&event, /*CU_EVENT_DISABLE_TIMING=*/2),
        "creating an event");
  return event;
}
void mgpuEventDestroy(Handle event) { driver.cuEventDestroy(event); }
void mgpuEventSynchronize(Handle event) {
  check(driver.cuEventSynchronize(event), "waiting for an event");
}
void mgpuEventRecord(Handle event, Handle stream) {
  check(driver.cuEventRecord(event, stream), "recording an event");
}
void *mgpuMemAlloc(uint64_t bytes, Handle stream, bool hostShared) {
  if (bytes == 0)
    return nullptr;
  CUdeviceptr pointer = 0;
  if (hostShared)
    check(driver.cuMemAllocManaged(&pointer, bytes, /*GLOBAL=*/1),
          "allocating " + std::to_string(bytes) + " bytes of managed memory");
  else
    check(allocateOn(&pointer, bytes, stream ? stream : callStream),
          "allocating " + std::to_string(bytes) + " bytes of device memory");
  return reinterpret_cast<void *>(pointer);
}
void mgpuMemFree(void *pointer, Handle stream) {
  if (pointer)
    releaseOn(reinterpret_cast<CUdeviceptr>(pointer),
              stream ? stream : callStream);
}
void mgpuMemcpy(void *dst, void *src, size_t bytes, Handle stream) {
  if (!callError.empty())
    return;
  check(driver.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                             reinterpret_cast<CUdeviceptr>(src), bytes, stream),
        "copying device memory");
}
void mgpuMemset32(void *dst, unsigned value, size_t count, Handle stream) {
  if (!callError.empty())
    return;
  check(driver.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                count, stream),
        "filling device memory");
}
void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  Handle stream) {
  if (!callError.empty())
    return;
  check(driver.cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value,
                                count, stream),
        "filling device memory");
}
void mgpuSetDefaultDevice(int32_t) {} // the runtime opened its one device
/// The device's SMs: the grid of a persistent kernel (dlc-lower-to-wgmma).
int32_t mgpuMultiprocessorCount() { return driver.multiprocessors; }

/// A TMA tensor map (nvgpu.tma.create.descriptor) over the ranked memref
/// `descriptor` (allocated, aligned, offset, sizes, strides): encoded by
/// cuTensorMapEncodeTiled with its dims innermost first, copied to device
/// memory for the kernels to read, freed when the call ends. (Upstream's
/// wrapper ignores the memref's offset and leaks the copy.)
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *descriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims) {
  if (!callError.empty())
    return nullptr;
  // CUtensorMapDataType: uint8, uint16, uint32, int32, uint64, int64, f16,
  // f32, f64, bf16, f32 ftz, tf32, tf32 ftz.
  static const unsigned elementBytes[] = {1, 2, 4, 4, 8, 8, 2,
                                          4, 8, 2, 4, 4, 4};
  if (!driver.cuTensorMapEncodeTiled) {
    callError = "the kernels use TMA tensor maps, which need "
                "cuTensorMapEncodeTiled (CUDA 12 and later); this driver "
                "lacks it";
    return nullptr;
  }
  if (rank < 1 || rank > 5 || dataType < 0 || dataType > 12) {
    callError = "a TMA tensor map of rank " + std::to_string(rank) +
                " and data type " + std::to_string(dataType) +
                " (rank 1 to 5, a CUtensorMapDataType)";
    return nullptr;
  }
  struct Memref {
    char *allocated, *aligned;
    int64_t offset, sizesAndStrides[10];
  };
  const auto *memref = static_cast<const Memref *>(descriptor);
  unsigned bytes = elementBytes[dataType];
  unsigned long long dims[5], strides[5];
  unsigned box[5], elementStrides[5];
  for (int64_t d = 0; d < rank; ++d) {
    dims[d] = memref->sizesAndStrides[rank - 1 - d];
    strides[d] = memref->sizesAndStrides[2 * rank - 1 - d] * bytes;
    box[d] = static_cast<unsigned>(boxDims[rank - 1 - d]);
    elementStrides[d] = 1;
  }
  alignas(64) unsigned char map[128];
  if (!check(driver.cuTensorMapEncodeTiled(
                 map, static_cast<int>(dataType), static_cast<unsigned>(rank),
                 memref->aligned + memref->offset * bytes, dims,
                 strides + 1, box, elementStrides,
                 static_cast<int>(interleave), static_cast<int>(swizzle),
                 static_cast<int>(l2Promotion), static_cast<int>(oobFill)),
             "encoding a TMA tensor map (cuTensorMapEncodeTiled)"))
    return nullptr;
  if (callKeptMaps) {
    CUdeviceptr kept = 0;
    if (!callKeptMaps->find(map, kept))
      return nullptr;
    if (kept)
      return reinterpret_cast<void *>(kept);
  }
  CUdeviceptr copy = 0;
  if (!check(allocateOn(&copy, sizeof map, callStream),
             "allocating a TMA tensor map") ||
      !check(driver.cuMemcpyHtoDAsync(copy, map, sizeof map, callStream),
             "copying a TMA tensor map to the device"))
    return nullptr;
  callTensorMaps.push_back(copy);
  return reinterpret_cast<void *>(copy);
}
}

struct Hook {
  const char *name;
  void *function;
};

const Hook hooks[] = {
#define DLC_HOOK(name) {#name, reinterpret_cast<void *>(&name)}
    DLC_HOOK(mgpuModuleLoad),        DLC_HOOK(mgpuModuleLoadJIT),
    DLC_HOOK(mgpuModuleUnload),      DLC_HOOK(mgpuModuleGetFunction),
    DLC_HOOK(mgpuLaunchKernel),      DLC_HOOK(mgpuStreamCreate),
    DLC_HOOK(mgpuStreamDestroy),     DLC_HOOK(mgpuStreamSynchronize),
    DLC_HOOK(mgpuStreamWaitEvent),   DLC_HOOK(mgpuEventCreate),
    DLC_HOOK(mgpuEventDestroy),      DLC_HOOK(mgpuEventSynchronize),
    DLC_HOOK(mgpuEventRecord),       DLC_HOOK(mgpuMemAlloc),
    DLC_HOOK(mgpuMemFree),           DLC_HOOK(mgpuMemcpy),
    DLC_HOOK(mgpuMemset32),          DLC_HOOK(mgpuMemset16),
    DLC_HOOK(mgpuSetDefaultDevice),  DLC_HOOK(mgpuTensorMapEncodeTiledMemref),
    DLC_HOOK(mgpuMultiprocessorCount),
#undef DLC_HOOK
};

} // namespace

std::string dlc_cuda::initialize() {
  std::call_once(initOnce, load);
  return initError;
}

int dlc_cuda::deviceOrdinal() { return driver.ordinal; }

int dlc_cuda::computeCapability() { return driver.computeCapability; }

const char *dlc_cuda::deviceName() { return driver.name; }

std::string dlc_cuda::installHooks(void *handle) {
  // The artifact lists its hooks (dlc_gpu_hook_names: NUL-separated, an
  // empty name last); each must be one this runtime provides.
  const char *names =
      static_cast<const char *>(dlsym(handle, "dlc_gpu_hook_names"));
  if (!names)
    return "CUDA artifact without dlc_gpu_hook_names";
  for (const char *name = names; *name; name += std::strlen(name) + 1) {
    const Hook *found = nullptr;
    for (const Hook &hook : hooks)
      if (std::strcmp(hook.name, name) == 0)
        found = &hook;
    auto **slot = static_cast<void **>(
        dlsym(handle, (std::string("dlc_gpu_hook_") + name).c_str()));
    if (!found || !slot)
      return std::string("the artifact calls the GPU runtime function ") +
             name + ", which this runtime does not provide (a newer dlc?)";
    *slot = found->function;
  }
  return "";
}

dlc_cuda::Scope::Scope() { driver.cuCtxPushCurrent(driver.context); }
dlc_cuda::Scope::~Scope() {
  Handle previous;
  driver.cuCtxPopCurrent(&previous);
}

std::string dlc_cuda::beginCall(void *stream, const std::string &entry,
                                TensorMaps *maps) {
  callEntry = entry;
  callKeptMaps = maps;
  if (!stream && !threadStream &&
      !check(driver.cuStreamCreate(&threadStream, /*NON_BLOCKING=*/1),
             "creating a stream"))
    return takeError();
  callStream = stream ? stream : threadStream;
  return "";
}

void dlc_cuda::endCall() {
  // (Stream-ordered: after the call's kernels that read them.)
  for (CUdeviceptr map : callTensorMaps)
    releaseOn(map, callStream);
  callTensorMaps.clear();
  collectTimes();
  callStream = nullptr;
  callKeptMaps = nullptr;
}

std::string dlc_cuda::allocate(void **pointer, size_t bytes) {
  *pointer = nullptr;
  if (bytes == 0)
    return "";
  CUdeviceptr device = 0;
  CUresult result = allocateOn(&device, bytes, callStream);
  *pointer = reinterpret_cast<void *>(device);
  return result ? "allocating " + std::to_string(bytes) +
                      " bytes of device memory failed (" + describe(result) +
                      ")"
                : "";
}

void dlc_cuda::release(void *pointer) {
  if (pointer)
    releaseOn(reinterpret_cast<CUdeviceptr>(pointer), callStream);
}

std::string dlc_cuda::allocateResident(void **pointer, size_t bytes) {
  *pointer = nullptr;
  CUdeviceptr device = 0;
  CUresult result = bytes ? driver.cuMemAlloc(&device, bytes) : 0;
  *pointer = reinterpret_cast<void *>(device);
  return result ? "allocating " + std::to_string(bytes) +
                      " bytes of device memory failed (" + describe(result) +
                      ")"
                : "";
}

std::string dlc_cuda::releaseResident(void *pointer) {
  CUresult result =
      pointer ? driver.cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)) : 0;
  return result ? "freeing device memory failed (" + describe(result) + ")"
                : "";
}

std::string dlc_cuda::copy(void *dst, const void *src, size_t bytes) {
  // Unified addressing: the driver tells host from device pointers. In a
  // call, ordered on its stream; otherwise done before returning: cuMemcpy
  // alone may return before a copy from pageable memory reaches the device
  // (and does not wait for a device-to-device copy), and the call streams
  // are non-blocking, so they would not wait for it.
  auto d = reinterpret_cast<CUdeviceptr>(dst);
  auto s = reinterpret_cast<CUdeviceptr>(src);
  CUresult result = 0;
  if (bytes && callStream)
    result = driver.cuMemcpyAsync(d, s, bytes, callStream);
  else if (bytes) {
    result = driver.cuMemcpy(d, s, bytes);
    if (result == 0)
      result = driver.cuStreamSynchronize(nullptr);
  }
  return result ? "copying " + std::to_string(bytes) + " bytes failed (" +
                      describe(result) + ")"
                : "";
}

// Staging copies are ordered on the call's stream, before and after its
// kernels (a copy on the legacy stream would not be ordered with them).
std::string dlc_cuda::copyToDevice(void *device, const void *host,
                                   size_t bytes) {
  CUresult result =
      bytes ? driver.cuMemcpyHtoDAsync(reinterpret_cast<CUdeviceptr>(device),
                                       host, bytes, callStream)
            : 0;
  return result ? "copying an input to the device failed (" +
                      describe(result) + ")"
                : "";
}

std::string dlc_cuda::copyToHost(void *host, const void *device,
                                 size_t bytes) {
  CUresult result = bytes ? driver.cuMemcpyDtoHAsync(
                                host, reinterpret_cast<CUdeviceptr>(device),
                                bytes, callStream)
                          : 0;
  if (result == 0 && bytes)
    result = driver.cuStreamSynchronize(callStream);
  return result ? "copying an output from the device failed (" +
                      describe(result) + ")"
                : "";
}

std::string dlc_cuda::takeError() {
  std::string error = std::move(callError);
  callError.clear();
  return error;
}
