//===- Pipelines.h - the named dlc pipelines -----------------------*- C++ -*-===//
//
// The one definition of each pipeline, shared by dlc-opt (as a named pass
// pipeline), the tools and the Python package.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_PIPELINES_PIPELINES_H
#define DLC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace dlc {

struct CPUPipelineOptions : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Emit `_mlir_ciface_<name>` wrappers that take memref "
                     "descriptors by pointer (for callers in C)"),
      llvm::cl::init(true)};
  Option<unsigned> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("SIMD register width of the target in bits (dlc-compile "
                     "sets it from the target CPU)"),
      llvm::cl::init(256)};
};

/// dlc dialect -> linalg/tensor/arith/math on tensors, canonicalized: the
/// first stage of every target's pipeline.
void buildDlcToLinalgPipeline(mlir::OpPassManager &pm);

/// dlc dialect -> LLVM dialect for the host CPU. Function signatures become
/// destination-passing: tensor results turn into trailing memref out-params
/// that the caller allocates; every internal buffer is freed.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers `dlc-cpu-pipeline`.
void registerPipelines();

} // namespace dlc

#endif // DLC_PIPELINES_PIPELINES_H
