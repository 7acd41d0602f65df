//===- TileAndFuse.cpp - dlc-tile-and-fuse ---------------------------------===//
//
// CPU strategy for contractions, after the recipe that matches OpenBLAS with
// upstream MLIR (shared/research/cpu-perf.md): parallel MC x NC blocks, a K
// cache loop, an MR x NR x 1 register tile vectorized to FMAs. Everything is
// done with upstream TilingInterface tiling and linalg::vectorize; this file
// only chooses tile sizes and which ops form one nest.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace dlc {
#define GEN_PASS_DEF_TILEANDFUSE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using dlc::indexAttrs;
using dlc::vectorizeOp;

namespace {

struct MatmulTiles {
  int64_t mc, nc, kc; // cache blocks; the MC x NC blocks run in parallel
  int64_t mr, nr;     // register tile (k step 1)
};

/// Largest divisor of `n` that is <= `limit`.
int64_t largestDivisor(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// Largest power of two dividing `n`, at most `limit`.
int64_t powerOfTwoDivisor(int64_t n, int64_t limit) {
  int64_t p = 1;
  while (p * 2 <= limit && n % (p * 2) == 0)
    p *= 2;
  return p;
}

/// Rows of a parallel block of a contraction nest, at most.
constexpr int64_t kMaxBlockRows = 1024;

/// Rows of a register tile: as many as the accumulators fit in registers,
/// keeping a few for the B vectors and the A broadcast: 6 x 2 vectors with
/// 16 registers (AVX2, as BLIS's Haswell kernel), 8 x 2 with 32 (AVX-512:
/// measured faster than 12 x 2 or 14 x 2 on Zen 5).
int64_t maxTileRows(int64_t registers, int64_t vectorsPerRow) {
  return std::clamp<int64_t>((registers - 4) / vectorsPerRow, 1, 8);
}

/// Tiles for a piece whose N is a multiple of the vector length or smaller
/// than it (see the splits in tileContraction): register tiles are whole
/// vectors (or a power of two below one), since odd widths make LLVM
/// shuffle the accumulators through the stack. `otherBlocks` counts the
/// parallel blocks that other dims (batch, image rows) already give.
MatmulTiles chooseMatmulTiles(int64_t m, int64_t n, int64_t k, int64_t lanes,
                              int64_t registers, int64_t otherBlocks = 1) {
  MatmulTiles t;
  if (n % lanes == 0) {
    int64_t vectors = n / lanes;
    t.nr = lanes * (vectors % 2 == 0 ? 2 : vectors % 3 == 0 ? 3 : 1);
  } else {
    t.nr = powerOfTwoDivisor(n, lanes);
  }
  int64_t vectorsPerRow = (t.nr + lanes - 1) / lanes;
  t.mr = largestDivisor(m, maxTileRows(registers, vectorsPerRow));
  // Cache blocks: multiples of the register tile, up to 1024 x 256 x 512.
  // Tall blocks: each block packs its B panel (see packRhsStrips), so the
  // fewer blocks share a B column, the less packing (1024^3 on AVX2: 94
  // GFLOP/s with 60-row blocks, 121 with 1020; AVX-512 182 -> 231)...
  t.mc = t.mr *
         largestDivisor(m / t.mr, std::max<int64_t>(kMaxBlockRows / t.mr, 1));
  t.nc = t.nr * largestDivisor(n / t.nr, std::max<int64_t>(256 / t.nr, 1));
  t.kc = largestDivisor(k, 512);
  // ...but at least 4 blocks where the shape allows, so that small problems
  // still give every thread work (halving M blocks first, then N blocks).
  auto blocks = [&] { return otherBlocks * (m / t.mc) * (n / t.nc); };
  while (blocks() < 4 && t.mc > t.mr)
    t.mc = t.mr * largestDivisor(m / t.mr, t.mc / t.mr / 2);
  while (blocks() < 4 && t.nc > t.nr)
    t.nc = t.nr * largestDivisor(n / t.nr, t.nc / t.nr / 2);
  return t;
}

bool isStaticTensorOp(linalg::LinalgOp op) {
  return op.hasPureTensorSemantics() &&
         llvm::all_of(op->getOperandTypes(), [](Type type) {
           auto shaped = dyn_cast<ShapedType>(type);
           return !shaped || shaped.hasStaticShape();
         });
}

/// The contractions this pass tiles: 2-D matmul, batch_matmul with the
/// default maps, and NCHW conv2d whose W stride is 1 (so that the input
/// row a register tile reads is contiguous).
bool isTiledContraction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !isStaticTensorOp(linalgOp))
    return false;
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op))
    return !batch.hasUserDefinedMaps();
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
    return conv.getStrides().getValues<int64_t>()[1] == 1;
  return isa<linalg::MatmulOp>(op);
}

