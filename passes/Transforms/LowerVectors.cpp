//===- LowerVectors.cpp - dlc-lower-vectors --------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_LOWERVECTORS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using dlc::addCanonicalization;

namespace {

/// Largest power of two dividing `n`.
int64_t powerOfTwoPart(int64_t n) { return n & -n; }

/// Splits register tiles (contractions, transfers, elementwise ops) into
/// 1-D vectors of a power-of-two length (the rows of a tile, and a 48-wide
/// row into three 16-wide pieces), so that
/// hoisting leaves one loop-carried 1-D vector per accumulator piece. A
/// carried 2-D vector is rebuilt element by element after unrolling, and an
/// odd-width vector (48 x f32) is widened by LLVM through the stack; both
/// get scalarized when reduction loops nest (conv: C, KH, KW).
std::optional<SmallVector<int64_t>> registerShape(Operation *op) {
  if (auto contract = dyn_cast<vector::ContractionOp>(op)) {
    SmallVector<int64_t> bounds;
    contract.getIterationBounds(bounds);
    SmallVector<int64_t> shape = bounds;
    AffineMap accMap = contract.getIndexingMapsArray()[2];
    if (accMap.getNumResults() < 1)
      return std::nullopt;
    for (auto [i, expr] : llvm::enumerate(accMap.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        return std::nullopt;
      int64_t &size = shape[dim.getPosition()];
      size = i + 1 == accMap.getNumResults() ? powerOfTwoPart(size) : 1;
    }
    if (shape == bounds)
      return std::nullopt;
    return shape;
  }
  if (!isa<vector::TransferReadOp, vector::TransferWriteOp>(op) &&
      !OpTrait::hasElementwiseMappableTraits(op))
    return std::nullopt;
  VectorType type;
  if (auto write = dyn_cast<vector::TransferWriteOp>(op))
    type = write.getVectorType();
  else if (op->getNumResults() == 1)
    type = dyn_cast<VectorType>(op->getResult(0).getType());
  if (!type || type.getRank() < 2 || type.isScalable())
    return std::nullopt;
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape.back() = powerOfTwoPart(type.getShape().back());
  // (An unroll to the op's own shape would ping-pong with canonicalization.)
  if (ArrayRef<int64_t>(shape) == type.getShape())
    return std::nullopt;
  return shape;
}

/// A contraction of narrower operands (f16 x f16 into f32) as one on
/// operands widened to the accumulator's type: the outer-product lowering
/// takes one element type.
struct WidenContractionOperands
    : public OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    Type acc = getElementTypeOrSelf(op.getAccType());
    auto widen = [&](Value v) -> Value {
      auto type = cast<VectorType>(v.getType());
      if (type.getElementType() == acc)
        return v;
      return arith::ExtFOp::create(rewriter, op.getLoc(), type.clone(acc), v);
    };
    if (!isa<FloatType>(acc) ||
        (getElementTypeOrSelf(op.getLhsType()) == acc &&
         getElementTypeOrSelf(op.getRhsType()) == acc) ||
        !isa<FloatType>(getElementTypeOrSelf(op.getLhsType())) ||
        !isa<FloatType>(getElementTypeOrSelf(op.getRhsType())))
      return failure();
    Value lhs = widen(op.getLhs()), rhs = widen(op.getRhs());
    rewriter.modifyOpInPlace(op, [&] {
      op.getLhsMutable().assign(lhs);
      op.getRhsMutable().assign(rhs);
    });
    return success();
  }
};

/// The gpu.launch or (outlined) gpu.func `op` is in, or null.
Operation *enclosingKernel(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (isa<gpu::LaunchOp, gpu::GPUFuncOp>(parent))
      return parent;
  return nullptr;
}

struct LowerVectors : public dlc::impl::LowerVectorsBase<LowerVectors> {
  using LowerVectorsBase::LowerVectorsBase;

