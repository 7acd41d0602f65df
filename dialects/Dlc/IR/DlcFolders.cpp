//===- DlcFolders.cpp - dlc folders ----------------------------------------===//
//
// Algebraic identities (x + 0, x * 1, transpose of transpose, ...) and
// constant folding of small constants. Large non-splat constants are left
// alone: folding them would only copy big attributes around at compile time.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/PatternMatch.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace dlc;

/// Non-splat constants with more elements than this are not folded.
static constexpr int64_t kMaxFoldedElements = 4096;

static bool isFoldable(ArrayRef<Attribute> operands) {
  return llvm::all_of(operands, [](Attribute attr) {
    auto elements = dyn_cast_or_null<DenseElementsAttr>(attr);
    return elements && (elements.isSplat() ||
                        elements.getNumElements() <= kMaxFoldedElements);
  });
}

/// True if `attr` is a splat constant equal to `value` (integer or float).
static bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type type = splat.getElementType();
  if (isa<FloatType>(type))
    return splat.getSplatValue<APFloat>().convertToDouble() == value;
  if (type.isInteger(1))
    return false;
  if (isa<IntegerType>(type))
    return splat.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  return false;
}

template <typename FloatFn, typename IntFn>
static Attribute foldBinary(ArrayRef<Attribute> operands, FloatFn floatFn,
                            IntFn intFn) {
  if (!isFoldable(operands))
    return {};
  if (isa<FloatType>(cast<DenseElementsAttr>(operands[0]).getElementType()))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, intFn);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  if (!isFoldable(adaptor.getOperands()))
    return {};
  return constFoldBinaryOp<FloatAttr, APFloat, void>(
      adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a / b; });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return llvm::maximum(a, b); },
      [](const APInt &a, const APInt &b) { return a.sge(b) ? a : b; });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return llvm::minimum(a, b); },
      [](const APInt &a, const APInt &b) { return a.sle(b) ? a : b; });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  if (!isFoldable(adaptor.getOperands()))
    return {};
  if (isa<FloatType>(getType().getElementType()))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(adaptor.getOperands(),
                                       [](const APFloat &a) { return -a; });
  return constFoldUnaryOp<IntegerAttr, APInt, void>(adaptor.getOperands(),
                                       [](const APInt &a) { return -a; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<AbsOp>())
    return inner.getResult();
  if (!isFoldable(adaptor.getOperands()))
    return {};
  if (isa<FloatType>(getType().getElementType()))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(adaptor.getOperands(),
                                       [](const APFloat &a) { return abs(a); });
  return constFoldUnaryOp<IntegerAttr, APInt, void>(adaptor.getOperands(),
                                       [](const APInt &a) { return a.abs(); });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return getOnTrue();
  if (auto cond = dyn_cast_or_null<SplatElementsAttr>(adaptor.getCondition()))
    return cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  return {};
}

namespace {
/// Whether `v` is a dlc.constant splat of zero.
bool isZeroSplat(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  auto splat = constant ? dyn_cast<SplatElementsAttr>(constant.getValue())
                        : SplatElementsAttr();
  if (!splat)
    return false;
  if (auto f = dyn_cast<FloatAttr>(splat.getSplatValue<Attribute>()))
    return f.getValue().isZero();
  return false;
}

/// select(y > 0, max_pool2d_grad(y, g), 0) -> max_pool2d_grad(y, select(
/// max_pool2d(y) > 0, g, 0)): the relu mask of a max-pool's input gradient
/// (relu's rule reading its output y, then the pool) applied on the pooled
/// grid. The gradient lands only on each window's first maximum p, where
/// y[p] > 0 exactly when the window's maximum is (NaN: false on both sides),
/// so the image-sized masked cotangent is never materialized: one buffer and
/// one pass over the image less per relu + max-pool.
struct MaskPooledGradient : OpRewritePattern<SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectOp op,
                                PatternRewriter &rewriter) const override {
    auto cmp = op.getCondition().getDefiningOp<CompareOp>();
    auto grad = op.getOnTrue().getDefiningOp<MaxPool2DGradOp>();
    if (!cmp || !grad || !grad->hasOneUse() ||
        cmp.getDirection() != CompareDirection::gt ||
        cmp.getLhs() != grad.getInput() || !isZeroSplat(cmp.getRhs()) ||
        !isZeroSplat(op.getOnFalse()))
      return failure();
    Location loc = op.getLoc();
    Value pooled = MaxPool2DOp::create(rewriter, loc, grad.getInput(),
                                       grad.getKernelAttr(),
                                       grad.getStridesAttr(),
                                       grad.getPaddingAttr());
    auto gridType = cast<RankedTensorType>(grad.getGrad().getType());
    Value zero = ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(
            gridType, rewriter.getZeroAttr(gridType.getElementType())));
    Value positive =
        CompareOp::create(rewriter, loc, CompareDirection::gt, pooled, zero);
    Value masked = SelectOp::create(rewriter, loc, positive, grad.getGrad(), zero);
    rewriter.replaceOpWithNewOp<MaxPool2DGradOp>(
        op, op.getType(), grad.getInput(), masked, grad.getKernelAttr(),
        grad.getStridesAttr(), grad.getPaddingAttr());
    return success();
  }
};
} // namespace

void SelectOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<MaskPooledGradient>(context);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x): only the final shape matters.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (auto elements = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return elements.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  // transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPermutation()[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return getInput();
    return getResult();
  }
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}
