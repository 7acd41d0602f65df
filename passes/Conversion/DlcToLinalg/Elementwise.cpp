//===- Elementwise.cpp - dlc elementwise ops to linalg.generic -------------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace dlc;

namespace {

bool isFloat(Type type) { return isa<FloatType>(type); }

/// Unary ops whose math is exact in the element type (no widening needed).
bool isExactUnary(Operation *op) { return isa<NegOp, AbsOp, ReluOp>(op); }

/// The scalar computation of a unary op on `x` (already in compute type).
Value buildUnaryScalar(OpBuilder &b, Location loc, Operation *op, Value x) {
  Type type = x.getType();
  if (!isFloat(type)) {
    Value zero = scalarConstant(b, loc, type, 0);
    return TypeSwitch<Operation *, Value>(op)
        .Case([&](NegOp) { return arith::SubIOp::create(b, loc, zero, x); })
        .Case([&](AbsOp) { return math::AbsIOp::create(b, loc, x); })
        .Case([&](ReluOp) { return arith::MaxSIOp::create(b, loc, x, zero); });
  }
  auto constant = [&](double v) { return scalarConstant(b, loc, type, v); };
  return TypeSwitch<Operation *, Value>(op)
      .Case([&](NegOp) { return arith::NegFOp::create(b, loc, x); })
      .Case([&](AbsOp) { return math::AbsFOp::create(b, loc, x); })
      .Case([&](ExpOp) { return math::ExpOp::create(b, loc, x); })
      .Case([&](LogOp) { return math::LogOp::create(b, loc, x); })
      .Case([&](SqrtOp) { return math::SqrtOp::create(b, loc, x); })
      .Case([&](RsqrtOp) { return math::RsqrtOp::create(b, loc, x); })
      .Case([&](TanhOp) { return math::TanhOp::create(b, loc, x); })
      .Case([&](SinOp) { return math::SinOp::create(b, loc, x); })
      .Case([&](CosOp) { return math::CosOp::create(b, loc, x); })
      .Case([&](ErfOp) { return math::ErfOp::create(b, loc, x); })
      .Case([&](ReluOp) {
        // maximumf propagates NaN, as NumPy's maximum(x, 0).
        return arith::MaximumFOp::create(b, loc, x, constant(0));
      })
      .Case([&](SigmoidOp) {
        // 1 / (1 + e^-x): e^-x overflows to inf for very negative x, giving
        // exactly 0, and underflows to 0 for large x, giving 1. No NaN.
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
        Value denom = arith::AddFOp::create(b, loc, constant(1), e);
        return arith::DivFOp::create(b, loc, constant(1), denom);
      })
      .Case([&](GeluOp gelu) -> Value {
        Value half = arith::MulFOp::create(b, loc, constant(0.5), x);
        Value inner;
        if (gelu.getApproximate() == GeluApproximation::tanh) {
          // sqrt(2/pi) * (x + 0.044715 x^3)
          Value x3 = arith::MulFOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, x), x);
          Value poly = arith::AddFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, constant(0.044715), x3));
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, constant(std::sqrt(2.0 / M_PI)),
                                    poly));
        } else {
          inner = math::ErfOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, constant(M_SQRT1_2)));
        }
        Value onePlus = arith::AddFOp::create(b, loc, constant(1), inner);
        return arith::MulFOp::create(b, loc, half, onePlus);
      });
}

Value buildBinaryScalar(OpBuilder &b, Location loc, Operation *op, Value x,
                        Value y) {
  if (isFloat(x.getType()))
    return TypeSwitch<Operation *, Value>(op)
        .Case([&](AddOp) { return arith::AddFOp::create(b, loc, x, y); })
        .Case([&](SubOp) { return arith::SubFOp::create(b, loc, x, y); })
        .Case([&](MulOp) { return arith::MulFOp::create(b, loc, x, y); })
        .Case([&](DivOp) { return arith::DivFOp::create(b, loc, x, y); })
        .Case([&](PowOp) { return math::PowFOp::create(b, loc, x, y); })
        .Case([&](MaxOp) { return arith::MaximumFOp::create(b, loc, x, y); })
        .Case([&](MinOp) { return arith::MinimumFOp::create(b, loc, x, y); });
  return TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) { return arith::AddIOp::create(b, loc, x, y); })
      .Case([&](SubOp) { return arith::SubIOp::create(b, loc, x, y); })
      .Case([&](MulOp) { return arith::MulIOp::create(b, loc, x, y); })
      .Case([&](MaxOp) { return arith::MaxSIOp::create(b, loc, x, y); })
      .Case([&](MinOp) { return arith::MinSIOp::create(b, loc, x, y); });
}

