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

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace dlc {
#define GEN_PASS_DEF_TILEANDFUSE
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

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

/// Tiles for a piece whose N is a multiple of the vector length or smaller
/// than it (see splitForVectors): register tiles are whole vectors (or a
/// power of two below one), since odd widths make LLVM shuffle the
/// accumulators through the stack.
MatmulTiles chooseMatmulTiles(int64_t m, int64_t n, int64_t k, int64_t lanes,
                              int64_t registers) {
  MatmulTiles t;
  if (n % lanes == 0) {
    int64_t vectors = n / lanes;
    t.nr = lanes * (vectors % 2 == 0 ? 2 : vectors % 3 == 0 ? 3 : 1);
  } else {
    t.nr = powerOfTwoDivisor(n, lanes);
  }
  // MR: as many rows as the accumulators fit in registers (keeping a few for
  // the B vectors and the A broadcast).
  int64_t vectorsPerRow = (t.nr + lanes - 1) / lanes;
  int64_t maxRows = std::clamp<int64_t>((registers - 4) / vectorsPerRow, 1, 8);
  t.mr = largestDivisor(m, maxRows);
  // Cache blocks: multiples of the register tile, about 64 x 256 x 512...
  t.mc = t.mr * largestDivisor(m / t.mr, std::max<int64_t>(64 / t.mr, 1));
  t.nc = t.nr * largestDivisor(n / t.nr, std::max<int64_t>(256 / t.nr, 1));
  t.kc = largestDivisor(k, 512);
  // ...but at least 4 blocks where the shape allows, so that small problems
  // still give every thread work (halving M blocks first, then N blocks).
  auto blocks = [&] { return (m / t.mc) * (n / t.nc); };
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

/// An all-parallel generic with identity output: a candidate consumer to fuse
/// into the matmul's nest.
bool isElementwise(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && generic.getNumDpsInits() == 1 &&
         generic.getNumLoops() == generic.getNumParallelLoops() &&
         generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
             .isIdentity() &&
         isStaticTensorOp(generic);
}

SmallVector<OpFoldResult> sizes(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

/// Tiles `op` with scf.for loops of `tileSizes`, returning the tiled op.
FailureOr<Operation *> tileWithFor(RewriterBase &rewriter, Operation *op,
                                   ArrayRef<int64_t> tileSizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes(rewriter, tileSizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.front();
}

LogicalResult vectorizeOp(RewriterBase &rewriter, Operation *op) {
  rewriter.setInsertionPoint(op);
  // Contractions become vector.contract directly (lowered to FMAs later).
  FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
      rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/true);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return success();
}

struct TileAndFuse : public dlc::impl::TileAndFuseBase<TileAndFuse> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (isStaticTensorOp(op))
        matmuls.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp matmul : matmuls)
      if (failed(tileMatmul(rewriter, matmul)))
        return signalPassFailure();
  }

  LogicalResult tileMatmul(RewriterBase &rewriter, linalg::MatmulOp matmul) {
    auto out = cast<RankedTensorType>(matmul.getDpsInits()[0].getType());
    int64_t bits = out.getElementType().getIntOrFloatBitWidth();
    int64_t lanes = std::max<int64_t>(vectorWidth / bits, 1);
    int64_t registers = vectorWidth >= 512 ? 32 : 16;

    // The root of the nest: the matmul's only consumer if it is elementwise
    // (bias, activation), else the matmul itself.
    Operation *root = matmul;
    if (matmul->hasOneUse() && isElementwise(*matmul->user_begin()) &&
        matmul->user_begin()->getResult(0).getType() == out)
      root = *matmul->user_begin();

    // Split N (then M) where it is not a multiple of the register tile, so
    // that every piece is static and tiles exactly: e.g. N = 1000 becomes
    // 992 columns of 16-wide vectors and 8 columns of one 8-wide vector.
    SmallVector<Operation *> pieces = {root};
    auto split = [&](unsigned dim, int64_t multiple) {
      SmallVector<Operation *> next;
      for (Operation *piece : pieces) {
        int64_t size = cast<RankedTensorType>(piece->getResult(0).getType())
                           .getDimSize(dim);
        int64_t main = size - size % multiple;
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
    split(1, lanes);
    split(0, std::min<int64_t>(8, (registers - 4) / 2));
    for (Operation *piece : pieces)
      if (failed(tileBlock(rewriter, piece, lanes, registers)))
        return failure();
    return success();
  }

  /// Copies the KC x NC slice of B that a block multiplies into a contiguous
  /// buffer when B's rows are far apart: the register tiles then walk rows
  /// 4*NC bytes apart instead of 4*N (a new page every row for N >= 1024),
  /// and the panel is reused by all MC / MR row tiles of the block. The copy
  /// is vectorized by rows.
  LogicalResult packRhs(RewriterBase &rewriter, linalg::MatmulOp matmul,
                        const MatmulTiles &t) {
    Value rhs = matmul.getDpsInputs()[1];
    auto slice = rhs.getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice)
      return success();
    auto full = cast<RankedTensorType>(slice.getSource().getType());
    auto type = cast<RankedTensorType>(rhs.getType());
    if (full.getDimSize(1) < 512 || type.getDimSize(1) == full.getDimSize(1) ||
        t.mc / t.mr < 4)
      return success();
    Location loc = matmul.getLoc();
    rewriter.setInsertionPoint(matmul);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    auto copy = linalg::CopyOp::create(rewriter, loc, ValueRange{rhs},
                                       ValueRange{empty});
    rewriter.modifyOpInPlace(
        matmul, [&] { matmul->setOperand(1, copy->getResult(0)); });
    FailureOr<Operation *> rows =
        tileWithFor(rewriter, copy, {1, type.getDimSize(1)});
    if (failed(rows) || failed(vectorizeOp(rewriter, *rows)))
      return matmul->emitError("dlc-tile-and-fuse: packing B failed");
    return success();
  }

  /// Tiles one static piece of a matmul nest (rooted at the matmul or at its
  /// elementwise consumer) and vectorizes its register tiles.
  LogicalResult tileBlock(RewriterBase &rewriter, Operation *root,
                          int64_t lanes, int64_t registers) {
    // The matmul feeding this piece: the root itself, or an operand of the
    // root (directly or through the slice that splitOp created).
    linalg::MatmulOp matmul = dyn_cast<linalg::MatmulOp>(root);
    for (Value operand : root->getOperands()) {
      if (matmul)
        break;
      if (auto slice = operand.getDefiningOp<tensor::ExtractSliceOp>())
        operand = slice.getSource();
      matmul = operand.getDefiningOp<linalg::MatmulOp>();
    }
    if (!matmul)
      return root->emitError("dlc-tile-and-fuse: cannot find the matmul of "
                             "this nest");
    auto shape =
        cast<RankedTensorType>(root->getResult(0).getType()).getShape();
    auto lhs = cast<RankedTensorType>(matmul.getDpsInputs()[0].getType());
    MatmulTiles t = chooseMatmulTiles(shape[0], shape[1], lhs.getDimSize(1),
                                      lanes, registers);

    // Level 1: parallel MC x NC blocks; producers (matmul, fill) fused in.
    scf::SCFTilingOptions blockTiling;
    blockTiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    SmallVector<int64_t> blocks = {t.mc, t.nc};
    if (isa<linalg::MatmulOp>(root))
      blocks.push_back(0);
    blockTiling.setTileSizes(sizes(rewriter, blocks));
    scf::SCFTileAndFuseOptions fuseOptions;
    fuseOptions.setTilingOptions(blockTiling);
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(root), fuseOptions);
    if (failed(fused))
      return root->emitError("dlc-tile-and-fuse: tiling the matmul nest failed");
    for (OpResult result : root->getResults())
      rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
    rewriter.eraseOp(root);

    // Level 2: inside a block, K cache loop then the register tile.
    for (Operation *op : fused->tiledAndFusedOps) {
      if (isa<linalg::MatmulOp>(op)) {
        FailureOr<Operation *> kTile = tileWithFor(rewriter, op, {0, 0, t.kc});
        if (failed(kTile))
          return failure();
        if (failed(packRhs(rewriter, cast<linalg::MatmulOp>(*kTile), t)))
          return failure();
        FailureOr<Operation *> regTile =
            tileWithFor(rewriter, *kTile, {t.mr, t.nr, 1});
        if (failed(regTile) || failed(vectorizeOp(rewriter, *regTile)))
          return op->emitError("dlc-tile-and-fuse: vectorizing the register "
                               "tile failed");
      } else if (isa<linalg::FillOp>(op) || isElementwise(op)) {
        // The fill and the consumer: MR x NR vector tiles.
        FailureOr<Operation *> tile = tileWithFor(rewriter, op, {t.mr, t.nr});
        if (failed(tile) || failed(vectorizeOp(rewriter, *tile)))
          return op->emitError("dlc-tile-and-fuse: vectorizing a fused op "
                               "failed");
      }
    }
    return success();
  }
};

} // namespace
