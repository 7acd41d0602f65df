//===- TileForGPU.cpp - the GPU schedules and their mapping to kernels ---===//
//
// dlc-tile-for-gpu, dlc-map-forall-to-gpu, dlc-vectorize-staging-copies.
// The GPU schedules:
// - contractions (matmul, batch_matmul): one block of threads per BM x BN
//   output tile; a K loop in BK steps that stages the A and B tiles in
//   shared memory, copied by all the block's threads in 16-byte pieces;
//   each thread a 4 x 4 register tile (8 x 8 in large products), or each
//   warp an mma.sync tile. The fill and an elementwise consumer (bias,
//   activation; a momentum and weight update, two results) are fused into
//   the block, so the whole chain is one kernel;
// - row nests (softmax, layer norm): a block of rows, a warp (several for
//   long rows) per row, each reduction as per-thread partials merged per
//   row by warp shuffles.
// Tiling is upstream's TilingInterface (scf.forall with #gpu.block and
// #gpu.thread mappings), and threads are mapped by upstream's
// mapNestedForallToThreadsImpl (a barrier after each distributed op); this
// file chooses tiles, stages operands and turns block foralls into launches.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include <numeric>

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

#include <set>

namespace dlc {
#define GEN_PASS_DEF_TILEFORGPU
#define GEN_PASS_DEF_MAPFORALLTOGPU
#define GEN_PASS_DEF_VECTORIZESTAGINGCOPIES
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using dlc::indexAttrs;
using dlc::vectorizeOp;

namespace {

/// Largest of `candidates` (descending) that divides `n`, or 0.
int64_t dividing(int64_t n, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (n % c == 0)
      return c;
  return 0;
}

/// Outputs of one thread: a 4 x 4 register tile (16 accumulators; a
/// 64 x 64 block is 256 threads), 8 x 8 in products of at least
/// kLargeTileBlocks blocks.
constexpr int64_t kThreadTile = 4;
constexpr int64_t kLargeThreadTile = 8;
constexpr int64_t kBlocksToFill = 132;
/// 8 x 8 tiles make blocks of 64 threads (2 warps, busying 2 of an SM's 4
/// warp schedulers), 4 an SM by their registers (about 230 a thread): they
/// pay once every SM of an H100 has 4 of them. Below, an SM holding one or
/// two such blocks idles schedulers that the 8 warps of a 4 x 4 block use.
constexpr int64_t kLargeTileBlocks = 4 * kBlocksToFill;
/// f32 products of at least this many 128 x 128 blocks (2048 x 2048 and
/// larger; two an SM of an H100 less 8) take those blocks: 256 threads of
/// 8 x 8 outputs, two blocks an SM (ptxas then holds a thread to 128
/// registers: 127, no spills). Against 64 x 64 blocks of 64 such threads
/// (4 an SM by their 213 registers, 8 warps) that is 16 warps an SM and
/// half the bytes read from L2 per FMA. (On an H200 both ran at 35.4-35.5
/// TFLOP/s, 70% of cuBLAS, at 8192^3: neither bounds it; Nsight Compute
/// finds the shared loads of this one in 5-way bank conflicts.)
/// K of 64 or more: with 2, 3, 5 or 6 K steps the unrolled loop spilled
/// (ptxas -v, sm_90: up to 356 bytes at K = 16), from 7 steps on it did not.
constexpr int64_t kWideTileBlocks = 2 * kBlocksToFill - 8;
/// Reduction steps from which a product of under 8 blocks is split into
/// parallel chunks of K rather than tiled (splitLongReduction).
constexpr int64_t kFewBlocksMinSteps = 512;

struct BlockPlan {
  int64_t bm, bn, bk; // block tile and K step
  int64_t tm, tn;     // thread tile (of the fill, consumer and copies)
  bool batched;
  // Blocks an SM must hold at once (kMinBlocksPerSMAttr), or 0.
  int64_t minBlocksPerSM = 0;
  // Tensor cores: each warp a wm x wn tile of mma.sync products of shape
  // mmaShape (m, n, k); empty: FMAs in the threads' tm x tn tiles.
  int64_t wm = 0, wn = 0;
  SmallVector<int64_t, 3> mmaShape;
  bool bf16 = false; // (staged as f16 bits on the GPU)
  int64_t threadsX() const { return bn / tn; }
  int64_t threadsY() const { return bm / tm; }
};

/// The mma.sync shape for a contraction of `lhs` x `rhs` into `acc`
/// elements: m16n8k16 for f16 or bf16 products accumulated in f32 (what
/// dlc-to-linalg emits for f16/bf16 matmuls), m16n8k8 TF32 for f32 where
/// the user allows TF32; none otherwise.
SmallVector<int64_t, 3> mmaShapeFor(Type lhs, Type rhs, Type acc,
                                    bool allowTF32) {
  if (lhs == rhs && (lhs.isF16() || lhs.isBF16()) && acc.isF32())
    return {16, 8, 16};
  if (allowTF32 && lhs.isF32() && rhs.isF32() && acc.isF32())
    return {16, 8, 8};
  return {};
}

/// Turns `plan` into a tensor-core plan when the contraction's types have an
/// mma.sync shape and M, N and K are multiples of its tiles: warps of at most
/// 32 x 32 outputs (2 x 2 warps in a 64 x 64 block), K steps of 32 where K
/// allows, or 64 x 32 warps in 128 x 64 blocks for large products (64 x 64
/// warps in 128 x 128 blocks for larger ones), 16 x 16
/// warps in 32 x 32 blocks where 64 x 64 ones would be few; the
/// fill, consumer and copies spread over the block's 32-per-warp threads in
/// 4-wide rows.
void planTensorCores(BlockPlan &plan, linalg::LinalgOp op,
                     ArrayRef<int64_t> mnk, int64_t batch, bool allowTF32) {
  auto element = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  SmallVector<int64_t, 3> shape =
      mmaShapeFor(element(op.getDpsInputs()[0]), element(op.getDpsInputs()[1]),
                  element(op.getDpsInits()[0]), allowTF32);
  if (shape.empty() || mnk[0] % 16 || mnk[1] % 16 || mnk[2] % shape[2])
    return;
  plan.bm = dividing(mnk[0], {64, 32, 16});
  plan.bn = dividing(mnk[1], {64, 32, 16});
  plan.bk = dividing(mnk[2], {32, shape[2]});
  plan.wm = std::min<int64_t>(plan.bm, 32);
  plan.wn = std::min<int64_t>(plan.bn, 32);
  // Large products: 128 x 64 blocks of 2 x 2 warps of 64 x 32 (f16: 32
  // mma.sync per warp and K step of 32 for 16 ldmatrix, against 16 for 12),
  // once there are enough blocks to occupy a large GPU; larger ones 128 x
  // 128 blocks of 2 x 2 warps of 64 x 64, as CUTLASS's sm80 kernels, once
  // there are 2 an SM (about 206 registers a thread: 2 blocks an SM). Per
  // mma.sync, a 64 x 64 warp reads 128 bytes of shared memory (ldmatrix)
  // and its block writes 64 (cp.async); a 64 x 32 warp 192 and 96: at the
  // 128 bytes a clock an SM's shared memory moves, that caps mma.sync at
  // 0.67 and 0.44 an SM and clock (an H100's mma.sync peak is about 0.67;
  // by the arithmetic, untimed). K steps of 64 bytes (32 f16, 16 TF32).
  int64_t largeK = 64 / (getElementTypeOrSelf(op.getDpsInputs()[0].getType())
                             .getIntOrFloatBitWidth() /
                         8);
  if (mnk[0] % 128 == 0 && mnk[1] % 128 == 0 && mnk[2] % largeK == 0 &&
      batch * (mnk[0] / 128) * (mnk[1] / 128) >= 2 * kBlocksToFill) {
    plan.bm = plan.bn = 128;
    plan.bk = largeK;
    plan.wm = plan.wn = 64;
  } else if (mnk[0] % 128 == 0 && mnk[1] % 64 == 0 && mnk[2] % largeK == 0 &&
      batch * (mnk[0] / 128) * (mnk[1] / 64) >= kBlocksToFill) {
    plan.bm = 128;
    plan.bn = 64;
    plan.bk = largeK;
    plan.wm = 64;
    plan.wn = 32;
  } else if (plan.bm == 64 && plan.bn == 64 &&
             batch * (mnk[0] / 64) * (mnk[1] / 64) < kBlocksToFill / 4) {
    // Few blocks (a batch-128 layer, 128 x 512: 16 of 64 x 64): 32 x 32
    // blocks of 2 x 2 warps of 16 x 16, four times the blocks.
    plan.bm = plan.bn = 32;
    plan.wm = plan.wn = 16;
  }
  int64_t threads = 32 * (plan.bm / plan.wm) * (plan.bn / plan.wn);
  plan.tn = kThreadTile;
  plan.tm = plan.bm / (threads / plan.threadsX());
  plan.mmaShape = shape;
  plan.bf16 = element(op.getDpsInputs()[0]).isBF16();
}

/// Block and thread tile of a dim of `size`: 64, 32 or 16 wide blocks of
/// 4-wide thread tiles; a small even dim (at most 64, not a multiple of 16:
/// a 10-class output layer) is one block, its thread tiles 4 or 2 wide.
std::optional<std::pair<int64_t, int64_t>> blockAndThreadTile(int64_t size) {
  if (int64_t block = dividing(size, {64, 32, 16}))
    return std::make_pair(block, kThreadTile);
  if (size <= 64 && size % 2 == 0)
    return std::make_pair(size, dividing(size, {kThreadTile, 2}));
  return std::nullopt;
}

/// The plan for a static matmul or default batch_matmul whose M and N are
/// multiples of 16, or nothing (the op then stays one thread per output).
/// `wideSimtTiles`: f32 products of kWideTileBlocks in 128 x 128 blocks.
std::optional<BlockPlan> planContraction(linalg::LinalgOp op, bool allowTF32,
                                         bool tensorCores,
                                         bool wideSimtTiles = false) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()))
    return std::nullopt;
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  // Default maps, or operands stored transposed (a backward pass's x^T dy):
  // A reads (m, k), B (k, n), C writes (m, n), each in either order; no
  // broadcasts. Tiles are boxes of the loops, so staging is the same.
  unsigned b = batched ? 1 : 0, m = b, n = b + 1, k = b + 2;
  auto reads = [&](AffineMap map, unsigned x, unsigned y) {
    if (!map.isProjectedPermutation() ||
        map.getNumResults() != 2 + (batched ? 1 : 0))
      return false;
    SmallVector<unsigned> dims;
    for (unsigned i = 0; i < map.getNumResults(); ++i)
      dims.push_back(map.getDimPosition(i));
    if (batched && dims.front() != 0)
      return false;
    ArrayRef<unsigned> inner = ArrayRef<unsigned>(dims).take_back(2);
    return (inner[0] == x && inner[1] == y) || (inner[0] == y && inner[1] == x);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // C in loop order (its layout is the output's).
  bool outputInOrder =
      reads(maps[2], m, n) &&
      maps[2].getDimPosition(maps[2].getNumResults() - 1) == n;
  if (!reads(maps[0], m, k) || !reads(maps[1], k, n) || !outputInOrder)
    return std::nullopt;
  if (!op.hasPureTensorSemantics() || !op.hasOnlyProjectedPermutations())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  ArrayRef<int64_t> mnk = ArrayRef<int64_t>(ranges).take_back(3);
  std::optional<std::pair<int64_t, int64_t>> mTiles = blockAndThreadTile(mnk[0]),
                                            nTiles = blockAndThreadTile(mnk[1]);
  // Too small to be worth a block of threads (a 1 x 1 product) is left to
  // one thread per output.
  if (!mTiles || !nTiles || mnk[0] * mnk[1] < 64)
    return std::nullopt;
  BlockPlan plan{mTiles->first,  nTiles->first, dividing(mnk[2], {16, 8, 4, 2, 1}),
                 mTiles->second, nTiles->second, batched};
  // Large products: 8 x 8 outputs per thread (64 threads a block): 64 FMAs
  // per 8 + 8 shared-memory reads of A and B instead of 16 per 4 + 4, once
  // there are enough 64 x 64 blocks to fill a large GPU with them
  // (kLargeTileBlocks); smaller ones keep 256 threads a block. (Not f64:
  // 242 registers of the 255 a thread may have.)
  int64_t batch = batched ? ranges.front() : 1;
  int64_t blocks = (mnk[0] / plan.bm) * (mnk[1] / plan.bn) * batch;
  if (plan.bm == 64 && plan.bn == 64 && blocks >= kLargeTileBlocks &&
      getElementTypeOrSelf(op.getDpsInits()[0].getType())
              .getIntOrFloatBitWidth() <= 32)
    plan.tm = plan.tn = kLargeThreadTile;
  if (tensorCores)
    planTensorCores(plan, op, mnk, batch, allowTF32);
  auto isF32 = [](Value v) {
    return getElementTypeOrSelf(v.getType()).isF32();
  };
  if (wideSimtTiles && plan.mmaShape.empty() && plan.tm == kLargeThreadTile &&
      llvm::all_of(op->getOperands(), isF32) && mnk[0] % 128 == 0 &&
      mnk[1] % 128 == 0 && mnk[2] % 8 == 0 && mnk[2] >= 64 &&
      batch * (mnk[0] / 128) * (mnk[1] / 128) >= kWideTileBlocks) {
    plan.bm = plan.bn = 128;
    plan.bk = 8;
    plan.minBlocksPerSM = 2;
  }
  // Few blocks on FMAs (a batch-128 MLP layer, 128 x 512: 16 blocks of
  // 64 x 64 where an H100 has 132 SMs): 32 x 32 blocks of 2 x 2 thread
  // tiles, still 256 threads, four times the blocks.
  if (plan.mmaShape.empty() && plan.bm == 64 && plan.bn == 64 &&
      plan.tm == kThreadTile && blocks < kBlocksToFill / 4) {
    plan.bm = plan.bn = 32;
    plan.tm = plan.tn = 2;
  }
  return plan;
}

/// A 2-D matmul whose A or B is a 2-D transpose (the backward's dy W^T:
/// the autodiff rule transposes W; dlc-to-linalg folds only A^T, which the
/// CPU schedule prefers) reads the transpose's input through a transposed
/// map instead: the contraction plan stages either order, and the
/// transpose is no longer a kernel of its own (a copy with one side of its
/// accesses strided) where nothing else uses it. Not for products with a
/// tensor-core plan: their warp tiles would read B^T as a [32, 32] vector
/// transposed in registers, which the CPU emulation's vector lowering
/// takes minutes over (a 32 x 64 x 48 f16 product: 172 s of
/// canonicalization).
void foldTransposedOperands(RewriterBase &rewriter, linalg::MatmulOp op,
                            bool allowTF32, bool tensorCores) {
  if (!op.hasPureTensorSemantics())
    return;
  auto element = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  if (tensorCores && !mmaShapeFor(element(op.getDpsInputs()[0]),
                                  element(op.getDpsInputs()[1]),
                                  element(op.getDpsInits()[0]), allowTF32)
                          .empty())
    return;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<Value> inputs(op.getDpsInputs());
  bool folded = false;
  for (unsigned i = 0; i < 2; ++i) {
    auto transpose = inputs[i].getDefiningOp<linalg::TransposeOp>();
    if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
      continue;
    inputs[i] = transpose.getInput();
    maps[i] = AffineMap::get(maps[i].getNumDims(), 0,
                             {maps[i].getResult(1), maps[i].getResult(0)},
                             op.getContext());
    folded = true;
  }
  if (!folded)
    return;
  rewriter.setInsertionPoint(op);
  auto product = linalg::MatmulOp::create(
      rewriter, op.getLoc(), op->getResultTypes(), inputs, op.getDpsInits(),
      {rewriter.getNamedAttr("indexing_maps",
                             rewriter.getAffineMapArrayAttr(maps))});
  rewriter.replaceOp(op, product->getResults());
}

/// Blocks under which a 2-D product with a long K is split into a batch of
/// K chunks (splitKAsBatch): fewer than half the SMs of an H100.
constexpr int64_t kSplitKBlocks = kBlocksToFill / 2;
/// K steps a chunk keeps at least.
constexpr int64_t kSplitKMinSteps = 256;

/// The K chunks to split a 2-D `op` (`plan`) into, or 0: under
/// kSplitKBlocks blocks, K of at least 4 chunks of kSplitKMinSteps, and
/// 8192 outputs or more (fewer take splitLongReduction's chunks). The
/// fewest chunks (a divisor of K, each a multiple of the plan's K step)
/// that give kBlocksToFill blocks or more, up to one of kSplitKMinSteps.
int64_t splitKChunks(linalg::MatmulOp op, const BlockPlan &plan) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t m = ranges[0], n = ranges[1], k = ranges[2];
  int64_t blocks = (m / plan.bm) * (n / plan.bn);
  if (blocks >= kSplitKBlocks || k < 4 * kSplitKMinSteps || m * n < 8192)
    return 0;
  int64_t step = plan.mmaShape.empty() ? 16 : 32;
  int64_t best = 0;
  for (int64_t chunks = 2; k / chunks >= kSplitKMinSteps; ++chunks) {
    if (k % chunks || (k / chunks) % step)
      continue;
    best = chunks;
    if (blocks * chunks >= kBlocksToFill)
      break;
  }
  return best;
}

