//===- Composite.cpp - softmax, layer_norm and losses to linalg ------------===//
//
// The composites are expanded into a few reductions and maps, computed in f32
// for f16/bf16 (f64 stays f64). Softmax-like ops subtract the maximum along
// the axis before exponentiating, so large logits stay finite.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

/// Max of `x` along `axis` (in `computeTy`), exp(x - max), and its sum.
struct MaxAndSumExp {
  Value max, exps, sum;
};

MaxAndSumExp maxAndSumExp(OpBuilder &b, Location loc, Value x, int64_t axis,
                          Type computeTy) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  Value max = buildReduce(b, loc, x, {axis},
                          negativeInfinityOrMin(b, loc, computeTy),
                          [](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::MaximumFOp::create(nb, l, args[0],
                                                             args[1]);
                          });
  AffineMap identity = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
  AffineMap reduced = dropDimsMap(ctx, type.getRank(), {axis});
  Value exps = buildMap(
      b, loc, type.clone(computeTy), {x, max}, {identity, reduced},
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = convertScalar(nb, l, args[0], computeTy);
        return math::ExpOp::create(nb, l,
                                   arith::SubFOp::create(nb, l, v, args[1]));
      });
  Value sum = buildReduce(b, loc, exps, {axis},
                          scalarConstant(b, loc, computeTy, 0),
                          [](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::AddFOp::create(nb, l, args[0],
                                                         args[1]);
                          });
  return {max, exps, sum};
}

