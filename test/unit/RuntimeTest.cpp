//===- RuntimeTest.cpp - the runtime on good, bad and hostile input --------===//

#include "dlc/artifact_format.h"
#include "dlc/runtime.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

namespace {

std::vector<uint8_t> fixtureBytes() {
  std::ifstream in(DLC_FIXTURE, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

dlc_artifact_header headerOf(const std::vector<uint8_t> &bytes) {
  dlc_artifact_header h;
  std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}

/// Re-seals an edited artifact with a correct checksum, so that the test
/// reaches the check after the checksum.
void reseal(std::vector<uint8_t> &bytes);

/// Sets a header field of the fixture and re-seals it.
template <typename T>
std::vector<uint8_t> withHeaderField(size_t offset, T value) {
  std::vector<uint8_t> bytes = fixtureBytes();
  std::memcpy(bytes.data() + offset, &value, sizeof value);
  reseal(bytes);
  return bytes;
}

void reseal(std::vector<uint8_t> &bytes) {
  std::memset(bytes.data() + offsetof(dlc_artifact_header, checksum), 0, 4);
  uint32_t crc = crc32(0, bytes.data(), bytes.size());
  std::memcpy(bytes.data() + offsetof(dlc_artifact_header, checksum), &crc, 4);
}

struct Loaded {
  dlc_status status;
  std::string error;
  dlc_module *module = nullptr;
  ~Loaded() { dlc_module_free(module); }
};

std::unique_ptr<Loaded> loadBytes(const std::vector<uint8_t> &bytes) {
  auto l = std::make_unique<Loaded>();
  l->status = dlc_module_load_bytes(bytes.data(), bytes.size(), &l->module);
  l->error = dlc_last_error();
  return l;
}

DLTensor tensor(void *data, DLDataType dtype, std::vector<int64_t> &shape) {
  DLTensor t{};
  t.data = data;
  t.device = {kDLCPU, 0};
  t.ndim = static_cast<int32_t>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  return t;
}

constexpr DLDataType kF32 = {kDLFloat, 32, 1};

class Axpy : public ::testing::Test {
protected:
  void SetUp() override {
    module = std::make_unique<dlc::runtime::Module>(
        dlc::runtime::Module::load(DLC_FIXTURE));
    fn = module->function("axpy").get();
  }
  dlc_status call() {
    inputs = {tensor(&alpha, kF32, scalar), tensor(x, kF32, shape),
              tensor(y, kF32, shape)};
    outputs = {tensor(out, kF32, shape)};
    return dlc_call(fn, inputs.data(), inputs.size(), outputs.data(),
                    outputs.size());
  }
  std::unique_ptr<dlc::runtime::Module> module;
  const dlc_function *fn = nullptr;
  float alpha = 2, x[5] = {1, 2, 3, 4, 5}, y[5] = {10, 20, 30, 40, 50}, out[5];
  std::vector<int64_t> scalar, shape = {5};
  std::vector<DLTensor> inputs, outputs;
};

TEST_F(Axpy, CallsAndComputes) {
  ASSERT_EQ(call(), DLC_OK) << dlc_last_error();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(out[i], 2 * x[i] + y[i]);
}

TEST_F(Axpy, DescribesItself) {
  EXPECT_EQ(dlc_function_num_inputs(fn), 3u);
  EXPECT_EQ(dlc_function_num_outputs(fn), 1u);
  dlc_tensor_spec a = dlc_function_input(fn, 0), x = dlc_function_input(fn, 1);
  EXPECT_STREQ(a.name, "alpha");
  EXPECT_EQ(a.ndim, 0);
  EXPECT_STREQ(x.name, "x");
  ASSERT_EQ(x.ndim, 1);
  EXPECT_EQ(x.shape[0], 5);
  EXPECT_EQ(x.dtype.code, kDLFloat);
  EXPECT_EQ(x.dtype.bits, 32);
  EXPECT_EQ(dlc_function_input(fn, 3).ndim, -1); // out of range
  std::string manifest = dlc_module_manifest(nullptr);
  EXPECT_EQ(manifest, "");
  EXPECT_NE(module->manifest().find("\"x86-64-v2\""), std::string::npos);
}

TEST_F(Axpy, RejectsWrongShape) {
  shape = {4};
  EXPECT_EQ(call(), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: input 1 ('x'): expected f32[5], found f32[4]");
}

TEST_F(Axpy, RejectsWrongDtype) {
  call();
  double xd[5] = {};
  inputs[1].data = xd;
  inputs[1].dtype = {kDLFloat, 64, 1};
  EXPECT_EQ(dlc_call(fn, inputs.data(), 3, outputs.data(), 1),
            DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: input 1 ('x'): expected f32[5], found f64[5]");
}

TEST_F(Axpy, RejectsWrongCounts) {
  call();
  EXPECT_EQ(dlc_call(fn, inputs.data(), 2, outputs.data(), 1),
            DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: expected 3 inputs and 1 outputs, found 2 and 1");
  EXPECT_EQ(dlc_call(fn, nullptr, 3, outputs.data(), 1), DLC_ERROR_ARGUMENT);
  EXPECT_EQ(dlc_call(nullptr, inputs.data(), 3, outputs.data(), 1),
            DLC_ERROR_ARGUMENT);
}

TEST_F(Axpy, RejectsNonCpuStridedNullAndAliasing) {
  call();
  std::vector<DLTensor> in = inputs, out = outputs;
  in[2].device = {kDLCUDA, 0};
  EXPECT_EQ(dlc_call(fn, in.data(), 3, out.data(), 1), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: input 2 ('y'): expected a CPU tensor, found device type 2");

  in = inputs;
  int64_t strides[] = {2};
  in[1].strides = strides;
  EXPECT_EQ(dlc_call(fn, in.data(), 3, out.data(), 1), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: input 1 ('x'): expected a compact row-major tensor, "
               "found strides [2] for shape [5]");
  int64_t compact[] = {1};
  in[1].strides = compact; // explicit compact strides are fine
  EXPECT_EQ(dlc_call(fn, in.data(), 3, out.data(), 1), DLC_OK);

  in = inputs;
  out[0].data = nullptr;
  EXPECT_EQ(dlc_call(fn, in.data(), 3, out.data(), 1), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(), "axpy: output 0: data pointer is NULL");

  out = outputs;
  out[0].data = x; // writes where it reads
  EXPECT_EQ(dlc_call(fn, in.data(), 3, out.data(), 1), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "axpy: output 0 overlaps input 1; pass distinct buffers");
}

TEST_F(Axpy, ConcurrentCalls) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      float a = static_cast<float>(t), r[5];
      std::vector<int64_t> s0, s1 = {5};
      for (int rep = 0; rep < 200; ++rep) {
        DLTensor in[] = {tensor(&a, kF32, s0), tensor(x, kF32, s1),
                         tensor(y, kF32, s1)};
        DLTensor o[] = {tensor(r, kF32, s1)};
        if (dlc_call(fn, in, 3, o, 1) != DLC_OK || r[4] != a * 5 + 50)
          return;
      }
      ok[t] = 1;
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < 8; ++t)
    EXPECT_EQ(ok[t], 1) << "thread " << t;
}

TEST(Runtime, BoolTensorsAndSeveralOutputs) {
  auto module = dlc::runtime::Module::load(DLC_FIXTURE);
  auto fn = module.function("count");
  bool mask[6] = {true, false, true, true, false, false}, same[6];
  int64_t n = -1;
  std::vector<int64_t> shape = {2, 3}, scalar;
  // NumPy exports bool as kDLBool (code 6, DLPack >= 0.8): accepted as i1.
  std::vector<DLTensor> in = {tensor(mask, {6, 8, 1}, shape)};
  std::vector<DLTensor> out = {tensor(&n, {kDLInt, 64, 1}, scalar),
                               tensor(same, {kDLUInt, 8, 1}, shape)};
  fn.call(in, out);
  EXPECT_EQ(n, 3);
  for (bool b : same)
    EXPECT_TRUE(b);
}

/// @sgd: w is in-out (output 1), loss = sum(old w), w' = w - 0.5 g.
class InOut : public ::testing::Test {
protected:
  void SetUp() override {
    module = std::make_unique<dlc::runtime::Module>(
        dlc::runtime::Module::load(DLC_FIXTURE));
    fn = module->function("sgd").get();
  }
  dlc_status call(float *wIn, float *wOut) {
    std::vector<DLTensor> in = {tensor(wIn, kF32, shape), tensor(g, kF32, shape)};
    std::vector<DLTensor> out = {tensor(&loss, kF32, scalar),
                                 tensor(wOut, kF32, shape)};
    return dlc_call(fn, in.data(), in.size(), out.data(), out.size());
  }
  std::unique_ptr<dlc::runtime::Module> module;
  const dlc_function *fn = nullptr;
  float w[4] = {1, 2, 3, 4}, g[4] = {2, 4, 6, 8}, loss = 0;
  std::vector<int64_t> scalar, shape = {4};
};

TEST_F(InOut, DescribesTheInOutOutput) {
  EXPECT_EQ(dlc_function_output_inout(fn, 0), -1);
  EXPECT_EQ(dlc_function_output_inout(fn, 1), 0);
  EXPECT_EQ(dlc_function_output_inout(fn, 2), -1); // out of range
  EXPECT_EQ(dlc_function_output_inout(nullptr, 0), -1);
}

TEST_F(InOut, UpdatesInPlace) {
  for (int step = 0; step < 2; ++step) {
    ASSERT_EQ(call(w, w), DLC_OK) << dlc_last_error();
    EXPECT_EQ(loss, step == 0 ? 10.0f : 0.0f);
  }
  // Two steps of w -= 0.5 g from {1, 2, 3, 4}.
  const float expected[4] = {-1, -2, -3, -4};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(w[i], expected[i]);
}

TEST_F(InOut, DistinctBuffersLeaveTheInputUnchanged) {
  float updated[4] = {};
  ASSERT_EQ(call(w, updated), DLC_OK) << dlc_last_error();
  EXPECT_EQ(loss, 10.0f);
  const float before[4] = {1, 2, 3, 4}, after[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(w[i], before[i]);
    EXPECT_EQ(updated[i], after[i]);
  }
}

TEST_F(InOut, RejectsPartialOverlapAndAliasingOfOtherTensors) {
  float buffer[5] = {1, 2, 3, 4, 5};
  // The in-out output shifted by one element over its input.
  EXPECT_EQ(call(buffer, buffer + 1), DLC_ERROR_ARGUMENT);
  EXPECT_EQ(std::string(dlc_last_error()),
            "sgd: output 1 overlaps input 0 without being exactly it (an "
            "in-out pair is one buffer or two disjoint ones)");
  // The in-out output on another input.
  EXPECT_EQ(call(w, g), DLC_ERROR_ARGUMENT);
  EXPECT_EQ(std::string(dlc_last_error()),
            "sgd: output 1 overlaps input 1; pass distinct buffers");
  const float unchanged[4] = {2, 4, 6, 8};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(g[i], unchanged[i]);
}

TEST(BadFile, ManifestWithBadInOut) {
  std::vector<uint8_t> bytes = fixtureBytes();
  dlc_artifact_header h = headerOf(bytes);
  std::string manifest(reinterpret_cast<char *>(bytes.data() + h.manifest_offset),
                       h.manifest_size);
  size_t at = manifest.find("\"inout\":0");
  ASSERT_NE(at, std::string::npos) << manifest;
  manifest.replace(at, 9, "\"inout\":7"); // no input 7
  std::memcpy(bytes.data() + h.manifest_offset, manifest.data(), manifest.size());
  reseal(bytes);
  auto l = loadBytes(bytes);
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_EQ(l->error, "manifest: output 1 of sgd is in-out with input 7, which "
                      "does not exist, has another type or is already updated "
                      "by another output");
}

TEST(Runtime, UnknownEntryPointListsTheKnownOnes) {
  auto module = dlc::runtime::Module::load(DLC_FIXTURE);
  try {
    module.function("predict");
    FAIL() << "expected an error";
  } catch (const dlc::runtime::Error &e) {
    EXPECT_EQ(e.status(), DLC_ERROR_NOT_FOUND);
    EXPECT_STREQ(e.what(), "no entry point 'predict' (available: axpy, count, sgd)");
  }
}

TEST(Runtime, DeviceMemoryNeedsACudaModule) {
  auto module = dlc::runtime::Module::load(DLC_FIXTURE);
  EXPECT_EQ(module.device(), kDLCPU);
  void *pointer = reinterpret_cast<void *>(1);
  EXPECT_EQ(dlc_device_alloc(module.get(), 64, &pointer), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "dlc_device_alloc: this module runs on the CPU; its tensors are "
               "host memory (device memory is for CUDA artifacts)");
  float a = 1, b = 0;
  EXPECT_EQ(dlc_device_copy(module.get(), &b, &a, 4), DLC_ERROR_ARGUMENT);
  EXPECT_EQ(b, 0);
  EXPECT_EQ(dlc_device_free(nullptr, nullptr), DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(), "dlc_device_free: module is NULL");
  EXPECT_EQ(dlc_module_device(nullptr), kDLCPU);
  EXPECT_EQ(module.deviceId(), 0);
  EXPECT_EQ(dlc_module_device_id(nullptr), 0);
}

TEST(Runtime, CallOnStreamOfACpuModule) {
  auto module = dlc::runtime::Module::load(DLC_FIXTURE);
  auto fn = module.function("count");
  bool mask[6] = {true, false, true, true, false, false}, same[6];
  int64_t n = -1;
  std::vector<int64_t> shape = {2, 3}, scalar;
  DLTensor in[] = {tensor(mask, {kDLUInt, 8, 1}, shape)};
  DLTensor out[] = {tensor(&n, {kDLInt, 64, 1}, scalar),
                    tensor(same, {kDLUInt, 8, 1}, shape)};
  // A CPU artifact has no stream to run on.
  int dummy;
  EXPECT_EQ(dlc_call_on_stream(fn.get(), in, 1, out, 2, &dummy),
            DLC_ERROR_ARGUMENT);
  EXPECT_STREQ(dlc_last_error(),
               "count: runs on the CPU; a CUDA stream was given (pass NULL)");
  EXPECT_EQ(n, -1);
  // Without one it is dlc_call.
  EXPECT_EQ(dlc_call_on_stream(fn.get(), in, 1, out, 2, nullptr), DLC_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(dlc_call_on_stream(nullptr, in, 1, out, 2, nullptr),
            DLC_ERROR_ARGUMENT);
}

TEST(Runtime, CudaDevice) {
  // No GPU: an error naming what is missing (here the driver, in the
  // environments these tests run in without one); with one, what it is.
  // (The stand-in driver's answers are tested in gpu-arch-native.test.)
  if (dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL) == nullptr) {
    try {
      dlc::runtime::cudaDevice();
      FAIL() << "expected an error";
    } catch (const dlc::runtime::Error &e) {
      EXPECT_EQ(e.status(), DLC_ERROR_DEVICE);
      EXPECT_EQ(std::string(e.what()).rfind(
                    "no NVIDIA GPU: the NVIDIA driver library libcuda.so.1 "
                    "could not be loaded (",
                    0),
                0u)
          << e.what();
    }
    // (Null pointers are allowed; the error is the same.)
    EXPECT_EQ(dlc_cuda_device(nullptr, nullptr, nullptr), DLC_ERROR_DEVICE);
    return;
  }
  int32_t ordinal = -1, capability = -1;
  const char *name = nullptr;
  if (dlc_cuda_device(&ordinal, &capability, &name) != DLC_OK)
    GTEST_SKIP() << "a driver without a usable GPU: " << dlc_last_error();
  EXPECT_GE(ordinal, 0);
  EXPECT_GE(capability, 30);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(dlc_cuda_device(nullptr, nullptr, nullptr), DLC_OK);
}

TEST(Runtime, AbiVersion) {
  EXPECT_EQ(dlc_runtime_abi_version(), DLC_RUNTIME_ABI_VERSION);
}

TEST(BadFile, Missing) {
  dlc_module *m = nullptr;
  EXPECT_EQ(dlc_module_load("/nonexistent/model.dlc", &m), DLC_ERROR_IO);
  EXPECT_EQ(m, nullptr);
  EXPECT_STREQ(dlc_last_error(),
               "/nonexistent/model.dlc: cannot open: No such file or directory");
  EXPECT_EQ(dlc_module_load(nullptr, &m), DLC_ERROR_ARGUMENT);
}

TEST(BadFile, TruncatedHeader) {
  std::vector<uint8_t> bytes = fixtureBytes();
  for (size_t size : {size_t(0), size_t(10), size_t(63)}) {
    auto l = loadBytes(std::vector<uint8_t>(bytes.begin(), bytes.begin() + size));
    EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
    EXPECT_NE(l->error.find("truncated"), std::string::npos) << l->error;
    EXPECT_EQ(l->module, nullptr);
  }
}

TEST(BadFile, TruncatedBody) {
  std::vector<uint8_t> bytes = fixtureBytes();
  for (size_t size : {size_t(64), size_t(200), bytes.size() / 2, bytes.size() - 1}) {
    auto l = loadBytes(std::vector<uint8_t>(bytes.begin(), bytes.begin() + size));
    EXPECT_EQ(l->status, DLC_ERROR_FORMAT) << "size " << size;
    EXPECT_NE(l->error.find("extend past the end"), std::string::npos) << l->error;
  }
}

TEST(BadFile, EveryCorruptedByteIsCaught) {
  std::vector<uint8_t> bytes = fixtureBytes();
  ASSERT_GT(bytes.size(), 4096u);
  // Header, manifest and payload: every byte of the first 512, then a stride
  // through the rest, and the last byte.
  std::vector<size_t> offsets;
  for (size_t i = 0; i < 512; ++i)
    offsets.push_back(i);
  for (size_t i = 512; i < bytes.size(); i += 61)
    offsets.push_back(i);
  offsets.push_back(bytes.size() - 1);
  for (size_t offset : offsets) {
    std::vector<uint8_t> bad = bytes;
    bad[offset] ^= 0x5a;
    auto l = loadBytes(bad);
    ASSERT_NE(l->status, DLC_OK) << "corruption at byte " << offset << " loaded";
    ASSERT_EQ(l->module, nullptr);
  }
}

TEST(BadFile, CorruptionReportsTheChecksum) {
  std::vector<uint8_t> bytes = fixtureBytes();
  dlc_artifact_header h = headerOf(bytes);
  bytes[h.payload_offset + 100] ^= 1;
  auto l = loadBytes(bytes);
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_NE(l->error.find("checksum mismatch"), std::string::npos) << l->error;
  EXPECT_NE(l->error.find("the file is corrupted"), std::string::npos);
}

TEST(BadFile, NotAnArtifact) {
  std::vector<uint8_t> bytes = fixtureBytes();
  dlc_artifact_header h = headerOf(bytes);
  // The ELF payload alone is a valid shared object but not an artifact.
  std::vector<uint8_t> elf(bytes.begin() + h.payload_offset, bytes.end());
  auto l = loadBytes(elf);
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_EQ(l->error, "<memory>: not a dlc artifact (bad magic bytes)");
}

TEST(BadFile, NewerFormatVersion) {
  auto l = loadBytes(withHeaderField(offsetof(dlc_artifact_header, format_version),
                                     DLC_ARTIFACT_FORMAT_VERSION + 1));
  EXPECT_EQ(l->status, DLC_ERROR_VERSION);
  EXPECT_EQ(l->error, "<memory>: artifact format version 3 is newer than this "
                      "runtime supports (2); update the dlc runtime");
}

TEST(BadFile, ForeignArchitecture) {
  auto l = loadBytes(
      withHeaderField(offsetof(dlc_artifact_header, machine), uint32_t{183}));
  EXPECT_EQ(l->status, DLC_ERROR_TARGET);
  EXPECT_EQ(l->error, "<memory>: compiled for aarch64 (ELF machine 183), but "
                      "this host is x86-64");
}

TEST(BadFile, MalformedManifest) {
  std::vector<uint8_t> bytes = fixtureBytes();
  dlc_artifact_header h = headerOf(bytes);
  std::memset(bytes.data() + h.manifest_offset, '{', h.manifest_size);
  reseal(bytes);
  auto l = loadBytes(bytes);
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_EQ(l->error, "<memory>: malformed manifest");
}

TEST(BadFile, ManifestWithUnknownDtype) {
  std::vector<uint8_t> bytes = fixtureBytes();
  dlc_artifact_header h = headerOf(bytes);
  std::string manifest(reinterpret_cast<char *>(bytes.data() + h.manifest_offset),
                       h.manifest_size);
  size_t at = manifest.find("\"f32\"");
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at, 5, "\"f99\"");
  std::memcpy(bytes.data() + h.manifest_offset, manifest.data(), manifest.size());
  reseal(bytes);
  auto l = loadBytes(bytes);
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_NE(l->error.find("unknown dtype 'f99'"), std::string::npos) << l->error;
}

TEST(BadFile, SectionsOutsideTheFile) {
  auto l = loadBytes(withHeaderField(offsetof(dlc_artifact_header, payload_size),
                                     ~uint64_t{0} - 10));
  EXPECT_EQ(l->status, DLC_ERROR_FORMAT);
  EXPECT_NE(l->error.find("extend past the end"), std::string::npos) << l->error;
}

} // namespace
