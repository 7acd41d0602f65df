//===- runtime.cpp - the dlc runtime ---------------------------------------===//
//
// Validates an artifact completely (size, magic, version, layout, checksum,
// machine, manifest, CPU features) and only then maps its code: the payload is
// written to an anonymous memfd and dlopen'ed from /proc/self/fd.
//
//===----------------------------------------------------------------------===//

#include "dlc/runtime.h"

#include "cuda.h"

#include "dlc/artifact_format.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <string>
#include <vector>

namespace {

thread_local std::string lastError;

dlc_status fail(dlc_status status, const std::string &message) {
  lastError = message;
  return status;
}

struct TensorSpec {
  std::string name;
  std::string dtypeName;
  DLDataType dtype;
  std::vector<int64_t> shape;
  // For an output: the input it updates in place (-1 if none).
  int64_t inout = -1;
};

// dlc element types and their DLPack descriptions.
struct DTypeEntry {
  const char *name;
  DLDataType dtype;
};
constexpr uint8_t kDLBoolCode = 6; // kDLBool in DLPack >= 0.8
const DTypeEntry kDTypes[] = {
    {"f16", {kDLFloat, 16, 1}}, {"bf16", {kDLBfloat, 16, 1}},
    {"f32", {kDLFloat, 32, 1}}, {"f64", {kDLFloat, 64, 1}},
    {"i1", {kDLUInt, 8, 1}},    {"i32", {kDLInt, 32, 1}},
    {"i64", {kDLInt, 64, 1}},
};

bool dtypeFromName(const std::string &name, DLDataType &out) {
  for (const DTypeEntry &e : kDTypes)
    if (name == e.name) {
      out = e.dtype;
      return true;
    }
  return false;
}

bool sameDType(const DLDataType &expected, const DLDataType &found) {
  if (found.lanes != 1 || found.bits != expected.bits)
    return false;
  if (found.code == expected.code)
    return true;
  // NumPy exports bool as kDLBool (DLPack >= 0.8); both mean i1 here.
  return expected.code == kDLUInt && expected.bits == 8 &&
         found.code == kDLBoolCode;
}

std::string describe(const DLDataType &dtype) {
  for (const DTypeEntry &e : kDTypes)
    if (sameDType(e.dtype, dtype))
      return e.name;
  std::ostringstream os;
  os << "dtype(code=" << int(dtype.code) << ", bits=" << int(dtype.bits)
     << ", lanes=" << dtype.lanes << ")";
  return os.str();
}

std::string describeShape(const int64_t *shape, int ndim) {
  std::ostringstream os;
  os << "[";
  for (int i = 0; i < ndim; ++i)
    os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

uLong crcUpdate(uLong crc, const uint8_t *data, size_t size) {
  while (size > 0) { // zlib takes 32-bit lengths
    uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return crc;
}

/// The checksum covers the whole file with its own field read as zero.
uint32_t crcOf(const std::vector<uint8_t> &bytes) {
  const size_t field = offsetof(dlc_artifact_header, checksum);
  const uint8_t zeros[sizeof(uint32_t)] = {};
  uLong crc = crcUpdate(crc32(0L, Z_NULL, 0), bytes.data(), field);
  crc = crcUpdate(crc, zeros, sizeof zeros);
  crc = crcUpdate(crc, bytes.data() + field + sizeof zeros,
                  bytes.size() - field - sizeof zeros);
  return static_cast<uint32_t>(crc);
}

const char *machineName(uint32_t machine) {
  switch (machine) {
  case EM_X86_64: return "x86-64";
  case EM_AARCH64: return "aarch64";
  case EM_RISCV: return "riscv";
  case EM_PPC64: return "ppc64";
  default: return "unknown";
  }
}

uint32_t hostMachine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
  return EM_NONE;
#endif
}

// Whether this CPU has `feature` (one of DLC_ARTIFACT_CPU_FEATURES; other
// names are not checked and count as present).
bool hostHasFeature(const std::string &feature) {
#if defined(__x86_64__)
  __builtin_cpu_init();
#define DLC_CHECK_FEATURE(name)                                                \
  if (feature == name)                                                         \
    return __builtin_cpu_supports(name);
  DLC_ARTIFACT_CPU_FEATURES(DLC_CHECK_FEATURE)
#undef DLC_CHECK_FEATURE
#endif
  return true;
}

/// Why kernels for `arch` cannot run on the runtime's GPU, or "" if they
/// can: sm_XY's PTX runs on compute capability X.Y and later (the driver
/// compiles it), sm_XYa's arch-specific instructions (wgmma, setmaxnreg)
/// on X.Y alone. The driver's own refusal would name neither.
std::string archMismatch(const std::string &arch) {
  if (arch.compare(0, 3, "sm_") != 0)
    return ""; // not a name of dlc's (the driver decides)
  size_t end = arch.find_first_not_of("0123456789", 3);
  bool exact = end != std::string::npos;
  if (end == 3 || (exact && arch.substr(end) != "a"))
    return "";
  int wanted = std::atoi(arch.c_str() + 3);
  int have = dlc_cuda::computeCapability();
  if (exact ? have == wanted : have >= wanted)
    return "";
  auto version = [](int cc) {
    return std::to_string(cc / 10) + "." + std::to_string(cc % 10);
  };
  std::string device =
      "CUDA device " + std::to_string(dlc_cuda::deviceOrdinal());
  if (*dlc_cuda::deviceName())
    device += std::string(" (") + dlc_cuda::deviceName() + ")";
  return "compiled for " + arch +
         ", which runs on GPUs of compute capability " + version(wanted) +
         (exact ? " only" : " and later") + ", but " + device +
         " is of compute capability " + version(have) +
         ": recompile for it (--gpu-arch=native, or gpu_arch=\"native\" "
         "from Python)";
}

} // namespace

namespace {

/// The heap of compiled code: freed blocks are kept and handed out again,
/// best fit (the smallest free block of the alignment that holds the request
/// and is at most twice its size). A training step allocates the same
/// buffers on every call; served from this cache they are neither mapped nor
/// faulted in again (with plain malloc, large blocks are mmap'd and unmapped
/// each time: a third of a small CNN's step was page faults). Best fit rather
/// than exact sizes keeps the cache near the live peak of a call when buffers
/// of different sizes follow each other. Blocks stay cached until
/// dlc_release_cached_memory.
class BlockCache {
public:
  void *allocate(size_t alignment, size_t size) {
    if (alignment < 16)
      alignment = 16;
    size = (size + alignment - 1) & ~(alignment - 1);
    if (size == 0)
      size = alignment;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto &pool = free_[alignment];
      auto it = pool.lower_bound(size);
      if (it != pool.end() && it->first <= 2 * size) {
        void *block = it->second;
        pool.erase(it);
        return block;
      }
    }
    void *block = std::aligned_alloc(alignment, size);
    if (block) {
      std::lock_guard<std::mutex> lock(mutex_);
      blocks_[block] = {size, alignment};
    }
    return block;
  }
  void release(void *block) {
    if (!block)
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = blocks_.find(block);
    if (it == blocks_.end()) { // not ours: cannot happen, but never leak
      std::free(block);
      return;
    }
    free_[it->second.alignment].emplace(it->second.size, block);
  }
  void releaseCached() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto &[alignment, pool] : free_)
      for (auto &[size, block] : pool) {
        blocks_.erase(block);
        std::free(block);
      }
    free_.clear();
  }

