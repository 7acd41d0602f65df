//===- DlcToLinalg.cpp - convert-dlc-to-linalg pass driver -----------------===//

#include "Patterns.h"

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/Dlc/IR/DlcDialect.h"

#include "mlir/Transforms/DialectConversion.h"

namespace dlc {
#define GEN_PASS_DEF_CONVERTDLCTOLINALG
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

void dlc::populateDlcToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateShapePatterns(patterns);
  populateMatmulPatterns(patterns);
  populateConvPatterns(patterns);
  populateReductionPatterns(patterns);
  populateCompositePatterns(patterns);
}

namespace {
struct ConvertDlcToLinalg
    : public dlc::impl::ConvertDlcToLinalgBase<ConvertDlcToLinalg> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<dlc::DlcDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    dlc::populateDlcToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
