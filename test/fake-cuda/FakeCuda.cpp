//===- FakeCuda.cpp - a libcuda.so.1 that checks how it is used -----------===//
//
// A stand-in for the NVIDIA driver, for machines without a GPU: the runtime
// opens it as libcuda.so.1 (through LD_LIBRARY_PATH) and every call the
// runtime and the artifacts' host code make goes through the driver API as
// on a GPU. Kernels do not run; everything around them is checked:
//
//  - modules: fatbins (the cubin in them), cubins or PTX; kernel names, their
//    parameters, registers and static shared memory are read from the
//    cubin's .nv.info sections (or the PTX's .entry lists);
//  - launches: a current context, a live stream, grid and block limits,
//    registers x threads <= 64K, shared memory (> 48 KiB needs the
//    function's attribute raised first, <= 227 KiB), every pointer
//    parameter 0 or inside live device memory;
//  - memory: device memory is mapped PROT_NONE at the address handed out
//    (the host touching it faults, as on a GPU) and reached here through a
//    second mapping; copies and fills must stay inside allocations, in the
//    direction their name says; frees must be of live allocations;
//  - ordering: work is modelled as in flight per stream until the stream
//    is synchronized. Touching device memory from one stream while another
//    stream's work on it is unsynchronized is a race and an error (the
//    legacy stream does not synchronize with non-blocking streams; a
//    synchronous cuMemcpyHtoD from pageable memory may return before its
//    DMA is done; a device-to-device cuMemcpy does not wait at all).
//
// A check that fails returns CUDA_ERROR_UNKNOWN from the call, with the
// reason as cuGetErrorString's text, and prints it to stderr. Environment:
//   DLC_FAKE_CUDA_LOG=FILE   a summary at exit (counts, leaks, errors)
//   DLC_FAKE_CUDA_FAIL=WHAT  injected failures, comma-separated: init,
//                            load, launch=N, alloc=N (the Nth, from 1)
//   DLC_FAKE_CUDA_MEMORY=N   device memory in bytes (out of memory beyond)
//   DLC_FAKE_CUDA_DEVICES=N  devices (1 by default, at most 8); the log
//                            names the device whose context was used
//   DLC_FAKE_CUDA_PROFILE=FILE  each launch and its occupancy on sm_90
//   DLC_FAKE_CUDA_TRACE=1    each call that works, to stderr
//   DLC_FAKE_CUDA_SMS=N      the SM count (132, an H100's, by default)
//   DLC_FAKE_CUDA_CC=X.Y     the compute capability (9.0, an H100's, by
//                            default)
// Built twice: with stream-ordered allocation (CUDA 11.2+) and without
// (FAKE_CUDA_NO_POOLS), to run the runtime's fallback.
//
//===----------------------------------------------------------------------===//

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

enum : CUresult {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kNotInitialized = 3,
  kNoDevice = 100,
  kInvalidImage = 200,
  kInvalidContext = 201,
  kNoBinaryForGpu = 209,
  kInvalidHandle = 400,
  kNotFound = 500,
  kLaunchOutOfResources = 701,
  kUnknown = 999,
};

struct Stream;

struct Allocation {
  char *device = nullptr; // the address handed out (PROT_NONE unless managed)
  char *view = nullptr;   // where this library reads and writes it
  size_t bytes = 0, mapped = 0;
  bool managed = false;
  // The stream whose work on it is in flight (null: none): another stream
  // touching it before that stream is synchronized races with it.
  Stream *pending = nullptr;
  std::string pendingWhat;
};

struct Stream {
  bool legacy = false;
  // The stream's clock, in microseconds (cuEventElapsedTime): each launch
  // advances it by 1 + one per wave of 132 blocks, a stand-in for time.
  unsigned long long clock = 0;
};

struct Kernel {
  struct Param {
    unsigned size;
    bool pointer;
  };
  std::vector<Param> params;
  unsigned registers = 0;    // 0: unknown (PTX)
  unsigned staticShared = 0; // bytes
  // Until cuFuncSetAttribute raises it, a block's static and dynamic
  // shared memory together stay within 48 KiB, as on the hardware.
  int maxDynamicShared = -1;
  std::string name;
};

struct Module {
  std::map<std::string, Kernel> kernels;
};

struct Event {
  Stream *stream = nullptr;
  unsigned flags = 0;
  unsigned long long clock = 0; // the stream's, when recorded
};

std::mutex mutex;
bool initialized = false;
// Devices (DLC_FAKE_CUDA_DEVICES, 1 by default); a device's primary
// context is the address of its entry here.
constexpr int kMaxDevices = 8;
int deviceCount = 1;
int primaryContexts[kMaxDevices];
int contextDevice = -1; // the device whose context was last made current
Stream legacyStream{true};
std::set<Stream *> streams;
std::set<Event *> events;
std::set<Module *> modules;
std::map<Kernel *, Module *> functions;
std::map<uintptr_t, Allocation> allocations; // by device address
thread_local std::vector<void *> contextStack;
thread_local std::string lastError;

// Counters for the log.
unsigned long long launches, moduleLoads, allocationCount, peakBytes,
    liveBytes, errorCount;
std::set<const Kernel *> kernelsLaunched;
// Each launch, for DLC_FAKE_CUDA_PROFILE.
struct Launch {
  std::string kernel;
  unsigned grid[3], block[3], registers, staticShared, dynamicShared;
};
std::vector<Launch> launchRecords;
std::vector<std::string> errors;

// Injected failures.
bool failInit, failLoad;
long failLaunch = -1, failAlloc = -1;
unsigned long long memoryLimit = ~0ull;

/// Fails the current call: the reason becomes cuGetErrorString's text.
CUresult fail(const char *format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  lastError = std::string("fake libcuda: ") + buffer;
  fprintf(stderr, "%s\n", lastError.c_str());
  ++errorCount;
  if (errors.size() < 20)
    errors.push_back(lastError);
  return kUnknown;
}

