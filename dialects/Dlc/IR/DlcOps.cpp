//===- DlcOps.cpp - dlc op verification and type inference -----------------===//
//
// Every shape and dtype rule of the dialect lives here. Diagnostics say what
// was expected and what was found, naming the operand or attribute involved.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace dlc;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Prints `[a, b, c]` into a diagnostic.
struct Dims {
  ArrayRef<int64_t> values;
};
Diagnostic &operator<<(Diagnostic &diag, Dims dims) {
  diag << "[";
  llvm::interleaveComma(dims.values, diag, [&](int64_t v) { diag << v; });
  return diag << "]";
}
} // namespace

/// Emits `'<op>' op <args...>` at `loc` when a location is given.
template <typename... Args>
static LogicalResult fail(std::optional<Location> loc, StringRef opName,
                          Args &&...args) {
  return emitOptionalError(loc, "'", opName, "' op ",
                           std::forward<Args>(args)...);
}

static RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

/// All operands must have one type (broadcasting is explicit); the result has
/// that type.
static LogicalResult inferSameTypeOperands(std::optional<Location> loc,
                                           StringRef opName, TypeRange types,
                                           ArrayRef<StringRef> names,
                                           SmallVectorImpl<Type> &results) {
  for (auto [i, type] : llvm::enumerate(types.drop_front())) {
    if (type != types.front())
      return fail(loc, opName, "expects operands of the same type (broadcasting "
                  "is explicit: use dlc.broadcast_to), but ", names[0], " is ",
                  types.front(), " and ", names[i + 1], " is ", type);
  }
  results.push_back(types.front());
  return success();
}

/// Checks that `axis` indexes a dimension of a rank-`rank` tensor.
static LogicalResult checkAxis(std::optional<Location> loc, StringRef opName,
                               StringRef what, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return fail(loc, opName, "expects ", what, " in [0, ", rank,
                ") for an input of rank ", rank, ", but found ", axis);
  return success();
}

/// Checks that an attribute array has `size` entries, each >= `min`.
static LogicalResult checkArray(std::optional<Location> loc, StringRef opName,
                                StringRef what, ArrayRef<int64_t> values,
                                size_t size, int64_t min) {
  if (values.size() != size)
    return fail(loc, opName, "expects ", what, " to have ", size,
                " entries, but found ", values.size(), ": ", Dims{values});
  for (int64_t v : values)
    if (v < min)
      return fail(loc, opName, "expects every ", what, " entry to be >= ", min,
                  ", but found ", Dims{values});
  return success();
}

//===----------------------------------------------------------------------===//
// Custom assembly: `: T` for operands of one type, `: T1, T2` otherwise (the
// second form only appears in IR that fails verification).
//===----------------------------------------------------------------------===//

static ParseResult parseElementwiseTypes(OpAsmParser &parser, Type &lhs,
                                         Type &rhs) {
  if (parser.parseType(lhs))
    return failure();
  rhs = lhs;
  if (succeeded(parser.parseOptionalComma()))
    return parser.parseType(rhs);
  return success();
}