/// `v` ([M, K], K last) as [chunks, M, K / chunks] written by its producer
/// itself, or null: where `v` is (a collapse of) the result of a map with
/// one use (an im2col gather: [C, KH, KW, N, OH, OW] -> [C * KH * KW,
/// N * OH * OW]) whose K dims start with one that `chunks` divides, the map
/// is rebuilt over [chunks, M dims, K dims] with that dim split, so that
/// the batch comes first without a copy of the whole operand.
Value chunkMajorProducer(RewriterBase &rewriter, Value v, int64_t chunks) {
  SmallVector<ReassociationIndices> groups = {{0}, {1}};
  if (auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>()) {
    if (!collapse->hasOneUse())
      return {};
    groups = collapse.getReassociationIndices();
    v = collapse.getSrc();
  }
  auto producer = v.getDefiningOp<linalg::GenericOp>();
  if (!producer || groups.size() != 2 || !v.hasOneUse() ||
      producer.getNumDpsInits() != 1 ||
      producer.getNumParallelLoops() != producer.getNumLoops() ||
      !producer.getIndexingMapsArray().back().isIdentity() ||
      producer.payloadUsesValueFromOperand(producer.getDpsInitOperand(0)) ||
      producer.hasIndexSemantics())
    return {};
  auto type = cast<RankedTensorType>(v.getType());
  int64_t split = groups[1].front(), size = type.getDimSize(split);
  if (!type.hasStaticShape() || size % chunks)
    return {};
  // New dims: [s, the M group, the split dim's part, the other K dims];
  // the producer's dim `split` is s * (size / chunks) + its part.
  MLIRContext *ctx = rewriter.getContext();
  unsigned rank = type.getRank();
  SmallVector<AffineExpr> old;
  for (unsigned d = 0; d < rank; ++d)
    old.push_back(getAffineDimExpr(d + 1, ctx));
  old[split] = getAffineDimExpr(0, ctx) * (size / chunks) + old[split];
  AffineMap substitute = AffineMap::get(rank + 1, 0, old, ctx);
  SmallVector<AffineMap> maps;
  for (OpOperand *input : producer.getDpsInputOperands())
    maps.push_back(producer.getMatchingIndexingMap(input).compose(substitute));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank + 1, ctx));
  SmallVector<int64_t> shape = {chunks};
  llvm::append_range(shape, type.getShape());
  shape[split + 1] = size / chunks;
  Location loc = producer.getLoc();
  rewriter.setInsertionPoint(producer);
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  auto chunked = linalg::GenericOp::create(
      rewriter, loc, empty.getType(), producer.getDpsInputs(), empty, maps,
      SmallVector<utils::IteratorType>(rank + 1,
                                       utils::IteratorType::parallel));
  rewriter.cloneRegionBefore(producer.getRegion(), chunked.getRegion(),
                             chunked.getRegion().end());
  SmallVector<ReassociationIndices> batchGroups = {{0}, {}, {}};
  for (int64_t d : groups[0])
    batchGroups[1].push_back(d + 1);
  for (int64_t d : groups[1])
    batchGroups[2].push_back(d + 1);
  return tensor::CollapseShapeOp::create(rewriter, loc, chunked.getResult(0),
                                         batchGroups);
}

/// A 2-D product of few blocks and a long K (a conv weight gradient,
/// [288, 12544] x [12544, 64]: 9 blocks stepping through 12544 values) as
/// `chunks` products over K chunks, a batch_matmul whose every block the
/// plans tile (144 blocks), then the partials summed into the output:
/// partial[s] = A[:, s] x B[s, :]. An operand read with K first ([K, M]
/// or [K, N]) is its chunks as it is; one with K last is written as [S,
/// M, Kc] by its producer where it can be (chunkMajorProducer), else copied
/// into it first (a kernel reading and writing whole rows), so that the
/// batch comes first as the plans want.
void splitKAsBatch(RewriterBase &rewriter, linalg::MatmulOp op,
                   int64_t chunks) {
  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  int64_t k = op.getStaticLoopRanges()[2], kc = k / chunks;
  AffineExpr b, m, n, kk;
  bindDims(ctx, b, m, n, kk);
  SmallVector<Value> operands;
  SmallVector<AffineMap> batchMaps;
  for (unsigned i = 0; i < 2; ++i) {
    Value v = op.getDpsInputs()[i];
    auto type = cast<RankedTensorType>(v.getType());
    AffineExpr other = i == 0 ? m : n;
    bool kFirst = maps[i].getDimPosition(0) == 2;
    int64_t size = type.getDimSize(kFirst ? 1 : 0);
    if (kFirst) {
      operands.push_back(tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({chunks, kc, size}, type.getElementType()),
          v, SmallVector<ReassociationIndices>{{0, 1}, {2}}));
      batchMaps.push_back(AffineMap::get(4, 0, {b, kk, other}, ctx));
      continue;
    }
    batchMaps.push_back(AffineMap::get(4, 0, {b, other, kk}, ctx));
    if (Value chunked = chunkMajorProducer(rewriter, v, chunks)) {
      rewriter.setInsertionPoint(op);
      operands.push_back(chunked);
      continue;
    }
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({size, chunks, kc}, type.getElementType()), v,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    AffineExpr s, x, y;
    bindDims(ctx, s, x, y);
    Value empty = tensor::EmptyOp::create(rewriter, loc,
                                          ArrayRef<int64_t>{chunks, size, kc},
                                          type.getElementType());
    auto copy = linalg::GenericOp::create(
        rewriter, loc, empty.getType(), expanded, empty,
        ArrayRef<AffineMap>{AffineMap::get(3, 0, {x, s, y}, ctx),
                            AffineMap::getMultiDimIdentityMap(3, ctx)},
        SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    operands.push_back(copy.getResult(0));
  }
  batchMaps.push_back(AffineMap::get(4, 0, {b, m, n}, ctx));
  auto outType = cast<RankedTensorType>(op.getResultTypes()[0]);
  Type element = outType.getElementType();
  Value empty = tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<int64_t>{chunks, outType.getDimSize(0), outType.getDimSize(1)},
      element);
  Value zero = arith::ConstantOp::create(rewriter, loc, element,
                                         rewriter.getZeroAttr(element));
  Value init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  auto partials = linalg::BatchMatmulOp::create(
      rewriter, loc, TypeRange{init.getType()}, operands, ValueRange{init},
      {rewriter.getNamedAttr("indexing_maps",
                             rewriter.getAffineMapArrayAttr(batchMaps))});
  // The output's init (a fill, or what the product accumulates into) plus
  // the partials in chunk order.
  AffineExpr i, j, s;
  bindDims(ctx, i, j, s);
  auto sum = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(), partials->getResult(0),
      op.getDpsInits()[0],
      ArrayRef<AffineMap>{AffineMap::get(3, 0, {s, i, j}, ctx),
                          AffineMap::get(3, 0, {i, j}, ctx)},
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::reduction},
      [](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(
            b, l, ValueRange{arith::AddFOp::create(b, l, args[1], args[0])});
      });
  SmallVector<Value> inputs = op.getDpsInputs();
  rewriter.replaceOp(op, sum.getResults());
  // An operand written chunk-major leaves its first writer (and a collapse
  // of it) unused: no kernel of its own.
  for (Value input : inputs)
    for (Operation *def = input.getDefiningOp();
         def && isOpTriviallyDead(def);) {
      Operation *next = isa<tensor::CollapseShapeOp>(def)
                            ? def->getOperand(0).getDefiningOp()
                            : nullptr;
      rewriter.eraseOp(def);
      def = next;
    }
}

/// A static matmul or default batch_matmul that no block fits (an M or N
/// over 64 and no multiple of 16, or odd: a batch of 100, a layer of 1000
/// units), or whose K no tensor-core step fits, computed on operands
/// zero-padded (tensor.pad, one kernel each) to multiples of 64 (16 up to
/// 64) in M and N and of 32 (16 without tensor cores) in K, and its
/// [M, N] part taken: a tiled product with some waste instead of one
/// thread per output reading K elements from memory. The padded rows and
/// columns of A and B are zeros, so the sums of the part kept are the
/// same.
void padToBlocks(RewriterBase &rewriter, linalg::LinalgOp op, bool allowTF32,
                 bool tensorCores) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op.getOperation()) ||
      !op.hasPureTensorSemantics() || op.getNumDpsInits() != 1)
    return;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return;
  auto element = [](Value v) { return getElementTypeOrSelf(v.getType()); };
  if (!isa<FloatType>(element(op.getDpsInputs()[0])) ||
      !isa<FloatType>(element(op.getDpsInputs()[1])))
    return;
  unsigned lead = ranges.size() - 3; // m, n, k after a batch dim
  int64_t m = ranges[lead], n = ranges[lead + 1], k = ranges[lead + 2];
  // The multiple each of M, N and K is padded to (1: left as it is).
  auto blockMultiple = [](int64_t size) -> int64_t {
    return blockAndThreadTile(size) ? 1 : size > 64 ? 64 : 16;
  };
  SmallVector<int64_t> multiples = {blockMultiple(m), blockMultiple(n), 1};
  SmallVector<int64_t, 3> mma =
      tensorCores ? mmaShapeFor(element(op.getDpsInputs()[0]),
                                element(op.getDpsInputs()[1]),
                                element(op.getDpsInits()[0]), allowTF32)
                  : SmallVector<int64_t, 3>{};
  bool tiled = multiples[0] == 1 && multiples[1] == 1;
  if (!mma.empty() && k % mma[2])
    multiples[2] = 32;
  else if (!tiled && k > 16)
    multiples[2] = 16;
  auto paddedSize = [&](unsigned i) {
    return static_cast<int64_t>(llvm::alignTo(ranges[lead + i], multiples[i]));
  };
  // Fits already, or too small to be worth a block.
  if ((paddedSize(0) == m && paddedSize(1) == n && paddedSize(2) == k) ||
      paddedSize(0) * paddedSize(1) < 64 * 64)
    return;
  // Upstream's padding: each operand padded with zeros (high) to those
  // multiples, the product's [M, N] part extracted from the result.
  SmallVector<Attribute> zeros;
  for (Value operand : op->getOperands())
    zeros.push_back(rewriter.getZeroAttr(element(operand)));
  linalg::LinalgPaddingOptions options;
  options.setPaddingDimensions({lead, lead + 1, lead + 2})
      .setPadToMultipleOf(multiples)
      .setPaddingValues(zeros)
      .setCopyBackOp(linalg::LinalgPaddingOptions::CopyBackOp::None);
  rewriter.setInsertionPoint(op);
  linalg::LinalgOp padded;
  SmallVector<Value> replacements;
  SmallVector<tensor::PadOp> pads;
  if (failed(linalg::rewriteAsPaddedOp(rewriter, op, options, padded,
                                       replacements, pads)))
    return;
  rewriter.replaceOp(op, replacements);
  // A padded fill init becomes a fill of the padded shape, which the
  // product's block fuses. (Upstream's FoldFillWithPad compares the two
  // values as SSA values; the padding's constant is a new one.)
  for (tensor::PadOp pad : pads) {
    auto fill = pad.getSource().getDefiningOp<linalg::FillOp>();
    Attribute fillValue, padValue;
    if (!fill || !matchPattern(fill.value(), m_Constant(&fillValue)) ||
        !matchPattern(pad.getConstantPaddingValue(), m_Constant(&padValue)) ||
        fillValue != padValue)
      continue;
    rewriter.setInsertionPoint(pad);
    Value empty = tensor::EmptyOp::create(
        rewriter, pad.getLoc(), pad.getResultType().getShape(),
        pad.getResultType().getElementType());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(pad, fill.value(), empty);
  }
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

/// Tiles `op` into an scf.forall of `tiles` mapped to threads (by default
/// threadMapping's y, x); returns the op of one thread.
FailureOr<Operation *> tileToThreads(RewriterBase &rewriter, Operation *op,
                                     ArrayRef<int64_t> tiles,
                                     ArrayRef<Attribute> mapping = {}) {
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.setTileSizes(indexAttrs(rewriter, tiles));
  options.setMapping(mapping.empty()
                         ? threadMapping(rewriter.getContext(), tiles)
                         : SmallVector<Attribute>(mapping));
  FailureOr<scf::SCFTilingResult> tiled =
      dlc::tileInPlace(rewriter, op, options);
  if (failed(tiled))
    return failure();
  return tiled->tiledOps.front();
}

/// An elementwise consumer to fuse into the contraction's block: the only
/// user of its result, all-parallel on the contraction's shape, reading the
/// result and writing its outputs (one, or two: a weight gradient's
/// momentum and weight update) through identity maps (other operands may
/// be broadcast, as a bias is).
linalg::GenericOp elementwiseConsumer(linalg::LinalgOp contraction) {
  Value result = contraction->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  OpOperand &use = *result.getUses().begin();
  auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!generic || generic.getNumDpsInits() > 2 ||
      generic.getNumLoops() != generic.getNumParallelLoops() ||
      !generic.getMatchingIndexingMap(&use).isIdentity() ||
      !llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
        return map.isProjectedPermutation();
      }))
    return nullptr;
  for (OpOperand &init : generic.getDpsInitsMutable())
    // (Of the same shape; the element type may differ: an f16 matmul's f32
    // sums rounded to f16.)
    if (cast<ShapedType>(init.get().getType()).getShape() !=
            cast<ShapedType>(result.getType()).getShape() ||
        !generic.getMatchingIndexingMap(&init).isIdentity())
      return nullptr;
  return generic;
}

/// Stages operand `index` of `tile` (a slice of A or B) in a new buffer of
/// `memorySpace` (shared memory), copied by the block's threads.
LogicalResult stageOperand(RewriterBase &rewriter, linalg::LinalgOp tile,
                           unsigned index, const BlockPlan &plan,
                           Attribute memorySpace, Type stagedElement = {}) {
  Value slice = tile.getDpsInputs()[index];
  auto type = cast<RankedTensorType>(slice.getType());
  if (!type.hasStaticShape())
    return tile->emitError("dlc-tile-for-gpu: operand tile is not static");
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  RankedTensorType stagedType =
      stagedElement ? type.clone(stagedElement) : type;
  auto buffer = bufferization::AllocTensorOp::create(
      rewriter, loc, stagedType, ValueRange{}, /*copy=*/Value(),
      /*size_hint=*/Value(), memorySpace);
  Operation *copy;
  if (stagedType == type) {
    copy = linalg::CopyOp::create(rewriter, loc, slice, buffer.getResult());
  } else {
    // The bits as another type of their width (bf16 as f16).
    SmallVector<AffineMap> maps(
        2, rewriter.getMultiDimIdentityMap(type.getRank()));
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    copy = linalg::GenericOp::create(
        rewriter, loc, stagedType, slice, buffer.getResult(), maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value bits = arith::BitcastOp::create(b, loc, stagedElement, args[0]);
          linalg::YieldOp::create(b, loc, bits);
        });
  }
  rewriter.modifyOpInPlace(tile, [&] {
    tile.getDpsInputOperand(index)->set(copy->getResult(0));
  });
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  SmallVector<int64_t> tiles(shape.size(), 0);
  // 16-byte pieces of rows (4 f32, 8 f16) along the block's linear thread
  // ids: neighbouring threads copy neighbouring pieces.
  // dlc-vectorize-staging-copies makes each piece a 16-byte load and store
  // where the addresses are aligned (checked at run time: a caller's tensor
  // need not be). (Vectorized there, on buffers: on tensors the
  // canonicalizer folds a vector copy back into a plain one.)
  int64_t width = 128 / type.getElementTypeBitWidth();
  int64_t threads = plan.threadsX() * plan.threadsY();
  if (cols % width == 0) {
    // A thread's part: pieceRows x pieceCols pieces, as few as the threads
    // allow (more than one per row only where a row has more pieces than
    // the block has threads: a 2-row f64 product).
    int64_t pieces = cols / width, pieceCols = 1, pieceRows = 1;
    while (pieces % pieceCols || pieces / pieceCols > threads)
      ++pieceCols;
    while (rows % pieceRows ||
           (rows / pieceRows) * (pieces / pieceCols) > threads)
      ++pieceRows;
    tiles[shape.size() - 2] = pieceRows;
    tiles.back() = pieceCols * width;
    MLIRContext *ctx = rewriter.getContext();
    FailureOr<Operation *> piece = tileToThreads(
        rewriter, copy, tiles,
        {gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim1),
         gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim0)});
    return success(succeeded(piece));
  }
  // Otherwise scalar copies: rows over thread y, columns over thread x.
  tiles[shape.size() - 2] = llvm::divideCeil(rows, plan.threadsY());
  tiles.back() = llvm::divideCeil(cols, plan.threadsX());
  return success(succeeded(tileToThreads(rewriter, copy, tiles)));
}

/// On a thread's elementwise op (dlc-tile-for-gpu): computed with 16-byte
/// vector accesses where aligned (dlc-vectorize-staging-copies).
constexpr llvm::StringLiteral kVectorPieceAttr = "dlc.vector_piece";

/// Whether `map` reads the last loop as its last result (V consecutive
/// elements of a thread's piece), or not at all (one value per piece).
enum class PieceAccess { Contiguous, Uniform, Other };
PieceAccess pieceAccess(AffineMap map) {
  unsigned last = map.getNumDims() - 1;
  if (!map.isProjectedPermutation())
    return PieceAccess::Other;
  int64_t previous = -1;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || static_cast<int64_t>(dim.getPosition()) <= previous)
      return PieceAccess::Other;
    previous = dim.getPosition();
  }
  if (!map.isFunctionOfDim(last))
    return PieceAccess::Uniform;
  return map.getDimPosition(map.getNumResults() - 1) == last
             ? PieceAccess::Contiguous
             : PieceAccess::Other;
}

/// The narrowest and widest element bits of `op`'s operands read along its
/// last loop, where `op` could run in vector pieces: every operand read in
/// loop order or not along the last loop, of whole bytes (not i1: a
/// vector<Nxi1> in memory is packed bits, a memref's i1 a byte each), and
/// a body of elementwise arithmetic; none otherwise.
std::optional<std::pair<unsigned, unsigned>> pieceBits(linalg::GenericOp op) {
  unsigned narrowest = 0, widest = 0;
  for (OpOperand &operand : op->getOpOperands()) {
    PieceAccess access = pieceAccess(op.getMatchingIndexingMap(&operand));
    Type element = getElementTypeOrSelf(operand.get().getType());
    if (access == PieceAccess::Other || !element.isIntOrFloat() ||
        element.getIntOrFloatBitWidth() % 8)
      return std::nullopt;
    if (access != PieceAccess::Contiguous)
      continue;
    unsigned bits = element.getIntOrFloatBitWidth();
    narrowest = narrowest ? std::min(narrowest, bits) : bits;
    widest = std::max(widest, bits);
  }
  for (Operation &inner : op.getBody()->without_terminator())
    if (!inner.hasTrait<OpTrait::Elementwise>() ||
        !inner.hasTrait<OpTrait::Vectorizable>())
      return std::nullopt;
  return std::make_pair(narrowest, widest);
}