bool tracing = getenv("DLC_FAKE_CUDA_TRACE") != nullptr;

/// With DLC_FAKE_CUDA_TRACE set: each call that works, to stderr.
void trace(const char *format, ...) {
  if (!tracing)
    return;
  va_list args;
  va_start(args, format);
  fprintf(stderr, "fake libcuda: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
}

Stream *streamOf(void *handle) {
  // 0 and CU_STREAM_LEGACY (1) are the legacy stream.
  if (handle == nullptr || handle == reinterpret_cast<void *>(1))
    return &legacyStream;
  auto *stream = static_cast<Stream *>(handle);
  return streams.count(stream) ? stream : nullptr;
}

const char *streamName(Stream *s) {
  return s->legacy ? "the legacy stream" : "a non-blocking stream";
}

/// The allocation holding [p, p + bytes), if any.
Allocation *find(const void *pointer, size_t bytes = 1) {
  auto p = reinterpret_cast<uintptr_t>(pointer);
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin())
    return nullptr;
  --it;
  Allocation &a = it->second;
  if (p < it->first || p + bytes > it->first + a.bytes)
    return nullptr;
  return &a;
}

/// Whether `p` points into any live allocation (to tell device from host).
bool isDevice(const void *p) {
  auto addr = reinterpret_cast<uintptr_t>(p);
  auto it = allocations.upper_bound(addr);
  if (it == allocations.begin())
    return false;
  --it;
  return addr < it->first + std::max<size_t>(it->second.mapped, 1);
}

/// `what` on `stream` touches `a`: an error if another stream's work on it
/// is in flight; then `stream`'s work is.
CUresult touch(Allocation &a, Stream *stream, const std::string &what) {
  if (a.pending && a.pending != stream)
    return fail("%s on %s uses device memory at %p (%zu bytes) while %s on "
                "%s is in flight (no synchronization between the streams)",
                what.c_str(), streamName(stream),
                static_cast<void *>(a.device), a.bytes, a.pendingWhat.c_str(),
                streamName(a.pending));
  a.pending = stream;
  a.pendingWhat = what;
  return kSuccess;
}

void synchronize(Stream *stream) {
  trace("synchronize %s", streamName(stream));
  for (auto &[_, a] : allocations)
    if (a.pending == stream)
      a.pending = nullptr;
}

void synchronizeAll() {
  for (auto &[_, a] : allocations)
    a.pending = nullptr;
}

bool hasContext() { return !contextStack.empty() && contextStack.back(); }

#define FAKE_NEEDS_CONTEXT()                                                   \
  std::lock_guard<std::mutex> lock(mutex);                                     \
  if (!initialized)                                                            \
    return kNotInitialized;                                                    \
  if (!hasContext())                                                           \
    return kInvalidContext;

CUresult allocate(CUdeviceptr *out, size_t bytes, bool managed,
                  Stream *stream, const char *what) {
  ++allocationCount;
  if (failAlloc > 0 && static_cast<long>(allocationCount) == failAlloc)
    return kOutOfMemory;
  if (bytes == 0)
    return kInvalidValue;
  if (liveBytes + bytes > memoryLimit)
    return kOutOfMemory;
  long page = sysconf(_SC_PAGESIZE);
  size_t mapped = (bytes + page - 1) / page * page;
  Allocation a;
  a.bytes = bytes;
  a.mapped = mapped;
  a.managed = managed;
  if (managed) {
    void *p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      return kOutOfMemory;
    a.device = a.view = static_cast<char *>(p);
  } else {
    // Two mappings of one memory file: the device address faults on host
    // access; the view is this library's.
    int fd = memfd_create("fake-cuda", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, mapped) != 0) {
      if (fd >= 0)
        close(fd);
      return kOutOfMemory;
    }
    void *d = mmap(nullptr, mapped, PROT_NONE, MAP_SHARED, fd, 0);
    void *v = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (d == MAP_FAILED || v == MAP_FAILED)
      return kOutOfMemory;
    a.device = static_cast<char *>(d);
    a.view = static_cast<char *>(v);
  }
  // Fresh device memory is not zero on a GPU: make reading it before
  // writing visible in results.
  memset(a.view, 0xA5, mapped);
  if (stream) {
    a.pending = stream;
    a.pendingWhat = what;
  }
  liveBytes += bytes;
  peakBytes = std::max(peakBytes, liveBytes);
  *out = reinterpret_cast<CUdeviceptr>(a.device);
  trace("allocate %zu bytes at %p%s", bytes, a.device, stream ? " (async)" : "");
  allocations[reinterpret_cast<uintptr_t>(a.device)] = a;
  return kSuccess;
}

CUresult release(CUdeviceptr pointer, Stream *stream) {
  auto it = allocations.find(static_cast<uintptr_t>(pointer));
  if (it == allocations.end())
    return fail("freeing %p, which is not the start of live device memory "
                "(freed twice, or never allocated)",
                reinterpret_cast<void *>(pointer));
  Allocation &a = it->second;
  if (stream) {
    if (CUresult r = touch(a, stream, "cuMemFreeAsync"))
      return r;
  } else {
    synchronizeAll(); // cuMemFree waits for the device
  }
  if (a.view != a.device)
    munmap(a.view, a.mapped);
  munmap(a.device, a.mapped);
  liveBytes -= a.bytes;
  trace("free %p%s", a.device, stream ? " (async)" : "");
  allocations.erase(it);
  return kSuccess;
}

/// Where [p, p + bytes) is for a copy: device memory (its allocation) or
/// host memory (null); an error for a range that starts in device memory
/// and leaves its allocation.
CUresult locate(const void *p, size_t bytes, const char *role,
                const char *what, Allocation **out) {
  *out = nullptr;
  if (!isDevice(p))
    return kSuccess;
  *out = find(p, bytes);
  if (!*out)
    return fail("%s: the %s range %p + %zu bytes leaves its device "
                "allocation",
                what, role, p, bytes);
  return kSuccess;
}