static void printElementwiseTypes(OpAsmPrinter &printer, Operation *, Type lhs,
                                  Type rhs) {
  printer << lhs;
  if (rhs != lhs)
    printer << ", " << rhs;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  SmallVector<Type> same;
  if (failed(inferSameTypeOperands(loc, getOperationName(),
                                   {adaptor.getLhs().getType(),
                                    adaptor.getRhs().getType()},
                                   {"lhs", "rhs"}, same)))
    return failure();
  auto type = cast<RankedTensorType>(same.front());
  types.push_back(type.clone(IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (failed(inferSameTypeOperands(loc, getOperationName(),
                                   {adaptor.getOnTrue().getType(),
                                    adaptor.getOnFalse().getType()},
                                   {"on_true", "on_false"}, types)))
    return failure();
  auto valueType = cast<RankedTensorType>(types.front());
  auto condType = cast<RankedTensorType>(adaptor.getCondition().getType());
  if (condType.getShape() != valueType.getShape())
    return fail(loc, getOperationName(),
                "expects the condition to have the values' shape ",
                Dims{valueType.getShape()}, ", but found ",
                Dims{condType.getShape()});
  return success();
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError("expects the result shape to equal the input shape ")
           << Dims{getInput().getType().getShape()} << ", but found "
           << Dims{getType().getShape()};
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  ElementsAttr value = adaptor.getValueAttr();
  if (!value)
    return fail(loc, getOperationName(), "expects a 'value' attribute");
  types.push_back(value.getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("expects the result element type to be ")
           << in.getElementType() << ", but found " << out.getElementType();
  if (in.getRank() > out.getRank())
    return emitOpError("cannot broadcast rank ")
           << in.getRank() << " to the lower rank " << out.getRank()
           << " (input " << in << ", result " << out << ")";
  int64_t offset = out.getRank() - in.getRank();
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t inDim = in.getDimSize(i), outDim = out.getDimSize(i + offset);
    if (inDim != 1 && inDim != outDim)
      return emitOpError("cannot broadcast input dimension ")
             << i << " of size " << inDim << " to result dimension "
             << i + offset << " of size " << outDim << ": expected 1 or "
             << outDim << " (input " << in << ", result " << out << ")";
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("expects the result element type to be ")
           << in.getElementType() << ", but found " << out.getElementType();
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("expects the result to have the input's ")
           << in.getNumElements() << " elements, but " << out << " has "
           << out.getNumElements();
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (failed(checkArray(loc, getOperationName(), "permutation", perm,
                        in.getRank(), 0)))
    return failure();
  llvm::SmallBitVector seen(in.getRank());
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p >= in.getRank() || seen.test(p))
      return fail(loc, getOperationName(),
                  "expects a permutation of [0, ", in.getRank(),
                  "), but found ", Dims{perm});
    seen.set(p);
    shape.push_back(in.getDimSize(p));
  }
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  StringRef name = getOperationName();
  size_t rank = in.getRank();
  ArrayRef<int64_t> start = adaptor.getStart(), limit = adaptor.getLimit(),
                    strides = adaptor.getStrides();
  if (failed(checkArray(loc, name, "start", start, rank, 0)) ||
      failed(checkArray(loc, name, "limit", limit, rank, 0)) ||
      failed(checkArray(loc, name, "strides", strides, rank, 1)))
    return failure();
  SmallVector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    if (start[i] > limit[i] || limit[i] > in.getDimSize(i))
      return fail(loc, name, "expects 0 <= start <= limit <= ",
                  in.getDimSize(i), " in dimension ", i, ", but found start ",
                  start[i], " and limit ", limit[i]);
    shape.push_back(llvm::divideCeil(limit[i] - start[i], strides[i]));
  }
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  if (adaptor.getInputs().empty())
    return fail(loc, name, "expects at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs().front().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, name, "axis", axis, first.getRank())))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, value] : llvm::enumerate(adaptor.getInputs().drop_front())) {
    auto type = cast<RankedTensorType>(value.getType());
    if (type.getElementType() != first.getElementType() ||
        type.getRank() != first.getRank())
      return fail(loc, name, "expects every input to have the rank and element "
                  "type of input 0 (", first, "), but input ", i + 1, " is ",
                  type);
    for (int64_t d = 0; d < first.getRank(); ++d) {
      if (d != axis && type.getDimSize(d) != first.getDimSize(d))
        return fail(loc, name, "expects inputs to agree on every dimension but "
                    "the axis ", axis, ", but input ", i + 1, " (", type,
                    ") differs from input 0 (", first, ") in dimension ", d);
    }
    shape[axis] += type.getDimSize(axis);
  }
  types.push_back(tensorOf(shape, first.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  StringRef name = getOperationName();
  if (failed(checkArray(loc, name, "low", adaptor.getLow(), in.getRank(), 0)) ||
      failed(checkArray(loc, name, "high", adaptor.getHigh(), in.getRank(), 0)))
    return failure();
  auto value = dyn_cast_or_null<TypedAttr>(adaptor.getValueAttr());
  if (!value || value.getType() != in.getElementType() ||
      !isa<FloatAttr, IntegerAttr>(value))
    return fail(loc, name, "expects the padding value to be a scalar of the "
                "element type ", in.getElementType(), ", but found ",
                adaptor.getValueAttr());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < in.getRank(); ++i)
    shape.push_back(in.getDimSize(i) + adaptor.getLow()[i] +
                    adaptor.getHigh()[i]);
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto table = cast<RankedTensorType>(adaptor.getTable().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  if (table.getRank() < 1)
    return fail(loc, getOperationName(),
                "expects a table of rank >= 1, but found ", table);
  SmallVector<int64_t> shape(indices.getShape());
  llvm::append_range(shape, table.getShape().drop_front());
  types.push_back(tensorOf(shape, table.getElementType()));
  return success();
}

LogicalResult ScatterAddOp::verify() {
  auto updates = getUpdates().getType();
  auto indices = getIndices().getType();
  auto result = getResult().getType();
  if (result.getRank() < 1)
    return emitOpError("expects a result of rank >= 1, but found ") << result;
  if (updates.getElementType() != result.getElementType())
    return emitOpError("expects updates of the result's element type ")
           << result.getElementType() << ", but found "
           << updates.getElementType();
  SmallVector<int64_t> shape(indices.getShape());
  llvm::append_range(shape, result.getShape().drop_front());
  if (updates.getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("expects updates of shape indices.shape + "
                       "result.shape[1:] = ")
           << Dims{shape} << ", but found " << Dims{updates.getShape()};
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions, convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  StringRef name = getOperationName();
  if (lhs.getElementType() != rhs.getElementType())
    return fail(loc, name, "expects operands of one element type, but lhs has ",
                lhs.getElementType(), " and rhs has ", rhs.getElementType());
  if (lhs.getRank() < 2 || lhs.getRank() != rhs.getRank())
    return fail(loc, name, "expects operands of the same rank >= 2 ([..., M, "
                "K] x [..., K, N]), but found ", lhs, " and ", rhs);
  int64_t rank = lhs.getRank();
  if (lhs.getShape().drop_back(2) != rhs.getShape().drop_back(2))
    return fail(loc, name, "expects equal batch dimensions, but lhs has ",
                Dims{lhs.getShape().drop_back(2)}, " and rhs has ",
                Dims{rhs.getShape().drop_back(2)});
  if (lhs.getDimSize(rank - 1) != rhs.getDimSize(rank - 2))
    return fail(loc, name, "expects the contracted dimensions to match, but "
                "lhs ", lhs, " has K = ", lhs.getDimSize(rank - 1), " and rhs ",
                rhs, " has K = ", rhs.getDimSize(rank - 2));
  SmallVector<int64_t> shape(lhs.getShape().drop_back());
  shape.push_back(rhs.getDimSize(rank - 1));
  types.push_back(tensorOf(shape, lhs.getElementType()));
  return success();
}

/// Output size of one sliding-window dimension, or failure if the window does
/// not fit.
static FailureOr<int64_t> windowOutputSize(int64_t in, int64_t padLow,
                                           int64_t padHigh, int64_t kernel,
                                           int64_t stride, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = in + padLow + padHigh;
  if (padded < span)
    return failure();
  return (padded - span) / stride + 1;
}

/// The result type of conv2d (also the check of its adjoints' operands).
static LogicalResult inferConv(std::optional<Location> loc, StringRef name,
                               RankedTensorType in, RankedTensorType filter,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> padding,
                               ArrayRef<int64_t> dilation, int64_t groups,
                               SmallVectorImpl<Type> &types) {
  if (in.getRank() != 4)
    return fail(loc, name, "expects an NCHW input of rank 4, but found ", in);
  if (filter.getRank() != 4)
    return fail(loc, name, "expects an OIHW filter of rank 4, but found ",
                filter);
  if (in.getElementType() != filter.getElementType())
    return fail(loc, name, "expects input and filter of one element type, but "
                "found ", in.getElementType(), " and ",
                filter.getElementType());
  if (failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)) ||
      failed(checkArray(loc, name, "dilation", dilation, 2, 1)))
    return failure();
  int64_t channels = in.getDimSize(1), outChannels = filter.getDimSize(0);
  if (groups < 1 || channels % groups != 0 || outChannels % groups != 0)
    return fail(loc, name, "expects groups >= 1 dividing the input channels (",
                channels, ") and the output channels (", outChannels,
                "), but found groups = ", groups);
  if (filter.getDimSize(1) != channels / groups)
    return fail(loc, name, "expects filter dimension 1 to be input channels / "
                "groups = ", channels / groups, ", but found ",
                filter.getDimSize(1), " (input ", in, ", filter ", filter, ")");
  SmallVector<int64_t> shape = {in.getDimSize(0), outChannels};
  for (int i = 0; i < 2; ++i) {
    FailureOr<int64_t> size = windowOutputSize(
        in.getDimSize(2 + i), padding[2 * i], padding[2 * i + 1],
        filter.getDimSize(2 + i), strides[i], dilation[i]);
    if (failed(size))
      return fail(loc, name, "expects the dilated filter (",
                  filter.getDimSize(2 + i), " with dilation ", dilation[i],
                  ") to fit in the padded input in spatial dimension ", i,
                  " (size ", in.getDimSize(2 + i), " + padding)");
    shape.push_back(*size);
  }
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferConv(loc, getOperationName(),
                   cast<RankedTensorType>(adaptor.getInput().getType()),
                   cast<RankedTensorType>(adaptor.getFilter().getType()),
                   adaptor.getStrides(), adaptor.getPadding(),
                   adaptor.getDilation(), adaptor.getGroups(), types);
}

/// Checks that conv2d of `in` and `filter` with `op`'s attributes gives
/// `grad`'s type (the adjoints' consistency rule).
template <typename GradOp>
static LogicalResult verifyConvGrad(GradOp op, RankedTensorType in,
                                    RankedTensorType filter,
                                    RankedTensorType grad) {
  SmallVector<Type> types;
  if (failed(inferConv(op.getLoc(), op.getOperationName(), in, filter,
                       op.getStrides(), op.getPadding(), op.getDilation(),
                       op.getGroups(), types)))
    return failure();
  if (types.front() != grad)
    return op.emitOpError("expects grad of type ")
           << types.front() << " (the type of conv2d of " << in << " and "
           << filter << " with these attributes), but found " << grad;
  return success();
}

LogicalResult Conv2DInputGradOp::verify() {
  return verifyConvGrad(*this, getType(), getFilter().getType(),
                        getGrad().getType());
}

LogicalResult Conv2DFilterGradOp::verify() {
  return verifyConvGrad(*this, getInput().getType(), getType(),
                        getGrad().getType());
}

static LogicalResult inferPoolShape(std::optional<Location> loc,
                                    StringRef name, RankedTensorType in,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> padding,
                                    SmallVectorImpl<Type> &types) {
  if (in.getRank() != 4)
    return fail(loc, name, "expects an NCHW input of rank 4, but found ", in);
  if (failed(checkArray(loc, name, "kernel", kernel, 2, 1)) ||
      failed(checkArray(loc, name, "strides", strides, 2, 1)) ||
      failed(checkArray(loc, name, "padding", padding, 4, 0)))
    return failure();
  SmallVector<int64_t> shape(in.getShape().take_front(2));
  for (int i = 0; i < 2; ++i) {
    // Padding smaller than the kernel on each side keeps at least one real
    // element in every window (the first starts at -pad, the last ends
    // before size + pad). Exporters (ONNX) produce pads past PyTorch's
    // half-kernel limit; they are valid on this rule.
    if (std::max(padding[2 * i], padding[2 * i + 1]) >= kernel[i])
      return fail(loc, name, "expects padding smaller than the kernel (",
                  kernel[i], ") in spatial dimension ", i, ", but found ",
                  Dims{padding});
    FailureOr<int64_t> size =
        windowOutputSize(in.getDimSize(2 + i), padding[2 * i],
                         padding[2 * i + 1], kernel[i], strides[i], 1);
    if (failed(size))
      return fail(loc, name, "expects the kernel (", kernel[i],
                  ") to fit in the padded input in spatial dimension ", i,
                  " (size ", in.getDimSize(2 + i), " + padding)");
    shape.push_back(*size);
  }
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferPoolShape(loc, getOperationName(),
                        cast<RankedTensorType>(adaptor.getInput().getType()),
                        adaptor.getKernel(), adaptor.getStrides(),
                        adaptor.getPadding(), types);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return inferPoolShape(loc, getOperationName(),
                        cast<RankedTensorType>(adaptor.getInput().getType()),
                        adaptor.getKernel(), adaptor.getStrides(),
                        adaptor.getPadding(), types);
}

/// Checks that pooling `in` with `op`'s attributes gives `grad`'s type.
template <typename GradOp>
static LogicalResult verifyPoolGrad(GradOp op, RankedTensorType in,
                                    RankedTensorType grad) {
  SmallVector<Type> types;
  if (failed(inferPoolShape(op.getLoc(), op.getOperationName(), in,
                            op.getKernel(), op.getStrides(), op.getPadding(),
                            types)))
    return failure();
  if (types.front() != grad)
    return op.emitOpError("expects grad of type ")
           << types.front() << " (the type of pooling " << in
           << " with these attributes), but found " << grad;
  return success();
}

LogicalResult MaxPool2DGradOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("expects a result of the input's type ")
           << getInput().getType() << ", but found " << getType();
  return verifyPoolGrad(*this, getInput().getType(), getGrad().getType());
}

