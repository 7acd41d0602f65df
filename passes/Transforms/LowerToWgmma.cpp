//===- LowerToWgmma.cpp - dlc-lower-to-wgmma ---------------------------------===//
//
// sm_90a GEMMs on the Hopper tensor cores: wgmma reading both operands from
// shared memory that TMA fills, a few K steps ahead, behind mbarriers. The
// kernel is built from upstream's nvgpu ops (tma.async.load,
// mbarrier.*, warpgroup.mma), whose lowering to NVVM computes the wgmma
// matrix descriptors and the 128-byte swizzle both sides agree on; the
// SIMT emulator runs that lowering's NVVM, checked against the swizzle an
// H100 shows (test/Target/CUDA/hopper-kernels-on-cpu.mlir).
//
// One warpgroup a block computes a 128 x 128 tile of C, K in steps of 64:
// A's 128 x 64 tile and B's 64 x 128 one (two 64 x 64 boxes, N-major) a
// stage, 32 KiB, three stages (96 KiB: two blocks an SM, 154 registers a
// thread, so that one block's loads and barrier overlap the other's
// wgmmas). Each step waits for its stage's TMA, issues
// its eight wgmma m64n128k16 (leaving them in flight), waits for the
// previous step's, and after a barrier (every warp done reading) thread 0
// refills the previous step's stage with the tile three steps on.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
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

constexpr int64_t kTileM = 128, kTileN = 128, kTileK = 64, kMaxStages = 3;
// Bytes of a stage: A's tile, then B's two 64 x 64 boxes (16-bit elements).
constexpr int64_t kStageBytes = (kTileM * kTileK + kTileK * kTileN) * 2;
// Floats between the rows of an epilogue's sums in shared memory.
constexpr int64_t kPitch = 136;

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

/// Why `matmul` (marked dlc.wgmma on tensors) cannot take the kernel on its
/// buffers, or "".
std::string unsupported(linalg::MatmulOp matmul) {
  for (Value operand : matmul->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.getLayout().isIdentity() || type.getMemorySpace())
      return "an operand is not an identity-layout buffer";
  }
  if (!dlc::fitsWgmmaTiles(
          cast<ShapedType>(matmul.getDpsInputs()[0].getType()),
          cast<ShapedType>(matmul.getDpsInputs()[1].getType()),
          cast<ShapedType>(matmul.getDpsInits()[0].getType())))
    return "its operands are not f16 or bf16 with an f32 output, or M and N "
           "are not multiples of 128, or K of 64";
  if (!zeroFill(matmul))
    return "its output is not filled with zeros just before";
  return "";
}

struct Builder {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
};

