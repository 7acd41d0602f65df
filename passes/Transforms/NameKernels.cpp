//===- NameKernels.cpp - dlc-name-kernels -----------------------------------===//
//
// Outlined kernels renamed after their (unique) GPU modules, so that the
// PTX, launch errors and the runtime's profile name one kernel each.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace dlc {
#define GEN_PASS_DEF_NAMEKERNELS
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct NameKernels : public dlc::impl::NameKernelsBase<NameKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The new reference of each renamed kernel, by its old one.
    llvm::DenseMap<Attribute, SymbolRefAttr> renamed;
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      auto kernels = llvm::to_vector(llvm::make_filter_range(
          gpuModule.getOps<gpu::GPUFuncOp>(),
          [](gpu::GPUFuncOp fn) { return fn.isKernel(); }));
      StringAttr name = gpuModule.getSymNameAttr();
      if (kernels.size() != 1 || kernels.front().getNameAttr() == name)
        continue;
      gpu::GPUFuncOp kernel = kernels.front();
      // (Another symbol of the module with that name: left as it is.)
      if (SymbolTable::lookupSymbolIn(gpuModule, name))
        continue;
      SymbolRefAttr from = SymbolRefAttr::get(
          name, ArrayRef<FlatSymbolRefAttr>{
                    FlatSymbolRefAttr::get(kernel.getNameAttr())});
      kernel.setName(name.getValue());
      renamed[from] = SymbolRefAttr::get(
          name, ArrayRef<FlatSymbolRefAttr>{FlatSymbolRefAttr::get(name)});
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      if (SymbolRefAttr to = renamed.lookup(launch.getKernel()))
        launch.setKernelAttr(to);
    });
  }
};

} // namespace
