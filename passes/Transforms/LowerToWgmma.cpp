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
// (128 x 128 where too few such tiles would leave SMs idle), K in steps of
// 128 bytes (64 f16 or bf16; 32 f32, multiplied in TF32, B read as B^T).
// The producer warpgroup hands most of its registers to the others
// (setmaxnreg) and its thread 0 issues the TMA loads of A's 128-row tile
// and B's 64-column boxes into a ring of stages, on from one tile into the
// next, each stage behind a "full" mbarrier (the loads' bytes) and an
// "empty" one (every consumer warp done reading it). The two consumer
// warpgroups each take 64 rows: wait for a stage's full phase, issue its
// wgmmas (m64n256k16 or m64n128k16) leaving them in flight, and once the
// previous step's are done free that step's stage. No block-wide barrier:
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
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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
// The SMs of an H100 or H200 (SXM): fewer 128 x 256 tiles than that leave
// SMs idle, and 128 x 128 ones are taken. (The grid takes the device's own
// count at run time.)
constexpr int64_t kMultiprocessors = 132;
// Registers a thread of the producer and of a consumer warpgroup keep
// (setmaxnreg): 128 x 40 + 256 x 232 <= 64 Ki, the SM's.
constexpr int32_t kProducerRegisters = 40, kConsumerRegisters = 232;

// Rows of tiles a group of the persistent blocks' tile order takes.
constexpr int64_t kGroupRows = 8;

/// How many tiles of `tile` cover `size`.
int64_t tiles(int64_t size, int64_t tile) { return (size + tile - 1) / tile; }

/// The kernel's shape for an M x N product.
struct Tiling {
  int64_t tileN;      // 256 or 128 columns a block
  int64_t stageBytes; // A's 128 x K step tile, then B's tileN / 64 boxes
  int64_t count;      // tiles
  int64_t stages;
  Tiling(int64_t m, int64_t n, int64_t steps) {
    tileN = tiles(m, kTileM) * tiles(n, 256) >= kMultiprocessors ? 256 : 128;
    stageBytes = (kTileM + tileN) * kStepBytes;
    count = tiles(m, kTileM) * tiles(n, tileN);
    // (A block's steps run on through its tiles: as many stages as fit,
    // no more than it has steps.)
    stages = std::min(kStageBudget / stageBytes,
                      steps * tiles(count, kMultiprocessors));
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
  // (Nothing between them writes what the epilogue reads.)
  for (Operation *op = matmul->getNextNode(); consumer && op != consumer;
       op = op->getNextNode())
    if (!isMemoryEffectFree(op))
      return nullptr;
  return consumer;
}

/// Whether `matmul` is a TF32 product: f32 operands (which dlc-tile-for-gpu
/// marks rebuilt to read B as B^T [N, K], transposedBMaps: TF32 wgmma
/// reads both operands K-major; `unsupported` checks the maps).
bool isTF32(linalg::MatmulOp matmul) {
  return getElementTypeOrSelf(matmul.getDpsInputs()[0].getType()).isF32();
}

/// Why `matmul` (marked dlc.wgmma on tensors) cannot take the kernel on its
/// buffers, or "".
std::string unsupported(linalg::MatmulOp matmul) {
  for (Value operand : matmul->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.getLayout().isIdentity() || type.getMemorySpace())
      return "an operand is not an identity-layout buffer";
  }
  bool tf32 = isTF32(matmul);
  auto a = cast<ShapedType>(matmul.getDpsInputs()[0].getType());
  auto bMat = cast<ShapedType>(matmul.getDpsInputs()[1].getType());
  auto c = cast<ShapedType>(matmul.getDpsInits()[0].getType());
  if (tf32) {
    if (ArrayRef<AffineMap>(matmul.getIndexingMapsArray()) !=
        ArrayRef<AffineMap>(dlc::transposedBMaps(matmul.getContext())))
      return "an f32 (TF32) product must read B as B^T [N, K]: its maps are "
             "not (m, k), (n, k), (m, n)";
  } else if (!linalg::MatmulOp::isDefaultIndexingMaps(
                 matmul.getIndexingMapsAttr())) {
    return "its maps are not the default ones";
  }
  if (!dlc::fitsWgmmaTiles(a, bMat, c, /*tf32=*/true))
    return "its operands are not f16, bf16 or f32 with an f32 output, or M "
           "or N is under 128, or N not a multiple of 8, or K not of 16 "
           "bytes";
  if (!zeroFill(matmul))
    return "its output is not filled with zeros just before";
  return "";
}

