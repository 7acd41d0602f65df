//===- FoldReductionFills.cpp - dlc-fold-reduction-fills -------------------===//
//
// On the GPU every linalg op left to the one-thread-per-output route is a
// kernel of its own, a reduction's init fill included: a launch and a pass
// over the output for a constant. Folding the fill into the reduction (the
// first reduction step starts from the fill value instead of the
// accumulator) removes that kernel.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"
#include "TilingUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {
#define GEN_PASS_DEF_FOLDREDUCTIONFILLS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Whether `op`'s fill-initialized output can start from the fill value:
/// a reduction over static, non-empty loops (an empty one would leave the
/// output unwritten), outside any tiled nest, the fill used by it alone.
linalg::FillOp foldableFill(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !op.hasPureTensorSemantics() || op->getParentOfType<scf::ForallOp>() ||
      op->hasAttr(dlc::kWgmmaAttr)) // (its kernel starts from zero itself)
    return nullptr;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, [](int64_t r) {
        return ShapedType::isDynamic(r) || r == 0;
      }))
    return nullptr;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !fill->hasOneUse())
    return nullptr;
  return fill;
}

LogicalResult foldFill(RewriterBase &rewriter, linalg::LinalgOp op,
                       linalg::FillOp fill) {
  FailureOr<linalg::GenericOp> generalized =
      dlc::asGeneric(rewriter, op, "dlc-fold-reduction-fills");
  if (failed(generalized))
    return failure();
  linalg::GenericOp generic = *generalized;
  Block *body = generic.getBody();
  BlockArgument acc = body->getArguments().back();
  Location loc = generic.getLoc();
  rewriter.setInsertionPointToStart(body);
  // The first step of every reduction loop starts from the fill value.
  Value first;
  for (auto [i, iterator] :
       llvm::enumerate(generic.getIteratorTypesArray())) {
    if (iterator != utils::IteratorType::reduction)
      continue;
    Value index = linalg::IndexOp::create(rewriter, loc, i);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value isFirst = arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::eq, index, zero);
    first = first ? arith::AndIOp::create(rewriter, loc, first, isFirst)
                  : isFirst;
  }
  Value start = arith::SelectOp::create(rewriter, loc, first,
                                        fill.getInputs()[0], acc);
  rewriter.replaceAllUsesExcept(acc, start, start.getDefiningOp());
  rewriter.modifyOpInPlace(generic, [&] {
    generic.getDpsInitsMutable()[0].set(fill.getDpsInits()[0]);
  });
  rewriter.eraseOp(fill);
  return success();
}

struct FoldReductionFills
    : public dlc::impl::FoldReductionFillsBase<FoldReductionFills> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, linalg::FillOp>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (linalg::FillOp fill = foldableFill(op))
        // The fill value must have the accumulator's type (it does for
        // dlc's reductions; a cast would be needed otherwise).
        if (fill.getInputs()[0].getType() ==
            getElementTypeOrSelf(op.getDpsInits()[0].getType()))
          work.emplace_back(op, fill);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, fill] : work)
      if (failed(foldFill(rewriter, op, fill)))
        return signalPassFailure();
  }
};

} // namespace
