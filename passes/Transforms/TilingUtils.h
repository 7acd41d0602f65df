//===- TilingUtils.h - helpers shared by the tiling passes -------*- C++ -*-===//
//
// Internal to passes/Transforms: what dlc-tile-and-fuse (CPU),
// dlc-tile-for-gpu and the vector lowerings share.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TRANSFORMS_TILINGUTILS_H
#define DLC_TRANSFORMS_TILINGUTILS_H

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {

/// Whether C = A B fits dlc-lower-to-wgmma's kernel (tiles of 128 x 128
/// or more, K steps of 128 bytes, edges zero-filled by TMA and left
/// unstored): A [M, K] of f16 or bf16, or of f32 where `tf32` (products in
/// TF32), B of A's type, static, C [M, N] f32; M and N 128 or more (a
/// tile's worth: smaller products stay on mma.sync), N a multiple of 8 and
/// K of 16 bytes (TMA takes rows 16-byte aligned: B's, [K, N] or B^T's
/// [N, K]; A^T's [K, M], where it is read, need M of 16 bytes too). (A and
/// B as the product multiplies them: tensors when dlc-tile-for-gpu marks
/// the product, buffers' shapes when the kernel is built.)
inline bool fitsWgmmaTiles(mlir::ShapedType a, mlir::ShapedType b,
                           mlir::ShapedType c, bool tf32) {
  mlir::Type element = a.getElementType();
  bool halves = element.isF16() || element.isBF16();
  return (halves || (tf32 && element.isF32())) &&
         b.getElementType() == element && c.getElementType().isF32() &&
         a.hasStaticShape() && b.hasStaticShape() && c.hasStaticShape() &&
         c.getDimSize(0) >= 128 && c.getDimSize(1) >= 128 &&
         c.getDimSize(1) % 8 == 0 && a.getDimSize(1) % (halves ? 8 : 4) == 0;
}

/// The maps of a wgmma product C = A B (m, n), as dlc-tile-for-gpu builds
/// it to read its operands where they are: A [M, K] (m, k), or with
/// `aT` A^T stored [K, M] (k, m), MN-major for the wgmma; B [K, N] (k, n),
/// or with `bT` B^T stored [N, K] (n, k), K-major (TF32 wgmma reads both
/// operands K-major: A, and B^T).
inline llvm::SmallVector<mlir::AffineMap, 3> wgmmaMaps(mlir::MLIRContext *ctx,
                                                       bool aT, bool bT) {
  mlir::AffineExpr m = mlir::getAffineDimExpr(0, ctx),
                   n = mlir::getAffineDimExpr(1, ctx),
                   k = mlir::getAffineDimExpr(2, ctx);
  auto map = [&](mlir::AffineExpr outer, mlir::AffineExpr inner) {
    return mlir::AffineMap::get(3, 0, {outer, inner}, ctx);
  };
  return {aT ? map(k, m) : map(m, k), bT ? map(n, k) : map(k, n), map(m, n)};
}

/// On a warp's vector.contract (dlc-tile-for-gpu): the mma.sync shape
/// (m, n, k) dlc-lower-to-mma-sync computes it with.
constexpr llvm::StringLiteral kMmaShapeAttr = "dlc.mma_shape";
/// With it: the contraction's f16 operands are bf16 bits (staged so by
/// dlc-tile-for-gpu), multiplied as bf16.
constexpr llvm::StringLiteral kMmaBF16Attr = "dlc.mma_bf16";
/// On a thread's vector.contract (dlc-tile-for-gpu), then on its block's
/// gpu.launch (dlc-map-forall-to-gpu), then on the outlined kernel as
/// `nvvm.minctasm` (dlc-outline-kernels): the blocks an SM must hold at
/// once, which caps ptxas's registers a thread (two 256-thread blocks: 128).
constexpr llvm::StringLiteral kMinBlocksPerSMAttr = "dlc.min_blocks_per_sm";
/// On a kernel (dlc-outline-kernels, until dlc-apply-kernel-noalias): the
/// positions in its LLVM signature of the pointers to mark `noalias`.
constexpr llvm::StringLiteral kNoAliasArgsAttr = "dlc.noalias_args";
/// On a kernel's memref argument (dlc-outline-kernels): the kernel only
/// reads it, and no buffer the kernel writes overlaps it.
constexpr llvm::StringLiteral kReadOnlyAttr = "dlc.read_only";
/// On a staging copy (dlc-pipeline-staging-copies): issued as cp.async by
/// dlc-vectorize-staging-copies, its group's commit and wait already placed.
constexpr llvm::StringLiteral kAsyncCopyAttr = "dlc.async_copy";
/// On the forall of such copies: no barrier after it from
/// dlc-map-forall-to-gpu (the barrier follows the wait).
constexpr llvm::StringLiteral kAsyncCopiesAttr = "dlc.async_copies";

/// On the fill of a GEMM block's accumulators (dlc-tile-for-gpu), then on
/// the outermost loop of its lowering (dlc-map-forall-to-gpu): every element
/// it writes is read once as an accumulator of the contraction and written
/// back after it. dlc-lower-vectors folds the fill into the accumulators'
/// reads once they are hoisted out of the K loop.
constexpr llvm::StringLiteral kAccumulatorInitAttr = "dlc.accumulator_init";

/// In a kernel's body: each tagged fill (kAccumulatorInitAttr) whose
/// accumulators are read right before the K loop (hoisted there) and next
/// written back, as constants in those reads, the fill erased. The buffer
/// is then dead until the write-back, and dlc-place-shared-memory may give
/// its bytes to the K loop's stages. (dlc-place-shared-memory's file.)
void forwardAccumulatorFills(mlir::RewriterBase &rewriter,
                             mlir::Block &kernelBody);

/// Upstream's hoisting of loop-invariant vector transfers (a K loop's
/// accumulators into registers), then a barrier after each hoisted
/// write-back of shared memory out of a K loop in a kernel that ends with a
/// barrier: hoisting moves the write-back past the loop's last barrier, and
/// a consumer reading other threads' accumulators (the f32 tile that a
/// tensor-core block's warps fill and its threads round) would race with
/// it. (dlc-place-shared-memory's file.)
void hoistAccumulators(mlir::RewriterBase &rewriter, mlir::Operation *root);

/// The ops of `body` (a linalg op's region of elementwise arith and math
/// ops) cloned on vector<width> of their types, their operands looked up in
/// `mapping` (broadcast where scalar), their results mapped. (The GPU's
/// vector pieces and its wgmma epilogues' pairs; dlc-tile-for-gpu's file.)
void cloneOnVectors(mlir::OpBuilder &b, mlir::Block &body,
                    mlir::IRMapping &mapping, int64_t width);

/// Static sizes as index attributes (tile sizes, slice sizes).
inline llvm::SmallVector<mlir::OpFoldResult>
indexAttrs(mlir::OpBuilder &b, llvm::ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> mlir::OpFoldResult {
    return b.getIndexAttr(v);
  });
}

