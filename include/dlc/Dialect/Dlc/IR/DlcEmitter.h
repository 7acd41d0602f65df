//===- DlcEmitter.h - building dlc ops from C++ -------------------*- C++ -*-===//
//
// A small builder of dlc ops at one location, used where C++ writes dlc
// computations: the VJP rules and dlc-make-train-step's optimizers.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DLC_IR_DLCEMITTER_H
#define DLC_DIALECT_DLC_IR_DLCEMITTER_H

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

namespace dlc {

using llvm::cast;
using llvm::isa;
using mlir::ArrayRef;
using mlir::Attribute;
using mlir::DenseElementsAttr;
using mlir::FloatAttr;
using mlir::FloatType;
using mlir::IntegerAttr;
using mlir::RankedTensorType;
using mlir::SmallVector;
using mlir::Type;
using mlir::Value;

/// Builds dlc ops at one location; every helper returns its input unchanged
/// when the op would be an identity, so rules stay free of special cases.
struct Emitter {
  mlir::OpBuilder &b;
  mlir::Location loc;

  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  Value splat(RankedTensorType type, double v) {
    Type element = type.getElementType();
    Attribute value =
        isa<FloatType>(element)
            ? Attribute(FloatAttr::get(element, v))
            : Attribute(IntegerAttr::get(element, static_cast<int64_t>(v)));
    return ConstantOp::create(b, loc, DenseElementsAttr::get(type, value));
  }
  Value splatLike(Value x, double v) { return splat(typeOf(x), v); }
  Value zerosLike(Value x) { return splatLike(x, 0); }

  Value add(Value x, Value y) { return AddOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, loc, x, y); }
  Value neg(Value x) { return NegOp::create(b, loc, x); }
  Value exp(Value x) { return ExpOp::create(b, loc, x); }
  Value scale(Value x, double c) { return mul(x, splatLike(x, c)); }
  Value cmp(CompareDirection d, Value x, Value y) {
    return CompareOp::create(b, loc, d, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return SelectOp::create(b, loc, c, x, y);
  }

  Value reshape(Value x, ArrayRef<int64_t> shape) {
    RankedTensorType type = typeOf(x);
    if (type.getShape() == shape)
      return x;
    return ReshapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), x);
  }
  Value broadcast(Value x, ArrayRef<int64_t> shape) {
    RankedTensorType type = typeOf(x);
    if (type.getShape() == shape)
      return x;
    return BroadcastToOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), x);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      return x;
    return TransposeOp::create(b, loc, x, perm);
  }
  Value reduceSum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    if (axes.empty())
      return x;
    return ReduceSumOp::create(b, loc, x, axes, keepdims);
  }
  Value castTo(Value x, Type element) {
    RankedTensorType type = typeOf(x);
    if (type.getElementType() == element)
      return x;
    return CastOp::create(b, loc, type.clone(element), x);
  }
  /// Half types compute their statistics in f32, as the forward lowering does.
  Value widen(Value x) {
    Type element = typeOf(x).getElementType();
    if (element.isF16() || element.isBF16())
      return castTo(x, b.getF32Type());
    return x;
  }

  /// The sum of a broadcast cotangent back to `target` (NumPy's rules): sums
  /// over the added leading dims and the dims that were 1, then reshapes.
  Value sumTo(Value g, RankedTensorType target) {
    ArrayRef<int64_t> from = typeOf(g).getShape();
    ArrayRef<int64_t> to = target.getShape();
    int64_t lead = from.size() - to.size();
    auto axes = llvm::to_vector(llvm::seq<int64_t>(0, lead));
    for (auto [i, size] : llvm::enumerate(to))
      if (size == 1 && from[lead + i] != 1)
        axes.push_back(lead + i);
    return reshape(reduceSum(g, axes, /*keepdims=*/false), to);
  }

  /// A reduction's cotangent broadcast back over the reduced `axes` of an
  /// input of shape `shape` (the result had or lacked keepdims).
  Value unreduce(Value g, ArrayRef<int64_t> shape, ArrayRef<int64_t> axes) {
    SmallVector<int64_t> kept(shape);
    for (int64_t a : axes)
      kept[a] = 1;
    return broadcast(reshape(g, kept), shape);
  }

  /// `labels[..., None] == arange(n)` as an i1 tensor of shape
  /// labels.shape + [n].
  Value oneHot(Value labels, int64_t n) {
    RankedTensorType type = typeOf(labels);
    SmallVector<Attribute> iota;
    for (int64_t i = 0; i < n; ++i)
      iota.push_back(IntegerAttr::get(type.getElementType(), i));
    auto iotaType = RankedTensorType::get({n}, type.getElementType());
    Value range =
        ConstantOp::create(b, loc, DenseElementsAttr::get(iotaType, iota));
    SmallVector<int64_t> column(type.getShape()), full(type.getShape());
    column.push_back(1);
    full.push_back(n);
    return cmp(CompareDirection::eq, broadcast(reshape(labels, column), full),
               broadcast(range, full));
  }
};

} // namespace dlc

#endif // DLC_DIALECT_DLC_IR_DLCEMITTER_H