char *hostView(Allocation *a, const void *p) {
  return a ? a->view + (static_cast<const char *>(p) - a->device)
           : static_cast<char *>(const_cast<void *>(p));
}

/// A copy of `bytes` from `src` to `dst`. `direction`: 'H' host to device,
/// 'D' device to host, 'U' either (unified addressing). `stream`: the
/// stream it is ordered on; `sync`: the API returns once it is done.
CUresult copy(void *dst, const void *src, size_t bytes, char direction,
              Stream *stream, bool sync, const char *what) {
  Allocation *d, *s;
  if (CUresult r = locate(dst, bytes, "destination", what, &d))
    return r;
  if (CUresult r = locate(src, bytes, "source", what, &s))
    return r;
  if (direction == 'H' && (!d || s))
    return fail("%s: %s", what,
                !d ? "the destination is not device memory"
                   : "the source is device memory");
  if (direction == 'D' && (d || !s))
    return fail("%s: %s", what,
                d ? "the destination is device memory"
                  : "the source is not device memory");
  if (sync && stream->legacy)
    synchronize(stream); // synchronous copies wait for the legacy stream
  if (d && !d->managed)
    if (CUresult r = touch(*d, stream, what))
      return r;
  if (s && s != d && !s->managed)
    if (CUresult r = touch(*s, stream, what))
      return r;
  if (bytes)
    memmove(hostView(d, dst), hostView(s, src), bytes);
  trace("%s %p <- %p, %zu bytes, on %s", what, dst, src, bytes,
        streamName(stream));
  // Done when the call returns: device-to-host copies. A synchronous copy
  // from pageable host memory may return before its DMA is done; a
  // device-to-device cuMemcpy returns at once.
  if (sync && !d && s)
    s->pending = nullptr;
  return kSuccess;
}

CUresult fill(CUdeviceptr dst, unsigned value, size_t count, unsigned width,
              void *handle, const char *what) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  Allocation *a = find(reinterpret_cast<void *>(dst), count * width);
  if (!a)
    return fail("%s: %p + %zu bytes is not inside device memory", what,
                reinterpret_cast<void *>(dst), count * width);
  if (CUresult r = touch(*a, stream, what))
    return r;
  char *p = hostView(a, reinterpret_cast<void *>(dst));
  for (size_t i = 0; i < count; ++i)
    memcpy(p + i * width, &value, width); // little-endian: the low bytes
  return kSuccess;
}

// --- module images ----------------------------------------------------------

template <typename T> T read(const std::string &b, size_t at) {
  T value{};
  if (at + sizeof(T) <= b.size())
    memcpy(&value, b.data() + at, sizeof(T));
  return value;
}

/// Kernels of a cubin (ELF): the .text.<name> sections, their parameters
/// (EIATTR_KPARAM_INFO in .nv.info.<name>), registers (EIATTR_REGCOUNT in
/// .nv.info) and static shared memory (.nv.shared.<name>).
bool parseCubin(const std::string &elf, Module &module, std::string &why) {
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2 ||
      read<uint16_t>(elf, 18) != 190 /*EM_CUDA*/) {
    why = "not a 64-bit CUDA ELF";
    return false;
  }
  auto shoff = read<uint64_t>(elf, 0x28);
  auto shentsize = read<uint16_t>(elf, 0x3a), shnum = read<uint16_t>(elf, 0x3c),
       shstrndx = read<uint16_t>(elf, 0x3e);
  struct Section {
    std::string name;
    uint32_t type, link, info;
    uint64_t offset, size;
  };
  std::vector<Section> sections(shnum);
  for (unsigned i = 0; i < shnum; ++i) {
    size_t at = shoff + i * shentsize;
    sections[i] = {"", read<uint32_t>(elf, at + 4), read<uint32_t>(elf, at + 40),
                   read<uint32_t>(elf, at + 44), read<uint64_t>(elf, at + 24),
                   read<uint64_t>(elf, at + 32)};
  }
  if (shstrndx >= shnum) {
    why = "no section names";
    return false;
  }
  for (unsigned i = 0; i < shnum; ++i) {
    size_t at = sections[shstrndx].offset + read<uint32_t>(elf, shoff + i * shentsize);
    if (at < elf.size())
      sections[i].name = elf.c_str() + at;
  }
  auto symbolName = [&](unsigned symtab, unsigned index) -> std::string {
    const Section &s = sections[symtab];
    size_t at = s.offset + index * 24;
    size_t name = sections[s.link].offset + read<uint32_t>(elf, at);
    return name < elf.size() ? elf.c_str() + name : "";
  };
  // .nv.info attributes: {u8 format, u8 attribute, payload}; format 4 has a
  // u16 length, 3 a u16 value, 2 a u8, 1 nothing.
  auto forEachAttribute = [&](const Section &s, auto &&callback) {
    for (uint64_t p = s.offset; p + 2 <= s.offset + s.size;) {
      uint8_t format = elf[p], attribute = elf[p + 1];
      uint64_t length = format == 4 ? read<uint16_t>(elf, p + 2)
                        : format == 3 ? 2
                        : format == 2 ? 1
                                      : 0;
      uint64_t payload = p + (format == 4 ? 4 : 2);
      callback(attribute, payload, length);
      p = payload + length;
    }
  };
  for (const Section &s : sections)
    if (s.name.rfind(".text.", 0) == 0)
      module.kernels[s.name.substr(6)].name = s.name.substr(6);
  for (const Section &s : sections) {
    if (s.name == ".nv.info")
      forEachAttribute(s, [&](uint8_t attribute, uint64_t at, uint64_t) {
        if (attribute == 0x2f) { // EIATTR_REGCOUNT: symbol, registers
          std::string name = symbolName(s.link, read<uint32_t>(elf, at));
          if (module.kernels.count(name))
            module.kernels[name].registers = read<uint32_t>(elf, at + 4);
        }
      });
    if (s.name.rfind(".nv.info.", 0) == 0 && module.kernels.count(s.name.substr(9))) {
      Kernel &k = module.kernels[s.name.substr(9)];
      forEachAttribute(s, [&](uint8_t attribute, uint64_t at, uint64_t) {
        if (attribute != 0x17) // EIATTR_KPARAM_INFO
          return;
        unsigned ordinal = read<uint16_t>(elf, at + 4);
        uint32_t flags = read<uint32_t>(elf, at + 8);
        if (k.params.size() <= ordinal)
          k.params.resize(ordinal + 1);
        // Bits 18..31: the size; bit 10 marks a pointer (as ptxas writes
        // it for .ptr parameters).
        k.params[ordinal] = {flags >> 18, (flags & 0x400) != 0};
      });
    }
    // (On sm_80 and later the section also holds the 1 KiB the system
    // reserves in every block, which ptxas -v does not count.)
    if (s.name.rfind(".nv.shared.", 0) == 0 && module.kernels.count(s.name.substr(11)))
      module.kernels[s.name.substr(11)].staticShared =
          s.size >= 1024 ? s.size - 1024 : s.size;
  }
  if (module.kernels.empty()) {
    why = "a cubin without kernels";
    return false;
  }
  return true;
}