/// Every loaded dialect's and registered op's canonicalization patterns
/// (what --canonicalize applies), to run with a pass's own patterns.
inline void addCanonicalization(mlir::RewritePatternSet &patterns) {
  mlir::MLIRContext *ctx = patterns.getContext();
  for (mlir::Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (mlir::RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

/// Tiles `op` with `options` where it stands, its results replaced by the
/// loops'.
inline mlir::FailureOr<mlir::scf::SCFTilingResult>
tileInPlace(mlir::RewriterBase &rewriter, mlir::Operation *op,
            const mlir::scf::SCFTilingOptions &options) {
  rewriter.setInsertionPoint(op);
  mlir::FailureOr<mlir::scf::SCFTilingResult> tiled = mlir::scf::tileUsingSCF(
      rewriter, mlir::cast<mlir::TilingInterface>(op), options);
  if (mlir::succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// `op` as a linalg.generic (generalized in its place if it is a named op),
/// or an error naming `pass`.
inline mlir::FailureOr<mlir::linalg::GenericOp>
asGeneric(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp op,
          llvm::StringRef pass) {
  if (auto generic = mlir::dyn_cast<mlir::linalg::GenericOp>(op.getOperation()))
    return generic;
  rewriter.setInsertionPoint(op);
  mlir::FailureOr<mlir::linalg::GenericOp> generalized =
      mlir::linalg::generalizeNamedOp(rewriter, op);
  if (mlir::failed(generalized))
    return op->emitError(pass) << ": cannot generalize";
  return generalized;
}

/// `op` (static shapes) as vector ops in its place; contractions become one
/// vector.contract (lowered to FMAs by dlc-lower-vectors).
inline mlir::LogicalResult vectorizeOp(mlir::RewriterBase &rewriter,
                                       mlir::Operation *op) {
  rewriter.setInsertionPoint(op);
  mlir::FailureOr<mlir::linalg::VectorizationResult> result =
      mlir::linalg::vectorize(rewriter, op, /*inputVectorSizes=*/{},
                              /*inputScalableVecDims=*/{},
                              /*vectorizeNDExtract=*/false,
                              /*flatten1DDepthwiseConv=*/false,
                              /*assumeDynamicDimsMatchVecSizes=*/false,
                              /*createNamedContraction=*/true);
  if (mlir::failed(result))
    return mlir::failure();
  rewriter.replaceOp(op, result->replacements);
  return mlir::success();
}

} // namespace dlc

#endif // DLC_TRANSFORMS_TILINGUTILS_H
