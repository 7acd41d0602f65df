//===- FakeCudaTest.cpp - the stand-in driver's checks fire --------------===//
//
// The integration suites' "errors 0" through test/fake-cuda means something
// only if its checks catch what they claim to; each test here makes one
// mistake a runtime could make and expects the fake to refuse it.
//
//===----------------------------------------------------------------------===//

#include <dlfcn.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

// One kernel with a pointer and an integer parameter.
const char *kPtx = R"(
.version 8.0
.target sm_90
.address_size 64
.visible .entry k(
	.param .u64 .ptr .align 1 k_param_0,
	.param .u64 k_param_1
)
{
	ret;
}
)";

struct Driver {
  void *lib = nullptr;
  template <typename F> F get(const char *name) {
    return reinterpret_cast<F>(dlsym(lib, name));
  }
#define FAKE_FN(name, ...) CUresult (*name)(__VA_ARGS__) = nullptr
  FAKE_FN(cuInit, unsigned);
  FAKE_FN(cuDevicePrimaryCtxRetain, void **, int);
  FAKE_FN(cuCtxPushCurrent_v2, void *);
  FAKE_FN(cuGetErrorString, CUresult, const char **);
  FAKE_FN(cuModuleLoadData, void **, const void *);
  FAKE_FN(cuModuleGetFunction, void **, void *, const char *);
  FAKE_FN(cuFuncSetAttribute, void *, int, int);
  FAKE_FN(cuLaunchKernel, void *, unsigned, unsigned, unsigned, unsigned,
          unsigned, unsigned, unsigned, void *, void **, void **);
  FAKE_FN(cuStreamCreate, void **, unsigned);
  FAKE_FN(cuStreamSynchronize, void *);
  FAKE_FN(cuMemAlloc_v2, CUdeviceptr *, size_t);
  FAKE_FN(cuMemFree_v2, CUdeviceptr);
  FAKE_FN(cuMemAllocAsync, CUdeviceptr *, size_t, void *);
  FAKE_FN(cuMemcpyHtoD_v2, CUdeviceptr, const void *, size_t);
  FAKE_FN(cuMemcpyHtoDAsync_v2, CUdeviceptr, const void *, size_t, void *);
  FAKE_FN(cuMemcpyDtoH_v2, void *, CUdeviceptr, size_t);
  FAKE_FN(cuMemcpy, CUdeviceptr, CUdeviceptr, size_t);
#undef FAKE_FN
};

class FakeCudaTest : public ::testing::Test {
protected:
  static Driver d;
  static void *function;
  void *stream = nullptr;