/// A block's elementwise consumer (the rounding of f16/bf16 products, a
/// bias and activation) in 16-byte pieces of rows (128 bits of its
/// narrowest contiguous operand: 8 f16 outputs from 8 f32 sums), a
/// dlc.vector_piece each (dlc-vectorize-staging-copies: vector accesses
/// where aligned): along the block's linear thread ids, neighbouring
/// threads neighbouring pieces, each thread a piece in each of a few rows.
/// A warp then reads the accumulator tile and writes the output in whole
/// rows. (In the product's thread tiles, each thread read 4 columns and
/// wrote scalars: in the SIMT emulator's memory profile, 4-way bank
/// conflicts and a quarter of each written sector used.) False, nothing
/// changed, where `op` does not qualify (more than two outputs, other than
/// elementwise arithmetic, rows not of whole pieces for the block's
/// threads).
FailureOr<bool> tileConsumerInPieces(RewriterBase &rewriter,
                                     linalg::GenericOp op,
                                     const BlockPlan &plan) {
  if (op.getNumDpsInits() > 2 || !op.hasPureTensorSemantics())
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rank = ranges.size();
  if (rank < 2 || llvm::any_of(ranges, ShapedType::isDynamic))
    return false;
  std::optional<std::pair<unsigned, unsigned>> bits = pieceBits(op);
  if (!bits || bits->first < 8 || 128 % bits->first)
    return false;
  int64_t width = 128 / bits->first;
  int64_t rows = ranges[rank - 2], cols = ranges[rank - 1];
  int64_t threads = plan.threadsX() * plan.threadsY();
  if (cols % width || cols / width > threads || threads % (cols / width))
    return false;
  int64_t rowGroups = threads / (cols / width);
  if (rows % rowGroups)
    rowGroups = std::gcd(rows, rowGroups);
  SmallVector<int64_t> tiles(rank, 0);
  tiles[rank - 2] = rows / rowGroups;
  tiles[rank - 1] = width;
  MLIRContext *ctx = rewriter.getContext();
  FailureOr<Operation *> thread = tileToThreads(
      rewriter, op, tiles,
      {gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim1),
       gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim0)});
  if (failed(thread))
    return op->emitError("dlc-tile-for-gpu: tiling a consumer to threads "
                         "failed");
  // A thread's rows one piece at a time.
  Operation *piece = *thread;
  if (tiles[rank - 2] > 1) {
    SmallVector<int64_t> rowTiles(rank, 0);
    rowTiles[rank - 2] = 1;
    scf::SCFTilingOptions rowTiling;
    rowTiling.setTileSizes(indexAttrs(rewriter, rowTiles));
    FailureOr<scf::SCFTilingResult> rowLoop =
        dlc::tileInPlace(rewriter, piece, rowTiling);
    if (failed(rowLoop))
      return op->emitError("dlc-tile-for-gpu: tiling a consumer's rows "
                           "failed");
    piece = rowLoop->tiledOps.front();
  }
  piece->setAttr(kVectorPieceAttr, rewriter.getI64IntegerAttr(width));
  return true;
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

  // The fill that starts the accumulators, for dlc-lower-vectors to fold
  // into their reads.
  for (Operation *op : elementwise)
    if (auto fill = dyn_cast<linalg::FillOp>(op);
        fill && fill->getResult(0) == tile.getDpsInits()[0])
      fill->setAttr(dlc::kAccumulatorInitAttr, rewriter.getUnitAttr());

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
  FailureOr<scf::SCFTilingResult> kLoop =
      dlc::tileInPlace(rewriter, tile, kTiling);
  if (failed(kLoop))
    return tile->emitError("dlc-tile-for-gpu: tiling K failed");
  auto step = cast<linalg::LinalgOp>(kLoop->tiledOps.front());
  // bf16 tensor cores: A and B staged as f16 bits, so that upstream's
  // fragment loads (which know f16, not bf16) apply; dlc-lower-to-mma-sync
  // issues the products as bf16. (Not on the host: the CPU would compute
  // in f16.)
  bool bf16Bits = plan.bf16 && memorySpace;
  Type staged = bf16Bits ? Type(rewriter.getF16Type()) : Type();
  for (unsigned operand : {0u, 1u})
    if (failed(stageOperand(rewriter, step, operand, plan, memorySpace,
                            staged)))
      return failure();
  if (bf16Bits) {
    // The matmul again on its new operand types (a named op's body is
    // built from them).
    rewriter.setInsertionPoint(step);
    Operation *matmul =
        plan.batched
            ? linalg::BatchMatmulOp::create(
                  rewriter, step.getLoc(), step->getResultTypes(),
                  step.getDpsInputs(), step.getDpsInits(), step->getAttrs())
                  .getOperation()
            : linalg::MatmulOp::create(rewriter, step.getLoc(),
                                       step->getResultTypes(),
                                       step.getDpsInputs(), step.getDpsInits(),
                                       step->getAttrs())
                  .getOperation();
    rewriter.replaceOp(step, matmul);
    step = cast<linalg::LinalgOp>(matmul);
  }

  // Threads: a 4 x 4 (8 x 8) tile of the output each.
  SmallVector<int64_t> outputTiles = {plan.tm, plan.tn};
  if (plan.batched)
    outputTiles.insert(outputTiles.begin(), 0);
  if (!plan.mmaShape.empty()) {
    // Warps: a wm x wn x BK product each, one vector.contract marked with
    // its mma.sync shape for dlc-lower-to-mma-sync.
    SmallVector<int64_t> warpTiles = {plan.wm, plan.wn, 0};
    if (plan.batched)
      warpTiles.insert(warpTiles.begin(), 0);
    FailureOr<Operation *> warpStep = tileToThreads(
        rewriter, step, warpTiles,
        {gpu::GPUWarpMappingAttr::get(ctx, gpu::MappingId::LinearDim1),
         gpu::GPUWarpMappingAttr::get(ctx, gpu::MappingId::LinearDim0)});
    if (failed(warpStep))
      return step->emitError("dlc-tile-for-gpu: tiling to warps failed");
    auto warps = (*warpStep)->getParentOfType<scf::ForallOp>();
    if (failed(vectorizeOp(rewriter, *warpStep)))
      return failure();
    warps.walk([&](vector::ContractionOp contract) {
      contract->setAttr(dlc::kMmaShapeAttr,
                        rewriter.getDenseI64ArrayAttr(plan.mmaShape));
      if (bf16Bits)
        contract->setAttr(dlc::kMmaBF16Attr, rewriter.getUnitAttr());
    });
  } else {
    SmallVector<int64_t> stepTiles = outputTiles;
    stepTiles.push_back(0); // the K step stays whole in each thread
    FailureOr<Operation *> threadStep =
        tileToThreads(rewriter, step, stepTiles);
    if (failed(threadStep))
      return step->emitError("dlc-tile-for-gpu: tiling to threads failed");
    auto threads = (*threadStep)->getParentOfType<scf::ForallOp>();
    // The thread's tm x tn x BK product as vectors (one vector.contract):
    // dlc-lower-vectors then keeps its accumulators in registers across the
    // K loop, once threads are mapped, and emits FMAs.
    if (failed(vectorizeOp(rewriter, *threadStep)))
      return failure();
    if (plan.minBlocksPerSM)
      threads.walk([&](vector::ContractionOp contract) {
        contract->setAttr(dlc::kMinBlocksPerSMAttr,
                          rewriter.getI64IntegerAttr(plan.minBlocksPerSM));
      });
  }
  for (Operation *op : elementwise) {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic) {
      FailureOr<bool> pieces = tileConsumerInPieces(rewriter, generic, plan);
      if (failed(pieces))
        return failure();
      if (*pieces)
        continue;
    }
    if (failed(tileToThreads(rewriter, op, outputTiles)))
      return op->emitError("dlc-tile-for-gpu: tiling to threads failed");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Row nests: softmax, log_softmax, layer norm
//===----------------------------------------------------------------------===//

/// Threads of a warp; a row's threads (one or more warps) each take columns
/// l, l + L, ... (neighbouring threads read neighbouring elements).
constexpr int64_t kLanes = 32;
/// Rows per block at most (8 warps).
constexpr int64_t kRowsPerBlock = 8;

enum class RowKind { None, Fill, Reduction, RowElementwise, Elementwise };

/// Whether `map` (of a 2-D or 1-D loop nest) reads a whole row tile
/// ((d0, d1)), a row's value ((d0), or (d0, 0) of a [rows, 1] tensor), a
/// column's ((d1)) or a scalar (()), with no transposes.
bool isRowNestMap(AffineMap map, bool allowZeros = true) {
  int64_t last = -1;
  for (AffineExpr expr : map.getResults()) {
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      if (!allowZeros || constant.getValue() != 0)
        return false;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || static_cast<int64_t>(dim.getPosition()) <= last)
      return false;
    last = dim.getPosition();
  }
  return true;
}

/// The combiner of a reduction body (`yield combiner(f(ins), acc)`), if it
/// is associative and commutative, so that partial results may be merged.
Operation *reductionCombiner(linalg::GenericOp op) {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  Value acc = op.getBody()->getArguments().back();
  Operation *combiner = yield.getValues()[0].getDefiningOp();
  if (!combiner || combiner->getNumOperands() != 2 ||
      !llvm::is_contained(combiner->getOperands(), acc) ||
      !isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
           arith::MaxNumFOp, arith::MinNumFOp, arith::AddIOp, arith::MaxSIOp,
           arith::MinSIOp>(combiner))
    return nullptr;
  return combiner;
}

/// Whether the reduction `op` starts from a fill that may also start each
/// thread's partial: the combiner's neutral element (0 for a sum), or any
/// value for an idempotent combiner (max, min). Merging 32 partials that
/// each started from another value would count it 32 times.
bool startsFromNeutral(linalg::GenericOp op, Operation *combiner) {
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  if (isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
          arith::MinNumFOp, arith::MaxSIOp, arith::MinSIOp>(combiner))
    return true;
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  Attribute value;
  return neutral && matchPattern(fill.getInputs()[0], m_Constant(&value)) &&
         value == *neutral;
}

/// `combiner`(x, acc) of a reduction body, cloned on (x, acc).
Value combine(OpBuilder &b, Operation *combiner, Value accArg, Value x,
              Value acc) {
  IRMapping map;
  for (Value operand : combiner->getOperands())
    map.map(operand, operand == accArg ? acc : x);
  return b.clone(*combiner, map)->getResult(0);
}

/// `value` combined across the 32 lanes of a warp by a butterfly of xor
/// shuffles (log2(32) steps; every lane ends with the total). Narrower
/// types travel extended to 32 bits (exact both ways).
Value warpAllReduce(OpBuilder &b, Location loc, Operation *combiner,
                    Value accArg, Value value) {
  Type type = value.getType();
  for (int32_t offset = kLanes / 2; offset > 0; offset /= 2) {
    Value wide = value;
    if (type.getIntOrFloatBitWidth() < 32)
      wide = isa<FloatType>(type)
                 ? Value(arith::ExtFOp::create(b, loc, b.getF32Type(), value))
                 : Value(arith::ExtSIOp::create(b, loc, b.getI32Type(), value));
    Value other = gpu::ShuffleOp::create(b, loc, wide, offset, kLanes,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    if (other.getType() != type)
      other = isa<FloatType>(type)
                  ? Value(arith::TruncFOp::create(b, loc, type, other))
                  : Value(arith::TruncIOp::create(b, loc, type, other));
    value = combine(b, combiner, accArg, other, value);
  }
  return value;
}

/// How `op` takes part in a row nest over [rows, cols].
RowKind rowKind(Operation *op, int64_t rows, int64_t cols) {
  auto hasShape = [](Value v, ArrayRef<int64_t> shape) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getShape() == shape;
  };
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return hasShape(fill.getResult(0), {rows}) ? RowKind::Fill : RowKind::None;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInits() != 1 ||
      !generic.hasPureTensorSemantics() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return isRowNestMap(map); }))
    return RowKind::None;
  SmallVector<utils::IteratorType> iterators =
      generic.getIteratorTypesArray();
  AffineMap out = generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
  Value result = generic.getResult(0);
  using utils::IteratorType;
  if (iterators.size() == 2 && iterators[0] == IteratorType::parallel &&
      iterators[1] == IteratorType::parallel && out.isIdentity() &&
      hasShape(result, {rows, cols}))
    return RowKind::Elementwise;
  if (iterators.size() == 2 && iterators[0] == IteratorType::parallel &&
      iterators[1] == IteratorType::reduction && out.getNumResults() == 1 &&
      hasShape(result, {rows}) && generic.getStaticLoopRanges()[1] == cols) {
    Operation *combiner = reductionCombiner(generic);
    if (combiner && startsFromNeutral(generic, combiner))
      return RowKind::Reduction;
    return RowKind::None;
  }
  if (iterators.size() == 1 && iterators[0] == IteratorType::parallel &&
      out.isIdentity() && hasShape(result, {rows}))
    return RowKind::RowElementwise;
  return RowKind::None;
}

/// The [rows, cols] of a row nest that would end at `root`: an elementwise
/// op over [rows, cols], an op over rows computed from a row reduction
/// over [rows, cols] (cross-entropy's per-row loss), or such a reduction.
std::optional<std::pair<int64_t, int64_t>>
rowNestShape(linalg::GenericOp root) {
  if (root.getNumResults() != 1)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(root.getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getRank() < 1)
    return std::nullopt;
  int64_t rows = type.getDimSize(0);
  if (type.getRank() == 2) {
    int64_t cols = type.getDimSize(1);
    if (rowKind(root, rows, cols) == RowKind::Elementwise)
      return std::make_pair(rows, cols);
    return std::nullopt;
  }
  if (type.getRank() != 1)
    return std::nullopt;
  // A row reduction alone (a bias gradient's partials per image and channel).
  if (root.getNumLoops() == 2) {
    int64_t cols = root.getStaticLoopRanges()[1];
    if (!ShapedType::isDynamic(cols) &&
        rowKind(root, rows, cols) == RowKind::Reduction)
      return std::make_pair(rows, cols);
  }
  for (Value input : root.getDpsInputs()) {
    auto reduction = input.getDefiningOp<linalg::GenericOp>();
    if (!reduction || reduction.getNumLoops() != 2)
      continue;
    int64_t cols = reduction.getStaticLoopRanges()[1];
    if (!ShapedType::isDynamic(cols) &&
        rowKind(reduction, rows, cols) == RowKind::Reduction &&
        rowKind(root, rows, cols) == RowKind::RowElementwise)
      return std::make_pair(rows, cols);
  }
  return std::nullopt;
}

/// The ops of the row nest ending at `root` (see rowNestShape): the fills,
/// row reductions and elementwise ops it is computed from whose every user
/// is in the nest; empty unless there is a reduction.
SetVector<Operation *> collectRowNest(linalg::GenericOp root, int64_t rows,
                                      int64_t cols) {
  SetVector<Operation *> nest;
  nest.insert(root);
  bool reduction = rowKind(root, rows, cols) == RowKind::Reduction;
  for (Operation *op = root->getPrevNode(); op; op = op->getPrevNode()) {
    RowKind kind = rowKind(op, rows, cols);
    if (kind == RowKind::None || op->getNumResults() != 1 ||
        op->getResult(0).use_empty() ||
        !llvm::all_of(op->getUsers(),
                      [&](Operation *user) { return nest.contains(user); }))
      continue;
    nest.insert(op);
    reduction |= kind == RowKind::Reduction;
  }
  if (!reduction)
    nest.clear();
  return nest;
}

/// Offsets, sizes and strides of thread (r, l)'s part of a tensor read or
/// written through `map` of a row-nest op: its row of a [R, C] tile in
/// columns l, l + 32, ... (ceil((C - l) / 32) of them: none for l >= C);
/// its row's value of an [R] vector; the columns l, l + 32, ... of a [C]
/// vector; a scalar whole. `lane` is null for ops over rows only.
void threadSlice(OpBuilder &b, Location loc, AffineMap map, Value row,
                 Value lane, int64_t lanes, int64_t cols,
                 SmallVectorImpl<OpFoldResult> &offsets,
                 SmallVectorImpl<OpFoldResult> &sizes,
                 SmallVectorImpl<OpFoldResult> &strides) {
  for (AffineExpr expr : map.getResults()) {
    if (isa<AffineConstantExpr>(expr)) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(1));
      strides.push_back(b.getIndexAttr(1));
    } else if (cast<AffineDimExpr>(expr).getPosition() == 0) {
      offsets.push_back(row);
      sizes.push_back(b.getIndexAttr(1));
      strides.push_back(b.getIndexAttr(1));
    } else {
      offsets.push_back(lane);
      AffineExpr l = b.getAffineDimExpr(0);
      sizes.push_back(
          cols % lanes == 0
              ? OpFoldResult(b.getIndexAttr(cols / lanes))
              : affine::makeComposedFoldedAffineApply(
                    b, loc, (cols + lanes - 1 - l).floorDiv(lanes), {lane}));
      strides.push_back(b.getIndexAttr(lanes));
    }
  }
}

/// A copy of `op` on the given operands, returning `resultType`.
linalg::GenericOp cloneOn(OpBuilder &b, linalg::GenericOp op,
                          ValueRange inputs, Value init, Type resultType) {
  auto clone = linalg::GenericOp::create(
      b, op.getLoc(), TypeRange{resultType}, inputs, ValueRange{init},
      op.getIndexingMapsArray(), op.getIteratorTypesArray());
  IRMapping mapping;
  op.getRegion().cloneInto(&clone.getRegion(), mapping);
  return clone;
}

/// An scf.forall over the block's threads: (rows) mapped to thread y, or
/// (rows, lanes) to thread y and x, writing `outs`.
scf::ForallOp threadForall(OpBuilder &b, Location loc, int64_t rows,
                           int64_t lanes, ValueRange outs) {
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> ubs = {b.getIndexAttr(rows)};
  SmallVector<Attribute> mapping = {
      gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimY)};
  if (lanes) {
    ubs.push_back(b.getIndexAttr(lanes));
    mapping.push_back(
        gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimX));
  }
  return scf::ForallOp::create(b, loc, ubs, outs, b.getArrayAttr(mapping));
}

