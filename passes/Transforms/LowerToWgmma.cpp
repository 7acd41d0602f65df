//===- LowerToWgmma.cpp - dlc-lower-to-wgmma
//---------------------------------===//
//
// sm_90a GEMMs on the Hopper tensor cores: wgmma reading both operands from
// shared memory that TMA fills, a few K steps ahead, behind mbarriers. The
// kernel is built from upstream's nvgpu ops (tma.async.load,
// mbarrier.*, warpgroup.mma), whose lowering to NVVM computes the wgmma
// matrix descriptors and the 128-byte swizzle both sides agree on; the
// SIMT emulator runs that lowering's NVVM, checked against the swizzle an
// H100 shows (test/Target/CUDA/hopper-kernels-on-cpu.mlir).
//
// Warp-specialized and persistent, as CUTLASS's sm90 kernels: a block of
// three warpgroups an SM (at most 132) steps through 128 x 256 tiles of C
// (128 x 128 where too few such tiles would leave SMs idle, 128 x 64 where
// even those would leave half of them idle), K in steps of
// 128 bytes (64 f16 or bf16; 32 f32, multiplied in TF32, B read as B^T).
// The producer warpgroup hands most of its registers to the others
// (setmaxnreg) and its thread 0 issues the TMA loads of A's 128-row tile
// and B's 64-column boxes into a ring of stages, on from one tile into the
// next, each stage behind a "full" mbarrier (the loads' bytes) and an
// "empty" one (every consumer warp done reading it). The two consumer
// warpgroups each take 64 rows: wait for a stage's full phase, issue its
// wgmmas (m64n256k16, m64n128k16 or m64n64k16) leaving them in flight, and once
// the previous step's are done free that step's stage. No block-wide barrier:
// a stage is reloaded as soon as both consumers have left it, the next
// tile's while they store the last. The consumers store their sums from
// the registers (fragments as PTX lays out wgmma's D) to C, or through the
// product's one elementwise consumer to its output.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_LOWERTOWGMMA
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

// A's tile is 128 rows of a K step of 128 bytes (64 f16 or bf16, 32 f32):
// a row of the 128-byte swizzle.
constexpr int64_t kTileM = 128, kStepBytes = 128;
// Shared memory the stages may take (a block may have 227 KiB).
constexpr int64_t kStageBudget = 192 * 1024;
// Registers a thread of the producer and of a consumer warpgroup keep
// (setmaxnreg), from the 168 each has at entry (the SM's 64 Ki for 384
// threads, in 8s: dlc-pin-register-count makes ptxas give them). The
// consumers take no more than the producer gives up (setmaxnreg.inc waits
// for the registers the block's decs released): 128 x (168 - 56) >=
// 256 x (224 - 168), exactly. The producer's loop of TMA loads spills in 40
// (12 bytes, ptxas at 128 x 256 tiles), and in 48 where it loads A^T's two
// boxes a step (4 bytes); a consumer's 128 sums and its loop fit in 224.
constexpr int32_t kEntryRegisters = 65536 / 384 / 8 * 8;
constexpr int32_t kProducerRegisters = 56, kConsumerRegisters = 224;
static_assert(128 * (kEntryRegisters - kProducerRegisters) >=
                  256 * (kConsumerRegisters - kEntryRegisters),
              "the consumers take more registers than the producer frees");

// How far a wgmma's K moves a K-major operand's descriptor (32 bytes of a
// 128-byte swizzled row, in 16-byte units).
constexpr int64_t kStepK = 2;

// Rows of tiles a group of the persistent blocks' tile order takes.
constexpr int64_t kGroupRows = 8;

/// How many tiles of `tile` cover `size`.
int64_t tiles(int64_t size, int64_t tile) { return (size + tile - 1) / tile; }

/// The kernel's shape for an M x N product on `sms` SMs.
struct Tiling {
  int64_t tileN;      // 256, 128 or 64 columns a block
  int64_t stageBytes; // A's 128 x K step tile, then B's tileN / 64 boxes
  int64_t count;      // tiles
  int64_t stages;
  Tiling(int64_t m, int64_t n, int64_t steps, int64_t sms) {
    // The widest tiles (the fewest shared-memory reads a product) that
    // keep the SMs busy: 256 columns where such tiles fill them; 64 where
    // even those fit in one wave, which 128-column tiles would leave half
    // idle (a 1024 x 1024 product: 128 blocks, not 64); else 128.
    int64_t rows = tiles(m, kTileM);
    tileN = rows * tiles(n, 256) >= sms  ? 256
            : rows * tiles(n, 64) <= sms ? 64
                                         : 128;
    stageBytes = (kTileM + tileN) * kStepBytes;
    count = rows * tiles(n, tileN);
    // (A block's steps run on through its tiles: as many stages as fit,
    // no more than it has steps.)
    stages = std::min(kStageBudget / stageBytes, steps * tiles(count, sms));
  }
};

