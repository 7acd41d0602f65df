//===- TileForGPU.cpp - dlc-tile-for-gpu, dlc-map-forall-to-gpu -----------===//
//
// The GPU schedule of contractions (matmul, batch_matmul): one block of
// threads per BM x BN output tile; a K loop in BK steps that stages the A
// and B tiles in shared memory, copied by all the block's threads; each
// thread a 4 x 4 register tile. The fill and an elementwise consumer (bias,
// activation) are fused into the block, so the whole chain is one kernel.
// Tiling is upstream's TilingInterface (scf.forall with #gpu.block and
// #gpu.thread mappings), and threads are mapped by upstream's
// mapNestedForallToThreadsImpl (a barrier after each distributed op); this
// file chooses tiles, stages operands and turns block foralls into launches.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace dlc {
#define GEN_PASS_DEF_TILEFORGPU
#define GEN_PASS_DEF_MAPFORALLTOGPU
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Outputs of one thread: a 4 x 4 register tile (16 accumulators; a
/// 64 x 64 block is 256 threads).
constexpr int64_t kThreadTile = 4;

struct BlockPlan {
  int64_t bm, bn, bk; // block tile and K step
  bool batched;
  int64_t threadsX() const { return bn / kThreadTile; }
  int64_t threadsY() const { return bm / kThreadTile; }
};

/// Largest of `candidates` (descending) that divides `n`, or 0.
int64_t dividing(int64_t n, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (n % c == 0)
      return c;
  return 0;
}

/// The plan for a static matmul or default batch_matmul whose M and N are
/// multiples of 16, or nothing (the op then stays one thread per output).
std::optional<BlockPlan> planContraction(linalg::LinalgOp op) {
  bool batched = false;
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op.getOperation())) {
    if (batch.hasUserDefinedMaps())
      return std::nullopt;
    batched = true;
  } else if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation())) {
    if (matmul.hasUserDefinedMaps())
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!op.hasPureTensorSemantics() || !op.hasOnlyProjectedPermutations())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  ArrayRef<int64_t> mnk = ArrayRef<int64_t>(ranges).take_back(3);
  BlockPlan plan{dividing(mnk[0], {64, 32, 16}), dividing(mnk[1], {64, 32, 16}),
                 dividing(mnk[2], {16, 8, 4, 2, 1}), batched};
  if (!plan.bm || !plan.bn)
    return std::nullopt;
  return plan;
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

/// #gpu.thread<y>, #gpu.thread<x> for the last two of `tiles`' non-zero
/// entries (a leading batch tile is 0 inside a block).
SmallVector<Attribute> threadMapping(MLIRContext *ctx,
                                     ArrayRef<int64_t> tiles) {
  SmallVector<Attribute> mapping;
  int64_t tiled = llvm::count_if(tiles, [](int64_t t) { return t != 0; });
  for (int64_t i = 0; i < tiled; ++i)
    mapping.push_back(gpu::GPUThreadMappingAttr::get(
        ctx, i + 1 == tiled ? gpu::MappingId::DimX : gpu::MappingId::DimY));
  return mapping;
}

/// Tiles `op` into an scf.forall of `tiles` mapped to threads.
LogicalResult tileToThreads(RewriterBase &rewriter, Operation *op,
                            ArrayRef<int64_t> tiles) {
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.setTileSizes(indexAttrs(rewriter, tiles));
  options.setMapping(threadMapping(rewriter.getContext(), tiles));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return success();
}

/// An elementwise consumer to fuse into the contraction's block: the only
/// user of its result, all-parallel on the contraction's shape, reading the
/// result and writing its output through identity maps (other operands may
/// be broadcast, as a bias is).
linalg::GenericOp elementwiseConsumer(linalg::LinalgOp contraction) {
  Value result = contraction->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  OpOperand &use = *result.getUses().begin();
  auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops() ||
      generic.getOutputs()[0].getType() != result.getType() ||
      !generic.getMatchingIndexingMap(&use).isIdentity() ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
           .isIdentity() ||
      !llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation();
      }))
    return nullptr;
  return generic;
}