/// Kernels of PTX text: `.entry name(.param .u64 .ptr ..., ...)`.
bool parsePtx(const std::string &ptx, Module &module, std::string &why) {
  for (size_t at = ptx.find(".entry "); at != std::string::npos;
       at = ptx.find(".entry ", at + 1)) {
    size_t open = ptx.find('(', at), close = ptx.find(')', at);
    if (open == std::string::npos || close == std::string::npos) {
      why = "a PTX .entry without its parameter list";
      return false;
    }
    std::string name = ptx.substr(at + 7, open - at - 7);
    name.erase(name.find_last_not_of(" \t\n") + 1);
    Kernel &k = module.kernels[name];
    k.name = name;
    std::string list = ptx.substr(open + 1, close - open - 1);
    for (size_t p = list.find(".param"); p != std::string::npos;
         p = list.find(".param", p + 1)) {
      size_t end = list.find(',', p);
      std::string decl = list.substr(p, end == std::string::npos ? end : end - p);
      unsigned size = decl.find("64") != std::string::npos   ? 8
                      : decl.find("32") != std::string::npos ? 4
                      : decl.find("16") != std::string::npos ? 2
                                                             : 1;
      if (size_t bracket = decl.find('['); bracket != std::string::npos)
        size = std::atoi(decl.c_str() + bracket + 1);
      k.params.push_back({size, decl.find(".ptr") != std::string::npos});
    }
  }
  if (module.kernels.empty()) {
    why = "PTX without .entry";
    return false;
  }
  // The driver's compiler links nothing: a function declared but not
  // defined (a libdevice __nv_expf) fails the load.
  for (size_t at = ptx.find(".extern .func"); at != std::string::npos;
       at = ptx.find(".extern .func", at + 1)) {
    size_t end = ptx.find_first_of("(;", ptx.find(')', at) + 1);
    std::string name = ptx.substr(ptx.find(')', at) + 1, end - ptx.find(')', at) - 1);
    name.erase(0, name.find_first_not_of(" \t\n"));
    name.erase(name.find_last_not_of(" \t\n") + 1);
    why = "PTX calls " + name + ", which it does not define (unresolved extern "
          "function)";
    return false;
  }
  return true;
}

/// A fatbin's first cubin; PTX in fatbins is compressed, so a fatbin must
/// hold a cubin (dlc's do: the chip's cubin and its PTX).
bool parseImage(const void *data, Module &module, std::string &why) {
  const auto *bytes = static_cast<const char *>(data);
  uint32_t magic;
  memcpy(&magic, bytes, 4);
  if (magic == 0xBA55ED50) {
    uint16_t headerSize;
    uint64_t fatSize;
    memcpy(&headerSize, bytes + 6, 2);
    memcpy(&fatSize, bytes + 8, 8);
    std::string fat(bytes, headerSize + fatSize);
    for (uint64_t p = headerSize; p + 16 <= fat.size();) {
      auto kind = read<uint16_t>(fat, p);
      auto entryHeader = read<uint32_t>(fat, p + 4);
      auto payload = read<uint64_t>(fat, p + 8);
      if (kind == 2 /*ELF*/)
        return parseCubin(fat.substr(p + entryHeader, payload), module, why);
      p += entryHeader + payload;
    }
    why = "a fatbin without a cubin";
    return false;
  }
  if (magic == 0x464c457f) { // "\x7fELF": its size is in its header
    uint64_t shoff;
    uint16_t shentsize, shnum;
    memcpy(&shoff, bytes + 0x28, 8);
    memcpy(&shentsize, bytes + 0x3a, 2);
    memcpy(&shnum, bytes + 0x3c, 2);
    return parseCubin(std::string(bytes, shoff + shentsize * shnum), module, why);
  }
  std::string text(bytes, strnlen(bytes, 64 << 20));
  if (text.find(".version") == std::string::npos) {
    why = "neither a fatbin, a cubin nor PTX";
    return false;
  }
  return parsePtx(text, module, why);
}

void parseEnvironment() {
  if (const char *fail = getenv("DLC_FAKE_CUDA_FAIL")) {
    std::string list = fail;
    failInit = list.find("init") != std::string::npos;
    failLoad = list.find("load") != std::string::npos;
    if (size_t p = list.find("launch="); p != std::string::npos)
      failLaunch = atol(list.c_str() + p + 7);
    if (size_t p = list.find("alloc="); p != std::string::npos)
      failAlloc = atol(list.c_str() + p + 6);
  }
  if (const char *limit = getenv("DLC_FAKE_CUDA_MEMORY"))
    memoryLimit = strtoull(limit, nullptr, 10);
  if (const char *count = getenv("DLC_FAKE_CUDA_DEVICES"))
    deviceCount = std::min(std::max(atoi(count), 1), kMaxDevices);
}

