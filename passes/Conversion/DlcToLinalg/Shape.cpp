//===- Shape.cpp - dlc shape ops to tensor/linalg --------------------------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

/// An integer table index as an `index` value, and whether it lies in
/// [0, rows): gather and scatter_add never touch a row outside the table.
std::pair<Value, Value> tableRow(OpBuilder &b, Location loc, Value index,
                                 int64_t rows) {
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, rows);
  Value inBounds = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, row, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, row, size));
  return {row, inBounds};
}

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
    // (getMajorSubMap(0) is a null map: rank-0 indices need a map with no
    // results.)
    AffineMap indicesMap = AffineMap::get(
        type.getRank(), 0,
        AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext())
            .getResults()
            .take_front(indexRank),
        rewriter.getContext());
    Value result = buildMap(
        rewriter, op.getLoc(), type, adaptor.getIndices(), {indicesMap},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          auto [row, inBounds] =
              tableRow(b, loc, args[0], tableType.getDimSize(0));
          Value zero = arith::ConstantIndexOp::create(b, loc, 0);
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

/// scatter_add: a zero table, then one row update per index (in index order,
/// so repeated indices accumulate deterministically). Each row update is an
/// elementwise linalg.generic on a slice of the table, updated in place after
/// bufferization; rows outside the table are skipped.
struct ScatterAddLowering : OpConversionPattern<ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t indexRank = indicesType.getRank();
    ArrayRef<int64_t> row = type.getShape().drop_front();
    auto rowType = RankedTensorType::get(row, element);
    Value table = filledTensor(rewriter, loc, type.getShape(),
                               scalarConstant(rewriter, loc, element, 0));

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lbs(indexRank, zero), steps(indexRank, one), ubs;
    for (int64_t size : indicesType.getShape())
      ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{table},
        [&](OpBuilder &b, Location loc, ValueRange ivs,
            ValueRange args) -> scf::ValueVector {
          Value acc = args[0];
          // (Not a structured binding: the branch lambda below captures r.)
          Value r, inBounds;
          std::tie(r, inBounds) =
              tableRow(b, loc, tensor::ExtractOp::create(b, loc, indices, ivs),
                       type.getDimSize(0));
          auto ifOp = scf::IfOp::create(
              b, loc, inBounds,
              [&](OpBuilder &b, Location loc) {
                auto slice = [&](int64_t lead, ValueRange at) {
                  SmallVector<OpFoldResult> offsets(at.begin(), at.end()),
                      sizes(lead, b.getIndexAttr(1)),
                      strides(lead + row.size(), b.getIndexAttr(1));
                  offsets.append(row.size(), b.getIndexAttr(0));
                  for (int64_t size : row)
                    sizes.push_back(b.getIndexAttr(size));
                  return std::make_tuple(offsets, sizes, strides);
                };
                auto [uOff, uSizes, uStrides] = slice(indexRank, ivs);
                Value update = tensor::ExtractSliceOp::create(
                    b, loc, rowType, updates, uOff, uSizes, uStrides);
                auto [tOff, tSizes, tStrides] = slice(1, ValueRange{r});
                Value current = tensor::ExtractSliceOp::create(
                    b, loc, rowType, acc, tOff, tSizes, tStrides);
                Value sum = buildMap(
                    b, loc, rowType, {current, update}, {},
                    [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
                      if (isa<FloatType>(element))
                        return arith::AddFOp::create(b, loc, v[0], v[1]);
                      return arith::AddIOp::create(b, loc, v[0], v[1]);
                    });
                Value next = tensor::InsertSliceOp::create(
                    b, loc, sum, acc, tOff, tSizes, tStrides);
                scf::YieldOp::create(b, loc, next);
              },
              [&](OpBuilder &b, Location loc) {
                scf::YieldOp::create(b, loc, acc);
              });
          return {ifOp.getResult(0)};
        });
    rewriter.replaceOp(op, nest.results.front());
    return success();
  }
};

} // namespace

void dlc::populateShapePatterns(RewritePatternSet &patterns) {
  patterns.add<BroadcastToLowering, ReshapeLowering, TransposeLowering,
               SliceLowering, ConcatLowering, PadLowering, GatherLowering,
               ScatterAddLowering>(
      patterns.getContext());
}
