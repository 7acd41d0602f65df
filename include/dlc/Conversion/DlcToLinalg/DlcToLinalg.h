//===- DlcToLinalg.h - dlc to linalg conversion patterns -----------*- C++ -*-===//

#ifndef DLC_CONVERSION_DLCTOLINALG_DLCTOLINALG_H
#define DLC_CONVERSION_DLCTOLINALG_DLCTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace dlc {

/// Adds the patterns that lower every dlc op to linalg/tensor/arith/math on
/// tensors. Each op family contributes through its own populate function.
/// `im2colMaxWidth`, `im2colChunkBytes`, `windowGradsInOneMap`:
/// convert-dlc-to-linalg's im2col-max-width, im2col-chunk-bytes and
/// window-grads-in-one-map.
void populateDlcToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t im2colMaxWidth = 16,
                                 int64_t im2colChunkBytes = 2 << 20,
                                 bool windowGradsInOneMap = false);

} // namespace dlc

#endif // DLC_CONVERSION_DLCTOLINALG_DLCTOLINALG_H