/// Registers a block of `threads` takes: whole warps, each in units of 256
/// (sm_50 and later).
unsigned long long blockRegisters(unsigned registers,
                                  unsigned long long threads) {
  return (threads + 31) / 32 * ((registers * 32ull + 255) / 256 * 256);
}

void writeLog() {
  const char *path = getenv("DLC_FAKE_CUDA_LOG");
  if (!path)
    return;
  FILE *log = fopen(path, "a");
  if (!log)
    return;
  size_t leaked = 0;
  for (auto &[_, a] : allocations)
    leaked += a.bytes;
  fprintf(log,
          "fake libcuda: modules loaded %llu, kernel launches %llu (%zu "
          "kernels), allocations %llu, peak device memory %llu bytes, live at "
          "exit %zu allocations (%zu bytes), errors %llu, device %d\n",
          moduleLoads, launches, kernelsLaunched.size(), allocationCount,
          peakBytes, allocations.size(), leaked, errorCount, contextDevice);
  for (const std::string &e : errors)
    fprintf(log, "%s\n", e.c_str());
  fclose(log);
}

/// DLC_FAKE_CUDA_PROFILE=FILE: per launch, its grid and block, and the
/// occupancy an H100/H200 (sm_90: 132 SMs, 64K registers, 2048 threads, 32
/// blocks and 228 KiB of shared memory an SM, 1 KiB of it reserved per
/// block; registers allocated per warp in units of 256) would give it:
/// blocks an SM, warps an SM, and waves (blocks over blocks per SM x SMs).
void writeProfile() {
  const char *path = getenv("DLC_FAKE_CUDA_PROFILE");
  if (!path)
    return;
  FILE *out = fopen(path, "a");
  if (!out)
    return;
  fprintf(out, "# kernel grid block registers shared-bytes blocks/SM "
               "warps/SM waves\n");
  for (const Launch &l : launchRecords) {
    unsigned long long blocks = 1ull * l.grid[0] * l.grid[1] * l.grid[2];
    unsigned threads = l.block[0] * l.block[1] * l.block[2];
    unsigned warps = (threads + 31) / 32;
    unsigned perSM = std::min(32u, 2048 / (warps * 32));
    if (l.registers)
      perSM = std::min<unsigned long long>(
          perSM, 65536 / blockRegisters(l.registers, threads));
    unsigned shared = l.staticShared + l.dynamicShared;
    perSM = std::min(perSM, (228u << 10) / (shared + 1024)); // + the reserve
    double waves = perSM ? double(blocks) / (perSM * 132.0) : 0;
    fprintf(out, "%s %ux%ux%u %ux%ux%u %u %u %u %u %.2f\n", l.kernel.c_str(),
            l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1],
            l.block[2], l.registers, shared, perSM, perSM * warps, waves);
  }
  fclose(out);
}

// Written when the library's globals above are still alive (destroyed in
// reverse order of construction).
struct LogAtExit {
  ~LogAtExit() {
    writeLog();
    writeProfile();
  }
} logAtExit;

} // namespace

// --- the driver API (the subset dlc's runtime and conftest use) -------------

extern "C" {

CUresult cuInit(unsigned flags) {
  std::lock_guard<std::mutex> lock(mutex);
  parseEnvironment();
  if (flags != 0)
    return kInvalidValue;
  if (failInit)
    return kNoDevice;
  initialized = true;
  return kSuccess;
}

CUresult cuDeviceGetCount(int *count) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!initialized)
    return kNotInitialized;
  *count = deviceCount;
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!initialized)
    return kNotInitialized;
  if (ordinal < 0 || ordinal >= deviceCount)
    return kInvalidValue; // CUDA_ERROR_INVALID_DEVICE (101) in the real one
  *device = ordinal;
  return kSuccess;
}

/// CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT (16) only: an H100's 132, or
/// DLC_FAKE_CUDA_SMS.
CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!initialized)
    return kNotInitialized;
  // The SM count (16) and the compute capability (75, 76).
  if (device < 0 || device >= deviceCount ||
      (attribute != 16 && attribute != 75 && attribute != 76))
    return fail("cuDeviceGetAttribute: attribute %d of device %d (the fake "
                "knows the SM count, 16, and the compute capability, 75 and "
                "76)",
                attribute, device);
  if (attribute == 16) {
    const char *sms = getenv("DLC_FAKE_CUDA_SMS");
    *value = sms && *sms ? atoi(sms) : 132;
    return kSuccess;
  }
  const char *cc = getenv("DLC_FAKE_CUDA_CC");
  int major = 9, minor = 0;
  if (cc && *cc && sscanf(cc, "%d.%d", &major, &minor) != 2)
    return fail("DLC_FAKE_CUDA_CC=%s: expected MAJOR.MINOR", cc);
  *value = attribute == 75 ? major : minor;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int device) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!initialized)
    return kNotInitialized;
  if (device < 0 || device >= deviceCount || length <= 0)
    return kInvalidValue;
  snprintf(name, length, "dlc stand-in GPU %d", device);
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  std::lock_guard<std::mutex> lock(mutex);
  if (!initialized)
    return kNotInitialized;
  if (device < 0 || device >= deviceCount)
    return kInvalidValue;
  *context = &primaryContexts[device];
  return kSuccess;
}

CUresult cuCtxPushCurrent_v2(void *context) {
  auto *entry = static_cast<int *>(context);
  if (entry < primaryContexts || entry >= primaryContexts + deviceCount)
    return kInvalidContext;
  {
    std::lock_guard<std::mutex> lock(mutex);
    contextDevice = static_cast<int>(entry - primaryContexts);
  }
  contextStack.push_back(context);
  return kSuccess;
}

CUresult cuCtxPopCurrent_v2(void **context) {
  if (contextStack.empty())
    return kInvalidContext;
  if (context)
    *context = contextStack.back();
  contextStack.pop_back();
  return kSuccess;
}