/// `op` of a row block, distributed over its threads (see tileRowNest).
/// Returns the value that replaces its result.
FailureOr<Value> distributeRowOp(RewriterBase &rewriter, linalg::GenericOp op,
                                 RowKind kind, int64_t rows, int64_t lanes,
                                 int64_t cols,
                                 Attribute memorySpace, bool warpShuffles) {
  Location loc = op.getLoc();
  Value init = op.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  Type element = initType.getElementType();
  rewriter.setInsertionPoint(op);

  // The per-thread op on its slices, inside `forall`, inserted into the
  // forall's output at the thread's part (or, for partials, its element).
  auto perThread = [&](scf::ForallOp forall, Value partialStart) {
    bool partial = static_cast<bool>(partialStart);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value row = forall.getInductionVar(0);
    Value lane = forall.getRank() > 1 ? forall.getInductionVar(1) : Value();
    SmallVector<Value> inputs;
    for (OpOperand *operand : op.getDpsInputOperands()) {
      Value value = operand->get();
      AffineMap map = op.getMatchingIndexingMap(operand);
      if (map.getNumResults() == 0) {
        inputs.push_back(value);
        continue;
      }
      SmallVector<OpFoldResult> offsets, sizes, strides;
      threadSlice(rewriter, loc, map, row, lane, lanes, cols, offsets, sizes,
                  strides);
      inputs.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, value, offsets, sizes, strides));
    }
    // Output: the thread's part; for a partial reduction the thread's one
    // element [r, l] of the [R, 32] partials, seen as a 1-element vector,
    // filled with `partialStart` by the thread itself (no barrier).
    SmallVector<OpFoldResult> offsets, sizes, strides;
    RankedTensorType sliceType;
    if (partial) {
      offsets = {row, lane};
      sizes = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)};
      strides = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)};
      sliceType = RankedTensorType::get({1}, element);
    } else {
      threadSlice(rewriter, loc,
                  op.getMatchingIndexingMap(op.getDpsInitOperand(0)), row,
                  lane, lanes, cols, offsets, sizes, strides);
    }
    Value outArg = forall.getRegionIterArgs()[0];
    auto slice = sliceType
                     ? tensor::ExtractSliceOp::create(rewriter, loc, sliceType,
                                                      outArg, offsets, sizes,
                                                      strides)
                     : tensor::ExtractSliceOp::create(rewriter, loc, outArg,
                                                      offsets, sizes, strides);
    Value start = slice;
    if (partial)
      start = linalg::FillOp::create(rewriter, loc, partialStart, start)
                  .getResult(0);
    linalg::GenericOp clone =
        cloneOn(rewriter, op, inputs, start, start.getType());
    // Positions (cross-entropy's label column, its gather's row): the
    // clone's loops run over the thread's slice, row `row` and columns
    // lane, lane + 32, ... of the block's loops.
    SmallVector<linalg::IndexOp> indices;
    clone.getBody()->walk([&](linalg::IndexOp index) {
      indices.push_back(index);
    });
    for (linalg::IndexOp index : indices) {
      rewriter.setInsertionPointAfter(index);
      Value local = index.getResult(), global;
      Operation *reader;
      if (index.getDim() == 0) {
        global = arith::AddIOp::create(rewriter, loc, row, local);
        reader = global.getDefiningOp();
      } else {
        Value stride = arith::ConstantIndexOp::create(rewriter, loc, lanes);
        Value scaled = arith::MulIOp::create(rewriter, loc, local, stride);
        reader = scaled.getDefiningOp();
        global = arith::AddIOp::create(rewriter, loc, lane, scaled);
      }
      rewriter.replaceAllUsesExcept(local, global, reader);
    }
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, clone.getResult(0),
                                          outArg, offsets, sizes, strides);
  };

  if (kind == RowKind::Elementwise) {
    auto forall = threadForall(rewriter, loc, rows, lanes, init);
    perThread(forall, /*partialStart=*/Value());
    return forall.getResult(0);
  }
  if (kind == RowKind::RowElementwise) {
    auto forall = threadForall(rewriter, loc, rows, /*lanes=*/0, init);
    perThread(forall, /*partialStart=*/Value());
    return forall.getResult(0);
  }

  // A reduction: each thread reduces its columns into partials [R, 32] (in
  // shared memory, starting from the reduction's identity: the fill of its
  // init), then they are merged per row (below).
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return op->emitError("dlc-tile-for-gpu: a row reduction whose init is "
                         "not a fill");
  auto partialType = RankedTensorType::get({rows, lanes}, element);
  auto buffer = bufferization::AllocTensorOp::create(
      rewriter, loc, partialType, ValueRange{}, Value(), Value(), memorySpace);
  auto partials = threadForall(rewriter, loc, rows, lanes, buffer.getResult());
  perThread(partials, /*partialStart=*/fill.getInputs()[0]);

  Operation *combiner = reductionCombiner(op);
  Value accArg = op.getBody()->getArguments().back();
  // The merge of row r's partials into its element. On the GPU by the
  // row's warp: lane l's partial combined by xor shuffles (every lane gets
  // the total), which all lanes store (the same value) into the fill's
  // buffer: the fill itself is not needed. Where lanes run one after
  // another (host emulation), and for 64-bit elements, one thread per row
  // folds them with the combiner into the init.
  bool shuffles = warpShuffles && element.getIntOrFloatBitWidth() <= 32;
  Value partialValues = partials.getResult(0);
  int64_t foldCount = lanes, foldStride = 1;
  if (shuffles && lanes > kLanes) {
    // Rows of several warps: each warp's total by shuffles (into every
    // lane's slot), then one thread per row folds the warps' totals (lanes
    // 0, 32, ...) into the init (the fill's value once more: the neutral
    // element, or a max/min that each partial started from anyway).
    auto totals = threadForall(rewriter, loc, rows, lanes, partialValues);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(totals.getBody());
    Value outArg = totals.getRegionIterArgs()[0];
    OpFoldResult one = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> ones(2, one);
    SmallVector<OpFoldResult> at = {totals.getInductionVar(0),
                                    totals.getInductionVar(1)};
    auto slot = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get({1}, element), outArg, at, ones,
        ones);
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(1, rewriter.getContext());
    auto total = linalg::GenericOp::create(
        rewriter, loc, TypeRange{slot.getType()}, ValueRange{slot},
        ValueRange{slot}, ArrayRef<AffineMap>{identity, identity},
        {utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, warpAllReduce(b, l, combiner, accArg, args[0]));
        });
    rewriter.setInsertionPointToStart(totals.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, total.getResult(0),
                                          outArg, at, ones, ones);
    partialValues = totals.getResult(0);
    shuffles = false;
    foldCount = lanes / kLanes;
    foldStride = kLanes;
  }
  auto merge = threadForall(rewriter, loc, rows, shuffles ? lanes : 0,
                            shuffles ? fill.getDpsInits()[0] : init);
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(merge.getBody());
    MLIRContext *ctx = rewriter.getContext();
    Value row = merge.getInductionVar(0);
    Value outArg = merge.getRegionIterArgs()[0];
    OpFoldResult zero = rewriter.getIndexAttr(0), one = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> ones(2, one);
    auto partial =
        shuffles ? tensor::ExtractSliceOp::create(
                       rewriter, loc, RankedTensorType::get({1}, element),
                       partialValues,
                       SmallVector<OpFoldResult>{row, merge.getInductionVar(1)},
                       ones, ones)
                 : tensor::ExtractSliceOp::create(
                       rewriter, loc, partialValues,
                       SmallVector<OpFoldResult>{row, zero},
                       SmallVector<OpFoldResult>{
                           one, rewriter.getIndexAttr(foldCount)},
                       SmallVector<OpFoldResult>{
                           one, rewriter.getIndexAttr(foldStride)});
    auto acc = tensor::ExtractSliceOp::create(
        rewriter, loc, outArg, SmallVector<OpFoldResult>{row}, {one}, {one});
    unsigned loops = shuffles ? 1 : 2;
    AffineMap identity = AffineMap::getMultiDimIdentityMap(loops, ctx);
    AffineMap rowMap = AffineMap::get(loops, 0, getAffineDimExpr(0, ctx));
    SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};
    if (!shuffles)
      iterators.push_back(utils::IteratorType::reduction);
    auto merged = linalg::GenericOp::create(
        rewriter, loc, TypeRange{acc.getType()}, ValueRange{partial},
        ValueRange{acc}, ArrayRef<AffineMap>{identity, rowMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value total =
              shuffles ? warpAllReduce(b, l, combiner, accArg, args[0])
                       : combine(b, combiner, accArg, args[0], args[1]);
          linalg::YieldOp::create(b, l, total);
        });
    rewriter.setInsertionPointToStart(merge.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rewriter, loc, merged.getResult(0),
                                          outArg,
                                          SmallVector<OpFoldResult>{row},
                                          {one}, {one});
  }
  return merge.getResult(0);
}

/// The whole schedule for one row nest: blocks of R rows (W warps per row,
/// 32 W x R threads); inside, the nest's elementwise ops fused into their
/// consumers (recomputed rather than stored), each reduction as per-thread
/// partials and a merge, the block's row vectors in shared memory.
LogicalResult tileRowNest(RewriterBase &rewriter, linalg::GenericOp root,
                          SetVector<Operation *> nest, int64_t rows,
                          int64_t cols, Attribute memorySpace,
                          bool warpShuffles) {
  MLIRContext *ctx = rewriter.getContext();
  // Elementwise producers into each of their consumers, so that no [rows,
  // cols] intermediate is stored.
  while (true) {
    Operation *op = nullptr;
    for (Operation *candidate : nest)
      if (candidate != root &&
          rowKind(candidate, rows, cols) == RowKind::Elementwise)
        op = candidate;
    if (!op)
      break;
    SmallVector<OpOperand *> uses = llvm::map_to_vector(
        op->getResult(0).getUses(), [](OpOperand &use) { return &use; });
    for (OpOperand *use : uses) {
      Operation *consumer = use->getOwner();
      // A copy of the producer per use, so that fusion does not keep its
      // result as another output of the fused op.
      rewriter.setInsertionPoint(op);
      Operation *copy = rewriter.clone(*op);
      rewriter.modifyOpInPlace(consumer,
                               [&] { use->set(copy->getResult(0)); });
      rewriter.setInsertionPoint(consumer);
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, use);
      if (failed(fused))
        return consumer->emitError("dlc-tile-for-gpu: cannot fuse into a "
                                   "row nest op");
      for (OpResult result : consumer->getResults())
        rewriter.replaceAllUsesWith(result,
                                    fused->replacements.lookup(result));
      nest.insert(fused->fusedOp);
      if (consumer == root)
        root = cast<linalg::GenericOp>(fused->fusedOp);
      nest.remove(consumer);
      rewriter.eraseOp(consumer);
      rewriter.eraseOp(copy);
    }
    nest.remove(op);
    rewriter.eraseOp(op);
  }

  // Long rows: several warps per row (up to 8: 256 threads, one row a
  // block, each thread at least 16 columns), so that the rows in flight
  // on the whole GPU stay few enough for the reductions' re-reads of a row
  // to hit L2 (8 rows per block of 4096 f32 columns, a warp each, keep
  // 135 MB in flight on an H100; a row per block, 17 MB).
  int64_t warpsPerRow = 1;
  while (warpsPerRow < kRowsPerBlock && cols >= 2 * 512 * warpsPerRow)
    warpsPerRow *= 2;
  int64_t lanes = kLanes * warpsPerRow;
  SmallVector<int64_t> rowCandidates;
  for (int64_t r = kRowsPerBlock / warpsPerRow; r >= 1; r /= 2)
    rowCandidates.push_back(r);
  int64_t blockRows = dividing(rows, rowCandidates);
  scf::SCFTilingOptions blockTiling;
  blockTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  blockTiling.setTileSizes(indexAttrs(
      rewriter, root.getNumLoops() == 2 ? SmallVector<int64_t>{blockRows, 0}
                                        : SmallVector<int64_t>{blockRows}));
  blockTiling.setMapping(
      {gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX)});
  scf::SCFTileAndFuseOptions fuseOptions;
  fuseOptions.setTilingOptions(blockTiling);
  fuseOptions.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (nest.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root.getOperation()), fuseOptions);
  if (failed(fused))
    return root->emitError("dlc-tile-for-gpu: tiling a row nest failed");
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  rewriter.eraseOp(root);

  // A producer with two consumers (softmax's max feeds the sum and the
  // output) was fused once for each: one copy left.
  auto block = cast<scf::ForallOp>(fused->loops.front().getOperation());
  DominanceInfo dominance(block);
  eliminateCommonSubExpressions(rewriter, dominance, block);
  // Inside the block, in program order.
  SmallVector<Operation *> blockOps;
  for (Operation &op : block.getBody()->without_terminator())
    if (isa<linalg::LinalgOp>(op))
      blockOps.push_back(&op);
  SmallVector<linalg::FillOp> fills;
  for (Operation *op : blockOps) {
    RowKind kind = rowKind(op, blockRows, cols);
    // Row vectors of the block: shared memory.
    // (With leading dims collapsed, the empty tensor is reshaped first: a
    // plain buffer there would be each thread's own, malloc'd in the
    // kernel, and the row statistics one thread writes unseen by the
    // others.)
    Value init = cast<DestinationStyleOpInterface>(op).getDpsInits()[0];
    auto slice = init.getDefiningOp<tensor::ExtractSliceOp>();
    Value whole = slice ? slice.getSource() : Value();
    while (whole && isa_and_nonnull<tensor::CollapseShapeOp,
                                    tensor::ExpandShapeOp>(whole.getDefiningOp()))
      whole = whole.getDefiningOp()->getOperand(0);
    if (kind != RowKind::Elementwise && whole &&
        whole.getDefiningOp<tensor::EmptyOp>()) {
      rewriter.setInsertionPoint(op);
      auto buffer = bufferization::AllocTensorOp::create(
          rewriter, op->getLoc(), slice.getType(), ValueRange{}, Value(),
          Value(), memorySpace);
      rewriter.modifyOpInPlace(op, [&] {
        cast<DestinationStyleOpInterface>(op).getDpsInitsMutable()[0].set(
            buffer.getResult());
      });
    }
    if (kind == RowKind::Fill) {
      // Distributed once its readers are (below).
      fills.push_back(cast<linalg::FillOp>(op));
      continue;
    }
    if (kind == RowKind::None)
      return op->emitError("dlc-tile-for-gpu: unexpected op in a row nest");
    FailureOr<Value> replacement =
        distributeRowOp(rewriter, cast<linalg::GenericOp>(op), kind, blockRows,
                        lanes, cols, memorySpace, warpShuffles);
    if (failed(replacement))
      return failure();
    rewriter.replaceOp(op, *replacement);
  }
  // Fills of row vectors: one thread per row.
  for (linalg::FillOp fill : fills) {
    if (fill->use_empty()) {
      rewriter.eraseOp(fill);
      continue;
    }
    if (failed(tileToThreads(rewriter, fill, {1},
                             {gpu::GPUThreadMappingAttr::get(
                                 ctx, gpu::MappingId::DimY)})))
      return fill->emitError("dlc-tile-for-gpu: tiling a fill failed");
  }
  return success();
}

/// Folds the reshapes that collapsing loops puts between ops, and a
/// reduction's init fill, reshaped, into a fill of the reshaped empty (so
/// that the reduction still starts from a fill).
LogicalResult foldReshapes(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
  linalg::FillOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::EmptyOp::getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsGreedily(func, std::move(patterns));
}

/// Collapses the leading loops of every static generic over [d0, ..., dn]
/// (n >= 2, all parallel but maybe the last, dn a multiple of 32, no
/// transposes) into one, and folds the reshapes this puts between them.
LogicalResult collapseLeadingRowDims(RewriterBase &rewriter,
                                     func::FuncOp func) {
  SmallVector<linalg::GenericOp> candidates;
  func.walk([&](linalg::GenericOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators =
        op.getIteratorTypesArray();
    if (ranges.size() < 3 || !op.hasPureTensorSemantics() ||
        op->getParentOfType<scf::ForallOp>() ||
        llvm::any_of(ranges, ShapedType::isDynamic) ||
        // (Rows of any length would collapse every n-D elementwise op.)
        ranges.back() % kLanes != 0 ||
        llvm::any_of(ArrayRef(iterators).drop_back(),
                     [](utils::IteratorType t) {
                       return t != utils::IteratorType::parallel;
                     }) ||
        !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
          return isRowNestMap(map, /*allowZeros=*/false);
        }))
      return;
    ReassociationIndices leading;
    for (int64_t i = 0; i + 1 < static_cast<int64_t>(ranges.size()); ++i)
      leading.push_back(i);
    if (linalg::areDimSequencesPreserved(op.getIndexingMapsArray(),
                                         {leading}))
      candidates.push_back(op);
  });
  if (candidates.empty())
    return success();
  // The row-vector ops between them (a layer norm's mean = sum / C over
  // [batch, tokens]): all-parallel over exactly the leading dims, collapsed
  // to one.
  std::set<SmallVector<int64_t>> rowShapes;
  for (linalg::GenericOp op : candidates)
    rowShapes.insert(SmallVector<int64_t>(
        ArrayRef<int64_t>(op.getStaticLoopRanges()).drop_back()));
  SmallVector<linalg::GenericOp> rowOps;
  func.walk([&](linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && op.getNumLoops() >= 2 &&
        op.getNumParallelLoops() == op.getNumLoops() &&
        !op->getParentOfType<scf::ForallOp>() &&
        rowShapes.count(op.getStaticLoopRanges()) &&
        llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
          return map.isIdentity() || map.getNumResults() == 0;
        }))
      rowOps.push_back(op);
  });
  auto collapse = [&](linalg::GenericOp op,
                      ArrayRef<ReassociationIndices> groups) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::CollapseResult> collapsed =
        linalg::collapseOpIterationDims(op, groups, rewriter);
    if (failed(collapsed))
      return op->emitError("dlc-tile-for-gpu: cannot collapse rows"), failure();
    rewriter.replaceOp(op, collapsed->results);
    return success();
  };
  for (linalg::GenericOp op : candidates) {
    ReassociationIndices leading;
    for (int64_t i = 0; i + 1 < op.getNumLoops(); ++i)
      leading.push_back(i);
    if (failed(collapse(op, {leading, {op.getNumLoops() - 1}})))
      return failure();
  }
  for (linalg::GenericOp op : rowOps) {
    ReassociationIndices all;
    for (int64_t i = 0; i < op.getNumLoops(); ++i)
      all.push_back(i);
    if (failed(collapse(op, {all})))
      return failure();
  }
  return foldReshapes(func);
}

//===----------------------------------------------------------------------===//
// Elementwise ops: 16 bytes per thread
//===----------------------------------------------------------------------===//

/// Elements per thread of an elementwise op to tile (16 bytes of its widest
/// contiguous operand), or 0: a static all-parallel generic of rank 1 to
/// 3, one output read and written in loop order, inputs in loop order or
/// not varying along the last loop, a body of elementwise arithmetic (no
/// positions, no gathers), and a last dim of a multiple of 32 pieces.
/// With `flattened`: the width it would have as one flat loop (every
/// operand in loop order, any rank from 2, the total a multiple of 32
/// pieces).
int64_t elementwiseWidth(linalg::GenericOp op, bool flattened = false) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() || op.getNumLoops() < 1 ||
      (!flattened && op.getNumLoops() > 3) ||
      (flattened && op.getNumLoops() < 2) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return 0;
  if (flattened && !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return map.isIdentity();
      }))
    return 0;
  // (Flattened, every operand must be a whole buffer: a function's argument
  // or an op's result, not a slice or a loop's value, which may be strided
  // and would be copied to be reshaped.)
  if (flattened && llvm::any_of(op->getOperands(), [](Value v) {
        if (auto arg = dyn_cast<BlockArgument>(v))
          return !isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
        return isa<tensor::ExtractSliceOp>(v.getDefiningOp()) ||
               isa<ViewLikeOpInterface>(v.getDefiningOp());
      }))
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return 0;
  if (flattened)
    ranges = {computeProduct(ranges)};
  std::optional<std::pair<unsigned, unsigned>> pieces = pieceBits(op);
  if (!pieces || pieces->second < 8 || 128 % pieces->second)
    return 0;
  int64_t width = 128 / pieces->second;
  return ranges.back() % (32 * width) == 0 ? width : 0;
}

