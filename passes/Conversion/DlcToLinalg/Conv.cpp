//===- Conv.cpp - dlc convolution and pooling to linalg named ops ----------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

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

/// Images per im2col chunk: the largest divisor of the batch whose column
/// matrix fits in `budget` bytes (im2col-chunk-bytes; at least one image).
/// Half types take the whole batch (one dlc.matmul, which accumulates them
/// in f32).
int64_t im2colChunk(int64_t batch, int64_t bytesPerImage, Type element,
                    int64_t budget) {
  if (!element.isF32() && !element.isF64())
    return batch;
  int64_t best = 1;
  for (int64_t d = 1; d <= batch; ++d)
    if (batch % d == 0 && d * bytesPerImage <= budget)
      best = d;
  return best;
}

/// cols[(c, kh, kw), (n, oh, ow)] = x[n, c, oh*sh + kh*dh, ow*sw + kw*dw] for
/// the images of `input` (already padded), as a [C*KH*KW, N*OH*OW] matrix.
Value im2col(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> kernel,
             ArrayRef<int64_t> out, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilation) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  MLIRContext *ctx = b.getContext();
  AffineExpr ci, y, x, bi, r, q;
  bindDims(ctx, ci, y, x, bi, r, q);
  auto map = AffineMap::get(6, 0,
                            {bi, ci, r * strides[0] + y * dilation[0],
                             q * strides[1] + x * dilation[1]},
                            ctx);
  Value cols = buildMap(
      b, loc,
      RankedTensorType::get({c, kernel[0], kernel[1], n, out[0], out[1]},
                            inType.getElementType()),
      input, {map},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  return tensor::CollapseShapeOp::create(
      b, loc,
      RankedTensorType::get({c * kernel[0] * kernel[1], n * out[0] * out[1]},
                            inType.getElementType()),
      cols, SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
}

/// lhs x rhs, added to `acc` if given (f32/f64: a linalg.matmul, created
/// directly so that it may sit in a loop this pattern builds), else a
/// dlc.matmul (lowered by its own pattern; half types accumulate in f32).
Value matmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
             Value acc = {}) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  Type element = lhsType.getElementType();
  if (!element.isF32() && !element.isF64()) {
    Value product = MatmulOp::create(b, loc, lhs, rhs);
    return acc ? Value(AddOp::create(b, loc, acc, product)) : product;
  }
  if (!acc)
    acc = filledTensor(
        b, loc,
        {lhsType.getDimSize(0),
         cast<RankedTensorType>(rhs.getType()).getDimSize(1)},
        scalarConstant(b, loc, element, 0));
  return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, ValueRange{acc})
      .getResult(0);
}

/// Calls `body(b, loc, first, images, acc)` for chunks of `images` images
/// starting at the index `first`, threading `init` through (an scf.for;
/// a single call for a single chunk).
Value forEachChunk(OpBuilder &b, Location loc, int64_t batch, int64_t images,
                   Value init,
                   function_ref<Value(OpBuilder &, Location, OpFoldResult,
                                      Value)>
                       body) {
  if (images == batch)
    return body(b, loc, b.getIndexAttr(0), init);
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, batch);
  Value step = arith::ConstantIndexOp::create(b, loc, images);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{init},
      [&](OpBuilder &b, Location loc, Value first, ValueRange args) {
        scf::YieldOp::create(b, loc, body(b, loc, first, args[0]));
      });
  return loop.getResult(0);
}

/// The images [first, first + count) of an NCHW tensor.
Value images(OpBuilder &b, Location loc, Value v, OpFoldResult first,
             int64_t count) {
  auto type = cast<RankedTensorType>(v.getType());
  if (count == type.getDimSize(0))
    return v;
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = count;
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  offsets[0] = first;
  return tensor::ExtractSliceOp::create(b, loc, type.clone(shape), v, offsets,
                                        indexAttrs(b, shape),
                                        indexAttrs(b, {1, 1, 1, 1}));
}