CUresult cuCtxSynchronize() {
  FAKE_NEEDS_CONTEXT();
  synchronizeAll();
  return kSuccess;
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
#define FAKE_NAME(code, text)                                                  \
  case code:                                                                   \
    *name = text;                                                              \
    return kSuccess;
    FAKE_NAME(kSuccess, "CUDA_SUCCESS")
    FAKE_NAME(kInvalidValue, "CUDA_ERROR_INVALID_VALUE")
    FAKE_NAME(kOutOfMemory, "CUDA_ERROR_OUT_OF_MEMORY")
    FAKE_NAME(kNotInitialized, "CUDA_ERROR_NOT_INITIALIZED")
    FAKE_NAME(kNoDevice, "CUDA_ERROR_NO_DEVICE")
    FAKE_NAME(kInvalidImage, "CUDA_ERROR_INVALID_IMAGE")
    FAKE_NAME(kInvalidContext, "CUDA_ERROR_INVALID_CONTEXT")
    FAKE_NAME(kNoBinaryForGpu, "CUDA_ERROR_NO_BINARY_FOR_GPU")
    FAKE_NAME(kInvalidHandle, "CUDA_ERROR_INVALID_HANDLE")
    FAKE_NAME(kNotFound, "CUDA_ERROR_NOT_FOUND")
    FAKE_NAME(kLaunchOutOfResources, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES")
    FAKE_NAME(kUnknown, "CUDA_ERROR_UNKNOWN")
#undef FAKE_NAME
  }
  *name = nullptr;
  return kInvalidValue;
}

CUresult cuGetErrorString(CUresult error, const char **text) {
  // The texts of the real driver, except the checks' own reasons.
  switch (error) {
  case kOutOfMemory:
    *text = "out of memory";
    return kSuccess;
  case kNoDevice:
    *text = "no CUDA-capable device is detected";
    return kSuccess;
  case kNoBinaryForGpu:
    *text = "no kernel image is available for execution on the device";
    return kSuccess;
  case kLaunchOutOfResources:
    *text = "too many resources requested for launch";
    return kSuccess;
  case kInvalidContext:
    *text = "invalid device context";
    return kSuccess;
  case kUnknown:
    *text = lastError.empty() ? "unknown error" : lastError.c_str();
    return kSuccess;
  }
  return cuGetErrorName(error, text);
}

CUresult cuModuleLoadData(void **module, const void *image) {
  FAKE_NEEDS_CONTEXT();
  ++moduleLoads;
  if (failLoad)
    return kNoBinaryForGpu;
  auto loaded = std::make_unique<Module>();
  std::string why;
  if (!parseImage(image, *loaded, why))
    return fail("cuModuleLoadData: %s", why.c_str());
  for (auto &[_, kernel] : loaded->kernels)
    functions[&kernel] = loaded.get();
  *module = loaded.get();
  for (auto &[name, k] : loaded->kernels) {
    std::string params;
    for (const Kernel::Param &p : k.params)
      params += (params.empty() ? "" : ",") + std::to_string(p.size) +
                (p.pointer ? "p" : "");
    trace("load kernel %s (%s), %u registers, %u bytes of shared memory",
          name.c_str(), params.c_str(), k.registers, k.staticShared);
  }
  modules.insert(loaded.release());
  return kSuccess;
}

CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned,
                            int *, void **) {
  return cuModuleLoadData(module, image);
}

CUresult cuModuleUnload(void *handle) {
  FAKE_NEEDS_CONTEXT();
  auto *module = static_cast<Module *>(handle);
  if (!modules.erase(module))
    return kInvalidHandle;
  for (auto &[_, kernel] : module->kernels)
    functions.erase(&kernel);
  delete module;
  return kSuccess;
}

CUresult cuModuleGetFunction(void **function, void *handle, const char *name) {
  FAKE_NEEDS_CONTEXT();
  auto *module = static_cast<Module *>(handle);
  if (!modules.count(module))
    return kInvalidHandle;
  auto it = module->kernels.find(name);
  if (it == module->kernels.end())
    return kNotFound;
  *function = &it->second;
  return kSuccess;
}

CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  FAKE_NEEDS_CONTEXT();
  auto *kernel = static_cast<Kernel *>(function);
  if (!functions.count(kernel))
    return kInvalidHandle;
  if (attribute == 8) { // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
    if (value < 0 || kernel->staticShared + value > 227 * 1024)
      return kInvalidValue;
    kernel->maxDynamicShared = value;
  }
  return kSuccess;
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz,
                        unsigned sharedBytes, void *handle, void **params,
                        void **extra) {
  FAKE_NEEDS_CONTEXT();
  auto *kernel = static_cast<Kernel *>(function);
  if (!functions.count(kernel))
    return kInvalidHandle;
  Stream *stream = streamOf(handle);
  if (!stream)
    return fail("launching %s on a stream that is not live",
                kernel->name.c_str());
  ++launches;
  kernelsLaunched.insert(kernel);
  if (failLaunch > 0 && static_cast<long>(launches) == failLaunch)
    return kLaunchOutOfResources;
  const char *name = kernel->name.c_str();
  unsigned long long threads = 1ull * bx * by * bz;
  if (!gx || !gy || !gz || gy > 65535 || gz > 65535 || gx > 0x7fffffffu)
    return fail("launching %s: grid %u x %u x %u", name, gx, gy, gz);
  if (!threads || threads > 1024 || bz > 64)
    return fail("launching %s: block %u x %u x %u", name, bx, by, bz);
  if (blockRegisters(kernel->registers, threads) > 65536) {
    fail("launching %s: %u registers x %llu threads (%llu allocated) is over "
         "64K",
         name, kernel->registers, threads,
         blockRegisters(kernel->registers, threads));
    return kLaunchOutOfResources;
  }
  int maxDynamic = kernel->maxDynamicShared >= 0
                       ? kernel->maxDynamicShared
                       : 48 * 1024 - static_cast<int>(kernel->staticShared);
  if (static_cast<int>(sharedBytes) > maxDynamic)
    return fail("launching %s with %u bytes of dynamic shared memory, over "
                "its limit of %d (%u static; cuFuncSetAttribute raises it)",
                name, sharedBytes, maxDynamic, kernel->staticShared);
  if (kernel->staticShared + sharedBytes > 227 * 1024)
    return fail("launching %s with %u + %u bytes of shared memory", name,
                kernel->staticShared, sharedBytes);
  stream->clock += 1 + 1ull * gx * gy * gz / 132;
  trace("launch %s <<<%u x %u x %u, %u x %u x %u, %u>>> on %s", name, gx, gy,
        gz, bx, by, bz, sharedBytes, streamName(stream));
  if (getenv("DLC_FAKE_CUDA_PROFILE"))
    launchRecords.push_back({kernel->name, {gx, gy, gz}, {bx, by, bz},
                             kernel->registers, kernel->staticShared,
                             sharedBytes});
  if (extra)
    return fail("launching %s: dlc passes parameters, not `extra`", name);
  if (!params && !kernel->params.empty())
    return fail("launching %s without its %zu parameters", name,
                kernel->params.size());
  for (size_t i = 0; i < kernel->params.size(); ++i) {
    if (!params[i])
      return fail("launching %s: parameter %zu is null", name, i);
    if (!kernel->params[i].pointer)
      continue;
    void *value;
    memcpy(&value, params[i], sizeof value);
    if (!value)
      continue;
    Allocation *a = find(value);
    if (!a)
      return fail("launching %s: pointer parameter %zu (%p) is not in live "
                  "device memory",
                  name, i, value);
    if (!a->managed)
      if (CUresult r = touch(*a, stream, std::string("kernel ") + name))
        return r;
  }
  return kSuccess;
}