/// Tiles `op` into an scf.forall of `tiles` mapped to blocks, its last
/// loop to #gpu.block<x> (then y, z).
FailureOr<scf::SCFTilingResult> tileToBlocks(RewriterBase &rewriter,
                                             linalg::GenericOp op,
                                             ArrayRef<int64_t> tiles) {
  int64_t rank = tiles.size();
  SmallVector<Attribute> mapping;
  for (int64_t d = 0; d < rank; ++d)
    mapping.push_back(gpu::GPUBlockMappingAttr::get(
        rewriter.getContext(),
        static_cast<gpu::MappingId>(
            static_cast<int64_t>(gpu::MappingId::DimX) + rank - 1 - d)));
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  options.setTileSizes(indexAttrs(rewriter, tiles));
  options.setMapping(mapping);
  return dlc::tileInPlace(rewriter, op, options);
}

/// `op` (elementwiseWidth `width`) in blocks of up to 256 threads, each
/// thread `width` consecutive elements of a row: warps read 32 x 16
/// contiguous bytes.
LogicalResult tileElementwise(RewriterBase &rewriter, linalg::GenericOp op,
                              int64_t width) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rank = ranges.size();
  int64_t rows = rank > 1 ? dividing(ranges[rank - 2], {8, 4, 2, 1}) : 1;
  int64_t pieces = ranges.back() / width;
  // Pieces of a row per block: up to 256 threads in all, at least a warp
  // (the last dim has a multiple of 32 pieces).
  SmallVector<int64_t> laneCandidates;
  for (int64_t lanes = 256 / rows; lanes >= 32; lanes /= 2)
    laneCandidates.push_back(lanes);
  int64_t lanes = dividing(pieces, laneCandidates);
  SmallVector<int64_t> blockTiles(rank, 1), threadTiles(rank, 0);
  blockTiles.back() = lanes * width;
  threadTiles.back() = width;
  if (rank > 1) {
    blockTiles[rank - 2] = rows;
    threadTiles[rank - 2] = 1;
  }
  FailureOr<scf::SCFTilingResult> blocks =
      tileToBlocks(rewriter, op, blockTiles);
  if (failed(blocks))
    return op->emitError("dlc-tile-for-gpu: tiling into blocks failed");
  FailureOr<Operation *> piece =
      tileToThreads(rewriter, blocks->tiledOps.front(), threadTiles);
  if (failed(piece))
    return op->emitError("dlc-tile-for-gpu: tiling to threads failed");
  (*piece)->setAttr(kVectorPieceAttr, rewriter.getI64IntegerAttr(width));
  return success();
}

//===----------------------------------------------------------------------===//
// Transposes: through a shared-memory tile
//===----------------------------------------------------------------------===//

/// The loop innermost in `op`'s input, if `op` is a copy that changes the
/// innermost dim (out[n, p, c] = in[n, c, p]: a conv weight gradient's dy
/// as [N * H * W, C]): a static generic of one input and one output, all
/// parallel, the body yielding the input, the output in loop order and the
/// input a permutation of the loops whose last is not the last loop.
std::optional<unsigned> transposedLoop(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() < 2 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  if (yield.getValues()[0] != op.getBody()->getArgument(0) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !in.isPermutation())
    return std::nullopt;
  unsigned inner = cast<AffineDimExpr>(in.getResults().back()).getPosition();
  if (inner + 1 == op.getNumLoops())
    return std::nullopt;
  return inner;
}

/// A transpose tile's side along a loop of `size`: the largest of 32, 16
/// and 8 that divides it (rows of whole sectors), else its largest divisor
/// from 31 down to 9 (28 of 196: [N, C, 14, 14]), or 0.
int64_t transposeTile(int64_t size) {
  for (int64_t tile : {32, 16, 8})
    if (size % tile == 0)
      return tile;
  for (int64_t tile = 31; tile > 8; --tile)
    if (size % tile == 0)
      return tile;
  return 0;
}

/// `op` (transposedLoop) with its loops that stay neighbours in both
/// operands merged ([N, C, H, W] -> [N, H, W, C] as [N, C, HW] -> [N, HW,
/// C]), so that a block's tile holds whole rows of both.
FailureOr<linalg::GenericOp> collapseTransposedLoops(RewriterBase &rewriter,
                                                     linalg::GenericOp op) {
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  SmallVector<ReassociationIndices> groups = {{0}};
  for (unsigned d = 1; d < op.getNumLoops(); ++d) {
    // d follows d - 1 in the input too.
    std::optional<unsigned> previous =
        in.getResultPosition(getAffineDimExpr(d - 1, op.getContext()));
    std::optional<unsigned> here =
        in.getResultPosition(getAffineDimExpr(d, op.getContext()));
    if (previous && here && *here == *previous + 1)
      groups.back().push_back(d);
    else
      groups.push_back({d});
  }
  if (groups.size() == op.getNumLoops())
    return op;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, groups, rewriter);
  if (failed(collapsed))
    return op->emitError("dlc-tile-for-gpu: cannot collapse a transpose");
  rewriter.replaceOp(op, collapsed->results);
  return cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
}

/// A transpose (transposedLoop, at most 3 loops once collapsed, both
/// innermost loops with a transposeTile) in blocks of a TQ x TL tile (TL
/// of the output's last loop, TQ of the input's): the block's threads
/// copy the tile along the input's rows into shared memory (rows of an odd
/// number of elements, so that the column reads hit distinct banks), then
/// write it along the output's rows. Each warp reads and writes whole
/// rows; through the parallel-loop route one of the two is a sector per
/// element (12% used for f32 rows 3136 bytes apart). Up to 256 threads
/// (linear ids), each a few rows of each phase.
LogicalResult tileTranspose(RewriterBase &rewriter, linalg::GenericOp op,
                            unsigned inner, Attribute memorySpace) {
  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rank = ranges.size();
  int64_t last = rank - 1;
  int64_t tl = transposeTile(ranges[last]), tq = transposeTile(ranges[inner]);
  SmallVector<int64_t> blockTiles(rank, 1);
  blockTiles[last] = tl;
  blockTiles[inner] = tq;
  FailureOr<scf::SCFTilingResult> blocks =
      tileToBlocks(rewriter, op, blockTiles);
  if (failed(blocks))
    return op->emitError("dlc-tile-for-gpu: tiling a transpose failed");
  auto tile = cast<linalg::GenericOp>(blocks->tiledOps.front());

  // The input's tile, in its own layout, into shared memory: rows of an
  // odd number of elements (an even one padded by one, the tile a slice),
  // so that a warp's column reads below hit distinct banks.
  Value slice = tile.getDpsInputs()[0];
  auto sliceType = cast<RankedTensorType>(slice.getType());
  SmallVector<int64_t> padded(sliceType.getShape());
  padded.back() += padded.back() % 2 == 0 ? 1 : 0;
  rewriter.setInsertionPoint(tile);
  auto buffer = bufferization::AllocTensorOp::create(
      rewriter, loc, sliceType.clone(padded), ValueRange{}, Value(), Value(),
      memorySpace);
  SmallVector<OpFoldResult> zeros(rank, rewriter.getIndexAttr(0)),
      ones(rank, rewriter.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes =
      getAsIndexOpFoldResult(ctx, sliceType.getShape());
  Value staged = tensor::ExtractSliceOp::create(rewriter, loc, sliceType,
                                                buffer.getResult(), zeros,
                                                sizes, ones);
  auto copy = linalg::CopyOp::create(rewriter, loc, slice, staged);
  rewriter.modifyOpInPlace(tile, [&] {
    tile.getDpsInputOperand(0)->set(copy.getResult(0));
  });

  // Threads: x along the row each phase writes or reads contiguously in
  // global memory, y over the other tiled dim, `rows` of it each.
  // (The fewest rows a thread that divide both sides and leave at most
  // 256 threads, if any.)
  int64_t rows = llvm::divideCeil(tl * tq, 256);
  while (rows < std::min(tl, tq) && (tl % rows || tq % rows))
    ++rows;
  if (tl % rows || tq % rows)
    rows = 1;
  AffineMap in = tile.getMatchingIndexingMap(tile.getDpsInputOperand(0));
  unsigned lastInInput = *in.getResultPosition(getAffineDimExpr(last, ctx));
  SmallVector<int64_t> copyTiles(rank, 0), writeTiles(rank, 0);
  copyTiles[lastInInput] = rows;
  copyTiles[rank - 1] = 1;
  writeTiles[inner] = rows;
  writeTiles[last] = 1;
  // (Linear thread ids: the two phases' thread grids differ in shape.)
  SmallVector<Attribute> linear = {
      gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim1),
      gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::LinearDim0)};
  if (failed(tileToThreads(rewriter, copy, copyTiles, linear)) ||
      failed(tileToThreads(rewriter, tile, writeTiles, linear)))
    return op->emitError("dlc-tile-for-gpu: tiling a transpose to threads "
                         "failed");
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions over outer dims: in two steps
//===----------------------------------------------------------------------===//

/// A reduction whose reduction loops run both before and after its last
/// parallel loop (a bias gradient: [N, C, H, W] -> [C], loops n, c, h, w)
/// in two generics: the first keeps the outer reduction loops parallel
/// (partial[n, c] = sum over h, w, from the combiner's neutral element), the
/// second reduces them into the original output (out[c] = combine over n).
/// Left to the parallel-loop route, the reduction would be a thread per
/// output (32 threads summing 50176 values each for a [64, 32, 28, 28]
/// activation); split, it is 2048 threads of 784, then 32 of 64. Leaves
/// alone an op that does not qualify: a single output,
/// static loops, a body combining one value into the accumulator with an
/// op that has a neutral element (addf, maximumf ...), at least 2 outer and
/// 4 inner reduction steps, fewer than 8192 outputs (enough threads
/// otherwise).
void splitOuterReduction(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumResults() != 1)
    return;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t lastParallel = -1;
  for (auto [i, iterator] : llvm::enumerate(iterators))
    if (iterator == utils::IteratorType::parallel)
      lastParallel = i;
  int64_t outer = 1, inner = 1, outputs = 1;
  for (auto [i, iterator] : llvm::enumerate(iterators)) {
    if (iterator == utils::IteratorType::parallel)
      outputs *= ranges[i];
    else if (static_cast<int64_t>(i) < lastParallel)
      outer *= ranges[i];
    else
      inner *= ranges[i];
  }
  if (lastParallel < 0 || outer < 2 || inner < 4 || outputs >= 8192)
    return;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isProjectedPermutation() ||
      llvm::any_of(op.getIndexingMapsArray(),
                   [](AffineMap map) { return !map.isProjectedPermutation(); }))
    return;
  SmallVector<Operation *> combiners;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
      combiners.size() != 1 || combiners[0]->getNumOperands() != 2)
    return;
  Operation *combiner = combiners[0];
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  if (!neutral)
    return;

  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  unsigned loops = op.getNumLoops();
  // Partial: the outer reduction loops and the parallel ones, in loop order.
  SmallVector<AffineExpr> partialDims;
  SmallVector<int64_t> partialShape;
  SmallVector<utils::IteratorType> firstIterators, secondIterators;
  for (auto [i, iterator] : llvm::enumerate(iterators)) {
    bool kept = iterator == utils::IteratorType::parallel ||
                static_cast<int64_t>(i) < lastParallel;
    firstIterators.push_back(kept ? utils::IteratorType::parallel
                                  : utils::IteratorType::reduction);
    if (!kept)
      continue;
    partialDims.push_back(getAffineDimExpr(i, ctx));
    partialShape.push_back(ranges[i]);
    secondIterators.push_back(iterator);
  }
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  rewriter.setInsertionPoint(op);
  Value empty = tensor::EmptyOp::create(rewriter, loc, partialShape, element);
  Value zero = arith::ConstantOp::create(rewriter, loc, *neutral);
  Value partialInit =
      linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  SmallVector<AffineMap> firstMaps = op.getIndexingMapsArray();
  firstMaps.back() = AffineMap::get(loops, 0, partialDims, ctx);
  auto first = linalg::GenericOp::create(
      rewriter, loc, TypeRange{partialInit.getType()}, op.getDpsInputs(),
      ValueRange{partialInit}, firstMaps, firstIterators);
  IRMapping mapping;
  op.getRegion().cloneInto(&first.getRegion(), mapping);

  // Second: over the partial's dims, the outer ones reduced into the
  // original output with the same combiner.
  unsigned kept = partialDims.size();
  SmallVector<AffineExpr> outResults;
  for (AffineExpr result : outMap.getResults()) {
    unsigned dim = cast<AffineDimExpr>(result).getPosition();
    auto at = llvm::find(partialDims, getAffineDimExpr(dim, ctx));
    outResults.push_back(
        getAffineDimExpr(std::distance(partialDims.begin(), at), ctx));
  }
  SmallVector<AffineMap> secondMaps = {
      AffineMap::getMultiDimIdentityMap(kept, ctx),
      AffineMap::get(kept, 0, outResults, ctx)};
  Value acc = op.getRegionOutputArgs()[0];
  bool accFirst = combiner->getOperand(0) == acc;
  auto second = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(), first.getResult(0),
      op.getDpsInits(), secondMaps, secondIterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        IRMapping operands;
        operands.map(combiner->getOperand(accFirst ? 0 : 1), args[1]);
        operands.map(combiner->getOperand(accFirst ? 1 : 0), args[0]);
        Operation *combined = b.clone(*combiner, operands);
        linalg::YieldOp::create(b, l, combined->getResult(0));
      });
  rewriter.replaceOp(op, second.getResults());

  // The partials as rows: [n * c, h * w] where every operand reads the
  // inner loops contiguously (an NCHW activation), so that the row nests
  // below give each row a warp reading along it. A thread per partial
  // would read 32 rows 3136 bytes apart in every warp request (a sector
  // each, 12% of it used), in 8 blocks of 256 threads for [64, 32, 28, 28].
  if (inner < kLanes)
    return;
  ReassociationIndices rowDims, colDims;
  for (unsigned i = 0; i < loops; ++i)
    (static_cast<int64_t>(i) <= lastParallel ? rowDims : colDims).push_back(i);
  SmallVector<ReassociationIndices> groups = {rowDims, colDims};
  if (!linalg::areDimSequencesPreserved(first.getIndexingMapsArray(), groups))
    return;
  rewriter.setInsertionPoint(first);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(first, groups, rewriter);
  if (succeeded(collapsed))
    rewriter.replaceOp(first, collapsed->results);
}

/// Outputs of a static `op`: the product of its parallel loops' ranges.
int64_t outputCount(linalg::LinalgOp op) {
  int64_t outputs = 1;
  for (auto [range, iterator] :
       llvm::zip(op.getStaticLoopRanges(), op.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::parallel)
      outputs *= range;
  return outputs;
}

/// Threads the first step of a split reduction may take: half of what an
/// H100's 132 SMs hold (2048 each).
constexpr int64_t kSplitReductionThreads = 132 * 1024;
/// Steps each chunk of a split reduction keeps at least.
constexpr int64_t kSplitReductionMinSteps = 16;

/// For an op with one long reduction loop and few outputs, the chunks to
/// split its reduction into, or 0: static, one output, K of `minSteps`
/// steps or more, fewer than 8192 outputs. With `rows` (the partial sums
/// of an output a row that a warp adds up: splitLongReduction), the most
/// chunks (a divisor of K) of kSplitReductionMinSteps steps or more within
/// kSplitReductionThreads threads, a multiple of 32 (else 0); without
/// (a thread adds up each output's partials), the largest divisor of K with
/// at least 128 steps a chunk and at most about 16384 threads in all.
int64_t reductionChunks(linalg::LinalgOp op, int64_t minSteps = 2048,
                        bool rows = false) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op->getNumResults() != 1)
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return 0;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t steps = ranges[std::distance(
      iterators.begin(), llvm::find(iterators, utils::IteratorType::reduction))];
  int64_t outputs = outputCount(op);
  if (steps < minSteps || outputs >= 8192)
    return 0;
  int64_t most =
      rows ? std::min(steps / kSplitReductionMinSteps,
                      std::max<int64_t>(kSplitReductionThreads / outputs, 2))
           : std::min(steps / 128, std::max<int64_t>(16384 / outputs, 2));
  for (int64_t d = most - most % 32; rows && d >= 32; d -= 32)
    if (steps % d == 0)
      return d;
  for (int64_t d = most; !rows && d >= 2; --d)
    if (steps % d == 0)
      return d;
  return 0;
}

/// The partial sums of upstream's splitReduction (`split`: partial[chunk,
/// outputs...], then combined over the chunk) laid out [outputs..., chunk]
/// instead, then summed over their last dim: each output's partials a row
/// that the row nests sum a warp a row. With `reductionLast`, the partial
/// op's remaining reduction loop (second, after the chunk: a column sum's)
/// is moved last, so its threads' parallel loops are all outside it.
void partialsAsRows(RewriterBase &rewriter,
                    linalg::SplitReductionResult split,
                    bool reductionLast) {
  auto partial = dyn_cast<linalg::GenericOp>(split.splitLinalgOp.getOperation());
  auto combine =
      dyn_cast<linalg::GenericOp>(split.resultCombiningLinalgOp.getOperation());
  if (!partial || !combine || !split.fillOp)
    return;
  MLIRContext *ctx = rewriter.getContext();
  auto type = cast<RankedTensorType>(partial.getResult(0).getType());
  unsigned rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape().drop_front());
  shape.push_back(type.getDimSize(0));
  SmallVector<AffineMap> maps = partial.getIndexingMapsArray();
  SmallVector<utils::IteratorType> loops = partial.getIteratorTypesArray();
  unsigned numLoops = loops.size();
  if (reductionLast) {
    // Loop 1 (the reduction) last: old dims in terms of the new ones.
    SmallVector<AffineExpr> old = {getAffineDimExpr(0, ctx),
                                   getAffineDimExpr(numLoops - 1, ctx)};
    for (unsigned d = 1; d + 1 < numLoops; ++d)
      old.push_back(getAffineDimExpr(d, ctx));
    AffineMap substitute = AffineMap::get(numLoops, 0, old, ctx);
    for (AffineMap &map : maps)
      map = map.compose(substitute);
    std::rotate(loops.begin() + 1, loops.begin() + 2, loops.end());
  }
  AffineMap out = maps.back();
  SmallVector<AffineExpr> rotated(out.getResults().drop_front());
  rotated.push_back(out.getResult(0));
  maps.back() = AffineMap::get(out.getNumDims(), 0, rotated, ctx);
  Location loc = partial.getLoc();
  rewriter.setInsertionPoint(partial);
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  Value init = linalg::FillOp::create(rewriter, loc,
                                      split.fillOp.getInputs()[0], empty)
                   .getResult(0);
  auto rowPartial = linalg::GenericOp::create(
      rewriter, loc, init.getType(), partial.getDpsInputs(), init, maps, loops);
  rewriter.cloneRegionBefore(partial.getRegion(), rowPartial.getRegion(),
                             rowPartial.getRegion().end());
  // The sum over the last dim into the op's result.
  SmallVector<AffineExpr> outputs;
  for (unsigned d = 0; d + 1 < rank; ++d)
    outputs.push_back(getAffineDimExpr(d, ctx));
  SmallVector<utils::IteratorType> iterators(rank - 1,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  rewriter.setInsertionPoint(combine);
  auto rows = linalg::GenericOp::create(
      rewriter, combine.getLoc(), combine.getResultTypes(),
      rowPartial.getResult(0), combine.getDpsInits(),
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                          AffineMap::get(rank, 0, outputs, ctx)},
      iterators);
  rewriter.cloneRegionBefore(combine.getRegion(), rows.getRegion(),
                             rows.getRegion().end());
  rewriter.replaceOp(combine, rows.getResults());
  rewriter.eraseOp(partial);
}