/// The zero fill that starts `matmul`'s output buffer, the op before it that
/// writes that buffer, or null.
linalg::FillOp zeroFill(linalg::MatmulOp matmul) {
  Value c = matmul.getDpsInits()[0];
  Operation *previous = matmul->getPrevNode();
  for (; previous; previous = previous->getPrevNode())
    if (llvm::is_contained(previous->getOperands(), c))
      break;
  auto fill = dyn_cast_or_null<linalg::FillOp>(previous);
  if (!fill || fill.getDpsInits()[0] != c)
    return nullptr;
  return matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat()) ? fill
                                                                : nullptr;
}

/// The buffer `v` is a view of (through view-like ops), or `v`.
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `op` or an op inside it may read or write one of the buffers
/// `roots` (rootBuffer), or memory it does not name (a call). Distinct
/// roots do not alias: allocations, and function arguments, which the
/// runtime refuses to pass overlapping. (Upstream's LocalAliasAnalysis
/// takes any two arguments to alias and an op without the effects
/// interface, a tiled kernel's loop, to touch everything: no update would
/// fuse past one.)
bool mayTouch(Operation *op, const llvm::SmallPtrSetImpl<Value> &roots) {
  WalkResult result = op->walk([&](Operation *inner) {
    if (isa<CallOpInterface>(inner))
      return WalkResult::interrupt();
    if (isMemoryEffectFree(inner))
      return WalkResult::advance();
    for (Value operand : inner->getOperands())
      if (isa<BaseMemRefType>(operand.getType()) &&
          roots.contains(rootBuffer(operand)))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// The elementwise op dlc-tile-for-gpu marked to follow `matmul` as its
/// kernel's epilogue, where its output buffer is read by nothing else (a
/// temporary: the epilogue makes it go), or null.
linalg::GenericOp epilogue(linalg::MatmulOp matmul) {
  Value c = matmul.getDpsInits()[0];
  if (!c.getDefiningOp<memref::AllocOp>())
    return nullptr;
  linalg::GenericOp consumer;
  for (Operation *user : c.getUsers()) {
    if (user == matmul || isa<linalg::FillOp, memref::DeallocOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    if (consumer || !generic || !generic->hasAttr(dlc::kWgmmaAttr) ||
        generic->getBlock() != matmul->getBlock() ||
        !matmul->isBeforeInBlock(generic) ||
        llvm::is_contained(generic.getDpsInits(), c))
      return nullptr;
    consumer = generic;
  }
  // (Its operands there before the kernel, which takes the product's
  // place.)
  if (consumer)
    for (Value operand : consumer->getOperands())
      if (Operation *def = operand.getDefiningOp();
          def && def->getBlock() == matmul->getBlock() &&
          !def->isBeforeInBlock(matmul))
        return nullptr;
  // (It moves up to the product: nothing between them may touch what it
  // reads or writes.)
  if (consumer) {
    llvm::SmallPtrSet<Value, 4> touched;
    for (Value operand : consumer->getOperands())
      if (operand != c)
        touched.insert(rootBuffer(operand));
    for (Operation *op = matmul->getNextNode(); op != consumer;
         op = op->getNextNode())
      if (mayTouch(op, touched))
        return nullptr;
  }
  return consumer;
}

/// Whether `matmul` is a TF32 product: f32 operands (which dlc-tile-for-gpu
/// marks rebuilt to read B as B^T [N, K]: TF32 wgmma reads both operands
/// K-major; `unsupported` checks the maps).
bool isTF32(linalg::MatmulOp matmul) {
  return getElementTypeOrSelf(matmul.getDpsInputs()[0].getType()).isF32();
}

/// How `matmul` reads its operands (dlc::wgmmaMaps): A as A^T [K, M]
/// (MN-major for the wgmma), B as B^T [N, K] (K-major); none if its maps
/// are neither way.
struct Layout {
  bool aT, bT;
};
std::optional<Layout> layoutOf(linalg::MatmulOp matmul) {
  SmallVector<AffineMap> maps = matmul.getIndexingMapsArray();
  for (bool aT : {false, true})
    for (bool bT : {false, true})
      if (ArrayRef<AffineMap>(maps) ==
          ArrayRef<AffineMap>(dlc::wgmmaMaps(matmul.getContext(), aT, bT)))
        return Layout{aT, bT};
  return std::nullopt;
}

/// Why `matmul` (marked dlc.wgmma on tensors) cannot take the kernel on its
/// buffers, or "".
std::string unsupported(linalg::MatmulOp matmul) {
  for (Value operand : matmul->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.getLayout().isIdentity() || type.getMemorySpace())
      return "an operand is not an identity-layout buffer";
  }
  std::optional<Layout> layout = layoutOf(matmul);
  if (!layout)
    return "its maps are not those of A [M, K] or A^T [K, M] times B [K, N] "
           "or B^T [N, K]";
  if (isTF32(matmul) && (layout->aT || !layout->bT))
    return "an f32 (TF32) product must read A as it is and B as B^T [N, K] "
           "(TF32 wgmma reads both operands K-major): its maps are not (m, "
           "k), (n, k), (m, n)";
  // (A and B as multiplied: [M, K] and [K, N].)
  auto asMultiplied = [&](Value operand, bool transposed) -> ShapedType {
    auto type = cast<ShapedType>(operand.getType());
    if (!transposed || !type.hasRank() || type.getRank() != 2)
      return type;
    return RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                 type.getElementType());
  };
  ShapedType a = asMultiplied(matmul.getDpsInputs()[0], layout->aT);
  ShapedType bMat = asMultiplied(matmul.getDpsInputs()[1], layout->bT);
  auto c = cast<ShapedType>(matmul.getDpsInits()[0].getType());
  if (!dlc::fitsWgmmaTiles(a, bMat, c, /*tf32=*/true))
    return "its operands are not f16, bf16 or f32 with an f32 output, or M "
           "or N is under 128, or N not a multiple of 8, or K not of 16 "
           "bytes";
  if (layout->aT && c.getDimSize(0) % 8)
    return "it reads A^T [K, M] with M not a multiple of 8 (TMA's rows of 16 "
           "bytes)";
  if (!zeroFill(matmul))
    return "its output is not filled with zeros just before";
  return "";
}

struct Builder {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
};

/// What a K step's wgmmas read: f16 or bf16 (m64nNk16) A or A^T and B or
/// B^T, or TF32 (m64nNk8) A and B^T; A K-major ("row" in NVVM's terms) or,
/// read as A^T [K, M], MN-major ("col"); B MN-major ("row") or, read as
/// B^T [N, K], K-major ("col"). And how far each wgmma moves an operand's
/// descriptor's start address (16-byte units) along the tile: K-major,
/// 32 bytes of its 128-byte swizzled rows (2 units); MN-major, 16 of its
/// rows of 128 bytes (128 units).
struct WgmmaOperands {
  NVVM::WGMMATypes type;
  int64_t depth; // K a wgmma
  NVVM::MMALayout layoutA, layoutB;
  int64_t stepA, stepB;

  WgmmaOperands(Type element, Layout layout)
      : type(element.isF32()    ? NVVM::WGMMATypes::tf32
             : element.isBF16() ? NVVM::WGMMATypes::bf16
                                : NVVM::WGMMATypes::f16),
        depth(element.isF32() ? 8 : 16),
        layoutA(layout.aT ? NVVM::MMALayout::col : NVVM::MMALayout::row),
        layoutB(layout.bT ? NVVM::MMALayout::col : NVVM::MMALayout::row),
        stepA(layout.aT ? depth * kStepBytes / 16 : kStepK),
        stepB(layout.bT ? kStepK : depth * kStepBytes / 16) {}
};

/// A consumer warpgroup's wgmmas of a K step (`tileK` elements of A's
/// 64 x tileK half and of B's tile, as descriptors `dA` and `dB` give them)
/// into `sums`, committed as a group of which at most one stays in flight.
/// On a tile's first step (`first`) the first wgmma overwrites the sums
/// (scale-d 0) rather than adding to them, as CUTLASS does: no zeros are
/// moved into the accumulator registers, which ptxas would otherwise find
/// written behind the wgmma fence and serialize the wgmmas for (C7520).
/// Built as NVVM ops: upstream's nvgpu.warpgroup.mma neither takes f32
/// operands as TF32 nor a K-major B, nor leaves out the zeros.
Value wgmmaStep(OpBuilder &b, Location loc, const WgmmaOperands &operands,
                int64_t tileK, int64_t n, Value dA, Value dB, Value sums,
                bool first) {
  Type i64 = b.getI64Type();
  auto raw = [&](Value descriptor) {
    return UnrealizedConversionCastOp::create(b, loc, i64, descriptor)
        .getResult(0);
  };
  Value a = raw(dA), bMat = raw(dB);
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  for (int64_t k = 0; k < tileK / operands.depth; ++k) {
    auto at = [&](Value descriptor, int64_t step) -> Value {
      if (k == 0)
        return descriptor;
      return LLVM::AddOp::create(
          b, loc, descriptor,
          LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(step * k)));
    };
    sums = NVVM::WgmmaMmaAsyncOp::create(
        b, loc, sums.getType(), sums, at(a, operands.stepA),
        at(bMat, operands.stepB),
        NVVM::MMAShapeAttr::get(b.getContext(), 64, n, operands.depth),
        operands.type, operands.type, NVVM::WGMMATypes::f32,
        first && k == 0 ? NVVM::WGMMAScaleOut::zero : NVVM::WGMMAScaleOut::one,
        NVVM::WGMMAScaleIn::one, NVVM::WGMMAScaleIn::one, operands.layoutA,
        operands.layoutB, NVVM::MMAIntOverflowAttr());
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
  return sums;
}

/// Replaces `matmul` (C = A B, A [M, K] or A^T [K, M] and B [K, N] or
/// B^T [N, K] of f16 or bf16, or of f32 A and B^T (isTF32), C f32 [M, N]
/// as fitsWgmmaTiles takes them, C zero-filled just before) and its fill
/// by the kernel, which
/// `multiprocessors` (the runtime's SM count) sizes; its tiles are chosen for
/// `sms` SMs.
void lowerMatmul(linalg::MatmulOp matmul, LLVM::LLVMFuncOp multiprocessors,
                 int64_t sms) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Builder k{b, loc};
  MLIRContext *context = b.getContext();
  Value a = matmul.getDpsInputs()[0], bMat = matmul.getDpsInputs()[1],
        c = matmul.getDpsInits()[0];
  auto aType = cast<MemRefType>(a.getType());
  auto cType = cast<MemRefType>(c.getType());
  Type element = aType.getElementType();
  Type f32 = b.getF32Type();
  // A or A^T (MN-major, transposed by the wgmma), B (MN-major, transposed
  // by the wgmma) or B^T (K-major: TF32 reads B so only).
  Layout layout = *layoutOf(matmul);
  int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
          depth = aType.getDimSize(layout.aT ? 0 : 1);
  int64_t tileK = kStepBytes / (element.getIntOrFloatBitWidth() / 8);
  // (The last step's and the edge tiles' elements past K, M and N are
  // TMA's zeros.)
  int64_t steps = tiles(depth, tileK);
  Tiling t(m, n, steps, sms);
  zeroFill(matmul).erase();
  linalg::GenericOp consumer = epilogue(matmul);

  auto shared =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  // A's tile of a step, one box of 128 rows, or of A^T two boxes of 64
  // columns (K rows), each a consumer warpgroup's half: 8 KiB apart either
  // way.
  auto shape = [&](bool transposed, int64_t rows, int64_t columns) {
    return transposed ? SmallVector<int64_t, 2>{columns, rows}
                      : SmallVector<int64_t, 2>{rows, columns};
  };
  auto boxA = MemRefType::get(shape(layout.aT, layout.aT ? 64 : kTileM, tileK),
                              element, nullptr, shared);
  auto halfA =
      MemRefType::get(shape(layout.aT, 64, tileK), element, nullptr, shared);
  // B's boxes of 64 columns (of B^T: 64 rows) of a step.
  SmallVector<int64_t, 2> box = shape(!layout.bT, 64, tileK),
                          tileBShape = shape(!layout.bT, t.tileN, tileK);
  auto boxB = MemRefType::get(box, element, nullptr, shared);
  auto tileB = MemRefType::get(tileBShape, element, nullptr, shared);
  auto mapType = [&](MemRefType tile) {
    return nvgpu::TensorMapDescriptorType::get(
        context, tile, nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  auto mapA = mapType(boxA), mapB = mapType(boxB);
  auto unranked = [&](Value v) {
    return memref::CastOp::create(
        b, loc, UnrankedMemRefType::get(element, Attribute()), v);
  };
  // (Boxes as the memref gives dims, outermost first.)
  Value descA = nvgpu::TmaCreateDescriptorOp::create(
      b, loc, mapA, unranked(a),
      ValueRange{k.index(boxA.getDimSize(0)), k.index(boxA.getDimSize(1))});
  Value descB = nvgpu::TmaCreateDescriptorOp::create(
      b, loc, mapB, unranked(bMat),
      ValueRange{k.index(box[0]), k.index(box[1])});

  Value one = k.index(1);
  int64_t tilesN = tiles(n, t.tileN);
  // Persistent: a block an SM (the device's count, from the runtime), no
  // more than tiles, each taking tiles blockIdx.x, blockIdx.x + gridDim.x,
  // ..., so that the producer loads a block's next tile while its
  // consumers store the last.
  Value smCount = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      LLVM::CallOp::create(b, loc, multiprocessors, ValueRange{}).getResult());
  Value blocks = arith::MaxUIOp::create(
      b, loc, one, arith::MinUIOp::create(b, loc, smCount, k.index(t.count)));
  auto launch = gpu::LaunchOp::create(
      b, loc, blocks, one, one, k.index(384), one, one,
      /*dynamicSharedMemorySize=*/
      arith::ConstantIntOp::create(b, loc, t.stages * t.stageBytes, 32));
  b.setInsertionPointToEnd(&launch.getBody().front());
  Value zero = k.index(0);
  Value tid = launch.getThreadIds().x;
  Value firstTile = launch.getBlockIds().x;
  Value tileStride = launch.getGridSize().x;
  // The rows and columns tile `tile` starts at: tiles in groups of
  // kGroupRows rows of tiles, along the group's rows first (Triton's
  // grouped order), so that the tiles in flight together share fewer of
  // A's rows and B's columns than in plain row order (from L2, not DRAM).
  auto origin = [&](Value tile) -> std::pair<Value, Value> {
    int64_t tilesM = tiles(m, kTileM);
    int64_t rows = std::min(kGroupRows, tilesM);
    Value groupTiles = k.index(rows * tilesN);
    Value firstRow = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, tile, groupTiles),
        k.index(rows));
    // (The last group may have fewer rows.)
    Value groupRows = arith::MinUIOp::create(
        b, loc, arith::SubIOp::create(b, loc, k.index(tilesM), firstRow),
        k.index(rows));
    Value inGroup = arith::RemUIOp::create(b, loc, tile, groupTiles);
    Value tileRow = arith::AddIOp::create(
        b, loc, firstRow, arith::RemUIOp::create(b, loc, inGroup, groupRows));
    Value tileCol = arith::DivUIOp::create(b, loc, inGroup, groupRows);
    return {arith::MulIOp::create(b, loc, tileRow, k.index(kTileM)),
            arith::MulIOp::create(b, loc, tileCol, k.index(t.tileN))};
  };
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), nullptr, shared));
  // Stage s: A's tile at s * stageBytes, B's boxes 16 KiB on, 8 KiB apart
  // (each 1024-byte aligned: the 128-byte swizzle's pattern).
  auto view = [&](Value offset, MemRefType type) -> Value {
    return memref::ViewOp::create(b, loc, type, smem, offset, ValueRange{});
  };
  auto stageOffset = [&](Value stage, Value extra) -> Value {
    return arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, stage, k.index(t.stageBytes)),
        extra);
  };
  auto cmp = [&](arith::CmpIPredicate predicate, Value x, Value y) -> Value {
    return arith::CmpIOp::create(b, loc, predicate, x, y);
  };
  auto ifThen = [&](Value condition) {
    auto ifOp = scf::IfOp::create(b, loc, condition, false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    return ifOp;
  };
  Value stagesValue = k.index(t.stages);
  // K step `it` of the block's (counted over its tiles): its stage and the
  // parity of the stage's round.
  auto stageOf = [&](Value it) -> std::pair<Value, Value> {
    Value round = arith::DivUIOp::create(b, loc, it, stagesValue);
    return {
        arith::RemUIOp::create(b, loc, it, stagesValue),
        arith::IndexCastOp::create(b, loc, b.getI1Type(),
                                   arith::AndIOp::create(b, loc, round, one))};
  };
  // full[s]: stage s loaded (the producer's arrival and the TMA bytes);
  // empty[s]: stage s read (an arrival from each of the 8 consumer warps).
  auto group = [&](int64_t count) -> Value {
    return nvgpu::MBarrierCreateOp::create(
        b, loc, nvgpu::MBarrierGroupType::get(context, shared, count));
  };
  Value full = group(t.stages), empty = group(t.stages);
  Value leader = cmp(arith::CmpIPredicate::eq, tid, zero);
  {
    OpBuilder::InsertionGuard guard(b);
    ifThen(leader);
    for (int64_t s = 0; s < t.stages; ++s) {
      nvgpu::MBarrierInitOp::create(b, loc, full, one, k.index(s), Value());
      nvgpu::MBarrierInitOp::create(b, loc, empty, k.index(8), k.index(s),
                                    Value());
    }
    // (The inits visible to the TMA unit's arrivals too, as CUTLASS does.)
    NVVM::FenceMbarrierInitOp::create(b, loc);
  }
  gpu::BarrierOp::create(b, loc);

  Value tileCountValue = k.index(t.count), stepsValue = k.index(steps);
  auto producer = scf::IfOp::create(
      b, loc, cmp(arith::CmpIPredicate::ult, tid, k.index(128)), true);
  // The producer warpgroup: thread 0 loads step after step as the consumers
  // free the stages, on into the next tile.
  b.setInsertionPointToStart(producer.thenBlock());
  NVVM::SetMaxRegisterOp::create(b, loc, kProducerRegisters,
                                 NVVM::SetMaxRegisterAction::decrease);
  {
    OpBuilder::InsertionGuard guard(b);
    ifThen(leader);
    // (The tensor maps' cache lines fetched before the first loads need
    // them, as CUTLASS's producer does.)
    nvgpu::TmaPrefetchOp::create(b, loc, descA, Value());
    nvgpu::TmaPrefetchOp::create(b, loc, descB, Value());
    auto tileLoop = scf::ForOp::create(b, loc, firstTile, tileCountValue,
                                       tileStride, ValueRange{zero});
    b.setInsertionPointToStart(tileLoop.getBody());
    auto [row0, col0] = origin(tileLoop.getInductionVar());
    Value base = tileLoop.getRegionIterArg(0);
    auto loop = scf::ForOp::create(b, loc, zero, stepsValue, one);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value step = loop.getInductionVar();
      auto [stage, parity] = stageOf(arith::AddIOp::create(b, loc, base, step));
      // (Round 0 finds a new barrier's phase of parity 1 complete.)
      nvgpu::MBarrierTryWaitParityOp::create(
          b, loc, empty,
          arith::XOrIOp::create(b, loc, parity,
                                arith::ConstantIntOp::create(b, loc, 1, 1)),
          k.index(10000000), stage);
      Value kOffset = arith::MulIOp::create(b, loc, step, k.index(tileK));
      nvgpu::MBarrierArriveExpectTxOp::create(
          b, loc, full, k.index(t.stageBytes), stage, Value());
      // (Coordinates innermost first: K of A and B^T, rows of A^T, columns
      // of B.)
      auto coordinates = [&](bool kInner, Value other) {
        return kInner ? SmallVector<Value, 2>{kOffset, other}
                      : SmallVector<Value, 2>{other, kOffset};
      };
      for (int64_t box = 0; box < (layout.aT ? kTileM / 64 : 1); ++box)
        nvgpu::TmaAsyncLoadOp::create(
            b, loc, view(stageOffset(stage, k.index(box * 8192)), boxA), full,
            descA,
            coordinates(!layout.aT, box ? arith::AddIOp::create(
                                              b, loc, row0, k.index(64 * box))
                                        : row0),
            stage, Value(), Value());
      for (int64_t box = 0; box < t.tileN / 64; ++box) {
        Value col = arith::AddIOp::create(b, loc, col0, k.index(64 * box));
        SmallVector<Value, 2> at = coordinates(layout.bT, col);
        nvgpu::TmaAsyncLoadOp::create(
            b, loc,
            view(stageOffset(stage, k.index(kTileM * kStepBytes + box * 8192)),
                 boxB),
            full, descB, at, stage, Value(), Value());
      }
    }
    scf::YieldOp::create(
        b, loc, arith::AddIOp::create(b, loc, base, stepsValue).getResult());
  }

  // Consumer warpgroup w (1 or 2): rows 64 (w - 1) on of each tile.
  b.setInsertionPointToStart(producer.elseBlock());
  NVVM::SetMaxRegisterOp::create(b, loc, kConsumerRegisters,
                                 NVVM::SetMaxRegisterAction::increase);
  Value mine = arith::SubIOp::create(b, loc, tid, k.index(128));
  Value half = arith::DivUIOp::create(b, loc, mine, k.index(128));
  // (A warp's wgmma wait covers its own reads only: each consumer warp
  // frees a stage.)
  Value lane = arith::RemUIOp::create(b, loc, mine, k.index(32));
  Value first = cmp(arith::CmpIPredicate::eq, lane, zero);
  // (A thread's sums of wgmma's D: tileN / 2 floats.)
  auto floats = LLVM::LLVMStructType::getLiteral(
      context, SmallVector<Type>(t.tileN / 2, f32));
  WgmmaOperands operands(element, layout);
  // Where the sums go (C, or the epilogue's outputs), and whether each
  // starts at a multiple of a pair of its elements (see storeSums below).
  SmallVector<Value> outs = consumer
                                ? SmallVector<Value>(consumer.getDpsInits())
                                : SmallVector<Value>{c};
  auto elementBytes = [](Value buffer) {
    return getElementTypeOrSelf(buffer.getType()).getIntOrFloatBitWidth() / 8;
  };
  Value aligned;
  for (Value out : outs) {
    Value isAligned = cmp(
        arith::CmpIPredicate::eq,
        arith::RemUIOp::create(
            b, loc, memref::ExtractAlignedPointerAsIndexOp::create(b, loc, out),
            k.index(2 * elementBytes(out))),
        zero);
    aligned =
        aligned ? arith::AndIOp::create(b, loc, aligned, isAligned) : isAligned;
  }
  auto tileLoop = scf::ForOp::create(b, loc, firstTile, tileCountValue,
                                     tileStride, ValueRange{zero});
  b.setInsertionPointToStart(tileLoop.getBody());
  auto [row0, col0] = origin(tileLoop.getInductionVar());
  Value base = tileLoop.getRegionIterArg(0);
  auto freeStage = [&](Value it) {
    OpBuilder::InsertionGuard guard(b);
    ifThen(first);
    nvgpu::MBarrierArriveOp::create(b, loc,
                                    nvgpu::MBarrierTokenType::get(context),
                                    empty, stageOf(it).first);
  };
  // K step `step` of the tile: once its stage is full, its wgmmas.
  auto kStep = [&](Value step, Value sums, bool firstStep) -> Value {
    Value it = arith::AddIOp::create(b, loc, base, step);
    auto [stage, parity] = stageOf(it);
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, full, parity,
                                           k.index(10000000), stage);
    Value aTile =
        view(stageOffset(stage, arith::MulIOp::create(
                                    b, loc, half, k.index(64 * kStepBytes))),
             halfA);
    Value bTile = view(stageOffset(stage, k.index(kTileM * kStepBytes)), tileB);
    Value dA = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, loc, nvgpu::WarpgroupMatrixDescriptorType::get(context, halfA),
        aTile, descA);
    Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, loc, nvgpu::WarpgroupMatrixDescriptorType::get(context, tileB),
        bTile, descB);
    return wgmmaStep(b, loc, operands, tileK, t.tileN, dA, dB, sums, firstStep);
  };
  // The first step (its sums from nothing: no zeros), then the others,
  // each leaving its group in flight: the previous step's wgmmas are then
  // done (in this warp), and its stage is freed.
  Value sums0 = kStep(zero, LLVM::PoisonOp::create(b, loc, floats), true);
  auto loop =
      scf::ForOp::create(b, loc, one, stepsValue, one, ValueRange{sums0});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value next = kStep(step, loop.getRegionIterArg(0), false);
    freeStage(arith::SubIOp::create(
        b, loc, arith::AddIOp::create(b, loc, base, step), one));
    scf::YieldOp::create(b, loc, next);
  }
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  Value next = arith::AddIOp::create(b, loc, base, stepsValue);
  freeStage(arith::SubIOp::create(b, loc, next, one));

  // The epilogue from the registers, as PTX lays out wgmma's D: warp w of
  // the consumers has rows 16 w on, lane l rows l / 4 and l / 4 + 8 of
  // them, columns 2 (l % 4) + 8 j and the next, registers 4 j + 2 i and
  // the next for the row + 8 i. Each sum goes to C, or through the
  // consumer's body (with its other inputs at that row and column) to its
  // output; those of edge tiles past M or N nowhere.
  Value rowBase = arith::AddIOp::create(
      b, loc, row0,
      arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(
              b, loc, arith::DivUIOp::create(b, loc, mine, k.index(32)),
              k.index(16)),
          arith::DivUIOp::create(b, loc, lane, k.index(4))));
  Value colBase = arith::AddIOp::create(
      b, loc, col0,
      arith::MulIOp::create(b, loc,
                            arith::RemUIOp::create(b, loc, lane, k.index(4)),
                            k.index(2)));
  Value registers = loop.getResult(0);
  bool edges = m % kTileM || n % t.tileN;
  // A thread's sums come in pairs of columns: the consumer's body runs on
  // each pair as vectors of two, and each of its results is stored as one
  // access of two elements, where its output starts at a multiple of a
  // pair's bytes (`alignedPairs`: 4 bytes of f16 or bf16, 8 of f32),
  // otherwise at the element's alignment, which LLVM splits. (Pairs also
  // spare ptxas single conversions of sums to f16 or bf16, which it took
  // for reads inside the wgmma pipeline and serialized the wgmmas for,
  // C7514.)
  auto storeSums = [&](bool alignedPairs) {
    for (int64_t i = 0; i < 2; ++i) {
      Value row = arith::AddIOp::create(b, loc, rowBase, k.index(8 * i));
      for (int64_t j = 0; j < t.tileN / 8; ++j) {
        OpBuilder::InsertionGuard guard(b);
        Value col = arith::AddIOp::create(b, loc, colBase, k.index(8 * j));
        // (N is even: a pair is inside or past it whole.)
        if (edges)
          ifThen(arith::AndIOp::create(
              b, loc, cmp(arith::CmpIPredicate::ult, row, k.index(m)),
              cmp(arith::CmpIPredicate::ult, col, k.index(n))));
        SmallVector<Value, 2> sums;
        for (int64_t e = 0; e < 2; ++e)
          sums.push_back(LLVM::ExtractValueOp::create(
              b, loc, registers, ArrayRef<int64_t>{4 * j + 2 * i + e}));
        SmallVector<Value> results = {vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, f32), sums)};
        if (consumer) {
          // The consumer's body on the pair, its other operands' elements
          // at the pair's row and columns (the outputs' too where it reads
          // them: an update in place).
          IRMapping mapping;
          Block *body = consumer.getBody();
          for (OpOperand &operand : consumer->getOpOperands()) {
            BlockArgument argument =
                body->getArgument(operand.getOperandNumber());
            if (operand.get() == c) {
              mapping.map(argument, results[0]);
              continue;
            }
            if (argument.use_empty())
              continue;
            AffineMap map = consumer.getMatchingIndexingMap(&operand);
            SmallVector<Value, 2> elements;
            for (int64_t e = 0; e < 2; ++e) {
              Value at[] = {
                  row, e ? arith::AddIOp::create(b, loc, col, one).getResult()
                         : col};
              SmallVector<Value> indices;
              for (unsigned d = 0; d < map.getNumResults(); ++d)
                indices.push_back(affine::AffineApplyOp::create(
                    b, loc, map.getSubMap({d}), at));
              elements.push_back(
                  memref::LoadOp::create(b, loc, operand.get(), indices));
            }
            mapping.map(argument,
                        vector::FromElementsOp::create(
                            b, loc, VectorType::get({2}, argument.getType()),
                            elements));
          }
          dlc::cloneOnVectors(b, *body, mapping, 2);
          results.clear();
          for (auto [out, value] : llvm::zip_equal(
                   outs,
                   cast<linalg::YieldOp>(body->getTerminator()).getValues())) {
            Value pair = mapping.lookupOrDefault(value);
            if (!isa<VectorType>(pair.getType()))
              pair = vector::BroadcastOp::create(
                  b, loc,
                  VectorType::get({2}, getElementTypeOrSelf(out.getType())),
                  pair);
            results.push_back(pair);
          }
        }
        for (auto [out, pair] : llvm::zip_equal(outs, results))
          vector::StoreOp::create(
              b, loc, pair, out, ValueRange{row, col},
              /*nontemporal=*/false,
              llvm::Align((alignedPairs ? 2 : 1) * elementBytes(out)));
      }
    }
  };
  {
    OpBuilder::InsertionGuard guard(b);
    auto branch = scf::IfOp::create(b, loc, aligned, /*withElse=*/true);
    b.setInsertionPointToStart(branch.thenBlock());
    storeSums(true);
    b.setInsertionPointToStart(branch.elseBlock());
    storeSums(false);
  }
  scf::YieldOp::create(b, loc, next);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  matmul.erase();
  if (consumer) {
    consumer.erase();
    // C is written and read by nobody now.
    auto alloc = c.getDefiningOp<memref::AllocOp>();
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      user->erase();
    alloc.erase();
  }
}