CUresult cuStreamCreate(void **handle, unsigned flags) {
  FAKE_NEEDS_CONTEXT();
  // Only non-blocking streams are modelled: a blocking one would order
  // itself with the legacy stream.
  if (flags != 1)
    return fail("cuStreamCreate: flags %u (the fake models non-blocking "
                "streams only)",
                flags);
  auto *stream = new Stream;
  streams.insert(stream);
  *handle = stream;
  return kSuccess;
}

CUresult cuStreamDestroy_v2(void *handle) {
  FAKE_NEEDS_CONTEXT();
  auto *stream = static_cast<Stream *>(handle);
  if (!streams.erase(stream))
    return kInvalidHandle;
  // Work in flight completes (as on a GPU) and nothing can wait for it.
  synchronize(stream);
  delete stream;
  return kSuccess;
}

CUresult cuStreamSynchronize(void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  synchronize(stream);
  return kSuccess;
}

CUresult cuEventCreate(void **event, unsigned flags) {
  FAKE_NEEDS_CONTEXT();
  auto *e = new Event;
  e->flags = flags;
  trace("cuEventCreate flags %u", flags);
  events.insert(e);
  *event = e;
  return kSuccess;
}

CUresult cuEventDestroy_v2(void *handle) {
  FAKE_NEEDS_CONTEXT();
  auto *event = static_cast<Event *>(handle);
  if (!events.erase(event))
    return kInvalidHandle;
  delete event;
  return kSuccess;
}

CUresult cuEventRecord(void *handle, void *streamHandle) {
  FAKE_NEEDS_CONTEXT();
  auto *event = static_cast<Event *>(handle);
  Stream *stream = streamOf(streamHandle);
  if (!events.count(event) || !stream)
    return kInvalidHandle;
  event->stream = stream;
  event->clock = stream->clock;
  return kSuccess;
}

CUresult cuEventElapsedTime(float *ms, void *startHandle, void *endHandle) {
  FAKE_NEEDS_CONTEXT();
  auto *start = static_cast<Event *>(startHandle);
  auto *end = static_cast<Event *>(endHandle);
  if (!events.count(start) || !events.count(end))
    return kInvalidHandle;
  // As the driver: both recorded, both created with timing.
  if ((start->flags | end->flags) & /*CU_EVENT_DISABLE_TIMING=*/2)
    return fail("cuEventElapsedTime of an event created with "
                "CU_EVENT_DISABLE_TIMING");
  if (!start->stream || !end->stream)
    return fail("cuEventElapsedTime of an event never recorded");
  if (start->stream != end->stream || end->clock < start->clock)
    return fail("cuEventElapsedTime: the events are not in order on one "
                "stream");
  *ms = static_cast<float>(end->clock - start->clock) / 1000.0f;
  return kSuccess;
}

CUresult cuEventSynchronize(void *handle) {
  FAKE_NEEDS_CONTEXT();
  auto *event = static_cast<Event *>(handle);
  if (!events.count(event))
    return kInvalidHandle;
  if (event->stream)
    synchronize(event->stream);
  return kSuccess;
}

CUresult cuStreamWaitEvent(void *streamHandle, void *handle, unsigned) {
  FAKE_NEEDS_CONTEXT();
  auto *event = static_cast<Event *>(handle);
  Stream *stream = streamOf(streamHandle);
  if (!events.count(event) || !stream)
    return kInvalidHandle;
  // The waiting stream is ordered after the event's stream's work so far.
  if (event->stream)
    for (auto &[_, a] : allocations)
      if (a.pending == event->stream)
        a.pending = stream;
  return kSuccess;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  FAKE_NEEDS_CONTEXT();
  return allocate(pointer, bytes, false, nullptr, "");
}

CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes, unsigned) {
  FAKE_NEEDS_CONTEXT();
  return allocate(pointer, bytes, true, nullptr, "");
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  FAKE_NEEDS_CONTEXT();
  return release(pointer, nullptr);
}

#ifndef FAKE_CUDA_NO_POOLS
CUresult cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  return allocate(pointer, bytes, false, stream, "cuMemAllocAsync");
}

CUresult cuMemFreeAsync(CUdeviceptr pointer, void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  return release(pointer, stream);
}