  void runOnOperation() override {
    Operation *func = getOperation(); // a function, or a GPU module
    MLIRContext *ctx = &getContext();

    // Hoisting needs transfers on the base buffer (not a subview) with the
    // same index values for read and write: fold aliases, then CSE. (The
    // permutation-map lowering waits: it rewrites the read and the write of
    // a conv accumulator, whose map skips dims, differently.)
    {
      // Not through reshapes: folding the read of a broadcast bias through
      // its expand_shape never converges upstream (the pattern rebuilds the
      // same read).
      // Nor in tensor-core kernels (dlc-lower-to-mma-sync's mma.sync and
      // ldmatrix, nvgpu or NVVM): their fragments are 2-D
      // vector.from_elements that the canonicalization of this set splits
      // and joins again, without end. They have nothing to unroll. (Other
      // NVVM ops, the cp.async commits and waits of a pipelined FMA GEMM,
      // do not count: skipped, its accumulators stayed in global memory,
      // loaded and stored at every K step.)
      DenseSet<Operation *> mmaKernels;
      func->walk([&](Operation *op) {
        if (isa<nvgpu::MmaSyncOp, nvgpu::LdMatrixOp, NVVM::MmaOp,
                NVVM::LdMatrixOp>(op))
          if (Operation *kernel = enclosingKernel(op))
            mmaKernels.insert(kernel);
      });
      SmallVector<Operation *> ops;
      func->walk([&](Operation *op) {
        if (Operation *kernel = enclosingKernel(op);
            kernel && mmaKernels.contains(kernel))
          return;
        auto transfer = dyn_cast<VectorTransferOpInterface>(op);
        if (!transfer || !transfer.getBase()
                              .getDefiningOp<memref::ExpandShapeOp>())
          ops.push_back(op);
      });
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateVectorUnrollPatterns(
          patterns,
          vector::UnrollVectorOptions().setNativeShapeFn(registerShape));
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      addCanonicalization(patterns);
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config))) {
        func->emitError("dlc-lower-vectors: folding aliases did not converge");
        return signalPassFailure();
      }
    }
    IRRewriter rewriter(ctx);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    // The accumulator tile stays in registers across the reduction loop.
    dlc::hoistAccumulators(rewriter, func);
    // Accumulators that start from a constant fill: the constant, not a
    // load of the fill's stores (in kernels: nothing is tagged elsewhere).
    func->walk([&](gpu::LaunchOp kernel) {
      dlc::forwardAccumulatorFills(rewriter, kernel.getBody().front());
    });

    // Contractions to FMAs; 2-D transfers fully unrolled to 1-D rows. The
    // permutation-map lowering runs after the unrolling: a conv accumulator's
    // map (d1, d3) then becomes row reads with a minor-identity map instead
    // of a 3-D read and a shape_cast that LLVM scalarizes.
    {
      RewritePatternSet patterns(ctx);
      patterns.add<WidenContractionOperands>(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      // Row reductions: the final reduction of a vector of partial results.
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      VectorTransferToSCFOptions toSCF;
      toSCF.setTargetRank(1);
      toSCF.enableFullUnroll(true);
      populateVectorToSCFConversionPatterns(patterns, toSCF);
      addCanonicalization(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns)))) {
        func->emitError("dlc-lower-vectors: lowering contractions did not converge");
        return signalPassFailure();
      }
    }
    // Vector math as polynomials (upstream's approximations, which keep
    // NaN, infinities and overflow): LLVM has no vector exp/tanh/erf and
    // would call libm per element. Scalar math stays with libm.
    {
      SmallVector<Operation *> vectorMath;
      func->walk([&](Operation *op) {
        if (isa<math::MathDialect>(op->getDialect()) &&
            op->getNumResults() == 1 &&
            isa<VectorType>(op->getResult(0).getType()))
          vectorMath.push_back(op);
      });
      RewritePatternSet patterns(ctx);
      populateMathPolynomialApproximationPatterns(
          patterns, [](StringRef name) {
            name.consume_front("math.");
            return llvm::is_contained({"exp", "expm1", "log", "log1p", "tanh",
                                       "erf"},
                                      name);
          });
      if (failed(applyOpPatternsGreedily(vectorMath, std::move(patterns)))) {
        func->emitError("dlc-lower-vectors: approximating math did not "
                       "converge");
        return signalPassFailure();
      }
    }
    // Elementwise ops on [1, ..., 1, n] row vectors become ops on 1-D
    // vectors: the LLVM lowering of some math ops (math.absi) takes 1-D
    // vectors only.
    {
      RewritePatternSet patterns(ctx);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      addCanonicalization(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns)))) {
        func->emitError("dlc-lower-vectors: dropping unit vector dims did not "
                       "converge");
        return signalPassFailure();
      }
    }
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    VectorTransferToSCFOptions toSCF;
    toSCF.setTargetRank(1);
    toSCF.enableFullUnroll(true);
    populateVectorToSCFConversionPatterns(patterns, toSCF);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    // No broadcast lowering here: with canonicalization it ping-pongs on
    // 1xN contractions (as in upstream's own recipe); convert-vector-to-llvm
    // lowers the broadcasts that remain.
    addCanonicalization(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns)))) {
      func->emitError("dlc-lower-vectors: lowering transfers did not converge");
      return signalPassFailure();
    }
    if (!lowerBroadcasts)
      return;
    // Without canonicalization, which would rebuild the broadcasts.
    RewritePatternSet broadcasts(ctx);
    vector::populateVectorBroadcastLoweringPatterns(broadcasts);
    vector::populateVectorShapeCastLoweringPatterns(broadcasts);
    // (A thread's tile of an operand stored transposed, B^T of dy W^T, is
    // read as rows and transposed in registers: element by element.)
    vector::populateVectorTransposeLoweringPatterns(
        broadcasts, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorInsertExtractStridedSliceTransforms(broadcasts);
    if (failed(applyPatternsGreedily(func, std::move(broadcasts)))) {
      func->emitError("dlc-lower-vectors: lowering broadcasts did not converge");
      return signalPassFailure();
    }
  }
};

} // namespace