struct Builder {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
};

/// A consumer warpgroup's TF32 wgmmas of a K step (`depth` f32 of A's
/// 64 x depth half and B^T's n x depth tile, both K-major and swizzled in
/// 128-byte rows, as descriptors `dA`, `dB` give them) into `sums`, committed
/// as a group of which at most one stays in flight: what upstream's
/// nvgpu.warpgroup.mma does for f16, which takes neither f32 operands as
/// TF32 nor a K-major B (its descriptor steps are an MN-major B's). Each
/// m64nNk8 reads the next 32 bytes of the rows: the descriptors' start
/// addresses (16-byte units) 2 on, the hardware swizzling the address as
/// TMA did.
Value tf32Step(OpBuilder &b, Location loc, Type sumsType, Value dA, Value dB,
               int64_t depth, int64_t n, Value sums) {
  Type i64 = b.getI64Type();
  auto raw = [&](Value descriptor) {
    return UnrealizedConversionCastOp::create(b, loc, i64, descriptor)
        .getResult(0);
  };
  Value a = raw(dA), bT = raw(dB);
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  for (int64_t k = 0; k < depth / 8; ++k) {
    auto at = [&](Value descriptor) -> Value {
      if (k == 0)
        return descriptor;
      return LLVM::AddOp::create(
          b, loc, descriptor,
          LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(2 * k)));
    };
    sums = NVVM::WgmmaMmaAsyncOp::create(
        b, loc, sumsType, sums, at(a), at(bT),
        NVVM::MMAShapeAttr::get(b.getContext(), 64, n, 8),
        NVVM::WGMMATypes::tf32, NVVM::WGMMATypes::tf32, NVVM::WGMMATypes::f32,
        NVVM::WGMMAScaleOut::one, NVVM::WGMMAScaleIn::one,
        NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row, NVVM::MMALayout::col,
        NVVM::MMAIntOverflowAttr());
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
  return sums;
}

