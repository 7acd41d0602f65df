//===- FakeCudaTest.cpp - the stand-in driver's checks fire --------------===//
//
// The integration suites' "errors 0" through test/fake-cuda means something
// only if its checks catch what they claim to; each test here makes one
// mistake a runtime could make and expects the fake to refuse it.
//
//===----------------------------------------------------------------------===//

#include <dlfcn.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
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

/// The CUDA toolkit's ptxas (PTXAS, PATH, /usr/local/cuda/bin), or "".
std::string findPtxas() {
  std::vector<std::string> candidates;
  if (const char *env = std::getenv("PTXAS"))
    candidates.push_back(env);
  if (const char *path = std::getenv("PATH")) {
    std::string dirs = path;
    for (size_t start = 0, end; start <= dirs.size(); start = end + 1) {
      end = dirs.find(':', start);
      if (end == std::string::npos)
        end = dirs.size();
      candidates.push_back(dirs.substr(start, end - start) + "/ptxas");
    }
  }
  candidates.push_back("/usr/local/cuda/bin/ptxas");
  for (const std::string &candidate : candidates)
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  return "";
}

TEST_F(FakeCudaTest, EnforcesRegistersPerBlock) {
  // A cubin's register count (EIATTR_REGCOUNT), as the suites' kernels
  // carry it: 80 floats loaded before a barrier and stored after it are 80
  // live registers at least; 1024 threads of them are over an SM's 64K,
  // 512 are not. (PTX has no register count: this needs ptxas.)
  std::string ptxas = findPtxas();
  if (ptxas.empty())
    GTEST_SKIP() << "no ptxas (CUDA toolkit) to make a cubin with";
  std::string ptx = ".version 8.0\n.target sm_90\n.address_size 64\n"
                    ".visible .entry wide(.param .u64 .ptr .align 16 p)\n{\n"
                    "\t.reg .b64 %a;\n\t.reg .f32 %f<80>;\n"
                    "\tld.param.u64 %a, [p];\n";
  for (int i = 0; i < 80; i += 4)
    ptx += "\tld.global.v4.f32 {%f" + std::to_string(i) + ", %f" +
           std::to_string(i + 1) + ", %f" + std::to_string(i + 2) + ", %f" +
           std::to_string(i + 3) + "}, [%a+" + std::to_string(4 * i) +
           "];\n";
  ptx += "\tbar.sync 0;\n";
  for (int i = 0; i < 80; i += 4)
    ptx += "\tst.global.v4.f32 [%a+" + std::to_string(4 * (79 - i - 3)) +
           "], {%f" + std::to_string(i + 3) + ", %f" +
           std::to_string(i + 2) + ", %f" + std::to_string(i + 1) + ", %f" +
           std::to_string(i) + "};\n";
  ptx += "\tret;\n}\n";
  std::string dir = ::testing::TempDir();
  std::string ptxFile = dir + "/fake_cuda_wide.ptx",
              cubinFile = dir + "/fake_cuda_wide.cubin";
  {
    FILE *f = std::fopen(ptxFile.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(ptx.c_str(), f);
    std::fclose(f);
  }
  std::string command = "'" + ptxas + "' -arch=sm_90 '" + ptxFile +
                        "' -o '" + cubinFile + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::vector<char> cubin;
  {
    FILE *f = std::fopen(cubinFile.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;)
      cubin.insert(cubin.end(), buffer, buffer + n);
    std::fclose(f);
  }
  void *module = nullptr, *wide = nullptr;
  ASSERT_EQ(d.cuModuleLoadData(&module, cubin.data()), 0);
  ASSERT_EQ(d.cuModuleGetFunction(&wide, module, "wide"), 0);
  CUdeviceptr p = allocate(320);
  void *params[] = {&p};
  CUresult r =
      d.cuLaunchKernel(wide, 1, 1, 1, 1024, 1, 1, 0, stream, params, nullptr);
  EXPECT_EQ(r, 701) << why(r); // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
  EXPECT_EQ(
      d.cuLaunchKernel(wide, 1, 1, 1, 512, 1, 1, 0, stream, params, nullptr),
      0);
  ASSERT_EQ(d.cuStreamSynchronize(stream), 0);
}

TEST_F(FakeCudaTest, DeviceMemoryIsNotHostMemory) {
  // As on a GPU, the host cannot dereference device memory.
  CUdeviceptr p = allocate(64);
  EXPECT_DEATH(*reinterpret_cast<volatile float *>(p) = 1, "");
}

} // namespace
