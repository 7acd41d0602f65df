//===- Conv.cpp - dlc convolution and pooling to linalg named ops ----------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

/// Pads the two spatial dims of an NCHW tensor; `padding` is
/// [top, bottom, left, right].
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padding, Value padValue) {
  return padConstant(b, loc, input, {0, 0, padding[0], padding[2]},
                     {0, 0, padding[1], padding[3]}, padValue);
}

/// Casts the accumulator back to the element type when it was widened.
Value narrow(OpBuilder &b, Location loc, Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == elementType)
    return value;
  return buildMap(b, loc, type.clone(elementType), value, {},
                  [&](OpBuilder &nb, Location l, ValueRange args) {
                    return convertScalar(nb, l, args[0], elementType);
                  });
}

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type accType = computeType(elementType);
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(),
                             scalarConstant(rewriter, loc, elementType, 0));
    Value filter = adaptor.getFilter();
    Value zero = scalarConstant(rewriter, loc, accType, 0);
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilation());
    int64_t groups = op.getGroups();
    Value result;
    if (groups == 1) {
      Value acc = filledTensor(rewriter, loc, type.getShape(), zero);
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{acc.getType()},
                   ValueRange{input, filter}, ValueRange{acc}, strides,
                   dilations)
                   .getResult(0);
    } else {
      // Split channels into groups: input [N, G, C/G, H, W], filter
      // [G, O/G, C/G, KH, KW], output [N, G, O/G, OH, OW].
      auto inType = cast<RankedTensorType>(input.getType());
      auto filterType = cast<RankedTensorType>(filter.getType());
      int64_t n = type.getDimSize(0), o = type.getDimSize(1);
      auto groupedInType = RankedTensorType::get(
          {inType.getDimSize(0), groups, inType.getDimSize(1) / groups,
           inType.getDimSize(2), inType.getDimSize(3)},
          elementType);
      auto groupedFilterType = RankedTensorType::get(
          {groups, o / groups, filterType.getDimSize(1),
           filterType.getDimSize(2), filterType.getDimSize(3)},
          elementType);
      Value groupedIn = tensor::ExpandShapeOp::create(
          rewriter, loc, groupedInType, input,
          SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      Value groupedFilter = tensor::ExpandShapeOp::create(
          rewriter, loc, groupedFilterType, filter,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
      Value acc = filledTensor(rewriter, loc,
                               {n, groups, o / groups, type.getDimSize(2),
                                type.getDimSize(3)},
                               zero);
      Value grouped = linalg::Conv2DNgchwGfchwOp::create(
                          rewriter, loc, TypeRange{acc.getType()},
                          ValueRange{groupedIn, groupedFilter}, ValueRange{acc},
                          strides, dilations)
                          .getResult(0);
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, type.clone(accType), grouped,
          SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    }
    rewriter.replaceOp(op, narrow(rewriter, loc, result, elementType));
    return success();
  }
};

template <typename PoolOp>
struct Pool2DLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern<PoolOp>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PoolOp op, typename PoolOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<PoolOp, MaxPool2DOp>;
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type accType = computeType(elementType);
    // Padding never wins a max (-inf) and adds zero to a sum.
    Value padValue = isMax ? negativeInfinityOrMin(rewriter, loc, elementType)
                           : scalarConstant(rewriter, loc, elementType, 0);
    Value input = padSpatial(rewriter, loc, adaptor.getInput(),
                             op.getPadding(), padValue);
    ArrayRef<int64_t> kernel = op.getKernel();
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, accType);
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr({1, 1});
    Value init = isMax ? negativeInfinityOrMin(rewriter, loc, accType)
                       : scalarConstant(rewriter, loc, accType, 0);
    Value acc = filledTensor(rewriter, loc, type.getShape(), init);
    Value result;
    if constexpr (isMax) {
      result = linalg::PoolingNchwMaxOp::create(
                   rewriter, loc, TypeRange{acc.getType()},
                   ValueRange{input, window}, ValueRange{acc}, strides,
                   dilations)
                   .getResult(0);
    } else {
      Value sum = linalg::PoolingNchwSumOp::create(
                      rewriter, loc, TypeRange{acc.getType()},
                      ValueRange{input, window}, ValueRange{acc}, strides,
                      dilations)
                      .getResult(0);
      // count_include_pad: every window divides by the full kernel area.
      Value area =
          scalarConstant(rewriter, loc, accType, kernel[0] * kernel[1]);
      result = buildMap(rewriter, loc, cast<RankedTensorType>(sum.getType()),
                        sum, {}, [&](OpBuilder &b, Location l, ValueRange args) {
                          return arith::DivFOp::create(b, l, args[0], area);
                        });
    }
    rewriter.replaceOp(op, narrow(rewriter, loc, result, elementType));
    return success();
  }
};

} // namespace

void dlc::populateConvPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Pool2DLowering<MaxPool2DOp>,
               Pool2DLowering<AvgPool2DOp>>(patterns.getContext());
}
