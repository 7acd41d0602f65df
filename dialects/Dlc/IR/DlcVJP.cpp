//===- DlcVJP.cpp - reverse-mode rules of the dlc ops ----------------------===//
//
// Each differentiable op's vector-Jacobian product (DifferentiableOpInterface),
// written with dlc ops so that the backward computation goes through the same
// lowering, tiling and fusion as the forward. `dlc-autodiff` calls these; it
// only asks for the cotangents of float operands on the path from the
// differentiated arguments to the loss.
//
// Conventions follow JAX and PyTorch: relu's derivative at 0 is 0; max/min
// split the gradient evenly between tied operands and send a reduction's
// gradient to the first extremum (as PyTorch's max(dim)); softmax-like and
// normalization backward passes use the saved or recomputed statistics in
// f32 (or f64) rather than differentiating through exp/log.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcEmitter.h"
#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace dlc;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Appends the cotangents computed by `rule(e, i)` for the needed operands
/// (null for the others).
template <typename Rule>
LogicalResult perOperand(Operation *op, OpBuilder &b, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &out, Rule rule) {
  Emitter e{b, op->getLoc()};
  for (unsigned i = 0, n = op->getNumOperands(); i < n; ++i)
    out.push_back(needed[i] ? rule(e, i) : Value());
  return success();
}

/// Elementwise unary rule: `dx = rule(e, x, y, g)`.
template <typename Rule>
LogicalResult unary(Operation *op, OpBuilder &b, ValueRange cts,
                    SmallVectorImpl<Value> &out, Rule rule) {
  Emitter e{b, op->getLoc()};
  out.push_back(rule(e, op->getOperand(0), op->getResult(0), cts[0]));
  return success();
}

} // namespace

#define DLC_VJP(OP)                                                            \
  LogicalResult OP::buildVJP(OpBuilder &b, ValueRange cts,                     \
                             ArrayRef<bool> needed,                            \
                             SmallVectorImpl<Value> &out)

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

DLC_VJP(NegOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value, Value g) {
    return e.neg(g);
  });
}

DLC_VJP(AbsOp) {
  // sign(x) * g, with 0 at x = 0 (JAX, PyTorch).
  return unary(*this, b, cts, out, [](Emitter &e, Value x, Value, Value g) {
    Value zero = e.zerosLike(x);
    Value positive = e.select(e.cmp(CompareDirection::gt, x, zero), g, zero);
    return e.select(e.cmp(CompareDirection::lt, x, zero), e.neg(g), positive);
  });
}

DLC_VJP(ExpOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    return e.mul(g, y);
  });
}

DLC_VJP(LogOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value x, Value, Value g) {
    return e.div(g, x);
  });
}

DLC_VJP(SqrtOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    return e.div(g, e.scale(y, 2));
  });
}

DLC_VJP(RsqrtOp) {
  // d/dx x^-1/2 = -1/2 y^3.
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    return e.mul(g, e.scale(e.mul(e.mul(y, y), y), -0.5));
  });
}

DLC_VJP(TanhOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    return e.mul(g, e.sub(e.splatLike(y, 1), e.mul(y, y)));
  });
}

DLC_VJP(SigmoidOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    return e.mul(g, e.mul(y, e.sub(e.splatLike(y, 1), y)));
  });
}

DLC_VJP(ReluOp) {
  // 0 at x = 0, as PyTorch's threshold_backward and JAX. Read from the
  // output (y > 0 exactly where x > 0, NaN included), as PyTorch does: the
  // backward keeps y, which the next layer's backward needs anyway, and the
  // pre-activation x need not outlive the forward (it stays inside the fused
  // conv/matmul + bias + relu nest).
  return unary(*this, b, cts, out, [](Emitter &e, Value, Value y, Value g) {
    Value zero = e.zerosLike(y);
    return e.select(e.cmp(CompareDirection::gt, y, zero), g, zero);
  });
}

DLC_VJP(SinOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value x, Value, Value g) {
    return e.mul(g, CosOp::create(e.b, e.loc, x));
  });
}

DLC_VJP(CosOp) {
  return unary(*this, b, cts, out, [](Emitter &e, Value x, Value, Value g) {
    return e.neg(e.mul(g, SinOp::create(e.b, e.loc, x)));
  });
}

