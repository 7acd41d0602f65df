//===- SIMTEmulatorTest.cpp - the SIMT emulator's own checks --------------===//
//
// Kernels written by hand against the emulator's functions (those that
// convert-gpu-to-simt-emulator makes kernels call): barrier intervals run in
// both orders so that a missing barrier shows, shared memory starts as
// garbage, shuffles follow the PTX ISA's lanes, cp.async lands at its wait,
// and a warp operation that not every lane reaches stops the process.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
void dlc_simt_launch(const char *kernel, void (*entry)(void **), void **params,
                     int64_t gx, int64_t gy, int64_t gz, int64_t bx, int64_t by,
                     int64_t bz, int32_t sharedBytes);
int64_t dlc_simt_id(int32_t which);
int64_t dlc_simt_lane_id();
void dlc_simt_barrier();
void dlc_simt_shared(int64_t address, int64_t bytes);
int64_t dlc_simt_shuffle(int64_t bits, int32_t offset, int32_t width,
                         int32_t mode);
int32_t dlc_simt_shuffle_valid(int32_t offset, int32_t width, int32_t mode);
void dlc_simt_cp_async(int64_t dst, int64_t src, int64_t bytes,
                       int64_t srcBytes);
void dlc_simt_cp_async_commit();
void dlc_simt_cp_async_wait(int32_t n);
void dlc_simt_out_of_bounds(int64_t message, int64_t index, int64_t extent,
                            int64_t size);
void dlc_simt_access(int64_t site, int64_t address, int32_t bytes,
                     int32_t flags);
void dlc_simt_write_profile(const char *path);
}

namespace {

constexpr int kThreads = 64;
float shared[kThreads];

int64_t address(const void *p) { return reinterpret_cast<int64_t>(p); }
int64_t threadX() { return dlc_simt_id(0); }
int64_t blockX() { return dlc_simt_id(3); }

/// Thread t of block b writes shared[t], then (with a barrier between, or
/// not) reads the element `offset` threads away into out[b][t].
template <bool Barrier, int Offset> void neighbour(void **params) {
  auto *out = *static_cast<float **>(params[0]);
  dlc_simt_shared(address(shared), sizeof shared);
  int64_t t = threadX();
  shared[t] = static_cast<float>(t + 1);
  if (Barrier)
    dlc_simt_barrier();
  out[blockX() * kThreads + t] = shared[(t + Offset + kThreads) % kThreads];
}

template <bool Barrier, int Offset> std::vector<float> runNeighbour() {
  std::vector<float> out(2 * kThreads);
  float *data = out.data();
  void *params[] = {&data};
  dlc_simt_launch("neighbour", neighbour<Barrier, Offset>, params, 2, 1, 1,
                  kThreads, 1, 1, 0);
  return out;
}

template <int Offset> std::vector<float> expectedNeighbour() {
  std::vector<float> out(2 * kThreads);
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < kThreads; ++t)
      out[b * kThreads + t] = static_cast<float>((t + Offset + kThreads) % kThreads + 1);
  return out;
}

TEST(SIMTEmulator, BarrierOrdersSharedMemory) {
  EXPECT_EQ((runNeighbour<true, 1>()), expectedNeighbour<1>());
  EXPECT_EQ((runNeighbour<true, -1>()), expectedNeighbour<-1>());
}

TEST(SIMTEmulator, MissingBarrierGivesWrongResults) {
  // Reading a later thread's element: wrong where threads run in
  // increasing order (block 0); an earlier thread's: wrong in decreasing
  // order (block 1). Unwritten shared memory reads as NaN.
  for (auto [out, expected] :
       {std::make_pair(runNeighbour<false, 1>(), expectedNeighbour<1>()),
        std::make_pair(runNeighbour<false, -1>(), expectedNeighbour<-1>())}) {
    int wrong = 0;
    for (size_t i = 0; i < out.size(); ++i)
      wrong += !(out[i] == expected[i]);
    EXPECT_GT(wrong, 0);
  }
  std::vector<float> forward = runNeighbour<false, 1>();
  EXPECT_TRUE(std::isnan(forward[0])) << "thread 0 of block 0 ran first";
  std::vector<float> backward = runNeighbour<false, -1>();
  EXPECT_EQ(backward[1], 1.0f) << "block 0 runs forward: thread 0 was done";
  EXPECT_TRUE(std::isnan(backward[kThreads + 1])) << "block 1 runs backward";
}

/// Every id: out[linear block][linear thread] = the ids packed.
void ids(void **params) {
  auto *out = *static_cast<int64_t **>(params[0]);
  int64_t block = dlc_simt_id(3) + dlc_simt_id(9) * (dlc_simt_id(4) +
                                                     dlc_simt_id(10) * dlc_simt_id(5));
  int64_t thread = dlc_simt_id(0) + dlc_simt_id(6) * (dlc_simt_id(1) +
                                                      dlc_simt_id(7) * dlc_simt_id(2));
  out[block * 16 + thread] = dlc_simt_id(0) | dlc_simt_id(1) << 4 |
                             dlc_simt_id(2) << 8 | dlc_simt_id(3) << 12 |
                             dlc_simt_id(4) << 16 | dlc_simt_id(5) << 20 |
                             dlc_simt_lane_id() << 24;
}

