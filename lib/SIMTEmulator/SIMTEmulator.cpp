//===- SIMTEmulator.cpp - GPU kernels run as CPU threads of a block -------===//
//
// The functions that `convert-gpu-to-simt-emulator` makes kernels call, so
// that the GPU pipeline's kernels (after every GPU pass: barriers, shared
// memory placement, cp.async stages, ldmatrix fragments, mma.sync, warp
// shuffles) run on a CPU and tests compare their results with NumPy where
// there is no GPU. Linked into each emulated artifact (a static library;
// the runtime knows nothing of it).
//
// Each thread of a block is a fiber (ucontext) on the calling thread; the
// blocks of a launch run one after another. A thread runs until it reaches a
// barrier or a warp-wide operation, then the next thread runs. Threads run
// in increasing order in one barrier interval and in decreasing order in the
// next (and the first interval's order alternates between blocks), so that
// a read of shared memory that a missing barrier leaves unordered with its
// write gives a wrong result in one of the two orders instead of passing by
// luck. Shared memory starts every block filled with 0xff bytes (NaN in f32,
// f16 and bf16): reading what no thread wrote shows. cp.async copies take
// effect at the cp.async.wait_group that waits for them, not before.
//
// Only the C library is used (no C++ runtime: artifacts are loaded where
// libstdc++ may not be visible to them).
//
// Misuse (a barrier or warp operation that not all threads reach, a shuffle
// from an exited lane, an unsupported shape) ends the process with a message
// naming the kernel: this is a test tool, and a kernel that would hang or
// read garbage on a GPU has no result worth returning.
//
//===----------------------------------------------------------------------===//

#include <ucontext.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kLanes = 32;
constexpr int64_t kMaxThreads = 1024;
// The most dynamic shared memory a block may have (sm_90: 227 KiB).
constexpr int64_t kMaxDynamicShared = 227 * 1024;
constexpr size_t kStackBytes = 256 * 1024;

// AtMBarrier: waiting for an mbarrier phase (runs again when one
// completes).
enum class State { Ready, AtBarrier, AtWarpOp, AtMBarrier, Done };

/// A growable array of trivially copyable elements on malloc.
template <typename T> struct Array {
  T *data = nullptr;
  size_t size = 0, capacity = 0;

  void resize(size_t n) {
    if (n > capacity) {
      capacity = n > 2 * capacity ? n : 2 * capacity;
      data = static_cast<T *>(std::realloc(data, capacity * sizeof(T)));
      if (!data)
        std::abort();
    }
    size = n;
  }
  void push_back(const T &value) {
    resize(size + 1);
    data[size - 1] = value;
  }
  void erase_front(size_t n) {
    std::memmove(data, data + n, (size - n) * sizeof(T));
    size -= n;
  }
  T &operator[](size_t i) { return data[i]; }
  T *begin() { return data; }
  T *end() { return data + size; }
};

struct Copy {
  char *dst;
  const char *src;
  int64_t bytes, srcBytes;
};

/// One memory access of a thread (convert-gpu-to-simt-emulator
/// trace-memory): `site` names the operation (a string), `flags` says how.
struct Access {
  int64_t site, address;
  int32_t bytes, flags;
};
enum : int32_t {
  kWrite = 1,
  kShared = 2,
  kLdMatrix = 4, // tiles in bits 8-15: lanes 8 * tiles and up read nothing
};

struct Thread {
  ucontext_t context;
  // (Uninitialized: pages are only touched where a thread's frames reach.)
  char *stack;
  State state;
  int64_t id[3];
  // cp.async copies not yet done, and the end (in `pending`) of each
  // committed group, oldest first.
  Array<Copy> pending;
  Array<size_t> groupEnds;
  // wgmma groups this thread committed and waited for.
  uint64_t mmaCommitted, mmaRetired;
  // Memory accesses of the current barrier interval (trace-memory).
  Array<struct Access> accesses;
};

/// What the lanes of a warp exchange in one warp-wide operation.
struct Slot {
  alignas(16) unsigned char a[16];
  unsigned char b[8];
  unsigned char c[16];
  uint64_t value;
  // The operation (the warp's generation) the lane posted for: a lane that
  // exited without posting leaves an older one.
  uint64_t generation;
};

/// An mbarrier (sm_90): its expected arrivals, those still missing in the
/// current phase, the transaction bytes still expected, and how many
/// phases have completed.
struct MBarrier {
  char *address;
  int32_t count, pending;
  int64_t tx;
  uint64_t phase;
};

/// A TMA load whose data lands in shared memory when a thread's wait sees
/// its mbarrier phase complete (as cp.async copies land at their wait):
/// `data` holds the bytes as they will lie at `dst` (swizzled).
struct TmaLoad {
  char *barrier;
  uint64_t phase;
  char *dst, *data;
  int64_t bytes;
};

/// A wgmma in flight: the operand values it read when issued, read again
/// when a wait retires it (a write to its shared-memory operands in
/// between is a race on a GPU).
struct PendingMma {
  int64_t descA, descB;
  int32_t kind, n, transposeA, transposeB;
  float *operands;
  // The bytes of shared memory A's and B's elements span.
  const char *low[2], *high[2];
};

/// What the 128 threads of a warpgroup exchange in a wgmma.
struct Warpgroup {
  int arrived = 0;
  uint64_t generation = 0;
  int64_t descA[128], descB[128];
  float *accumulators[128];
  // wgmmas issued and not retired, and the end (in `pending`) of each
  // committed group; `committed`: groups committed so far.
  Array<PendingMma> pending;
  Array<size_t> groupEnds;
  uint64_t committed = 0, retired = 0;
};

struct SharedArray {
  char *address;
  int64_t bytes;
};

struct Warp {
  int arrived = 0;
  uint64_t generation = 0;
  Slot slots[2][kLanes];
};

struct Launch {
  const char *kernel = "";
  void (*entry)(void **) = nullptr;
  void **params = nullptr;
  int64_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1}, blockId[3] = {0, 0, 0};
  int64_t threads = 0, dynamicShared = 0;
  Array<Thread> pool;
  Array<Warp> warps;
  ucontext_t scheduler;
  int64_t current = -1;
  // Shared arrays already filled in this block.
  Array<SharedArray> sharedSeen;
  // The block's mbarriers, TMA loads not landed, warpgroups.
  Array<MBarrier> barriers;
  Array<TmaLoad> tmaLoads;
  Array<Warpgroup> warpgroups;
  // Whether this launch's kernel traces its memory accesses.
  bool tracing = false;
  // Global-memory requests of each warp of the block (trace-memory).
  Array<long long> warpGlobal;
};

// (A pointer: a thread_local object with a destructor would need the C++
// runtime.) Emulated launches run on the calling thread.
thread_local Launch *state = nullptr;