/// An all-parallel generic with identity output: a candidate consumer to fuse
/// into the contraction's nest.
bool isElementwise(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && generic.getNumDpsInits() == 1 &&
         generic.getNumLoops() == generic.getNumParallelLoops() &&
         generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
             .isIdentity() &&
         isStaticTensorOp(generic);
}

/// Tiles `op` with scf.for loops of `tileSizes`, returning the tiled op.
FailureOr<Operation *> tileWithFor(RewriterBase &rewriter, Operation *op,
                                   ArrayRef<int64_t> tileSizes,
                                   ArrayRef<int64_t> interchange = {},
                                   Value *result = nullptr) {
  scf::SCFTilingOptions options;
  options.setTileSizes(indexAttrs(rewriter, tileSizes));
  options.setInterchange(interchange);
  FailureOr<scf::SCFTilingResult> tiled =
      dlc::tileInPlace(rewriter, op, options);
  if (failed(tiled))
    return failure();
  if (result)
    *result = tiled->replacements.front();
  return tiled->tiledOps.front();
}

/// Tiles `root` into an scf.forall of `blocks` (the parallel loop that
/// becomes an OpenMP loop), fusing the producers `fuse` accepts, and returns
/// the tiled and fused ops.
FailureOr<SmallVector<Operation *>>
tileIntoBlocks(RewriterBase &rewriter, Operation *root,
               ArrayRef<int64_t> blocks,
               llvm::function_ref<bool(Operation *)> fuse) {
  scf::SCFTilingOptions blockTiling;
  blockTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  blockTiling.setTileSizes(indexAttrs(rewriter, blocks));
  scf::SCFTileAndFuseOptions fuseOptions;
  fuseOptions.setTilingOptions(blockTiling);
  fuseOptions.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (fuse(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  // A split piece reads its producer through a slice of a slice: merge them
  // so that the producer is seen.
  RewritePatternSet cleanup(root->getContext());
  tensor::populateMergeConsecutiveInsertExtractSlicePatterns(cleanup);
  fuseOptions.cleanupPatterns = FrozenRewritePatternSet(std::move(cleanup));
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root), fuseOptions);
  if (failed(fused))
    return failure();
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  rewriter.eraseOp(root);
  return SmallVector<Operation *>(fused->tiledAndFusedOps.begin(),
                                  fused->tiledAndFusedOps.end());
}

/// `value` (a static tensor whose non-unit dims are those of `shape`) as a
/// tensor of `shape`, through a rank-reducing extract_slice.
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> zeros(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      zeros, indexAttrs(b, type.getShape()), ones);
}