TEST(SIMTEmulator, ThreadAndBlockIds) {
  std::vector<int64_t> out(6 * 16, -1);
  int64_t *data = out.data();
  void *params[] = {&data};
  dlc_simt_launch("ids", ids, params, 2, 1, 3, 4, 2, 2, 0);
  for (int64_t bz = 0; bz < 3; ++bz)
    for (int64_t bx = 0; bx < 2; ++bx)
      for (int64_t tz = 0; tz < 2; ++tz)
        for (int64_t ty = 0; ty < 2; ++ty)
          for (int64_t tx = 0; tx < 4; ++tx) {
            int64_t thread = tx + 4 * (ty + 2 * tz);
            EXPECT_EQ(out[(bx + 2 * bz) * 16 + thread],
                      tx | ty << 4 | tz << 8 | bx << 12 | bz << 20 |
                          (thread % 32) << 24);
          }
}

/// Lane sums by xor shuffles, and a down shuffle's validity.
void shuffles(void **params) {
  auto *out = *static_cast<int64_t **>(params[0]);
  int64_t t = threadX();
  int64_t sum = t;
  for (int offset = 16; offset > 0; offset /= 2)
    sum += dlc_simt_shuffle(sum, offset, 32, /*xor=*/0);
  out[t] = sum;
  // Segments of 8 lanes: lane l reads l + 3 where that stays in its
  // segment, its own value otherwise.
  out[kThreads + t] = dlc_simt_shuffle(t, 3, 8, /*down=*/1);
  out[2 * kThreads + t] = dlc_simt_shuffle_valid(3, 8, /*down=*/1);
}

TEST(SIMTEmulator, Shuffles) {
  std::vector<int64_t> out(3 * kThreads);
  int64_t *data = out.data();
  void *params[] = {&data};
  dlc_simt_launch("shuffles", shuffles, params, 1, 1, 1, kThreads, 1, 1, 0);
  for (int64_t t = 0; t < kThreads; ++t) {
    int64_t warpBase = t / 32 * 32;
    EXPECT_EQ(out[t], 32 * warpBase + 31 * 32 / 2) << t;
    bool valid = t % 8 + 3 < 8;
    EXPECT_EQ(out[kThreads + t], valid ? t + 3 : t) << t;
    EXPECT_EQ(out[2 * kThreads + t], valid) << t;
  }
}

alignas(16) float staged[4];

/// A cp.async of 12 bytes (8 read, 4 zeroed): seen only after its wait.
void asyncCopy(void **params) {
  auto *out = *static_cast<float **>(params[0]);
  const float *source = *static_cast<float **>(params[1]);
  dlc_simt_shared(address(staged), sizeof staged);
  dlc_simt_cp_async(address(staged), address(source), 12, 8);
  dlc_simt_cp_async_commit();
  out[0] = staged[0]; // before the wait: as the block started
  dlc_simt_cp_async_wait(0);
  for (int i = 0; i < 3; ++i)
    out[1 + i] = staged[i];
}

TEST(SIMTEmulator, CpAsyncLandsAtItsWait) {
  float source[3] = {1.5f, 2.5f, 3.5f};
  float out[4];
  float *outData = out, *sourceData = source;
  void *params[] = {&outData, &sourceData};
  dlc_simt_launch("copy", asyncCopy, params, 1, 1, 1, 1, 1, 1, 0);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_EQ(out[1], 1.5f);
  EXPECT_EQ(out[2], 2.5f);
  EXPECT_EQ(out[3], 0.0f);
}

/// Lane 0 exits; the others shuffle with it.
void divergent(void **) {
  if (threadX() == 0)
    return;
  dlc_simt_shuffle(threadX(), 1, 32, /*xor=*/0);
}

TEST(SIMTEmulatorDeathTest, ShuffleFromAnExitedLane) {
  EXPECT_DEATH(dlc_simt_launch("divergent", divergent, nullptr, 1, 1, 1, 32,
                               1, 1, 0),
               "kernel divergent.*shuffle from lane 0, which has exited");
}

/// Thread 0 waits at a barrier that the others skip... after a shuffle they
/// never reach.
void stuck(void **) {
  if (threadX() < 16)
    dlc_simt_shuffle(threadX(), 16, 32, /*xor=*/0);
  dlc_simt_barrier();
}

TEST(SIMTEmulatorDeathTest, WarpOperationNotAllLanesReach) {
  EXPECT_DEATH(dlc_simt_launch("stuck", stuck, nullptr, 1, 1, 1, 32, 1, 1, 0),
               "16 threads wait in a warp-wide operation");
}

TEST(SIMTEmulatorDeathTest, BadLaunches) {
  EXPECT_DEATH(dlc_simt_launch("big", ids, nullptr, 1, 1, 1, 2048, 1, 1, 0),
               "2048 threads a block");
  EXPECT_DEATH(dlc_simt_launch("empty", ids, nullptr, 0, 1, 1, 32, 1, 1, 0),
               "every size must be positive");
}