LogicalResult AvgPool2DGradOp::verify() {
  return verifyPoolGrad(*this, getType(), getGrad().getType());
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Result type of reducing `axes` of `in`; shared by the reduce ops.
static LogicalResult inferReduction(std::optional<Location> loc,
                                    StringRef name, RankedTensorType in,
                                    ArrayRef<int64_t> axes, bool keepdims,
                                    SmallVectorImpl<Type> &types) {
  if (axes.empty())
    return fail(loc, name, "expects at least one axis to reduce");
  llvm::SmallBitVector reduced(in.getRank());
  for (int64_t axis : axes) {
    if (failed(checkAxis(loc, name, "every axis", axis, in.getRank())))
      return failure();
    if (reduced.test(axis))
      return fail(loc, name, "expects distinct axes, but found ", Dims{axes});
    reduced.set(axis);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (!reduced.test(i))
      shape.push_back(in.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(tensorOf(shape, in.getElementType()));
  return success();
}

#define DLC_REDUCE_INFER(OP)                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    return inferReduction(                                                     \
        loc, getOperationName(),                                               \
        cast<RankedTensorType>(adaptor.getInput().getType()),                  \
        adaptor.getAxes(), adaptor.getKeepdims(), types);                      \
  }
DLC_REDUCE_INFER(ReduceSumOp)
DLC_REDUCE_INFER(ReduceMeanOp)
DLC_REDUCE_INFER(ReduceMaxOp)
DLC_REDUCE_INFER(ReduceMinOp)
#undef DLC_REDUCE_INFER

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, getOperationName(), "axis", axis, in.getRank())))
    return failure();
  SmallVector<int64_t> shape(in.getShape());
  if (adaptor.getKeepdims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  types.push_back(tensorOf(shape, IntegerType::get(ctx, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Composites
//===----------------------------------------------------------------------===//

/// softmax and log_softmax: the result has the input's type.
template <typename OpTy>
static LogicalResult inferSoftmaxLike(std::optional<Location> loc,
                                      typename OpTy::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkAxis(loc, OpTy::getOperationName(), "axis",
                       adaptor.getAxis(), in.getRank())))
    return failure();
  types.push_back(in);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferSoftmaxLike<SoftmaxOp>(loc, adaptor, types);
}

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  return inferSoftmaxLike<LogSoftmaxOp>(loc, adaptor, types);
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  StringRef name = getOperationName();
  if (in.getRank() < 1)
    return fail(loc, name, "expects an input of rank >= 1, but found ", in);
  auto expected = tensorOf({in.getShape().back()}, in.getElementType());
  for (auto [what, value] : {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
                             {"bias", adaptor.getBias()}}) {
    if (value && value.getType() != expected)
      return fail(loc, name, "expects ", what, " of type ", expected,
                  " (the input's last dimension), but found ", value.getType());
  }
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return fail(loc, name, "expects epsilon >= 0, but found ",
                adaptor.getEpsilon().convertToDouble());
  types.push_back(in);
  return success();
}

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto logits = cast<RankedTensorType>(adaptor.getLogits().getType());
  auto labels = cast<RankedTensorType>(adaptor.getLabels().getType());
  StringRef name = getOperationName();
  if (logits.getRank() != 2)
    return fail(loc, name, "expects logits of rank 2 [N, C], but found ",
                logits);
  if (labels.getRank() != 1 || labels.getDimSize(0) != logits.getDimSize(0))
    return fail(loc, name, "expects labels of shape [", logits.getDimSize(0),
                "] for logits ", logits, ", but found ", labels);
  if (logits.getDimSize(1) < 1)
    return fail(loc, name, "expects at least one class, but found ", logits);
  types.push_back(tensorOf({}, logits.getElementType()));
  return success();
}

