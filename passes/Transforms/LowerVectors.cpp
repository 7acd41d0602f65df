//===- LowerVectors.cpp - dlc-lower-vectors --------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
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

namespace {

void addCanonicalization(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

struct LowerVectors : public dlc::impl::LowerVectorsBase<LowerVectors> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();

    // Hoisting needs transfers on the base buffer (not a subview) with the
    // same index values for read and write: fold aliases, then CSE.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      addCanonicalization(patterns);
      if (failed(applyPatternsGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    IRRewriter rewriter(ctx);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    // The accumulator tile stays in registers across the reduction loop.
    linalg::hoistRedundantVectorTransfers(func);

    RewritePatternSet patterns(ctx);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    // 2-D transfers must be fully unrolled to 1-D before LLVM lowering.
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
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