/// conv2d as im2col and a matmul, per chunk of images (im2colChunk):
///   out[n, o, oh, ow] = (filter[o, (c, kh, kw)] x cols)[o, (n, oh, ow)]
/// Any stride, padding and dilation; groups = 1. Each chunk of images is
/// padded on its own, so no padded copy of the whole input is stored.
Value convByMatmul(OpBuilder &b, Location loc, Conv2DOp op, Value input,
                   Value filter, int64_t chunkBytes) {
  RankedTensorType type = op.getType();
  Type element = type.getElementType();
  auto filterType = cast<RankedTensorType>(filter.getType());
  int64_t n = type.getDimSize(0), o = type.getDimSize(1),
          oh = type.getDimSize(2), ow = type.getDimSize(3),
          c = filterType.getDimSize(1), kh = filterType.getDimSize(2),
          kw = filterType.getDimSize(3);
  int64_t ckk = c * kh * kw;
  int64_t chunk = im2colChunk(
      n, ckk * oh * ow * element.getIntOrFloatBitWidth() / 8, element,
      chunkBytes);
  MLIRContext *ctx = b.getContext();
  Value weights = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({o, ckk}, element), filter,
      SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  AffineExpr bn, f, rr, qq;
  bindDims(ctx, bn, f, rr, qq);
  auto readMap =
      AffineMap::get(4, 0, {f, bn * (oh * ow) + rr * ow + qq}, ctx);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), element);
  return forEachChunk(
      b, loc, n, chunk, init,
      [&](OpBuilder &b, Location loc, OpFoldResult first, Value acc) {
        Value x = padSpatial(b, loc, images(b, loc, input, first, chunk),
                             op.getPadding(),
                             scalarConstant(b, loc, element, 0));
        Value cols = im2col(b, loc, x, {kh, kw}, {oh, ow}, op.getStrides(),
                            op.getDilation());
        Value product = matmul(b, loc, weights, cols);
        Value piece = buildMap(
            b, loc, RankedTensorType::get({chunk, o, oh, ow}, element),
            product, {readMap},
            [](OpBuilder &, Location, ValueRange args) { return args[0]; });
        if (chunk == n)
          return piece;
        SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
        offsets[0] = first;
        return Value(tensor::InsertSliceOp::create(
            b, loc, piece, acc, offsets, indexAttrs(b, {chunk, o, oh, ow}),
            indexAttrs(b, {1, 1, 1, 1})));
      });
}

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  Conv2DLowering(MLIRContext *ctx, int64_t im2colMaxWidth, int64_t chunkBytes)
      : OpConversionPattern(ctx), im2colMaxWidth(im2colMaxWidth),
        chunkBytes(chunkBytes) {}
  int64_t im2colMaxWidth, chunkBytes;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elementType = type.getElementType();
    Type accType = computeType(elementType);
    if (op.getGroups() == 1 && type.getDimSize(3) < im2colMaxWidth &&
        cast<RankedTensorType>(op.getFilter().getType()).getDimSize(1) > 1) {
      rewriter.replaceOp(op, convByMatmul(rewriter, loc, op,
                                          adaptor.getInput(),
                                          adaptor.getFilter(), chunkBytes));
      return success();
    }
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

//===----------------------------------------------------------------------===//
// Adjoints of conv2d and pooling
//===----------------------------------------------------------------------===//