int defaultPools[kMaxDevices]; // a device's pool: the address of its entry
CUresult cuDeviceGetDefaultMemPool(void **pool, int device) {
  std::lock_guard<std::mutex> lock(mutex);
  if (device < 0 || device >= deviceCount)
    return kInvalidValue;
  *pool = &defaultPools[device];
  return kSuccess;
}

CUresult cuMemPoolSetAttribute(void *pool, int, void *) {
  auto *entry = static_cast<int *>(pool);
  return entry >= defaultPools && entry < defaultPools + deviceCount
             ? kSuccess
             : kInvalidHandle;
}
#endif

CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  return copy(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src),
              bytes, 'U', stream, false, "cuMemcpyAsync");
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  FAKE_NEEDS_CONTEXT();
  return copy(reinterpret_cast<void *>(dst), src, bytes, 'H', &legacyStream,
              true, "cuMemcpyHtoD");
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  FAKE_NEEDS_CONTEXT();
  return copy(dst, reinterpret_cast<void *>(src), bytes, 'D', &legacyStream,
              true, "cuMemcpyDtoH");
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes,
                              void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  return copy(reinterpret_cast<void *>(dst), src, bytes, 'H', stream, false,
              "cuMemcpyHtoDAsync");
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes,
                              void *handle) {
  FAKE_NEEDS_CONTEXT();
  Stream *stream = streamOf(handle);
  if (!stream)
    return kInvalidHandle;
  return copy(dst, reinterpret_cast<void *>(src), bytes, 'D', stream, false,
              "cuMemcpyDtoHAsync");
}

CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  FAKE_NEEDS_CONTEXT();
  return copy(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src),
              bytes, 'U', &legacyStream, true, "cuMemcpy");
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          void *stream) {
  return fill(dst, value, count, 4, stream, "cuMemsetD32Async");
}

CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          void *stream) {
  return fill(dst, value, count, 2, stream, "cuMemsetD16Async");
}

/// A TMA tensor map, checked as the CUDA driver API documents
/// cuTensorMapEncodeTiled's arguments (the global tensor in live device
/// memory, 16-byte aligned, strides multiples of 16, boxes of 1 to 256
/// elements whose rows are multiples of 16 bytes and, swizzled, at most the
/// swizzle's span); the map written is the fake's own record of them.
CUresult cuTensorMapEncodeTiled(void *map, int dataType, unsigned rank,
                                void *address, const unsigned long long *dims,
                                const unsigned long long *strides,
                                const unsigned *box,
                                const unsigned *elementStrides, int interleave,
                                int swizzle, int l2Promotion, int oobFill) {
  static const unsigned elementBytes[] = {1, 2, 4, 4, 8, 8, 2,
                                          4, 8, 2, 4, 4, 4};
  const char *what = "cuTensorMapEncodeTiled";
  if (reinterpret_cast<uintptr_t>(map) % 64)
    return fail("%s: the map at %p is not 64-byte aligned", what, map);
  if (dataType < 0 || dataType > 12 || rank < 1 || rank > 5 ||
      interleave < 0 || interleave > 2 || swizzle < 0 || swizzle > 3 ||
      l2Promotion < 0 || l2Promotion > 3 || oobFill < 0 || oobFill > 1)
    return fail("%s: data type %d, rank %u, interleave %d, swizzle %d, "
                "L2 promotion %d or OOB fill %d out of range",
                what, dataType, rank, interleave, swizzle, l2Promotion,
                oobFill);
  unsigned bytes = elementBytes[dataType];
  if (reinterpret_cast<uintptr_t>(address) % 16)
    return fail("%s: global address %p is not 16-byte aligned", what,
                address);
  unsigned long long extent = bytes;
  for (unsigned d = 0; d < rank; ++d) {
    if (dims[d] == 0 || dims[d] > (1ull << 32))
      return fail("%s: dim %u of %llu elements", what, d, dims[d]);
    if (d > 0 && (strides[d - 1] % 16 || strides[d - 1] >= (1ull << 40)))
      return fail("%s: stride %u of %llu bytes (a multiple of 16 below "
                  "2^40)",
                  what, d, strides[d - 1]);
    if (box[d] == 0 || box[d] > 256 || elementStrides[d] == 0 ||
        elementStrides[d] > 8)
      return fail("%s: box dim %u of %u elements, element stride %u", what,
                  d, box[d], elementStrides[d]);
    extent = d == 0 ? dims[0] * bytes
                    : std::max(extent, strides[d - 1] * dims[d]);
  }
  if (interleave == 0 && box[0] * bytes % 16)
    return fail("%s: a box row of %u bytes (a multiple of 16)", what,
                box[0] * bytes);
  if (interleave == 0 && swizzle != 0 && box[0] * bytes > (16u << swizzle))
    return fail("%s: a box row of %u bytes with a %u-byte swizzle", what,
                box[0] * bytes, 16u << swizzle);
  if (!isDevice(address) || !find(address, extent))
    return fail("%s: the tensor at %p (%llu bytes) is not in live device "
                "memory",
                what, address, extent);
  // (What a map encodes, so that maps of other tensors or boxes differ as
  // the driver's do.)
  std::memset(map, 0, 128);
  auto *words = static_cast<unsigned long long *>(map);
  words[0] = reinterpret_cast<uintptr_t>(address);
  words[1] = static_cast<unsigned long long>(dataType) | rank << 8 |
             interleave << 16 | swizzle << 24 |
             static_cast<unsigned long long>(l2Promotion) << 32 |
             static_cast<unsigned long long>(oobFill) << 40;
  for (unsigned d = 0; d < rank; ++d) {
    words[2 + d] = dims[d];
    words[7 + d] = box[d] | static_cast<unsigned long long>(elementStrides[d])
                                << 32;
    if (d + 1 < rank)
      words[12 + d] = strides[d];
  }
  trace("tensor map of rank %u at %p, swizzle %d", rank, address, swizzle);
  return kSuccess;
}

} // extern "C"