/// Lowers an elementwise unary op: the scalar math runs in the compute type
/// (f32 for f16/bf16 transcendental math) and is converted back.
template <typename OpTy>
struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    Type computeTy = isExactUnary(op) ? elementType : computeType(elementType);
    Value result = buildMap(
        rewriter, op.getLoc(), type, adaptor.getInput(), {},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = convertScalar(b, loc, args[0], computeTy);
          return convertScalar(b, loc, buildUnaryScalar(b, loc, op, x),
                               elementType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    // Only pow needs widening; +-*/ max min are correctly rounded in f16.
    Type computeTy =
        isa<PowOp>(op) ? computeType(elementType) : elementType;
    Value result = buildMap(
        rewriter, op.getLoc(), type, {adaptor.getLhs(), adaptor.getRhs()}, {},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = convertScalar(b, loc, args[0], computeTy);
          Value y = convertScalar(b, loc, args[1], computeTy);
          return convertScalar(b, loc, buildBinaryScalar(b, loc, op, x, y),
                               elementType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CompareLowering : OpConversionPattern<CompareOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    CompareDirection direction = op.getDirection();
    Value result = buildMap(
        rewriter, op.getLoc(), op.getType(),
        {adaptor.getLhs(), adaptor.getRhs()}, {},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Type type = args[0].getType();
          if (isFloat(type)) {
            // Ordered comparisons are false on NaN; `ne` is true, as NumPy.
            arith::CmpFPredicate pred = arith::CmpFPredicate::OEQ;
            switch (direction) {
            case CompareDirection::eq: pred = arith::CmpFPredicate::OEQ; break;
            case CompareDirection::ne: pred = arith::CmpFPredicate::UNE; break;
            case CompareDirection::lt: pred = arith::CmpFPredicate::OLT; break;
            case CompareDirection::le: pred = arith::CmpFPredicate::OLE; break;
            case CompareDirection::gt: pred = arith::CmpFPredicate::OGT; break;
            case CompareDirection::ge: pred = arith::CmpFPredicate::OGE; break;
            }
            return arith::CmpFOp::create(b, loc, pred, args[0], args[1]);
          }
          // i1 compares unsigned (false < true); other integers are signed.
          bool isBool = type.isInteger(1);
          arith::CmpIPredicate pred = arith::CmpIPredicate::eq;
          switch (direction) {
          case CompareDirection::eq: pred = arith::CmpIPredicate::eq; break;
          case CompareDirection::ne: pred = arith::CmpIPredicate::ne; break;
          case CompareDirection::lt:
            pred = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
            break;
          case CompareDirection::le:
            pred = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
            break;
          case CompareDirection::gt:
            pred = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
            break;
          case CompareDirection::ge:
            pred = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
            break;
          }
          return arith::CmpIOp::create(b, loc, pred, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SelectLowering : OpConversionPattern<SelectOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildMap(
        rewriter, op.getLoc(), op.getType(), adaptor.getOperands(), {},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type to = op.getType().getElementType();
    Value result = buildMap(
        rewriter, op.getLoc(), op.getType(), adaptor.getInput(), {},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return convertScalar(b, loc, args[0], to);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "constant is not a typed attr");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

} // namespace

void dlc::populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<UnaryLowering<NegOp>, UnaryLowering<AbsOp>,
               UnaryLowering<ExpOp>, UnaryLowering<LogOp>,
               UnaryLowering<SqrtOp>, UnaryLowering<RsqrtOp>,
               UnaryLowering<TanhOp>, UnaryLowering<SigmoidOp>,
               UnaryLowering<ReluOp>, UnaryLowering<GeluOp>,
               UnaryLowering<SinOp>, UnaryLowering<CosOp>,
               UnaryLowering<ErfOp>>(ctx);
  patterns.add<BinaryLowering<AddOp>, BinaryLowering<SubOp>,
               BinaryLowering<MulOp>, BinaryLowering<DivOp>,
               BinaryLowering<PowOp>, BinaryLowering<MaxOp>,
               BinaryLowering<MinOp>>(ctx);
  patterns.add<CompareLowering, SelectLowering, CastLowering,
               ConstantLowering>(ctx);
}