DLC_VJP(ErfOp) {
  // 2/sqrt(pi) e^(-x^2).
  return unary(*this, b, cts, out, [](Emitter &e, Value x, Value, Value g) {
    Value gauss = e.exp(e.neg(e.mul(x, x)));
    return e.mul(g, e.scale(gauss, 2 / std::sqrt(M_PI)));
  });
}

DLC_VJP(GeluOp) {
  bool tanh = getApproximate() == GeluApproximation::tanh;
  return unary(*this, b, cts, out, [&](Emitter &e, Value x, Value, Value g) {
    Value one = e.splatLike(x, 1);
    if (tanh) {
      // y = x/2 (1 + t), t = tanh(k (x + c x^3)):
      // y' = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3c x^2).
      const double k = std::sqrt(2 / M_PI), c = 0.044715;
      Value x2 = e.mul(x, x);
      Value inner = e.scale(e.add(x, e.scale(e.mul(x2, x), c)), k);
      Value t = TanhOp::create(e.b, e.loc, inner);
      Value dInner = e.scale(e.add(one, e.scale(x2, 3 * c)), k);
      Value left = e.scale(e.add(one, t), 0.5);
      Value right = e.mul(e.scale(x, 0.5),
                          e.mul(e.sub(one, e.mul(t, t)), dInner));
      return e.mul(g, e.add(left, right));
    }
    // y = x Phi(x): y' = Phi(x) + x phi(x).
    Value cdf = e.scale(
        e.add(one, ErfOp::create(e.b, e.loc, e.scale(x, M_SQRT1_2))), 0.5);
    Value pdf = e.scale(e.exp(e.scale(e.mul(x, x), -0.5)),
                        1 / std::sqrt(2 * M_PI));
    return e.mul(g, e.add(cdf, e.mul(x, pdf)));
  });
}

//===----------------------------------------------------------------------===//
// Elementwise binary, select, cast
//===----------------------------------------------------------------------===//

DLC_VJP(AddOp) {
  return perOperand(*this, b, needed, out,
                    [&](Emitter &, unsigned) { return cts[0]; });
}

DLC_VJP(SubOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    return i == 0 ? cts[0] : e.neg(cts[0]);
  });
}

DLC_VJP(MulOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    return e.mul(cts[0], getOperand(1 - i));
  });
}

DLC_VJP(DivOp) {
  // d/dlhs = g / rhs; d/drhs = -g lhs / rhs^2 = -(g / rhs) y.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    Value quotient = e.div(cts[0], getRhs());
    return i == 0 ? quotient : e.neg(e.mul(quotient, getResult()));
  });
}

DLC_VJP(PowOp) {
  // d/dlhs = g rhs lhs^(rhs-1); d/drhs = g y log(lhs), with log(1) where
  // lhs = 0 so that 0^r contributes 0 rather than 0 * -inf (as JAX).
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    Value x = getLhs(), r = getRhs(), g = cts[0];
    if (i == 0) {
      Value lower = PowOp::create(e.b, e.loc, x, e.sub(r, e.splatLike(r, 1)));
      return e.mul(g, e.mul(r, lower));
    }
    Value isZero = e.cmp(CompareDirection::eq, x, e.zerosLike(x));
    Value safe = e.select(isZero, e.splatLike(x, 1), x);
    return e.mul(g, e.mul(getResult(), LogOp::create(e.b, e.loc, safe)));
  });
}

/// max/min: the operand that wins gets the cotangent; ties split it evenly
/// (JAX's and PyTorch's maximum/minimum).
static LogicalResult extremumVJP(Operation *op, OpBuilder &b, ValueRange cts,
                                 ArrayRef<bool> needed,
                                 SmallVectorImpl<Value> &out,
                                 CompareDirection wins) {
  return perOperand(op, b, needed, out, [&](Emitter &e, unsigned i) {
    Value self = op->getOperand(i), other = op->getOperand(1 - i);
    Value g = cts[0], zero = e.zerosLike(g);
    Value tie = e.select(e.cmp(CompareDirection::eq, self, other),
                         e.scale(g, 0.5), zero);
    return e.select(e.cmp(wins, self, other), g, tie);
  });
}