/// Memory profile (trace-memory): a warp's nth access of a site is one
/// request. Global: the 32-byte sectors it touches; shared: wavefronts,
/// the most distinct 4-byte words in one of 32 banks, per phase (the warp;
/// half warps for 8 bytes a lane, quarter warps for 16; ldmatrix a tile).
alignas(128) float profiled[64 * 32];
const char kCoalesced[] = "coalesced", kStrided[] = "strided",
           kBroadcast[] = "broadcast", kConflicts[] = "conflicts",
           kVectors[] = "vectors", kColumn[] = "column";

void accesses(void **) {
  int64_t t = threadX();
  // Consecutive floats: 4 sectors of global memory, 1 wavefront of shared.
  dlc_simt_access(address(kCoalesced), address(&profiled[t]), 4, 0);
  dlc_simt_access(address(kCoalesced), address(&profiled[t]), 4, 2);
  // A float every 32: 32 sectors; 32 words of one bank, 32 wavefronts.
  dlc_simt_access(address(kStrided), address(&profiled[t * 32]), 4, 0);
  dlc_simt_access(address(kStrided), address(&profiled[t * 32]), 4, 2);
  // One float for all: 1 wavefront (a broadcast).
  dlc_simt_access(address(kBroadcast), address(&profiled[5]), 4, 2);
  // Two floats a bank: lanes t and t + 16 read words 2t and 2t + 32... of
  // the same bank pairwise: 2 wavefronts.
  dlc_simt_access(address(kConflicts), address(&profiled[(t % 16) * 2 + (t / 16) * 64]),
                  4, 2);
  // 16 bytes a lane, consecutive: 4 quarter-warp phases, 1 wavefront each.
  dlc_simt_access(address(kVectors), address(&profiled[t * 4]), 16, 2);
  // ldmatrix .x4 of rows 128 bytes apart (one bank group): 8 wavefronts a
  // tile, 32 for the 4 tiles; the same rows 144 bytes apart: 1 a tile.
  dlc_simt_access(address(kColumn), address(&profiled[t * 32]), 16, 2 | 4 | (4 << 8));
  dlc_simt_access(address(kColumn), address(&profiled[t * 36]), 16, 2 | 4 | (4 << 8));
}

TEST(SIMTEmulator, MemoryProfileCountsSectorsAndWavefronts) {
  char path[] = "/tmp/dlc-simt-profile-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  dlc_simt_launch("profiled", accesses, nullptr, 2, 1, 1, 32, 1, 1, 0);
  dlc_simt_write_profile(path);
  FILE *f = fopen(path, "r");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, f))
    text += buffer;
  fclose(f);
  unlink(path);
  // Per kernel: launches, blocks, and a warp's global requests at most
  // (coalesced and strided, once a block each).
  EXPECT_NE(text.find("profiled: kernel: 1 launches, 2 blocks of 32 threads, "
                      "at most 2 global requests a warp"),
            std::string::npos)
      << text;
  // Two blocks: 2 requests of each.
  EXPECT_NE(text.find("profiled: global coalesced: 2 requests, 8 sectors, 4.00 "
                      "per request, 100% of their bytes used"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: shared coalesced: 2 requests, 2 wavefronts, "
                      "1.00 per request, 1.00x the fewest (2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: global strided: 2 requests, 64 sectors, 32.00 "
                      "per request, 12% of their bytes used"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: shared strided: 2 requests, 64 wavefronts, "
                      "32.00 per request, 32.00x the fewest (2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: shared broadcast: 2 requests, 2 wavefronts"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: shared conflicts: 2 requests, 4 wavefronts"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("profiled: shared vectors: 2 requests, 8 wavefronts, "
                      "4.00 per request, 1.00x the fewest (8)"),
            std::string::npos)
      << text;
  // (The two ldmatrix sites share a name: 4 requests, 2 x 32 + 2 x 4.)
  EXPECT_NE(text.find("profiled: shared column: 4 requests, 72 wavefronts"),
            std::string::npos)
      << text;
}

/// Block 1's thread 2 fails a bounds check (the checks themselves are
/// generated code: test/Target/CUDA/kernels-on-cpu-bounds.mlir).
void outOfBounds(void **) {
  if (blockX() == 1 && threadX() == 2)
    dlc_simt_out_of_bounds(address("memref.load (read) dimension 1 at m.mlir:3:5"),
                           6, 4, 8);
}

TEST(SIMTEmulatorDeathTest, OutOfBoundsNamesTheThread) {
  EXPECT_DEATH(dlc_simt_launch("oob", outOfBounds, nullptr, 2, 1, 1, 4, 1, 1,
                               0),
               "kernel oob, block \\(1, 0, 0\\), thread 2: out-of-bounds "
               "access: memref.load \\(read\\) dimension 1 at m.mlir:3:5: "
               "elements \\[6, 10\\) of 8");
  // Host code's checks run outside any launch.
  EXPECT_DEATH(dlc_simt_out_of_bounds(address("memref.subview (view)"), -1, 2,
                                      8),
               "host code: out-of-bounds access: memref.subview \\(view\\): "
               "elements \\[-1, 1\\) of 8");
}

} // namespace