  static void SetUpTestSuite() {
    d.lib = dlopen(FAKE_CUDA_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(d.lib, nullptr) << dlerror();
#define FAKE_GET(name) d.name = d.get<decltype(d.name)>(#name);
    FAKE_GET(cuInit) FAKE_GET(cuDevicePrimaryCtxRetain)
    FAKE_GET(cuCtxPushCurrent_v2) FAKE_GET(cuGetErrorString)
    FAKE_GET(cuModuleLoadData) FAKE_GET(cuModuleGetFunction)
    FAKE_GET(cuFuncSetAttribute) FAKE_GET(cuLaunchKernel)
    FAKE_GET(cuStreamCreate) FAKE_GET(cuStreamSynchronize)
    FAKE_GET(cuMemAlloc_v2) FAKE_GET(cuMemFree_v2) FAKE_GET(cuMemAllocAsync)
    FAKE_GET(cuMemcpyHtoD_v2) FAKE_GET(cuMemcpyHtoDAsync_v2)
    FAKE_GET(cuMemcpyDtoH_v2) FAKE_GET(cuMemcpy)
#undef FAKE_GET
    void *context = nullptr, *module = nullptr;
    ASSERT_EQ(d.cuInit(0), 0);
    ASSERT_EQ(d.cuDevicePrimaryCtxRetain(&context, 0), 0);
    ASSERT_EQ(d.cuCtxPushCurrent_v2(context), 0);
    ASSERT_EQ(d.cuModuleLoadData(&module, kPtx), 0);
    ASSERT_EQ(d.cuModuleGetFunction(&function, module, "k"), 0);
  }

  void SetUp() override {
    ASSERT_EQ(d.cuStreamCreate(&stream, /*NON_BLOCKING=*/1), 0);
  }

  /// Launches k(pointer, 7) on `on` with `shared` bytes of dynamic shared
  /// memory and `threads` threads.
  CUresult launch(CUdeviceptr pointer, void *on, unsigned shared = 0,
                  unsigned threads = 32) {
    long long n = 7;
    void *params[] = {&pointer, &n};
    return d.cuLaunchKernel(function, 1, 1, 1, threads, 1, 1, shared, on,
                            params, nullptr);
  }

  /// The text of the last failure.
  std::string why(CUresult result) {
    const char *text = "";
    d.cuGetErrorString(result, &text);
    return text;
  }

  CUdeviceptr allocate(size_t bytes) {
    CUdeviceptr p = 0;
    EXPECT_EQ(d.cuMemAlloc_v2(&p, bytes), 0);
    return p;
  }
};

Driver FakeCudaTest::d;
void *FakeCudaTest::function = nullptr;

TEST_F(FakeCudaTest, LaunchesWithDeviceMemory) {
  CUdeviceptr p = allocate(64);
  EXPECT_EQ(launch(p, stream), 0);
  EXPECT_EQ(launch(p + 60, stream), 0); // inside the allocation
  EXPECT_EQ(launch(0, stream), 0);      // a null pointer (an empty buffer)
  EXPECT_EQ(d.cuStreamSynchronize(stream), 0);
  EXPECT_EQ(d.cuMemFree_v2(p), 0);
}

TEST_F(FakeCudaTest, RefusesHostAndFreedPointers) {
  std::vector<float> host(16);
  CUresult r = launch(reinterpret_cast<CUdeviceptr>(host.data()), stream);
  EXPECT_NE(r, 0);
  EXPECT_NE(why(r).find("pointer parameter 0"), std::string::npos) << why(r);
  CUdeviceptr p = allocate(64);
  EXPECT_NE(launch(p + 64, stream), 0); // one past the end
  ASSERT_EQ(d.cuMemFree_v2(p), 0);
  EXPECT_NE(launch(p, stream), 0);
  r = d.cuMemFree_v2(p);
  EXPECT_NE(r, 0);
  EXPECT_NE(why(r).find("freed twice"), std::string::npos) << why(r);
}

TEST_F(FakeCudaTest, RefusesUnorderedUseAcrossStreams) {
  // A synchronous cuMemcpyHtoD on the legacy stream may still be in flight
  // when a kernel on a non-blocking stream starts.
  CUdeviceptr p = allocate(64);
  float host[16] = {};
  ASSERT_EQ(d.cuMemcpyHtoD_v2(p, host, sizeof host), 0);
  CUresult r = launch(p, stream);
  EXPECT_NE(r, 0);
  EXPECT_NE(why(r).find("cuMemcpyHtoD on the legacy stream is in flight"),
            std::string::npos)
      << why(r);
  // Ordered on the kernel's stream, the same copy is fine.
  CUdeviceptr q = allocate(64);
  ASSERT_EQ(d.cuMemcpyHtoDAsync_v2(q, host, sizeof host, stream), 0);
  EXPECT_EQ(launch(q, stream), 0);
  // Memory allocated on one stream and used on another before it is
  // synchronized; then, after synchronizing, fine.
  void *other = nullptr;
  ASSERT_EQ(d.cuStreamCreate(&other, 1), 0);
  CUdeviceptr s = 0;
  ASSERT_EQ(d.cuMemAllocAsync(&s, 64, other), 0);
  EXPECT_NE(launch(s, stream), 0);
  ASSERT_EQ(d.cuStreamSynchronize(other), 0);
  EXPECT_EQ(launch(s, stream), 0);
  // A kernel's output read back before its stream is synchronized.
  EXPECT_NE(d.cuMemcpyDtoH_v2(host, s, sizeof host), 0);
  ASSERT_EQ(d.cuStreamSynchronize(stream), 0);
  EXPECT_EQ(d.cuMemcpyDtoH_v2(host, s, sizeof host), 0);
  // A device-to-device cuMemcpy does not wait.
  ASSERT_EQ(d.cuMemcpy(q, s, 64), 0);
  EXPECT_NE(launch(q, stream), 0);
}

TEST_F(FakeCudaTest, CopiesStayInsideAllocationsAndDirections) {
  CUdeviceptr p = allocate(64);
  float host[32] = {};
  EXPECT_NE(d.cuMemcpyHtoD_v2(p, host, sizeof host), 0); // 128 > 64 bytes
  EXPECT_NE(d.cuMemcpyDtoH_v2(host, p + 32, 64), 0);
  EXPECT_NE(d.cuMemcpyHtoD_v2(reinterpret_cast<CUdeviceptr>(host), host, 4), 0);
  // Copies move the bytes.
  float in[16], out[16] = {};
  for (int i = 0; i < 16; ++i)
    in[i] = i * 0.5f;
  ASSERT_EQ(d.cuMemcpyHtoDAsync_v2(p, in, sizeof in, stream), 0);
  ASSERT_EQ(d.cuStreamSynchronize(stream), 0);
  ASSERT_EQ(d.cuMemcpyDtoH_v2(out, p, sizeof out), 0);
  EXPECT_EQ(std::memcmp(in, out, sizeof in), 0);
}

TEST_F(FakeCudaTest, EnforcesLaunchLimits) {
  CUdeviceptr p = allocate(64);
  EXPECT_NE(launch(p, stream, 0, 2048), 0); // over 1024 threads
  // Over 48 KiB of dynamic shared memory needs the attribute raised.
  CUresult r = launch(p, stream, 64 * 1024);
  EXPECT_NE(r, 0);
  EXPECT_NE(why(r).find("cuFuncSetAttribute"), std::string::npos) << why(r);
  ASSERT_EQ(d.cuFuncSetAttribute(function, 8, 64 * 1024), 0);
  EXPECT_EQ(launch(p, stream, 64 * 1024), 0);
  EXPECT_NE(d.cuFuncSetAttribute(function, 8, 228 * 1024), 0); // > 227 KiB
  ASSERT_EQ(d.cuStreamSynchronize(stream), 0);
}

TEST_F(FakeCudaTest, RefusesPtxWithUnresolvedFunctions) {
  // As the driver's compiler, which links no libdevice.
  std::string ptx = std::string(kPtx) +
                    ".extern .func  (.param .b32 func_retval0) __nv_expf\n"
                    "(\n\t.param .b32 __nv_expf_param_0\n);\n";
  void *module = nullptr;
  CUresult r = d.cuModuleLoadData(&module, ptx.c_str());
  EXPECT_NE(r, 0);
  EXPECT_NE(why(r).find("PTX calls __nv_expf, which it does not define"),
            std::string::npos)
      << why(r);
}

TEST_F(FakeCudaTest, DeviceMemoryIsNotHostMemory) {
  // As on a GPU, the host cannot dereference device memory.
  CUdeviceptr p = allocate(64);
  EXPECT_DEATH(*reinterpret_cast<volatile float *>(p) = 1, "");
}

} // namespace