/// A register tile of a batch_matmul or conv2d has only unit dims besides
/// MR and NR (all its reduction loops are tiled to 1): it is the rank-1
/// update [MR x 1] * [1 x NR] + [MR x NR]. Rewriting it as that
/// linalg.matmul gives conv and batched matmul the matmul's vectorization
/// (broadcast of the filter/A column, vector of the input/B row, FMAs); the
/// upstream vectorizer has no 2-D convolutions.
FailureOr<Operation *> asRankOneMatmul(RewriterBase &rewriter,
                                       linalg::LinalgOp tile, int64_t mr,
                                       int64_t nr) {
  if (isa<linalg::MatmulOp>(tile))
    return tile.getOperation();
  // Operand order: batch_matmul (A, B), conv (input, filter).
  Value lhs = tile.getDpsInputs()[0], rhs = tile.getDpsInputs()[1];
  if (isa<linalg::Conv2DNchwFchwOp>(tile))
    std::swap(lhs, rhs);
  Value acc = tile.getDpsInits()[0];
  auto staticType = [](Value v) {
    return cast<RankedTensorType>(v.getType()).hasStaticShape();
  };
  if (!staticType(lhs) || !staticType(rhs) || !staticType(acc))
    return tile->emitError("dlc-tile-and-fuse: register tile is not static");
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  Value accTile = dropUnitDims(rewriter, loc, acc, {mr, nr});
  auto matmul = linalg::MatmulOp::create(
      rewriter, loc, TypeRange{accTile.getType()},
      ValueRange{dropUnitDims(rewriter, loc, lhs, {mr, 1}),
                 dropUnitDims(rewriter, loc, rhs, {1, nr})},
      ValueRange{accTile});
  auto accType = cast<RankedTensorType>(acc.getType());
  SmallVector<OpFoldResult> zeros(accType.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(accType.getRank(), rewriter.getIndexAttr(1));
  Value result = tensor::InsertSliceOp::create(
      rewriter, loc, matmul.getResult(0), acc, zeros,
      indexAttrs(rewriter, accType.getShape()), ones);
  rewriter.replaceOp(tile, result);
  return matmul.getOperation();
}

/// How one nest is tiled. `blocks` and `elementwise` are per output dim,
/// `cache` and `registers` per loop of the contraction.
struct NestPlan {
  SmallVector<int64_t> blocks;      // parallel blocks (scf.forall)
  SmallVector<int64_t> cache;       // reduction cache loop; empty: none
  SmallVector<int64_t> registers;   // the register tile
  SmallVector<int64_t> elementwise; // tiles of the fused fill and consumer
  SmallVector<int64_t> interchange; // order of the register tile loops
  bool packRhs = false;             // pack B's panel into NR-wide strips
  int64_t subRows = 0;              // rows of a packed block's sub-blocks
  MatmulTiles tiles;
};

/// The output dims that carry a matmul's M and N: (M, N) for matmul,
/// (M, N) after the batch for batch_matmul, (F, OW) for conv NCHW.
std::pair<unsigned, unsigned> rowAndVectorDims(Operation *contraction) {
  if (isa<linalg::BatchMatmulOp>(contraction))
    return {1, 2};
  if (isa<linalg::Conv2DNchwFchwOp>(contraction))
    return {1, 3};
  return {0, 1};
}

/// The plan for one static piece of a nest, whose output has `shape`.
NestPlan planNest(Operation *contraction, ArrayRef<int64_t> shape,
                  int64_t lanes, int64_t registers) {
  NestPlan plan;
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(contraction)) {
    // out [N, F, OH, OW] += filter [F, C, KH, KW] * input: F plays M, OW
    // plays N, and (C, KH, KW) is K, all three tiled to 1 under the tile.
    auto filter = cast<RankedTensorType>(conv.getDpsInputs()[1].getType());
    int64_t k = filter.getDimSize(1) * filter.getDimSize(2) *
                filter.getDimSize(3);
    int64_t rows = largestDivisor(shape[2], std::max<int64_t>(
                                                256 / shape[3], 1));
    MatmulTiles t = chooseMatmulTiles(shape[1], shape[3], k, lanes, registers,
                                      shape[0] * (shape[2] / rows));
    // At least 4 blocks where the image rows allow it.
    while (shape[0] * (shape[2] / rows) * (shape[1] / t.mc) < 4 && rows > 1)
      rows = largestDivisor(shape[2], rows / 2);
    plan.tiles = t;
    plan.blocks = {1, t.mc, rows, shape[3]};
    plan.registers = {1, t.mr, 1, t.nr, 1, 1, 1};
    plan.elementwise = {1, t.mr, 1, t.nr};
    return plan;
  }
  bool batched = isa<linalg::BatchMatmulOp>(contraction);
  auto lhs = cast<RankedTensorType>(contraction->getOperand(0).getType());
  int64_t k = lhs.getDimSize(lhs.getRank() - 1);
  int64_t m = shape[shape.size() - 2], n = shape.back();
  MatmulTiles t = chooseMatmulTiles(m, n, k, lanes, registers,
                                    batched ? shape[0] : 1);
  plan.tiles = t;
  plan.blocks = {t.mc, t.nc};
  plan.cache = {0, 0, t.kc};
  plan.registers = {t.mr, t.nr, 1};
  plan.elementwise = {t.mr, t.nr};
  // A 2-D matmul block packs B when the KC rows of B it reads span more
  // than an L2 cache (1 MiB on Zen 3/4/5; N >= 1024 rows are a page apart
  // each): the packed strips are then reused by every row tile of the
  // block, and the register loops run N strips outside M strips so that a
  // packed strip stays in L1 while the row tiles of A go by. Smaller panels
  // are faster read in place (256^3 on AVX2: 134 GFLOP/s unpacked, 115
  // packed; the MLP's 784x512 layer likewise).
  int64_t bits = getElementTypeOrSelf(contraction->getResult(0).getType())
                     .getIntOrFloatBitWidth();
  if (!batched && t.mc / t.mr >= 2 && t.kc * n * bits / 8 > (1 << 20)) {
    plan.packRhs = true;
    plan.interchange = {1, 0, 2};
    // Row sub-blocks whose slice of A (rows x KC) fits in half of L2, so
    // that it stays there while the B strips go by; B is still packed once
    // per block (AVX2 2048^3: 113 -> 121 GFLOP/s; AVX-512 unchanged).
    int64_t rowsInHalfL2 = (512 * 1024) / (t.kc * bits / 8);
    plan.subRows =
        t.mr * largestDivisor(t.mc / t.mr,
                              std::max<int64_t>(rowsInHalfL2 / t.mr, 1));
  }
  if (batched) {
    for (SmallVector<int64_t> *tiles :
         {&plan.blocks, &plan.cache, &plan.registers, &plan.elementwise})
      tiles->insert(tiles->begin(), tiles == &plan.cache ? 0 : 1);
  }
  return plan;
}