/// A column sum into a fill, [R, outputs...] -> [outputs...] with few
/// outputs (a bias gradient over a batch of 128: [128, 512] -> [512]), as
/// 32 chunks of R / 32 rows summed in parallel (each thread an output of a
/// chunk, stepping down its rows: coalesced across threads), then each
/// output's 32 partials a row that a warp of a row nest sums
/// (partialsAsRows). Left to the parallel-loop route it was a thread per
/// output stepping through all R rows: 512 threads, 2 blocks, 128 dependent
/// loads each. Taken where R is a multiple of 32 from 64 on, with fewer
/// than 8192 outputs and one reduction loop, the first.
void splitColumnSum(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      op.getNumLoops() < 2 ||
      op.getIteratorTypesArray().front() != utils::IteratorType::reduction ||
      !op.getDpsInits()[0].getDefiningOp<linalg::FillOp>())
    return;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return;
  int64_t steps = ranges.front(), outputs = outputCount(op);
  if (steps < 64 || steps % 32 || outputs >= 8192 ||
      outputs * 32 > kSplitReductionThreads)
    return;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::SplitReductionResult> split =
      linalg::splitReduction(rewriter, op, [&](linalg::LinalgOp) {
        return linalg::SplitReductionOptions{32, /*index=*/0,
                                             /*innerParallel=*/false};
      });
  if (succeeded(split))
    partialsAsRows(rewriter, *split, /*reductionLast=*/true);
}

/// An op with one long reduction loop and few outputs (reductionChunks)
/// with its reduction split into chunks summed in parallel (upstream's
/// linalg::splitReduction), then added up. With `rowsOfPartials` (products,
/// split before the row nests): partial[outputs..., chunk] over K / chunks
/// steps each, then a reduction of its last dim. A 1-channel
/// conv's weight gradient, [9, 50176] x [50176, 32], was 288 threads of
/// 50176 steps each; it is 448 chunks of 112, then 288 rows of 448 that
/// the row nests add up a warp a row. (Upstream puts the chunk first,
/// [chunk, outputs...]: a column sum of one thread per output, 448 steps
/// in 2 blocks.) The partial op's loops stay in upstream's order, chunk
/// first, so that its threads still step along the outputs' last dim
/// (upstream's `index` option would put the chunk last in the partials but
/// also its loop inside the outputs' ones: threads along the chunks,
/// reading K / chunks rows apart).
/// Without (single-input reductions, split after the row nests took theirs):
/// upstream's [chunk, outputs...]. Left as it is where upstream does not
/// recognize the combiner.
void splitLongReduction(RewriterBase &rewriter, linalg::LinalgOp op,
                        int64_t minSteps, bool rowsOfPartials) {
  // Rows need a multiple of 32 chunks, and the row nests take a row sum
  // into a fill (from zeros) only: else a thread adds up each output's
  // partials, which are better a column then (coalesced across threads).
  rowsOfPartials &= op.getDpsInits()[0].getDefiningOp<linalg::FillOp>() != nullptr;
  int64_t chunks =
      rowsOfPartials ? reductionChunks(op, minSteps, /*rows=*/true) : 0;
  if (!chunks) {
    rowsOfPartials = false;
    chunks = reductionChunks(op, minSteps);
  }
  if (!chunks)
    return;
  rewriter.setInsertionPoint(op);
  // (A failure leaves the op unchanged: the combiner is checked first.)
  FailureOr<linalg::SplitReductionResult> split =
      linalg::splitReduction(rewriter, op, [&](linalg::LinalgOp) {
        return linalg::SplitReductionOptions{chunks, /*index=*/0,
                                             /*innerParallel=*/false};
      });
  if (failed(split) || !rowsOfPartials)
    return;
  partialsAsRows(rewriter, *split, /*reductionLast=*/false);
}

/// Columns a row of a full reduction's partials takes at least (2 warps a
/// row in the row nests), and at most where a divisor of its size allows.
constexpr int64_t kFullReductionMinCols = 1024, kFullReductionMaxCols = 16384;

/// Whether `op` reduces all of its static loops into a scalar (a loss's sum
/// or mean, a norm): rank-0 output from a fill the partials may start from,
/// every input read whole through the identity map, a combiner the row
/// nests merge.
bool isFullReduction(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 ||
      op.getNumReductionLoops() != op.getNumLoops() || op.hasIndexSemantics() ||
      cast<ShapedType>(op.getResult(0).getType()).getRank() != 0 ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(input).isIdentity())
      return false;
  Operation *combiner = reductionCombiner(op);
  return combiner && startsFromNeutral(op, combiner);
}

/// Whether `op` computes one scalar from scalars (a mean's division of a
/// sum): no loops, rank-0 operands, one result, its body not reading its
/// output.
bool isScalarElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() != 0 ||
      op.getNumDpsInits() != 1 || op.hasIndexSemantics() ||
      op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
    return false;
  return llvm::all_of(op->getOperands(), [](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() == 0;
  });
}

/// A full reduction (isFullReduction) of N elements as row reductions that
/// the row nests take (warps a row, lanes merged by shuffles), instead of
/// one thread stepping through all N: its inputs as [R, N / R] (views of
/// the contiguous inputs) reduced into R partials from the fill's value,
/// then those as one row [1, R] into [1] (R = 1: the first step is that
/// row). R makes rows of kFullReductionMinCols columns or more (the fewest
/// such that divide N, up to kFullReductionMaxCols; else one row of N).
/// A loss over [256, 10] becomes one block adding 2560 values; a sum over
/// 2^20, 1024 rows of 1024 (2 warps a row, 256 blocks) and then a row of
/// 1024. Its one scalar elementwise consumer (isScalarElementwise: a mean's
/// division) becomes an op over the last row's [1], ending that row nest.
void fullReductionAsRows(RewriterBase &rewriter, linalg::GenericOp op) {
  int64_t n = 1;
  for (int64_t range : op.getStaticLoopRanges())
    n *= range;
  int64_t cols = n;
  for (int64_t c = kFullReductionMinCols;
       c <= std::min(n / 2, kFullReductionMaxCols); ++c)
    if (n % c == 0) {
      cols = c;
      break;
    }
  int64_t rows = n / cols;
  MLIRContext *ctx = rewriter.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Operation *combiner = reductionCombiner(op);
  Value accArg = op.getBody()->getArguments().back();
  Value start = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>().getInputs()[0];
  Type element = getElementTypeOrSelf(op.getResult(0).getType());
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  SmallVector<utils::IteratorType> loops = {utils::IteratorType::parallel,
                                            utils::IteratorType::reduction};
  // [elements...] as [r, n / r] (one group of all dims, then split).
  auto asRows = [&](Value v, int64_t r) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t d = 0; d < type.getRank(); ++d)
        all.push_back(d);
      v = tensor::CollapseShapeOp::create(rewriter, loc, v,
                                          ArrayRef<ReassociationIndices>{all});
    }
    return tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({r, n / r}, type.getElementType()), v,
        ArrayRef<ReassociationIndices>{{0, 1}});
  };
  // A [1] tensor as a view of a scalar one: once bufferized, the last
  // row's result is the scalar buffer itself (a returned loss is then no
  // copy into the function's result).
  auto scalarRow = [&](Type type) -> Value {
    return tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({1}, type),
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, type),
        ArrayRef<ReassociationIndices>{});
  };
  auto filled = [&](int64_t r) -> Value {
    Value empty = r == 1 ? scalarRow(element)
                         : tensor::EmptyOp::create(rewriter, loc, {r}, element)
                               .getResult();
    return linalg::FillOp::create(rewriter, loc, start, empty).getResult(0);
  };
  SmallVector<Value> inputs;
  for (Value input : op.getDpsInputs())
    inputs.push_back(asRows(input, rows));
  SmallVector<AffineMap> maps(inputs.size(),
                              AffineMap::getMultiDimIdentityMap(2, ctx));
  maps.push_back(rowMap);
  auto partials = linalg::GenericOp::create(
      rewriter, loc, TypeRange{RankedTensorType::get({rows}, element)}, inputs,
      filled(rows), maps, loops);
  rewriter.cloneRegionBefore(op.getRegion(), partials.getRegion(),
                             partials.getRegion().end());
  Value total = partials.getResult(0);
  if (rows > 1) {
    n = rows;
    auto merge = linalg::GenericOp::create(
        rewriter, loc, TypeRange{RankedTensorType::get({1}, element)},
        ValueRange{asRows(total, 1)}, filled(1),
        {AffineMap::getMultiDimIdentityMap(2, ctx), rowMap}, loops,
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, combine(b, combiner, accArg, args[0], args[1]));
        });
    total = merge.getResult(0);
  }
  auto scalar = [&](Value row, Type type) -> Value {
    return tensor::CollapseShapeOp::create(rewriter, loc, type, row,
                                           ArrayRef<ReassociationIndices>{});
  };
  // Its one scalar elementwise consumer (a mean's division) as an op over
  // that row, which the row nest ends at: not a kernel of its own.
  auto consumer = op->hasOneUse()
                      ? dyn_cast<linalg::GenericOp>(*op->user_begin())
                      : linalg::GenericOp();
  if (!consumer || !isScalarElementwise(consumer)) {
    rewriter.replaceOp(op, scalar(total, op.getResult(0).getType()));
    return;
  }
  rewriter.setInsertionPoint(consumer);
  AffineMap row = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<Value> consumerInputs;
  SmallVector<AffineMap> consumerMaps;
  for (Value input : consumer.getDpsInputs()) {
    bool reduced = input == op.getResult(0);
    consumerInputs.push_back(reduced ? total : input);
    consumerMaps.push_back(reduced ? row : AffineMap::get(1, 0, {}, ctx));
  }
  consumerMaps.push_back(row);
  Type resultType = consumer.getResult(0).getType();
  Type resultElement = getElementTypeOrSelf(resultType);
  auto onRow = linalg::GenericOp::create(
      rewriter, loc, TypeRange{RankedTensorType::get({1}, resultElement)},
      consumerInputs,
      ValueRange{scalarRow(resultElement)},
      consumerMaps, {utils::IteratorType::parallel});
  rewriter.cloneRegionBefore(consumer.getRegion(), onRow.getRegion(),
                             onRow.getRegion().end());
  rewriter.replaceOp(consumer, scalar(onRow.getResult(0), resultType));
  rewriter.eraseOp(op);
}

/// A static tensor.pad with a constant value as one generic over the
/// padded shape: each element the source's where inside (read at a clamped
/// position), the pad value elsewhere. Bufferized, a pad is a fill of the
/// whole buffer and a copy of the source into it: two kernels on the GPU,
/// the inside written twice (a conv's padded input).
void padAsGeneric(RewriterBase &rewriter, tensor::PadOp pad) {
  RankedTensorType type = pad.getResultType();
  RankedTensorType sourceType = pad.getSourceType();
  Value padValue = pad.getConstantPaddingValue();
  TypedAttr padAttr;
  if (!type.hasStaticShape() || !sourceType.hasStaticShape() || !padValue ||
      !matchPattern(padValue, m_Constant(&padAttr)) ||
      llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic))
    return;
  Location loc = pad.getLoc();
  rewriter.setInsertionPoint(pad);
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  Value source = pad.getSource();
  ArrayRef<int64_t> low = pad.getStaticLow();
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{empty},
      {rewriter.getMultiDimIdentityMap(type.getRank())},
      SmallVector<utils::IteratorType>(type.getRank(),
                                       utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange) {
        Value zero = arith::ConstantIndexOp::create(b, l, 0);
        Value inside;
        SmallVector<Value> at;
        for (int64_t d = 0; d < type.getRank(); ++d) {
          Value i = linalg::IndexOp::create(b, l, d);
          Value from = arith::SubIOp::create(
              b, l, i, arith::ConstantIndexOp::create(b, l, low[d]));
          // (Unsigned: a position before the source wraps past its size.)
          Value in = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ult, from,
              arith::ConstantIndexOp::create(b, l, sourceType.getDimSize(d)));
          at.push_back(arith::SelectOp::create(b, l, in, from, zero));
          inside = inside ? arith::AndIOp::create(b, l, inside, in) : in;
        }
        Value value = tensor::ExtractOp::create(b, l, source, at);
        Value outside = arith::ConstantOp::create(b, l, padAttr);
        linalg::YieldOp::create(
            b, l, ValueRange{arith::SelectOp::create(b, l, inside, value,
                                                     outside)});
      });
  rewriter.replaceOp(pad, generic.getResults());
  // Into its one consumer where elementwise fusion allows (an im2col
  // reading the padded input): no padded tensor at all.
  if (!generic->hasOneUse())
    return;
  OpOperand &use = *generic->getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || !linalg::areElementwiseOpsFusable(&use))
    return;
  // (The fused op is built at the insertion point, as the pattern
  // driver would set it: the consumer.)
  rewriter.setInsertionPoint(consumer);
  FailureOr<linalg::ElementwiseOpFusionResult> fused =
      linalg::fuseElementwiseOps(rewriter, &use);
  if (failed(fused))
    return;
  // (As upstream's fusion pattern: the consumer's results replaced.)
  for (auto [from, to] : fused->replacements)
    rewriter.replaceUsesWithIf(from, to, [&](OpOperand &u) {
      return u.get().getDefiningOp() != generic;
    });
  rewriter.eraseOp(consumer);
  if (generic->use_empty())
    rewriter.eraseOp(generic);
}