[[noreturn]] void fail(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
void fail(const char *format, ...) {
  if (!state || !*state->kernel) // (a bounds check of the host code)
    std::fputs("dlc SIMT emulator: host code", stderr);
  else
    std::fprintf(stderr,
                 "dlc SIMT emulator: kernel %s, block (%lld, %lld, %lld)",
                 state->kernel, (long long)state->blockId[0],
                 (long long)state->blockId[1], (long long)state->blockId[2]);
  if (state && *state->kernel && state->current >= 0)
    std::fprintf(stderr, ", thread %lld", (long long)state->current);
  std::fputs(": ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::abort();
}

Thread &self() { return state->pool[state->current]; }
int lane() { return static_cast<int>(state->current % kLanes); }
Warp &warp() { return state->warps[state->current / kLanes]; }

/// Back to the scheduler until it resumes this thread.
void yield() {
  int64_t me = state->current;
  swapcontext(&state->pool[me].context, &state->scheduler);
  state->current = me;
}

/// The live threads of the current thread's warp.
int liveLanes(int64_t warpIndex) {
  int live = 0;
  int64_t first = warpIndex * kLanes;
  for (int64_t t = first; t < first + kLanes && t < state->threads; ++t)
    live += state->pool[t].state != State::Done;
  return live;
}

/// Releases the lanes of warp `w` waiting in a warp operation when all live
/// ones have arrived; true if released.
bool releaseWarp(int64_t w) {
  Warp &wp = state->warps[w];
  if (wp.arrived == 0 || wp.arrived < liveLanes(w))
    return false;
  wp.arrived = 0;
  ++wp.generation;
  int64_t first = w * kLanes;
  for (int64_t t = first; t < first + kLanes && t < state->threads; ++t)
    if (state->pool[t].state == State::AtWarpOp)
      state->pool[t].state = State::Ready;
  return true;
}

/// A warp-wide operation: this lane's slot is filled by `post`; returns the
/// slots of all lanes once every live lane of the warp has posted, and in
/// `posted` which lanes did (the others have exited).
template <typename Post> Slot *exchange(Post post, bool posted[kLanes]) {
  Warp &wp = warp();
  uint64_t generation = wp.generation;
  Slot *slots = wp.slots[generation & 1];
  post(slots[lane()]);
  slots[lane()].generation = generation;
  ++wp.arrived;
  int64_t w = state->current / kLanes;
  if (!releaseWarp(w)) {
    self().state = State::AtWarpOp;
    yield();
  }
  int64_t first = w * kLanes;
  for (int l = 0; l < kLanes; ++l)
    posted[l] = first + l < state->threads && slots[l].generation == generation;
  return slots;
}

void runCopies(Thread &t, size_t end) {
  for (size_t i = 0; i < end; ++i) {
    const Copy &c = t.pending[i];
    std::memcpy(c.dst, c.src, c.srcBytes);
    std::memset(c.dst + c.srcBytes, 0, c.bytes - c.srcBytes);
  }
  t.pending.erase_front(end);
  for (size_t &groupEnd : t.groupEnds)
    groupEnd -= end;
}

void trampoline() {
  state->entry(state->params);
  // Copies nothing waited for land anyway (as on the GPU, eventually).
  runCopies(self(), self().pending.size);
  self().groupEnds.resize(0);
  self().state = State::Done;
  releaseWarp(state->current / kLanes);
  setcontext(&state->scheduler);
}

/// What the warps' requests of one operation of one kernel cost: for
/// shared memory, wavefronts (bank conflicts serialize a request into
/// several) against the fewest its access size allows; for global memory,
/// the 32-byte sectors it touches and the bytes it asked for.
struct SiteStats {
  const char *kernel;
  const char *site;
  int32_t shared;
  long long requests, wavefronts, idealWavefronts, sectors, bytes;
};
Array<SiteStats> siteStats;

/// A traced kernel's launches: blocks, threads a block, and the most
/// global-memory requests one warp of a block issued. Few blocks with many
/// requests a warp is a kernel bound by latency on a GPU (each request
/// hundreds of cycles, and too few warps to overlap them): what a conv
/// weight gradient's 896-step partial sums in 63 blocks looked like.
struct KernelStats {
  const char *kernel;
  long long launches, blocks, threads, maxWarpRequests;
};
Array<KernelStats> kernelStats;

KernelStats &kernelStatsFor(const char *kernel) {
  for (KernelStats &k : kernelStats)
    if (k.kernel == kernel)
      return k;
  kernelStats.push_back({kernel, 0, 0, 0, 0});
  return kernelStats[kernelStats.size - 1];
}

SiteStats &statsFor(const char *site, bool shared) {
  for (SiteStats &s : siteStats)
    if (s.site == site && s.kernel == state->kernel && s.shared == shared)
      return s;
  siteStats.push_back({state->kernel, site, shared, 0, 0, 0, 0, 0});
  return siteStats[siteStats.size - 1];
}

/// The distinct `unit`-byte units (4-byte words, 32-byte sectors) the
/// lanes' byte ranges touch, into `units` (room for `room`); their count.
int distinctUnits(const Access *const *lanes, int count, int64_t unit,
                  int64_t *units, int room) {
  int n = 0;
  for (int i = 0; i < count; ++i)
    for (int64_t u = lanes[i]->address / unit;
         u <= (lanes[i]->address + lanes[i]->bytes - 1) / unit; ++u) {
      bool seen = false;
      for (int j = 0; j < n && !seen; ++j)
        seen = units[j] == u;
      if (!seen && n < room)
        units[n++] = u;
    }
  return n;
}

/// Wavefronts of one phase of a shared-memory request: the lanes' byte
/// ranges, the most distinct 4-byte words that fall in one of the 32 banks.
int phaseWavefronts(const Access *const *lanes, int count) {
  int64_t words[kLanes * 4];
  int n = distinctUnits(lanes, count, 4, words, kLanes * 4);
  int perBank[32] = {0}, most = n ? 1 : 0;
  for (int j = 0; j < n; ++j) {
    int &c = perBank[((words[j] % 32) + 32) % 32];
    if (++c > most)
      most = c;
  }
  return most;
}

/// One warp request: the same access (site, and its occurrence in each
/// lane's order) of the warp's lanes.
void countRequest(const Access *const *lanes, const int *laneIds,
                  int count) {
  const Access &first = *lanes[0];
  bool shared = first.flags & kShared;
  SiteStats &stats = statsFor(reinterpret_cast<const char *>(first.site), shared);
  ++stats.requests;
  long long bytes = 0;
  for (int i = 0; i < count; ++i)
    bytes += lanes[i]->bytes;
  stats.bytes += bytes;
  if (!shared) {
    int64_t sectors[kLanes * 8];
    stats.sectors += distinctUnits(lanes, count, 32, sectors, kLanes * 8);
    return;
  }
  // Phases: ldmatrix a tile (8 rows of 16 bytes) each; other accesses of
  // 16 bytes a lane in quarter warps, of 8 in half warps, else the warp.
  int phase = first.flags & kLdMatrix ? 8
              : first.bytes >= 16     ? 8
              : first.bytes >= 8      ? 16
                                      : 32;
  const Access *group[kLanes];
  for (int start = 0; start < kLanes; start += phase) {
    int n = 0;
    for (int i = 0; i < count; ++i) {
      if (laneIds[i] >= start && laneIds[i] < start + phase)
        group[n++] = lanes[i];
    }
    if (!n)
      continue;
    stats.wavefronts += phaseWavefronts(group, n);
    ++stats.idealWavefronts;
  }
}

/// An access of a warp's interval, placed: its site, its occurrence in its
/// lane's order (the nth access of that site), its lane.
struct Key {
  int64_t site, occurrence;
  int32_t lane, flags;
  const Access *access;
};

int compareKeys(const void *a, const void *b) {
  const Key &x = *static_cast<const Key *>(a);
  const Key &y = *static_cast<const Key *>(b);
  if (x.site != y.site)
    return x.site < y.site ? -1 : 1;
  if (x.flags != y.flags)
    return x.flags < y.flags ? -1 : 1;
  if (x.occurrence != y.occurrence)
    return x.occurrence < y.occurrence ? -1 : 1;
  return x.lane - y.lane;
}

/// Counts the requests of each warp in the barrier interval that ended (the
/// nth access of a site in each lane's order makes one request, as the
/// lanes of a warp issue an instruction together), and clears the logs.
void analyzeInterval() {
  int64_t n = state->threads;
  Array<Key> keys;
  struct Seen {
    int64_t site;
    int32_t flags;
    int64_t count;
  };
  Array<Seen> seen;
  for (int64_t first = 0; first < n; first += kLanes) {
    keys.resize(0);
    for (int64_t t = first; t < first + kLanes && t < n; ++t) {
      Array<Access> &log = state->pool[t].accesses;
      int l = static_cast<int>(t - first);
      seen.resize(0);
      for (size_t i = 0; i < log.size; ++i) {
        Access &a = log[i];
        // (Row addresses ldmatrix does not read.)
        if ((a.flags & kLdMatrix) && l >= 8 * ((a.flags >> 8) & 0xff))
          continue;
        Seen *entry = nullptr;
        for (Seen &e : seen)
          if (e.site == a.site && e.flags == a.flags)
            entry = &e;
        if (!entry) {
          seen.push_back({a.site, a.flags, 0});
          entry = &seen[seen.size - 1];
        }
        keys.push_back({a.site, entry->count++, l, a.flags, &a});
      }
    }
    std::qsort(keys.data, keys.size, sizeof(Key), compareKeys);
    const Access *lanes[kLanes];
    int laneIds[kLanes];
    for (size_t i = 0; i < keys.size;) {
      size_t j = i;
      int count = 0;
      while (j < keys.size && keys[j].site == keys[i].site &&
             keys[j].flags == keys[i].flags &&
             keys[j].occurrence == keys[i].occurrence) {
        if (count < kLanes) {
          laneIds[count] = keys[j].lane;
          lanes[count++] = keys[j].access;
        }
        ++j;
      }
      countRequest(lanes, laneIds, count);
      if (!(keys[i].flags & kShared))
        ++state->warpGlobal[first / kLanes];
      i = j;
    }
  }
  std::free(keys.data);
  std::free(seen.data);
  for (int64_t t = 0; t < n; ++t)
    state->pool[t].accesses.resize(0);
}

/// Appends each kernel's operations with what their requests cost to
/// `path` (stderr if null or empty), and forgets them.
void writeProfileTo(const char *path) {
  if (!siteStats.size)
    return;
  FILE *out = path && *path ? std::fopen(path, "a") : stderr;
  if (!out)
    return;
  std::fprintf(out, "# dlc SIMT emulator memory profile (warp requests)\n");
  for (KernelStats &k : kernelStats)
    std::fprintf(out,
                 "%s: kernel: %lld launches, %lld blocks of %lld threads, at "
                 "most %lld global requests a warp\n",
                 k.kernel, k.launches, k.blocks, k.threads,
                 k.maxWarpRequests);
  for (SiteStats &s : siteStats) {
    if (s.shared)
      std::fprintf(out,
                   "%s: shared %s: %lld requests, %lld wavefronts, %.2f per "
                   "request, %.2fx the fewest (%lld)\n",
                   s.kernel, s.site, s.requests, s.wavefronts,
                   double(s.wavefronts) / double(s.requests),
                   double(s.wavefronts) / double(s.idealWavefronts),
                   s.idealWavefronts);
    else
      std::fprintf(out,
                   "%s: global %s: %lld requests, %lld sectors, %.2f per "
                   "request, %.0f%% of their bytes used\n",
                   s.kernel, s.site, s.requests, s.sectors,
                   double(s.sectors) / double(s.requests),
                   100.0 * double(s.bytes) / (32.0 * double(s.sectors)));
  }
  if (out != stderr)
    std::fclose(out);
  siteStats.resize(0);
  kernelStats.resize(0);
}

/// DLC_SIMT_PROFILE=FILE (else stderr), when the artifact is unloaded or
/// the process exits (a destructor: atexit is no symbol a shared object can
/// bind).
__attribute__((destructor)) void writeProfile() {
  writeProfileTo(std::getenv("DLC_SIMT_PROFILE"));
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 31, mantissa = h & 1023;
  float value;
  if (exponent == 0)
    value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(static_cast<float>(mantissa | 1024), exponent - 25);
  return sign ? -value : value;
}

float bitsToFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

// --- sm_90: mbarriers, TMA, wgmma -----------------------------------------

MBarrier *findBarrier(const char *address) {
  for (MBarrier &b : state->barriers)
    if (b.address == address)
      return &b;
  return nullptr;
}

MBarrier &barrierAt(int64_t address, const char *what) {
  MBarrier *b = findBarrier(reinterpret_cast<char *>(address));
  if (!b)
    fail("%s on an mbarrier at %#llx that was never initialized", what,
         (long long)address);
  return *b;
}

/// Ends the current phase of `b` if nothing is missing, and wakes the
/// threads waiting for a phase.
void completeIfDone(MBarrier &b) {
  if (b.pending != 0 || b.tx != 0)
    return;
  ++b.phase;
  b.pending = b.count;
  for (int64_t i = 0; i < state->threads; ++i)
    if (state->pool[i].state == State::AtMBarrier)
      state->pool[i].state = State::Ready;
}

/// Lands the TMA loads of `barrier` issued before phase `phase`.
void landTmaLoads(const char *barrier, uint64_t phase) {
  size_t kept = 0;
  for (size_t i = 0; i < state->tmaLoads.size; ++i) {
    TmaLoad &load = state->tmaLoads[i];
    if (barrier && (load.barrier != barrier || load.phase >= phase)) {
      state->tmaLoads[kept++] = load;
      continue;
    }
    std::memcpy(load.dst, load.data, load.bytes);
    std::free(load.data);
  }
  state->tmaLoads.resize(kept);
}

/// Loads nothing waited for land anyway (as on the GPU, eventually).
void landAllTmaLoads() { landTmaLoads(nullptr, 0); }

/// The shared array of the block holding [address, address + bytes), or
/// null.
const SharedArray *sharedArrayOf(const char *address, int64_t bytes) {
  for (const SharedArray &a : state->sharedSeen)
    if (address >= a.address && address + bytes <= a.address + a.bytes)
      return &a;
  return nullptr;
}

/// `address` swizzled in `span`-byte rows (32, 64 or 128; 0: none): its
/// 16-byte chunk within the row XORed with the row's index modulo the
/// chunks a row holds, as TMA writes and wgmma reads shared memory (on the
/// address bits, so both agree wherever a tile lies).
int64_t swizzle(int64_t address, int span) {
  if (span == 0)
    return address;
  int64_t mask = span / 16 - 1;
  return address ^ (((address >> 7) & mask) << 4);
}

/// A tensor map (CUtensorMap) as the emulator keeps it: dims, strides
/// (bytes) and box innermost first.
struct TensorMap {
  uint64_t magic;
  char *base;
  int32_t rank, elementBytes, swizzle, oobNaN;
  int64_t dims[5], strides[5], box[5];
};
constexpr uint64_t kTensorMapMagic = 0x70616d726f736e74; // "tnsormap"
// Maps made so far (a call makes the same ones each time: kept once).
thread_local Array<TensorMap *> tensorMaps;

/// The address a wgmma descriptor's 14-bit start address field names: the
/// low 18 bits of a shared address, which one shared array of the block
/// holds with at least `bytes` from there (up to the operand's 8th row: on
/// the host the arrays are not in one 256 KiB window as on a GPU, and a
/// small one, an mbarrier array, may hold the same low bits).
char *descriptorAddress(int64_t field, int64_t bytes) {
  int64_t low = (field & 0x3fff) << 4;
  char *found = nullptr;
  for (const SharedArray &a : state->sharedSeen) {
    int64_t base = reinterpret_cast<int64_t>(a.address);
    int64_t candidate = (base & ~int64_t(0x3ffff)) | low;
    if (candidate < base)
      candidate += 0x40000;
    if (candidate + bytes <= base + a.bytes) {
      if (found)
        fail("wgmma descriptor address %#llx names more than one shared "
             "array of the emulator",
             (long long)low);
      found = reinterpret_cast<char *>(candidate);
    }
  }
  if (!found)
    fail("wgmma descriptor address %#llx is in no shared array of the block",
         (long long)low);
  return found;
}

/// The address of element (`mn`, `k`) of a wgmma operand (A: mn a row,
/// B: a column) that descriptor `desc` describes, `mnMajor` if it is
/// transposed (MN-major) rather than K-major. PTX ISA, "Matrix Descriptor
/// Format" and the canonical layouts: 8-row core-matrix groups `sbo` bytes
/// apart; K-major rows of the swizzle's span (16 bytes without swizzle,
/// the two 8-element halves of K `lbo` apart); MN-major, K rows of the
/// span, span-wide column blocks `lbo` apart.
const char *operandAddress(int64_t desc, int mn, int k, int elementBytes,
                           bool mnMajor) {
  int64_t lbo = ((desc >> 16) & 0x3fff) << 4;
  int64_t sbo = ((desc >> 32) & 0x3fff) << 4;
  int mode = static_cast<int>((desc >> 62) & 3);
  if ((desc >> 49) & 7)
    fail("wgmma descriptor with a matrix base offset: not emulated");
  int span = mode == 1 ? 128 : mode == 2 ? 64 : mode == 3 ? 32 : 0;
  // (Its 8th row of the swizzle's span, or of 16 bytes, starts there.)
  char *start = descriptorAddress(desc, 7 * (span ? span : 16) + 1);
  int64_t address = reinterpret_cast<int64_t>(start);
  if (!mnMajor) {
    int64_t kBytes = int64_t(k) * elementBytes;
    address += span ? (mn % 8) * span + (mn / 8) * sbo + kBytes
                    : (mn % 8) * 16 + (mn / 8) * sbo + (kBytes / 16) * lbo +
                          kBytes % 16;
  } else {
    if (!span)
      fail("MN-major wgmma operand without swizzling: not emulated");
    int perRow = span / elementBytes;
    address += (mn % perRow) * elementBytes + (mn / perRow) * lbo +
               (k % 8) * span + (k / 8) * sbo;
  }
  address = swizzle(address, span);
  const char *p = reinterpret_cast<const char *>(address);
  if (!sharedArrayOf(p, elementBytes))
    fail("wgmma operand element (%d, %d) at %#llx is outside the block's "
         "shared memory",
         mn, k, (long long)address);
  return p;
}

/// An element of a wgmma operand of kind f16 (0), bf16 (1) or TF32 (2).
float operandValue(const char *p, int kind) {
  if (kind == 2) {
    uint32_t bits;
    std::memcpy(&bits, p, 4);
    return bitsToFloat(bits & ~0x1fffu); // the 19 bits TF32 keeps
  }
  uint16_t h;
  std::memcpy(&h, p, 2);
  return kind == 0 ? halfToFloat(h)
                   : bitsToFloat(uint32_t(h) << 16);
}

/// The operands of a wgmma m64n`n`k(16 or 8) as floats: A (64 x depth),
/// then B (depth x n).
void readOperands(PendingMma &mma, float *out) {
  int depth = mma.kind == 2 ? 8 : 16, bytes = mma.kind == 2 ? 4 : 2;
  auto read = [&](int operand, int mn, int k) {
    const char *p =
        operandAddress(operand ? mma.descB : mma.descA, mn, k, bytes,
                       operand ? mma.transposeB : mma.transposeA);
    if (!mma.low[operand] || p < mma.low[operand])
      mma.low[operand] = p;
    if (!mma.high[operand] || p + bytes > mma.high[operand])
      mma.high[operand] = p + bytes;
    return operandValue(p, mma.kind);
  };
  for (int m = 0; m < 64; ++m)
    for (int k = 0; k < depth; ++k)
      out[m * depth + k] = read(0, m, k);
  float *b = out + 64 * depth;
  for (int k = 0; k < depth; ++k)
    for (int n = 0; n < mma.n; ++n)
      b[k * mma.n + n] = read(1, n, k);
}

/// Fails if a TMA load of [dst, dst + bytes) would land in shared memory
/// that a wgmma not yet waited for by every warp of its warpgroup reads (a
/// race on a GPU: wgmma.wait_group only covers the warp that waits).
void checkTmaAgainstWgmma(const char *dst, int64_t bytes) {
  for (Warpgroup &g : state->warpgroups)
    for (const PendingMma &mma : g.pending)
      for (int operand = 0; operand < 2; ++operand)
        if (dst < mma.high[operand] && dst + bytes > mma.low[operand])
          fail("TMA load into shared memory that a wgmma in flight reads "
               "(not yet waited for by every warp of its warpgroup)");
}

int64_t operandCount(const PendingMma &mma) {
  int depth = mma.kind == 2 ? 8 : 16;
  return 64 * depth + depth * mma.n;
}

/// Retires the oldest committed wgmma group of `g`: what its wgmmas read
/// must still be in shared memory.
void retireGroup(Warpgroup &g) {
  size_t end = g.groupEnds[0];
  for (size_t i = 0; i < end; ++i) {
    PendingMma &mma = g.pending[i];
    int64_t count = operandCount(mma);
    float *now = static_cast<float *>(std::malloc(count * sizeof(float)));
    if (!now)
      std::abort();
    readOperands(mma, now);
    if (std::memcmp(now, mma.operands, count * sizeof(float)))
      fail("shared memory that a wgmma in flight reads was written before "
           "the wgmma.wait_group that retires it");
    std::free(now);
    std::free(mma.operands);
  }
  g.pending.erase_front(end);
  g.groupEnds.erase_front(1);
  for (size_t &groupEnd : g.groupEnds)
    groupEnd -= end;
  ++g.retired;
}

/// Runs the threads of the current block to completion.
void runBlock(int64_t blockIndex) {
  int64_t n = state->threads;
  state->sharedSeen.resize(0);
  for (int64_t i = 0; i < n; ++i) {
    Thread &t = state->pool[i];
    t.state = State::Ready;
    t.pending.resize(0);
    t.groupEnds.resize(0);
    t.mmaCommitted = t.mmaRetired = 0;
    t.id[0] = i % state->block[0];
    t.id[1] = i / state->block[0] % state->block[1];
    t.id[2] = i / (state->block[0] * state->block[1]);
    getcontext(&t.context);
    t.context.uc_stack.ss_sp = t.stack;
    t.context.uc_stack.ss_size = kStackBytes;
    t.context.uc_link = nullptr;
    makecontext(&t.context, trampoline, 0);
  }
  for (size_t w = 0; w < state->warpGlobal.size; ++w)
    state->warpGlobal[w] = 0;
  state->barriers.resize(0);
  for (Warpgroup &g : state->warpgroups) {
    g.arrived = 0;
    g.generation = 0;
    g.pending.resize(0);
    g.groupEnds.resize(0);
    g.committed = g.retired = 0;
  }
  for (Warp &w : state->warps) {
    w.arrived = 0;
    w.generation = 0;
    for (auto &generationSlots : w.slots)
      for (Slot &slot : generationSlots)
        slot.generation = ~uint64_t(0);
  }
  for (int64_t interval = blockIndex;; ++interval) {
    bool forward = interval % 2 == 0;
    // Run every ready thread (warp operations release lanes run earlier in
    // the pass: repeat until none is ready).
    for (bool ran = true; ran;) {
      ran = false;
      for (int64_t k = 0; k < n; ++k) {
        int64_t i = forward ? k : n - 1 - k;
        if (state->pool[i].state != State::Ready)
          continue;
        ran = true;
        state->current = i;
        swapcontext(&state->scheduler, &state->pool[i].context);
        state->current = -1;
      }
    }
    if (state->tracing)
      analyzeInterval();
    int64_t atBarrier = 0, atWarpOp = 0, atMBarrier = 0;
    for (int64_t i = 0; i < n; ++i) {
      atBarrier += state->pool[i].state == State::AtBarrier;
      atWarpOp += state->pool[i].state == State::AtWarpOp;
      atMBarrier += state->pool[i].state == State::AtMBarrier;
    }
    if (atWarpOp)
      fail("%lld threads wait in a warp-wide operation (shuffle, ldmatrix, "
           "mma.sync) or warpgroup-wide one (wgmma) that other threads of "
           "their warp or warpgroup do not reach",
           (long long)atWarpOp);
    if (atMBarrier)
      fail("%lld threads wait for an mbarrier phase that never completes "
           "(arrivals or transaction bytes missing)",
           (long long)atMBarrier);
    if (!atBarrier) {
      landAllTmaLoads();
      for (Warpgroup &g : state->warpgroups)
        for (PendingMma &mma : g.pending)
          std::free(mma.operands);
      if (state->tracing) {
        KernelStats &k = kernelStatsFor(state->kernel);
        ++k.blocks;
        k.threads = n;
        for (long long requests : state->warpGlobal)
          if (requests > k.maxWarpRequests)
            k.maxWarpRequests = requests;
      }
      return;
    }
    // Threads that exited count as arrived (as on sm_70 and later).
    for (int64_t i = 0; i < n; ++i)
      if (state->pool[i].state == State::AtBarrier)
        state->pool[i].state = State::Ready;
  }
}

uint16_t half(const unsigned char *bytes, int index) {
  uint16_t h;
  std::memcpy(&h, bytes + 2 * index, 2);
  return h;
}

float word(const unsigned char *bytes, int index) {
  float f;
  std::memcpy(&f, bytes + 4 * index, 4);
  return f;
}

} // namespace

extern "C" {

/// Runs `entry(params)` (a kernel's thunk) for every thread of every block.
void dlc_simt_launch(const char *kernel, void (*entry)(void **), void **params,
                     int64_t gx, int64_t gy, int64_t gz, int64_t bx, int64_t by,
                     int64_t bz, int32_t sharedBytes) {
  if (!state) {
    state = static_cast<Launch *>(std::calloc(1, sizeof(Launch)));
    if (!state)
      std::abort();
  }
  state->kernel = kernel;
  state->current = -1;
  state->tracing = false;
  int64_t grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
  for (int d = 0; d < 3; ++d)
    if (grid[d] < 1 || block[d] < 1)
      fail("launched with grid (%lld, %lld, %lld) and block (%lld, %lld, "
           "%lld): every size must be positive",
           (long long)gx, (long long)gy, (long long)gz, (long long)bx,
           (long long)by, (long long)bz);
  if (bx * by * bz > kMaxThreads)
    fail("%lld threads a block (at most %lld)", (long long)(bx * by * bz),
         (long long)kMaxThreads);
  if (sharedBytes < 0 || sharedBytes > kMaxDynamicShared)
    fail("%d bytes of dynamic shared memory (at most %lld)", sharedBytes,
         (long long)kMaxDynamicShared);
  std::memcpy(state->grid, grid, sizeof grid);
  std::memcpy(state->block, block, sizeof block);
  state->entry = entry;
  state->params = params;
  state->threads = bx * by * bz;
  state->dynamicShared = sharedBytes;
  for (size_t i = state->pool.size; i < size_t(state->threads); ++i) {
    state->pool.resize(i + 1);
    std::memset(&state->pool[i], 0, sizeof(Thread));
    state->pool[i].stack = static_cast<char *>(std::malloc(kStackBytes));
    if (!state->pool[i].stack)
      std::abort();
  }
  state->warps.resize((state->threads + kLanes - 1) / kLanes);
  for (size_t g = state->warpgroups.size; g < size_t(state->threads + 127) / 128;
       ++g) {
    state->warpgroups.resize(g + 1);
    std::memset(&state->warpgroups[g], 0, sizeof(Warpgroup));
  }
  state->warpGlobal.resize(state->warps.size);
  int64_t index = 0;
  for (int64_t z = 0; z < gz; ++z)
    for (int64_t y = 0; y < gy; ++y)
      for (int64_t x = 0; x < gx; ++x, ++index) {
        state->blockId[0] = x;
        state->blockId[1] = y;
        state->blockId[2] = z;
        runBlock(index);
      }
  if (state->tracing)
    ++kernelStatsFor(state->kernel).launches;
  state->kernel = "";
}

/// thread_id x/y/z (0-2), block_id (3-5), block_dim (6-8), grid_dim (9-11);
/// 12: the launch's dynamic shared bytes.
/// The GPU's SMs, for a persistent kernel's grid (dlc-lower-to-wgmma asks
/// the runtime): an H100's 132, or DLC_SIMT_MULTIPROCESSORS, to give each
/// block more tiles in a test.
int32_t mgpuMultiprocessorCount() {
  const char *count = getenv("DLC_SIMT_MULTIPROCESSORS");
  return count && *count ? atoi(count) : 132;
}

int64_t dlc_simt_id(int32_t which) {
  if (which == 12)
    return state->dynamicShared;
  int dim = which % 3;
  switch (which / 3) {
  case 0:
    return self().id[dim];
  case 1:
    return state->blockId[dim];
  case 2:
    return state->block[dim];
  default:
    return state->grid[dim];
  }
}

int64_t dlc_simt_lane_id() { return lane(); }

void dlc_simt_barrier() {
  self().state = State::AtBarrier;
  yield();
}

/// A memory access of a kernel compiled with trace-memory: `site` names the
/// operation, `flags` (kWrite, kShared, kLdMatrix with its tiles) says how.
/// The warps' requests are counted at the end of each barrier interval and
/// written out at exit (writeProfile).
void dlc_simt_access(int64_t site, int64_t address, int32_t bytes,
                     int32_t flags) {
  state->tracing = true;
  // (A wider access is several instructions of at most 16 bytes a lane:
  // NVPTX splits a 32-byte vector into two v4 accesses.)
  for (int32_t done = 0; done < bytes; done += 16)
    self().accesses.push_back(
        {site, address + done, bytes - done < 16 ? bytes - done : 16, flags});
}

/// The memory profile so far, appended to `path` (stderr if null), then
/// cleared (for tests; artifacts write theirs when unloaded).
void dlc_simt_write_profile(const char *path) { writeProfileTo(path); }

/// A failed bounds check (convert-gpu-to-simt-emulator check-bounds):
/// elements [index, index + extent) of a dimension of `size`.
void dlc_simt_out_of_bounds(int64_t message, int64_t index, int64_t extent,
                            int64_t size) {
  fail("out-of-bounds access: %s: elements [%lld, %lld) of %lld",
       reinterpret_cast<const char *>(message), (long long)index,
       (long long)(index + extent), (long long)size);
}

/// A shared array of the kernel, `bytes` long at `address` (-1: the
/// dynamic shared memory, the launch's size): filled with 0xff the first
/// time a thread of the block names it.
void dlc_simt_shared(int64_t address, int64_t bytes) {
  char *p = reinterpret_cast<char *>(address);
  if (bytes < 0)
    bytes = state->dynamicShared;
  for (const SharedArray &seen : state->sharedSeen)
    if (seen.address == p)
      return;
  state->sharedSeen.push_back({p, bytes});
  std::memset(p, 0xff, bytes);
}

} // extern "C"

namespace {
/// The lane this lane reads in a shuffle (xor 0, down 1, up 2, idx 3 among
/// segments of `width` lanes), or -1 where that is out of its segment.
int shuffleSource(int32_t offset, int32_t width, int32_t mode) {
  int me = lane();
  int start = me - me % width, end = start + width - 1;
  int source = mode == 0 ? me ^ offset
               : mode == 1 ? me + offset
               : mode == 2 ? me - offset
                           : start + offset;
  return source >= start && source <= end ? source : -1;
}
} // namespace

extern "C" {

/// gpu.shuffle of `bits` (32 or 64 of them): the source lane's value, or
/// this lane's own where the source is out of the segment.
int64_t dlc_simt_shuffle(int64_t bits, int32_t offset, int32_t width,
                         int32_t mode) {
  int source = shuffleSource(offset, width, mode);
  bool posted[kLanes];
  Slot *slots = exchange([&](Slot &s) { s.value = bits; }, posted);
  if (source < 0)
    return bits;
  if (!posted[source])
    fail("shuffle from lane %d, which has exited", source);
  return static_cast<int64_t>(slots[source].value);
}

/// Whether dlc_simt_shuffle's source lane is in this lane's segment.
int32_t dlc_simt_shuffle_valid(int32_t offset, int32_t width, int32_t mode) {
  return shuffleSource(offset, width, mode) >= 0;
}

/// cp.async of `bytes` from `src` to `dst`, of which the first `srcBytes`
/// are read (the rest zero): done at the wait that covers it.
void dlc_simt_cp_async(int64_t dst, int64_t src, int64_t bytes,
                       int64_t srcBytes) {
  if (srcBytes < 0 || srcBytes > bytes)
    fail("cp.async of %lld bytes reading %lld", (long long)bytes,
         (long long)srcBytes);
  self().pending.push_back({reinterpret_cast<char *>(dst),
                            reinterpret_cast<const char *>(src), bytes,
                            srcBytes});
}

void dlc_simt_cp_async_commit() {
  self().groupEnds.push_back(self().pending.size);
}

/// cp.async.wait_group n: all but the newest n committed groups done.
void dlc_simt_cp_async_wait(int32_t n) {
  Thread &t = self();
  if (static_cast<int64_t>(t.groupEnds.size) <= n)
    return;
  size_t done = t.groupEnds.size - n;
  runCopies(t, t.groupEnds[done - 1]);
  t.groupEnds.erase_front(done);
}

/// ldmatrix .x`tiles` (.trans if `transpose`) of 16-bit elements: this
/// lane's row address is `address`; its `2 * tiles` elements go to `out`.
void dlc_simt_ldmatrix(int64_t address, int32_t tiles, int32_t transpose,
                       int64_t out) {
  if (tiles != 1 && tiles != 2 && tiles != 4)
    fail("ldmatrix of %d tiles", tiles);
  bool posted[kLanes];
  Slot *slots = exchange([&](Slot &s) { s.value = address; }, posted);
  int me = lane();
  auto *result = reinterpret_cast<uint16_t *>(out);
  for (int tile = 0; tile < tiles; ++tile)
    for (int j = 0; j < 2; ++j) {
      // Row r, column c of 8 x 8 matrix `tile`, whose rows lanes
      // 8 tile .. 8 tile + 7 address.
      int row = transpose ? 2 * (me % 4) + j : me / 4;
      int column = transpose ? me / 4 : 2 * (me % 4) + j;
      int source = 8 * tile + row;
      if (!posted[source])
        fail("ldmatrix with the row address of lane %d, which has exited",
             source);
      const char *rowAddress = reinterpret_cast<const char *>(slots[source].value);
      std::memcpy(&result[2 * tile + j], rowAddress + 2 * column, 2);
    }
}

/// mma.sync of kind f16 m16n8k16 (0), bf16 m16n8k16 (1) or TF32 m16n8k8
/// (2), f32 sums: this lane's fragments of A (4 registers), B (2) and C (4
/// floats) are at `a`, `b`, `c`; its 4 floats of D go to `d`.
void dlc_simt_mma(int32_t kind, int64_t a, int64_t b, int64_t c, int64_t d) {
  if (kind < 0 || kind > 2)
    fail("mma.sync of kind %d", kind);
  bool posted[kLanes];
  Slot *slots = exchange(
      [&](Slot &s) {
        std::memcpy(s.a, reinterpret_cast<const void *>(a), 16);
        std::memcpy(s.b, reinterpret_cast<const void *>(b), 8);
        std::memcpy(s.c, reinterpret_cast<const void *>(c), 16);
      },
      posted);
  int me = lane();
  for (int l = 0; l < kLanes; ++l)
    if (!posted[l])
      fail("mma.sync in a warp whose lane %d has exited", l);
  // Element (row, k) of A, (k, column) of B, as the PTX ISA lays out the
  // fragments (groupID = lane / 4, threadID_in_group = lane % 4).
  auto elementA = [&](int row, int k) -> float {
    if (kind == 2) {
      uint32_t bits;
      std::memcpy(&bits, slots[(row % 8) * 4 + k % 4].a +
                             4 * (row / 8 + 2 * (k / 4)), 4);
      return bitsToFloat(bits & ~0x1fffu); // the 19 bits TF32 keeps
    }
    uint16_t h = half(slots[(row % 8) * 4 + (k % 8) / 2].a,
                      2 * (row / 8 + 2 * (k / 8)) + k % 2);
    return kind == 0 ? halfToFloat(h) : bitsToFloat(uint32_t(h) << 16);
  };
  auto elementB = [&](int k, int column) -> float {
    if (kind == 2) {
      uint32_t bits;
      std::memcpy(&bits, slots[column * 4 + k % 4].b + 4 * (k / 4), 4);
      return bitsToFloat(bits & ~0x1fffu);
    }
    uint16_t h = half(slots[column * 4 + (k % 8) / 2].b, k % 2 + 2 * (k / 8));
    return kind == 0 ? halfToFloat(h) : bitsToFloat(uint32_t(h) << 16);
  };
  int depth = kind == 2 ? 8 : 16;
  float result[4];
  for (int i = 0; i < 4; ++i) {
    int row = me / 4 + 8 * (i / 2), column = 2 * (me % 4) + i % 2;
    float sum = word(slots[me].c, i);
    for (int k = 0; k < depth; ++k)
      sum += elementA(row, k) * elementB(k, column);
    result[i] = sum;
  }
  std::memcpy(reinterpret_cast<void *>(d), result, 16);
}

} // extern "C"

extern "C" {

/// A tensor map (nvgpu.tma.create.descriptor on the host) over `rank` dims
/// at `address`: `info` holds the sizes, the strides (elements) and the box,
/// each outermost first as a memref has them. `swizzle` and `oobFill` as
/// CUtensorMapSwizzle (none, 32B, 64B, 128B) and CUtensorMapFloatOOBfill
/// (zeros, NaN).
int64_t dlc_simt_tensor_map(int64_t address, int32_t rank, int64_t info,
                            int32_t elementBytes, int32_t swizzle,
                            int32_t interleave, int32_t oobFill) {
  if (rank < 1 || rank > 5)
    fail("tensor map of rank %d (1 to 5)", rank);
  if (interleave != 0)
    fail("interleaved tensor maps are not emulated");
  if (swizzle < 0 || swizzle > 3)
    fail("tensor map swizzle %d", swizzle);
  const int64_t *values = reinterpret_cast<const int64_t *>(info);
  TensorMap map;
  std::memset(&map, 0, sizeof map);
  map.magic = kTensorMapMagic;
  map.base = reinterpret_cast<char *>(address);
  map.rank = rank;
  map.elementBytes = elementBytes;
  map.swizzle = swizzle;
  map.oobNaN = oobFill != 0;
  for (int d = 0; d < rank; ++d) {
    map.dims[d] = values[rank - 1 - d];
    map.strides[d] = values[2 * rank - 1 - d] * elementBytes;
    map.box[d] = values[3 * rank - 1 - d];
    if (map.box[d] < 1 || map.box[d] > 256)
      fail("tensor map box dim %d of %lld elements (1 to 256)", d,
           (long long)map.box[d]);
  }
  // What cuTensorMapEncodeTiled refuses on a GPU.
  if (address % 16)
    fail("tensor map of a tensor at %#llx, not 16-byte aligned (as "
         "cuTensorMapEncodeTiled requires)",
         (long long)address);
  for (int d = 1; d < rank; ++d)
    if (map.strides[d] % 16)
      fail("tensor map with a stride of %lld bytes, not a multiple of 16 (as "
           "cuTensorMapEncodeTiled requires)",
           (long long)map.strides[d]);
  if (map.box[0] * elementBytes % 16)
    fail("tensor map box rows of %lld bytes, not a multiple of 16 (as "
         "cuTensorMapEncodeTiled requires)",
         (long long)(map.box[0] * elementBytes));
  int span = swizzle == 0 ? 0 : 16 << swizzle;
  if (span && map.box[0] * elementBytes != span)
    fail("tensor map with a %d-byte swizzle and a box of %lld bytes a row: "
         "emulated where a row is the swizzle's span",
         span, (long long)(map.box[0] * elementBytes));
  for (TensorMap *known : tensorMaps)
    if (!std::memcmp(known, &map, sizeof map))
      return reinterpret_cast<int64_t>(known);
  auto *kept = static_cast<TensorMap *>(std::malloc(sizeof map));
  if (!kept)
    std::abort();
  std::memcpy(kept, &map, sizeof map);
  tensorMaps.push_back(kept);
  return reinterpret_cast<int64_t>(kept);
}

/// cp.async.bulk.tensor of the box at coordinates `c` (innermost first) of
/// tensor map `map` to shared `dst`, completing its bytes on mbarrier
/// `barrier`. Out-of-bounds elements read as zeros (or NaN where the map
/// says). The data lands at the wait that sees the barrier's phase end.
void dlc_simt_tma_load(int64_t dst, int64_t mapAddress, int64_t barrier,
                       int32_t c0, int32_t c1, int32_t c2, int32_t c3,
                       int32_t c4) {
  const auto *map = reinterpret_cast<const TensorMap *>(mapAddress);
  bool known = false;
  for (TensorMap *m : tensorMaps)
    known |= m == map;
  if (!known || map->magic != kTensorMapMagic)
    fail("TMA load through %#llx, which is not a tensor map",
         (long long)mapAddress);
  int64_t coords[5] = {c0, c1, c2, c3, c4};
  int64_t elements = 1;
  for (int d = 0; d < map->rank; ++d)
    elements *= map->box[d];
  int64_t bytes = elements * map->elementBytes;
  char *to = reinterpret_cast<char *>(dst);
  if (dst % 128)
    fail("TMA load to shared address %#llx, not 128-byte aligned",
         (long long)dst);
  if (!sharedArrayOf(to, bytes))
    fail("TMA load of %lld bytes to %#llx, past the block's shared memory",
         (long long)bytes, (long long)dst);
  MBarrier &b = barrierAt(barrier, "TMA load");
  checkTmaAgainstWgmma(to, bytes);
  char *data = static_cast<char *>(std::malloc(bytes));
  if (!data)
    std::abort();
  int span = map->swizzle == 0 ? 0 : 16 << map->swizzle;
  int64_t index[5] = {0, 0, 0, 0, 0};
  for (int64_t e = 0; e < elements; ++e) {
    int64_t rest = e;
    bool inside = true;
    int64_t offset = 0;
    for (int d = 0; d < map->rank; ++d) {
      index[d] = rest % map->box[d];
      rest /= map->box[d];
      int64_t at = coords[d] + index[d];
      inside &= at >= 0 && at < map->dims[d];
      offset += at * map->strides[d];
    }
    int64_t place = swizzle(dst + e * map->elementBytes, span) - dst;
    if (inside)
      std::memcpy(data + place, map->base + offset, map->elementBytes);
    else if (map->oobNaN && map->elementBytes >= 2)
      std::memset(data + place, 0xff, map->elementBytes);
    else
      std::memset(data + place, 0, map->elementBytes);
  }
  state->tmaLoads.push_back(
      {reinterpret_cast<char *>(barrier), b.phase, to, data, bytes});
  b.tx -= bytes;
  completeIfDone(b);
}

void dlc_simt_mbarrier_init(int64_t address, int32_t count) {
  if (count < 1)
    fail("mbarrier initialized with %d arrivals", count);
  char *p = reinterpret_cast<char *>(address);
  if (address % 8 || !sharedArrayOf(p, 8))
    fail("mbarrier at %#llx: not 8 bytes of shared memory, aligned",
         (long long)address);
  // (PTX: mbarrier.init of a valid mbarrier is undefined; threads that all
  // initialize one race with its first users on a GPU.)
  if (findBarrier(p))
    fail("mbarrier at %#llx initialized again while valid (initialize it "
         "from one thread, then a barrier)",
         (long long)address);
  state->barriers.push_back({p, count, count, 0, 0});
}

/// An arrival on the mbarrier at `address` expecting `tx` more transaction
/// bytes (0 for a plain arrive); returns the phase it arrived in.
int64_t dlc_simt_mbarrier_arrive(int64_t address, int64_t tx) {
  MBarrier &b = barrierAt(address, "arrive");
  int64_t phase = static_cast<int64_t>(b.phase);
  b.tx += tx;
  --b.pending;
  completeIfDone(b);
  return phase;
}

void dlc_simt_mbarrier_expect_tx(int64_t address, int64_t tx) {
  barrierAt(address, "expect_tx").tx += tx;
}

/// mbarrier.try_wait.parity in its loop: until the phase of parity
/// `parity` has completed; then its TMA loads land.
void dlc_simt_mbarrier_wait_parity(int64_t address, int32_t parity) {
  for (;;) {
    MBarrier &b = barrierAt(address, "wait");
    if ((b.phase & 1) != static_cast<uint64_t>(parity & 1)) {
      landTmaLoads(b.address, b.phase);
      return;
    }
    self().state = State::AtMBarrier;
    yield();
  }
}

/// wgmma.mma_async m64n`n`k16 (f16 kind 0, bf16 1) or k8 (TF32 2) with f32
/// sums: A and B in shared memory as descriptors `descA`, `descB` say
/// (`transposeA`/`transposeB`: MN-major), this thread's n / 2 floats of D
/// at `d` (added to unless `scaleD` is 0). All 128 threads of the
/// warpgroup take part; the last to arrive computes for all of them. Done
/// at once; what it read is checked again when a wait retires it.
void dlc_simt_wgmma(int32_t kind, int32_t n, int32_t transposeA,
                    int32_t transposeB, int32_t scaleD, int32_t negateA,
                    int32_t negateB, int64_t descA, int64_t descB, int64_t d) {
  if (kind < 0 || kind > 2 || n < 8 || n > 256 || n % 8)
    fail("wgmma of kind %d, m64n%dk%d", kind, n, kind == 2 ? 8 : 16);
  if (kind == 2 && (transposeA || transposeB))
    fail("TF32 wgmma with a transposed (MN-major) operand");
  int64_t group = state->current / 128;
  int64_t first = group * 128;
  if (first + 128 > state->threads)
    fail("wgmma in a block of %lld threads: warpgroup %lld is incomplete",
         (long long)state->threads, (long long)group);
  Warpgroup &g = state->warpgroups[group];
  int me = static_cast<int>(state->current - first);
  g.descA[me] = descA;
  g.descB[me] = descB;
  g.accumulators[me] = reinterpret_cast<float *>(d);
  if (++g.arrived < 128) {
    uint64_t generation = g.generation;
    while (g.generation == generation) {
      self().state = State::AtWarpOp;
      yield();
    }
    return;
  }
  for (int t = 0; t < 128; ++t)
    if (g.descA[t] != descA || g.descB[t] != descB)
      fail("wgmma whose threads give different descriptors (thread %lld: "
           "%#llx, %#llx)",
           (long long)(first + t), (long long)g.descA[t],
           (long long)g.descB[t]);
  PendingMma mma = {descA, descB, kind, n, transposeA, transposeB, nullptr,
                    {nullptr, nullptr}, {nullptr, nullptr}};
  mma.operands =
      static_cast<float *>(std::malloc(operandCount(mma) * sizeof(float)));
  if (!mma.operands)
    std::abort();
  readOperands(mma, mma.operands);
  int depth = kind == 2 ? 8 : 16;
  const float *a = mma.operands, *b = mma.operands + 64 * depth;
  float signs = (negateA ? -1.0f : 1.0f) * (negateB ? -1.0f : 1.0f);
  // Thread t of warp w holds, for each 8 columns j, the m16n8 accumulator
  // fragment of rows 16 w + t / 4 (+ 8), columns 8 j + 2 (t % 4) (+ 1).
  for (int t = 0; t < 128; ++t) {
    int w = t / 32, l = t % 32;
    for (int i = 0; i < n / 2; ++i) {
      int row = 16 * w + l / 4 + 8 * ((i % 4) / 2);
      int column = 8 * (i / 4) + 2 * (l % 4) + i % 2;
      float sum = scaleD ? g.accumulators[t][i] : 0.0f;
      for (int k = 0; k < depth; ++k)
        sum += signs * a[row * depth + k] * b[k * n + column];
      g.accumulators[t][i] = sum;
    }
  }
  g.pending.push_back(mma);
  g.arrived = 0;
  ++g.generation;
  for (int t = 0; t < 128; ++t)
    if (state->pool[first + t].state == State::AtWarpOp)
      state->pool[first + t].state = State::Ready;
}

/// wgmma.commit_group: the warpgroup's uncommitted wgmmas a group.
void dlc_simt_wgmma_commit() {
  Thread &t = self();
  Warpgroup &g = state->warpgroups[state->current / 128];
  if (++t.mmaCommitted > g.committed) {
    g.groupEnds.push_back(g.pending.size);
    ++g.committed;
  }
}

/// wgmma.wait_group n: all but the newest n groups this warp committed
/// retired.
void dlc_simt_wgmma_wait(int32_t n) {
  // (.sync.aligned: the warp's lanes wait together, so once one goes on,
  // all of them have waited: a lane may free shared memory for the others,
  // as a GPU's lane 0 does after the warp's wait.)
  bool posted[kLanes];
  exchange([](Slot &) {}, posted);
  Thread &t = self();
  int64_t group = state->current / 128;
  Warpgroup &g = state->warpgroups[group];
  uint64_t target = t.mmaCommitted > uint64_t(n) ? t.mmaCommitted - n : 0;
  int64_t first = state->current / kLanes * kLanes;
  for (int64_t i = first; i < first + kLanes && i < state->threads; ++i)
    if (posted[i - first] && target > state->pool[i].mmaRetired)
      state->pool[i].mmaRetired = target;
  // A group is done when every thread of the warpgroup has waited for it
  // (exited ones count as having waited).
  uint64_t done = ~uint64_t(0);
  for (int64_t i = group * 128; i < group * 128 + 128; ++i)
    if (state->pool[i].state != State::Done && state->pool[i].mmaRetired < done)
      done = state->pool[i].mmaRetired;
  while (g.retired < done && g.groupEnds.size)
    retireGroup(g);
}

} // extern "C"
