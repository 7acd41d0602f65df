//===- TensorMapArguments.h - tensor maps as kernel pointers ------*- C++ -*-===//

#ifndef DLC_CONVERSION_TENSORMAPARGUMENTS_H
#define DLC_CONVERSION_TENSORMAPARGUMENTS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace dlc {

/// The arguments of `kernel` that are TMA tensor maps
/// (!nvgpu.tensormap.descriptor) as the !llvm.ptr convert-nvgpu-to-nvvm
/// lowered their uses to, the casts between them folded.
void tensorMapArgumentsAsPointers(mlir::gpu::GPUFuncOp kernel);

} // namespace dlc

#endif // DLC_CONVERSION_TENSORMAPARGUMENTS_H