private:
  struct Block {
    size_t size, alignment;
  };
  std::mutex mutex_;
  // Free blocks by alignment, then size.
  std::map<size_t, std::multimap<size_t, void *>> free_;
  // Every block the cache made (in use or free), with its capacity.
  std::unordered_map<void *, Block> blocks_;
};

BlockCache &blockCache() {
  static BlockCache *cache = new BlockCache; // outlives every module
  return *cache;
}

void *cacheAlloc(size_t alignment, size_t size) {
  return blockCache().allocate(alignment, size);
}
void cacheFree(void *block) { blockCache().release(block); }

} // namespace

struct dlc_function {
  std::string name;
  std::vector<TensorSpec> inputs, outputs;
  double flops = 0;
  void (*entry)(void **) = nullptr;
  bool cuda = false; // its code runs on the GPU: tensors are staged there
  dlc_cuda::TensorMaps *tensorMaps = nullptr; // its module's
};

struct dlc_module {
  std::string manifestText;
  std::vector<std::unique_ptr<dlc_function>> functions;
  void *handle = nullptr;
  int fd = -1;
  // A CUDA artifact: host code whose kernels run on the GPU (cuda.cpp).
  bool cuda = false;
  bool gpuReady = false; // dlc_gpu_init ran: modules to unload
  dlc_cuda::TensorMaps *tensorMaps = nullptr;
  ~dlc_module() {
    if (gpuReady)
      if (auto fini = reinterpret_cast<void (*)()>(dlsym(handle, "dlc_gpu_fini"))) {
        dlc_cuda::Scope scope;
        fini();
      }
    if (tensorMaps) {
      dlc_cuda::Scope scope;
      dlc_cuda::freeTensorMaps(tensorMaps);
    }
    if (handle)
      dlclose(handle);
    if (fd >= 0)
      close(fd);
  }
};