/// A reduction of the innermost loop only, with identity input maps: a row
/// reduction (softmax's max and sum, layer norm's moments, reduce_sum over
/// the last axis) that a nest over the other dims can fuse without
/// recomputing it.
bool isRowReduction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !isStaticTensorOp(linalgOp) ||
      linalgOp.getNumReductionLoops() != 1 || linalgOp.getNumDpsInits() != 1)
    return false;
  unsigned last = linalgOp.getNumLoops() - 1;
  if (!linalg::isReductionIterator(linalgOp.getIteratorTypesArray()[last]))
    return false;
  return llvm::all_of(linalgOp.getDpsInputOperands(), [&](OpOperand *input) {
    return linalgOp.getMatchingIndexingMap(input).isIdentity();
  });
}

/// The ops a row nest may fuse: fills, elementwise generics, row reductions.
bool isRowNestOp(Operation *op) {
  return isa<linalg::FillOp>(op) || isElementwise(op) || isRowReduction(op);
}

/// Length of the vectors a row nest works on along the innermost dim: a
/// power of two dividing it, up to 4 registers.
int64_t rowVectorLength(Operation *op, int64_t lanes) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  int64_t last = linalgOp.getStaticLoopRanges().back();
  return powerOfTwoDivisor(last, 4 * lanes);
}