DLC_VJP(MaxOp) {
  return extremumVJP(*this, b, cts, needed, out, CompareDirection::gt);
}
DLC_VJP(MinOp) {
  return extremumVJP(*this, b, cts, needed, out, CompareDirection::lt);
}

DLC_VJP(SelectOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    Value zero = e.zerosLike(cts[0]);
    return i == 1 ? e.select(getCondition(), cts[0], zero)
                  : e.select(getCondition(), zero, cts[0]);
  });
}

DLC_VJP(CastOp) {
  // Only float -> float casts carry gradients (the pass never asks for an
  // integer input's, and an integer result has no cotangent).
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return e.castTo(cts[0], getInput().getType().getElementType());
  });
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

DLC_VJP(BroadcastToOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return e.sumTo(cts[0], getInput().getType());
  });
}

DLC_VJP(ReshapeOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return e.reshape(cts[0], getInput().getType().getShape());
  });
}

DLC_VJP(TransposeOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    ArrayRef<int64_t> perm = getPermutation();
    SmallVector<int64_t> inverse(perm.size());
    for (auto [i, p] : llvm::enumerate(perm))
      inverse[p] = i;
    return e.transpose(cts[0], inverse);
  });
}

DLC_VJP(SliceOp) {
  // Scatter the cotangent back into zeros: each strided dim is spread out by
  // reshaping [n] -> [n, 1], padding to [n, s] and flattening; then padding
  // places the block at `start`.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    Value g = cts[0];
    RankedTensorType input = getInput().getType();
    Attribute zero = b.getZeroAttr(input.getElementType());
    auto zeroValue = cast<TypedAttr>(zero);
    for (auto [d, stride] : llvm::enumerate(getStrides())) {
      SmallVector<int64_t> shape(typeOf(g).getShape());
      int64_t n = shape[d];
      if (stride == 1 || n <= 1)
        continue;
      SmallVector<int64_t> split(shape);
      split.insert(split.begin() + d + 1, 1);
      SmallVector<int64_t> low(split.size(), 0), high(split.size(), 0);
      high[d + 1] = stride - 1;
      Value spread = PadOp::create(e.b, e.loc, e.reshape(g, split), low, high,
                                   zeroValue);
      SmallVector<int64_t> flat(shape);
      flat[d] = n * stride;
      SmallVector<int64_t> start(shape.size(), 0), limit(flat),
          ones(shape.size(), 1);
      limit[d] = (n - 1) * stride + 1;
      g = SliceOp::create(e.b, e.loc, e.reshape(spread, flat), start, limit,
                          ones);
    }
    SmallVector<int64_t> low(getStart()), high;
    for (auto [d, size] : llvm::enumerate(input.getShape()))
      high.push_back(size - low[d] - typeOf(g).getDimSize(d));
    if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
        llvm::all_of(high, [](int64_t v) { return v == 0; }))
      return g;
    return Value(PadOp::create(e.b, e.loc, g, low, high, zeroValue));
  });
}

DLC_VJP(ConcatOp) {
  int64_t axis = getAxis();
  SmallVector<int64_t> offsets;
  int64_t offset = 0;
  for (Value input : getInputs()) {
    offsets.push_back(offset);
    offset += typeOf(input).getDimSize(axis);
  }
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    RankedTensorType type = typeOf(getInputs()[i]);
    SmallVector<int64_t> start(type.getRank(), 0), limit(type.getShape()),
        ones(type.getRank(), 1);
    start[axis] = offsets[i];
    limit[axis] += offsets[i];
    return Value(SliceOp::create(e.b, e.loc, cts[0], start, limit, ones));
  });
}

DLC_VJP(PadOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    RankedTensorType type = getInput().getType();
    SmallVector<int64_t> start(getLow()), limit, ones(type.getRank(), 1);
    for (auto [d, size] : llvm::enumerate(type.getShape()))
      limit.push_back(start[d] + size);
    return Value(SliceOp::create(e.b, e.loc, cts[0], start, limit, ones));
  });
}

DLC_VJP(GatherOp) {
  // The table's cotangent accumulates the rows at their indices; the
  // indices are integers and never active.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return Value(ScatterAddOp::create(e.b, e.loc, getTable().getType(),
                                      cts[0], getIndices()));
  });
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

