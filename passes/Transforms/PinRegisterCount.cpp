//===- PinRegisterCount.cpp - dlc-pin-register-count ----------------------===//
//
// Kernels whose warpgroups hand registers to each other (setmaxnreg) get
// one block an SM as their occupancy bound, as CUTLASS's
// __launch_bounds__(threads, 1): ptxas then gives each thread the block's
// share of the register file at entry, which setmaxnreg needs.
//
//===----------------------------------------------------------------------===//

#include "dlc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace dlc {
#define GEN_PASS_DEF_PINREGISTERCOUNT
#include "dlc/Transforms/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct PinRegisterCount
    : public dlc::impl::PinRegisterCountBase<PinRegisterCount> {
  void runOnOperation() override {
    StringRef bound = NVVM::NVVMDialect::getMinctasmAttrName();
    for (auto function : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      if (!function->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()))
        continue;
      bool handsRegisters = false;
      function.walk([&](NVVM::SetMaxRegisterOp) {
        handsRegisters = true;
        return WalkResult::interrupt();
      });
      if (!handsRegisters)
        continue;
      auto given = function->getAttrOfType<IntegerAttr>(bound);
      if (given && given.getInt() != 1) {
        function.emitError("dlc-pin-register-count: a kernel that hands "
                           "registers between warpgroups (setmaxnreg) must "
                           "run one block an SM, not ")
            << given.getInt();
        return signalPassFailure();
      }
      function->setAttr(
          bound, IntegerAttr::get(IntegerType::get(&getContext(), 32), 1));
    }
  }
};

} // namespace