/// Stages operand `index` of `tile` (a slice of A or B) in a new buffer of
/// `memorySpace` (shared memory), copied by the block's threads.
LogicalResult stageOperand(RewriterBase &rewriter, linalg::LinalgOp tile,
                           unsigned index, const BlockPlan &plan,
                           Attribute memorySpace) {
  Value slice = tile.getDpsInputs()[index];
  auto type = cast<RankedTensorType>(slice.getType());
  if (!type.hasStaticShape())
    return tile->emitError("dlc-tile-for-gpu: operand tile is not static");
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  auto buffer = bufferization::AllocTensorOp::create(
      rewriter, loc, type, ValueRange{}, /*copy=*/Value(),
      /*size_hint=*/Value(), memorySpace);
  auto copy = linalg::CopyOp::create(rewriter, loc, slice, buffer.getResult());
  rewriter.modifyOpInPlace(tile, [&] {
    tile.getDpsInputOperand(index)->set(copy.getResult(0));
  });
  // Rows over thread y, columns over thread x (the contiguous dim, so that
  // neighbouring threads read neighbouring elements).
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  SmallVector<int64_t> tiles(shape.size(), 0);
  tiles[shape.size() - 2] = llvm::divideCeil(rows, plan.threadsY());
  tiles.back() = llvm::divideCeil(cols, plan.threadsX());
  return tileToThreads(rewriter, copy, tiles);
}

/// The whole schedule for one contraction.
LogicalResult tileContraction(RewriterBase &rewriter,
                              linalg::LinalgOp contraction,
                              const BlockPlan &plan, Attribute memorySpace) {
  MLIRContext *ctx = rewriter.getContext();
  linalg::GenericOp consumer = elementwiseConsumer(contraction);
  Operation *root = consumer ? consumer.getOperation() : contraction;

  // Blocks: BM x BN (x 1 batch) output tiles, fill and contraction fused.
  SmallVector<int64_t> blocks = {plan.bm, plan.bn};
  SmallVector<Attribute> blockMapping = {
      gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimY),
      gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX)};
  if (plan.batched) {
    blocks.insert(blocks.begin(), 1);
    blockMapping.insert(blockMapping.begin(), gpu::GPUBlockMappingAttr::get(
                                                  ctx, gpu::MappingId::DimZ));
  }
  scf::SCFTilingOptions blockTiling;
  blockTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  blockTiling.setTileSizes(indexAttrs(rewriter, blocks));
  blockTiling.setMapping(blockMapping);
  scf::SCFTileAndFuseOptions fuseOptions;
  fuseOptions.setTilingOptions(blockTiling);
  fuseOptions.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        Operation *op = producer.getOwner();
        if (op == contraction.getOperation() || isa<linalg::FillOp>(op))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root), fuseOptions);
  if (failed(fused))
    return root->emitError("dlc-tile-for-gpu: tiling into blocks failed");
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  rewriter.eraseOp(root);
  // The original contraction and fill are left to the canonicalizer (dead
  // slices of them remain until then).

  linalg::LinalgOp tile;
  SmallVector<Operation *> elementwise; // thread-tiled like the output
  for (Operation *op : fused->tiledAndFusedOps) {
    if (op->getName() == contraction->getName())
      tile = cast<linalg::LinalgOp>(op);
    else
      elementwise.push_back(op);
  }
  if (!tile)
    return contraction->emitError("dlc-tile-for-gpu: no tiled contraction");

  // With a consumer, the block's accumulators are an intermediate: in
  // shared memory, not a device allocation per block.
  for (Operation *op : elementwise) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    auto slice = fill ? fill.getDpsInits()[0].getDefiningOp<tensor::ExtractSliceOp>()
                      : nullptr;
    if (!slice || !slice.getSource().getDefiningOp<tensor::EmptyOp>() ||
        !slice.getType().hasStaticShape())
      continue;
    rewriter.setInsertionPoint(fill);
    auto buffer = bufferization::AllocTensorOp::create(
        rewriter, fill.getLoc(), slice.getType(), ValueRange{}, Value(),
        Value(), memorySpace);
    rewriter.modifyOpInPlace(
        fill, [&] { fill.getDpsInitsMutable()[0].set(buffer.getResult()); });
  }

  // The K loop, then the A and B tiles of each step in shared memory.
  SmallVector<int64_t> kTiles(plan.batched ? 4 : 3, 0);
  kTiles.back() = plan.bk;
  scf::SCFTilingOptions kTiling;
  kTiling.setTileSizes(indexAttrs(rewriter, kTiles));
  rewriter.setInsertionPoint(tile);
  FailureOr<scf::SCFTilingResult> kLoop =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(tile.getOperation()),
                        kTiling);
  if (failed(kLoop))
    return tile->emitError("dlc-tile-for-gpu: tiling K failed");
  rewriter.replaceOp(tile, kLoop->replacements);
  auto step = cast<linalg::LinalgOp>(kLoop->tiledOps.front());
  for (unsigned operand : {0u, 1u})
    if (failed(stageOperand(rewriter, step, operand, plan, memorySpace)))
      return failure();

  // Threads: a 4 x 4 tile of the output each.
  SmallVector<int64_t> outputTiles = {kThreadTile, kThreadTile};
  if (plan.batched)
    outputTiles.insert(outputTiles.begin(), 0);
  SmallVector<int64_t> stepTiles = outputTiles;
  stepTiles.push_back(0); // the K step stays whole in each thread
  if (failed(tileToThreads(rewriter, step, stepTiles)))
    return step->emitError("dlc-tile-for-gpu: tiling to threads failed");
  for (Operation *op : elementwise)
    if (failed(tileToThreads(rewriter, op, outputTiles)))
      return op->emitError("dlc-tile-for-gpu: tiling to threads failed");
  return success();
}