template <typename OpTy>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr bool isLog = std::is_same_v<OpTy, LogSoftmaxOp>;
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    Type computeTy = computeType(elementType);
    int64_t axis = op.getAxis();
    Value x = adaptor.getInput();
    auto [max, exps, sum] = maxAndSumExp(rewriter, loc, x, axis, computeTy);
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
    AffineMap reduced = dropDimsMap(ctx, type.getRank(), {axis});
    Value result;
    if (isLog) {
      // (x - max) - log(sum): no log of an underflowed 0.
      result = buildMap(
          rewriter, loc, type, {x, max, sum}, {identity, reduced, reduced},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value shifted = arith::SubFOp::create(
                b, l, convertScalar(b, l, args[0], computeTy), args[1]);
            Value y = arith::SubFOp::create(b, l, shifted,
                                            math::LogOp::create(b, l, args[2]));
            return convertScalar(b, l, y, elementType);
          });
    } else {
      // exps * (1 / sum), reusing the exps the sum was taken of (two uses:
      // elementwise fusion leaves them computed once). The reciprocal
      // depends on the row only: vectorized code computes it once per row
      // instead of a division per element (as PyTorch's CPU kernel does).
      result = buildMap(
          rewriter, loc, type, {exps, sum}, {identity, reduced},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value y = arith::MulFOp::create(
                b, l, args[0],
                arith::DivFOp::create(
                    b, l, scalarConstant(b, l, computeTy, 1.0), args[1]));
            return convertScalar(b, l, y, elementType);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type computeTy = computeType(elementType);
    int64_t rank = type.getRank(), axis = rank - 1;
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap reduced = dropDimsMap(ctx, rank, {axis});
    AffineMap lastDim =
        AffineMap::get(rank, 0, rewriter.getAffineDimExpr(axis), ctx);
    auto add = [](OpBuilder &b, Location l, ValueRange args) -> Value {
      return arith::AddFOp::create(b, l, args[0], args[1]);
    };
    Value zero = scalarConstant(rewriter, loc, computeTy, 0);
    Value count = scalarConstant(rewriter, loc, computeTy, type.getDimSize(axis));
    Value x = adaptor.getInput();

    // Two passes (mean, then centered squares): stable for large means.
    Value sum = buildReduce(rewriter, loc, x, {axis}, zero, add);
    auto reducedType = cast<RankedTensorType>(sum.getType());
    Value mean = buildMap(rewriter, loc, reducedType, sum, {},
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            return arith::DivFOp::create(b, l, args[0], count);
                          });
    Value squares = buildMap(
        rewriter, loc, type.clone(computeTy), {x, mean}, {identity, reduced},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(
              b, l, convertScalar(b, l, args[0], computeTy), args[1]);
          return arith::MulFOp::create(b, l, d, d);
        });
    Value squareSum = buildReduce(rewriter, loc, squares, {axis}, zero, add);
    Value eps = scalarConstant(rewriter, loc, computeTy,
                               op.getEpsilon().convertToDouble());
    Value rstd = buildMap(
        rewriter, loc, reducedType, squareSum, {},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value var = arith::DivFOp::create(b, l, args[0], count);
          return math::RsqrtOp::create(b, l,
                                       arith::AddFOp::create(b, l, var, eps));
        });

    SmallVector<Value> inputs = {x, mean, rstd};
    SmallVector<AffineMap> maps = {identity, reduced, reduced};
    Value scale = adaptor.getScale(), bias = adaptor.getBias();
    if (scale) {
      inputs.push_back(scale);
      maps.push_back(lastDim);
    }
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(lastDim);
    }
    Value result = buildMap(
        rewriter, loc, type, inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value v = arith::SubFOp::create(
              b, l, convertScalar(b, l, args[0], computeTy), args[1]);
          v = arith::MulFOp::create(b, l, v, args[2]);
          unsigned next = 3;
          if (scale)
            v = arith::MulFOp::create(
                b, l, v, convertScalar(b, l, args[next++], computeTy));
          if (bias)
            v = arith::AddFOp::create(
                b, l, v, convertScalar(b, l, args[next++], computeTy));
          return convertScalar(b, l, v, elementType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Divides a rank-0 sum by `count` and converts to the result type.
Value meanOfScalar(OpBuilder &b, Location loc, Value total, int64_t count,
                   RankedTensorType resultType) {
  Type computeTy = cast<RankedTensorType>(total.getType()).getElementType();
  Value divisor = scalarConstant(b, loc, computeTy, count);
  return buildMap(b, loc, resultType, total, {},
                  [&](OpBuilder &nb, Location l, ValueRange args) {
                    return convertScalar(
                        nb, l, arith::DivFOp::create(nb, l, args[0], divisor),
                        resultType.getElementType());
                  });
}

struct SoftmaxCrossEntropyLowering : OpConversionPattern<SoftmaxCrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxCrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto logitsType = cast<RankedTensorType>(op.getLogits().getType());
    Type computeTy = computeType(logitsType.getElementType());
    int64_t n = logitsType.getDimSize(0), classes = logitsType.getDimSize(1);
    Value logits = adaptor.getLogits();
    MaxAndSumExp stats = maxAndSumExp(rewriter, loc, logits, 1, computeTy);
    // Per row: logsumexp - logits[label], or NaN for a label out of range.
    auto rowType = RankedTensorType::get({n}, computeTy);
    Value losses = buildMap(
        rewriter, loc, rowType, {adaptor.getLabels(), stats.max, stats.sum}, {},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value label =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value inBounds = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, label,
                                    zero),
              arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::slt, label,
                  arith::ConstantIndexOp::create(b, l, classes)));
          Value safe = arith::SelectOp::create(b, l, inBounds, label, zero);
          Value row = linalg::IndexOp::create(b, l, 0);
          Value picked = convertScalar(
              b, l, tensor::ExtractOp::create(b, l, logits, {row, safe}),
              computeTy);
          Value lse = arith::AddFOp::create(b, l, args[1],
                                            math::LogOp::create(b, l, args[2]));
          Value loss = arith::SubFOp::create(b, l, lse, picked);
          return arith::SelectOp::create(b, l, inBounds, loss,
                                         nanOrZero(b, l, computeTy));
        });
    Value total = buildReduce(
        rewriter, loc, losses, {0}, scalarConstant(rewriter, loc, computeTy, 0),
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    rewriter.replaceOp(op, meanOfScalar(rewriter, loc, total, n, op.getType()));
    return success();
  }
};

struct MseLossLowering : OpConversionPattern<MseLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MseLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type computeTy = computeType(inType.getElementType());
    Value squares = buildMap(
        rewriter, loc, inType.clone(computeTy),
        {adaptor.getInput(), adaptor.getTarget()}, {},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(
              b, l, convertScalar(b, l, args[0], computeTy),
              convertScalar(b, l, args[1], computeTy));
          return arith::MulFOp::create(b, l, d, d);
        });
    Value total = squares;
    if (inType.getRank() > 0) {
      auto axes = llvm::to_vector(llvm::seq<int64_t>(0, inType.getRank()));
      total = buildReduce(rewriter, loc, squares, axes,
                          scalarConstant(rewriter, loc, computeTy, 0),
                          [](OpBuilder &b, Location l, ValueRange args) {
                            return arith::AddFOp::create(b, l, args[0],
                                                         args[1]);
                          });
    }
    rewriter.replaceOp(op, meanOfScalar(rewriter, loc, total,
                                        inType.getNumElements(), op.getType()));
    return success();
  }
};

} // namespace

void dlc::populateCompositePatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering<SoftmaxOp>, SoftmaxLowering<LogSoftmaxOp>,
               LayerNormLowering, SoftmaxCrossEntropyLowering, MseLossLowering>(
      patterns.getContext());
}