/// Replaces `matmul` (C = A B, A [M, K] and B [K, N] of f16 or bf16, C f32
/// [M, N], tiles dividing them, C zero-filled just before) and its fill by
/// the kernel.
void lowerMatmul(linalg::MatmulOp matmul) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Builder k{b, loc};
  MLIRContext *context = b.getContext();
  Value a = matmul.getDpsInputs()[0], bMat = matmul.getDpsInputs()[1],
        c = matmul.getDpsInits()[0];
  auto aType = cast<MemRefType>(a.getType());
  auto cType = cast<MemRefType>(c.getType());
  Type element = aType.getElementType();
  int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
          depth = aType.getDimSize(1);
  int64_t steps = depth / kTileK;
  int64_t stages = std::min(kMaxStages, steps);
  zeroFill(matmul).erase();
  linalg::GenericOp consumer = epilogue(matmul);

  auto shared = gpu::AddressSpaceAttr::get(context,
                                           gpu::AddressSpace::Workgroup);
  auto tileA = MemRefType::get({kTileM, kTileK}, element, nullptr, shared);
  auto boxB = MemRefType::get({kTileK, 64}, element, nullptr, shared);
  auto tileB = MemRefType::get({kTileK, kTileN}, element, nullptr, shared);
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
      b, loc, mapA, unranked(a), ValueRange{k.index(kTileM), k.index(kTileK)});
  Value descB = nvgpu::TmaCreateDescriptorOp::create(
      b, loc, mapB, unranked(bMat), ValueRange{k.index(kTileK), k.index(64)});

  Value one = k.index(1);
  // (An epilogue's sums take the stages' bytes, at least.)
  int64_t sharedBytes = stages * kStageBytes;
  if (consumer)
    sharedBytes = std::max(sharedBytes, kTileM * kPitch * 4);
  auto launch = gpu::LaunchOp::create(
      b, loc, k.index(n / kTileN), k.index(m / kTileM), one, k.index(128), one,
      one, /*dynamicSharedMemorySize=*/
      arith::ConstantIntOp::create(b, loc, sharedBytes, 32));
  b.setInsertionPointToEnd(&launch.getBody().front());
  Value zero = k.index(0);
  Value tid = launch.getThreadIds().x;
  Value row0 = arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                                     k.index(kTileM));
  Value col0 = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                     k.index(kTileN));
  Value smem = gpu::DynamicSharedMemoryOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), nullptr,
                              shared));
  // Stage s: A's tile at s * 32 KiB, B's boxes 16 and 24 KiB on (each tile
  // 1024-byte aligned: the 128-byte swizzle's pattern).
  auto view = [&](Value offset, MemRefType type) -> Value {
    return memref::ViewOp::create(b, loc, type, smem, offset, ValueRange{});
  };
  auto stageOffset = [&](Value stage, int64_t extra) -> Value {
    return arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, stage, k.index(kStageBytes)),
        k.index(extra));
  };
  auto barrierType = nvgpu::MBarrierGroupType::get(context, shared, stages);
  Value barriers = nvgpu::MBarrierCreateOp::create(b, loc, barrierType);
  Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                       zero);
  {
    auto init = scf::IfOp::create(b, loc, leader, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(init.thenBlock());
    for (int64_t s = 0; s < stages; ++s)
      nvgpu::MBarrierInitOp::create(b, loc, barriers, one, k.index(s),
                                    Value());
  }
  gpu::BarrierOp::create(b, loc);

  // Thread 0: K step `step`'s tiles into stage `stage`, completing on its
  // barrier (at b's insertion point).
  auto load = [&](Value step, Value stage) {
    Value kOffset = arith::MulIOp::create(b, loc, step, k.index(kTileK));
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, loc, barriers, k.index(kStageBytes), stage, Value());
    // (Coordinates innermost first.)
    nvgpu::TmaAsyncLoadOp::create(b, loc, view(stageOffset(stage, 0), tileA),
                                  barriers, descA,
                                  ValueRange{kOffset, row0}, stage, Value(),
                                  Value());
    for (int64_t half = 0; half < 2; ++half)
      nvgpu::TmaAsyncLoadOp::create(
          b, loc,
          view(stageOffset(stage, kTileM * kTileK * 2 + half * 8192), boxB),
          barriers, descB,
          ValueRange{arith::AddIOp::create(b, loc, col0, k.index(64 * half)),
                     kOffset},
          stage, Value(), Value());
  };
  {
    auto prologue = scf::IfOp::create(b, loc, leader, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(prologue.thenBlock());
    for (int64_t s = 0; s < stages; ++s)
      load(k.index(s), k.index(s));
  }

  auto accType = nvgpu::WarpgroupAccumulatorType::get(
      context, VectorType::get({kTileM, kTileN}, b.getF32Type()));
  Value init = nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, loc, accType);
  auto loop = scf::ForOp::create(b, loc, zero, k.index(steps), one,
                                 ValueRange{init});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value s = k.index(stages);
    Value stage = arith::RemUIOp::create(b, loc, step, s);
    Value parity = arith::IndexCastOp::create(
        b, loc, b.getI1Type(),
        arith::AndIOp::create(b, loc, arith::DivUIOp::create(b, loc, step, s),
                              one));
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity,
                                           k.index(10000000), stage);
    Value aTile = view(stageOffset(stage, 0), tileA);
    Value bTile = view(stageOffset(stage, kTileM * kTileK * 2), tileB);
    Value dA = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, loc, nvgpu::WarpgroupMatrixDescriptorType::get(context, tileA),
        aTile, descA);
    Value dB = nvgpu::WarpgroupGenerateDescriptorOp::create(
        b, loc, nvgpu::WarpgroupMatrixDescriptorType::get(context, tileB),
        bTile, descB);
    // Committed, then at most this step's group in flight: the previous
    // step's wgmmas are done (in this warp).
    Value next = nvgpu::WarpgroupMmaOp::create(
        b, loc, accType, dA, dB, b.getI64IntegerAttr(1), UnitAttr(),
        b.getUnitAttr(), loop.getRegionIterArg(0));
    // Every warp past them before their stage is refilled.
    gpu::BarrierOp::create(b, loc);
    Value previous = arith::SubIOp::create(b, loc, step, one);
    Value refill = arith::AddIOp::create(b, loc, previous, s);
    Value started = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          step, one);
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          refill, k.index(steps));
    Value go = arith::AndIOp::create(
        b, loc, leader, arith::AndIOp::create(b, loc, started, inRange));
    Value refillStage = arith::RemUIOp::create(b, loc, previous, s);
    auto ifOp = scf::IfOp::create(b, loc, go, false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    load(refill, refillStage);
    b.setInsertionPointAfter(ifOp);
    scf::YieldOp::create(b, loc, next);
  }
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  OpFoldResult sizes[] = {b.getIndexAttr(kTileM), b.getIndexAttr(kTileN)};
  OpFoldResult strides[] = {b.getIndexAttr(1), b.getIndexAttr(1)};
  if (!consumer) {
    // The tile of C: the accumulator's rows by warp, as upstream stores
    // them.
    OpFoldResult offsets[] = {row0, col0};
    Value tileC = memref::SubViewOp::create(b, loc, c, offsets, sizes, strides);
    nvgpu::WarpgroupMmaStoreOp::create(b, loc, loop.getResult(0), tileC);
  } else {
    // The sums to shared memory (the stages' bytes, every warp past its
    // wgmmas first), rows 136 floats apart (each warp's 8-byte stores then
    // take the fewest wavefronts), then the epilogue along the rows: thread
    // t computes columns t, t + 128, ... of the tile from them and the
    // consumer's other inputs, into its output.
    gpu::BarrierOp::create(b, loc);
    auto padded = MemRefType::get({kTileM, kPitch}, b.getF32Type(), nullptr,
                                  shared);
    Value sums = view(zero, padded);
    OpFoldResult origin[] = {b.getIndexAttr(0), b.getIndexAttr(0)};
    Value tile = memref::SubViewOp::create(b, loc, sums, origin, sizes, strides);
    nvgpu::WarpgroupMmaStoreOp::create(b, loc, loop.getResult(0), tile);
    gpu::BarrierOp::create(b, loc);
    auto elements = scf::ForOp::create(b, loc, tid, k.index(kTileM * kTileN),
                                       k.index(128));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(elements.getBody());
    Value e = elements.getInductionVar();
    Value r = arith::DivUIOp::create(b, loc, e, k.index(kTileN));
    Value cc = arith::RemUIOp::create(b, loc, e, k.index(kTileN));
    Value globalIndices[] = {arith::AddIOp::create(b, loc, row0, r),
                             arith::AddIOp::create(b, loc, col0, cc)};
    IRMapping mapping;
    Block *body = consumer.getBody();
    for (OpOperand *input : consumer.getDpsInputOperands()) {
      Value value;
      if (input->get() == c) {
        value = memref::LoadOp::create(b, loc, sums, ValueRange{r, cc});
      } else {
        AffineMap map = consumer.getMatchingIndexingMap(input);
        SmallVector<Value> indices;
        for (unsigned i = 0; i < map.getNumResults(); ++i)
          indices.push_back(affine::AffineApplyOp::create(
              b, loc, map.getSubMap({i}), globalIndices));
        value = memref::LoadOp::create(b, loc, input->get(), indices);
      }
      mapping.map(body->getArgument(input->getOperandNumber()), value);
    }
    for (Operation &op : body->without_terminator())
      b.clone(op, mapping);
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    memref::StoreOp::create(b, loc, mapping.lookup(yield.getValues()[0]),
                            consumer.getDpsInits()[0], globalIndices);
  }
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
    for (linalg::MatmulOp op : marked) {
      std::string why = unsupported(op);
      if (!why.empty()) {
        op.emitError("dlc-lower-to-wgmma: a product marked for wgmma "
                     "cannot take it on its buffers: ")
            << why;
        return signalPassFailure();
      }
      lowerMatmul(op);
    }
  }
};

} // namespace