/// Whether `op` is inside a host loop or branch that reads tensor elements
/// itself (scatter_add's loop over its indices, in order).
/// dlc-add-unit-parallel-loop makes such a loop one kernel of its own; a
/// kernel tiled here inside it would be a launch inside a kernel, which
/// does not lower.
bool inOrderedLoop(Operation *op) {
  for (Operation *parent = op->getParentOp();
       parent && !isa<FunctionOpInterface>(parent);
       parent = parent->getParentOp()) {
    if (!isa<scf::ForOp, scf::IfOp, scf::WhileOp>(parent))
      continue;
    WalkResult reads = parent->walk<WalkOrder::PreOrder>([](Operation *inner) {
      if (isa<linalg::LinalgOp, scf::ForallOp>(inner))
        return WalkResult::skip();
      return isa<tensor::ExtractOp, memref::LoadOp>(inner)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (reads.wasInterrupted())
      return true;
  }
  return false;
}

/// Whether `op` is not for this pass: tiled already (in a forall) or in an
/// ordered host loop.
bool leftAlone(Operation *op) {
  return op->getParentOfType<scf::ForallOp>() || inOrderedLoop(op) ||
         op->hasAttr(dlc::kWgmmaAttr);
}

/// Whether tensor `v` bufferizes to a view (a slice, a reshape, a cast),
/// which the wgmma kernel's TMA maps do not take.
bool bufferizesToView(Value v) {
  Operation *def = v.getDefiningOp();
  return def && isa<ViewLikeOpInterface, tensor::ExtractSliceOp,
                    tensor::CollapseShapeOp, tensor::ExpandShapeOp,
                    tensor::CastOp>(def);
}

/// Whether `op` reads A through A^T's map, (k, m), (k, n), (m, n): x^T dy
/// as convert-dlc-to-linalg builds it (x [K, M] read in place).
bool readsATransposed(linalg::MatmulOp op) {
  return ArrayRef<AffineMap>(op.getIndexingMapsArray()) ==
         ArrayRef<AffineMap>(dlc::wgmmaMaps(op.getContext(), /*aT=*/true,
                                            /*bT=*/false));
}

/// Whether dlc-lower-to-wgmma can take `op` once bufferized: A [M, K] (or,
/// f16 and bf16, A^T [K, M] through readsATransposed's maps, M a multiple
/// of 8 for TMA's 16-byte rows) and B [K, N] as fitsWgmmaTiles takes them
/// (f32 where `allowTF32`), into an f32 C that a zero fill used by it alone
/// starts; A and B tensors that bufferize to whole buffers (not views: TMA
/// needs them 16-byte aligned, and the kernel an identity layout).
bool takesWgmma(linalg::MatmulOp op, bool allowTF32) {
  if (!op.hasPureTensorSemantics())
    return false;
  auto a = cast<ShapedType>(op.getDpsInputs()[0].getType());
  if (readsATransposed(op)) {
    // (TF32 wgmma reads A only K-major.)
    if (!a.hasStaticShape() || a.getElementType().isF32() ||
        a.getDimSize(1) % 8)
      return false;
    a = RankedTensorType::get({a.getDimSize(1), a.getDimSize(0)},
                              a.getElementType());
  } else if (!linalg::MatmulOp::isDefaultIndexingMaps(
                 op.getIndexingMapsAttr())) {
    return false;
  }
  if (!dlc::fitsWgmmaTiles(a, cast<ShapedType>(op.getDpsInputs()[1].getType()),
                           cast<ShapedType>(op.getDpsInits()[0].getType()),
                           allowTF32))
    return false;
  if (llvm::any_of(op.getDpsInputs(), bufferizesToView))
    return false;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  return fill && fill->hasOneUse() &&
         matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat());
}

/// The input of operand `v` where `v` is a 2-D transpose of a tensor that
/// bufferizes to a whole buffer (the backward's dy W^T: W; x^T dy: x),
/// else null.
Value transposedInput(Value v) {
  auto transpose = v.getDefiningOp<linalg::TransposeOp>();
  if (transpose && transpose.getPermutation() == ArrayRef<int64_t>{1, 0} &&
      !bufferizesToView(transpose.getInput()))
    return transpose.getInput();
  return nullptr;
}

/// Rows a TF32 product needs to take the wgmma kernel where B^T must be
/// made for it. The transpose moves 8 K N bytes, the product 2 M N K flops:
/// at an H100's 495 TF32 TFLOPS and 3.35 TB/s the transpose takes 590 / M
/// of the product's time (15% at M = 4096, five times the product at the
/// MLP's batch of 128), and a launch of a few microseconds more, against
/// mma.sync's TF32 at about two thirds of wgmma's peak. (Reasoning from
/// the datasheet, not a measurement.)
constexpr int64_t kTF32TransposeRows = 1024;

/// Whether TF32 wgmma product `op` (f32, default maps) is worth its B^T:
/// free (W of dy W^T) or a transpose kernel that M rows amortize.
bool worthTF32Wgmma(linalg::MatmulOp op) {
  return transposedInput(op.getDpsInputs()[1]) ||
         cast<ShapedType>(op.getDpsInputs()[0].getType()).getDimSize(0) >=
             kTF32TransposeRows;
}

/// Wgmma product `op` (takesWgmma) rebuilt to read its operands where
/// they are, through wgmmaMaps: f16 and bf16 wgmmas read either operand
/// K-major or MN-major, so A^T [K, M] as it is (x^T dy reads x,
/// MN-major; or A^T's input where A is a 2-D transpose of a whole buffer,
/// M a multiple of 8 for TMA's 16-byte rows) and B^T's input where B is
/// such a transpose (the input gradient dy W^T reads W, K-major): no
/// transpose kernels. TF32 wgmma reads both K-major: A as it is, and B^T
/// always, W of dy W^T or else a transpose of B made here (a kernel of its
/// own: 2 K N floats moved, against the product's 2 M N K flops).
linalg::MatmulOp readOperandsInPlace(RewriterBase &rewriter,
                                     linalg::MatmulOp op) {
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  bool tf32 = getElementTypeOrSelf(a.getType()).isF32();
  bool readsAT = readsATransposed(op);
  Value aT = readsAT ? a : tf32 ? nullptr : transposedInput(a);
  if (aT && !readsAT && cast<ShapedType>(a.getType()).getDimSize(0) % 8)
    aT = nullptr;
  Value bT = transposedInput(b);
  if (!bT && !tf32 && (readsAT || !aT))
    return op;
  rewriter.setInsertionPoint(op);
  if (!bT && tf32) {
    auto type = cast<RankedTensorType>(b.getType());
    Value empty = tensor::EmptyOp::create(
        rewriter, loc, {type.getDimSize(1), type.getDimSize(0)},
        type.getElementType());
    bT = linalg::TransposeOp::create(rewriter, loc, b, empty,
                                     ArrayRef<int64_t>{1, 0})
             ->getResult(0);
  }
  auto product = linalg::MatmulOp::create(
      rewriter, loc, op->getResultTypes(), ValueRange{aT ? aT : a, bT ? bT : b},
      op.getDpsInits(),
      {rewriter.getNamedAttr(
          "indexing_maps",
          rewriter.getAffineMapArrayAttr(dlc::wgmmaMaps(
              rewriter.getContext(), aT != nullptr, bT != nullptr)))});
  rewriter.replaceOp(op, product->getResults());
  // (The transposes read in place: gone where nothing else reads them.)
  for (Value operand : {a, b})
    if (auto transpose = operand.getDefiningOp<linalg::TransposeOp>();
        transpose && transpose->use_empty())
      rewriter.eraseOp(transpose);
  return product;
}

/// The elementwise op that alone uses wgmma product `op`'s result (a
/// rounding to bf16, a bias, an activation; a training step's momentum and
/// weight update, both written in place), which dlc-lower-to-wgmma makes
/// the kernel's epilogue: 2-D, parallel, reading the product and writing
/// its outputs through identity maps, its other inputs through projected
/// permutations, its body not reading its position.
linalg::GenericOp wgmmaEpilogue(linalg::MatmulOp op) {
  Value product = op->getResult(0);
  if (!product.hasOneUse())
    return nullptr;
  auto consumer = dyn_cast<linalg::GenericOp>(*product.getUsers().begin());
  if (!consumer || consumer.getNumLoops() != 2 ||
      consumer.getNumParallelLoops() != 2 ||
      !consumer.hasPureTensorSemantics() ||
      !consumer.getBody()->getOps<linalg::IndexOp>().empty())
    return nullptr;
  // (Each output element written by the thread that reads it, if its body
  // does: a momentum and weight update in place.)
  for (OpOperand &init : consumer.getDpsInitsMutable())
    if (!consumer.getMatchingIndexingMap(&init).isIdentity())
      return nullptr;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    AffineMap map = consumer.getMatchingIndexingMap(input);
    if (input->get() == product ? !map.isIdentity()
                                : !map.isProjectedPermutation())
      return nullptr;
  }
  return consumer;
}

/// The ops of type `OpTy` in `root` that this pass does not leave alone,
/// collected before any is rewritten.
template <typename OpTy>
SmallVector<OpTy> notLeftAlone(Operation *root) {
  SmallVector<OpTy> ops;
  root->walk([&](OpTy op) {
    if (!leftAlone(op))
      ops.push_back(op);
  });
  return ops;
}

struct TileForGPU : public dlc::impl::TileForGPUBase<TileForGPU> {
  using TileForGPUBase::TileForGPUBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Products reading a transpose read its input instead; those no block
    // fits, on padded operands.
    for (linalg::MatmulOp op : notLeftAlone<linalg::MatmulOp>(getOperation()))
      foldTransposedOperands(rewriter, op, allowTF32, tensorCores);
    // sm_90a: products of TMA and wgmma, built after bufferization, with
    // their elementwise consumer as the kernel's epilogue.
    if (wgmma)
      for (linalg::MatmulOp op : notLeftAlone<linalg::MatmulOp>(getOperation()))
        if (takesWgmma(op, allowTF32)) {
          // (Else mma.sync's TF32, which reads B as it is.)
          if (getElementTypeOrSelf(op.getDpsInputs()[0].getType()).isF32() &&
              !worthTF32Wgmma(op))
            continue;
          op = readOperandsInPlace(rewriter, op);
          op->setAttr(dlc::kWgmmaAttr, UnitAttr::get(&getContext()));
          if (linalg::GenericOp consumer = wgmmaEpilogue(op))
            consumer->setAttr(dlc::kWgmmaAttr, UnitAttr::get(&getContext()));
        }
    for (linalg::LinalgOp op : notLeftAlone<linalg::LinalgOp>(getOperation()))
      padToBlocks(rewriter, op, allowTF32, tensorCores);

    // 2-D float products of few blocks and a long K: a batch of K chunks.
    for (linalg::MatmulOp op : notLeftAlone<linalg::MatmulOp>(getOperation())) {
      std::optional<BlockPlan> plan =
          planContraction(op, allowTF32, tensorCores, wideSimtTiles);
      if (!plan || !isa<FloatType>(getElementTypeOrSelf(
                       op.getDpsInits()[0].getType())))
        continue;
      if (int64_t chunks = splitKChunks(op, *plan))
        splitKAsBatch(rewriter, op, chunks);
    }

    SmallVector<std::pair<linalg::LinalgOp, BlockPlan>> work;
    SmallVector<linalg::LinalgOp> fewBlocks;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (leftAlone(op))
        return;
      std::optional<BlockPlan> plan =
          planContraction(op, allowTF32, tensorCores, wideSimtTiles);
      if (!plan)
        return;
      // Under 8 blocks with a K of 512 or more (a classifier's [64, 3136]
      // x [3136, 10]: one block of 80 threads stepping through K): K in
      // parallel chunks instead.
      if (outputCount(op) < 8 * plan->bm * plan->bn &&
          reductionChunks(op, kFewBlocksMinSteps)) {
        fewBlocks.push_back(op);
        return;
      }
      work.emplace_back(op, *plan);
    });
    // Host emulation (tests): the same schedule in ordinary memory.
    Attribute memorySpace;
    if (!hostEmulation)
      memorySpace = gpu::AddressSpaceAttr::get(&getContext(),
                                               gpu::AddressSpace::Workgroup);
    for (auto &[op, plan] : work)
      if (failed(tileContraction(rewriter, op, plan, memorySpace)))
        return signalPassFailure();

    // Long products with few outputs (not tiled above, the products of few
    // blocks first): in parallel chunks, their partial sums rows of the row
    // nests below.
    for (linalg::LinalgOp op : fewBlocks)
      splitLongReduction(rewriter, op, kFewBlocksMinSteps,
                         /*rowsOfPartials=*/true);
    SmallVector<linalg::LinalgOp> longProducts;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!leftAlone(op) && op.getNumReductionLoops() == 1 &&
          op.getNumDpsInputs() >= 2)
        longProducts.push_back(op);
    });
    for (linalg::LinalgOp op : longProducts)
      splitLongReduction(rewriter, op, /*minSteps=*/2048,
                         /*rowsOfPartials=*/true);

    // Reductions over outer dims (a bias gradient): in two steps, the
    // first as rows of the row nests below where it reads rows.
    SmallVector<linalg::LinalgOp> reductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (leftAlone(op) ||
          !isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()))
        return;
      // (A reduction loop before a parallel one.)
      SmallVector<utils::IteratorType> iterators =
          op.getIteratorTypesArray();
      auto reduction = llvm::find(iterators, utils::IteratorType::reduction);
      if (std::find(reduction, iterators.end(),
                    utils::IteratorType::parallel) != iterators.end())
        reductions.push_back(op);
    });
    for (linalg::LinalgOp op : reductions) {
      FailureOr<linalg::GenericOp> generic =
          dlc::asGeneric(rewriter, op, getArgument());
      if (failed(generic))
        return signalPassFailure();
      splitOuterReduction(rewriter, *generic);
    }
    if (!reductions.empty() && failed(foldReshapes(getOperation())))
      return signalPassFailure();
    // Column sums (a bias gradient over the batch, or the second step
    // above): in 32 chunks, their partials rows of the row nests below.
    SmallVector<linalg::GenericOp> columnSums;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!leftAlone(op))
        columnSums.push_back(op);
    });
    for (linalg::GenericOp op : columnSums)
      splitColumnSum(rewriter, op);
    // Reductions of everything into a scalar (a loss, a norm): as rows of
    // the row nests below, not one thread.
    SmallVector<linalg::LinalgOp> fullReductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!leftAlone(op) && isa<linalg::GenericOp, linalg::ReduceOp>(op) &&
          op.getNumLoops() && op.getNumReductionLoops() == op.getNumLoops())
        fullReductions.push_back(op);
    });
    for (linalg::LinalgOp op : fullReductions) {
      FailureOr<linalg::GenericOp> generic =
          dlc::asGeneric(rewriter, op, getArgument());
      if (failed(generic))
        return signalPassFailure();
      if (isFullReduction(*generic))
        fullReductionAsRows(rewriter, *generic);
    }
    // Row nests, from their last op (an elementwise op over [rows, cols] or
    // an op over rows). Row reductions as generics first, as the nest's other
    // ops are.
    SmallVector<linalg::ReduceOp> reduces;
    getOperation().walk([&](linalg::ReduceOp op) {
      int64_t rank = cast<ShapedType>(op.getInputs()[0].getType()).getRank();
      if (rank >= 2 && op.getDimensions() == ArrayRef<int64_t>{rank - 1} &&
          op.getNumDpsInputs() == 1 && op.hasPureTensorSemantics())
        reduces.push_back(op);
    });
    for (linalg::ReduceOp op : reduces) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return signalPassFailure();
    }
    // Rows of more than one leading dim (a [batch, tokens, features] layer
    // norm): their ops over [rows..., cols] collapsed to [rows, cols], the
    // reshapes between them folded, so the nests below see 2-D ops.
    if (failed(collapseLeadingRowDims(rewriter, getOperation())))
      return signalPassFailure();

    struct RowNest {
      linalg::GenericOp root;
      SetVector<Operation *> ops;
      int64_t rows, cols;
    };
    SmallVector<RowNest> nests;
    DenseSet<Operation *> taken;
    SmallVector<linalg::GenericOp> roots;
    getOperation().walk([&](linalg::GenericOp op) { roots.push_back(op); });
    for (linalg::GenericOp root : llvm::reverse(roots)) {
      if (taken.contains(root) || leftAlone(root))
        continue;
      std::optional<std::pair<int64_t, int64_t>> shape = rowNestShape(root);
      if (!shape)
        continue;
      auto [rows, cols] = *shape;
      SetVector<Operation *> nest = collectRowNest(root, rows, cols);
      if (nest.empty() ||
          llvm::any_of(nest, [&](Operation *op) { return taken.contains(op); }))
        continue;
      taken.insert(nest.begin(), nest.end());
      nests.push_back({root, nest, rows, cols});
    }
    for (RowNest &nest : nests) {
      // Lanes run one after another in the host emulation: no shuffles.
      if (failed(tileRowNest(rewriter, nest.root, nest.ops, nest.rows,
                             nest.cols, memorySpace,
                             /*warpShuffles=*/!hostEmulation)))
        return signalPassFailure();
    }

    // Transposes of the innermost dim (dlc.transpose's linalg.transpose as
    // generics): through shared-memory tiles.
    for (linalg::TransposeOp op :
         notLeftAlone<linalg::TransposeOp>(getOperation())) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> transposes;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!leftAlone(op) && transposedLoop(op))
        transposes.push_back(op);
    });
    for (linalg::GenericOp op : transposes) {
      FailureOr<linalg::GenericOp> collapsed =
          collapseTransposedLoops(rewriter, op);
      if (failed(collapsed))
        return signalPassFailure();
      std::optional<unsigned> inner = transposedLoop(*collapsed);
      SmallVector<int64_t> ranges = collapsed->getStaticLoopRanges();
      if (!inner || ranges.size() > 3 || !transposeTile(ranges.back()) ||
          !transposeTile(ranges[*inner]))
        continue;
      if (failed(tileTranspose(rewriter, *collapsed, *inner, memorySpace)))
        return signalPassFailure();
    }

    // The elementwise ops left: 16 bytes a thread (instead of one element a
    // thread through the parallel-loop route). Those whose operands all
    // have their shape as one flat loop where only that gives whole pieces
    // in every row (NCHW activations [N, C, 28, 28]).
    SmallVector<linalg::GenericOp> flat;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!leftAlone(op) && !elementwiseWidth(op) &&
          elementwiseWidth(op, /*flattened=*/true))
        flat.push_back(op);
    });
    for (linalg::GenericOp op : flat) {
      ReassociationIndices all;
      for (int64_t i = 0; i < op.getNumLoops(); ++i)
        all.push_back(i);
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, {all}, rewriter);
      if (failed(collapsed)) {
        op->emitError("dlc-tile-for-gpu: cannot flatten an elementwise op");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, collapsed->results);
    }
    SmallVector<std::pair<linalg::GenericOp, int64_t>> elementwise;
    getOperation().walk([&](linalg::GenericOp op) {
      if (leftAlone(op))
        return;
      if (int64_t width = elementwiseWidth(op))
        elementwise.emplace_back(op, width);
    });
    for (auto &[op, width] : elementwise)
      if (failed(tileElementwise(rewriter, op, width)))
        return signalPassFailure();

    // Other long single reductions with few outputs (not in a row nest):
    // in parallel chunks.
    SmallVector<linalg::LinalgOp> longReductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!leftAlone(op) && op.getNumReductionLoops() == 1)
        longReductions.push_back(op);
    });
    for (linalg::LinalgOp op : longReductions)
      splitLongReduction(rewriter, op, /*minSteps=*/2048,
                         /*rowsOfPartials=*/false);

    // Pads left (a conv's padded input) as one kernel each.
    for (tensor::PadOp pad : notLeftAlone<tensor::PadOp>(getOperation()))
      padAsGeneric(rewriter, pad);
  }
};

//===----------------------------------------------------------------------===//
// dlc-map-forall-to-gpu
//===----------------------------------------------------------------------===//

bool mappedTo(scf::ForallOp forall, bool blocks) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         (blocks ? isa<gpu::GPUBlockMappingAttr>((*mapping)[0])
                 : isa<gpu::GPUThreadMappingAttr, gpu::GPUWarpMappingAttr>(
                       (*mapping)[0]));
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
    // Linear dims (the warps of a tensor-core block, the staging copies'
    // pieces) count like x, y, z.
    auto mapping = cast<DeviceMappingAttrInterface>(attr);
    int64_t id = mapping.getMappingId();
    if (mapping.isLinearMapping())
      id -= static_cast<int64_t>(gpu::MappingId::LinearDim0);
    if (id > 2)
      return failure();
    counts[id] = llvm::divideCeil((*ubs)[i] - (*lbs)[i], (*steps)[i]);
  }
  return counts;
}

/// Whether `op` is a staging copy piece: a thread's copy (or bitcast copy)
/// of static rows of 16-byte multiples from global into shared memory,
/// rows contiguous on both sides.
bool isStagingPiece(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return false;
  auto source = dyn_cast<MemRefType>(op.getDpsInputs()[0].getType());
  auto target = dyn_cast<MemRefType>(op.getDpsInits()[0].getType());
  auto isShared = [](MemRefType type) {
    auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(type.getMemorySpace());
    return space && space.getValue() == gpu::AddressSpace::Workgroup;
  };
  if (!source || !target || !source.hasStaticShape() || isShared(source) ||
      !isShared(target) || source.getRank() == 0 ||
      source.getShape().back() * source.getElementTypeBitWidth() % 128 ||
      target.getElementTypeBitWidth() != source.getElementTypeBitWidth() ||
      !source.isLastDimUnitStride() || !target.isLastDimUnitStride())
    return false;
  // The body: the element, or its bits as another type (and nothing else).
  Block *body = op.getBlock();
  Value yielded = cast<linalg::YieldOp>(body->getTerminator()).getValues()[0];
  if (body->without_terminator().empty())
    return yielded == body->getArgument(0);
  auto bitcast = yielded.getDefiningOp<arith::BitcastOp>();
  return bitcast && &body->front() == bitcast.getOperation() &&
         bitcast->getNextNode() == body->getTerminator() &&
         bitcast.getIn() == body->getArgument(0);
}

