//===- OutlineKernels.cpp - dlc-outline-kernels
//----------------------------===//
//
// Upstream's gpu-kernel-outlining, and each launch's occupancy hint carried
// to its kernel: outlining makes a new gpu.launch_func and gpu.func and
// keeps none of the launch's attributes.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "TilingUtils.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassManager.h"

namespace dlc {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct OutlineKernels : public dlc::impl::OutlineKernelsBase<OutlineKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Each launch's hint (or none), launches already outlined included, in
    // walk order: outlining puts each gpu.launch_func where its gpu.launch
    // was, so the order of launch_funcs after it is the same.
    SmallVector<IntegerAttr> hints;
    module.walk([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        hints.push_back(
            op->getAttrOfType<IntegerAttr>(dlc::kMinBlocksPerSMAttr));
      else if (isa<gpu::LaunchFuncOp>(op))
        hints.push_back(nullptr);
    });
    OpPassManager outlining(ModuleOp::getOperationName());
    outlining.addPass(createGpuKernelOutliningPass());
    if (failed(runPipeline(outlining, module)))
      return signalPassFailure();
    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
    if (launches.size() != hints.size()) {
      module.emitError("dlc-outline-kernels: ")
          << hints.size() << " launches before outlining, " << launches.size()
          << " after";
      return signalPassFailure();
    }
    for (auto [launch, hint] : llvm::zip(launches, hints)) {
      if (!hint)
        continue;
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      if (!kernel) {
        launch.emitError("dlc-outline-kernels: the launched kernel is missing");
        return signalPassFailure();
      }
      // (convert-gpu-to-nvvm keeps it on the llvm.func: PTX .minnctapersm.)
      kernel->setAttr(
          NVVM::NVVMDialect::getMinctasmAttrName(),
          IntegerAttr::get(IntegerType::get(&getContext(), 32), hint.getInt()));
    }
  }
};

} // namespace