struct TileAndFuse : public dlc::impl::TileAndFuseBase<TileAndFuse> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isTiledContraction(op))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *&contraction : contractions)
      contraction = materializeTransposedLhs(rewriter, contraction);
    for (Operation *contraction : contractions)
      if (failed(tileContraction(rewriter, contraction)))
        return signalPassFailure();

    // Row nests: the last op of a chain of fills, elementwise ops and row
    // reductions (softmax, layer norm; or elementwise alone: a standalone
    // exp or tanh would otherwise be a scalar loop calling libm).
    SmallVector<Operation *> rowRoots;
    getOperation().walk([&](Operation *op) {
      if (!isRowNestOp(op) || isa<linalg::FillOp>(op) ||
          op->getParentOfType<scf::ForallOp>() ||
          llvm::any_of(op->getUsers(), isRowNestOp) ||
          cast<linalg::LinalgOp>(op).getNumLoops() < 2)
        return;
      SmallVector<Operation *> worklist = {op};
      SetVector<Operation *> chain;
      while (!worklist.empty()) {
        Operation *next = worklist.pop_back_val();
        if (!chain.insert(next))
          continue;
        for (Value operand : next->getOperands())
          if (Operation *def = operand.getDefiningOp(); def && isRowNestOp(def))
            worklist.push_back(def);
      }
      // Every op must vectorize along the row (a gather's tensor.extract
      // does not), and none may read or write i1 tensors (a vector of i1
      // is stored as packed bits, a buffer of i1 holds a byte each: a
      // comparison's 16 results would land in 2 bytes); such chains stay
      // loops.
      auto touchesI1 = [](Operation *member) {
        auto isI1 = [](Type type) {
          return getElementTypeOrSelf(type).isInteger(1);
        };
        return llvm::any_of(member->getOperandTypes(), isI1) ||
               llvm::any_of(member->getResultTypes(), isI1);
      };
      if (llvm::all_of(chain, [&](Operation *member) {
            return succeeded(linalg::vectorizeOpPrecondition(member)) &&
                   !touchesI1(member);
          }))
        rowRoots.push_back(op);
    });
    for (Operation *root : rowRoots)
      if (failed(tileRowNest(rewriter, root)))
        return signalPassFailure();
  }

  /// A matmul that reads its lhs transposed (A^T x B, from matmul's
  /// gradient): with 512-bit vectors the register tile's 8 rows of A^T are
  /// one contiguous piece of a row of A, and it stays so. With narrower
  /// vectors the tile has 6 rows (AVX2), read as uneven pieces at half the
  /// speed (measured: 784x512x128 at 1.56 ms against 0.82 with A^T
  /// materialized), so A^T is materialized with a linalg.transpose first.
  Operation *materializeTransposedLhs(RewriterBase &rewriter, Operation *op) {
    auto matmul = dyn_cast<linalg::MatmulOp>(op);
    if (!matmul || !matmul.hasUserDefinedMaps() || vectorWidth >= 512)
      return op;
    MLIRContext *ctx = op->getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    SmallVector<AffineMap> maps = matmul.getIndexingMapsArray();
    if (maps.size() != 3 || maps[0] != AffineMap::get(3, 0, {k, m}, ctx) ||
        maps[1] != AffineMap::get(3, 0, {k, n}, ctx) ||
        maps[2] != AffineMap::get(3, 0, {m, n}, ctx))
      return op;
    rewriter.setInsertionPoint(op);
    Location loc = op->getLoc();
    Value a = matmul.getDpsInputs()[0];
    auto type = cast<RankedTensorType>(a.getType());
    Value empty = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
        type.getElementType());
    Value transposed =
        linalg::TransposeOp::create(rewriter, loc, a, empty,
                                    ArrayRef<int64_t>{1, 0})
            .getResult()[0];
    auto plain = linalg::MatmulOp::create(
        rewriter, loc, ValueRange{transposed, matmul.getDpsInputs()[1]},
        ValueRange{matmul.getDpsInits()[0]});
    rewriter.replaceOp(op, plain->getResults());
    return plain;
  }

  /// One pass over the data per block of rows: an scf.forall over the outer
  /// dims (rows), the chain fused into it, then each op vectorized along the
  /// innermost dim (reductions through partial reduction tiling: a vector of
  /// partial results per row, reduced once at the end).
  LogicalResult tileRowNest(RewriterBase &rewriter, Operation *root) {
    auto rootOp = cast<linalg::LinalgOp>(root);
    int64_t bits = getElementTypeOrSelf(root->getResult(0).getType())
                       .getIntOrFloatBitWidth();
    int64_t lanes = std::max<int64_t>(vectorWidth / bits, 1);
    SmallVector<int64_t> ranges = rootOp.getStaticLoopRanges();
    // Rows of the root: its parallel loops but the innermost one (all of
    // them for a reduction root). One row per block, or a few short ones.
    unsigned rowDims = rootOp.getNumParallelLoops();
    if (rootOp.getNumReductionLoops() == 0)
      --rowDims;
    int64_t rowLength = 1;
    for (unsigned d = rowDims; d < ranges.size(); ++d)
      rowLength *= ranges[d];
    SmallVector<int64_t> blocks(ranges.size(), 0);
    for (unsigned d = 0; d < rowDims; ++d)
      blocks[d] = 1;
    if (rowDims > 0)
      blocks[rowDims - 1] = largestDivisor(
          ranges[rowDims - 1], std::max<int64_t>(1, 4096 / rowLength));

    FailureOr<SmallVector<Operation *>> fused =
        tileIntoBlocks(rewriter, root, blocks, isRowNestOp);
    if (failed(fused))
      return root->emitError("dlc-tile-and-fuse: tiling the row nest failed");

    for (Operation *op : *fused) {
      // (Tiling replaces `op`: report at its location, not on it.)
      Location loc = op->getLoc();
      if (failed(vectorizeRowOp(rewriter, op, lanes)))
        return emitError(loc, "dlc-tile-and-fuse: vectorizing a row nest op "
                              "failed");
    }
    return success();
  }

  /// Vectorizes one op of a row block along its innermost dim.
  LogicalResult vectorizeRowOp(RewriterBase &rewriter, Operation *op,
                               int64_t lanes) {
    auto linalgOp = cast<linalg::LinalgOp>(op);
    unsigned loops = linalgOp.getNumLoops();
    if (loops == 0)
      return success();
    int64_t length = rowVectorLength(op, lanes);
    // Elementwise ops and fills: [1, ..., 1, length] vector tiles.
    SmallVector<int64_t> tile(loops, 1);
    tile.back() = length;
    if (!isRowReduction(op)) {
      FailureOr<Operation *> tiled = tileWithFor(rewriter, op, tile);
      return failed(tiled) ? failure() : vectorizeOp(rewriter, *tiled);
    }
    // Row reductions: partial results in a [rows..., length] tensor, combined
    // elementwise per chunk of the row, reduced once after the loop.
    SmallVector<int64_t> chunk(loops, 0);
    chunk.back() = length;
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> partial = scf::tileReductionUsingScf(
        rewriter, cast<PartialReductionOpInterface>(op),
        indexAttrs(rewriter, chunk));
    if (failed(partial))
      return failure();
    rewriter.replaceOp(op, partial->replacements);
    for (Value init : partial->initialValues)
      if (Operation *fill = init.getDefiningOp<linalg::FillOp>())
        if (failed(vectorizeRowOp(rewriter, fill, lanes)))
          return failure();
    for (Operation *tiled : partial->tiledOps)
      if (failed(vectorizeRowOp(rewriter, tiled, lanes)))
        return failure();
    // The merge (a reduction of the last dim of [rows..., length]) is
    // vectorized row by row.
    for (Operation *merge : partial->mergeOps) {
      auto mergeOp = cast<linalg::LinalgOp>(merge);
      SmallVector<int64_t> rows(mergeOp.getNumLoops(), 1);
      rows.back() = 0;
      FailureOr<Operation *> tiled = tileWithFor(rewriter, merge, rows);
      if (failed(tiled) || failed(vectorizeOp(rewriter, *tiled)))
        return failure();
    }
    return success();
  }

  LogicalResult tileContraction(RewriterBase &rewriter,
                                Operation *contraction) {
    auto out = cast<RankedTensorType>(contraction->getResult(0).getType());
    int64_t bits = out.getElementType().getIntOrFloatBitWidth();
    int64_t lanes = std::max<int64_t>(vectorWidth / bits, 1);
    int64_t registers = vectorWidth >= 512 ? 32 : 16;

    // The root of the nest: the contraction's only consumer if it is
    // elementwise (bias, activation), else the contraction itself.
    Operation *root = contraction;
    if (contraction->hasOneUse() && isElementwise(*contraction->user_begin()) &&
        contraction->user_begin()->getResult(0).getType() == out)
      root = *contraction->user_begin();

    // Split N (then M) where it is not a multiple of the register tile, so
    // that every piece is static and tiles exactly: e.g. N = 1000 becomes
    // 992 columns of 16-wide vectors and 8 columns of one 8-wide vector.
    SmallVector<Operation *> pieces = {root};
    auto split = [&](unsigned dim, int64_t multiple,
                     function_ref<bool(int64_t)> when = nullptr) {
      SmallVector<Operation *> next;
      for (Operation *piece : pieces) {
        int64_t size = cast<RankedTensorType>(piece->getResult(0).getType())
                           .getDimSize(dim);
        int64_t main = size - size % multiple;
        if (when && !when(size))
          main = size;
        if (main == 0 || main == size) {
          next.push_back(piece);
          continue;
        }
        rewriter.setInsertionPoint(piece);
        auto [first, second] = linalg::splitOp(
            rewriter, cast<TilingInterface>(piece), dim,
            rewriter.getIndexAttr(main));
        next.push_back(first);
        next.push_back(second);
      }
      pieces = next;
    };
    auto [rowDim, vectorDim] = rowAndVectorDims(contraction);
    split(vectorDim, lanes);
    // An odd number of vectors (not a multiple of 3) would get 1-vector
    // register tiles (N = 1000 on AVX2: 125 vectors): split the last one off.
    split(vectorDim, 2 * lanes, [&](int64_t size) {
      int64_t vectors = size / lanes;
      return size % lanes == 0 && vectors % 2 == 1 && vectors % 3 != 0;
    });
    // M: first into whole row blocks (see chooseMatmulTiles), so that a tall
    // M keeps tall blocks (2048 on AVX2 = 2 x 1020 + 8, not 11 blocks of
    // 186 rows around 341 = 11 x 31 tiles), then into whole register tiles.
    int64_t rows = maxTileRows(registers, 2);
    split(rowDim, rows * (kMaxBlockRows / rows));
    split(rowDim, rows);
    // Splitting the contraction splits it into contractions; splitting its
    // consumer leaves the contraction whole, read by every piece through a
    // slice (of a slice, after both splits): so each piece's contraction is
    // known here, never searched for in its operands.
    for (Operation *piece : pieces)
      if (failed(tileBlock(rewriter, piece,
                           root == contraction ? piece : contraction, lanes,
                           registers)))
        return failure();
    return success();
  }

  /// Packs the KC x NC panel of B that a block multiplies into NR-wide
  /// strips, [NC/NR, KC, NR], as GotoBLAS/BLIS do: a register tile then
  /// reads its NR columns of consecutive k from consecutive memory (one
  /// cache line per k on AVX-512, two on AVX2) instead of one row of B per k,
  /// N * 4 bytes apart (a new page per k for N >= 1024). The copy is an
  /// upstream linalg.pack, tiled and vectorized by strip rows.
  FailureOr<Value> packRhsStrips(RewriterBase &rewriter,
                                 linalg::MatmulOp matmul, int64_t nr) {
    Value rhs = matmul.getDpsInputs()[1];
    Location loc = matmul.getLoc();
    rewriter.setInsertionPoint(matmul);
    // linalg.pack: [KC, NC] -> [NC/NR, KC, NR] (tiles of NR columns, the
    // tile index outermost).
    SmallVector<OpFoldResult> tiles = {rewriter.getIndexAttr(nr)};
    Value dest = linalg::PackOp::createDestinationTensor(
        rewriter, loc, rhs, tiles, /*innerDimsPos=*/{1},
        /*outerDimsPerm=*/{1, 0});
    auto pack = linalg::PackOp::create(rewriter, loc, rhs, dest,
                                       /*innerDimsPos=*/{1}, tiles,
                                       /*paddingValue=*/std::nullopt,
                                       /*outerDimsPerm=*/{1, 0});
    // One strip row (NR values of one k) per tile, vectorized.
    Value packed;
    FailureOr<Operation *> strips =
        tileWithFor(rewriter, pack, {1, 1}, {}, &packed);
    if (failed(strips) || failed(vectorizeOp(rewriter, *strips)))
      return matmul->emitError("dlc-tile-and-fuse: packing B failed");
    return packed;
  }

  /// Makes a register tile [MR x 1] * [1 x NR] read its B row from the
  /// packed strips: B[k, n : n + NR] is packed[n / NR, k, :].
  LogicalResult readPackedRhs(RewriterBase &rewriter, linalg::MatmulOp tile,
                              Value packed, int64_t nr) {
    auto slice = tile.getDpsInputs()[1].getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice)
      return tile->emitError("dlc-tile-and-fuse: register tile does not read "
                             "a slice of B");
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    Location loc = tile.getLoc();
    rewriter.setInsertionPoint(tile);
    AffineExpr d0;
    bindDims(rewriter.getContext(), d0);
    OpFoldResult strip = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0.floorDiv(nr), {offsets[1]});
    auto packedType = cast<RankedTensorType>(packed.getType());
    Value row = tensor::ExtractSliceOp::create(
        rewriter, loc,
        RankedTensorType::get({1, nr}, packedType.getElementType()), packed,
        ArrayRef<OpFoldResult>{strip, offsets[0], rewriter.getIndexAttr(0)},
        indexAttrs(rewriter, {1, 1, nr}), indexAttrs(rewriter, {1, 1, 1}));
    rewriter.modifyOpInPlace(tile, [&] { tile->setOperand(1, row); });
    return success();
  }

  /// Tiles one static piece of a nest, rooted at `contraction` itself or at
  /// its elementwise consumer, and vectorizes its register tiles.
  LogicalResult tileBlock(RewriterBase &rewriter, Operation *root,
                          Operation *contraction, int64_t lanes,
                          int64_t registers) {
    auto shape =
        cast<RankedTensorType>(root->getResult(0).getType()).getShape();
    NestPlan plan = planNest(contraction, shape, lanes, registers);

    // Level 1: parallel blocks; the contraction and its fill fused in (not
    // other producers such as the padding of a conv input, which would be
    // recomputed per block).
    SmallVector<int64_t> blocks = plan.blocks;
    if (root == contraction)
      blocks.resize(cast<linalg::LinalgOp>(root).getNumLoops(), 0);
    FailureOr<SmallVector<Operation *>> fused =
        tileIntoBlocks(rewriter, root, blocks, [&](Operation *op) {
          return op == contraction || isa<linalg::FillOp>(op);
        });
    if (failed(fused))
      return root->emitError("dlc-tile-and-fuse: tiling the nest failed");

    // Level 2: inside a block, the reduction cache loop then the register
    // tile.
    for (Operation *op : *fused) {
      // (Tiling replaces `op`: report at its location, not on it.)
      Location loc = op->getLoc();
      if (isTiledContraction(op)) {
        Operation *tile = op;
        Value packedRhs;
        if (!plan.cache.empty()) {
          FailureOr<Operation *> kTile = tileWithFor(rewriter, op, plan.cache);
          if (failed(kTile))
            return emitError(loc, "dlc-tile-and-fuse: tiling the reduction "
                                  "cache loop failed");
          tile = *kTile;
          if (auto matmul = dyn_cast<linalg::MatmulOp>(tile);
              matmul && plan.packRhs) {
            FailureOr<Value> packed =
                packRhsStrips(rewriter, matmul, plan.tiles.nr);
            if (failed(packed))
              return failure();
            packedRhs = *packed;
            if (plan.subRows < plan.tiles.mc) {
              FailureOr<Operation *> sub =
                  tileWithFor(rewriter, tile, {plan.subRows, 0, 0});
              if (failed(sub))
                return emitError(loc, "dlc-tile-and-fuse: tiling the row "
                                      "cache loop failed");
              tile = *sub;
            }
          }
        }
        FailureOr<Operation *> regTile =
            tileWithFor(rewriter, tile, plan.registers, plan.interchange);
        if (succeeded(regTile))
          regTile = asRankOneMatmul(rewriter, cast<linalg::LinalgOp>(*regTile),
                                    plan.tiles.mr, plan.tiles.nr);
        if (succeeded(regTile) && packedRhs &&
            failed(readPackedRhs(rewriter, cast<linalg::MatmulOp>(*regTile),
                                 packedRhs, plan.tiles.nr)))
          return failure();
        if (failed(regTile) || failed(vectorizeOp(rewriter, *regTile)))
          return emitError(loc, "dlc-tile-and-fuse: vectorizing the register "
                                "tile failed");
      } else if (isa<linalg::FillOp>(op) || isElementwise(op)) {
        // The fill and the consumer: MR x NR vector tiles.
        FailureOr<Operation *> tile =
            tileWithFor(rewriter, op, plan.elementwise);
        if (failed(tile) || failed(vectorizeOp(rewriter, *tile)))
          return emitError(loc, "dlc-tile-and-fuse: vectorizing a fused op "
                                "failed");
      }
    }
    return success();
  }
};

} // namespace