/// conv2d_input_grad as a stride-1 conv2d: the cotangent is spread out by the
/// stride (zeros between rows and columns) inside a zero frame of
/// dilation * (K - 1) - padding, and correlated with the filter flipped in
/// space and with input/output channels swapped within each group. The new
/// dlc.conv2d is lowered by Conv2DLowering, so it is tiled and vectorized
/// like any forward conv.
struct Conv2DInputGradLowering : OpConversionPattern<Conv2DInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DInputGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto gradType = cast<RankedTensorType>(op.getGrad().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    int64_t groups = op.getGroups();
    int64_t o = filterType.getDimSize(0), cg = filterType.getDimSize(1);
    ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding(),
                      dilation = op.getDilation();

    SmallVector<int64_t> frame = {gradType.getDimSize(0), o, 0, 0};
    SmallVector<int64_t> srcOffsets(4, 0), sizes(gradType.getShape()),
        dstOffsets(4, 0), dstStrides(4, 1);
    for (int i = 0; i < 2; ++i) {
      int64_t extent = dilation[i] * (filterType.getDimSize(2 + i) - 1);
      int64_t full = type.getDimSize(2 + i) + extent;
      int64_t low = extent - padding[2 * i];
      // Rows of the cotangent that land inside the frame (the others only
      // touched padding).
      int64_t first = low < 0 ? (-low + strides[i] - 1) / strides[i] : 0;
      int64_t last = std::min(gradType.getDimSize(2 + i) - 1,
                              floorDiv(full - 1 - low, strides[i]));
      if (last < first) {
        rewriter.replaceOp(op, filledTensor(rewriter, loc, type.getShape(),
                                            scalarConstant(rewriter, loc,
                                                           element, 0)));
        return success();
      }
      frame[2 + i] = full;
      srcOffsets[2 + i] = first;
      sizes[2 + i] = last - first + 1;
      dstOffsets[2 + i] = low + first * strides[i];
      dstStrides[2 + i] = strides[i];
    }
    // With stride 1 and the whole cotangent inside the frame, the frame is
    // the conv's own padding: the conv (im2col per chunk, or its padded
    // input) pads it, and no frame of the whole cotangent is built here.
    SmallVector<int64_t> convPadding;
    for (int i = 0; i < 2; ++i) {
      int64_t low = dstOffsets[2 + i],
              high = frame[2 + i] - low - gradType.getDimSize(2 + i);
      if (strides[i] == 1 && sizes[2 + i] == gradType.getDimSize(2 + i) &&
          high >= 0)
        convPadding.append({low, high});
    }
    Value spread = adaptor.getGrad();
    if (convPadding.size() != 4) {
      convPadding.assign(4, 0);
      SmallVector<int64_t> ones(4, 1);
      if (ArrayRef<int64_t>(sizes) != gradType.getShape())
        spread = tensor::ExtractSliceOp::create(
            rewriter, loc, gradType.clone(sizes), spread,
            indexAttrs(rewriter, srcOffsets), indexAttrs(rewriter, sizes),
            indexAttrs(rewriter, ones));
      Value zeros = filledTensor(rewriter, loc, frame,
                                 scalarConstant(rewriter, loc, element, 0));
      spread = tensor::InsertSliceOp::create(
          rewriter, loc, spread, zeros, indexAttrs(rewriter, dstOffsets),
          indexAttrs(rewriter, sizes), indexAttrs(rewriter, dstStrides));
    }

    // [O, C/G, KH, KW] -> [G, O/G, C/G, KH, KW] -> flipped
    // [G, C/G, O/G, KH, KW] -> [C, O/G, KH, KW].
    int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
    Value grouped = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({groups, o / groups, cg, kh, kw}, element),
        adaptor.getFilter(),
        SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr g, c, f, y, x;
    bindDims(ctx, g, c, f, y, x);
    auto flipMap = AffineMap::get(5, 0, {g, f, c, kh - 1 - y, kw - 1 - x}, ctx);
    Value flipped = buildMap(
        rewriter, loc,
        RankedTensorType::get({groups, cg, o / groups, kh, kw}, element),
        grouped, {flipMap},
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    Value filter = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({groups * cg, o / groups, kh, kw}, element),
        flipped, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    Value result = Conv2DOp::create(
        rewriter, loc, spread, filter, rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getDenseI64ArrayAttr(convPadding), op.getDilationAttr(),
        op.getGroupsAttr());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// conv2d_filter_grad as im2col and one matmul per group, whose reduction
/// runs over the batch and the image:
///   cols[(c, kh, kw), (n, oh, ow)] = padded_x[n, g*C/G + c, oh*sh + kh*dh,
///                                              ow*sw + kw*dw]
///   grad_t[(n, oh, ow), o] = grad[n, g*O/G + o, oh, ow]
///   result[g*O/G + o, c, kh, kw] = (cols x grad_t)[(c, kh, kw), o]
/// summed over chunks of images, each chunk padded on its own.
/// im2col and the transpose are linalg.generic gathers (vectorized along
/// ow); the reshapes next to the matmul are kept out of it by
/// dlc-fuse-elementwise, so it stays a linalg.matmul for dlc-tile-and-fuse.
struct Conv2DFilterGradLowering : OpConversionPattern<Conv2DFilterGradOp> {
  Conv2DFilterGradLowering(MLIRContext *ctx, int64_t chunkBytes)
      : OpConversionPattern(ctx), chunkBytes(chunkBytes) {}
  int64_t chunkBytes;
  LogicalResult
  matchAndRewrite(Conv2DFilterGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto gradType = cast<RankedTensorType>(op.getGrad().getType());
    int64_t groups = op.getGroups();
    int64_t n = gradType.getDimSize(0), o = type.getDimSize(0),
            cg = type.getDimSize(1), kh = type.getDimSize(2),
            kw = type.getDimSize(3), oh = gradType.getDimSize(2),
            ow = gradType.getDimSize(3), og = o / groups;
    int64_t ckk = cg * kh * kw;
    ArrayRef<int64_t> strides = op.getStrides(), dilation = op.getDilation();
    Value input = adaptor.getInput();
    MLIRContext *ctx = rewriter.getContext();
    auto tensor = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, element);
    };
    auto copyBody = [](OpBuilder &, Location, ValueRange args) {
      return args[0];
    };

    // A group's channels, as a slice (a map such as c + j*C/G would let
    // linalg infer the loop range from the whole tensor).
    auto channels = [&](Value v, int64_t first, int64_t count) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      if (count == t.getDimSize(1))
        return v;
      SmallVector<int64_t> shape(t.getShape());
      shape[1] = count;
      return tensor::ExtractSliceOp::create(
          rewriter, loc, t.clone(shape), v,
          indexAttrs(rewriter, {0, first, 0, 0}), indexAttrs(rewriter, shape),
          indexAttrs(rewriter, {1, 1, 1, 1}));
    };
    // The chunk holds both matmul operands: cols and the transposed grad.
    int64_t chunk = im2colChunk(
        n, (ckk + og) * oh * ow * element.getIntOrFloatBitWidth() / 8,
        element, chunkBytes);
    SmallVector<Value> pieces;
    Value result;
    for (int64_t j = 0; j < groups; ++j) {
      Value x = channels(input, j * cg, cg);
      Value g = channels(adaptor.getGrad(), j * og, og);
      AffineExpr b2, r2, q2, f2;
      bindDims(ctx, b2, r2, q2, f2);
      auto gradMap = AffineMap::get(4, 0, {b2, f2, r2, q2}, ctx);
      Value init = filledTensor(rewriter, loc, {ckk, og},
                                scalarConstant(rewriter, loc, element, 0));
      // Sum over chunks of images of cols x grad_t.
      Value product = forEachChunk(
          rewriter, loc, n, chunk, init,
          [&](OpBuilder &b, Location loc, OpFoldResult first, Value acc) {
            // Padded per chunk: no padded copy of the whole input.
            Value padded = padSpatial(b, loc, images(b, loc, x, first, chunk),
                                      op.getPadding(),
                                      scalarConstant(b, loc, element, 0));
            Value cols = im2col(b, loc, padded, {kh, kw}, {oh, ow}, strides,
                                dilation);
            Value gradT = buildMap(b, loc, tensor({chunk, oh, ow, og}),
                                   images(b, loc, g, first, chunk), {gradMap},
                                   copyBody);
            gradT = tensor::CollapseShapeOp::create(
                b, loc, tensor({chunk * oh * ow, og}), gradT,
                SmallVector<ReassociationIndices>{{0, 1, 2}, {3}});
            return matmul(b, loc, cols, gradT, acc);
          });
      // [(c, kh, kw), o] -> [o, c, kh, kw].
      AffineExpr f, c3, y3, x3;
      bindDims(ctx, f, c3, y3, x3);
      auto readMap =
          AffineMap::get(4, 0, {c3 * (kh * kw) + y3 * kw + x3, f}, ctx);
      result = buildMap(rewriter, loc, tensor({og, cg, kh, kw}), product,
                        {readMap}, copyBody);
      pieces.push_back(result);
    }
    // (One group: its piece, kept in `result`; GCC cannot tell that the
    // loop ran and warned of reading pieces.front() uninitialized.)
    if (groups > 1)
      result = ConcatOp::create(rewriter, loc, pieces, 0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The adjoint of a pooling: for each window offset (kh, kw), the
/// contribution of every output element is added to the input element it
/// covers there, through a strided slice of the padded result (so
/// overlapping windows accumulate); the padding is cropped at the end.
/// `contribution(b, loc, k, slice)` returns `slice` plus the contribution
/// at window offset k = kh * KW + kw.
Value accumulateWindows(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ArrayRef<int64_t> gridShape, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
    function_ref<Value(OpBuilder &, Location, int64_t, Value)> contribution) {
  Type element = resultType.getElementType();
  SmallVector<int64_t> padded(resultType.getShape());
  padded[2] += padding[0] + padding[1];
  padded[3] += padding[2] + padding[3];
  Value acc = filledTensor(b, loc, padded, scalarConstant(b, loc, element, 0));
  auto sliceType = RankedTensorType::get(gridShape, element);
  SmallVector<OpFoldResult> sizes = indexAttrs(b, gridShape);
  SmallVector<OpFoldResult> steps = indexAttrs(b, {1, 1, strides[0], strides[1]});
  for (int64_t y = 0; y < kernel[0]; ++y)
    for (int64_t x = 0; x < kernel[1]; ++x) {
      SmallVector<OpFoldResult> offsets = indexAttrs(b, {0, 0, y, x});
      Value slice = tensor::ExtractSliceOp::create(b, loc, sliceType, acc,
                                                   offsets, sizes, steps);
      Value sum = contribution(b, loc, y * kernel[1] + x, slice);
      acc = tensor::InsertSliceOp::create(b, loc, sum, acc, offsets, sizes,
                                          steps);
    }
  SmallVector<int64_t> offsets = {0, 0, padding[0], padding[2]};
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, acc, indexAttrs(b, offsets),
      indexAttrs(b, resultType.getShape()), indexAttrs(b, {1, 1, 1, 1}));
}

/// Windows that tile the input (stride = kernel, no padding): every input
/// element is in at most one window. For each window offset k = (kh, kw),
/// `value(b, loc, k, args)` over the window grid [N, C, OH, OW] (an
/// elementwise map, vectorized along OW) fills the strided slice of the image
/// at that offset; the offsets together cover [N, C, OH*KH, OW*KW], then
/// padded with zeros to the input's rows and columns no window covers.
/// With `oneMap`, one map over [N, C, OH, KH, OW, KW] instead (the image
/// reshaped: each element written once, in order; k from its position).
Value tiledWindows(OpBuilder &b, Location loc, RankedTensorType resultType,
                   ArrayRef<int64_t> gridShape, ArrayRef<int64_t> kernel,
                   ValueRange inputs,
                   function_ref<Value(OpBuilder &, Location, Value, ValueRange)>
                       value,
                   bool oneMap) {
  int64_t n = gridShape[0], c = gridShape[1], oh = gridShape[2],
          ow = gridShape[3];
  Type element = resultType.getElementType();
  Value image;
  if (oneMap) {
    MLIRContext *ctx = b.getContext();
    AffineExpr dn, dc, dy, ky, dx, kx;
    bindDims(ctx, dn, dc, dy, ky, dx, kx);
    auto windowsType = RankedTensorType::get(
        {n, c, oh, kernel[0], ow, kernel[1]}, element);
    SmallVector<AffineMap> maps(inputs.size(),
                                AffineMap::get(6, 0, {dn, dc, dy, dx}, ctx));
    Value windows = buildMap(
        b, loc, windowsType, inputs, maps,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value k = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(
                  b, loc, linalg::IndexOp::create(b, loc, 3),
                  arith::ConstantIndexOp::create(b, loc, kernel[1])),
              linalg::IndexOp::create(b, loc, 5));
          return value(b, loc, k, args);
        });
    image = tensor::CollapseShapeOp::create(
        b, loc, windows,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
  } else {
    image = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{n, c, oh * kernel[0], ow * kernel[1]},
        element);
    auto gridType = RankedTensorType::get(gridShape, element);
    for (int64_t y = 0; y < kernel[0]; ++y)
      for (int64_t x = 0; x < kernel[1]; ++x) {
        Value piece = buildMap(
            b, loc, gridType, inputs, {},
            [&](OpBuilder &b, Location loc, ValueRange args) {
              Value k =
                  arith::ConstantIndexOp::create(b, loc, y * kernel[1] + x);
              return value(b, loc, k, args);
            });
        image = tensor::InsertSliceOp::create(
            b, loc, piece, image, indexAttrs(b, {0, 0, y, x}),
            indexAttrs(b, gridShape),
            indexAttrs(b, {1, 1, kernel[0], kernel[1]}));
      }
  }
  return padConstant(b, loc, image, {0, 0, 0, 0},
                     {0, 0, resultType.getDimSize(2) - oh * kernel[0],
                      resultType.getDimSize(3) - ow * kernel[1]},
                     scalarConstant(b, loc, element, 0));
}