/// Whether `memref` is in a block's shared memory.
bool isSharedMemory(Value memref) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  auto space = type ? dyn_cast_or_null<gpu::AddressSpaceAttr>(
                          type.getMemorySpace())
                    : nullptr;
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

/// Loads and stores in `region` through unit-stride views, made accesses of
/// the viewed buffer at offset indices. Upstream's hoisting of accumulators
/// leaves alone a buffer that any view is taken of: this keeps a consumer's
/// pieces of a block's accumulator tile from being such views. And the
/// vector accesses keep their 16-byte alignment, which the later folding
/// of views (upstream's patterns) would drop: NVPTX would then split them
/// into scalar accesses.
void foldViews(RewriterBase &rewriter, Region &region) {
  auto fold = [&](Operation *op, OpOperand &base, MutableOperandRange indices) {
    auto view = base.get().getDefiningOp<memref::SubViewOp>();
    while (view &&
           view.getSourceType().getRank() == view.getType().getRank() &&
           llvm::all_of(view.getStaticStrides(),
                        [](int64_t s) { return s == 1; })) {
      rewriter.setInsertionPoint(op);
      SmallVector<Value> shifted;
      for (auto [index, offset] :
           llvm::zip(indices.getAsOperandRange(), view.getMixedOffsets()))
        shifted.push_back(arith::AddIOp::create(
            rewriter, op->getLoc(), index,
            getValueOrCreateConstantIndexOp(rewriter, op->getLoc(), offset)));
      rewriter.modifyOpInPlace(op, [&] {
        base.set(view.getSource());
        indices.assign(shifted);
      });
      view = base.get().getDefiningOp<memref::SubViewOp>();
    }
  };
  llvm::SetVector<Operation *> views;
  region.walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (auto view = operand.getDefiningOp<memref::SubViewOp>())
        views.insert(view);
    if (auto load = dyn_cast<memref::LoadOp>(op))
      fold(op, load.getMemrefMutable(), load.getIndicesMutable());
    else if (auto store = dyn_cast<memref::StoreOp>(op))
      fold(op, store.getMemrefMutable(), store.getIndicesMutable());
    else if (auto load = dyn_cast<vector::LoadOp>(op))
      fold(op, load.getBaseMutable(), load.getIndicesMutable());
    else if (auto store = dyn_cast<vector::StoreOp>(op))
      fold(op, store.getBaseMutable(), store.getIndicesMutable());
  });
  // The views left unused, and the views they were taken of.
  while (!views.empty()) {
    auto view = cast<memref::SubViewOp>(views.pop_back_val());
    if (!view->use_empty())
      continue;
    auto source = view.getSource().getDefiningOp<memref::SubViewOp>();
    rewriter.eraseOp(view);
    if (source)
      views.insert(source);
  }
}

/// `op` as loops in `branch`'s else block (the unaligned case of a vector
/// lowering), erased where it was.
LogicalResult loopsInElse(RewriterBase &rewriter, scf::IfOp branch,
                          Operation *op) {
  rewriter.setInsertionPointToStart(branch.elseBlock());
  Operation *scalar = rewriter.clone(*op);
  if (failed(linalg::linalgOpToLoops(rewriter, cast<linalg::LinalgOp>(scalar))))
    return failure();
  rewriter.eraseOp(scalar);
  rewriter.eraseOp(op);
  return success();
}

/// Whether every row of `view` starts at a multiple of 16 bytes (tested at
/// run time: its aligned pointer, offset and row strides).
Value rowsAligned(OpBuilder &b, Location loc, Value view) {
  auto type = cast<MemRefType>(view.getType());
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, view);
  Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, view);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value sixteen = arith::ConstantIndexOp::create(b, loc, 16);
  Value size = arith::ConstantIndexOp::create(b, loc, bytes);
  auto aligned = [&](Value byteCount) -> Value {
    Value rem = arith::RemUIOp::create(b, loc, byteCount, sixteen);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rem, zero);
  };
  Value start = arith::AddIOp::create(
      b, loc, pointer, arith::MulIOp::create(b, loc, meta.getOffset(), size));
  Value all = aligned(start);
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    if (type.getDimSize(d) > 1)
      all = arith::AndIOp::create(
          b, loc, all,
          aligned(arith::MulIOp::create(b, loc, meta.getStrides()[d], size)));
  return all;
}

/// A staging piece (isStagingPiece) as 16-byte vector loads and stores
/// where source and target rows are 16-byte aligned, as loops
/// otherwise (NVPTX would split an under-aligned vector access into
/// scalars anyway, but a misaligned ld.v4 faults).
LogicalResult lowerStagingPiece(RewriterBase &rewriter, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  Value source = op.getDpsInputs()[0], target = op.getDpsInits()[0];
  auto sourceType = cast<MemRefType>(source.getType());
  auto targetType = cast<MemRefType>(target.getType());
  rewriter.setInsertionPoint(op);
  Value sourceAligned = rowsAligned(rewriter, loc, source);
  Value targetAligned = rowsAligned(rewriter, loc, target);
  Value aligned =
      arith::AndIOp::create(rewriter, loc, sourceAligned, targetAligned);
  auto branch = scf::IfOp::create(rewriter, loc, aligned, /*withElse=*/true);
  rewriter.setInsertionPointToStart(branch.thenBlock());
  ArrayRef<int64_t> shape = sourceType.getShape();
  int64_t width = 128 / sourceType.getElementTypeBitWidth();
  auto sourceVector = VectorType::get({width}, sourceType.getElementType());
  auto targetVector = VectorType::get({width}, targetType.getElementType());
  SmallVector<int64_t> rowShape(shape.drop_back());
  int64_t rows = computeProduct(rowShape);
  // Marked by dlc-pipeline-staging-copies: cp.async (16 bytes, around L1)
  // into the same types; the group's commit and wait are its own.
  bool async = op->hasAttr(dlc::kAsyncCopyAttr);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t column = 0; column < shape.back(); column += width) {
      SmallVector<Value> indices;
      for (int64_t i : delinearize(r, computeSuffixProduct(rowShape)))
        indices.push_back(arith::ConstantIndexOp::create(rewriter, loc, i));
      indices.push_back(arith::ConstantIndexOp::create(rewriter, loc, column));
      if (async && sourceVector == targetVector) {
        nvgpu::DeviceAsyncCopyOp::create(
            rewriter, loc, nvgpu::DeviceAsyncTokenType::get(op.getContext()),
            target, indices, source, indices, rewriter.getIndexAttr(width),
            /*srcElements=*/Value(), rewriter.getUnitAttr());
        continue;
      }
      Value piece = vector::LoadOp::create(rewriter, loc, sourceVector,
                                           source, indices,
                                           /*nontemporal=*/false,
                                           llvm::Align(16));
      if (sourceVector != targetVector)
        piece = vector::BitCastOp::create(rewriter, loc, targetVector, piece);
      vector::StoreOp::create(rewriter, loc, piece, target, indices,
                              /*nontemporal=*/false, llvm::Align(16));
    }
  }
  return loopsInElse(rewriter, branch, op);
}

} // namespace

void dlc::cloneOnVectors(OpBuilder &b, Block &body, IRMapping &mapping,
                         int64_t width) {
  auto vectorOf = [&](Type element) {
    return VectorType::get({width}, element);
  };
  // Scalars (a uniform operand, a constant from outside) meet vectors as
  // broadcasts.
  auto asVector = [&](Value v) -> Value {
    if (isa<VectorType>(v.getType()))
      return v;
    return vector::BroadcastOp::create(b, v.getLoc(), vectorOf(v.getType()),
                                       v);
  };
  for (Operation &inner : body.without_terminator()) {
    SmallVector<Value> operands;
    for (Value operand : inner.getOperands())
      operands.push_back(asVector(mapping.lookupOrDefault(operand)));
    SmallVector<Type> types;
    for (Type type : inner.getResultTypes())
      types.push_back(vectorOf(type));
    OperationState state(inner.getLoc(), inner.getName(), operands, types,
                         inner.getAttrs());
    Operation *vectorOp = b.create(state);
    mapping.map(inner.getResults(), vectorOp->getResults());
  }
}

namespace {

/// A thread's elementwise piece (dlc-tile-for-gpu's `dlc.vector_piece`:
/// V consecutive elements of each operand that varies along the last loop,
/// one value of the others) as one vector.load per such operand, the body
/// on vector<V>, one vector.store, all of `alignment = 16`, where each of
/// those operands' pieces starts at a multiple of 16 bytes (tested at run
/// time); as loops otherwise.
LogicalResult lowerVectorPiece(RewriterBase &rewriter, linalg::GenericOp op,
                               scf::IfOp *lowered = nullptr) {
  Location loc = op.getLoc();
  int64_t width = cast<IntegerAttr>(op->getAttr(kVectorPieceAttr)).getInt();
  rewriter.setInsertionPoint(op);
  Value aligned = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
  for (OpOperand &operand : op->getOpOperands()) {
    // (A block's shared tile is aligned by construction: 16-byte rows,
    // pieces at multiples of their width.)
    if (pieceAccess(op.getMatchingIndexingMap(&operand)) !=
            PieceAccess::Contiguous ||
        isSharedMemory(operand.get()))
      continue;
    Value test = rowsAligned(rewriter, loc, operand.get());
    aligned = arith::AndIOp::create(rewriter, loc, aligned, test);
  }
  auto branch = scf::IfOp::create(rewriter, loc, aligned, /*withElse=*/true);
  if (lowered)
    *lowered = branch;
  rewriter.setInsertionPointToStart(branch.thenBlock());
  auto vectorOf = [&](Type element) {
    return VectorType::get({width}, element);
  };
  auto zeros = [&](Value memref) {
    return SmallVector<Value>(
        cast<MemRefType>(memref.getType()).getRank(),
        arith::ConstantIndexOp::create(rewriter, loc, 0));
  };
  Block *body = op.getBody();
  IRMapping map;
  for (OpOperand &operand : op->getOpOperands()) {
    Value arg = body->getArgument(operand.getOperandNumber());
    if (arg.use_empty())
      continue;
    Value memref = operand.get();
    Type element = getElementTypeOrSelf(memref.getType());
    Value value =
        pieceAccess(op.getMatchingIndexingMap(&operand)) ==
                PieceAccess::Contiguous
            ? vector::LoadOp::create(rewriter, loc, vectorOf(element), memref,
                                     zeros(memref), /*nontemporal=*/false,
                                     llvm::Align(16))
                  .getResult()
            : memref::LoadOp::create(rewriter, loc, memref, zeros(memref))
                  .getResult();
    map.map(arg, value);
  }
  dlc::cloneOnVectors(rewriter, *body, map, width);
  // (One result, or two: a weight's momentum and update.)
  for (auto [yielded, out] :
       llvm::zip(cast<linalg::YieldOp>(body->getTerminator()).getValues(),
                 op.getDpsInits())) {
    Value result = map.lookupOrDefault(yielded);
    if (!isa<VectorType>(result.getType()))
      result = vector::BroadcastOp::create(rewriter, loc,
                                           vectorOf(result.getType()), result);
    vector::StoreOp::create(rewriter, loc, result, out, zeros(out),
                            /*nontemporal=*/false, llvm::Align(16));
  }
  return loopsInElse(rewriter, branch, op);
}

/// `forall` (mapped to blocks) as a gpu.launch whose block ids replace its
/// induction variables; its thread foralls distributed over the block.
/// (Upstream's mapForallToBlocksImpl needs a transform op to report
/// through; its thread counterpart takes none and is used below.)
LogicalResult mapBlockForall(RewriterBase &rewriter, scf::ForallOp forall) {
  FailureOr<SmallVector<int64_t>> grid = tripCounts(forall);
  if (failed(grid) || !forall.getOutputs().empty())
    return forall->emitError("dlc-map-forall-to-gpu: expected a static "
                             "forall on buffers");
  // A barrier after each thread forall (what upstream's
  // syncAfterDistribute does), except after the cp.async copies of
  // dlc-pipeline-staging-copies, whose barrier follows their wait.
  SmallVector<scf::ForallOp> threadForalls;
  forall.getBody()->walk([&](scf::ForallOp inner) {
    threadForalls.push_back(inner);
  });
  for (scf::ForallOp inner : threadForalls) {
    if (inner->hasAttr(dlc::kAsyncCopiesAttr))
      continue;
    rewriter.setInsertionPointAfter(inner);
    gpu::BarrierOp::create(rewriter, inner.getLoc());
  }
  // Upstream's thread mapping takes loops from 0 in steps of 1.
  for (scf::ForallOp inner : threadForalls) {
    rewriter.setInsertionPoint(inner);
    if (failed(mlir::normalizeForallOp(rewriter, inner)))
      return inner->emitError("dlc-map-forall-to-gpu: cannot normalize");
  }
  SmallVector<int64_t> block = {1, 1, 1};
  int64_t warps = 0, linearThreads = 0;
  WalkResult walk = forall.getBody()->walk([&](scf::ForallOp inner) {
    FailureOr<SmallVector<int64_t>> counts = tripCounts(inner);
    if (!mappedTo(inner, /*blocks=*/false) || failed(counts))
      return WalkResult::interrupt();
    int64_t count = (*counts)[0] * (*counts)[1] * (*counts)[2];
    Attribute first = (*inner.getMapping())[0];
    if (isa<gpu::GPUWarpMappingAttr>(first)) {
      warps = std::max(warps, count);
      return WalkResult::advance();
    }
    // Linear thread ids (the staging copies): any block of enough threads.
    if (cast<DeviceMappingAttrInterface>(first).isLinearMapping()) {
      linearThreads = std::max(linearThreads, count);
      return WalkResult::advance();
    }
    for (int i = 0; i < 3; ++i)
      block[i] = std::max(block[i], (*counts)[i]);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return forall->emitError("dlc-map-forall-to-gpu: a nested forall is not "
                             "a static thread forall");
  // Warps are 32 consecutive linear thread ids: the thread foralls of
  // dlc-tile-for-gpu's tensor-core blocks cover exactly the warps' threads.
  // Only linear thread ids (a transpose's two phases): a 1-D block.
  if (!warps && linearThreads && block[0] * block[1] * block[2] == 1)
    block[0] = linearThreads;
  if (warps && block[0] * block[1] * block[2] != 32 * warps)
    return forall->emitError("dlc-map-forall-to-gpu: ")
           << warps << " warps in a block of " << block[0] << " x " << block[1]
           << " x " << block[2] << " threads";
  if (linearThreads > block[0] * block[1] * block[2])
    return forall->emitError("dlc-map-forall-to-gpu: ")
           << linearThreads << " linear threads in a block of " << block[0]
           << " x " << block[1] << " x " << block[2] << " threads";

  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, constant((*grid)[0]), constant((*grid)[1]),
      constant((*grid)[2]), constant(block[0]), constant(block[1]),
      constant(block[2]));
  // The blocks an SM must hold, asked for by the block's product (carried
  // to the kernel by dlc-outline-kernels).
  forall.walk([&](vector::ContractionOp contract) {
    if (auto hint =
            contract->getAttrOfType<IntegerAttr>(dlc::kMinBlocksPerSMAttr))
      launch->setAttr(dlc::kMinBlocksPerSMAttr, hint);
  });
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
          /*syncAfterDistribute=*/false);
  if (!mapped.succeeded())
    return launch->emitError("dlc-map-forall-to-gpu: mapping to threads "
                             "failed");

  // Each thread's part: loops (in registers after LLVM's promotion). The
  // staging copies' pieces are left to dlc-vectorize-staging-copies, after
  // the passes that would take their vector accesses for their own (the
  // mma.sync conversion) or drop their alignment (subview folding).
  SmallVector<linalg::LinalgOp> linalgOps;
  SmallVector<linalg::GenericOp> consumerPieces;
  launch.getBody().walk([&](linalg::LinalgOp op) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (generic && op->hasAttr(kVectorPieceAttr) &&
        llvm::any_of(op->getOperands(), isSharedMemory))
      consumerPieces.push_back(generic);
    else if (!isStagingPiece(op) && !op->hasAttr(kVectorPieceAttr))
      linalgOps.push_back(op);
  });
  // A contraction's consumer in pieces (tileConsumerInPieces): its vector
  // accesses now, on the accumulator tile itself, not views of it, before
  // the accumulators' hoisting (dlc-lower-to-mma-sync, dlc-lower-vectors)
  // looks at that tile.
  for (linalg::GenericOp op : consumerPieces) {
    scf::IfOp branch;
    if (failed(lowerVectorPiece(rewriter, op, &branch)))
      return op->emitError("dlc-map-forall-to-gpu: lowering a consumer's "
                           "pieces failed");
    foldViews(rewriter, branch.getThenRegion());
    foldViews(rewriter, branch.getElseRegion());
  }
  for (linalg::LinalgOp op : linalgOps) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::LinalgLoops> loops = linalg::linalgOpToLoops(rewriter, op);
    if (failed(loops))
      return op->emitError("dlc-map-forall-to-gpu: lowering to loops failed");
    if (op->hasAttr(dlc::kAccumulatorInitAttr) && !loops->empty())
      loops->front()->setAttr(dlc::kAccumulatorInitAttr,
                              rewriter.getUnitAttr());
    rewriter.eraseOp(op);
  }
  // A barrier just before the kernel's end orders nothing.
  if (auto last = dyn_cast_or_null<gpu::BarrierOp>(
          body.getTerminator()->getPrevNode()))
    rewriter.eraseOp(last);
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
    }
  }
};

struct VectorizeStagingCopies
    : public dlc::impl::VectorizeStagingCopiesBase<VectorizeStagingCopies> {
  using VectorizeStagingCopiesBase::VectorizeStagingCopiesBase;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> pieces;
    getOperation().walk([&](gpu::LaunchOp launch) {
      launch.getBody().walk([&](linalg::LinalgOp op) {
        if (isStagingPiece(op))
          pieces.push_back(op);
      });
    });
    for (linalg::LinalgOp op : pieces)
      if (failed(lowerStagingPiece(rewriter, op))) {
        op->emitError("dlc-vectorize-staging-copies: lowering failed");
        return signalPassFailure();
      }
    // (With host-emulation, the emulated schedule's pieces, wherever they
    // are: the CPU runs the same vector code.)
    SmallVector<linalg::GenericOp> vectorPieces;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kVectorPieceAttr) &&
          (hostEmulation || op->getParentOfType<gpu::LaunchOp>()))
        vectorPieces.push_back(op);
    });
    for (linalg::GenericOp op : vectorPieces)
      if (failed(lowerVectorPiece(rewriter, op))) {
        op->emitError("dlc-vectorize-staging-copies: lowering failed");
        return signalPassFailure();
      }
  }
};

} // namespace