struct TileForGPU : public dlc::impl::TileForGPUBase<TileForGPU> {
  using TileForGPUBase::TileForGPUBase;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, BlockPlan>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ForallOp>())
        return;
      if (std::optional<BlockPlan> plan = planContraction(op))
        work.emplace_back(op, *plan);
    });
    // Host emulation (tests): the same schedule in ordinary memory.
    Attribute memorySpace;
    if (!hostEmulation)
      memorySpace = gpu::AddressSpaceAttr::get(&getContext(),
                                               gpu::AddressSpace::Workgroup);
    IRRewriter rewriter(&getContext());
    for (auto &[op, plan] : work)
      if (failed(tileContraction(rewriter, op, plan, memorySpace)))
        return signalPassFailure();
  }
};

//===----------------------------------------------------------------------===//
// dlc-map-forall-to-gpu
//===----------------------------------------------------------------------===//

bool mappedTo(scf::ForallOp forall, bool blocks) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         (blocks ? isa<gpu::GPUBlockMappingAttr>((*mapping)[0])
                 : isa<gpu::GPUThreadMappingAttr>((*mapping)[0]));
}

/// Static trip counts of `forall` by mapping dim (x, y, z), 1 where unmapped.
FailureOr<SmallVector<int64_t>> tripCounts(scf::ForallOp forall) {
  SmallVector<int64_t> counts = {1, 1, 1};
  std::optional<SmallVector<int64_t>> lbs = getConstantIntValues(
                                          forall.getMixedLowerBound()),
                                      ubs = getConstantIntValues(
                                          forall.getMixedUpperBound()),
                                      steps = getConstantIntValues(
                                          forall.getMixedStep());
  if (!lbs || !ubs || !steps)
    return failure();
  for (auto [i, attr] : llvm::enumerate(*forall.getMapping())) {
    auto id = cast<DeviceMappingAttrInterface>(attr).getMappingId();
    if (id > 2)
      return failure();
    counts[id] = llvm::divideCeil((*ubs)[i] - (*lbs)[i], (*steps)[i]);
  }
  return counts;
}

