//===- Matmul.cpp - dlc.matmul to linalg.matmul / batch_matmul -------------===//

#include "Patterns.h"
#include "Utils.h"

#include "dlc/Dialect/Dlc/IR/DlcOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc;

namespace {

/// Reassociation that merges the leading `rank - 2` batch dims into one.
SmallVector<ReassociationIndices> mergeBatchDims(int64_t rank) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < rank - 2; ++i)
    groups[0].push_back(i);
  groups.push_back({rank - 2});
  groups.push_back({rank - 1});
  return groups;
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t rank = type.getRank();
    // More than one batch dim: merge them, use batch_matmul, split after.
    SmallVector<int64_t> shape(type.getShape());
    if (rank > 3) {
      auto collapse = [&](Value v) {
        return tensor::CollapseShapeOp::create(rewriter, loc, v,
                                               mergeBatchDims(rank))
            .getResult();
      };
      lhs = collapse(lhs);
      rhs = collapse(rhs);
      int64_t batch = 1;
      for (int64_t d : type.getShape().drop_back(2))
        batch *= d;
      shape = {batch, type.getDimSize(rank - 2), type.getDimSize(rank - 1)};
    }
    // The named ops cast operands to the output element type, so an f32
    // accumulator gives f16/bf16 products f32 accumulation.
    Type elementType = type.getElementType();
    Type accType = computeType(elementType);
    Value acc = filledTensor(rewriter, loc, shape,
                             scalarConstant(rewriter, loc, accType, 0));
    // A^T x B with A^T a dlc.transpose (the rule of dB = A^T g): the matmul
    // reads A through transposed indexing instead, so A^T is never
    // materialized (the register tile's column of A^T is a contiguous row
    // piece of A).
    auto transposedLhs = [&]() -> Value {
      auto transpose = op.getLhs().getDefiningOp<TransposeOp>();
      if (rank != 2 || !transpose ||
          transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
        return {};
      return rewriter.getRemappedValue(transpose.getInput());
    };
    Value product;
    if (Value a = transposedLhs()) {
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr m, n, k;
      bindDims(ctx, m, n, k);
      auto maps = rewriter.getAffineMapArrayAttr(
          {AffineMap::get(3, 0, {k, m}, ctx), AffineMap::get(3, 0, {k, n}, ctx),
           AffineMap::get(3, 0, {m, n}, ctx)});
      product = linalg::MatmulOp::create(
                    rewriter, loc, ValueRange{a, rhs}, ValueRange{acc},
                    {rewriter.getNamedAttr("indexing_maps", maps)})
                    .getResult(0);
    } else if (shape.size() == 2)
      product = linalg::MatmulOp::create(rewriter, loc, ValueRange{lhs, rhs},
                                         ValueRange{acc})
                    .getResult(0);
    else
      product = linalg::BatchMatmulOp::create(rewriter, loc,
                                              ValueRange{lhs, rhs},
                                              ValueRange{acc})
                    .getResult(0);
    if (accType != elementType)
      product = buildMap(rewriter, loc,
                         RankedTensorType::get(shape, elementType), product, {},
                         [&](OpBuilder &b, Location l, ValueRange args) {
                           return convertScalar(b, l, args[0], elementType);
                         });
    if (rank > 3)
      product = tensor::ExpandShapeOp::create(rewriter, loc, type, product,
                                              mergeBatchDims(rank));
    rewriter.replaceOp(op, product);
    return success();
  }
};

} // namespace

void dlc::populateMatmulPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(patterns.getContext());
}
