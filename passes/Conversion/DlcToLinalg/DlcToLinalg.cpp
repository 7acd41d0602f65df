//===- DlcToLinalg.cpp - convert-dlc-to-linalg pass driver -----------------===//

#include "Patterns.h"

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/Dlc/IR/DlcDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc {
#define GEN_PASS_DEF_CONVERTDLCTOLINALG
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {
/// A dlc op whose results all have zero elements computes nothing: its
/// results are empty tensors, whatever the op. Lowering it like any other
/// would build slices and loops at offsets one past the end (an empty slice
/// at the end of a dimension is out of bounds for tensor.extract_slice).
struct ZeroSizeResultLowering : ConversionPattern {
  ZeroSizeResultLowering(MLIRContext *context)
      : ConversionPattern(MatchAnyOpTypeTag(), /*benefit=*/2, context) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value>,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<dlc::DlcDialect>(op->getDialect()) || op->getNumResults() == 0 ||
        !isMemoryEffectFree(op))
      return failure();
    SmallVector<Value> empties;
    for (Type type : op->getResultTypes()) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape() || tensor.getNumElements() != 0)
        return failure();
      empties.push_back(tensor::EmptyOp::create(rewriter, op->getLoc(),
                                                tensor.getShape(),
                                                tensor.getElementType()));
    }
    rewriter.replaceOp(op, empties);
    return success();
  }
};
} // namespace

void dlc::populateDlcToLinalgPatterns(RewritePatternSet &patterns,
                                      int64_t im2colMaxWidth,
                                      int64_t im2colChunkBytes,
                                      bool windowGradsInOneMap) {
  patterns.add<ZeroSizeResultLowering>(patterns.getContext());
  populateElementwisePatterns(patterns);
  populateShapePatterns(patterns);
  populateMatmulPatterns(patterns);
  populateConvPatterns(patterns, im2colMaxWidth, im2colChunkBytes,
                       windowGradsInOneMap);
  populateReductionPatterns(patterns);
  populateCompositePatterns(patterns);
}

namespace {
struct ConvertDlcToLinalg
    : public dlc::impl::ConvertDlcToLinalgBase<ConvertDlcToLinalg> {
  using ConvertDlcToLinalgBase::ConvertDlcToLinalgBase;
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<dlc::DlcDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    dlc::populateDlcToLinalgPatterns(patterns, im2colMaxWidth,
                                     im2colChunkBytes, windowGradsInOneMap);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Each op's destination is its own value: CSE would otherwise merge the
    // empty tensors of unrelated values of one shape (a forward activation
    // and a gradient), and one-shot bufferization would then give them one
    // buffer and copy the earlier value out of the way of the later one.
    // dlc-bufferize drops the attribute.
    getOperation()->walk([](tensor::EmptyOp empty) {
      empty->setAttr(dlc::DlcDialect::getDistinctAttrName(),
                     DistinctAttr::create(UnitAttr::get(empty.getContext())));
    });
  }
};
} // namespace