/// Replaces `matmul` (C = A B, A [M, K] and B [K, N] of f16 or bf16, or
/// of f32 with B^T [N, K] (isTF32), C f32 [M, N] as fitsWgmmaTiles takes
/// them, C zero-filled just before) and its fill by the kernel, which
/// `multiprocessors` (the runtime's SM count)
/// sizes.
void lowerMatmul(linalg::MatmulOp matmul, LLVM::LLVMFuncOp multiprocessors) {
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
  int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
          depth = aType.getDimSize(1);
  // TF32: B is B^T [N, K] (K-major, as TF32 wgmma reads it); f16 and bf16:
  // B [K, N] (MN-major, transposed by the wgmma).
  bool tf32 = isTF32(matmul);
  int64_t tileK = kStepBytes / (element.getIntOrFloatBitWidth() / 8);
  // (The last step's and the edge tiles' elements past K, M and N are
  // TMA's zeros.)
  int64_t steps = tiles(depth, tileK);
  Tiling t(m, n, steps);
  zeroFill(matmul).erase();
  linalg::GenericOp consumer = epilogue(matmul);

  auto shared =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto tileA = MemRefType::get({kTileM, tileK}, element, nullptr, shared);
  // (A consumer warpgroup's half of A's tile.)
  auto halfA = MemRefType::get({64, tileK}, element, nullptr, shared);
  // B's boxes of 64 columns (rows of B^T) of a step.
  SmallVector<int64_t, 2> box = {tileK, 64}, tileBShape = {tileK, t.tileN};
  if (tf32) {
    std::swap(box[0], box[1]);
    std::swap(tileBShape[0], tileBShape[1]);
  }
  auto boxB = MemRefType::get(box, element, nullptr, shared);
  auto tileB = MemRefType::get(tileBShape, element, nullptr, shared);
  auto mapType = [&](MemRefType tile) {
    return nvgpu::TensorMapDescriptorType::get(
        context, tile, nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  auto mapA = mapType(tileA), mapB = mapType(boxB);
  auto unranked = [&](Value v) {
    return memref::CastOp::create(
        b, loc, UnrankedMemRefType::get(element, Attribute()), v);
  };
  // (Boxes as the memref gives dims, outermost first.)
  Value descA = nvgpu::TmaCreateDescriptorOp::create(
      b, loc, mapA, unranked(a), ValueRange{k.index(kTileM), k.index(tileK)});
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
      // (Coordinates innermost first.)
      nvgpu::TmaAsyncLoadOp::create(
          b, loc, view(stageOffset(stage, zero), tileA), full, descA,
          ValueRange{kOffset, row0}, stage, Value(), Value());
      for (int64_t box = 0; box < t.tileN / 64; ++box) {
        Value col = arith::AddIOp::create(b, loc, col0, k.index(64 * box));
        SmallVector<Value, 2> at = {col, kOffset};
        if (tf32)
          std::swap(at[0], at[1]);
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
  auto accVector = VectorType::get({64, t.tileN}, f32);
  auto accType = nvgpu::WarpgroupAccumulatorType::get(context, accVector);
  // (A thread's sums of wgmma's D, as upstream lowers accType's 64 rows.)
  auto floats = LLVM::LLVMStructType::getLiteral(
      context, SmallVector<Type>(t.tileN / 2, f32));
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
  Value init =
      tf32 ? LLVM::ZeroOp::create(b, loc, floats).getResult()
           : nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, loc, accType)
                 .getResult();
  auto loop =
      scf::ForOp::create(b, loc, zero, stepsValue, one, ValueRange{init});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
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
    // Committed, then at most this step's group in flight: the previous
    // step's wgmmas are done (in this warp), and its stage is freed.
    Value next =
        tf32 ? tf32Step(b, loc, floats, dA, dB, tileK, t.tileN,
                        loop.getRegionIterArg(0))
             : nvgpu::WarpgroupMmaOp::create(
                   b, loc, accType, dA, dB, b.getI64IntegerAttr(1),
                   UnitAttr(), b.getUnitAttr(), loop.getRegionIterArg(0))
                   .getResult();
    {
      OpBuilder::InsertionGuard guard(b);
      ifThen(cmp(arith::CmpIPredicate::uge, step, one));
      freeStage(arith::SubIOp::create(b, loc, it, one));
    }
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
  // (The f16 accumulator as upstream's lowering makes it: a struct per 64
  // rows, here one, of tileN / 2 floats.)
  Value registers =
      tf32 ? loop.getResult(0)
           : LLVM::ExtractValueOp::create(
                 b, loc,
                 UnrealizedConversionCastOp::create(
                     b, loc,
                     LLVM::LLVMStructType::getLiteral(context, {floats}),
                     loop.getResult(0))
                     .getResult(0),
                 ArrayRef<int64_t>{0})
                 .getResult();
  bool edges = m % kTileM || n % t.tileN;
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
      for (int64_t e = 0; e < 2; ++e) {
        Value sum = LLVM::ExtractValueOp::create(
            b, loc, registers, ArrayRef<int64_t>{4 * j + 2 * i + e});
        Value indices[] = {
            row, e ? arith::AddIOp::create(b, loc, col, one).getResult() : col};
        if (!consumer) {
          memref::StoreOp::create(b, loc, sum, c, indices);
          continue;
        }
        IRMapping mapping;
        Block *body = consumer.getBody();
        for (OpOperand *input : consumer.getDpsInputOperands()) {
          Value value = sum;
          if (input->get() != c) {
            AffineMap map = consumer.getMatchingIndexingMap(input);
            SmallVector<Value> at;
            for (unsigned d = 0; d < map.getNumResults(); ++d)
              at.push_back(affine::AffineApplyOp::create(
                  b, loc, map.getSubMap({d}), indices));
            value = memref::LoadOp::create(b, loc, input->get(), at);
          }
          mapping.map(body->getArgument(input->getOperandNumber()), value);
        }
        for (Operation &op : body->without_terminator())
          b.clone(op, mapping);
        auto yield = cast<linalg::YieldOp>(body->getTerminator());
        memref::StoreOp::create(b, loc, mapping.lookup(yield.getValues()[0]),
                                consumer.getDpsInits()[0], indices);
      }
    }
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
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> marked;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (op->hasAttr(dlc::kWgmmaAttr))
        marked.push_back(op);
    });
    if (marked.empty())
      return;
    // The runtime's count of the device's SMs: the persistent kernels'
    // grid.
    ModuleOp module = getOperation();
    // (An llvm.func: passes on func.funcs take every one to have a body.)
    auto multiprocessors =
        module.lookupSymbol<LLVM::LLVMFuncOp>("mgpuMultiprocessorCount");
    if (!multiprocessors) {
      OpBuilder b(module.getBodyRegion());
      multiprocessors = LLVM::LLVMFuncOp::create(
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
      lowerMatmul(op, multiprocessors);
    }
  }
};

} // namespace
