//===- Shape.cpp - dlc shape ops to tensor/linalg --------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

struct BroadcastToLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType in = op.getInput().getType(), out = op.getType();
    // Right-aligned: input dim i reads result dim i + offset, or index 0
    // where a size-1 dimension is stretched.
    int64_t offset = out.getRank() - in.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < in.getRank(); ++i) {
      bool stretched = in.getDimSize(i) == 1 && out.getDimSize(i + offset) != 1;
      exprs.push_back(stretched ? rewriter.getAffineConstantExpr(0)
                                : rewriter.getAffineDimExpr(i + offset));
    }
    AffineMap map =
        AffineMap::get(out.getRank(), 0, exprs, rewriter.getContext());
    Value result = buildMap(rewriter, op.getLoc(), out, adaptor.getInput(),
                            {map}, [](OpBuilder &, Location, ValueRange args) {
                              return args[0];
                            });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getInput(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStart(), op.getType().getShape(), op.getStrides());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    Value result = tensor::EmptyOp::create(rewriter, op.getLoc(),
                                           type.getShape(),
                                           type.getElementType());
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      // An empty input adds nothing (and its offset may be one past the end).
      if (inputType.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(
          rewriter, op.getLoc(), input, result, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, inputType.getShape(), strides);
      offsets[axis] += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value padValue = arith::ConstantOp::create(rewriter, op.getLoc(),
                                               cast<TypedAttr>(op.getValue()));
    Value padded = padConstant(rewriter, op.getLoc(), adaptor.getInput(),
                               op.getLow(), op.getHigh(), padValue);
    rewriter.replaceOp(op, padded);
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    auto tableType = cast<RankedTensorType>(op.getTable().getType());
    int64_t indexRank = indicesType.getRank();
    Value table = adaptor.getTable();
    // The indices are read through the leading dims of the iteration space;
    // the table is read with tensor.extract at a bounds-checked row.
    AffineMap indicesMap = AffineMap::getMultiDimIdentityMap(
        type.getRank(), rewriter.getContext()).getMajorSubMap(indexRank);
    Value result = buildMap(
        rewriter, op.getLoc(), type, adaptor.getIndices(), {indicesMap},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                 args[0]);
          Value zero = arith::ConstantIndexOp::create(b, loc, 0);
          Value rows =
              arith::ConstantIndexOp::create(b, loc, tableType.getDimSize(0));
          Value inBounds = arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row,
                                    zero),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, row,
                                    rows));
          Value safeRow = arith::SelectOp::create(b, loc, inBounds, row, zero);
          SmallVector<Value> indices = {safeRow};
          for (int64_t d = indexRank; d < type.getRank(); ++d)
            indices.push_back(linalg::IndexOp::create(b, loc, d));
          Value element = tensor::ExtractOp::create(b, loc, table, indices);
          Value fallback = nanOrZero(b, loc, type.getElementType());
          return arith::SelectOp::create(b, loc, inBounds, element, fallback);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void dlc::populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastToLowering, ReshapeLowering, TransposeLowering,
               SliceLowering, ConcatLowering, PadLowering, GatherLowering>(
      patterns.getContext());
}