DLC_VJP(MatmulOp) {
  // dA = g B^T, dB = A^T g (batch dims carried along).
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    int64_t rank = getLhs().getType().getRank();
    auto swap = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(swap[rank - 1], swap[rank - 2]);
    if (i == 0)
      return Value(MatmulOp::create(e.b, e.loc, cts[0],
                                    e.transpose(getRhs(), swap)));
    return Value(
        MatmulOp::create(e.b, e.loc, e.transpose(getLhs(), swap), cts[0]));
  });
}

DLC_VJP(Conv2DOp) {
  // The input's cotangent is a transposed convolution, the filter's a
  // correlation of the input with the cotangent: ops of their own.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    if (i == 0)
      return Value(Conv2DInputGradOp::create(
          e.b, e.loc, getInput().getType(), cts[0], getFilter(),
          getStridesAttr(), getPaddingAttr(), getDilationAttr(),
          getGroupsAttr()));
    return Value(Conv2DFilterGradOp::create(
        e.b, e.loc, getFilter().getType(), getInput(), cts[0],
        getStridesAttr(), getPaddingAttr(), getDilationAttr(),
        getGroupsAttr()));
  });
}

DLC_VJP(MaxPool2DOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return Value(MaxPool2DGradOp::create(
        e.b, e.loc, getInput().getType(), getInput(), cts[0],
        getKernelAttr(), getStridesAttr(), getPaddingAttr()));
  });
}

DLC_VJP(AvgPool2DOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return Value(AvgPool2DGradOp::create(e.b, e.loc, getInput().getType(),
                                         cts[0], getKernelAttr(),
                                         getStridesAttr(), getPaddingAttr()));
  });
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

DLC_VJP(ReduceSumOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return e.unreduce(cts[0], getInput().getType().getShape(), getAxes());
  });
}

DLC_VJP(ReduceMeanOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    ArrayRef<int64_t> shape = getInput().getType().getShape();
    int64_t count = 1;
    for (int64_t a : getAxes())
      count *= shape[a];
    return e.scale(e.unreduce(cts[0], shape, getAxes()), 1.0 / count);
  });
}

/// reduce_max/min: the cotangent goes to the first extremum of each reduced
/// group (PyTorch's max(dim); NaN, which propagates, counts as the extremum).
/// The reduced axes are moved last and flattened, argmax picks the first
/// index, and a one-hot mask routes the cotangent.
static Value firstExtremumVJP(Emitter &e, Value x, Value g,
                              ArrayRef<int64_t> axes, bool isMin) {
  ArrayRef<int64_t> shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> reduced(axes);
  llvm::sort(reduced);
  SmallVector<int64_t> perm, kept;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(reduced, d)) {
      perm.push_back(d);
      kept.push_back(shape[d]);
    }
  int64_t count = 1;
  for (int64_t d : reduced) {
    perm.push_back(d);
    count *= shape[d];
  }
  SmallVector<int64_t> permuted, flat(kept), column(kept);
  for (int64_t p : perm)
    permuted.push_back(shape[p]);
  flat.push_back(count);
  column.push_back(1);

  Value rows = e.reshape(e.transpose(x, perm), flat);
  if (isMin)
    rows = e.neg(rows);
  Value first = ArgmaxOp::create(e.b, e.loc, rows, kept.size(),
                                 /*keepdims=*/true);
  Value mask = e.oneHot(e.reshape(first, kept), count);
  Value spread = e.broadcast(e.reshape(g, column), flat);
  Value routed = e.select(mask, spread, e.zerosLike(spread));
  SmallVector<int64_t> inverse(rank);
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return e.transpose(e.reshape(routed, permuted), inverse);
}

DLC_VJP(ReduceMaxOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return firstExtremumVJP(e, getInput(), cts[0], getAxes(), false);
  });
}

DLC_VJP(ReduceMinOp) {
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    return firstExtremumVJP(e, getInput(), cts[0], getAxes(), true);
  });
}

//===----------------------------------------------------------------------===//
// Composites
//===----------------------------------------------------------------------===//

