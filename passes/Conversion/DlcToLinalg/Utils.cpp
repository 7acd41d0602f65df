//===- Utils.cpp - helpers shared by the dlc-to-linalg patterns ------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"

#include <limits>

using namespace mlir;

Type dlc::computeType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

Value dlc::convertScalar(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    // bf16 <-> f16 have the same width: go through f32.
    if (fromFloat.getWidth() == toFloat.getWidth())
      return convertScalar(
          b, loc, convertScalar(b, loc, value, b.getF32Type()), to);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (to.isInteger(1)) {
    // NumPy's astype(bool): non-zero is true.
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (toFloat) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, value);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth) {
    if (from.isInteger(1))
      return arith::ExtUIOp::create(b, loc, to, value);
    return arith::ExtSIOp::create(b, loc, to, value);
  }
  return arith::TruncIOp::create(b, loc, to, value);
}

Value dlc::scalarConstant(OpBuilder &b, Location loc, Type type,
                          double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

static Value extremum(OpBuilder &b, Location loc, Type type, bool negative) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  negative)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = negative ? APInt::getSignedMinValue(width)
                         : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value dlc::negativeInfinityOrMin(OpBuilder &b, Location loc, Type type) {
  return extremum(b, loc, type, /*negative=*/true);
}

Value dlc::positiveInfinityOrMax(OpBuilder &b, Location loc, Type type) {
  return extremum(b, loc, type, /*negative=*/false);
}

Value dlc::nanOrZero(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType,
                       APFloat::getQNaN(floatType.getFloatSemantics())));
  return scalarConstant(b, loc, type, 0);
}

Value dlc::filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        Value scalar) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, scalar.getType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value dlc::buildMap(OpBuilder &b, Location loc, RankedTensorType resultType,
                    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                    BodyFn body) {
  int64_t rank = resultType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps(inputMaps);
  if (maps.empty())
    maps.assign(inputs.size(), identity);
  maps.push_back(identity);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

AffineMap dlc::dropDimsMap(MLIRContext *ctx, int64_t rank,
                           ArrayRef<int64_t> axes) {
  llvm::SmallBitVector dropped(rank);
  for (int64_t axis : axes)
    dropped.set(axis);
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!dropped.test(i))
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value dlc::buildReduce(OpBuilder &b, Location loc, Value input,
                       ArrayRef<int64_t> axes, Value init, BodyFn combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  llvm::SmallBitVector reduced(inputType.getRank());
  for (int64_t axis : axes)
    reduced.set(axis);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < inputType.getRank(); ++i)
    if (!reduced.test(i))
      shape.push_back(inputType.getDimSize(i));
  SmallVector<int64_t> dims(axes);
  llvm::sort(dims);
  Value acc = filledTensor(b, loc, shape, init);
  Type accType = init.getType();
  auto reduce = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{acc}, dims,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value element = convertScalar(nested, nestedLoc, args[0], accType);
        Value result = combine(nested, nestedLoc, {element, args[1]});
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return reduce.getResult(0);
}

Value dlc::reshapeTo(OpBuilder &b, Location loc, Value value,
                     RankedTensorType type) {
  auto from = cast<RankedTensorType>(value.getType());
  if (from == type)
    return value;
  auto flatType = RankedTensorType::get({from.getNumElements()},
                                        from.getElementType());
  auto allDims = [](int64_t rank) {
    SmallVector<ReassociationIndices> groups(1);
    for (int64_t i = 0; i < rank; ++i)
      groups[0].push_back(i);
    if (rank == 0)
      groups.clear();
    return groups;
  };
  // Through 1-D: collapse everything, then expand to the target. A rank-0
  // side uses an empty reassociation.
  Value flat = value;
  if (from.getRank() > 1)
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, value,
                                           allDims(from.getRank()));
  else if (from.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, value, allDims(0));
  if (type.getRank() > 1)
    return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                         allDims(type.getRank()));
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, allDims(0));
  return flat;
}

Value dlc::padConstant(OpBuilder &b, Location loc, Value value,
                       ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                       Value padValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    shape.push_back(type.getDimSize(i) + low[i] + high[i]);
    lowOfr.push_back(b.getIndexAttr(low[i]));
    highOfr.push_back(b.getIndexAttr(high[i]));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, resultType, value, lowOfr, highOfr,
                               padValue);
}
