//===- Reduction.cpp - dlc reductions to linalg.reduce / generic -----------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

Value maxScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y); // NaN propagates.
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value minScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value addScalar(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

/// Lowers reduce_{sum,mean,max,min}: linalg.reduce in the accumulation type,
/// then the mean's division, the cast back and the keepdims reshape.
template <typename OpTy>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    constexpr bool isSum = std::is_same_v<OpTy, ReduceSumOp> ||
                           std::is_same_v<OpTy, ReduceMeanOp>;
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
    // Sums accumulate wider for f16/bf16; max/min are exact in any type.
    Type accType = isSum ? computeType(elementType) : elementType;
    Value init = isSum   ? scalarConstant(rewriter, loc, accType, 0)
                 : isMax ? negativeInfinityOrMin(rewriter, loc, accType)
                         : positiveInfinityOrMax(rewriter, loc, accType);
    Value reduced = buildReduce(
        rewriter, loc, adaptor.getInput(), op.getAxes(), init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          if constexpr (isSum)
            return addScalar(b, l, args[0], args[1]);
          else if constexpr (isMax)
            return maxScalar(b, l, args[0], args[1]);
          else
            return minScalar(b, l, args[0], args[1]);
        });
    int64_t count = 1;
    for (int64_t axis : op.getAxes())
      count *= inType.getDimSize(axis);
    auto reducedType = cast<RankedTensorType>(reduced.getType());
    constexpr bool isMean = std::is_same_v<OpTy, ReduceMeanOp>;
    if (isMean || accType != elementType) {
      Value divisor =
          isMean ? scalarConstant(rewriter, loc, accType, count) : Value();
      reduced = buildMap(
          rewriter, loc, reducedType.clone(elementType), reduced, {},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = args[0];
            if (isMean)
              v = arith::DivFOp::create(b, l, v, divisor);
            return convertScalar(b, l, v, elementType);
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, type));
    return success();
  }
};

/// argmax as one linalg.generic carrying (max value, first index of it).
struct ArgmaxLowering : OpConversionPattern<ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ArgmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type elementType = inType.getElementType();
    int64_t axis = op.getAxis();
    int64_t rank = inType.getRank();
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        shape.push_back(inType.getDimSize(i));
    Value values = filledTensor(
        rewriter, loc, shape, negativeInfinityOrMin(rewriter, loc, elementType));
    Value indices = filledTensor(
        rewriter, loc, shape,
        scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    MLIRContext *ctx = rewriter.getContext();
    AffineMap reducedMap = dropDimsMap(ctx, rank, {axis});
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                   reducedMap, reducedMap};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), indices.getType()},
        ValueRange{adaptor.getInput()}, ValueRange{values, indices}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          // Strictly greater keeps the first maximum; the first NaN wins
          // over any number, as NumPy.
          Value take;
          if (isa<FloatType>(elementType)) {
            Value greater = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OGT, x, best);
            Value xNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                               x, x);
            Value bestNotNaN = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, best, best);
            take = arith::OrIOp::create(
                b, l, greater, arith::AndIOp::create(b, l, xNaN, bestNotNaN));
          } else {
            take = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, x,
                                         best);
          }
          Value newBest = arith::SelectOp::create(b, l, take, x, best);
          Value newIndex = arith::SelectOp::create(b, l, take, index, bestIndex);
          linalg::YieldOp::create(b, l, ValueRange{newBest, newIndex});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType()));
    return success();
  }
};

} // namespace

void dlc::populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceMinOp>,
               ArgmaxLowering>(patterns.getContext());
}