bool windowsTile(ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> padding) {
  return kernel == strides && llvm::all_of(padding, [](int64_t p) { return !p; });
}

/// max_pool2d_grad: one reduction finds the first maximum of each window
/// (its offset kh * KW + kw; NaN wins, as the forward max propagates it;
/// padded positions never win), then each window offset takes the
/// cotangents of the windows whose maximum sits there.
struct MaxPool2DGradLowering : OpConversionPattern<MaxPool2DGradOp> {
  MaxPool2DGradLowering(MLIRContext *ctx, bool oneMap)
      : OpConversionPattern(ctx), oneMap(oneMap) {}
  bool oneMap; // window-grads-in-one-map
  LogicalResult
  matchAndRewrite(MaxPool2DGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto gradType = cast<RankedTensorType>(op.getGrad().getType());
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      padding = op.getPadding();
    Type i32 = rewriter.getI32Type();
    if (windowsTile(kernel, strides, padding)) {
      // Disjoint windows without padding: the first maximum by one
      // elementwise map over the window grid that reads the window's
      // elements as KH*KW strided slices (vectorized along OW), then one
      // elementwise map per window offset (or one over all: oneMap).
      SmallVector<Value> slices;
      auto gridType = RankedTensorType::get(gradType.getShape(), element);
      for (int64_t y = 0; y < kernel[0]; ++y)
        for (int64_t x = 0; x < kernel[1]; ++x)
          slices.push_back(tensor::ExtractSliceOp::create(
              rewriter, loc, gridType, adaptor.getInput(),
              indexAttrs(rewriter, {0, 0, y, x}),
              indexAttrs(rewriter, gradType.getShape()),
              indexAttrs(rewriter, {1, 1, kernel[0], kernel[1]})));
      Value first = buildMap(
          rewriter, loc, RankedTensorType::get(gradType.getShape(), i32),
          slices, {}, [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
            using F = arith::CmpFPredicate;
            Value best = v[0];
            Value at = arith::ConstantIntOp::create(b, loc, i32, 0);
            for (unsigned k = 1; k < v.size(); ++k) {
              // NaN wins (the forward max propagates it); ties keep the
              // first.
              Value take = arith::OrIOp::create(
                  b, loc, arith::CmpFOp::create(b, loc, F::OGT, v[k], best),
                  arith::AndIOp::create(
                      b, loc, arith::CmpFOp::create(b, loc, F::UNO, v[k], v[k]),
                      arith::CmpFOp::create(b, loc, F::ORD, best, best)));
              best = arith::SelectOp::create(b, loc, take, v[k], best);
              at = arith::SelectOp::create(
                  b, loc, take, arith::ConstantIntOp::create(b, loc, i32, k),
                  at);
            }
            return at;
          });
      rewriter.replaceOp(
          op, tiledWindows(
                  rewriter, loc, type, gradType.getShape(), kernel,
                  ValueRange{first, adaptor.getGrad()},
                  [&](OpBuilder &b, Location loc, Value k, ValueRange args) {
                    Value here = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::eq, args[0],
                        arith::IndexCastOp::create(b, loc, i32, k));
                    return arith::SelectOp::create(
                        b, loc, here, args[1],
                        scalarConstant(b, loc, element, 0));
                  },
                  oneMap));
      return success();
    }
    Value input = padSpatial(rewriter, loc, adaptor.getInput(), padding,
                             negativeInfinityOrMin(rewriter, loc, element));
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, c, r, q, y, x;
    bindDims(ctx, n, c, r, q, y, x);
    auto inputMap =
        AffineMap::get(6, 0, {n, c, r * strides[0] + y, q * strides[1] + x}, ctx);
    auto windowMap = AffineMap::get(6, 0, {y, x}, ctx);
    auto outMap = AffineMap::get(6, 0, {n, c, r, q}, ctx);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    Value best = filledTensor(rewriter, loc, gradType.getShape(),
                              negativeInfinityOrMin(rewriter, loc, element));
    Value where = filledTensor(rewriter, loc, gradType.getShape(),
                               scalarConstant(rewriter, loc, i32, -1));
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(4, IteratorType::parallel);
    iterators.append(2, IteratorType::reduction);
    int64_t height = type.getDimSize(2), width = type.getDimSize(3);
    auto argmax = linalg::GenericOp::create(
        rewriter, loc, TypeRange{best.getType(), where.getType()},
        ValueRange{input, window}, ValueRange{best, where},
        ArrayRef<AffineMap>{inputMap, windowMap, outMap, outMap}, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value v = args[0], acc = args[2], at = args[3];
          auto index = [&](unsigned d) {
            return arith::IndexCastOp::create(
                b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, d));
          };
          auto constant = [&](int64_t value) {
            return arith::ConstantIntOp::create(b, loc, b.getI64Type(), value);
          };
          using P = arith::CmpIPredicate;
          auto inRange = [&](Value v, int64_t size) {
            return arith::AndIOp::create(
                b, loc, arith::CmpIOp::create(b, loc, P::sge, v, constant(0)),
                arith::CmpIOp::create(b, loc, P::slt, v, constant(size)));
          };
          // Position in the unpadded input.
          Value h = arith::SubIOp::create(
              b, loc,
              arith::AddIOp::create(
                  b, loc,
                  arith::MulIOp::create(b, loc, index(2), constant(strides[0])),
                  index(4)),
              constant(padding[0]));
          Value w = arith::SubIOp::create(
              b, loc,
              arith::AddIOp::create(
                  b, loc,
                  arith::MulIOp::create(b, loc, index(3), constant(strides[1])),
                  index(5)),
              constant(padding[2]));
          Value real = arith::AndIOp::create(b, loc, inRange(h, height),
                                             inRange(w, width));
          Value none = arith::CmpIOp::create(
              b, loc, P::slt, at, arith::ConstantIntOp::create(b, loc, i32, 0));
          using F = arith::CmpFPredicate;
          Value greater = arith::CmpFOp::create(b, loc, F::OGT, v, acc);
          Value nan = arith::AndIOp::create(
              b, loc, arith::CmpFOp::create(b, loc, F::UNO, v, v),
              arith::CmpFOp::create(b, loc, F::ORD, acc, acc));
          Value take = arith::OrIOp::create(
              b, loc, arith::OrIOp::create(b, loc, greater, nan),
              arith::AndIOp::create(b, loc, none, real));
          Value offset = arith::TruncIOp::create(
              b, loc, i32,
              arith::AddIOp::create(
                  b, loc, arith::MulIOp::create(b, loc, index(4), constant(kernel[1])),
                  index(5)));
          linalg::YieldOp::create(
              b, loc,
              ValueRange{arith::SelectOp::create(b, loc, take, v, acc),
                         arith::SelectOp::create(b, loc, take, offset, at)});
        });
    Value first = argmax.getResult(1);
    Value grad = adaptor.getGrad();
    Value result = accumulateWindows(
        rewriter, loc, type, gradType.getShape(), kernel, strides, padding,
        [&](OpBuilder &b, Location loc, int64_t k, Value slice) {
          return buildMap(
              b, loc, cast<RankedTensorType>(slice.getType()),
              {first, grad, slice}, {},
              [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                Value here = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::eq, args[0],
                    arith::ConstantIntOp::create(b, loc, i32, k));
                Value added = arith::AddFOp::create(b, loc, args[2], args[1]);
                return arith::SelectOp::create(b, loc, here, added, args[2]);
              });
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// avg_pool2d_grad: every window offset takes cotangent / (KH * KW).
struct AvgPool2DGradLowering : OpConversionPattern<AvgPool2DGradOp> {
  AvgPool2DGradLowering(MLIRContext *ctx, bool oneMap)
      : OpConversionPattern(ctx), oneMap(oneMap) {}
  bool oneMap; // window-grads-in-one-map
  LogicalResult
  matchAndRewrite(AvgPool2DGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    auto gradType = cast<RankedTensorType>(op.getGrad().getType());
    ArrayRef<int64_t> kernel = op.getKernel();
    Type accType = computeType(element);
    Value area = scalarConstant(rewriter, loc, accType, kernel[0] * kernel[1]);
    Value share = buildMap(
        rewriter, loc, gradType, adaptor.getGrad(), {},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value wide = convertScalar(b, loc, args[0], accType);
          return convertScalar(b, loc, arith::DivFOp::create(b, loc, wide, area),
                               element);
        });
    if (windowsTile(kernel, op.getStrides(), op.getPadding())) {
      rewriter.replaceOp(
          op, tiledWindows(rewriter, loc, type, gradType.getShape(), kernel,
                           ValueRange{share},
                           [](OpBuilder &, Location, Value, ValueRange args) {
                             return args[0];
                           },
                           oneMap));
      return success();
    }
    Value result = accumulateWindows(
        rewriter, loc, type, gradType.getShape(), kernel, op.getStrides(),
        op.getPadding(), [&](OpBuilder &b, Location loc, int64_t, Value slice) {
          return buildMap(b, loc, cast<RankedTensorType>(slice.getType()),
                          {share, slice}, {},
                          [&](OpBuilder &b, Location loc, ValueRange args) {
                            return arith::AddFOp::create(b, loc, args[1],
                                                         args[0]);
                          });
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void dlc::populateConvPatterns(RewritePatternSet &patterns,
                               int64_t im2colMaxWidth,
                               int64_t im2colChunkBytes,
                               bool windowGradsInOneMap) {
  patterns.add<Conv2DLowering>(patterns.getContext(), im2colMaxWidth,
                               im2colChunkBytes);
  patterns.add<Conv2DFilterGradLowering>(patterns.getContext(),
                                         im2colChunkBytes);
  patterns.add<Pool2DLowering<MaxPool2DOp>,
               Pool2DLowering<AvgPool2DOp>, Conv2DInputGradLowering>(
      patterns.getContext());
  patterns.add<MaxPool2DGradLowering, AvgPool2DGradLowering>(
      patterns.getContext(), windowGradsInOneMap);
}