LogicalResult MseLossOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  SmallVector<Type> same;
  if (failed(inferSameTypeOperands(loc, getOperationName(),
                                   {adaptor.getInput().getType(),
                                    adaptor.getTarget().getType()},
                                   {"input", "target"}, same)))
    return failure();
  types.push_back(
      tensorOf({}, cast<RankedTensorType>(same.front()).getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Automatic differentiation
//===----------------------------------------------------------------------===//

unsigned GradOp::getNumValueResults() { return 0; }
unsigned ValueAndGradOp::getNumValueResults() { return 1; }

/// The checks of dlc.grad / dlc.value_and_grad that need no symbol table:
/// `wrt` distinct, in range, naming float operands, one gradient each.
static LogicalResult verifyGradLike(Operation *op, ArrayRef<int64_t> wrt,
                                    unsigned numValueResults) {
  unsigned numOperands = op->getNumOperands();
  llvm::SmallBitVector seen(numOperands);
  for (int64_t index : wrt) {
    if (index < 0 || index >= numOperands)
      return op->emitOpError("wrt index ")
             << index << " is out of range: the callee has " << numOperands
             << " arguments";
    if (seen.test(index))
      return op->emitOpError("wrt index ") << index << " is repeated";
    seen.set(index);
    Type type = op->getOperand(index).getType();
    if (!isa<FloatType>(getElementTypeOrSelf(type)))
      return op->emitOpError("wrt argument ")
             << index << " has type " << type
             << ": only float tensors can be differentiated";
  }
  if (wrt.empty())
    return op->emitOpError("expects at least one wrt index");
  unsigned numGradients = op->getNumResults() - numValueResults;
  if (numGradients != wrt.size())
    return op->emitOpError("expects ")
           << wrt.size() << " gradient results (one per wrt index), but found "
           << numGradients;
  for (auto [i, index] : llvm::enumerate(wrt)) {
    Type expected = op->getOperand(index).getType();
    Type found = op->getResult(numValueResults + i).getType();
    if (found != expected)
      return op->emitOpError("gradient result ")
             << i << " has type " << found << ", but argument " << index
             << " (wrt) has type " << expected;
  }
  return success();
}

/// The checks against the callee: it exists, returns one rank-0 float tensor
/// and takes the operands' types.
static LogicalResult verifyGradCallee(Operation *op, FlatSymbolRefAttr callee,
                                      unsigned numValueResults,
                                      SymbolTableCollection &symbols) {
  auto fn = symbols.lookupNearestSymbolFrom<FunctionOpInterface>(op, callee);
  if (!fn)
    return op->emitOpError("callee ") << callee << " does not exist";
  ArrayRef<Type> results = fn.getResultTypes();
  auto loss = results.size() == 1 ? dyn_cast<RankedTensorType>(results[0])
                                  : RankedTensorType();
  if (!loss || loss.getRank() != 0 ||
      !isa<FloatType>(loss.getElementType())) {
    InFlightDiagnostic diag = op->emitOpError("callee ")
                              << callee
                              << " must return exactly one rank-0 float "
                                 "tensor, but returns (";
    llvm::interleaveComma(results, diag);
    return diag << ")";
  }
  ArrayRef<Type> args = fn.getArgumentTypes();
  if (args.size() != op->getNumOperands())
    return op->emitOpError("expects ")
           << args.size() << " operands (the arguments of " << callee
           << "), but found " << op->getNumOperands();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(op->getOperandTypes(), args)))
    if (std::get<0>(pair) != std::get<1>(pair))
      return op->emitOpError("operand ")
             << i << " has type " << std::get<0>(pair) << ", but argument " << i
             << " of " << callee << " has type " << std::get<1>(pair);
  if (numValueResults && op->getResult(0).getType() != loss)
    return op->emitOpError("value result has type ")
           << op->getResult(0).getType() << ", but " << callee << " returns "
           << loss;
  return success();
}

LogicalResult GradOp::verify() {
  return verifyGradLike(*this, getWrt(), getNumValueResults());
}
LogicalResult GradOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyGradCallee(*this, getCalleeAttr(), getNumValueResults(),
                          symbols);
}
LogicalResult ValueAndGradOp::verify() {
  return verifyGradLike(*this, getWrt(), getNumValueResults());
}
LogicalResult ValueAndGradOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyGradCallee(*this, getCalleeAttr(), getNumValueResults(),
                          symbols);
}

#define GET_OP_CLASSES
#include "dlc/Dialect/Dlc/IR/DlcOps.cpp.inc"
