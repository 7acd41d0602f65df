//===- Patterns.h - per-family dlc-to-linalg patterns (internal) -*- C++ -*-===//

#ifndef DLC_PASSES_CONVERSION_DLCTOLINALG_PATTERNS_H
#define DLC_PASSES_CONVERSION_DLCTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace dlc {
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateShapePatterns(mlir::RewritePatternSet &patterns);
void populateMatmulPatterns(mlir::RewritePatternSet &patterns);
/// `im2colMaxWidth`, `im2colChunkBytes`, `windowGradsInOneMap`: see
/// convert-dlc-to-linalg's im2col-max-width, im2col-chunk-bytes and
/// window-grads-in-one-map.
void populateConvPatterns(mlir::RewritePatternSet &patterns,
                          int64_t im2colMaxWidth, int64_t im2colChunkBytes,
                          bool windowGradsInOneMap);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateCompositePatterns(mlir::RewritePatternSet &patterns);
} // namespace dlc

#endif // DLC_PASSES_CONVERSION_DLCTOLINALG_PATTERNS_H