struct LowerToWgmma : public dlc::impl::LowerToWgmmaBase<LowerToWgmma> {
  using LowerToWgmmaBase::LowerToWgmmaBase;
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> marked;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op->hasAttr(dlc::kWgmmaAttr))
        marked.push_back(op);
    });
    if (marked.empty())
      return;
    if (multiprocessors < 1) {
      getOperation().emitError("dlc-lower-to-wgmma: multiprocessors must be "
                               "1 or more, not ")
          << static_cast<int64_t>(multiprocessors);
      return signalPassFailure();
    }
    // The runtime's count of the device's SMs: the persistent kernels'
    // grid.
    ModuleOp module = getOperation();
    // (An llvm.func: passes on func.funcs take every one to have a body.)
    auto smCount =
        module.lookupSymbol<LLVM::LLVMFuncOp>("mgpuMultiprocessorCount");
    if (!smCount) {
      OpBuilder b(module.getBodyRegion());
      smCount = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), "mgpuMultiprocessorCount",
          LLVM::LLVMFunctionType::get(b.getI32Type(), {}));
    }
    for (linalg::MatmulOp op : marked) {
      std::string why = unsupported(op);
      if (!why.empty()) {
        op.emitError("dlc-lower-to-wgmma: a product marked for wgmma "
                     "cannot take it on its buffers: ")
            << why;
        return signalPassFailure();
      }
      lowerMatmul(op, smCount, multiprocessors);
    }
  }
};

} // namespace