namespace {

dlc_status parseSpecs(const nlohmann::json &list, const std::string &where,
                      std::vector<TensorSpec> &out) {
  if (!list.is_array())
    return fail(DLC_ERROR_FORMAT, "manifest: " + where + " is not a list");
  for (const auto &item : list) {
    TensorSpec spec;
    if (!item.is_object() || !item.contains("dtype") ||
        !item["dtype"].is_string() || !item.contains("shape") ||
        !item["shape"].is_array())
      return fail(DLC_ERROR_FORMAT,
                  "manifest: malformed tensor in " + where + ": " + item.dump());
    spec.dtypeName = item["dtype"].get<std::string>();
    if (!dtypeFromName(spec.dtypeName, spec.dtype))
      return fail(DLC_ERROR_FORMAT, "manifest: unknown dtype '" +
                                        spec.dtypeName + "' in " + where);
    for (const auto &dim : item["shape"]) {
      if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
        return fail(DLC_ERROR_FORMAT,
                    "manifest: bad dimension in " + where + ": " + item.dump());
      spec.shape.push_back(dim.get<int64_t>());
    }
    if (item.contains("name") && item["name"].is_string())
      spec.name = item["name"].get<std::string>();
    if (item.contains("inout")) {
      if (!item["inout"].is_number_integer() || item["inout"].get<int64_t>() < 0)
        return fail(DLC_ERROR_FORMAT,
                    "manifest: bad inout in " + where + ": " + item.dump());
      spec.inout = item["inout"].get<int64_t>();
    }
    out.push_back(std::move(spec));
  }
  return DLC_OK;
}

/// An in-out output names an input of its own dtype and shape, and no input
/// is updated by two outputs.
dlc_status checkInOut(const dlc_function &fn) {
  std::vector<bool> taken(fn.inputs.size());
  for (size_t o = 0; o < fn.outputs.size(); ++o) {
    int64_t j = fn.outputs[o].inout;
    if (j < 0)
      continue;
    if (static_cast<size_t>(j) >= fn.inputs.size() || taken[j] ||
        fn.inputs[j].dtypeName != fn.outputs[o].dtypeName ||
        fn.inputs[j].shape != fn.outputs[o].shape)
      return fail(DLC_ERROR_FORMAT,
                  "manifest: output " + std::to_string(o) + " of " + fn.name +
                      " is in-out with input " + std::to_string(j) +
                      ", which does not exist, has another type or is "
                      "already updated by another output");
    taken[j] = true;
  }
  return DLC_OK;
}

dlc_status loadFromBytes(std::vector<uint8_t> bytes, const std::string &origin,
                         dlc_module **out) {
  if (!out)
    return fail(DLC_ERROR_ARGUMENT, "dlc_module_load: out is NULL");
  *out = nullptr;
  const std::string where = origin + ": ";
  if (bytes.size() < DLC_ARTIFACT_HEADER_SIZE)
    return fail(DLC_ERROR_FORMAT,
                where + "truncated: " + std::to_string(bytes.size()) +
                    " bytes is smaller than the " +
                    std::to_string(DLC_ARTIFACT_HEADER_SIZE) +
                    "-byte artifact header");
  dlc_artifact_header header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.magic, DLC_ARTIFACT_MAGIC, sizeof header.magic) != 0)
    return fail(DLC_ERROR_FORMAT,
                where + "not a dlc artifact (bad magic bytes)");
  if (header.format_version > DLC_ARTIFACT_FORMAT_VERSION)
    return fail(DLC_ERROR_VERSION,
                where + "artifact format version " +
                    std::to_string(header.format_version) +
                    " is newer than this runtime supports (" +
                    std::to_string(DLC_ARTIFACT_FORMAT_VERSION) +
                    "); update the dlc runtime");
  if (header.format_version == 0 ||
      header.header_size != DLC_ARTIFACT_HEADER_SIZE)
    return fail(DLC_ERROR_FORMAT, where + "corrupt header (version " +
                                      std::to_string(header.format_version) +
                                      ", header size " +
                                      std::to_string(header.header_size) + ")");
  auto inFile = [&](uint64_t offset, uint64_t size) {
    return offset >= DLC_ARTIFACT_HEADER_SIZE && offset <= bytes.size() &&
           size <= bytes.size() - offset;
  };
  if (!inFile(header.manifest_offset, header.manifest_size) ||
      !inFile(header.payload_offset, header.payload_size))
    return fail(DLC_ERROR_FORMAT,
                where + "truncated or corrupt: sections extend past the end of "
                        "the " + std::to_string(bytes.size()) + "-byte file");
  uint32_t computed = crcOf(bytes);
  if (computed != header.checksum) {
    char buf[128];
    std::snprintf(buf, sizeof buf,
                  "checksum mismatch (stored 0x%08x, computed 0x%08x)",
                  header.checksum, computed);
    return fail(DLC_ERROR_FORMAT,
                where + buf + ": the file is corrupted");
  }
  if (header.machine != hostMachine())
    return fail(DLC_ERROR_TARGET,
                where + "compiled for " + machineName(header.machine) +
                    " (ELF machine " + std::to_string(header.machine) +
                    "), but this host is " + machineName(hostMachine()));

  auto module = std::make_unique<dlc_module>();
  module->manifestText.assign(
      reinterpret_cast<const char *>(bytes.data() + header.manifest_offset),
      header.manifest_size);
  nlohmann::json manifest =
      nlohmann::json::parse(module->manifestText, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object() ||
      !manifest.contains("functions") || !manifest["functions"].is_array())
    return fail(DLC_ERROR_FORMAT, where + "malformed manifest");

  // A CUDA artifact needs the driver and a device before anything is mapped.
  std::string gpuArch;
  if (manifest.contains("device")) {
    const auto &device = manifest["device"];
    if (!device.is_object() || device.value("kind", "") != "cuda")
      return fail(DLC_ERROR_TARGET,
                  where + "compiled for a device this runtime does not know (" +
                      device.dump() + ")");
    gpuArch = device.value("arch", "?");
    std::string why = dlc_cuda::initialize();
    if (!why.empty())
      return fail(DLC_ERROR_DEVICE, where + "this artifact runs on an NVIDIA "
                                            "GPU (" + gpuArch + "), but " + why);
    if (std::string why = archMismatch(gpuArch); !why.empty())
      return fail(DLC_ERROR_TARGET, where + why);
    module->cuda = true;
  }

  if (manifest.contains("target") && manifest["target"].contains("features") &&
      manifest["target"]["features"].is_array()) {
    std::string missing;
    for (const auto &f : manifest["target"]["features"]) {
      if (!f.is_string() || hostHasFeature(f.get<std::string>()))
        continue;
      missing += (missing.empty() ? "" : ", ") + f.get<std::string>();
    }
    if (!missing.empty()) {
      const auto &target = manifest["target"];
      std::string cpu = target.contains("cpu") && target["cpu"].is_string()
                            ? target["cpu"].get<std::string>()
                            : "?";
      return fail(DLC_ERROR_TARGET,
                  where + "compiled for CPU '" + cpu + "', which has " +
                      missing + ": this CPU lacks " +
                      (missing.find(',') == std::string::npos ? "it"
                                                              : "them") +
                      "; recompile with a portable --cpu (x86-64-v3 for AVX2 "
                      "machines, x86-64 for any) or on this machine");
    }
  }

  for (const auto &fn : manifest["functions"]) {
    auto function = std::make_unique<dlc_function>();
    if (!fn.is_object() || !fn.contains("name") || !fn["name"].is_string())
      return fail(DLC_ERROR_FORMAT, where + "manifest: function without a name");
    function->name = fn["name"].get<std::string>();
    if (dlc_status s = parseSpecs(fn.value("inputs", nlohmann::json()),
                                  function->name + " inputs", function->inputs))
      return s;
    if (dlc_status s = parseSpecs(fn.value("outputs", nlohmann::json()),
                                  function->name + " outputs", function->outputs))
      return s;
    if (dlc_status s = checkInOut(*function))
      return s;
    function->flops = fn.value("flops", 0.0);
    module->functions.push_back(std::move(function));
  }

  // Only now, with everything verified, is code mapped.
  module->fd = memfd_create("dlc-artifact", MFD_CLOEXEC);
  if (module->fd < 0)
    return fail(DLC_ERROR_INTERNAL,
                where + "memfd_create failed: " + std::strerror(errno));
  const uint8_t *payload = bytes.data() + header.payload_offset;
  for (uint64_t done = 0; done < header.payload_size;) {
    ssize_t n = write(module->fd, payload + done, header.payload_size - done);
    if (n <= 0)
      return fail(DLC_ERROR_INTERNAL,
                  where + "writing the payload failed: " + std::strerror(errno));
    done += static_cast<uint64_t>(n);
  }
  std::string fdPath = "/proc/self/fd/" + std::to_string(module->fd);
  module->handle = dlopen(fdPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle)
    return fail(DLC_ERROR_FORMAT,
                where + "the payload does not load: " + dlerror());
  // Compiled code's heap buffers come from the runtime's cache (artifacts
  // without the hook, or with nothing to allocate, use libc).
  // DLC_ALLOCATOR=libc keeps malloc/free (to measure, or to debug with
  // tools that track the C heap).
  const char *choice = std::getenv("DLC_ALLOCATOR");
  bool cache = !choice || std::string(choice) != "libc";
  if (auto *allocator = static_cast<dlc_artifact_allocator *>(
          dlsym(module->handle, DLC_ARTIFACT_ALLOCATOR_SYMBOL));
      allocator && cache) {
    allocator->alloc = cacheAlloc;
    allocator->free = cacheFree;
  }
  for (auto &function : module->functions)
    function->cuda = module->cuda;
  if (module->cuda) {
    // The host code's GPU calls go to this runtime; then its kernel modules
    // load (the driver compiles their PTX for this GPU).
    std::string why = dlc_cuda::installHooks(module->handle);
    if (!why.empty())
      return fail(DLC_ERROR_FORMAT, where + why);
    auto init = reinterpret_cast<void (*)()>(dlsym(module->handle, "dlc_gpu_init"));
    if (!init)
      return fail(DLC_ERROR_FORMAT, where + "CUDA artifact without dlc_gpu_init");
    {
      dlc_cuda::Scope scope;
      init();
    }
    module->gpuReady = true;
    if (std::string error = dlc_cuda::takeError(); !error.empty())
      return fail(DLC_ERROR_DEVICE, where + error + " (kernels for " + gpuArch + ")");
    module->tensorMaps = dlc_cuda::newTensorMaps();
    for (auto &function : module->functions)
      function->tensorMaps = module->tensorMaps;
  }
  for (auto &function : module->functions) {
    std::string symbol = "dlc_entry_" + function->name;
    function->entry =
        reinterpret_cast<void (*)(void **)>(dlsym(module->handle, symbol.c_str()));
    if (!function->entry)
      return fail(DLC_ERROR_FORMAT,
                  where + "entry point '" + symbol + "' is missing");
  }
  *out = module.release();
  return DLC_OK;
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Checks one tensor of a call against its spec; on success appends its
/// memref descriptor {allocated, aligned, offset, sizes..., strides...}.
dlc_status checkTensor(const dlc_function &fn, const char *kind, size_t index,
                       const TensorSpec &spec, const DLTensor &t,
                       std::vector<int64_t> &descriptor,
                       int32_t device = kDLCPU) {
  auto error = [&](const std::string &what) {
    std::ostringstream os;
    os << fn.name << ": " << kind << " " << index;
    if (!spec.name.empty())
      os << " ('" << spec.name << "')";
    os << ": " << what;
    return fail(DLC_ERROR_ARGUMENT, os.str());
  };
  std::string expected =
      spec.dtypeName + describeShape(spec.shape.data(), spec.shape.size());
  if (t.device.device_type != device)
    return error(std::string("expected a ") +
                 (device == kDLCUDA ? "CUDA" : "CPU") +
                 " tensor, found device type " +
                 std::to_string(t.device.device_type));
  // (The module's GPU: kernels would fault on, or silently reach across to,
  // another device's memory.)
  if (device == kDLCUDA && t.device.device_id != dlc_cuda::deviceOrdinal())
    return error("expected a tensor on CUDA device " +
                 std::to_string(dlc_cuda::deviceOrdinal()) +
                 " (the module's; DLC_CUDA_DEVICE chooses it), found one on "
                 "device " +
                 std::to_string(t.device.device_id));
  if (t.ndim < 0 || (t.ndim > 0 && !t.shape))
    return error("malformed DLTensor (ndim " + std::to_string(t.ndim) + ")");
  std::string found = describe(t.dtype) + describeShape(t.shape, t.ndim);
  if (!sameDType(spec.dtype, t.dtype) ||
      t.ndim != static_cast<int>(spec.shape.size()) ||
      !std::equal(spec.shape.begin(), spec.shape.end(), t.shape))
    return error("expected " + expected + ", found " + found);
  int64_t stride = 1;
  for (int i = t.ndim - 1; i >= 0 && t.strides; --i) {
    if (t.shape[i] != 1 && t.strides[i] != stride)
      return error("expected a compact row-major tensor, found strides " +
                   describeShape(t.strides, t.ndim) + " for shape " +
                   describeShape(t.shape, t.ndim));
    stride *= t.shape[i];
  }
  if (!t.data && numElements(spec.shape) != 0)
    return error("data pointer is NULL");
  auto *base = static_cast<char *>(t.data) + t.byte_offset;
  int64_t pointer = static_cast<int64_t>(reinterpret_cast<intptr_t>(base));
  descriptor.push_back(pointer);
  descriptor.push_back(pointer);
  descriptor.push_back(0);
  for (int64_t d : spec.shape)
    descriptor.push_back(d);
  int64_t s = 1;
  std::vector<int64_t> strides(spec.shape.size());
  for (int i = static_cast<int>(spec.shape.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= spec.shape[i];
  }
  descriptor.insert(descriptor.end(), strides.begin(), strides.end());
  return DLC_OK;
}

} // namespace