DLC_VJP(SoftmaxOp) {
  // dx = y (g - sum(g y)), from the saved probabilities.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    Type element = getType().getElementType();
    Value y = e.widen(getResult()), g = e.widen(cts[0]);
    int64_t axis = getAxis();
    Value dot = e.unreduce(e.reduceSum(e.mul(g, y), axis, true),
                           typeOf(y).getShape(), axis);
    return e.castTo(e.mul(y, e.sub(g, dot)), element);
  });
}

DLC_VJP(LogSoftmaxOp) {
  // dx = g - exp(y) sum(g), from the saved log-probabilities.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    Type element = getType().getElementType();
    Value y = e.widen(getResult()), g = e.widen(cts[0]);
    int64_t axis = getAxis();
    Value total = e.unreduce(e.reduceSum(g, axis, true), typeOf(y).getShape(),
                             axis);
    return e.castTo(e.sub(g, e.mul(e.exp(y), total)), element);
  });
}

DLC_VJP(SoftmaxCrossEntropyOp) {
  // dlogits = (softmax(z) - onehot(labels)) g / N.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned) {
    RankedTensorType type = getLogits().getType();
    Value z = e.widen(getLogits());
    int64_t n = type.getDimSize(0), c = type.getDimSize(1);
    Value p = SoftmaxOp::create(e.b, e.loc, z, 1);
    Value hot = e.oneHot(getLabels(), c);
    Value target = e.select(hot, e.splatLike(p, 1), e.zerosLike(p));
    Value g = e.scale(e.widen(cts[0]), 1.0 / n);
    Value scaled = e.mul(e.sub(p, target), e.broadcast(g, {n, c}));
    return e.castTo(scaled, type.getElementType());
  });
}

DLC_VJP(MseLossOp) {
  // d/dinput = 2 (x - t) g / count; d/dtarget is its negation.
  return perOperand(*this, b, needed, out, [&](Emitter &e, unsigned i) {
    RankedTensorType type = getInput().getType();
    Value g = e.scale(cts[0], 2.0 / type.getNumElements());
    Value d = e.mul(e.sub(getInput(), getTarget()),
                    e.broadcast(g, type.getShape()));
    return i == 0 ? d : e.neg(d);
  });
}

DLC_VJP(LayerNormOp) {
  // With xhat = (x - mean) rstd and gx = g * scale:
  //   dx = rstd (gx - mean(gx) - xhat mean(gx xhat)),
  //   dscale = sum(g xhat), dbias = sum(g) over the leading dims.
  // mean and rstd are recomputed from x in f32 (f64 for f64), like the
  // forward's statistics; CSE shares them between the rules' uses.
  Emitter e{b, getLoc()};
  RankedTensorType type = getInput().getType();
  Type element = type.getElementType();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t last = type.getRank() - 1, width = shape[last];
  auto leading = llvm::to_vector(llvm::seq<int64_t>(0, last));
  auto meanLast = [&](Value v) {
    return e.unreduce(e.scale(e.reduceSum(v, last, true), 1.0 / width), shape,
                      last);
  };
  Value x = e.widen(getInput()), g = e.widen(cts[0]);
  Value centered = e.sub(x, meanLast(x));
  Value var = meanLast(e.mul(centered, centered));
  Value rstd = RsqrtOp::create(b, getLoc(),
                               e.add(var, e.splatLike(var, getEpsilon()
                                                                .convertToDouble())));
  Value xhat = e.mul(centered, rstd);
  Value scale = getScale();
  auto leadSum = [&](Value v) {
    return e.castTo(e.reduceSum(v, leading, false), element);
  };
  // operands: input, [scale], [bias]
  out.push_back(Value());
  if (needed[0]) {
    Value gx = scale ? e.mul(g, e.broadcast(e.widen(scale), shape)) : g;
    Value dx = e.mul(rstd, e.sub(e.sub(gx, meanLast(gx)),
                                 e.mul(xhat, meanLast(e.mul(gx, xhat)))));
    out[0] = e.castTo(dx, element);
  }
  unsigned next = 1;
  if (scale) {
    out.push_back(needed[next] ? leadSum(e.mul(g, xhat)) : Value());
    ++next;
  }
  if (getBias())
    out.push_back(needed[next] ? leadSum(g) : Value());
  return success();
}
