//===- Utils.h - helpers shared by the dlc-to-linalg patterns ----*- C++ -*-===//

#ifndef DLC_PASSES_CONVERSION_DLCTOLINALG_UTILS_H
#define DLC_PASSES_CONVERSION_DLCTOLINALG_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace dlc {

using BodyFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>;

/// The type arithmetic is done in: f32 for f16/bf16 (their transcendental
/// math and accumulations lose too much), the element type otherwise.
mlir::Type computeType(mlir::Type elementType);

/// Converts a scalar between float/integer types (extf/truncf/sitofp/...).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type to);

/// A scalar arith.constant of a float or integer type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);
mlir::Value negativeInfinityOrMin(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Type type);
mlir::Value positiveInfinityOrMax(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Type type);
mlir::Value nanOrZero(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// tensor.empty + linalg.fill.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, mlir::Value scalar);

/// A parallel linalg.generic producing `resultType`; each input is read
/// through its map (identity when `inputMaps` is empty). `body` gets the
/// input scalars and returns the result scalar.
mlir::Value buildMap(mlir::OpBuilder &b, mlir::Location loc,
                     mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                     llvm::ArrayRef<mlir::AffineMap> inputMaps, BodyFn body);

/// Map from a rank-`rank` iteration space to the dimensions not in `axes`:
/// reads a reduced tensor as if broadcast back along `axes`.
mlir::AffineMap dropDimsMap(mlir::MLIRContext *ctx, int64_t rank,
                            llvm::ArrayRef<int64_t> axes);

/// linalg.reduce of `input` over `axes` into an accumulator of `accType`
/// initialised to `init`; `combine(b, loc, {element, acc})` returns the new
/// accumulator and receives the element already converted to `accType`.
mlir::Value buildReduce(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value input, llvm::ArrayRef<int64_t> axes,
                        mlir::Value init, BodyFn combine);

/// Row-major reshape between static shapes via collapse/expand_shape.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value, mlir::RankedTensorType type);

/// Zero-or-constant padding with tensor.pad; returns `value` if no padding.
mlir::Value padConstant(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value value, llvm::ArrayRef<int64_t> low,
                        llvm::ArrayRef<int64_t> high, mlir::Value padValue);

} // namespace dlc

#endif // DLC_PASSES_CONVERSION_DLCTOLINALG_UTILS_H