extern "C" {

uint32_t dlc_runtime_abi_version(void) { return DLC_RUNTIME_ABI_VERSION; }

const char *dlc_last_error(void) { return lastError.c_str(); }

dlc_status dlc_module_load(const char *path, dlc_module **out) {
  if (!path)
    return fail(DLC_ERROR_ARGUMENT, "dlc_module_load: path is NULL");
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return fail(DLC_ERROR_IO, std::string(path) + ": cannot open: " +
                                  std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (file.bad())
    return fail(DLC_ERROR_IO, std::string(path) + ": read error");
  try {
    return loadFromBytes(std::move(bytes), path, out);
  } catch (const std::exception &e) {
    return fail(DLC_ERROR_INTERNAL, std::string(path) + ": " + e.what());
  }
}

dlc_status dlc_module_load_bytes(const void *data, size_t size,
                                 dlc_module **out) {
  if (!data && size)
    return fail(DLC_ERROR_ARGUMENT, "dlc_module_load_bytes: data is NULL");
  const auto *begin = static_cast<const uint8_t *>(data);
  try {
    return loadFromBytes(std::vector<uint8_t>(begin, begin + size), "<memory>",
                         out);
  } catch (const std::exception &e) {
    return fail(DLC_ERROR_INTERNAL, std::string("<memory>: ") + e.what());
  }
}

void dlc_module_free(dlc_module *module) { delete module; }

void dlc_release_cached_memory(void) { blockCache().releaseCached(); }

dlc_status dlc_set_num_threads(const dlc_module *module, int threads) {
  if (!module || threads < 1)
    return fail(DLC_ERROR_ARGUMENT,
                "dlc_set_num_threads: expected a module and threads >= 1, found " +
                    std::to_string(threads));
  // The artifact's OpenMP runtime is one of its own dependencies; dlsym on
  // its handle finds it there, so the runtime itself needs no OpenMP.
  using SetThreads = void (*)(int);
  auto set = reinterpret_cast<SetThreads>(
      dlsym(module->handle, "omp_set_num_threads"));
  if (!set)
    return fail(DLC_ERROR_NOT_FOUND,
                "dlc_set_num_threads: this artifact has no OpenMP runtime");
  set(threads);
  return DLC_OK;
}

DLDeviceType dlc_module_device(const dlc_module *module) {
  return module && module->cuda ? kDLCUDA : kDLCPU;
}

dlc_status dlc_cuda_device(int32_t *ordinal, int32_t *compute_capability,
                           const char **name) {
  if (std::string why = dlc_cuda::initialize(); !why.empty())
    return fail(DLC_ERROR_DEVICE, "no NVIDIA GPU: " + why);
  if (ordinal)
    *ordinal = dlc_cuda::deviceOrdinal();
  if (compute_capability)
    *compute_capability = dlc_cuda::computeCapability();
  if (name)
    *name = dlc_cuda::deviceName();
  return DLC_OK;
}

int32_t dlc_module_device_id(const dlc_module *module) {
  return module && module->cuda ? dlc_cuda::deviceOrdinal() : 0;
}

namespace {
/// Device memory calls need a CUDA module (whose load opened the driver).
dlc_status needCudaModule(const dlc_module *module, const char *what) {
  if (!module)
    return fail(DLC_ERROR_ARGUMENT, std::string(what) + ": module is NULL");
  if (!module->cuda)
    return fail(DLC_ERROR_ARGUMENT,
                std::string(what) +
                    ": this module runs on the CPU; its tensors are host "
                    "memory (device memory is for CUDA artifacts)");
  return DLC_OK;
}
} // namespace

dlc_status dlc_device_alloc(const dlc_module *module, size_t bytes,
                            void **out) {
  if (dlc_status s = needCudaModule(module, "dlc_device_alloc"))
    return s;
  if (!out)
    return fail(DLC_ERROR_ARGUMENT, "dlc_device_alloc: out is NULL");
  dlc_cuda::Scope scope;
  if (std::string error = dlc_cuda::allocateResident(out, bytes);
      !error.empty())
    return fail(DLC_ERROR_DEVICE, "dlc_device_alloc: " + error);
  return DLC_OK;
}

dlc_status dlc_device_free(const dlc_module *module, void *pointer) {
  if (dlc_status s = needCudaModule(module, "dlc_device_free"))
    return s;
  dlc_cuda::Scope scope;
  if (std::string error = dlc_cuda::releaseResident(pointer); !error.empty())
    return fail(DLC_ERROR_DEVICE, "dlc_device_free: " + error);
  return DLC_OK;
}

dlc_status dlc_device_copy(const dlc_module *module, void *dst,
                           const void *src, size_t bytes) {
  if (dlc_status s = needCudaModule(module, "dlc_device_copy"))
    return s;
  if (bytes && (!dst || !src))
    return fail(DLC_ERROR_ARGUMENT, "dlc_device_copy: NULL pointer");
  dlc_cuda::Scope scope;
  if (std::string error = dlc_cuda::copy(dst, src, bytes); !error.empty())
    return fail(DLC_ERROR_DEVICE, "dlc_device_copy: " + error);
  return DLC_OK;
}

const char *dlc_module_manifest(const dlc_module *module) {
  return module ? module->manifestText.c_str() : "";
}

size_t dlc_module_num_functions(const dlc_module *module) {
  return module ? module->functions.size() : 0;
}

const dlc_function *dlc_module_function(const dlc_module *module,
                                        size_t index) {
  if (!module || index >= module->functions.size())
    return nullptr;
  return module->functions[index].get();
}

dlc_status dlc_module_lookup(const dlc_module *module, const char *name,
                             const dlc_function **out) {
  if (!module || !name || !out)
    return fail(DLC_ERROR_ARGUMENT, "dlc_module_lookup: NULL argument");
  for (const auto &fn : module->functions)
    if (fn->name == name) {
      *out = fn.get();
      return DLC_OK;
    }
  std::string available;
  for (const auto &fn : module->functions)
    available += (available.empty() ? "" : ", ") + fn->name;
  return fail(DLC_ERROR_NOT_FOUND, std::string("no entry point '") + name +
                                       "' (available: " + available + ")");
}

const char *dlc_function_name(const dlc_function *function) {
  return function ? function->name.c_str() : "";
}

size_t dlc_function_num_inputs(const dlc_function *function) {
  return function ? function->inputs.size() : 0;
}

size_t dlc_function_num_outputs(const dlc_function *function) {
  return function ? function->outputs.size() : 0;
}

static dlc_tensor_spec specOf(const TensorSpec &spec) {
  return {spec.name.c_str(), spec.dtype, static_cast<int32_t>(spec.shape.size()),
          spec.shape.data()};
}

dlc_tensor_spec dlc_function_input(const dlc_function *function, size_t index) {
  if (!function || index >= function->inputs.size())
    return {"", {0, 0, 0}, -1, nullptr};
  return specOf(function->inputs[index]);
}

dlc_tensor_spec dlc_function_output(const dlc_function *function,
                                    size_t index) {
  if (!function || index >= function->outputs.size())
    return {"", {0, 0, 0}, -1, nullptr};
  return specOf(function->outputs[index]);
}

int64_t dlc_function_output_inout(const dlc_function *function,
                                  size_t index) {
  if (!function || index >= function->outputs.size())
    return -1;
  return function->outputs[index].inout;
}

double dlc_function_flops(const dlc_function *function) {
  return function ? function->flops : 0;
}

namespace {
dlc_status callChecked(const dlc_function &fn, const DLTensor *inputs,
                       size_t num_inputs, const DLTensor *outputs,
                       size_t num_outputs, int32_t device);
dlc_status callOnDevice(const dlc_function &fn, const DLTensor *inputs,
                        size_t num_inputs, const DLTensor *outputs,
                        size_t num_outputs, void *stream);
} // namespace

dlc_status dlc_call(const dlc_function *function, const DLTensor *inputs,
                    size_t num_inputs, const DLTensor *outputs,
                    size_t num_outputs) {
  if (!function)
    return fail(DLC_ERROR_ARGUMENT, "dlc_call: function is NULL");
  if (function->cuda)
    return callOnDevice(*function, inputs, num_inputs, outputs, num_outputs,
                        /*stream=*/nullptr);
  return callChecked(*function, inputs, num_inputs, outputs, num_outputs,
                     kDLCPU);
}

dlc_status dlc_call_on_stream(const dlc_function *function,
                              const DLTensor *inputs, size_t num_inputs,
                              const DLTensor *outputs, size_t num_outputs,
                              void *stream) {
  if (!function)
    return fail(DLC_ERROR_ARGUMENT, "dlc_call_on_stream: function is NULL");
  if (!function->cuda) {
    if (stream)
      return fail(DLC_ERROR_ARGUMENT,
                  function->name + ": runs on the CPU; a CUDA stream was "
                                   "given (pass NULL)");
    return callChecked(*function, inputs, num_inputs, outputs, num_outputs,
                       kDLCPU);
  }
  return callOnDevice(*function, inputs, num_inputs, outputs, num_outputs,
                      stream);
}

namespace {
/// The call has as many inputs and outputs as the function.
dlc_status checkCounts(const dlc_function &fn, const DLTensor *inputs,
                       size_t num_inputs, const DLTensor *outputs,
                       size_t num_outputs) {
  if (num_inputs != fn.inputs.size() || num_outputs != fn.outputs.size() ||
      (num_inputs && !inputs) || (num_outputs && !outputs))
    return fail(DLC_ERROR_ARGUMENT,
                fn.name + ": expected " + std::to_string(fn.inputs.size()) +
                    " inputs and " + std::to_string(fn.outputs.size()) +
                    " outputs, found " + std::to_string(num_inputs) + " and " +
                    std::to_string(num_outputs));
  return DLC_OK;
}

/// A call whose tensors are on `device` (the CPU, or the GPU of a CUDA
/// artifact), checked against the manifest.
dlc_status callChecked(const dlc_function &fn, const DLTensor *inputs,
                       size_t num_inputs, const DLTensor *outputs,
                       size_t num_outputs, int32_t device) {
  if (dlc_status s = checkCounts(fn, inputs, num_inputs, outputs, num_outputs))
    return s;
  std::vector<std::vector<int64_t>> descriptors(num_inputs + num_outputs);
  for (size_t i = 0; i < num_inputs; ++i)
    if (dlc_status s = checkTensor(fn, "input", i, fn.inputs[i], inputs[i],
                                   descriptors[i], device))
      return s;
  for (size_t i = 0; i < num_outputs; ++i)
    if (dlc_status s = checkTensor(fn, "output", i, fn.outputs[i], outputs[i],
                                   descriptors[num_inputs + i], device))
      return s;
  // Compiled code may read an input after writing an output: no written
  // buffer may overlap another tensor of the call, except that an in-out
  // output may be exactly its input (updated in place).
  auto range = [&](size_t k) {
    const std::vector<int64_t> &d = descriptors[k];
    const TensorSpec &spec =
        k < num_inputs ? fn.inputs[k] : fn.outputs[k - num_inputs];
    int64_t bytes = numElements(spec.shape) * ((spec.dtype.bits + 7) / 8);
    return std::pair<int64_t, int64_t>(d[1], d[1] + bytes);
  };
  for (size_t o = num_inputs; o < descriptors.size(); ++o) {
    int64_t partner = fn.outputs[o - num_inputs].inout;
    for (size_t k = 0; k < descriptors.size(); ++k) {
      if (k == o)
        continue;
      auto [a0, a1] = range(o);
      auto [b0, b1] = range(k);
      if (static_cast<int64_t>(k) == partner && a0 == b0)
        continue;
      if (a0 < b1 && b0 < a1 && a0 != a1 && b0 != b1)
        return fail(DLC_ERROR_ARGUMENT,
                    fn.name + ": output " + std::to_string(o - num_inputs) +
                        " overlaps " +
                        (k < num_inputs ? "input " + std::to_string(k)
                                        : "output " +
                                              std::to_string(k - num_inputs)) +
                        (static_cast<int64_t>(k) == partner
                             ? " without being exactly it (an in-out pair is "
                               "one buffer or two disjoint ones)"
                             : "; pass distinct buffers"));
    }
  }
  // The compiled function updates an in-out input's buffer and has no
  // out-param for that output: it gets the output's buffer, holding a copy
  // of the input when the caller passed two buffers (the input is then left
  // unchanged).
  std::vector<void *> args;
  for (size_t i = 0; i < num_inputs; ++i)
    args.push_back(descriptors[i].data());
  for (size_t o = 0; o < num_outputs; ++o) {
    int64_t j = fn.outputs[o].inout;
    if (j < 0) {
      args.push_back(descriptors[num_inputs + o].data());
      continue;
    }
    auto [a0, a1] = range(num_inputs + o);
    auto [b0, b1] = range(j);
    if (a0 != b0 && device == kDLCUDA) {
      if (std::string error = dlc_cuda::copy(reinterpret_cast<void *>(a0),
                                             reinterpret_cast<void *>(b0),
                                             static_cast<size_t>(b1 - b0));
          !error.empty())
        return fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
    } else if (a0 != b0) {
      std::memcpy(reinterpret_cast<void *>(a0), reinterpret_cast<void *>(b0),
                  static_cast<size_t>(b1 - b0));
    }
    args[j] = descriptors[num_inputs + o].data();
  }
  fn.entry(args.data());
  if (fn.cuda)
    if (std::string error = dlc_cuda::takeError(); !error.empty())
      return fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
  return DLC_OK;
}

/// A call of a CUDA artifact's function: CPU tensors are copied to device
/// buffers (one per distinct host buffer, so an in-out tensor updated in
/// place stays one buffer) and the outputs copied back; CUDA tensors are
/// used where they are.
dlc_status callOnDevice(const dlc_function &fn, const DLTensor *inputs,
                        size_t num_inputs, const DLTensor *outputs,
                        size_t num_outputs, void *stream) {
  if (dlc_status s = checkCounts(fn, inputs, num_inputs, outputs, num_outputs))
    return s;
  dlc_cuda::Scope scope;
  if (std::string error = dlc_cuda::beginCall(stream, fn.name, fn.tensorMaps);
      !error.empty())
    return fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
  struct EndCall {
    ~EndCall() { dlc_cuda::endCall(); }
  } endCall;
  struct Staged {
    void *host, *device;
    size_t bytes;
  };
  std::vector<Staged> staged;
  auto cleanup = [&] {
    for (Staged &s : staged)
      dlc_cuda::release(s.device);
  };
  std::vector<DLTensor> in(inputs, inputs + num_inputs),
      out(outputs, outputs + num_outputs);
  auto stage = [&](DLTensor &t, const char *kind, size_t index,
                   const TensorSpec &spec, bool copyIn) -> dlc_status {
    if (t.device.device_type == kDLCUDA)
      return DLC_OK;
    std::vector<int64_t> unused; // checked as the CPU tensor it is
    if (dlc_status s = checkTensor(fn, kind, index, spec, t, unused, kDLCPU))
      return s;
    void *host = static_cast<char *>(t.data) + t.byte_offset;
    size_t bytes = numElements(spec.shape) * ((spec.dtype.bits + 7) / 8);
    void *device = nullptr;
    for (Staged &s : staged)
      if (s.host == host && s.bytes == bytes)
        device = s.device;
    if (!device) {
      std::string error = dlc_cuda::allocate(&device, bytes);
      if (error.empty() && copyIn)
        error = dlc_cuda::copyToDevice(device, host, bytes);
      staged.push_back({host, device, bytes});
      if (!error.empty())
        return fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
    }
    t.data = device;
    t.byte_offset = 0;
    t.strides = nullptr;
    t.device = {kDLCUDA, dlc_cuda::deviceOrdinal()};
    return DLC_OK;
  };
  dlc_status status = DLC_OK;
  for (size_t i = 0; i < num_inputs && !status; ++i)
    status = stage(in[i], "input", i, fn.inputs[i], true);
  for (size_t o = 0; o < num_outputs && !status; ++o)
    status = stage(out[o], "output", o, fn.outputs[o], false);
  // An in-out pair given as two host buffers: the update runs in place in
  // the output's device buffer, filled with the input (left unchanged).
  for (size_t o = 0; o < num_outputs && !status; ++o) {
    int64_t j = fn.outputs[o].inout;
    if (j < 0 || outputs[o].device.device_type == kDLCUDA ||
        inputs[j].device.device_type == kDLCUDA || in[j].data == out[o].data)
      continue;
    size_t bytes =
        numElements(fn.outputs[o].shape) * ((fn.outputs[o].dtype.bits + 7) / 8);
    std::string error = dlc_cuda::copyToDevice(
        out[o].data, static_cast<char *>(inputs[j].data) + inputs[j].byte_offset,
        bytes);
    if (!error.empty())
      status = fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
    in[j] = out[o];
  }
  if (!status)
    status = callChecked(fn, in.data(), num_inputs, out.data(), num_outputs,
                         kDLCUDA);
  // Outputs back to the host buffers they stand for (each staged buffer an
  // output wrote: outputs, and inputs updated in place).
  for (size_t o = 0; o < num_outputs && !status; ++o) {
    if (outputs[o].device.device_type == kDLCUDA)
      continue;
    void *host = static_cast<char *>(outputs[o].data) + outputs[o].byte_offset;
    for (Staged &s : staged)
      if (s.host == host) {
        std::string error = dlc_cuda::copyToHost(host, s.device, s.bytes);
        if (!error.empty())
          status = fail(DLC_ERROR_DEVICE, fn.name + ": " + error);
        break;
      }
  }
  cleanup();
  return status;
}
} // namespace

} // extern "C"