/// `forall` (mapped to blocks) as a gpu.launch whose block ids replace its
/// induction variables; its thread foralls distributed over the block.
LogicalResult mapBlockForall(RewriterBase &rewriter, scf::ForallOp forall) {
  FailureOr<SmallVector<int64_t>> grid = tripCounts(forall);
  if (failed(grid) || !forall.getOutputs().empty())
    return forall->emitError("dlc-map-forall-to-gpu: expected a static "
                             "forall on buffers");
  // Upstream's thread mapping takes loops from 0 in steps of 1.
  SmallVector<scf::ForallOp> threadForalls;
  forall.getBody()->walk([&](scf::ForallOp inner) {
    threadForalls.push_back(inner);
  });
  for (scf::ForallOp inner : threadForalls) {
    rewriter.setInsertionPoint(inner);
    if (failed(mlir::normalizeForallOp(rewriter, inner)))
      return inner->emitError("dlc-map-forall-to-gpu: cannot normalize");
  }
  SmallVector<int64_t> block = {1, 1, 1};
  WalkResult walk = forall.getBody()->walk([&](scf::ForallOp inner) {
    FailureOr<SmallVector<int64_t>> counts = tripCounts(inner);
    if (!mappedTo(inner, /*blocks=*/false) || failed(counts))
      return WalkResult::interrupt();
    for (int i = 0; i < 3; ++i)
      block[i] = std::max(block[i], (*counts)[i]);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return forall->emitError("dlc-map-forall-to-gpu: a nested forall is not "
                             "a static thread forall");

  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, constant((*grid)[0]), constant((*grid)[1]),
      constant((*grid)[2]), constant(block[0]), constant(block[1]),
      constant(block[2]));
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToStart(&body);
  gpu::KernelDim3 ids = launch.getBlockIds();
  Value byDim[3] = {ids.x, ids.y, ids.z};
  SmallVector<Value> ivs;
  for (auto [i, attr] : llvm::enumerate(*forall.getMapping())) {
    auto id = cast<DeviceMappingAttrInterface>(attr).getMappingId();
    AffineExpr d0 = rewriter.getAffineDimExpr(0);
    OpFoldResult lb = forall.getMixedLowerBound()[i],
                 step = forall.getMixedStep()[i];
    ivs.push_back(affine::makeComposedAffineApply(
        rewriter, loc, d0 * *getConstantIntValue(step) + *getConstantIntValue(lb),
        {byDim[id]}));
  }
  // The forall's body (without its empty in_parallel terminator).
  rewriter.eraseOp(forall.getTerminator());
  rewriter.inlineBlockBefore(forall.getBody(), &body, body.end(), ivs);
  rewriter.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.eraseOp(forall);

  rewriter.setInsertionPointToStart(&body);
  DiagnosedSilenceableFailure mapped =
      transform::gpu::mapNestedForallToThreadsImpl(
          rewriter, std::nullopt, launch, block, /*warpSize=*/32,
          /*syncAfterDistribute=*/true);
  if (!mapped.succeeded())
    return launch->emitError("dlc-map-forall-to-gpu: mapping to threads "
                             "failed");

  // Each thread's part: loops (in registers after LLVM's promotion).
  SmallVector<linalg::LinalgOp> linalgOps;
  launch.getBody().walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
  for (linalg::LinalgOp op : linalgOps) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::linalgOpToLoops(rewriter, op)))
      return op->emitError("dlc-map-forall-to-gpu: lowering to loops failed");
    rewriter.eraseOp(op);
  }
  // Multiply-adds as FMAs (one rounding), as nvcc compiles CUDA C++ and
  // cuBLAS computes: without `contract`, NVPTX keeps mul.rn and add.rn.
  auto contract = arith::FastMathFlagsAttr::get(rewriter.getContext(),
                                                arith::FastMathFlags::contract);
  launch.getBody().walk([&](Operation *op) {
    if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op))
      op->setAttr("fastmath", contract);
  });
  return success();
}

/// Shared-memory buffers inside kernels: workgroup globals (what NVVM
/// lowers to .shared), not allocations.
LogicalResult placeSharedBuffers(RewriterBase &rewriter, func::FuncOp func) {
  auto module = func->getParentOfType<ModuleOp>();
  SymbolTable symbols(module);
  SmallVector<memref::AllocOp> allocs;
  func.walk([&](memref::AllocOp alloc) {
    auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
        alloc.getType().getMemorySpace());
    if (space && space.getValue() == gpu::AddressSpace::Workgroup)
      allocs.push_back(alloc);
  });
  for (memref::AllocOp alloc : allocs) {
    if (!alloc->getParentOfType<gpu::LaunchOp>() ||
        !alloc.getType().hasStaticShape())
      return alloc->emitError("dlc-map-forall-to-gpu: shared memory outside "
                              "a kernel or of dynamic size");
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        rewriter.eraseOp(user);
    rewriter.setInsertionPointToStart(module.getBody());
    auto global = memref::GlobalOp::create(
        rewriter, alloc.getLoc(), "__dlc_shared", rewriter.getStringAttr("private"),
        alloc.getType(), /*initial_value=*/Attribute(), /*constant=*/false,
        /*alignment=*/rewriter.getI64IntegerAttr(16));
    symbols.insert(global); // a unique name
    rewriter.setInsertionPoint(alloc);
    rewriter.replaceOpWithNewOp<memref::GetGlobalOp>(alloc, alloc.getType(),
                                                     global.getSymName());
  }
  return success();
}

struct MapForallToGPU
    : public dlc::impl::MapForallToGPUBase<MapForallToGPU> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      // Outermost block foralls (a nested one is an error, reported by
      // mapBlockForall as a forall not mapped to threads).
      SmallVector<scf::ForallOp> foralls;
      func.walk<WalkOrder::PreOrder>([&](scf::ForallOp forall) {
        if (!mappedTo(forall, /*blocks=*/true))
          return WalkResult::advance();
        foralls.push_back(forall);
        return WalkResult::skip();
      });
      for (scf::ForallOp forall : foralls)
        if (failed(mapBlockForall(rewriter, forall)))
          return signalPassFailure();
      if (failed(placeSharedBuffers(rewriter, func)))
        return signalPassFailure();
    }
  }
};

} // namespace
